/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a test may leave behind on the host, found and cleaned: cgroups in
 * every hierarchy, mounts, files. Everything is read from /proc/self/mountinfo
 * and the cgroup file systems themselves. */

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include "harness-internal.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s) {
        GString *r = g_string_new(NULL);

        for (; *s; s++)
                if (s[0] == '\\' && g_ascii_isdigit(s[1]) && g_ascii_isdigit(s[2]) &&
                    g_ascii_isdigit(s[3])) {
                        g_string_append_c(r, (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
                        s += 3;
                } else
                        g_string_append_c(r, *s);
        return g_string_free(r, FALSE);
}

/* Calls f(mount_point, fstype) for every line of /proc/self/mountinfo. */
static void for_each_mount(void (*f)(const char *where, const char *fstype, gpointer data), gpointer data) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) fields = g_strsplit(*l, " ", -1);
                g_autofree char *where = NULL;
                const char *fstype = NULL;

                if (g_strv_length(fields) < 5)
                        continue;
                for (char **f2 = fields + 5; *f2; f2++)
                        if (g_str_equal(*f2, "-")) {
                                fstype = f2[1];
                                break;
                        }
                where = unescape_octal(fields[4]);
                f(where, fstype ? fstype : "", data);
        }
}

static void add_if_cgroup(const char *where, const char *fstype, gpointer data) {
        GPtrArray *a = data;

        if (!g_str_equal(fstype, "cgroup") && !g_str_equal(fstype, "cgroup2"))
                return;
        for (guint i = 0; i < a->len; i++)
                if (g_str_equal(a->pdata[i], where))
                        return;
        g_ptr_array_add(a, g_strdup(where));
}

GPtrArray *harness_cgroup_hierarchies(void) {
        GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

        for_each_mount(add_if_cgroup, a);
        return a;
}

typedef struct UnderData {
        const char *path;
        GPtrArray *result;
} UnderData;

static void add_if_under(const char *where, const char *fstype, gpointer data) {
        UnderData *u = data;
        size_t n = strlen(u->path);

        if (strncmp(where, u->path, n) == 0 && (where[n] == 0 || where[n] == '/'))
                g_ptr_array_add(u->result, g_strdup(where));
}

GPtrArray *harness_mounts_under(const char *path) {
        UnderData u = { .path = path, .result = g_ptr_array_new_with_free_func(g_free) };

        for_each_mount(add_if_under, &u);
        return u.result;
}

static void describe_cgroup(const char *dir, GString *out) {
        g_autofree char *procs_path = g_build_filename(dir, "cgroup.procs", NULL), *procs = NULL;
        g_autoptr(GDir) d = NULL;
        const char *de;

        if (g_file_get_contents(procs_path, &procs, NULL, NULL) && procs[0])
                g_string_append_printf(out, "processes in %s: %s; ", dir, g_strdelimit(procs, "\n", ' '));
        d = g_dir_open(dir, 0, NULL);
        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *sub = g_build_filename(dir, de, NULL);

                if (g_file_test(sub, G_FILE_TEST_IS_DIR) && !g_file_test(sub, G_FILE_TEST_IS_SYMLINK)) {
                        g_string_append_printf(out, "cgroup %s; ", sub);
                        describe_cgroup(sub, out);
                }
        }
}

