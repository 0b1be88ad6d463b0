/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* macro.h first: glib.h then replaces its MIN/MAX with equivalent ones instead of clashing. */
#include "macro.h"

#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char *make_tmp(void) {
        g_autoptr(GError) error = NULL;
        char *dir = g_dir_make_tmp("test-util-XXXXXX", &error);

        g_assert_no_error(error);
        return dir;
}

static void test_strv(void) {
        _cleanup_strv_free_ char **l = NULL, **c = NULL, **e = NULL;

        g_assert_cmpuint(strv_length(NULL), ==, 0);
        g_assert_cmpint(strv_extend(&l, "a"), ==, 0);
        g_assert_cmpint(strv_extend(&l, ""), ==, 0);
        g_assert_cmpint(strv_extend(&l, "c"), ==, 0);
        g_assert_cmpuint(strv_length(l), ==, 3);
        g_assert_cmpstr(l[0], ==, "a");
        g_assert_cmpstr(l[1], ==, "");
        g_assert_cmpstr(l[2], ==, "c");
        g_assert_null(l[3]);

        c = strv_copy(l);
        g_assert_nonnull(c);
        g_assert_true(c != l);
        g_assert_cmpuint(strv_length(c), ==, 3);
        for (size_t i = 0; i < 3; i++) {
                g_assert_cmpstr(c[i], ==, l[i]);
                g_assert_true(c[i] != l[i]);
        }

        e = strv_copy(NULL);
        g_assert_nonnull(e);
        g_assert_cmpuint(strv_length(e), ==, 0);
        g_assert_null(strv_free(NULL));
}

static void test_write_read(void) {
        g_autofree char *dir = make_tmp();
        g_autofree char *path = g_build_filename(dir, "f", NULL);
        _cleanup_free_ char *text = NULL, *text2 = NULL;
        struct stat st;

        g_assert_cmpint(write_file_atomic(path, "hello\n", 0640), ==, 0);
        g_assert_cmpint(stat(path, &st), ==, 0);
        g_assert_cmpuint(st.st_mode & 07777, ==, 0640);
        g_assert_cmpint(read_full_file(path, 100, &text), ==, 6);
        g_assert_cmpstr(text, ==, "hello\n");

        /* Replacing leaves no temporary file behind. */
        g_assert_cmpint(write_file_atomic(path, "", 0600), ==, 0);
        g_assert_cmpint(read_full_file(path, 100, &text2), ==, 0);
        g_assert_cmpstr(text2, ==, "");
        {
                g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
                const char *n;
                unsigned count = 0;

                g_assert_nonnull(d);
                while ((n = g_dir_read_name(d)))
                        count++;
                g_assert_cmpuint(count, ==, 1);
        }

        g_assert_cmpint(unlink(path), ==, 0);
        g_assert_cmpint(rmdir(dir), ==, 0);
}

static void test_read_limits(void) {
        g_autofree char *dir = make_tmp();
        g_autofree char *path = g_build_filename(dir, "f", NULL);
        g_autofree char *missing = g_build_filename(dir, "missing", NULL);
        g_autofree char *nodir = g_build_filename(dir, "missing", "f", NULL);
        _cleanup_free_ char *text = NULL;
        char *none = NULL;

        g_assert_cmpint(write_file_atomic(path, "0123456789", 0600), ==, 0);
        g_assert_cmpint(read_full_file(path, 11, &text), ==, 10);
        g_assert_cmpint(read_full_file(path, 5, &none), ==, -EFBIG);
        g_assert_null(none);
        g_assert_cmpint(read_full_file(missing, 5, &none), ==, -ENOENT);
        g_assert_cmpint(write_file_atomic(nodir, "x", 0600), ==, -ENOENT);

        g_assert_cmpint(unlink(path), ==, 0);
        g_assert_cmpint(rmdir(dir), ==, 0);
}

static void test_mkdir_rm_rf(void) {
        g_autofree char *dir = make_tmp();
        g_autofree char *deep = g_build_filename(dir, "a", "b", "c", NULL);
        g_autofree char *top = g_build_filename(dir, "a", NULL);
        g_autofree char *file = g_build_filename(dir, "a", "b", "file", NULL);
        g_autofree char *link = g_build_filename(dir, "a", "link", NULL);
        g_autofree char *outside = g_build_filename(dir, "outside", NULL);
        g_autofree char *kept = g_build_filename(dir, "outside", "kept", NULL);
        struct stat st;

        g_assert_cmpint(mkdir_parents_and_self(deep, 0755), ==, 0);
        g_assert_cmpint(mkdir_parents_and_self(deep, 0755), ==, 0); /* existing is fine */
        g_assert_cmpint(stat(deep, &st), ==, 0);
        g_assert_true(S_ISDIR(st.st_mode));

        g_assert_cmpint(write_file_atomic(file, "x", 0600), ==, 0);
        g_assert_cmpint(mkdir(outside, 0755), ==, 0);
        g_assert_cmpint(write_file_atomic(kept, "keep me", 0600), ==, 0);
        g_assert_cmpint(symlink(outside, link), ==, 0);

        /* A symlink to a directory is removed, never followed. */
        g_assert_cmpint(rm_rf(top), ==, 0);
        g_assert_cmpint(lstat(top, &st), ==, -1);
        g_assert_cmpint(errno, ==, ENOENT);
        g_assert_cmpint(stat(kept, &st), ==, 0);

        g_assert_cmpint(rm_rf(top), ==, 0);  /* already gone is fine */
        g_assert_cmpint(rm_rf(kept), ==, 0); /* a plain file */
        g_assert_cmpint(rm_rf(dir), ==, 0);
        g_assert_cmpint(lstat(dir, &st), ==, -1);
}

static void test_rm_rf_stops_at_mounts(void) {
        g_autofree char *dir = NULL, *top = NULL, *mnt = NULL, *inside = NULL, *beside = NULL;
        struct stat st;

        /* A zone's tree can have file systems mounted in it: removing the tree
         * must never remove what is on them. Mount in a private mount
         * namespace, so that nothing outlives the test, even a crash. */
        if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0) {
                g_test_skip("needs root for a private mount namespace");
                return;
        }
        g_assert_cmpint(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);

        dir = make_tmp();
        top = g_build_filename(dir, "tree", NULL);
        mnt = g_build_filename(top, "mnt", NULL);
        inside = g_build_filename(mnt, "precious", NULL);
        beside = g_build_filename(top, "file", NULL);
        g_assert_cmpint(mkdir_parents_and_self(mnt, 0755), ==, 0);
        g_assert_cmpint(mount("tmpfs", mnt, "tmpfs", 0, "size=1m"), ==, 0);
        g_assert_cmpint(write_file_atomic(inside, "x", 0600), ==, 0);
        g_assert_cmpint(write_file_atomic(beside, "y", 0600), ==, 0);

        g_assert_cmpint(rm_rf(top), ==, -EXDEV);
        g_assert_cmpint(stat(inside, &st), ==, 0);
        g_assert_cmpint(lstat(beside, &st), ==, -1); /* the rest is gone */

        g_assert_cmpint(umount(mnt), ==, 0);
        g_assert_cmpint(rm_rf(dir), ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/util/strv", test_strv);
        g_test_add_func("/util/write-read", test_write_read);
        g_test_add_func("/util/read-limits", test_read_limits);
        g_test_add_func("/util/mkdir-rm-rf", test_mkdir_rm_rf);
        g_test_add_func("/util/rm-rf-stops-at-mounts", test_rm_rf_stops_at_mounts);
        return g_test_run();
}
