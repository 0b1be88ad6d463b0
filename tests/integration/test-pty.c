/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Terminals into a busybox zone: the console (backlog, live output, input,
 * two clients at once, detaching), login over a pty of the zone with a user
 * and password made in the zone, shells on a pty through zonectl and through
 * OpenZoneShell, and exit statuses with and without a terminal. zonectl is
 * driven through real ptys, as a person at a terminal would use it. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"

#define EXPECT_TIMEOUT_MS 20000
#define CTRL_RBRACKET "\x1d"

/* A program on a terminal: the test holds the master. */
typedef struct PtyProc {
        pid_t pid;
        int master;
        GString *out;
        size_t seen; /* expect() looks for text after this offset */
        int status;  /* -1 while running */
} PtyProc;

static PtyProc *pty_proc_spawn(Harness *h, const char *first, ...) G_GNUC_NULL_TERMINATED;
static PtyProc *pty_proc_spawn(Harness *h, const char *first, ...) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) env = g_get_environ();
        struct winsize ws = { .ws_row = 30, .ws_col = 100 };
        PtyProc *p = g_new0(PtyProc, 1);
        const char *a;
        int slave;
        va_list ap;

        g_ptr_array_add(argv, (char *) g_getenv("ZONED_TEST_ZONECTL"));
        va_start(ap, first);
        for (a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(argv, (char *) a);
        va_end(ap);
        g_ptr_array_add(argv, NULL);
        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
        env = g_environ_setenv(env, "TERM", "vt100", TRUE);
        env = g_environ_unsetenv(env, "ZONED_RUNTIME_DIR");
        env = g_environ_unsetenv(env, "ZONED_ADDRESS");

        p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        g_assert_cmpint(p->master, >=, 0);
        g_assert_no_errno(grantpt(p->master));
        g_assert_no_errno(unlockpt(p->master));
        g_assert_no_errno(ioctl(p->master, TIOCSWINSZ, &ws));
        slave = open(ptsname(p->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
        g_assert_cmpint(slave, >=, 0);
        p->out = g_string_new(NULL);
        p->status = -1;
        p->pid = fork();
        g_assert_cmpint(p->pid, >=, 0);
        if (p->pid == 0) {
                sigset_t none;

                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 ||
                    dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
                        _exit(127);
                execve(argv->pdata[0], (char **) argv->pdata, env);
                _exit(127);
        }
        close(slave);
        return p;
}

/* Reads what is there, waiting up to timeout_ms. False at EOF/EIO. */
static bool pty_proc_read(PtyProc *p, int timeout_ms) {
        struct pollfd pfd = { .fd = p->master, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (poll(&pfd, 1, timeout_ms) <= 0)
                return true;
        n = read(p->master, buf, sizeof(buf));
        if (n <= 0)
                return n < 0 && errno == EINTR;
        g_string_append_len(p->out, buf, n);
        return true;
}

/* Waits for text in the output after what was already expected. */
static void pty_proc_expect(PtyProc *p, const char *text) {
        gint64 deadline = g_get_monotonic_time() + (gint64) EXPECT_TIMEOUT_MS * 1000;

        for (;;) {
                const char *hit = strstr(p->out->str + p->seen, text);

                if (hit) {
                        p->seen = (size_t) (hit - p->out->str) + strlen(text);
                        return;
                }
                if (g_get_monotonic_time() >= deadline || !pty_proc_read(p, 200))
                        g_error("did not see \"%s\" on the terminal; it showed:\n%s", text, p->out->str);
        }
}

static void pty_proc_send(PtyProc *p, const char *text) {
        g_assert_cmpint(write(p->master, text, strlen(text)), ==, (ssize_t) strlen(text));
}

/* Waits for the exit, reading the terminal meanwhile; returns the exit status. */
static int pty_proc_wait(PtyProc *p) {
        gint64 deadline = g_get_monotonic_time() + (gint64) EXPECT_TIMEOUT_MS * 1000;
        int status;

        while (waitpid(p->pid, &status, WNOHANG) == 0) {
                if (g_get_monotonic_time() >= deadline)
                        g_error("zonectl did not exit; the terminal showed:\n%s", p->out->str);
                (void) pty_proc_read(p, 50);
        }
        while (pty_proc_read(p, 0) && poll(&(struct pollfd) { .fd = p->master, .events = POLLIN }, 1, 0) > 0)
                ;
        p->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return p->status;
}

static void pty_proc_free(PtyProc *p) {
        if (p->status < 0) {
                (void) kill(p->pid, SIGKILL);
                (void) waitpid(p->pid, NULL, 0);
        }
        close(p->master);
        g_string_free(p->out, TRUE);
        g_free(p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtyProc, pty_proc_free)

static guint32 boot_busybox(Harness *h, const char *name) {
        g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_autofree char *path = NULL;
        guint32 leader;

        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, name, "bb", false);
        leader = harness_boot_zone(h, name);
        /* A poweroff at the end must find busybox init listening. */
        g_assert_true(harness_wait_init_started((pid_t) leader, EXPECT_TIMEOUT_MS));
        return leader;
}

/* ---- console ---- */

static void test_console(Harness *h, gconstpointer data) {
        g_autoptr(PtyProc) a = NULL, b = NULL;
        g_autofree char *state = NULL;

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        harness_zonectl_ok(h, NULL, "write MARK-ONE to the console", "shell", "z1", "--", "/bin/sh", "-c",
                           "echo MARK-ONE > /dev/console", NULL);

        /* Two clients: both get the backlog, then live output. */
        a = pty_proc_spawn(h, "console", "z1", NULL);
        pty_proc_expect(a, "Press ^] three times");
        pty_proc_expect(a, "MARK-ONE");
        b = pty_proc_spawn(h, "console", "z1", NULL);
        pty_proc_expect(b, "MARK-ONE");

        harness_zonectl_ok(h, NULL, "write MARK-TWO to the console", "shell", "z1", "--", "/bin/sh", "-c",
                           "echo MARK-TWO > /dev/console", NULL);
        pty_proc_expect(a, "MARK-TWO");
        pty_proc_expect(b, "MARK-TWO");

        /* Typed on one console, run by the zone's console shell, seen on both. */
        pty_proc_send(a, "echo TYPED-$((20+3))\r");
        pty_proc_expect(a, "TYPED-23");
        pty_proc_expect(b, "TYPED-23");

        /* Detaching one leaves the zone and the other client alone. */
        pty_proc_send(a, CTRL_RBRACKET CTRL_RBRACKET CTRL_RBRACKET);
        g_assert_cmpint(pty_proc_wait(a), ==, 0);
        g_assert_nonnull(strstr(a->out->str, "Detached"));
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        harness_zonectl_ok(h, NULL, "write MARK-THREE to the console", "shell", "z1", "--", "/bin/sh", "-c",
                           "echo MARK-THREE > /dev/console", NULL);
        pty_proc_expect(b, "MARK-THREE");

        /* A client stays attached across a reboot and sees the new boot. */
        harness_zonectl_ok(h, NULL, "zonectl reboot", "reboot", "z1", NULL);
        g_assert_true(harness_wait_init_started((pid_t) harness_zone_leader(h, "z1"), EXPECT_TIMEOUT_MS));
        harness_zonectl_ok(h, NULL, "write MARK-FOUR to the console", "shell", "z1", "--", "/bin/sh", "-c",
                           "echo MARK-FOUR > /dev/console", NULL);
        pty_proc_expect(b, "MARK-FOUR");
        pty_proc_send(b, CTRL_RBRACKET CTRL_RBRACKET CTRL_RBRACKET);
        g_assert_cmpint(pty_proc_wait(b), ==, 0);

        harness_poweroff_zone(h, "z1");
}

/* zonectl console on pipes, and OpenZoneConsole over D-Bus: a stream that reads the backlog (here,
 * with what the piped input made the console's shell print); it closes at poweroff. */
static void test_console_dbus(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) piped = { 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, bad = NULL;
        g_autoptr(GString) got = g_string_new(NULL);
        gint64 deadline;
        int fd = -1;

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        harness_zonectl_ok(h, NULL, "write MARK-DBUS to the console", "shell", "z1", "--", "/bin/sh", "-c",
                           "echo MARK-DBUS > /dev/console", NULL);
        /* zonectl without a terminal: stdin goes to the console, its end detaches. */
        harness_zonectl(h, &piped, "echo PIPED-$((3*3))\n", "console", "z1", NULL);
        harness_assert_run(&piped, 0, "zonectl console z1 < input");
        g_assert_nonnull(strstr(piped.out, "MARK-DBUS"));

        reply = harness_manager_call_fd(h, "OpenZoneConsole", g_variant_new("(s)", "z1"), "(h)", &fd,
                                        &error);
        g_assert_no_error(error);
        deadline = g_get_monotonic_time() + EXPECT_TIMEOUT_MS * 1000;
        while (!strstr(got->str, "PIPED-9")) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                if (poll(&p, 1, 200) <= 0)
                        continue;
                n = read(fd, buf, sizeof(buf));
                g_assert_cmpint(n, >, 0);
                g_string_append_len(got, buf, n);
        }
        /* Stopped zones have no console. */
        harness_poweroff_zone(h, "z1");
        bad = harness_manager_call_fd(h, "OpenZoneConsole", g_variant_new("(s)", "z1"), "(h)", &(int) { -1 },
                                      &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NotRunning");
        /* The stream ends with the supervisor. */
        for (;;) {
                char buf[4096];
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n <= 0)
                        break;
        }
        close(fd);
}

/* Reads fd until text shows up; false at EOF. */
static bool read_until(int fd, GString *got, const char *text) {
        gint64 deadline = g_get_monotonic_time() + EXPECT_TIMEOUT_MS * 1000;

        while (!strstr(got->str, text)) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[16384];
                ssize_t n;

                if (g_get_monotonic_time() >= deadline)
                        g_error("did not see \"%s\" on the console (%zu bytes read)", text, got->len);
                if (poll(&p, 1, 200) <= 0)
                        continue;
                n = read(fd, buf, sizeof(buf));
                g_assert_cmpint(n, >=, 0);
                if (n == 0)
                        return false;
                /* Only the tail matters, and the flood is large. */
                if (got->len > 65536)
                        g_string_erase(got, 0, got->len - 1024);
                g_string_append_len(got, buf, n);
        }
        return true;
}

/* A client that reads nothing does not hold up the zone or the other clients: it is cut off. */
static void test_console_slow(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) stalled = NULL, reader = NULL;
        g_autoptr(GString) fast_got = g_string_new(NULL), slow_got = g_string_new(NULL);
        g_autoptr(PtyProc) flood = NULL;
        int slow = -1, fast = -1;

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        stalled = harness_manager_call_fd(h, "OpenZoneConsole", g_variant_new("(s)", "z1"), "(h)", &slow,
                                          &error);
        g_assert_no_error(error);
        reader = harness_manager_call_fd(h, "OpenZoneConsole", g_variant_new("(s)", "z1"), "(h)", &fast,
                                         &error);
        g_assert_no_error(error);

        /* 2 MiB to the console, far more than a client may fall behind. */
        flood = pty_proc_spawn(h, "shell", "z1", "--", "/bin/sh", "-c",
                               "dd if=/dev/zero bs=64k count=32 2>/dev/null | tr '\\0' x > /dev/console; "
                               "echo; echo MARK-AFTER-FLOOD > /dev/console",
                               NULL);
        g_assert_true(read_until(fast, fast_got, "MARK-AFTER-FLOOD"));
        g_assert_cmpint(pty_proc_wait(flood), ==, 0);

        /* The stalled client got what fit, then its end was closed. */
        g_assert_false(read_until(slow, slow_got, "MARK-AFTER-FLOOD"));
        close(slow);
        close(fast);
        harness_zonectl_ok(h, NULL, "the zone still answers", "shell", "z1", "--", "/bin/true", NULL);
        harness_poweroff_zone(h, "z1");
}

