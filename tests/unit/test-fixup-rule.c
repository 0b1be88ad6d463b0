/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fixup-rule.c and stop-prepare.c on a tree of files: each verb does what zoned.brand(5) says,
 * a second run changes nothing, a symlink in the tree never leads out of it, and a rule that
 * is not one is refused with its reason. */

#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixup-rule.h"
#include "macro.h"
#include "stop-prepare.h"

static char *tmpdir;

static char *tree_path(const char *root, const char *rel) {
        return g_build_filename(root, rel, NULL);
}

static void put(const char *root, const char *rel, const char *text) {
        g_autofree char *p = tree_path(root, rel), *dir = g_path_get_dirname(p);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(p, text, -1, NULL));
}

static char *get(const char *root, const char *rel) {
        g_autofree char *p = tree_path(root, rel);
        char *text = NULL;

        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        return text;
}

/* Applies line to the tree twice: the first time returns want, the second time 0. */
static void apply_twice(int root_fd, const char *line, int want) {
        FixupRule r;
        const char *reason = NULL;

        if (fixup_rule_parse_line(line, &r, &reason) < 0)
                g_error("%s: %s", line, reason);
        g_assert_cmpint(fixup_rule_apply(&r, root_fd), ==, want);
        g_assert_cmpint(fixup_rule_apply(&r, root_fd), ==, 0);
        fixup_rule_done(&r);
}

static char *new_tree(const char *name, int *ret_fd) {
        char *root = g_build_filename(tmpdir, name, NULL);

        g_assert_cmpint(g_mkdir_with_parents(root, 0755), ==, 0);
        *ret_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(*ret_fd, >=, 0);
        return root;
}

static void test_inittab(void) {
        _cleanup_close_ int fd = -EBADF;
        g_autofree char *root = new_tree("inittab", &fd), *text = NULL, *p = NULL;
        struct stat st;

        put(root, "etc/inittab",
            "id:2:initdefault:\n1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
            "# 2:23:respawn:/sbin/getty 38400 tty2\n3:23:respawn:/sbin/getty 38400 tty3\n"
            "T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n");
        p = tree_path(root, "etc/inittab");
        g_assert_cmpint(chmod(p, 0640), ==, 0);
        apply_twice(fd, "CommentOut=/etc/inittab getty.*[^0-9a-zA-Z]tty[1-6]([^0-9]|$)", 1);
        apply_twice(fd, "AppendLine=/etc/inittab co:2345:respawn:/sbin/getty --noclear 38400 console linux",
                    1);
        apply_twice(fd, "AppendLine=/etc/inittab p0::powerfail:/sbin/init 0", 1);
        text = get(root, "etc/inittab");
        g_assert_cmpstr(text, ==,
                        "id:2:initdefault:\n#1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
                        "# 2:23:respawn:/sbin/getty 38400 tty2\n#3:23:respawn:/sbin/getty 38400 tty3\n"
                        "T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n"
                        "co:2345:respawn:/sbin/getty --noclear 38400 console linux\n"
                        "p0::powerfail:/sbin/init 0\n");
        /* Rewritten in one rename, with the file's mode kept and no temp file left. */
        g_assert_cmpint(stat(p, &st), ==, 0);
        g_assert_cmphex(st.st_mode & 07777, ==, 0640);
        g_free(text);
        text = g_strdup_printf("ls -A '%s/etc' | grep -v '^inittab$' | wc -l | grep -qx 0", root);
        g_assert_cmpint(system(text), ==, 0);

        /* A tree without the file is left alone. */
        apply_twice(fd, "AppendLine=/etc/no-such-file x", 0);
        g_free(p);
        p = tree_path(root, "etc/no-such-file");
        g_assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
}

static void test_set_variable(void) {
        _cleanup_close_ int fd = -EBADF;
        g_autofree char *root = new_tree("rc", &fd), *text = NULL;

        put(root, "etc/rc.conf", "#rc_sys=\"\"\nrc_parallel=\"NO\"\n  rc_sys=\"vserver\"\nrc_sys=\"x\"\n");
        apply_twice(fd, "SetVariable=/etc/rc.conf rc_sys lxc", 1);
        apply_twice(fd, "SetVariable=/etc/rc.conf rc_cgroup_mode unified", 1);
        text = get(root, "etc/rc.conf");
        /* The first assignment changed, the comment left, a missing one appended. */
        g_assert_cmpstr(text, ==,
                        "#rc_sys=\"\"\nrc_parallel=\"NO\"\nrc_sys=\"lxc\"\nrc_sys=\"x\"\n"
                        "rc_cgroup_mode=\"unified\"\n");
}

static void test_files(void) {
        _cleanup_close_ int fd = -EBADF;
        g_autofree char *root = new_tree("files", &fd), *text = NULL, *p = NULL, *link = NULL;
        struct stat st;

        put(root, "etc/service/getty-tty1/run", "x");
        put(root, "etc/service/getty-tty2", "x");
        put(root, "etc/service/getty-ttyS0", "x");
        put(root, "etc/service/.getty-tty3", "x");
        p = tree_path(root, "etc/service/getty-tty4");
        g_assert_cmpint(symlink("/etc/sv/getty-tty4", p), ==, 0);
        /* Files and links only, never a directory; dot files only when named. */
        apply_twice(fd, "Remove=/etc/service/getty-tty[1-6]", 1);
        g_free(text);
        text = g_strdup_printf("cd '%s/etc/service' && test -d getty-tty1 && test ! -e getty-tty2 && "
                               "test ! -L getty-tty4 && test -e getty-ttyS0 && test -e .getty-tty3",
                               root);
        g_assert_cmpint(system(text), ==, 0);

        apply_twice(fd, "WriteFile=/etc/sv/getty-console/run 0755 #!/bin/sh\\nexec /sbin/getty console\\n",
                    1);
        g_free(p);
        p = tree_path(root, "etc/sv/getty-console/run");
        g_assert_cmpint(stat(p, &st), ==, 0);
        g_assert_cmphex(st.st_mode & 07777, ==, 0755);
        g_free(text);
        text = get(root, "etc/sv/getty-console/run");
        g_assert_cmpstr(text, ==, "#!/bin/sh\nexec /sbin/getty console\n");

        apply_twice(fd, "Symlink=/etc/service/getty-console /etc/sv/getty-console", 1);
        link = tree_path(root, "etc/service/getty-console");
        g_free(text);
        text = g_file_read_link(link, NULL);
        g_assert_cmpstr(text, ==, "/etc/sv/getty-console");
        /* The link's directory is missing: not this tree's rule. */
        apply_twice(fd, "Symlink=/etc/nowhere/x /y", 0);
}

