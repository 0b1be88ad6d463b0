/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/socket.h>
#include <sys/un.h>

#include "macro.h"
#include "log.h"
#include "notify.h"
#include "supervisor.h"

void notify_message_done(NotifyMessage *m) {
        free(m->status);
        *m = (NotifyMessage) {};
}

int notify_message_parse(const char *text, size_t len, NotifyMessage *ret) {
        NotifyMessage m = {};

        for (const char *p = text, *end = text + len; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)) ?: end;
                size_t n = (size_t) (nl - p);

                if (n == 7 && memcmp(p, "READY=1", 7) == 0)
                        m.ready = true;
                else if (n == 10 && memcmp(p, "STOPPING=1", 10) == 0)
                        m.stopping = true;
                else if (n == 11 && memcmp(p, "RELOADING=1", 11) == 0)
                        m.reloading = true;
                else if (n >= 7 && memcmp(p, "STATUS=", 7) == 0) {
                        char *s = strndup(p + 7, n - 7);

                        if (!s) {
                                notify_message_done(&m);
                                return -ENOMEM;
                        }
                        free(m.status);
                        m.status = s;
                }
                p = nl + 1;
        }
        *ret = m;
        return 0;
}

int notify_socket_open(const char *path, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int one = 1;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                return -errno;
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void close_passed_fds(struct msghdr *mh) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                size_t n;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < n; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        safe_close(fd);
                }
        }
}

int notify_socket_receive(int fd, pid_t *ret_pid, NotifyMessage *ret) {
        union {
                struct cmsghdr cmsghdr;
                uint8_t buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
        } control = {};
        char text[NOTIFY_MESSAGE_MAX + 1];
        struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        struct ucred *cred = NULL;
        ssize_t n;
        int r;

        n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return -errno;
        close_passed_fds(&mh);
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
                    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        cred = (struct ucred *) CMSG_DATA(c);
        if (!cred || cred->pid <= 0 || (size_t) n > NOTIFY_MESSAGE_MAX || (mh.msg_flags & MSG_CTRUNC))
                return 0;
        r = notify_message_parse(text, (size_t) n, ret);
        if (r < 0)
                return r;
        *ret_pid = cred->pid;
        return 1;
}

/* What a message from the init does to the zone's state. */
static void supervisor_on_notify(Supervisor *s, const NotifyMessage *m) {
        const char *status = m->status ?: s->status;

        if (m->stopping && (s->state == ZONE_RUNNING || s->state == ZONE_STARTING))
                /* The zone shuts down on its own (poweroff, reboot inside it). */
                supervisor_set_state(s, ZONE_STOPPING, m->status);
        else if (m->ready && s->state == ZONE_STARTING && s->plan->ready == READY_NOTIFY)
                supervisor_set_state(s, ZONE_RUNNING, status);
        else if (m->status && !streq_ptr(m->status, s->status))
                supervisor_set_state(s, s->state, m->status);
}

static int on_notify(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;

        for (;;) {
                NotifyMessage m = {};
                pid_t pid = 0;
                int r;

                r = notify_socket_receive(fd, &pid, &m);
                if (r == -EAGAIN || r == -EINTR)
                        return 0;
                if (r < 0)
                        return log_warning_errno(r, "Failed to read the notify socket of zone %s: %m",
                                                 s->plan->name);
                if (r > 0 && pid == s->leader)
                        supervisor_on_notify(s, &m);
                else if (r > 0)
                        log_debug("Zone %s: ignoring a notification from pid %i, not the init.",
                                  s->plan->name, (int) pid);
                notify_message_done(&m);
        }
}

int supervisor_notify_attach(Supervisor *s, int fd) {
        s->notify_source = event_source_free(s->notify_source);
        return event_add_io(s->loop, fd, EPOLLIN, on_notify, s, &s->notify_source);
}
