/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pipes in place of the stdio of a zonectl shell command that are not pipes. See stdio-relay.h. */

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "macro.h"
#include "stdio-relay.h"

#define RELAY_BUFFER 65536

/* An anonymous pipe, not a FIFO of a file system (whose inode the zone could chmod). */
static bool fd_is_pipe(int fd) {
        struct statfs sfs;
        struct stat st;

        return fstat(fd, &st) >= 0 && S_ISFIFO(st.st_mode) && fstatfs(fd, &sfs) >= 0 &&
               sfs.f_type == PIPEFS_MAGIC;
}

int stdio_relay_prepare(StdioRelay *r) {
        *r = STDIO_RELAY_NULL;
        for (int i = 0; i < 3; i++) {
                int p[2];

                if (fd_is_pipe(i)) {
                        r->zone[i] = i;
                        continue;
                }
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                /* The command reads its stdin from p[0] and writes its output to p[1]. */
                r->zone[i] = i == 0 ? p[0] : p[1];
                r->ours[i] = i == 0 ? p[1] : p[0];
                if (fcntl(r->ours[i], F_SETFL, O_NONBLOCK) < 0)
                        return -errno;
        }
        return 0;
}

void stdio_relay_close_zone(StdioRelay *r) {
        for (int i = 0; i < 3; i++)
                if (r->ours[i] >= 0)
                        r->zone[i] = safe_close(r->zone[i]);
}

void stdio_relay_done(StdioRelay *r) {
        stdio_relay_close_zone(r);
        for (int i = 0; i < 3; i++)
                safe_close(r->ours[i]);
        *r = STDIO_RELAY_NULL;
}

/* One read of the command's fd i (1 or 2) passed on to ours; at its end, or when ours takes no
 * more (the command then gets EPIPE), the pipe is closed. */
static void pass_output(StdioRelay *r, int i, size_t max) {
        char buf[RELAY_BUFFER];
        ssize_t n = read(r->ours[i], buf, MIN(max, sizeof(buf)));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0 || loop_write(i, buf, (size_t) n) < 0)
                r->ours[i] = safe_close(r->ours[i]);
}

/* The command is gone: what it wrote before is in the pipes, and nothing after it is waited for
 * (a process it left behind may keep them open). */
static void drain_outputs(StdioRelay *r) {
        for (int i = 1; i < 3; i++) {
                int left = 0;

                if (r->ours[i] >= 0 && ioctl(r->ours[i], FIONREAD, &left) < 0)
                        left = 0;
                while (r->ours[i] >= 0 && left > 0) {
                        size_t chunk = MIN((size_t) left, (size_t) RELAY_BUFFER);

                        pass_output(r, i, chunk);
                        left -= (int) chunk;
                }
        }
}

typedef struct Input {
        bool open;
        char buf[RELAY_BUFFER];
        size_t start, len;
} Input;

static void stop_input(StdioRelay *r, Input *in) {
        in->open = false;
        in->start = in->len = 0;
        /* EOF for the command. */
        r->ours[0] = safe_close(r->ours[0]);
}

static void read_input(StdioRelay *r, Input *in) {
        ssize_t n = read(STDIN_FILENO, in->buf, sizeof(in->buf));

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n <= 0) {
                stop_input(r, in);
                return;
        }
        in->start = 0;
        in->len = (size_t) n;
}

static void write_input(StdioRelay *r, Input *in) {
        ssize_t n = write(r->ours[0], in->buf + in->start, in->len - in->start);

        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (n < 0) {
                stop_input(r, in); /* it closed its stdin */
                return;
        }
        in->start += (size_t) n;
        if (in->start == in->len)
                in->start = in->len = 0;
}

int stdio_relay_run(StdioRelay *r, int pidfd) {
        Input in = { .open = r->ours[0] >= 0 };

        for (;;) {
                bool pending = in.start < in.len;
                struct pollfd p[5] = {
                        { .fd = in.open && !pending ? STDIN_FILENO : -1, .events = POLLIN },
                        { .fd = pending ? r->ours[0] : -1, .events = POLLOUT },
                        { .fd = r->ours[1], .events = POLLIN },
                        { .fd = r->ours[2], .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                };

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (p[0].revents)
                        read_input(r, &in);
                if (p[1].revents)
                        write_input(r, &in);
                for (int i = 1; i < 3; i++)
                        if (p[i + 1].revents)
                                pass_output(r, i, RELAY_BUFFER);
                if (p[4].revents) {
                        drain_outputs(r);
                        return 0;
                }
        }
}