/* A symlink in the tree resolves inside it: a fix-up cannot write a host file through it. */
static void test_confined(void) {
        _cleanup_close_ int fd = -EBADF;
        g_autofree char *root = new_tree("hostile", &fd),
                        *outside = g_build_filename(tmpdir, "outside", NULL);
        g_autofree char *etc = NULL, *text = NULL, *victim = NULL;

        g_assert_cmpint(g_mkdir_with_parents(outside, 0755), ==, 0);
        victim = g_build_filename(outside, "inittab", NULL);
        g_assert_true(g_file_set_contents(victim, "host\n", -1, NULL));
        etc = tree_path(root, "etc");
        g_assert_cmpint(symlink(outside, etc), ==, 0);
        /* etc -> TMP/outside is, inside the tree, TMP/outside under root: not there, for every verb. */
        apply_twice(fd, "AppendLine=/etc/inittab zone", 0);
        apply_twice(fd, "Remove=/etc/inittab", 0);
        g_assert_cmpint(fixup_rule_apply(&(FixupRule) { .verb = FIXUP_WRITE_FILE,
                                                        .path = (char *) "/etc/inittab",
                                                        .text = (char *) "zone\n",
                                                        .mode = 0644 },
                                         fd),
                        ==, -ENOENT);
        text = get(tmpdir, "outside/inittab");
        g_assert_cmpstr(text, ==, "host\n");
}

static void test_bad(void) {
        static const char *const bad[][2] = {
                { "Paint=/etc/x red", "unknown fix-up" },
                { "AppendLine=etc/x y", "not absolute" },
                { "AppendLine=/etc/./x y", "not absolute" },
                { "AppendLine=/etc/x/ y", "not absolute" },
                { "AppendLine=/ y", "not absolute" },
                { "Remove=/etc/x*/y", "only in the path's last component" },
                { "AppendLine=/etc/*x y", "only Remove=" },
                { "CommentOut=/etc/x (", "does not compile" },
                { "SetVariable=/etc/x 1a b", "variable name" },
                { "SetVariable=/etc/x a $(b)", "cannot hold" },
                { "WriteFile=/etc/x 755x y", "octal mode" },
                { "WriteFile=/etc/x 0755 \\x", "escapes" },
                { "Symlink=/etc/x", "target" },
                { "Symlink=/etc/x /a /b", "words after" },
                { "no equals sign", "Verb=ARGUMENTS" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                FixupRule r;
                const char *reason = NULL;

                g_assert_cmpint(fixup_rule_parse_line(bad[i][0], &r, &reason), ==, -EINVAL);
                g_assert_nonnull(reason);
                if (!strstr(reason, bad[i][1]))
                        g_error("%s: \"%s\" does not say \"%s\"", bad[i][0], reason, bad[i][1]);
        }
}

static void test_stop_prepare(void) {
        _cleanup_close_ int fd = -EBADF;
        g_autofree char *root = new_tree("runit", &fd), *p = NULL, *fifo = NULL;
        struct stat st;

        put(root, "run/runit.stopit", "");
        p = tree_path(root, "run/runit.stopit");
        g_assert_cmpint(chmod(p, 0), ==, 0);
        g_assert_cmpint(stop_prepare_apply(fd, "/run/runit.stopit:0100"), ==, 0);
        g_assert_cmpint(stat(p, &st), ==, 0);
        g_assert_cmphex(st.st_mode & 07777, ==, 0100);
        g_assert_cmpint(stop_prepare_apply(fd, "/run/missing:0100"), ==, -ENOENT);
        /* Not a regular file: refused, and a FIFO does not block. */
        fifo = tree_path(root, "run/fifo");
        g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
        g_assert_cmpint(stop_prepare_apply(fd, "/run/fifo:0100"), ==, -EPERM);
        g_assert_cmpint(stop_prepare_parse("/run/x:+x", NULL, NULL), ==, -EINVAL);
        g_assert_cmpint(stop_prepare_parse("run/x:0100", NULL, NULL), ==, -EINVAL);
        g_assert_cmpint(stop_prepare_parse("/run/x:17777", NULL, NULL), ==, -EINVAL);
        g_assert_cmpint(stop_prepare_parse("/run/x:", NULL, NULL), ==, -EINVAL);
}

int main(int argc, char *argv[]) {
        g_autofree char *cmd = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-fixup-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/fixup-rule/inittab", test_inittab);
        g_test_add_func("/fixup-rule/set-variable", test_set_variable);
        g_test_add_func("/fixup-rule/files", test_files);
        g_test_add_func("/fixup-rule/confined", test_confined);
        g_test_add_func("/fixup-rule/bad", test_bad);
        g_test_add_func("/fixup-rule/stop-prepare", test_stop_prepare);
        r = g_test_run();
        cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
