/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/stat.h>
#include <sys/xattr.h>

#include "manifest.h"

static int compare_lines(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void append_xattrs(GString *s, const char *path) {
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
        char names[8192];
        ssize_t n = llistxattr(path, names, sizeof(names));

        g_assert_cmpint(n, >=, 0);
        for (ssize_t i = 0; i < n; i += (ssize_t) strlen(names + i) + 1) {
                char value[4096];
                ssize_t len = lgetxattr(path, names + i, value, sizeof(value));
                GString *one = g_string_new(names + i);

                g_assert_cmpint(len, >=, 0);
                g_string_append_c(one, '=');
                for (ssize_t j = 0; j < len; j++)
                        g_string_append_printf(one, "%02x", (unsigned char) value[j]);
                g_ptr_array_add(list, g_string_free(one, FALSE));
        }
        g_ptr_array_sort(list, compare_lines);
        for (guint i = 0; i < list->len; i++)
                g_string_append_printf(s, " %s", (char *) list->pdata[i]);
}

static void manifest_add(GPtrArray *out, const char *root, const char *rel) {
        g_autofree char *full = g_build_filename(root, rel, NULL);
        GString *s;
        struct stat st;

        g_assert_no_errno(lstat(full, &st));
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                return;
        s = g_string_new(rel);
        g_string_append_printf(s, " mode=%o uid=%u gid=%u", st.st_mode, st.st_uid, st.st_gid);
        if (S_ISLNK(st.st_mode)) {
                g_autofree char *target = g_file_read_link(full, NULL);
                g_string_append_printf(s, " -> %s", target);
        } else
                g_string_append_printf(s, " mtime=%lld", (long long) st.st_mtime);
        if (S_ISREG(st.st_mode))
                g_string_append_printf(s, " size=%lld links=%lu", (long long) st.st_size,
                                       (unsigned long) st.st_nlink);
        append_xattrs(s, full);
        g_ptr_array_add(out, g_string_free(s, FALSE));
        if (S_ISDIR(st.st_mode)) {
                g_autoptr(GDir) d = g_dir_open(full, 0, NULL);
                const char *de;

                g_assert_nonnull(d);
                while ((de = g_dir_read_name(d))) {
                        g_autofree char *sub = g_build_filename(rel, de, NULL);
                        manifest_add(out, root, sub);
                }
        }
}

char *manifest_of_tree(const char *root) {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

        manifest_add(lines, root, ".");
        g_ptr_array_sort(lines, compare_lines);
        g_ptr_array_add(lines, NULL);
        return g_strjoinv("\n", (char **) lines->pdata);
}

void manifest_assert_same(const char *want, const char *got) {
        g_autofree char *a = manifest_of_tree(want), *b = manifest_of_tree(got);
        g_autoptr(GString) diff = g_string_new(NULL);
        g_auto(GStrv) la = NULL, lb = NULL;

        if (g_str_equal(a, b))
                return;
        la = g_strsplit(a, "\n", -1);
        lb = g_strsplit(b, "\n", -1);
        for (char **l = la; *l; l++)
                if (!g_strv_contains((const char *const *) lb, *l))
                        g_string_append_printf(diff, "\n- %s", *l);
        for (char **l = lb; *l; l++)
                if (!g_strv_contains((const char *const *) la, *l))
                        g_string_append_printf(diff, "\n+ %s", *l);
        g_error("%s differs from %s:%s", got, want, diff->str);
}