/* ---- login ---- */

/* A user "alice" with the password "secret", made inside the zone. */
static void add_user(Harness *h, const char *zone) {
        harness_zonectl_ok(
                h, NULL, "add user alice", "shell", zone, "--", "/bin/sh", "-c",
                "set -e; mkdir -p /home/alice; chown 1000:1000 /home/alice; "
                "echo \"alice:$(mkpasswd -m sha512 secret):1000:1000:Alice:/home/alice:/bin/sh\" >> /etc/passwd; "
                "echo 'alice:x:1000:' >> /etc/group",
                NULL);
}

static void test_login(Harness *h, gconstpointer data) {
        g_autoptr(PtyProc) wrong = NULL, p = NULL;

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        add_user(h, "z1");

        /* A wrong password is refused. */
        wrong = pty_proc_spawn(h, "login", "z1", NULL);
        pty_proc_expect(wrong, "z1 login:");
        pty_proc_send(wrong, "alice\r");
        pty_proc_expect(wrong, "Password:");
        pty_proc_send(wrong, "guessed\r");
        pty_proc_expect(wrong, "Login incorrect");
        pty_proc_send(wrong, CTRL_RBRACKET CTRL_RBRACKET CTRL_RBRACKET);
        g_assert_cmpint(pty_proc_wait(wrong), ==, 0);

        p = pty_proc_spawn(h, "login", "z1", NULL);
        pty_proc_expect(p, "z1 login:");
        pty_proc_send(p, "alice\r");
        pty_proc_expect(p, "Password:");
        pty_proc_send(p, "secret\r");
        /* login may flush what was typed before the shell runs: wait for its prompt. */
        pty_proc_expect(p, "$ ");
        pty_proc_send(p, "echo LOGGED-$((40+2)) as $(id -un) on $(tty)\r");
        pty_proc_expect(p, "LOGGED-42 as alice on /dev/pts/");
        /* Logging out hangs the pty up: zonectl says so and exits 0. */
        pty_proc_send(p, "exit\r");
        g_assert_cmpint(pty_proc_wait(p), ==, 0);
        g_assert_nonnull(strstr(p->out->str, "closed"));

        harness_poweroff_zone(h, "z1");
}

