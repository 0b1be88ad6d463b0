/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "console-clients.h"
#include "log.h"
#include "macro.h"

#define CONSOLE_CLIENT_READ 4096

struct ConsoleClient {
        Console *console;
        EventSource *source; /* owns our end of the socketpair */
        char *out;           /* queued output: out[out_start..out_len) */
        size_t out_start, out_len;
        char in[CONSOLE_CLIENT_READ]; /* input the master did not take yet: in[in_start..in_len) */
        size_t in_start, in_len;
        ConsoleClient *next;
};

unsigned console_clients_count(const Console *c) {
        unsigned n = 0;

        for (ConsoleClient *i = c->clients; i; i = i->next)
                n++;
        return n;
}

static void client_free(ConsoleClient *cl) {
        Console *c = cl->console;

        for (ConsoleClient **i = &c->clients; *i; i = &(*i)->next)
                if (*i == cl) {
                        *i = cl->next;
                        break;
                }
        if (cl->in_len > cl->in_start && c->n_input_pending > 0 && --c->n_input_pending == 0)
                (void) console_want_output(c, false);
        event_source_free(cl->source);
        free(cl->out);
        free(cl);
}

void console_clients_free(Console *c) {
        while (c->clients)
                client_free(c->clients);
}

static uint32_t client_events(const ConsoleClient *cl) {
        uint32_t e = 0;

        /* Input waits while the console has not taken the last chunk. */
        if (cl->in_len == cl->in_start)
                e |= EPOLLIN;
        if (cl->out_len > cl->out_start)
                e |= EPOLLOUT;
        return e;
}

/* Sends what is queued. Returns <0 if the client is gone. */
static int client_flush(ConsoleClient *cl) {
        while (cl->out_len > cl->out_start) {
                ssize_t k = send(event_source_get_fd(cl->source), cl->out + cl->out_start,
                                 cl->out_len - cl->out_start, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        return -errno;
                }
                cl->out_start += (size_t) k;
        }
        if (cl->out_start == cl->out_len)
                cl->out_start = cl->out_len = 0;
        return event_source_set_events(cl->source, client_events(cl));
}

/* Queues output. -ENOBUFS if the client is that far behind. */
static int client_queue(ConsoleClient *cl, const char *buf, size_t n) {
        size_t queued = cl->out_len - cl->out_start;
        char *p;

        if (queued + n > CONSOLE_CLIENT_QUEUE_MAX)
                return -ENOBUFS;
        if (cl->out_start > 0) {
                memmove(cl->out, cl->out + cl->out_start, queued);
                cl->out_start = 0;
                cl->out_len = queued;
        }
        p = realloc(cl->out, queued + n);
        if (!p)
                return -ENOMEM;
        cl->out = p;
        memcpy(cl->out + cl->out_len, buf, n);
        cl->out_len += n;
        return client_flush(cl);
}

void console_clients_output(Console *c, const char *buf, size_t n) {
        ConsoleClient *next;

        for (ConsoleClient *cl = c->clients; cl; cl = next) {
                int r;

                next = cl->next;
                r = client_queue(cl, buf, n);
                if (r == -ENOBUFS)
                        log_warning("Console client too slow (%u KiB behind), disconnecting it.",
                                    CONSOLE_CLIENT_QUEUE_MAX / 1024U);
                if (r < 0)
                        client_free(cl);
        }
}

/* Writes held-back input to the master. Returns 1 when all of it went, 0 when the pty is full. */
static int client_push_input(ConsoleClient *cl, int master_fd) {
        while (cl->in_len > cl->in_start) {
                ssize_t k;

                if (master_fd < 0) {
                        /* Between two boots there is no console: input is dropped. */
                        cl->in_start = cl->in_len;
                        break;
                }
                k = write(master_fd, cl->in + cl->in_start, cl->in_len - cl->in_start);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        cl->in_start = cl->in_len; /* EIO: nobody has the console open */
                        break;
                }
                cl->in_start += (size_t) k;
        }
        cl->in_start = cl->in_len = 0;
        return 1;
}

void console_clients_input_ready(Console *c, int master_fd) {
        ConsoleClient *next;

        for (ConsoleClient *cl = c->clients; cl; cl = next) {
                next = cl->next;
                if (cl->in_len == cl->in_start || client_push_input(cl, master_fd) == 0)
                        continue;
                if (c->n_input_pending > 0 && --c->n_input_pending == 0)
                        (void) console_want_output(c, false);
                if (event_source_set_events(cl->source, client_events(cl)) < 0)
                        client_free(cl);
        }
}

