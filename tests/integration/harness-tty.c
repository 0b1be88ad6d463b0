/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zonectl on a terminal of the test's own, as a user at a shell runs it: what a zone can do to
 * the terminal of whoever entered it (TIOCSTI types into the shell that reads it next). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"

#define HARNESS_TTY_TIMEOUT_MS 60000

/* zonectl's argv (first... up to NULL) and environment, built before fork(): the test has threads. */
GPtrArray *harness_zonectl_argv(const char *first, va_list ap) {
        GPtrArray *argv = g_ptr_array_new();

        g_ptr_array_add(argv, (char *) g_getenv("ZONED_TEST_ZONECTL"));
        for (const char *a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(argv, (char *) a);
        g_ptr_array_add(argv, NULL);
        return argv;
}

char **harness_zonectl_environ(Harness *h) {
        char **env = g_get_environ();

        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
        env = g_environ_setenv(env, "TERM", "vt100", TRUE);
        env = g_environ_unsetenv(env, "ZONED_RUNTIME_DIR");
        return g_environ_unsetenv(env, "ZONED_ADDRESS");
}

/* zonectl on a terminal of the test: */

void harness_tty_run_clear(HarnessTtyRun *t) {
        if (t->shown)
                g_string_free(t->shown, TRUE);
        g_free(t->typed);
}

/* The session leader (async-signal-safe only: the test has threads): runs zonectl on the terminal,
 * then reads what is left in the terminal's input, as the shell that ran zonectl would, and hands
 * it to the test on report. */
static _Noreturn void tty_session(const char *slave_path, int out_fd, int report, char **argv, char **env) {
        char buf[4096];
        int slave, status;
        ssize_t n;
        pid_t pid;

        if (setsid() < 0)
                _exit(120);
        /* Without O_NOCTTY: the session's controlling terminal. */
        slave = open(slave_path, O_RDWR);
        if (slave < 0)
                _exit(121);
        pid = fork();
        if (pid < 0)
                _exit(122);
        if (pid == 0) {
                if (dup2(slave, 0) < 0 || dup2(out_fd >= 0 ? out_fd : slave, 1) < 0 || dup2(slave, 2) < 0)
                        _exit(123);
                execve(argv[0], argv, env);
                _exit(124);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(125);
        if (fcntl(slave, F_SETFL, O_NONBLOCK) < 0)
                _exit(126);
        while ((n = read(slave, buf, sizeof(buf))) > 0)
                if (write(report, buf, (size_t) n) != n)
                        _exit(127);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

void harness_zonectl_on_tty(Harness *h, int out_fd, HarnessTtyRun *ret, const char *first, ...) {
        g_autoptr(GPtrArray) argv = NULL;
        g_auto(GStrv) env = harness_zonectl_environ(h);
        g_autoptr(GString) typed = g_string_new(NULL);
        struct winsize ws = { .ws_row = 24, .ws_col = 80 };
        gint64 deadline = g_get_monotonic_time() + (gint64) HARNESS_TTY_TIMEOUT_MS * 1000;
        int master, report[2], status;
        const char *slave_path;
        struct stat st;
        va_list ap;
        pid_t pid;

        va_start(ap, first);
        argv = harness_zonectl_argv(first, ap);
        va_end(ap);

        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        g_assert_cmpint(master, >=, 0);
        g_assert_no_errno(grantpt(master));
        g_assert_no_errno(unlockpt(master));
        g_assert_no_errno(ioctl(master, TIOCSWINSZ, &ws));
        slave_path = ptsname(master);
        g_assert_nonnull(slave_path);
        g_assert_no_errno(stat(slave_path, &st));
        g_assert_no_errno(pipe2(report, O_CLOEXEC));
        *ret = (HarnessTtyRun) { .status = -1, .tty = st.st_rdev, .shown = g_string_new(NULL) };

        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
                tty_session(slave_path, out_fd, report[1], (char **) argv->pdata, env);
        close(report[1]);
        /* The terminal is read all along: zonectl must never block on it. */
        for (;;) {
                struct pollfd p = { .fd = master, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                if (waitpid(pid, &status, WNOHANG) == pid)
                        break;
                if (g_get_monotonic_time() > deadline) {
                        (void) kill(pid, SIGKILL);
                        g_error("zonectl on a terminal did not finish; it showed:\n%s", ret->shown->str);
                }
                if (poll(&p, 1, 50) > 0 && (n = read(master, buf, sizeof(buf))) > 0)
                        g_string_append_len(ret->shown, buf, n);
        }
        for (;;) {
                char buf[4096];
                ssize_t n = read(report[0], buf, sizeof(buf));

                if (n <= 0)
                        break;
                g_string_append_len(typed, buf, n);
        }
        close(report[0]);
        close(master);
        ret->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        ret->typed = g_string_free(g_steal_pointer(&typed), FALSE);
}

/* The attacker's "WHAT tty=T rdev=MAJ:MIN" line: the device number, 0 if not a tty or not there. */
static dev_t reported_tty(const char *report, const char *what) {
        g_autofree char *key = g_strconcat(what, " tty=", NULL);
        const char *l = strstr(report, key);
        unsigned tty = 0, maj = 0, min = 0;

        if (!l)
                return 0;
        g_assert_cmpint(sscanf(l + strlen(key), "%u rdev=%u:%u", &tty, &maj, &min), ==, 3);
        return tty ? makedev(maj, min) : 0;
}

void harness_assert_not_typed(const HarnessTtyRun *t, const char *report, const char *mark,
                              const char *what) {
        if (strstr(t->typed, mark))
                g_error("%s: the zone typed into the host's terminal, which then read:\n%s\nthe command said:\n%s",
                        what, t->typed, report);
        g_assert_nonnull(strstr(report, "fd0 tty="));
        if (reported_tty(report, "fd0") == t->tty)
                g_error("%s: the command's stdin is the host's terminal (%u:%u):\n%s", what, major(t->tty),
                        minor(t->tty), report);
        if (reported_tty(report, "devtty") == t->tty)
                g_error("%s: the command opened the host's terminal as /dev/tty:\n%s", what, report);
}
