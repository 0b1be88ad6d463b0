/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree-copy.c: a copy of a tree keeps owners, modes, symlinks and hardlinks; a shifted copy gives
 * every owner the zone's host id, and ids the zone cannot map its nobody (65534), so that no file
 * of the copy lands in another zone's range. Needs root (chown). */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree-copy.h"

static char *tmpdir;

#define SHIFT 200000u
#define RANGE 65536u

static void make_file(const char *dir, const char *name, uid_t uid, gid_t gid, mode_t mode) {
        g_autofree char *p = g_build_filename(dir, name, NULL);

        g_assert_true(g_file_set_contents(p, name, -1, NULL));
        g_assert_cmpint(chown(p, uid, gid), ==, 0);
        g_assert_cmpint(chmod(p, mode), ==, 0);
}

/* src: files of the zone's root, of a user, of ids beyond any zone range; a setuid file, a
 * directory, a symlink, a hardlink. */
static char *make_tree(const char *name) {
        char *src = g_build_filename(tmpdir, name, NULL);
        g_autofree char *d = g_build_filename(src, "d", NULL), *l = g_build_filename(src, "l", NULL),
                        *a = g_build_filename(src, "a", NULL), *hl = g_build_filename(src, "hl", NULL);

        g_assert_cmpint(g_mkdir_with_parents(d, 0755), ==, 0);
        g_assert_cmpint(chown(d, 5, 6), ==, 0);
        make_file(src, "a", 0, 0, 0644);
        make_file(src, "b", 1000, 1001, 0640);
        make_file(src, "far", 70000, 5000000, 0600);
        make_file(src, "suid", 0, 0, 04755);
        g_assert_cmpint(symlink("a", l), ==, 0);
        g_assert_cmpint(lchown(l, 7, 8), ==, 0);
        g_assert_cmpint(link(a, hl), ==, 0);
        return src;
}

static char *copy_of(const char *src, const char *name, const TreeShift *shift) {
        char *dst = g_build_filename(tmpdir, name, NULL);
        g_autofree char *cwd = g_get_current_dir();
        uint64_t bytes = 0;

        g_assert_cmpint(g_mkdir_with_parents(dst, 0755), ==, 0);
        g_assert_cmpint(tree_copy_shifted(src, dst, shift, &bytes), ==, 0);
        g_assert_cmpint(chdir(cwd), ==, 0);
        g_assert_cmpuint(bytes, >, 0);
        return dst;
}

static void assert_owner(const char *dir, const char *name, uid_t uid, gid_t gid, mode_t mode) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        struct stat st;

        g_assert_cmpint(lstat(p, &st), ==, 0);
        g_assert_cmpuint(st.st_uid, ==, uid);
        g_assert_cmpuint(st.st_gid, ==, gid);
        if (mode)
                g_assert_cmpuint(st.st_mode & 07777, ==, mode);
}

static void assert_hardlinked(const char *dir) {
        g_autofree char *a = g_build_filename(dir, "a", NULL), *hl = g_build_filename(dir, "hl", NULL);
        struct stat sa, sh;

        g_assert_cmpint(lstat(a, &sa), ==, 0);
        g_assert_cmpint(lstat(hl, &sh), ==, 0);
        g_assert_cmpuint(sa.st_ino, ==, sh.st_ino);
}

static bool skip_unless_root(void) {
        if (geteuid() == 0)
                return false;
        g_test_skip("needs root: the test gives its files owners of other users");
        return true;
}

static void test_plain(void) {
        g_autofree char *src = NULL, *dst = NULL;

        if (skip_unless_root())
                return;
        src = make_tree("plain-src");
        dst = copy_of(src, "plain-dst", NULL);
        assert_owner(dst, "a", 0, 0, 0644);
        assert_owner(dst, "b", 1000, 1001, 0640);
        assert_owner(dst, "far", 70000, 5000000, 0600);
        assert_owner(dst, "suid", 0, 0, 04755);
        assert_owner(dst, "d", 5, 6, 0755);
        assert_owner(dst, "l", 7, 8, 0);
        assert_hardlinked(dst);
}

static void test_shifted(void) {
        g_autofree char *src = NULL, *dst = NULL;
        TreeShift shift = { .shift = SHIFT, .range = RANGE };

        if (skip_unless_root())
                return;
        src = make_tree("shift-src");
        dst = copy_of(src, "shift-dst", &shift);
        assert_owner(dst, ".", SHIFT, SHIFT, 0);
        assert_owner(dst, "a", SHIFT, SHIFT, 0644);
        assert_owner(dst, "b", SHIFT + 1000, SHIFT + 1001, 0640);
        assert_owner(dst, "d", SHIFT + 5, SHIFT + 6, 0755);
        assert_owner(dst, "l", SHIFT + 7, SHIFT + 8, 0);
        /* Beyond the range: the zone's nobody, never the id of another zone. */
        assert_owner(dst, "far", SHIFT + 65534, SHIFT + 65534, 0600);
        /* The chown to the zone's root keeps the setuid bit: set after the owner. */
        assert_owner(dst, "suid", SHIFT, SHIFT, 04755);
        assert_hardlinked(dst);
        /* The source is as it was. */
        assert_owner(src, "b", 1000, 1001, 0640);
}

/* A range bigger than 65536 (a nesting zone's) maps ids past 65535 too. */
static void test_big_range(void) {
        g_autofree char *src = NULL, *dst = NULL;
        TreeShift shift = { .shift = SHIFT, .range = 64 * RANGE };

        if (skip_unless_root())
                return;
        src = make_tree("big-src");
        dst = copy_of(src, "big-dst", &shift);
        assert_owner(dst, "far", SHIFT + 70000, SHIFT + 65534, 0600);
}

int main(int argc, char *argv[]) {
        g_autofree char *cmd = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/tree-copy/plain", test_plain);
        g_test_add_func("/tree-copy/shifted", test_shifted);
        g_test_add_func("/tree-copy/big-range", test_big_range);
        r = g_test_run();
        cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