/* OpenZoneLogin over D-Bus: the master of a pty of the zone with a prompt on it. */
static void test_login_dbus(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GString) got = g_string_new(NULL);
        const char *path = NULL;
        gint64 deadline;
        int fd = -1;

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        reply = harness_manager_call_fd(h, "OpenZoneLogin", g_variant_new("(s)", "z1"), "(hs)", &fd, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(h&s)", NULL, &path);
        g_assert_true(g_str_has_prefix(path, "/dev/pts/"));
        deadline = g_get_monotonic_time() + EXPECT_TIMEOUT_MS * 1000;
        while (!strstr(got->str, "z1 login:")) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                if (poll(&p, 1, 200) <= 0)
                        continue;
                n = read(fd, buf, sizeof(buf));
                g_assert_cmpint(n, >, 0);
                g_string_append_len(got, buf, n);
        }
        /* Closing the master hangs the getty up; the zone's init reaps it. */
        close(fd);

        /* Terminals are for root only. */
        for (const char *const *verb = (const char *const[]) { "login", "console", NULL }; *verb; verb++) {
                g_auto(HarnessRun) r = { 0 };

                harness_zonectl_full(h, &r,
                                     &(HarnessSpawn) { .argv = (const char *const[]) { *verb, "z1", NULL },
                                                       .as_nobody = true });
                harness_assert_run(&r, 1, "zonectl login/console as nobody");
                g_assert_nonnull(strstr(r.err, "access denied"));
        }
        harness_poweroff_zone(h, "z1");
}

