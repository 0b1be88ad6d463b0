/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "log.h"
#include "supervisor-spare.h"
#include "supervisor-spawn.h"

/* What zoned keeps of a supervisor it started, until it reaps it. */
typedef struct SupervisorProcess {
        char *unique_plan; /* a plan path no other boot will use (a spare's), or NULL */
} SupervisorProcess;

static void supervisor_process_free(void *userdata) {
        SupervisorProcess *p = userdata;

        g_free(p->unique_plan);
        g_free(p);
}

static void supervisor_reaped(Manager *m, const siginfo_t *si) {
        SupervisorProcess *p = g_hash_table_lookup(m->supervisors, GINT_TO_POINTER(si->si_pid));

        /* Only reaps: a zone's state comes from its control socket. */
        if (si->si_code != CLD_EXITED || (si->si_status != 0 && si->si_status != 1))
                log_warning("Supervisor %i ended with code %i status %i.", (int) si->si_pid, si->si_code,
                            si->si_status);
        /* A supervisor removes its plan when its zone has stopped; one that died early did not. A
         * zone's own plan path is the next boot's too (it may be written already), a spare's is
         * never used again. */
        if (p->unique_plan)
                (void) unlink(p->unique_plan);
        spare_supervisor_exited(m, si->si_pid);
        g_hash_table_remove(m->supervisors, GINT_TO_POINTER(si->si_pid));
}

static bool supervisor_try_reap(Manager *m, pid_t pid) {
        siginfo_t si = {};

        if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG) < 0 || si.si_pid != pid)
                return false;
        supervisor_reaped(m, &si);
        return true;
}

/* One SIGCHLD source for all supervisors, not a child source each: sd-event watches every child
 * through a pidfd of its own, one more descriptor per running zone, and a thousand zones would
 * take a thousand of them. Workers keep their child sources (they are few and short-lived), so
 * only our own pids are reaped here. */
static int on_sigchld(sd_event_source *s, const struct signalfd_siginfo *ssi, void *userdata) {
        Manager *m = userdata;
        GHashTableIter it;
        gpointer key;

        /* The usual case, one supervisor that ended: the first child that has ended is ours. */
        for (;;) {
                siginfo_t si = {};

                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                        return 0; /* none ended (or no child at all) */
                if (!g_hash_table_contains(m->supervisors, GINT_TO_POINTER(si.si_pid)) ||
                    !supervisor_try_reap(m, si.si_pid))
                        break;
        }
        /* A worker's comes first (its own source reaps it later): ours may wait behind it. */
        g_hash_table_iter_init(&it, m->supervisors);
        while (g_hash_table_iter_next(&it, &key, NULL))
                if (supervisor_try_reap(m, GPOINTER_TO_INT(key)))
                        g_hash_table_iter_init(&it, m->supervisors); /* it changed under the iterator */
        return 0;
}

static int supervisor_watch(Manager *m, pid_t pid, const char *plan_path) {
        SupervisorProcess *p;
        int r;

        if (!m->supervisors)
                m->supervisors = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                       supervisor_process_free);
        if (!m->sigchld) {
                /* SIGCHLD is blocked since main(): one that came before this source is pending. */
                r = sd_event_add_signal(m->event, &m->sigchld, SIGCHLD, on_sigchld, m);
                if (r < 0)
                        return r;
        }
        p = g_new0(SupervisorProcess, 1);
        if (spare_supervisor_plan_is_unique(m, plan_path))
                p->unique_plan = g_strdup(plan_path);
        g_hash_table_insert(m->supervisors, GINT_TO_POINTER(pid), p);
        return 0;
}

void supervisor_reaper_done(Manager *m) {
        m->sigchld = sd_event_source_disable_unref(m->sigchld);
        if (m->supervisors)
                g_hash_table_unref(m->supervisors);
        m->supervisors = NULL;
}

static void spawn_attr_freep(posix_spawnattr_t **a) {
        if (*a)
                (void) posix_spawnattr_destroy(*a);
}