char *harness_zone_leftovers(Harness *h, const char *name) {
        g_autoptr(GPtrArray) hierarchies = harness_cgroup_hierarchies();
        g_autofree char *zone_state = g_build_filename(h->state_dir, name, NULL);
        g_autoptr(GPtrArray) mounts = harness_mounts_under(zone_state);
        g_autoptr(GString) out = g_string_new(NULL);

        for (guint i = 0; i < hierarchies->len; i++) {
                g_autofree char *cg = g_build_filename(hierarchies->pdata[i], h->cgroup_root, name, NULL);

                if (!g_file_test(cg, G_FILE_TEST_IS_DIR))
                        continue;
                g_string_append_printf(out, "cgroup %s still exists; ", cg);
                describe_cgroup(cg, out);
        }
        for (guint i = 0; i < mounts->len; i++)
                g_string_append_printf(out, "%s still mounted; ", (char *) mounts->pdata[i]);
        return out->len ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

static void kill_cgroup_procs(const char *dir) {
        g_autofree char *procs_path = g_build_filename(dir, "cgroup.procs", NULL), *procs = NULL;
        g_autoptr(GDir) d = NULL;
        const char *de;

        if (g_file_get_contents(procs_path, &procs, NULL, NULL)) {
                g_auto(GStrv) pids = g_strsplit(procs, "\n", -1);
                for (char **p = pids; *p; p++)
                        if (**p)
                                (void) kill((pid_t) g_ascii_strtoll(*p, NULL, 10), SIGKILL);
        }
        d = g_dir_open(dir, 0, NULL);
        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *sub = g_build_filename(dir, de, NULL);

                if (g_file_test(sub, G_FILE_TEST_IS_DIR) && !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
                        kill_cgroup_procs(sub);
        }
}

/* rmdir depth first; cgroup dirs hold only (undeletable) attribute files. */
static int rmdir_cgroup_tree(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;
        int r = 0;

        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *sub = g_build_filename(dir, de, NULL);

                if (g_file_test(sub, G_FILE_TEST_IS_DIR) && !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
                        if (rmdir_cgroup_tree(sub) < 0)
                                r = -1;
        }
        if (rmdir(dir) < 0 && errno != ENOENT)
                r = -errno;
        return r;
}

static bool has_subdirs(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *sub = g_build_filename(dir, de, NULL);
                if (g_file_test(sub, G_FILE_TEST_IS_DIR) && !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
                        return true;
        }
        return false;
}

char *harness_clean_cgroup_root(const char *root) {
        g_autoptr(GPtrArray) hierarchies = harness_cgroup_hierarchies();
        g_autoptr(GString) out = g_string_new(NULL);

        for (guint i = 0; i < hierarchies->len; i++) {
                g_autofree char *cg = g_build_filename(hierarchies->pdata[i], root, NULL);
                gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
                int r;

                if (!g_file_test(cg, G_FILE_TEST_IS_DIR))
                        continue;
                if (has_subdirs(cg)) {
                        describe_cgroup(cg, out);
                } else {
                        g_autoptr(GString) procs = g_string_new(NULL);
                        describe_cgroup(cg, procs);
                        g_string_append(out, procs->str);
                }
                /* Killed processes leave their cgroup only once they are gone: retry for a while. */
                while ((r = rmdir_cgroup_tree(cg)) < 0 && g_get_monotonic_time() < deadline) {
                        kill_cgroup_procs(cg);
                        harness_reap_orphans();
                        g_usleep(20 * 1000);
                }
                if (r < 0)
                        g_string_append_printf(out, "could not remove %s: %s; ", cg, g_strerror(-r));
        }
        return out->len ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

static int compare_length_desc(gconstpointer a, gconstpointer b) {
        return (int) strlen(*(char **) b) - (int) strlen(*(char **) a);
}

char *harness_clean_mounts(const char *path) {
        g_autoptr(GString) out = g_string_new(NULL);

        for (int round = 0; round < 10; round++) {
                g_autoptr(GPtrArray) mounts = harness_mounts_under(path);

                if (mounts->len == 0)
                        break;
                g_ptr_array_sort(mounts, compare_length_desc);
                for (guint i = 0; i < mounts->len; i++) {
                        if (round == 0)
                                g_string_append_printf(out, "%s was still mounted; ",
                                                       (char *) mounts->pdata[i]);
                        (void) umount2(mounts->pdata[i], MNT_DETACH);
                }
        }
        return out->len ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        if (remove(path) < 0 && errno != ENOENT)
                g_test_message("could not remove %s: %s", path, g_strerror(errno));
        return 0;
}

int harness_rm_rf(const char *path) {
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
                return 0;
        return nftw(path, remove_one, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

char *harness_loops_under(const char *dir) {
        g_autoptr(GDir) d = g_dir_open("/sys/block", 0, NULL);
        GString *out = g_string_new(NULL);
        const char *de;

        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *file = g_strdup_printf("/sys/block/%s/loop/backing_file", de), *text = NULL;

                if (g_str_has_prefix(de, "loop") && g_file_get_contents(file, &text, NULL, NULL) &&
                    g_str_has_prefix(g_strstrip(text), dir))
                        g_string_append_printf(out, "%s=%s\n", de, text);
        }
        return g_string_free(out, FALSE);
}

static bool no_loops_under(gpointer dir) {
        g_autofree char *loops = harness_loops_under(dir);
        return loops[0] == 0;
}

char *harness_clean_loop_devices(const char *path) {
        g_autofree char *loops = NULL;
        g_auto(GStrv) lines = NULL;

        if (harness_wait(no_loops_under, (gpointer) path, 10000))
                return NULL;
        loops = harness_loops_under(path);
        lines = g_strsplit(loops, "\n", -1);
        for (char **l = lines; *l && **l; l++) {
                g_autofree char *node = g_strdup_printf("/dev/%.*s", (int) strcspn(*l, "="), *l);
                int fd = open(node, O_RDONLY | O_CLOEXEC);

                if (fd >= 0) {
                        (void) ioctl(fd, LOOP_CLR_FD, 0);
                        close(fd);
                }
        }
        return g_strdup_printf("loop devices left behind: %s", g_strdelimit(loops, "\n", ' '));
}