/* ---- shells ---- */

static void test_shell_status(Harness *h, gconstpointer data) {
        g_autoptr(PtyProc) p = NULL, q = NULL, resize = NULL, detach = NULL;
        g_auto(HarnessRun) r = { 0 }, c = { 0 };

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        add_user(h, "z1");

        /* Without a terminal: pipes, the status, stdin arrives. */
        harness_zonectl(h, &r, NULL, "shell", "z1", "--", "sh", "-c", "exit 3", NULL);
        harness_assert_run(&r, 3, "zonectl shell z1 -- sh -c 'exit 3' (pipes)");
        harness_zonectl(h, &c, "piped line\n", "shell", "z1", "--", "sh", "-c",
                        "read x; test -t 0 || echo \"got [$x] on a pipe\"", NULL);
        harness_assert_run(&c, 0, "zonectl shell with piped stdin");
        g_assert_nonnull(strstr(c.out, "got [piped line] on a pipe"));

        /* On a terminal: a pty of the zone, the status all the same. */
        p = pty_proc_spawn(h, "shell", "z1", "--", "sh", "-c", "tty; exit 3", NULL);
        pty_proc_expect(p, "/dev/pts/");
        g_assert_cmpint(pty_proc_wait(p), ==, 3);

        /* The window size is the terminal's, and follows it (SIGWINCH). */
        resize = pty_proc_spawn(h, "shell", "z1", "--", "sh", "-c", "stty size; read x; stty size", NULL);
        pty_proc_expect(resize, "30 100");
        g_assert_no_errno(
                ioctl(resize->master, TIOCSWINSZ, &(struct winsize) { .ws_row = 42, .ws_col = 132 }));
        pty_proc_send(resize, "\r");
        pty_proc_expect(resize, "42 132");
        g_assert_cmpint(pty_proc_wait(resize), ==, 0);

        /* Detaching hangs the command up; its status says so. */
        detach = pty_proc_spawn(h, "shell", "z1", "--", "sh", "-c", "echo STARTED; exec sleep 1000", NULL);
        pty_proc_expect(detach, "STARTED");
        pty_proc_send(detach, CTRL_RBRACKET CTRL_RBRACKET CTRL_RBRACKET);
        g_assert_cmpint(pty_proc_wait(detach), ==, 128 + SIGHUP);
        g_assert_nonnull(strstr(detach->out->str, "Detached"));

        /* Typed input reaches an interactive shell, as the user, in the user's home. */
        q = pty_proc_spawn(h, "shell", "-u", "alice", "z1", NULL);
        pty_proc_send(q, "echo TYPED-$((2+2)) $(id -un) $PWD $HOME\r");
        pty_proc_expect(q, "TYPED-4 alice /home/alice /home/alice");
        pty_proc_send(q, "exit 7\r");
        g_assert_cmpint(pty_proc_wait(q), ==, 7);

        harness_poweroff_zone(h, "z1");
}

