/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control-proto.h"
#include "fd-pass.h"
#include "log.h"
#include "supervisor-link.h"
#include "zone-limits.h"
#include "supervisor-spare.h"
#include "supervisor-spawn.h"
#include "zone-clean-up.h"

struct SupervisorLink {
        Zone *zone;
        /* The last snapshot said stopped or failed: the supervisor is cleaning
         * up and exiting. That state is announced only once it is gone (EOF),
         * so a client that boots or removes the zone right away never finds
         * the old supervisor still there. */
        bool final;
        ZoneState final_state;
        char *final_status;
        int fd;
        pid_t pid;     /* the supervisor (0: not known): once it is gone, what it left can be removed */
        bool adopted;  /* a supervisor of an earlier zoned */
        bool answered; /* its first snapshot came */
        sd_event_source *io;
        GQueue pending; /* PendingCall: commands sent, in order, waiting for their RESULT= */
};

typedef struct PendingCall {
        supervisor_reply_func reply; /* NULL: an error is logged */
        void *userdata;
} PendingCall;

static void link_complete(SupervisorLink *l, int result, const char *status, int *fd) {
        PendingCall *p = g_queue_pop_head(&l->pending);

        if (p && p->reply)
                p->reply(result, status, fd, p->userdata);
        else if (result != 0)
                log_warning("Zone %s: supervisor refused a command: %i %s", l->zone->name, result,
                            strempty(status));
        free(p);
}

static void link_apply_snapshot(SupervisorLink *l, const char *msg, size_t len) {
        _cleanup_free_ char *state = NULL, *leader = NULL, *since = NULL, *status = NULL, *oom = NULL;
        ZoneState s;

        if (control_message_get(msg, len, "STATE", &state) < 0)
                return;
        if (!l->answered && l->adopted)
                log_info("Zone %s: re-adopted its running supervisor.", l->zone->name);
        l->answered = true;
        s = zone_state_from_string(state);
        if (s < 0) {
                log_warning("Zone %s: supervisor reported unknown state \"%s\".", l->zone->name, state);
                return;
        }
        (void) control_message_get(msg, len, "LEADER", &leader);
        (void) control_message_get(msg, len, "SINCE", &since);
        if (control_message_get(msg, len, "OOMKILLS", &oom) >= 0)
                zone_set_oom_kills(l->zone, strtoull(oom, NULL, 10));
        if (control_message_get(msg, len, "STATUS", &status) < 0)
                status = strdup("");
        if (s == ZONE_STOPPED || s == ZONE_FAILED) {
                l->final = true;
                l->final_state = s;
                free(l->final_status);
                l->final_status = TAKE_PTR(status);
                return;
        }
        zone_set_runtime(l->zone, s, leader ? (uint32_t) strtoul(leader, NULL, 10) : 0,
                         since ? strtoull(since, NULL, 10) : 0, status);
}

static void link_handle_message(SupervisorLink *l, const char *msg, size_t len, int *fd) {
        _cleanup_free_ char *result = NULL, *status = NULL;

        if (control_message_get(msg, len, "RESULT", &result) >= 0) {
                (void) control_message_get(msg, len, "STATUS", &status);
                link_complete(l, (int) strtol(result, NULL, 10), status, fd);
                return;
        }
        link_apply_snapshot(l, msg, len);
}

/* The supervisor is gone: it exits after the zone stopped and it cleaned up, or it died (was
 * killed) and left the zone's processes, cgroups and runtime dir behind. */
static void link_closed(SupervisorLink *l) {
        Zone *z = l->zone;
        bool stopping = z->state == ZONE_STOPPING;
        /* Opened only now, not held while the zone runs (one descriptor per zone is the link):
         * if it is reaped already, its death is waited for through the runtime dir's lock. */
        int pidfd = l->pid > 0 ? pidfd_open(l->pid, 0) : -EBADF, r;

        z->link = NULL;
        if (l->final) {
                safe_close(pidfd);
                zone_set_runtime(z, l->final_state, 0, 0, l->final_status);
                supervisor_link_free(l);
                return;
        }
        supervisor_link_free(l);
        r = zone_clean_up_start(z, pidfd, -EBADF, stopping ? ZONE_STOPPED : ZONE_FAILED,
                                stopping ? NULL : "The zone's supervisor exited unexpectedly.");
        if (r < 0) {
                log_warning_errno(r, "Zone %s: cannot remove what its supervisor left: %m", z->name);
                zone_set_runtime(z, stopping ? ZONE_STOPPED : ZONE_FAILED, 0, 0,
                                 stopping ? NULL : "The zone's supervisor exited unexpectedly.");
        }
}

