/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The terminal of login, console and shell: our stdin/stdout on one side, a
 * pty master or a console stream on the other. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>

#include "cli-error.h"
#include "macro.h"
#include "pty-forward.h"

#define FORWARD_BUFFER 4096

static uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

bool pty_forward_escape_seen(EscapeState *s, const char *buf, size_t n, uint64_t now) {
        for (size_t i = 0; i < n; i++) {
                if (buf[i] != PTY_FORWARD_ESCAPE) {
                        s->count = 0;
                        continue;
                }
                if (s->count == 0 || now - s->first_usec > USEC_PER_SEC) {
                        s->count = 0;
                        s->first_usec = now;
                }
                if (++s->count >= PTY_FORWARD_ESCAPE_COUNT)
                        return true;
        }
        return false;
}

typedef struct Forward {
        int fd;
        int pidfd;
        int sigfd;
        PtyForwardFlags flags;
        bool stdin_open;
        char in[FORWARD_BUFFER]; /* from stdin, not yet written to fd: in[in_start..in_len) */
        size_t in_start, in_len;
        EscapeState escape;
} Forward;

static void copy_window_size(Forward *f) {
        struct winsize ws;

        if (!(f->flags & PTY_FORWARD_RESIZE))
                return;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
                return;
        (void) ioctl(f->fd, TIOCSWINSZ, &ws);
}

/* Copies what fd has to stdout. 1: fd is at its end; 0: would block. */
static int drain_remote(Forward *f) {
        char buf[FORWARD_BUFFER];

        for (;;) {
                ssize_t k = read(f->fd, buf, sizeof(buf));
                int r;

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == EIO) /* a pty master whose slave is closed everywhere */
                                return 1;
                        return -errno;
                }
                if (k == 0)
                        return 1;
                r = loop_write(STDOUT_FILENO, buf, (size_t) k);
                if (r < 0)
                        return r;
        }
}

/* Reads stdin into the buffer. Returns PTY_FORWARD_DETACHED, PTY_FORWARD_STDIN_EOF or 0. */
static int read_stdin(Forward *f) {
        ssize_t k = read(STDIN_FILENO, f->in, sizeof(f->in));

        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : -errno;
        if (k == 0) {
                f->stdin_open = false;
                return f->flags & PTY_FORWARD_EXIT_ON_EOF ? PTY_FORWARD_STDIN_EOF : 0;
        }
        f->in_start = 0;
        f->in_len = (size_t) k;
        if (pty_forward_escape_seen(&f->escape, f->in, f->in_len, now_usec()))
                return PTY_FORWARD_DETACHED;
        return 0;
}

/* Writes the buffer to fd, as far as it goes. */
static int write_remote(Forward *f) {
        while (f->in_start < f->in_len) {
                ssize_t k = write(f->fd, f->in + f->in_start, f->in_len - f->in_start);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == EIO || errno == EPIPE || errno == ECONNRESET)
                                return 1;
                        return -errno;
                }
                f->in_start += (size_t) k;
        }
        f->in_start = f->in_len = 0;
        return 0;
}

/* One round of poll: a PtyForwardResult when done, < 0 on errors, FORWARD_GO_ON otherwise. */
#define FORWARD_GO_ON 1000

static int forward_step(Forward *f) {
        bool pending = f->in_start < f->in_len;
        struct pollfd p[4] = {
                { .fd = f->fd, .events = POLLIN | (pending ? POLLOUT : 0) },
                { .fd = f->stdin_open && !pending ? STDIN_FILENO : -1, .events = POLLIN },
                { .fd = f->sigfd, .events = POLLIN },
                { .fd = f->pidfd, .events = POLLIN },
        };
        int r;

        if (poll(p, ELEMENTSOF(p), -1) < 0)
                return errno == EINTR ? FORWARD_GO_ON : -errno;
        if (p[2].revents) {
                struct signalfd_siginfo si;

                if (read(f->sigfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == SIGWINCH)
                                copy_window_size(f);
                        else
                                return PTY_FORWARD_SIGNALED;
                }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                r = drain_remote(f);
                if (r != 0)
                        return r < 0 ? r : PTY_FORWARD_HANGUP;
        }
        if (p[3].revents) {
                /* The process is gone: what it wrote is in the pty already. */
                r = drain_remote(f);
                return r < 0 ? r : PTY_FORWARD_EXITED;
        }
        if (p[1].revents) {
                r = read_stdin(f);
                if (r == PTY_FORWARD_STDIN_EOF) {
                        /* What has arrived is shown before we go. */
                        int k = drain_remote(f);
                        return k < 0 ? k : r;
                }
                if (r != 0)
                        return r;
        }
        if (f->in_start < f->in_len) {
                r = write_remote(f);
                if (r != 0)
                        return r < 0 ? r : PTY_FORWARD_HANGUP;
        }
        return FORWARD_GO_ON;
}

int pty_forward(int fd, int pidfd, PtyForwardFlags flags) {
        Forward f = { .fd = fd, .pidfd = pidfd, .sigfd = -EBADF, .flags = flags, .stdin_open = true };
        struct termios saved, raw;
        bool restore = false;
        sigset_t mask, old_mask;
        int r, fl;

        fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, &old_mask) < 0)
                return -errno;
        f.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (f.sigfd < 0) {
                r = -errno;
                goto finish;
        }
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) >= 0) {
                raw = saved;
                cfmakeraw(&raw);
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) >= 0)
                        restore = true;
        }
        copy_window_size(&f);

        do
                r = forward_step(&f);
        while (r == FORWARD_GO_ON);

finish:
        if (restore)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        safe_close(f.sigfd);
        (void) sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return r;
}

/* Forwards until the end and says how it ended. */
static int terminal_forward(const char *name, const char *what, int fd, PtyForwardFlags flags) {
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        int r;

        if (tty)
                fprintf(stderr, "Connected to %s of zone %s. Press ^] three times within 1s to detach.\n",
                        what, name);
        fflush(stderr);
        r = pty_forward(fd, -EBADF, flags);
        if (r < 0)
                return cli_error_errno(r, "lost %s of zone \"%s\": %m", what, name);
        if (tty)
                fprintf(stderr,
                        r == PTY_FORWARD_DETACHED ? "\nDetached from %s of zone %s.\n"
                                                  : "\nConnection to %s of zone %s closed.\n",
                        what, name);
        return EXIT_SUCCESS;
}

int zone_terminal_open(Client *c, const char *method, const char *name, const char *what,
                       PtyForwardFlags flags) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int copy = -EBADF;
        int r, fd;

        r = manager_call(c, method, &error, &reply, "s", name);
        if (r < 0)
                return cli_bus_error(&error, r, "cannot open %s of zone \"%s\"", what, name);
        /* The first value of the reply is the fd; the reply owns it. */
        r = sd_bus_message_read_basic(reply, 'h', &fd);
        if (r >= 0) {
                copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                if (copy < 0)
                        r = -errno;
        }
        if (r < 0)
                return cli_error_errno(r, "cannot read zoned's answer: %m");
        /* Nothing else is said on the bus. */
        client_close(c);
        return terminal_forward(name, what, copy, flags);
}
