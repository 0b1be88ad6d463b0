/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "log.h"
#include "signal-name.h"
#include "stop-prepare.h"
#include "supervisor.h"
#include "zone-mounts.h"
#include "zone-spawn.h"
#include "zone-devices.h"

/* An init that reboots itself more often than this is given up on (as systemd's StartLimitBurst=
 * does): a zone that can only reboot is failed, not a loop that costs the host a boot every few ms. */
#define RESTART_BURST 5
#define RESTART_INTERVAL_USEC (10 * USEC_PER_SEC)

/* After the init is gone, its cgroups are polled this often, this many times, until empty. */
#define CLEANUP_INTERVAL_USEC (20 * USEC_PER_MSEC)
#define CLEANUP_MAX_TICKS 250

static const char *const stop_action_table[_STOP_ACTION_MAX] = {
        [STOP_NONE] = "none",     [STOP_POWEROFF] = "poweroff",   [STOP_HALT] = "halt",
        [STOP_REBOOT] = "reboot", [STOP_TERMINATE] = "terminate",
};

const char *stop_action_to_string(StopAction a) {
        return a >= 0 && a < _STOP_ACTION_MAX ? stop_action_table[a] : NULL;
}

StopAction stop_action_from_string(const char *s) {
        for (int i = STOP_POWEROFF; s && i < _STOP_ACTION_MAX; i++)
                if (streq(stop_action_table[i], s))
                        return (StopAction) i;
        return STOP_NONE;
}

uint64_t now_realtime_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

static void free_and_replace(char **p, char *v) {
        free(*p);
        *p = v;
}

void supervisor_set_state(Supervisor *s, ZoneState state, const char *status) {
        if (s->state != state) {
                s->state = state;
                s->since = now_realtime_usec();
                if (status)
                        log_info("Zone %s is %s: %s", s->plan->name, zone_state_to_string(state), status);
                else
                        log_info("Zone %s is %s.", s->plan->name, zone_state_to_string(state));
        }
        free_and_replace(&s->status, status ? strdup(status) : NULL);
        control_broadcast(s);
}

static void supervisor_finish(Supervisor *s) {
        bool failed = s->outcome == OUTCOME_FAILED;

        supervisor_set_state(s, failed ? ZONE_FAILED : ZONE_STOPPED, failed ? s->outcome_status : NULL);
        s->notify_source = event_source_free(s->notify_source);
        /* The runtime dir goes before the clients see EOF: zoned announces
         * the final state at EOF, and a boot right after it writes a new
         * plan into a fresh runtime dir that must not be removed by us. */
        (void) unlink(s->plan_path);
        (void) rm_rf(s->plan->runtime_dir);
        control_close(s);
        event_loop_exit(s->loop, failed ? EXIT_FAILURE : EXIT_SUCCESS);
}

uint64_t now_monotonic_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

/* Counts a restart; false once there were more than RESTART_BURST within RESTART_INTERVAL_USEC. */
static bool restart_allowed(Supervisor *s) {
        uint64_t now = now_monotonic_usec();

        if (s->restarts == 0 || now - s->restart_window_start > RESTART_INTERVAL_USEC) {
                s->restart_window_start = now;
                s->restarts = 0;
        }
        return ++s->restarts <= RESTART_BURST;
}

static void cleanup_done(Supervisor *s) {
        int r;

        s->cleaning_up = false;
        supervisor_limits_stop(s);
        r = cgroup_set_remove(&s->cgroups);
        if (r < 0) {
                log_warning_errno(r, "Failed to remove the cgroups of zone %s: %m", s->plan->name);
                /* A next boot in them would find the old device program and rules, or children. */
                if (s->outcome == OUTCOME_RESTART) {
                        char *text = NULL;

                        s->outcome = OUTCOME_FAILED;
                        if (asprintf(&text, "Cannot reboot: failed to remove the zone's cgroups: %s",
                                     strerror(-r)) < 0)
                                text = NULL;
                        free_and_replace(&s->outcome_status, text);
                }
        }
        /* Only the init's own reboots count: one asked for through zoned is always done. */
        if (s->outcome == OUTCOME_RESTART && s->action != STOP_REBOOT && !restart_allowed(s)) {
                char *text = NULL;

                s->outcome = OUTCOME_FAILED;
                if (asprintf(&text, "Rebooted more than %u times within %u s, giving up", RESTART_BURST,
                             (unsigned) (RESTART_INTERVAL_USEC / USEC_PER_SEC)) < 0)
                        text = NULL;
                free_and_replace(&s->outcome_status, text);
                log_warning("Zone %s: %s.", s->plan->name, s->outcome_status ?: "rebooting too often");
        }
        if (s->outcome == OUTCOME_RESTART)
                (void) supervisor_start_zone(s);
        else
                supervisor_finish(s);
}