static int link_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        SupervisorLink *l = userdata;
        char buf[CONTROL_MESSAGE_MAX + 1];

        for (;;) {
                _cleanup_close_ int passed = -EBADF;
                ssize_t n = fd_receive(fd, buf, sizeof(buf), MSG_DONTWAIT, &passed);
                if (n < 0) {
                        if (n == -EAGAIN || n == -EINTR)
                                return 0;
                        log_debug_errno((int) n, "Zone %s: control socket: %m", l->zone->name);
                        link_closed(l);
                        return 0;
                }
                if (n == 0) {
                        link_closed(l);
                        return 0;
                }
                buf[n] = 0;
                link_handle_message(l, buf, (size_t) n, &passed);
        }
}

SupervisorLink *supervisor_link_free(SupervisorLink *l) {
        if (!l)
                return NULL;
        if (l->zone && l->zone->link == l)
                l->zone->link = NULL;
        sd_event_source_disable_unref(l->io);
        safe_close(l->fd);
        /* Whoever waits for an answer gets one; commands nobody waits for are forgotten. */
        for (PendingCall *p; (p = g_queue_pop_head(&l->pending)); free(p))
                if (p->reply)
                        p->reply(-ECONNRESET, "The zone's supervisor is gone.", &(int) { -EBADF },
                                 p->userdata);
        free(l->final_status);
        free(l);
        return NULL;
}

static int link_new(Zone *z, int fd, pid_t pid, SupervisorLink **ret) {
        _cleanup_free_ SupervisorLink *l = new0(SupervisorLink, 1);
        int r;

        if (!l)
                return -ENOMEM;
        r = sd_event_add_io(z->manager->event, &l->io, fd, EPOLLIN, link_on_io, l);
        if (r < 0)
                return r;
        l->zone = z;
        l->fd = fd;
        l->pid = pid;
        *ret = TAKE_PTR(l);
        return 0;
}

int supervisor_link_spawn(Zone *z, const char *plan_path, SupervisorLink **ret) {
        _cleanup_close_ int fd = -EBADF;
        pid_t pid;
        int r;

        /* The spare supervisor, if the plan was written for it; else a new one. */
        r = spare_supervisor_take(z->manager, plan_path, &pid, &fd);
        if (r < 0) {
                r = supervisor_spawn(z->manager, plan_path, false, &pid, &fd);
                if (r < 0)
                        return log_error_errno(r, "Failed to execute %s: %m", z->manager->supervisor_path);
        }
        r = link_new(z, fd, pid, ret);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                return r;
        }
        TAKE_FD(fd);
        return 0;
}

int supervisor_link_attach(Zone *z, SupervisorLink **ret) {
        _cleanup_free_ char *rt = zone_runtime_path(z);
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct ucred peer = {};
        socklen_t peer_len = sizeof(peer);
        SupervisorLink *l;
        int r;

        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rt, CONTROL_SOCKET_NAME) >=
            sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        /* Non-blocking: a unix socket's connect() completes at once (the kernel queues it for a
         * listener that is busy or stopped) or fails at once. The snapshot comes when it comes. */
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return errno == EINPROGRESS ? -EAGAIN : -errno;
        /* The listener's credentials, from when it called listen(): the supervisor. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) < 0)
                peer.pid = 0;

        r = link_new(z, fd, peer.pid, &l);
        if (r < 0)
                return r;
        fd = -EBADF;
        l->adopted = true;
        z->link = l;
        *ret = l;
        return 0;
}

bool supervisor_link_answered(SupervisorLink *l) {
        return l && l->answered;
}

int supervisor_link_call(SupervisorLink *l, const char *command, const char *extra,
                         supervisor_reply_func reply, void *userdata) {
        _cleanup_free_ char *msg = NULL;
        _cleanup_free_ PendingCall *p = new0(PendingCall, 1);
        int n;

        if (!p)
                return -ENOMEM;
        n = asprintf(&msg, "COMMAND=%s\n%s", command, strempty(extra));
        if (n < 0)
                return -ENOMEM;
        if (send(l->fd, msg, (size_t) n, MSG_NOSIGNAL) < 0)
                return -errno;
        p->reply = reply;
        p->userdata = userdata;
        g_queue_push_tail(&l->pending, TAKE_PTR(p));
        return 0;
}

int supervisor_link_command(SupervisorLink *l, const char *command, const char *extra) {
        return supervisor_link_call(l, command, extra, NULL, NULL);
}

static int append_lines(FILE *f, const char *key, char *const *values) {
        for (char *const *v = values; v && *v; v++) {
                if (strchr(*v, '\n'))
                        return -EINVAL;
                fprintf(f, "%s=%s\n", key, *v);
        }
        return 0;
}

int supervisor_link_set_ports(SupervisorLink *l, char *const *ports, char *const *addresses,
                              supervisor_reply_func reply, void *userdata) {
        _cleanup_free_ char *extra = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&extra, &size);
        if (!f)
                return -ENOMEM;
        r = append_lines(f, "PORT", ports);
        if (r >= 0)
                r = append_lines(f, "ADDRESS", addresses);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        if (size + strlen("COMMAND=ports\n") > CONTROL_MESSAGE_MAX)
                return -E2BIG;
        return supervisor_link_call(l, "ports", extra, reply, userdata);
}
