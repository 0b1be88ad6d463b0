/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "console-clients.h"
#include "control-proto.h"
#include "log.h"
#include "runtime-lock.h"
#include "signal-name.h"
#include "supervisor.h"
#include "zone-mounts.h"
#include "fd-pass.h"

static Client *client_free(Client *c) {
        if (!c)
                return NULL;
        event_source_free(c->source);
        free(c);
        return NULL;
}

/* Unlinks the client; one that is being served is freed by its handler when it returns. */
static void client_drop(Supervisor *s, Client *c) {
        for (Client **i = &s->clients; *i; i = &(*i)->next)
                if (*i == c) {
                        *i = c->next;
                        break;
                }
        c->next = NULL;
        if (c->busy)
                c->dead = true;
        else
                client_free(c);
}

/* STATUS= is one line: newlines the init or the kernel put in it become spaces. */
static void append_status(char *buf, size_t size, size_t *len, const char *status) {
        int k = snprintf(buf + *len, size - *len, "STATUS=");

        if (k < 0 || (size_t) k >= size - *len)
                return;
        *len += (size_t) k;
        for (const char *c = status; *c && *len + 2 < size; c++)
                buf[(*len)++] = *c == '\n' ? ' ' : *c;
        buf[(*len)++] = '\n';
        buf[*len] = 0;
}

int control_format_snapshot(const Supervisor *s, char *buf, size_t size) {
        size_t len;
        int k;

        k = snprintf(
                buf, size, "STATE=%s\nLEADER=%i\nSUPERVISOR=%i\nSINCE=%" PRIu64 "\nOOMKILLS=%" PRIu64 "\n",
                zone_state_to_string(s->state), (int) s->leader, (int) getpid(), s->since, s->oom_kills);
        if (k < 0 || (size_t) k >= size)
                return -ENOBUFS;
        len = (size_t) k;
        if (!isempty(s->status))
                append_status(buf, size, &len, s->status);
        if (s->proxy)
                len += port_proxy_format_errors(s->proxy, buf + len, size - len);
        return (int) len;
}