/* OpenZoneShell over D-Bus: argv, env and the user's environment on a pty of the zone. */
static void test_shell_dbus(Harness *h, gconstpointer data) {
        const char *argv[] = { "sh", "-c", "echo OUT-$((5*5)) $FOO $HOME $(id -un); sleep 1", NULL };
        const char *env[] = { "FOO=bar", NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, bad = NULL;
        g_autoptr(GString) got = g_string_new(NULL);
        gint64 deadline;
        int fd = -1;

        if (harness_skipped(h))
                return;
        boot_busybox(h, "z1");
        add_user(h, "z1");
        reply = harness_manager_call_fd(h, "OpenZoneShell",
                                        g_variant_new("(sss^as^as)", "z1", "alice", "/bin/sh", argv, env),
                                        "(hs)", &fd, &error);
        g_assert_no_error(error);
        deadline = g_get_monotonic_time() + EXPECT_TIMEOUT_MS * 1000;
        while (!strstr(got->str, "OUT-25 bar /home/alice alice")) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                if (g_get_monotonic_time() >= deadline)
                        g_error("OpenZoneShell: the pty showed:\n%s", got->str);
                if (poll(&p, 1, 200) <= 0)
                        continue;
                n = read(fd, buf, sizeof(buf));
                g_assert_cmpint(n, >, 0);
                g_string_append_len(got, buf, n);
        }
        close(fd);

        bad = harness_manager_call_fd(h, "OpenZoneShell",
                                      g_variant_new("(sss^as^as)", "z1", "nobody-here", "",
                                                    (const char *[]) { NULL }, (const char *[]) { NULL }),
                                      "(hs)", &fd, &error);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        harness_poweroff_zone(h, "z1");
}