/* One round of waiting for the zone's cgroups to empty. Returns true once cleanup is over. */
static bool cleanup_tick(Supervisor *s) {
        int r;

        r = cgroup_set_is_empty(&s->cgroups);
        if (r < 0)
                log_warning_errno(r, "Failed to read the cgroups of zone %s: %m", s->plan->name);
        if (r != 0) {
                cleanup_done(s);
                return true;
        }
        if (++s->cleanup_ticks > CLEANUP_MAX_TICKS) {
                log_warning("Processes of zone %s are still alive, removing its cgroups anyway.",
                            s->plan->name);
                cleanup_done(s);
                return true;
        }
        /* The pid namespace is gone with its init; anything left in the cgroups is killed too. */
        (void) cgroup_set_kill(&s->cgroups, SIGKILL);
        return false;
}

static int on_cleanup_timer(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        uint64_t expirations;

        (void) !read(fd, &expirations, sizeof(expirations));
        if (!cleanup_tick(s))
                return event_timer_arm(source, CLEANUP_INTERVAL_USEC);
        return 0;
}

static void begin_cleanup(Supervisor *s) {
        s->cleaning_up = true;
        s->cleanup_ticks = 0;
        if (!cleanup_tick(s))
                (void) event_timer_arm(s->cleanup_timer, CLEANUP_INTERVAL_USEC);
}

/* The zone cannot start: report why (with strerror(error) unless error is 0) once the cgroups are
 * cleaned up. */
static int supervisor_fail_start(Supervisor *s, int error, const char *what) {
        char *text;
        int k;

        if (error != 0)
                k = asprintf(&text, "%s: %s", what, strerror(error < 0 ? -error : error));
        else
                k = asprintf(&text, "%s", what);
        s->outcome = OUTCOME_FAILED;
        free_and_replace(&s->outcome_status, k < 0 ? NULL : text);
        begin_cleanup(s);
        return error != 0 ? error : -EINVAL;
}

