/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Root in a zone attacks what enters the zone from the host: zonectl shell (on pipes, as another
 * user, on a terminal) and zoned's OpenZoneShell and OpenZoneLogin. zone-attacker, a static
 * program in the zone's tree, catches every new process of the zone as it shows up in /proc and
 * tries the host's root through /proc/PID/root (to write a host file), the host's fds through
 * pidfd_getfd(), and ptrace. The host file must stay as it was, and nothing of the host may be
 * reached. Then what zonectl hands to the command: a host directory or file as its stdio would
 * be a way out (a host terminal would be one into the shell that ran zonectl: test-escape's
 * /escape/tiocsti). */

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

#include <glib/gstdio.h>

#include "harness.h"

#define ATTACKER "/usr/bin/zone-attacker"
#define ROUNDS 8
#define HOST_TEXT "the host's own file\n"

/* The busybox tree with zone-attacker in it, as template "bb"; zone name booted from it. */
static void boot_attacker_zone(Harness *h, const char *name) {
        g_autofree char *tree = g_build_filename(h->tmpdir, "tree", NULL);
        g_autofree char *dest = g_build_filename(tree, ATTACKER, NULL), *program = NULL, *result = NULL,
                        *path = NULL;
        g_auto(HarnessRun) cp = { 0 };
        const char *attacker = g_getenv("ZONED_TEST_ATTACKER");
        gsize size = 0;
        guint32 leader;

        g_assert_nonnull(attacker);
        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  tree, NULL } },
                &cp);
        harness_assert_run(&cp, 0, "cp -a the busybox rootfs");
        g_assert_true(g_file_get_contents(attacker, &program, &size, NULL));
        g_assert_true(g_file_set_contents(dest, program, (gssize) size, NULL));
        g_assert_no_errno(chmod(dest, 0755));

        result = harness_import_fs(h, tree, "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, name, "bb", false);
        leader = harness_boot_zone(h, name);
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
}

/* ---- the attack ---- */

static void enter_through_zoned(Harness *h, const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) shell = NULL, login = NULL;
        int fd = -1;

        shell = harness_manager_call_fd(h, "OpenZoneShell",
                                        g_variant_new("(sss^as^as)", name, "root", "/bin/true",
                                                      (const char *[]) { NULL }, (const char *[]) { NULL }),
                                        "(hs)", &fd, &error);
        g_assert_no_error(error);
        close(fd);
        login = harness_manager_call_fd(h, "OpenZoneLogin", g_variant_new("(s)", name), "(hs)", &fd, &error);
        g_assert_no_error(error);
        /* The getty is hung up and goes. */
        close(fd);
}

static void enter_through_zonectl(Harness *h, const char *name) {
        g_auto(HarnessTtyRun) tty = { 0 };

        harness_zonectl_ok(h, NULL, "zonectl shell on pipes", "shell", name, "--", "/bin/true", NULL);
        harness_zonectl_ok(h, "input\n", "zonectl shell -u nobody", "shell", "-u", "nobody", name, "--",
                           "/bin/cat", NULL);
        harness_zonectl_on_tty(h, -1, &tty, "shell", name, "--", "/bin/true", NULL);
        if (tty.status != 0)
                g_error("zonectl shell on a terminal: exit status %d; it showed:\n%s", tty.status,
                        tty.shown->str);
}

static unsigned log_count(const char *log, const char *key) {
        g_autofree char *k = g_strconcat(" ", key, "=", NULL);
        const char *done = strstr(log, "DONE "), *p = done ? strstr(done, k) : NULL;

        return p ? (unsigned) strtoul(p + strlen(k), NULL, 10) : 0;
}