static int client_read_input(ConsoleClient *cl) {
        Console *c = cl->console;
        ssize_t k;

        k = recv(event_source_get_fd(cl->source), cl->in, sizeof(cl->in), MSG_DONTWAIT);
        if (k < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (k == 0)
                return -ECONNRESET;
        cl->in_start = 0;
        cl->in_len = (size_t) k;
        if (client_push_input(cl, event_source_get_fd(c->source)) > 0)
                return 0;
        if (c->n_input_pending++ == 0)
                (void) console_want_output(c, true);
        return event_source_set_events(cl->source, client_events(cl));
}

static int on_client(EventSource *s, int fd, uint32_t revents, void *userdata) {
        ConsoleClient *cl = userdata;
        int r = 0;

        if (revents & EPOLLIN)
                r = client_read_input(cl);
        if (r >= 0 && (revents & EPOLLOUT))
                r = client_flush(cl);
        if (r >= 0 && (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLIN))
                r = -ECONNRESET;
        if (r < 0) {
                if (r != -ECONNRESET && r != -EPIPE)
                        log_debug_errno(r, "Dropping console client: %m");
                client_free(cl);
        }
        return 0;
}

/* The last max bytes of path, appended to *buf. */
static int read_tail(const char *path, size_t max, char **buf, size_t *size) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        size_t want;
        off_t start;
        char *p;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        want = (size_t) MIN((uint64_t) st.st_size, (uint64_t) max);
        start = st.st_size - (off_t) want;
        p = realloc(*buf, *size + want + 1);
        if (!p)
                return -ENOMEM;
        *buf = p;
        while (want > 0) {
                ssize_t k = pread(fd, p + *size, want, start);
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                *size += (size_t) k;
                start += k;
                want -= (size_t) k;
        }
        return 0;
}

int console_backlog_read(const Console *c, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *old = NULL, *buf = NULL, *cur = NULL;
        size_t n_cur = 0, n = 0;
        const char *nl;
        int r;

        *ret = NULL;
        *ret_size = 0;
        if (!c->log_path)
                return 0;
        r = read_tail(c->log_path, max, &cur, &n_cur);
        if (r < 0)
                return r;
        if (n_cur < max) {
                if (asprintf(&old, "%s.1", c->log_path) < 0)
                        return -ENOMEM;
                r = read_tail(old, max - n_cur, &buf, &n);
                if (r < 0)
                        return r;
        }
        if (n_cur > 0) {
                char *p = realloc(buf, n + n_cur);
                if (!p)
                        return -ENOMEM;
                buf = p;
                memcpy(buf + n, cur, n_cur);
                n += n_cur;
        }
        if (n == 0)
                return 0;
        /* Cut in the middle of a line (or an escape sequence): start at the next line. */
        nl = n >= max ? memchr(buf, '\n', n) : NULL;
        if (nl) {
                size_t skip = (size_t) (nl - buf) + 1;
                memmove(buf, buf + skip, n - skip);
                n -= skip;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

int console_client_add(Console *c, EventLoop *e, int *ret_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        _cleanup_free_ char *backlog = NULL;
        ConsoleClient *cl;
        size_t n = 0;
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        if (fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK) < 0)
                return -errno;
        /* A missing or unreadable log only means no history. */
        r = console_backlog_read(c, CONSOLE_BACKLOG_MAX, &backlog, &n);
        if (r < 0)
                log_debug_errno(r, "Failed to read the console log %s: %m", c->log_path);

        cl = new0(ConsoleClient, 1);
        if (!cl)
                return -ENOMEM;
        cl->console = c;
        r = event_add_io(e, pair[0], EPOLLIN, on_client, cl, &cl->source);
        if (r < 0) {
                free(cl);
                return r;
        }
        pair[0] = -EBADF;
        cl->next = c->clients;
        c->clients = cl;
        if (n > 0) {
                r = client_queue(cl, backlog, n);
                if (r < 0) {
                        client_free(cl);
                        return r;
                }
        }
        *ret_fd = TAKE_FD(pair[1]);
        return 0;
}