/* ---- the same on a Debian systemd zone ---- */

/* The Debian bookworm rootfs of tests/fixtures (built once, cached), or NULL where it cannot be built. */
static void test_systemd(Harness *h, gconstpointer data) {
        g_autoptr(PtyProc) con = NULL, login = NULL, sh = NULL;
        g_autofree char *result = NULL, *path = NULL;
        const char *rootfs;

        if (harness_skipped(h))
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;
        result = harness_import_fs(h, rootfs, "deb", NULL);
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, "web", "deb", false);
        harness_boot_zone(h, "web");
        harness_zonectl_ok(h, NULL, "add user bob", "shell", "web", "--", "/bin/sh", "-c",
                           "useradd -m -s /bin/bash bob && echo bob:secret | chpasswd", NULL);

        /* The console's backlog is systemd's boot. */
        con = pty_proc_spawn(h, "console", "web", NULL);
        pty_proc_expect(con, "Welcome to");
        pty_proc_send(con, CTRL_RBRACKET CTRL_RBRACKET CTRL_RBRACKET);
        g_assert_cmpint(pty_proc_wait(con), ==, 0);

        /* agetty and login(1) of the zone, with PAM. */
        login = pty_proc_spawn(h, "login", "web", NULL);
        pty_proc_expect(login, "web login:");
        pty_proc_send(login, "bob\r");
        pty_proc_expect(login, "Password:");
        pty_proc_send(login, "secret\r");
        pty_proc_expect(login, "bob@web:~$ ");
        pty_proc_send(login, "echo LOGGED-$((40+2)) as $(id -un) on $(tty)\r");
        pty_proc_expect(login, "LOGGED-42 as bob on /dev/pts/");
        pty_proc_send(login, "exit\r");
        g_assert_cmpint(pty_proc_wait(login), ==, 0);

        sh = pty_proc_spawn(h, "shell", "web", "--", "sh", "-c", "exit 3", NULL);
        g_assert_cmpint(pty_proc_wait(sh), ==, 3);
        harness_poweroff_zone(h, "web");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/pty/console", test_console, HARNESS_ZONECTL);
        HARNESS_TEST("/pty/console-dbus", test_console_dbus, HARNESS_DEFAULT);
        HARNESS_TEST("/pty/console-slow", test_console_slow, HARNESS_ZONECTL);
        HARNESS_TEST("/pty/login", test_login, HARNESS_ZONECTL);
        HARNESS_TEST("/pty/login-dbus", test_login_dbus, HARNESS_ZONECTL);
        HARNESS_TEST("/pty/shell-status", test_shell_status, HARNESS_ZONECTL);
        HARNESS_TEST("/pty/shell-dbus", test_shell_dbus, HARNESS_DEFAULT);
        HARNESS_TEST("/pty/systemd", test_systemd, HARNESS_ZONECTL);
        return g_test_run();
}