static void test_unreachable(Harness *h, gconstpointer data) {
        g_autofree char *target = NULL, *after = NULL;
        g_auto(HarnessRun) log = { 0 };

        if (harness_skipped(h))
                return;
        /* World-writable: a zone whose root is not the host's root must not write it either. */
        target = g_build_filename(h->tmpdir, "host-file", NULL);
        harness_write_file(target, HOST_TEXT, 0666);
        boot_attacker_zone(h, "z1");

        harness_zonectl_ok(h, NULL, "start the attacker", "shell", "z1", "--", ATTACKER, "watch", target,
                           "/tmp/attack.log", "/tmp/attack.stop", NULL);
        /* Something that stays a while, once the attacker watches (it says READY when it does): the
         * attacker must reach what is the zone's own. */
        harness_zonectl_ok(h, NULL, "wait for the attacker", "shell", "z1", "--", "/bin/sh", "-c",
                           "while ! grep -q ^READY /tmp/attack.log 2>/dev/null; do sleep 1; done", NULL);
        harness_zonectl_ok(h, NULL, "a command that stays", "shell", "z1", "--", "/bin/sleep", "1", NULL);
        for (int i = 0; i < ROUNDS; i++) {
                enter_through_zonectl(h, "z1");
                enter_through_zoned(h, "z1");
        }
        harness_zonectl_ok(h, NULL, "stop the attacker", "shell", "z1", "--", "/bin/touch",
                           "/tmp/attack.stop", NULL);
        harness_zonectl(h, &log, NULL, "shell", "z1", "--", "/bin/sh", "-c",
                        "while ! grep -q ^DONE /tmp/attack.log; do sleep 1; done; cat /tmp/attack.log",
                        NULL);
        harness_assert_run(&log, 0, "read the attacker's log");
        g_test_message("the attacker's log:\n%s", log.out);

        g_assert_true(g_file_get_contents(target, &after, NULL, NULL));
        if (!g_str_equal(after, HOST_TEXT))
                g_error("the zone wrote to the host's %s:\n%s\nthe attacker's log:\n%s", target, after,
                        log.out);
        if (strstr(log.out, "BAD "))
                g_error("the zone reached the host through what entered it:\n%s", log.out);
        /* The attack ran all along and reached the zone's own processes: it could have seen more. */
        g_assert_cmpuint(log_count(log.out, "seen"), >=, ROUNDS);
        g_assert_cmpuint(log_count(log.out, "attached"), >=, ROUNDS);
        g_assert_cmpuint(log_count(log.out, "fds"), >, 0);
        harness_poweroff_zone(h, "z1");
}

/* ---- stdio that is not a pipe ---- */

/* zonectl ARGS with these fds as its stdin, stdout and stderr; returns its exit status. */
static int zonectl_with_fds(Harness *h, int in, int out, int err, const char *first,
                            ...) G_GNUC_NULL_TERMINATED;
static int zonectl_with_fds(Harness *h, int in, int out, int err, const char *first, ...) {
        g_autoptr(GPtrArray) argv = NULL;
        g_auto(GStrv) env = harness_zonectl_environ(h);
        int status;
        va_list ap;
        pid_t pid;

        va_start(ap, first);
        argv = harness_zonectl_argv(first, ap);
        va_end(ap);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
                        _exit(120);
                execve(argv->pdata[0], (char **) argv->pdata, env);
                _exit(121);
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* zonectl shell z1 -- CMD < DIR > FILE: a directory of the host as the command's stdin would be a
 * way out of the zone (through /proc/self/fd/0/...), a file of the host one to chmod it. */
static void test_stdio(Harness *h, gconstpointer data) {
        static const char escape[] = "ls -l /proc/self/fd/0 /proc/self/fd/1; "
                                     "echo written from the zone >> /proc/self/fd/0/host-file; "
                                     "chmod 4777 /proc/self/fd/1; echo done";
        g_autofree char *target = NULL, *after = NULL, *out_path = NULL, *said = NULL;
        int dir, out, status;

        if (harness_skipped(h))
                return;
        target = g_build_filename(h->tmpdir, "host-file", NULL);
        harness_write_file(target, HOST_TEXT, 0666);
        out_path = g_build_filename(h->tmpdir, "stdio.out", NULL);
        boot_attacker_zone(h, "z1");

        dir = open(h->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(dir, >=, 0);
        out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        g_assert_cmpint(out, >=, 0);
        status = zonectl_with_fds(h, dir, out, out, "shell", "z1", "--", "/bin/sh", "-c", escape, NULL);
        close(dir);
        close(out);
        g_assert_true(g_file_get_contents(out_path, &said, NULL, NULL));
        g_test_message("the command said:\n%s", said);
        g_assert_true(g_file_get_contents(target, &after, NULL, NULL));
        if (!g_str_equal(after, HOST_TEXT))
                g_error("the zone wrote to the host's %s through its stdin:\n%s", target, after);
        g_assert_cmpint(status, ==, 0);
        g_assert_nonnull(strstr(said, "done"));
        /* The command had pipes, not the host's directory and file. */
        if (strstr(said, h->tmpdir))
                g_error("the command got a directory or file of the host as its stdio:\n%s", said);
        g_assert_cmpint(g_access(out_path, X_OK), !=, 0);
        harness_poweroff_zone(h, "z1");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/enter/unreachable", test_unreachable, HARNESS_ZONECTL);
        HARNESS_TEST("/enter/stdio", test_stdio, HARNESS_ZONECTL);
        return g_test_run();
}