static void spawn_actions_freep(posix_spawn_file_actions_t **a) {
        if (*a)
                (void) posix_spawn_file_actions_destroy(*a);
}

/* posix_spawn() (vfork-like in glibc): on the path of every boot without a spare, and zoned is big
 * enough that fork() copying its page tables, and the copy-on-write faults after it, cost a good
 * part of a millisecond. The supervisor gets its own session (a terminal hang-up or zoned's exit
 * does not reach it), an empty signal mask, SIGPIPE at its default (zoned ignores it; only an
 * ignored disposition would survive the exec), /dev/null as stdin, the control socket (if any) as
 * fd 3, and no other fd of zoned's. */
static int spawn_process(const char *path, char *const argv[], int control_fd, pid_t *ret) {
        posix_spawnattr_t attr_storage;
        posix_spawn_file_actions_t actions_storage;
        _cleanup_(spawn_attr_freep) posix_spawnattr_t *attr = NULL;
        _cleanup_(spawn_actions_freep) posix_spawn_file_actions_t *actions = NULL;
        sigset_t none, pipe_only;
        int r;

        sigemptyset(&none);
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);

        r = posix_spawnattr_init(&attr_storage);
        if (r != 0)
                return -r;
        attr = &attr_storage;
        r = posix_spawnattr_setflags(attr,
                                     POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        if (r == 0)
                r = posix_spawnattr_setsigmask(attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(attr, &pipe_only);
        if (r != 0)
                return -r;

        r = posix_spawn_file_actions_init(&actions_storage);
        if (r != 0)
                return -r;
        actions = &actions_storage;
        /* control_fd is O_CLOEXEC and never 3 (the caller made sure), so dup2 gives a fresh fd 3. */
        r = control_fd >= 0 ? posix_spawn_file_actions_adddup2(actions, control_fd, 3) : 0;
        if (r == 0)
                r = posix_spawn_file_actions_addopen(actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawn_file_actions_addclosefrom_np(actions, control_fd >= 0 ? 4 : 3);
        if (r != 0)
                return -r;

        r = posix_spawn(ret, path, actions, attr, argv, environ);
        return -r;
}

static int spawn_supervisor(const char *path, const char *plan_path, bool spare, int control_fd,
                            pid_t *ret) {
        _cleanup_free_ char *plan_arg = NULL;
        char *argv[] = { (char *) "zoned-supervisor", NULL, (char *) "--control-fd=3", NULL, NULL };

        if (asprintf(&plan_arg, "--plan=%s", plan_path) < 0)
                return -ENOMEM;
        argv[1] = plan_arg;
        if (spare)
                argv[3] = (char *) "--spare";
        return spawn_process(path, argv, control_fd, ret);
}

int supervisor_spawn_clean_up(Manager *m, const char *cgroup, pid_t *ret_pid) {
        _cleanup_free_ char *arg = NULL;

        if (asprintf(&arg, "--clean-up=%s", cgroup) < 0)
                return -ENOMEM;
        return spawn_process(m->supervisor_path, (char *const[]) { (char *) "zoned-supervisor", arg, NULL },
                             -EBADF, ret_pid);
}

int supervisor_spawn(Manager *m, const char *plan_path, bool spare, pid_t *ret_pid, int *ret_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        pid_t pid;
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        if (pair[1] == 3) {
                /* dup2(3, 3) would keep O_CLOEXEC: move it out of the way first. */
                int fd = fcntl(pair[1], F_DUPFD_CLOEXEC, 4);
                if (fd < 0)
                        return -errno;
                safe_close(pair[1]);
                pair[1] = fd;
        }
        r = spawn_supervisor(m->supervisor_path, plan_path, spare, pair[1], &pid);
        if (r < 0)
                return r;
        pair[1] = safe_close(pair[1]);

        r = supervisor_watch(m, pid, plan_path);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        if (ret_pid)
                *ret_pid = pid;
        *ret_fd = TAKE_FD(pair[0]);
        return 0;
}
