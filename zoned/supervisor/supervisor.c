/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "control-proto.h"
#include "log.h"
#include "supervisor.h"

static void reap_children(Supervisor *s) {
        for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, WNOHANG);

                if (pid <= 0)
                        return;
                if (pid == s->leader)
                        supervisor_on_leader_exit(s, status);
        }
}

static int on_signal(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        struct signalfd_siginfo si;
        int r;

        if (read(fd, &si, sizeof(si)) != sizeof(si))
                return errno == EAGAIN ? 0 : -errno;

        switch (si.ssi_signo) {
        case SIGCHLD:
                reap_children(s);
                break;
        case SIGTERM:
        case SIGINT:
                log_info("Received %s, powering off zone %s.",
                         si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT", s->plan->name);
                r = supervisor_request_stop(s, STOP_POWEROFF);
                if (r < 0 && r != -ESRCH)
                        log_warning_errno(r, "Failed to power off zone %s: %m", s->plan->name);
                break;
        default:
                break; /* SIGHUP: we have no terminal and no configuration to reload */
        }
        return 0;
}

static int setup_signals(Supervisor *s) {
        sigset_t mask;
        int fd, r;

        /* Nobody may stop the supervisor by closing a pipe: zoned's stderr may be gone. */
        if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                return -errno;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = event_add_io(s->loop, fd, EPOLLIN, on_signal, s, &s->signal_source);
        if (r < 0)
                safe_close(fd);
        return r;
}

static int check_control_fd(int fd) {
        int type = 0;
        socklen_t len = sizeof(type);

        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
                return -errno;
        if (type != SOCK_SEQPACKET)
                return -EPROTOTYPE;
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

int supervisor_new(const char *plan_path, int control_fd, ZonePrepared *prepared, Supervisor **ret) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        unsigned line = 0;
        int r;

        s = new0(Supervisor, 1);
        if (!s)
                return log_error_errno(ENOMEM, "Out of memory.");
        s->runtime_lock_fd = -EBADF;
        s->prepared = *prepared;
        *prepared = ZONE_PREPARED_NULL;
        s->state = ZONE_STARTING;
        s->since = now_realtime_usec();
        console_init(&s->console);
        s->plan_path = strdup(plan_path);
        if (!s->plan_path)
                return log_error_errno(ENOMEM, "Out of memory.");

        r = launch_plan_load(plan_path, &s->plan, &line);
        if (r == -EBADMSG && line > 0)
                return log_error_errno(r, "%s:%u: bad launch plan line.", plan_path, line);
        if (r == -EBADMSG)
                return log_error_errno(r, "%s: launch plan is missing required keys.", plan_path);
        if (r < 0)
                return log_error_errno(r, "Failed to load launch plan %s: %m", plan_path);

        r = event_loop_new(&s->loop);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m");
        r = setup_signals(s);
        if (r < 0)
                return log_error_errno(r, "Failed to set up signal handling: %m");
        r = supervisor_lifecycle_init(s);
        if (r < 0)
                return log_error_errno(r, "Failed to create timers: %m");
        /* Before the control socket, so that the first snapshot names the ports it could not have. */
        r = supervisor_ports_start(s);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the port forwards: %m");
        r = control_listen(s);
        if (r == -EADDRINUSE)
                return log_error_errno(r, "Zone %s already has a supervisor.", s->plan->name);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on %s/" CONTROL_SOCKET_NAME ": %m",
                                       s->plan->runtime_dir);
        if (control_fd >= 0) {
                r = check_control_fd(control_fd);
                if (r < 0)
                        return log_error_errno(r, "--control-fd=%i is not a SOCK_SEQPACKET socket: %m",
                                               control_fd);
                r = control_add_client(s, control_fd);
                if (r < 0)
                        return log_error_errno(r, "Failed to add the control connection: %m");
        }

        *ret = TAKE_PTR(s);
        return 0;
}

Supervisor *supervisor_free(Supervisor *s) {
        if (!s)
                return NULL;
        /* The forwards go before zoned sees EOF: a zone it calls stopped serves none. */
        supervisor_ports_stop(s);
        if (s->loop)
                control_close(s);
        console_done(&s->console);
        event_source_free(s->spawn_source);
        event_source_free(s->notify_source);
        event_source_free(s->stop_timer);
        event_source_free(s->ready_timer);
        event_source_free(s->cleanup_timer);
        event_source_free(s->signal_source);
        event_loop_free(s->loop);
        cgroup_set_done(&s->cgroups);
        event_source_free(s->oom_source);
        event_source_free(s->oom_timer);
        cgroup_limit_paths_done(&s->limit_paths);
        zone_limits_done(&s->boot_limits);
        zone_limits_done(&s->limits);
        syscall_filter_done(&s->syscall_filter);
        zone_prepared_done(&s->prepared);
        launch_plan_free(s->plan);
        free(s->plan_path);
        free(s->control_path);
        safe_close(s->runtime_lock_fd);
        free(s->status);
        free(s->spawn_error);
        free(s->outcome_status);
        free(s);
        return NULL;
}

int supervisor_run(Supervisor *s) {
        int r;

        log_info("Starting zone %s.", s->plan->name);
        (void) supervisor_start_zone(s);
        r = event_loop_run(s->loop);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m"), EXIT_FAILURE;
        return r;
}
