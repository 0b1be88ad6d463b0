/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "console-clients.h"
#include "console.h"
#include "log.h"
#include "macro.h"

#define CONSOLE_READ_CHUNK 4096
/* Reads per wakeup, so a chatty zone cannot starve the control socket. */
#define CONSOLE_READS_PER_EVENT 16

void console_init(Console *c) {
        *c = (Console) { .log_fd = -EBADF, .slave_fd = -EBADF };
        console_queries_init(&c->queries, CONSOLE_DEFAULT_ROWS, CONSOLE_DEFAULT_COLUMNS);
}

int console_set_log(Console *c, const char *path, uint64_t max) {
        _cleanup_free_ char *dir = NULL;
        char *p, *slash;
        int r;

        p = strdup(path);
        if (!p)
                return -ENOMEM;
        dir = strdup(path);
        if (!dir) {
                free(p);
                return -ENOMEM;
        }
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                r = mkdir_parents_and_self(dir, 0755);
                if (r < 0) {
                        free(p);
                        return r;
                }
        }
        free(c->log_path);
        c->log_path = p;
        c->log_max = max;
        c->log_fd = safe_close(c->log_fd);
        return 0;
}

static int log_open_file(Console *c) {
        struct stat st;

        if (c->log_fd >= 0)
                return 0;
        c->log_fd = open(c->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
        if (c->log_fd < 0)
                return -errno;
        if (fstat(c->log_fd, &st) < 0)
                return -errno;
        c->log_size = (uint64_t) st.st_size;
        return 0;
}

static int log_rotate(Console *c) {
        _cleanup_free_ char *old = NULL;

        if (asprintf(&old, "%s.1", c->log_path) < 0)
                return -ENOMEM;
        c->log_fd = safe_close(c->log_fd);
        if (rename(c->log_path, old) < 0)
                return -errno;
        return log_open_file(c);
}

int console_log_write(Console *c, const char *data, size_t n) {
        int r;

        if (!c->log_path)
                return 0;
        while (n > 0) {
                size_t chunk = n;
                ssize_t k;

                r = log_open_file(c);
                if (r < 0)
                        return r;
                if (c->log_max > 0) {
                        if (c->log_size >= c->log_max) {
                                r = log_rotate(c);
                                if (r < 0)
                                        return r;
                        }
                        chunk = (size_t) MIN((uint64_t) n, c->log_max - c->log_size);
                }
                k = write(c->log_fd, data, chunk);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                c->log_size += (uint64_t) k;
                data += k;
                n -= (size_t) k;
        }
        return 0;
}

/* What the zone asks its terminal is answered by the client's terminal when one is attached, else
 * here: an init must not wait for answers from a console nobody watches. */
static void console_answer(Console *c, int master_fd, const char *buf, size_t n) {
        char answer[CONSOLE_QUERIES_ANSWER_MAX];
        size_t len = console_queries_scan(&c->queries, buf, n, answer);

        if (len > 0 && console_clients_count(c) == 0)
                (void) !write(master_fd, answer, len);
}

int console_watch_for(Console *c, const char *text) {
        char *t = NULL;

        if (text && (strlen(text) == 0 || strlen(text) >= CONSOLE_READY_TEXT_MAX))
                return -EINVAL;
        if (text && !(t = strdup(text)))
                return -ENOMEM;
        free(c->ready_text);
        c->ready_text = t;
        c->ready_tail_len = 0;
        c->ready_seen = false;
        return 0;
}

/* Whether the watched text is in what was read before (its last bytes) and buf. */
void console_look_for_ready(Console *c, const char *buf, size_t n) {
        size_t len, keep;
        char joined[2 * CONSOLE_READY_TEXT_MAX];

        if (!c->ready_text || c->ready_seen)
                return;
        len = strlen(c->ready_text);
        for (size_t done = 0; done < n && !c->ready_seen;) {
                size_t chunk = MIN(n - done, sizeof(joined) - c->ready_tail_len);

                memcpy(joined, c->ready_tail, c->ready_tail_len);
                memcpy(joined + c->ready_tail_len, buf + done, chunk);
                c->ready_seen = memmem(joined, c->ready_tail_len + chunk, c->ready_text, len) != NULL;
                keep = MIN(len - 1, c->ready_tail_len + chunk);
                memcpy(c->ready_tail, joined + c->ready_tail_len + chunk - keep, keep);
                c->ready_tail_len = keep;
                done += chunk;
        }
}

static void console_output(Console *c, const char *buf, size_t n) {
        int r = console_log_write(c, buf, n);

        console_look_for_ready(c, buf, n);
        if (r < 0 && !c->log_failed) {
                c->log_failed = true;
                log_warning_errno(r, "Failed to write console log %s, dropping console output: %m",
                                  c->log_path);
        } else if (r >= 0)
                c->log_failed = false;
        console_clients_output(c, buf, n);
}

/* Reads the master until it is empty. Returns -EIO when no slave is open. */
static int console_drain(Console *c, int fd, unsigned max_reads) {
        char buf[CONSOLE_READ_CHUNK];

        for (unsigned i = 0; i < max_reads; i++) {
                ssize_t k = read(fd, buf, sizeof(buf));

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                if (k == 0)
                        return -EIO;
                console_output(c, buf, (size_t) k);
                console_answer(c, fd, buf, (size_t) k);
        }
        return 0;
}

static int console_on_master(EventSource *s, int fd, uint32_t revents, void *userdata) {
        Console *c = userdata;
        int r;

        if (revents & EPOLLOUT)
                console_clients_input_ready(c, fd);
        if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                return 0;
        r = console_drain(c, fd, CONSOLE_READS_PER_EVENT);
        if (r != -EIO)
                return r;

        /* A vhangup() inside the zone hangs up our slave too: open a fresh one, or the master
         * would report a hangup (and wake us) forever. */
        safe_close(c->slave_fd);
        c->slave_fd = ioctl(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (c->slave_fd < 0) {
                r = -errno;
                (void) event_source_set_events(s, 0);
                c->n_input_pending = 0;
                return log_warning_errno(r, "Failed to reopen the console pty, no longer reading it: %m");
        }
        return 0;
}

int console_attach(Console *c, EventLoop *e, int master_fd) {
        int r, slave;

        if (fcntl(master_fd, F_SETFL, fcntl(master_fd, F_GETFL) | O_NONBLOCK) < 0)
                return -errno;
        slave = ioctl(master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        console_detach(c);
        console_queries_init(&c->queries, CONSOLE_DEFAULT_ROWS, CONSOLE_DEFAULT_COLUMNS);
        c->ready_tail_len = 0;
        c->ready_seen = false;
        c->loop = e;
        r = event_add_io(e, master_fd, EPOLLIN, console_on_master, c, &c->source);
        if (r < 0) {
                safe_close(slave);
                return r;
        }
        c->slave_fd = slave;
        return 0;
}

void console_detach(Console *c) {
        if (c->source)
                (void) console_drain(c, event_source_get_fd(c->source), UINT32_MAX);
        c->source = event_source_free(c->source);
        c->slave_fd = safe_close(c->slave_fd);
        /* Input held back for this console is dropped; the clients stay for the next boot. */
        console_clients_input_ready(c, -EBADF);
        c->n_input_pending = 0;
}

int console_want_output(Console *c, bool b) {
        if (!c->source)
                return 0;
        return event_source_set_events(c->source, b ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

void console_done(Console *c) {
        console_detach(c);
        console_clients_free(c);
        c->log_fd = safe_close(c->log_fd);
        free(c->log_path);
        c->log_path = NULL;
        free(c->ready_text);
        c->ready_text = NULL;
}