/* Returns -EAGAIN when the client's socket is full. */
static int client_send(Client *c, const char *msg, size_t len) {
        if (send(event_source_get_fd(c->source), msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                return -errno;
        return 0;
}

/* Returns <0 if the client is gone and must be dropped. */
static int client_send_snapshot(Client *c) {
        char buf[CONTROL_MESSAGE_MAX];
        int n, r;

        n = control_format_snapshot(c->supervisor, buf, sizeof(buf));
        if (n < 0)
                return n;
        r = client_send(c, buf, (size_t) n);
        if (r == -EAGAIN) {
                /* A snapshot is the whole state: the newest one is sent once the client reads. */
                c->snapshot_pending = true;
                return event_source_set_events(c->source, EPOLLIN | EPOLLOUT);
        }
        if (r < 0)
                return r;
        if (c->snapshot_pending) {
                c->snapshot_pending = false;
                return event_source_set_events(c->source, EPOLLIN);
        }
        return 0;
}

void control_broadcast(Supervisor *s) {
        Client *next;

        for (Client *c = s->clients; c; c = next) {
                next = c->next;
                if (client_send_snapshot(c) < 0)
                        client_drop(s, c);
        }
}

static int parse_kill(const char *msg, size_t len, bool *ret_all, int *ret_sig) {
        _cleanup_free_ char *whom = NULL, *sig = NULL;
        int r;

        r = control_message_get(msg, len, "WHOM", &whom);
        if (r < 0)
                return r == -ENOENT ? -EINVAL : r;
        r = control_message_get(msg, len, "SIGNAL", &sig);
        if (r < 0)
                return r == -ENOENT ? -EINVAL : r;
        if (!streq(whom, "leader") && !streq(whom, "all"))
                return -EINVAL;
        *ret_all = streq(whom, "all");
        *ret_sig = signal_from_string(sig);
        return *ret_sig < 0 ? -EINVAL : 0;
}

int control_handle_message(Supervisor *s, const char *msg, size_t len, char **ret_status) {
        _cleanup_free_ char *command = NULL;
        StopAction action;
        bool all;
        int r, sig;

        *ret_status = NULL;
        r = control_message_get(msg, len, "COMMAND", &command);
        if (r < 0) {
                *ret_status = strdup("Missing COMMAND=");
                return r == -ENOENT ? -EINVAL : r;
        }
        if (streq(command, "kill")) {
                r = parse_kill(msg, len, &all, &sig);
                if (r < 0) {
                        *ret_status = strdup("kill needs WHOM=leader|all and SIGNAL=1..SIGRTMAX");
                        return r;
                }
                r = supervisor_kill(s, all, sig);
        } else if (streq(command, "limits")) {
                r = supervisor_limits_set(s, msg, len, ret_status);
                if (r < 0 && !*ret_status && r == -ESRCH)
                        *ret_status = strdup("The zone is not running");
                return r;
        } else if (streq(command, "ports")) {
                return supervisor_ports_set(s, msg, len, ret_status);
        } else if (streq(command, "lxcfs")) {
                r = zone_mount_lxcfs_refresh(s->plan->lxcfs, s->leader);
                if (r < 0 && r != -ESRCH)
                        (void) asprintf(ret_status, "Cannot bind lxcfs' files into the zone: %s",
                                        strerror(-r));
        } else {
                action = stop_action_from_string(command);
                if (action == STOP_NONE) {
                        (void) asprintf(ret_status, "Unknown command \"%s\"", command);
                        return -EOPNOTSUPP;
                }
                log_info("Zone %s: %s requested.", s->plan->name, command);
                r = supervisor_request_stop(s, action);
        }
        if (r == -ESRCH)
                *ret_status = strdup("The zone's init is not running");
        return r;
}

static int client_reply(Client *c, int result, const char *status) {
        char reply[CONTROL_MESSAGE_MAX];
        int k;

        if (result < 0 && !isempty(status))
                k = snprintf(reply, sizeof(reply), "RESULT=%i\nSTATUS=%s\n", result, status);
        else
                k = snprintf(reply, sizeof(reply), "RESULT=%i\n", result);
        if (k < 0 || (size_t) k >= sizeof(reply))
                k = snprintf(reply, sizeof(reply), "RESULT=%i\n", result);
        /* A client that sends commands but reads nothing is dropped rather than queued for. */
        return client_send(c, reply, (size_t) k);
}

static bool is_console_command(const char *msg, size_t len) {
        _cleanup_free_ char *command = NULL;

        return control_message_get(msg, len, "COMMAND", &command) >= 0 && streq(command, "console");
}

/* COMMAND=console: a new console client; its socket goes back with the answer (SCM_RIGHTS). The
 * control socket is non-blocking: a full one drops the client, as for any answer. */
static int client_open_console(Client *c) {
        _cleanup_close_ int fd = -EBADF;
        char reply[64];
        int r;

        r = console_client_add(&c->supervisor->console, c->supervisor->loop, &fd);
        (void) snprintf(reply, sizeof(reply), "RESULT=%i\n", r < 0 ? r : 0);
        return fd_send(event_source_get_fd(c->source), reply, fd);
}

/* Returns <0 if the client must be dropped. */
static int client_on_message(Client *c) {
        _cleanup_free_ char *status = NULL;
        char buf[CONTROL_MESSAGE_MAX];
        ssize_t n;
        int r;

        n = recv(event_source_get_fd(c->source), buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0)
                return -ECONNRESET;

        if (is_console_command(buf, (size_t) n))
                return client_open_console(c);

        /* Handling may broadcast a snapshot, and a failed send drops a client: keep c alive. */
        c->busy = true;
        r = control_handle_message(c->supervisor, buf, (size_t) n, &status);
        c->busy = false;
        if (c->dead)
                return -ECONNRESET;
        return client_reply(c, r, status);
}

static int on_client(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Client *c = userdata;
        Supervisor *s = c->supervisor;
        int r = 0;

        if (revents & EPOLLIN)
                r = client_on_message(c);
        if (r >= 0 && !c->dead && (revents & EPOLLOUT))
                r = client_send_snapshot(c);
        /* EPOLLHUP with EPOLLIN set is read first: the last command still gets its answer. */
        if (r >= 0 && !c->dead && (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLIN))
                r = -ECONNRESET;
        if (r < 0 || c->dead) {
                if (r != -ECONNRESET && r != -EPIPE)
                        log_debug_errno(r, "Dropping control client: %m");
                client_drop(s, c);
        }
        return 0;
}

int control_add_client(Supervisor *s, int fd) {
        Client *c;
        int r;

        c = new0(Client, 1);
        if (!c)
                return -ENOMEM;
        c->supervisor = s;
        r = event_add_io(s->loop, fd, EPOLLIN, on_client, c, &c->source);
        if (r < 0) {
                free(c);
                return r;
        }
        c->next = s->clients;
        s->clients = c;
        r = client_send_snapshot(c);
        if (r < 0) {
                /* fd is the source's now: dropping closes it; the caller must not. */
                client_drop(s, c);
                return 0;
        }
        return 0;
}

static int on_listen(EventSource *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                        return 0;
                return log_warning_errno(errno, "Failed to accept a control connection: %m");
        }
        r = control_add_client(s, cfd);
        if (r < 0) {
                safe_close(cfd);
                return log_warning_errno(r, "Failed to add a control client: %m");
        }
        return 0;
}

/* A supervisor still answering on the socket means this zone is running already. */
static int socket_in_use(const struct sockaddr_un *sa, socklen_t salen) {
        _cleanup_close_ int fd = -EBADF;

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *) sa, salen) >= 0)
                return 1;
        return errno == ECONNREFUSED || errno == ENOENT ? 0 : -errno;
}

int control_listen(Supervisor *s) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *path = NULL;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t salen;
        mode_t old_umask;
        int r;

        r = mkdir_parents_and_self(s->plan->runtime_dir, 0755);
        if (r < 0)
                return r;
        /* The directory is ours while we live: zoned removes it only once it has the lock. */
        r = runtime_dir_lock(s->plan->runtime_dir, &s->runtime_lock_fd);
        if (r == -EBUSY)
                return -EADDRINUSE;
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/" CONTROL_SOCKET_NAME, s->plan->runtime_dir) < 0)
                return -ENOMEM;
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(sa.sun_path) + 1);

        r = socket_in_use(&sa, salen);
        if (r < 0)
                return r;
        if (r > 0)
                return -EADDRINUSE;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        old_umask = umask(0077); /* the socket is born 0600 */
        r = bind(fd, (struct sockaddr *) &sa, salen) < 0 ? -errno : 0;
        umask(old_umask);
        if (r < 0)
                return r;
        /* From here on the path is ours to unlink. */
        s->control_path = TAKE_PTR(path);
        if (listen(fd, SOMAXCONN) < 0)
                return -errno;
        r = event_add_io(s->loop, fd, EPOLLIN, on_listen, s, &s->listen_source);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        return 0;
}

void control_close(Supervisor *s) {
        /* Unlink first: once the clients see EOF, zoned may start a new
         * supervisor whose socket has the same path. */
        if (s->control_path)
                (void) unlink(s->control_path);
        s->listen_source = event_source_free(s->listen_source);
        while (s->clients)
                client_drop(s, s->clients);
}