static bool leader_is_alive(Supervisor *s) {
        siginfo_t si = {};

        if (s->leader <= 0)
                return false;
        if (waitid(P_PID, (id_t) s->leader, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
                return false;
        return si.si_pid == 0;
}

static void spawn_handle_message(Supervisor *s, SpawnMessage *m) {
        int r;

        switch (m->kind) {
        case SPAWN_PTY:
                r = console_attach(&s->console, s->loop, m->fd);
                if (r < 0) {
                        log_warning_errno(r, "Failed to attach the console of zone %s: %m", s->plan->name);
                        return;
                }
                m->fd = -EBADF;
                break;
        case SPAWN_NOTIFY:
                r = supervisor_notify_attach(s, m->fd);
                if (r < 0) {
                        log_warning_errno(r, "Failed to watch the notify socket of zone %s: %m",
                                          s->plan->name);
                        return;
                }
                m->fd = -EBADF;
                break;
        case SPAWN_ERROR:
                if (!s->spawn_error_final)
                        free_and_replace(&s->spawn_error, TAKE_PTR(m->error));
                break;
        default:
                break;
        }
}

/* Handles what the child sent before exec. Returns true at EOF. */
static bool spawn_receive_all(Supervisor *s) {
        int fd = event_source_get_fd(s->spawn_source);

        for (;;) {
                SpawnMessage m;
                int r;

                r = zone_spawn_receive(fd, &m);
                if (r == -EAGAIN || r == -EINTR)
                        return false;
                /* A child that failed exits with our last message unread: the kernel reports the
                 * reset before what the child sent last (its ERROR), which the next read gets. */
                if (r == -ECONNRESET)
                        continue;
                if (r == -EBADMSG) {
                        log_warning("Zone %s's init sent a malformed message, ignoring it.", s->plan->name);
                        continue;
                }
                if (r <= 0) {
                        if (r < 0)
                                log_warning_errno(r, "Failed to read from zone %s's init: %m",
                                                  s->plan->name);
                        s->spawn_source = event_source_free(s->spawn_source);
                        return true;
                }
                spawn_handle_message(s, &m);
                spawn_message_done(&m);
        }
}

static int on_spawn_socket(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;

        if (!spawn_receive_all(s))
                return 0;
        if (s->spawn_error || !leader_is_alive(s))
                return 0; /* the child's exit decides */

        /* The init was executed. A notify brand is running once it says READY=1 (notify.c), a
         * brand that waits for a process or a file once readiness.c sees it. */
        if (s->state == ZONE_STARTING)
                supervisor_readiness_begin(s);
        return 0;
}

int supervisor_start_zone(Supervisor *s) {
        const LaunchPlan *p = s->plan;
        _cleanup_close_ int disk = -EBADF;
        pid_t pid;
        int r, fd;

        s->action = STOP_NONE;
        s->outcome = OUTCOME_STOPPED;
        free_and_replace(&s->outcome_status, NULL);
        free_and_replace(&s->spawn_error, NULL);
        s->spawn_error_final = false;
        s->stop_killed = false;
        s->ready_killed = false;

        if (p->root_mode == ROOT_OVERLAY &&
            (!overlay_path_is_valid(p->lower) || !overlay_path_is_valid(p->upper) ||
             !overlay_path_is_valid(p->work)))
                return supervisor_fail_start(
                        s, 0, "Invalid overlay paths: they must be absolute, without ',', ':' or '\\'");

        /* Errors from here on reach zoned as STATE=failed with a STATUS, not as a vanished supervisor. */
        if (s->cgroups.n_hierarchies == 0) {
                r = cgroup_set_discover(p->cgroup, NULL, &s->cgroups);
                if (r == -EINVAL)
                        return supervisor_fail_start(s, 0, "Invalid cgroup path in the launch plan");
                if (r < 0)
                        return supervisor_fail_start(s, r, "Failed to find the cgroup hierarchies");
        }
        r = zone_devices_from_paths(p->device_allow, &s->cgroups.device_allow, NULL);
        if (r < 0)
                return supervisor_fail_start(
                        s, 0,
                        "The launch plan allows a device no zone may have (only " ZONE_DEVICES_NAMES ")");
        r = supervisor_limits_load(s);
        if (r < 0)
                return supervisor_fail_start(s, r, "Invalid limits in the launch plan");
        if (p->ready == READY_CONSOLE && !s->console.ready_text) {
                r = console_watch_for(&s->console, p->ready_target);
                if (r < 0)
                        return supervisor_fail_start(s, r, "Invalid Ready=console: text in the launch plan");
        }
        if (p->console_log && !s->console.log_path) {
                r = console_set_log(&s->console, p->console_log, p->console_log_max);
                if (r < 0)
                        return supervisor_fail_start(s, r, "Failed to create the console log's directory");
        }

        if (p->seccomp_filter && s->syscall_filter.n_insns == 0) {
                r = syscall_filter_load(p->seccomp_filter, &s->syscall_filter);
                if (r < 0)
                        return supervisor_fail_start(s, r, "Failed to read the system call filter");
        }

        /* cgroup2 now, for the init to be born there; the v1 groups while it mounts (zone-spawn.h). */
        r = cgroup_set_create(&s->cgroups, true, launch_plan_private_users(p) ? p->uid_shift : 0);
        if (r < 0)
                return supervisor_fail_start(s, r, "Failed to create the zone's cgroups");

        if (p->disk_image) {
                r = zone_disk_open(p, &disk);
                if (r == -EBUSY)
                        return supervisor_fail_start(
                                s, r,
                                "The zone's disk image is on a loop device already (mounted elsewhere)");
                if (r < 0)
                        return supervisor_fail_start(s, r, "Failed to mount the zone's disk image");
        }
        /* The zone's processes hold their copies of the disk's fd: ours goes when this returns. */
        r = zone_spawn(p, &s->cgroups, &s->syscall_filter, &s->prepared, disk, supervisor_limits_apply_boot,
                       s, &pid, &fd);
        if (r < 0 && launch_plan_private_users(p) &&
            (r == -EPERM || r == -EINVAL || r == -ENOSPC || r == -EUSERS))
                /* Never a zone without the user namespace its plan asks for. */
                return supervisor_fail_start(
                        s, r,
                        "User namespaces unavailable: failed to start the zone's init in a user namespace of its own");
        if (r < 0)
                return supervisor_fail_start(s, r, "Failed to start the zone's init");
        s->leader = pid;
        r = event_add_io(s->loop, fd, EPOLLIN, on_spawn_socket, s, &s->spawn_source);
        if (r < 0) {
                safe_close(fd);
                (void) kill(pid, SIGKILL); /* reaped, and cleaned up, through SIGCHLD */
                s->spawn_error = strdup("Failed to watch the zone's init");
                return log_error_errno(r, "Failed to watch the init of zone %s: %m", p->name);
        }
        supervisor_set_state(s, ZONE_STARTING, NULL);
        return 0;
}

static int stop_signal(const LaunchPlan *p, StopAction action);

/* What the end of the init means; the kernel reports reboot(2) in a pid namespace as its init
 * dying of SIGHUP (restart) or SIGINT (power off, halt). */
static ZoneOutcome decide_outcome(Supervisor *s, int status, char **ret_text) {
        char sig[16];
        int r;

        *ret_text = NULL;
        if (s->spawn_error) {
                *ret_text = strdup(s->spawn_error);
                return OUTCOME_FAILED;
        }
        if (s->ready_killed) {
                *ret_text = supervisor_readiness_failure(s);
                return OUTCOME_FAILED;
        }
        if (s->action == STOP_REBOOT)
                return OUTCOME_RESTART;
        /* A poweroff the init did not carry out is no clean stop, whatever then killed it (systemd's
         * units end "failed" with result "timeout" the same way). */
        if (s->stop_killed && (s->action == STOP_POWEROFF || s->action == STOP_HALT)) {
                if (asprintf(ret_text, "Did not stop within %" PRIu64 " s of its %s signal, killed",
                             s->plan->stop_timeout_usec / USEC_PER_SEC,
                             signal_to_string(stop_signal(s->plan, s->action), sig)) < 0)
                        *ret_text = NULL;
                return OUTCOME_FAILED;
        }
        if (s->action != STOP_NONE)
                return OUTCOME_STOPPED;
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP)
                return OUTCOME_RESTART;
        if ((WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
            (WIFEXITED(status) && WEXITSTATUS(status) == 0))
                return OUTCOME_STOPPED;
        if (WIFEXITED(status))
                r = asprintf(ret_text, "Init exited with status %i", WEXITSTATUS(status));
        else
                r = asprintf(ret_text, "Init killed by signal %s", signal_to_string(WTERMSIG(status), sig));
        if (r < 0)
                *ret_text = NULL;
        return OUTCOME_FAILED;
}

void supervisor_on_leader_exit(Supervisor *s, int status) {
        char *text;

        if (s->spawn_source)
                (void) spawn_receive_all(s);
        s->spawn_source = event_source_free(s->spawn_source);
        s->notify_source = event_source_free(s->notify_source);
        supervisor_readiness_end(s);
        console_detach(&s->console);
        s->stop_timer_armed = false;
        (void) event_timer_arm(s->stop_timer, 0);
        s->leader = 0;

        s->outcome = decide_outcome(s, status, &text);
        free_and_replace(&s->outcome_status, text);
        /* A zone that did not get to run stays "starting" until it is "failed". */
        if (s->state == ZONE_STARTING && s->outcome != OUTCOME_RESTART)
                control_broadcast(s); /* LEADER=0 */
        else
                supervisor_set_state(s, ZONE_STOPPING, NULL);
        begin_cleanup(s);
}

static int stop_signal(const LaunchPlan *p, StopAction action) {
        int sig = 0;

        switch (action) {
        case STOP_POWEROFF:
                sig = p->poweroff_signal;
                break;
        case STOP_HALT:
                sig = p->halt_signal ?: p->poweroff_signal;
                break;
        case STOP_REBOOT:
                sig = p->reboot_signal;
                break;
        default:
                break;
        }
        /* A brand without the signal (or terminate) gets no clean shutdown. */
        return sig > 0 ? sig : SIGKILL;
}

static int on_stop_timeout(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        uint64_t expirations;

        (void) !read(fd, &expirations, sizeof(expirations));
        s->stop_timer_armed = false;
        if (s->leader <= 0)
                return 0;
        log_warning("Zone %s did not stop in time, killing it.", s->plan->name);
        /* In the zone's console log too: that is where its admin reads how it ended. */
        static const char line[] = "\r\nzoned-supervisor: the zone did not stop in time, killing it.\r\n";
        (void) console_log_write(&s->console, line, sizeof(line) - 1);
        s->stop_killed = true;
        return kill(s->leader, SIGKILL) < 0 ? -errno : 0;
}

static char **stop_prepare_of(const LaunchPlan *p, StopAction action) {
        switch (action) {
        case STOP_POWEROFF:
                return p->poweroff_prepare;
        case STOP_HALT:
                return p->halt_prepare;
        case STOP_REBOOT:
                return p->reboot_prepare;
        default:
                return NULL;
        }
}

/* What the brand's stop protocol sets up before its signal (runit's stopit and reboot files), in
 * the zone's tree as the init sees it. A file that is missing or cannot be changed is logged: the
 * signal still goes out, and the stop timeout has the last word. */
static void stop_prepare(Supervisor *s, StopAction action) {
        _cleanup_close_ int root = -EBADF;
        char proc[64];

        if (strv_length(stop_prepare_of(s->plan, action)) == 0)
                return;
        snprintf(proc, sizeof(proc), "/proc/%d/root", (int) s->leader);
        root = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                log_warning_errno(-errno, "Failed to open zone %s's root to prepare its stop: %m",
                                  s->plan->name);
                return;
        }
        for (char **e = stop_prepare_of(s->plan, action); *e; e++) {
                int r = stop_prepare_apply(root, *e);

                if (r < 0)
                        log_warning_errno(r, "Failed to prepare zone %s's stop (%s): %m", s->plan->name, *e);
        }
}

int supervisor_request_stop(Supervisor *s, StopAction action) {
        int sig;

        if (action <= STOP_NONE || action >= _STOP_ACTION_MAX)
                return -EINVAL;
        if (s->leader <= 0) {
                /* Between two boots of a reboot: decide now whether the zone comes back. */
                if (s->cleaning_up && s->outcome == OUTCOME_RESTART && action != STOP_REBOOT)
                        s->outcome = OUTCOME_STOPPED;
                return s->cleaning_up ? 0 : -ESRCH;
        }
        if (s->action == STOP_TERMINATE)
                return 0; /* SIGKILL is on its way: nothing is more final */

        sig = action == STOP_TERMINATE ? SIGKILL : stop_signal(s->plan, action);
        if (sig != SIGKILL)
                stop_prepare(s, action);
        if (kill(s->leader, sig) < 0)
                return -errno;
        s->action = action;
        if (sig != SIGKILL && !s->stop_timer_armed && s->plan->stop_timeout_usec > 0) {
                (void) event_timer_arm(s->stop_timer, s->plan->stop_timeout_usec);
                s->stop_timer_armed = true;
        }
        if (s->state != ZONE_STOPPING)
                supervisor_set_state(s, ZONE_STOPPING, NULL);
        return 0;
}

int supervisor_kill(Supervisor *s, bool all, int sig) {
        int r;

        if (sig < 1 || sig > SIGRTMAX)
                return -EINVAL;
        if (s->leader <= 0)
                return -ESRCH;
        if (!all)
                return kill(s->leader, sig) < 0 ? -errno : 0;
        r = cgroup_set_kill(&s->cgroups, sig);
        return r < 0 ? r : 0;
}

int supervisor_lifecycle_init(Supervisor *s) {
        int r;

        r = event_add_timer(s->loop, 0, on_stop_timeout, s, &s->stop_timer);
        if (r < 0)
                return r;
        r = supervisor_readiness_init(s);
        if (r < 0)
                return r;
        return event_add_timer(s->loop, 0, on_cleanup_timer, s, &s->cleanup_timer);
}
