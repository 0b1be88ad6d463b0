/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "macro.h"
#include "names.h"
#include "template.h"
#include "tree-copy.h"

void template_info_free(TemplateInfo *t) {
        if (!t)
                return;
        g_free(t->name);
        g_free(t->brand);
        g_free(t->origin);
        g_free(t);
}

char *template_dir(const char *templates_dir, const char *name) {
        return g_build_filename(templates_dir, name, NULL);
}

char *template_rootfs(const char *templates_dir, const char *name) {
        return g_build_filename(templates_dir, name, "rootfs", NULL);
}

bool template_exists(const char *templates_dir, const char *name) {
        g_autofree char *p = template_dir(templates_dir, name);
        struct stat st;

        return zone_name_is_valid(name) && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int template_info_load(const char *templates_dir, const char *name, TemplateInfo **ret) {
        g_autofree char *ini = g_build_filename(templates_dir, name, "template.ini", NULL);
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autoptr(TemplateInfo) t = NULL;

        if (!template_exists(templates_dir, name))
                return -ENOENT;
        t = g_new0(TemplateInfo, 1);
        t->name = g_strdup(name);
        if (g_key_file_load_from_file(f, ini, G_KEY_FILE_NONE, NULL)) {
                t->brand = g_key_file_get_string(f, "Template", "Brand", NULL);
                t->origin = g_key_file_get_string(f, "Template", "Origin", NULL);
                t->size = g_key_file_get_uint64(f, "Template", "Size", NULL);
        }
        if (!t->brand)
                t->brand = g_strdup("");
        if (!t->origin)
                t->origin = g_strdup("");
        *ret = g_steal_pointer(&t);
        return 0;
}

static int compare_info(gconstpointer a, gconstpointer b) {
        const TemplateInfo *x = *(TemplateInfo *const *) a, *y = *(TemplateInfo *const *) b;
        return strcmp(x->name, y->name);
}

int template_list(const char *templates_dir, GPtrArray **ret) {
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify) template_info_free);
        g_autoptr(GDir) d = g_dir_open(templates_dir, 0, NULL);
        const char *fn;

        while (d && (fn = g_dir_read_name(d))) {
                TemplateInfo *t;

                if (!zone_name_is_valid(fn) || template_info_load(templates_dir, fn, &t) < 0)
                        continue;
                g_ptr_array_add(list, t);
        }
        g_ptr_array_sort(list, compare_info);
        *ret = g_steal_pointer(&list);
        return 0;
}

int template_replace_atomically(const char *templates_dir, const char *name, const char *staging) {
        g_autofree char *final = template_dir(templates_dir, name), *trash = NULL;

        if (renameat2(AT_FDCWD, staging, AT_FDCWD, final, RENAME_EXCHANGE) < 0) {
                if (errno == ENOENT)
                        /* No template of that name (any more): a plain commit. */
                        return rename(staging, final) < 0 ? (errno == ENOTEMPTY ? -EEXIST : -errno) : 0;
                return errno == EINVAL ? -EOPNOTSUPP : -errno;
        }
        /* The new tree is in place; staging now holds the old one. A trash name
         * first, so that a worker killed while it removes leaves what zoned's
         * start cleans up (".trash-*"), never a staging dir that looks unfinished. */
        trash = g_strdup_printf("%s/.trash-%s-%08x", templates_dir, name, g_random_int());
        if (rename(staging, trash) < 0)
                (void) rm_rf(staging);
        else
                (void) rm_rf(trash);
        return 0;
}

static int write_template_ini(const char *dir, const TemplateImport *imp, const char *brand, uint64_t size) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autofree char *path = g_build_filename(dir, "template.ini", NULL);
        g_autofree char *text = NULL;

        g_key_file_set_string(f, "Template", "Brand", brand);
        g_key_file_set_string(f, "Template", "Origin", imp->origin);
        g_key_file_set_uint64(f, "Template", "Size", size);
        text = g_key_file_to_data(f, NULL, NULL);
        return write_file_atomic(path, text, 0644);
}

int template_import_commit(const TemplateImport *imp, const char *brand, uint64_t size) {
        g_autofree char *final = template_dir(imp->templates_dir, imp->name);
        int r;

        r = write_template_ini(imp->tmp_dir, imp, brand, size);
        if (r < 0)
                return r;
        if (imp->replace)
                return template_replace_atomically(imp->templates_dir, imp->name, imp->tmp_dir);
        /* rename() of a directory onto an existing non-empty one fails: a
         * template that appeared meanwhile is never overwritten. */
        if (rename(imp->tmp_dir, final) < 0)
                return errno == ENOTEMPTY ? -EEXIST : -errno;
        return 0;
}

int template_import_fs(const TemplateImport *imp) {
        const char *tmp = imp->tmp_dir;
        g_autofree char *rootfs = NULL;
        uint64_t size = 0;
        int r;

        if (mkdir(tmp, 0755) < 0)
                return -errno;
        rootfs = g_build_filename(tmp, "rootfs", NULL);
        if (mkdir(rootfs, 0755) < 0) {
                r = -errno;
                goto fail;
        }
        r = tree_copy(imp->source, rootfs, &size);
        if (r < 0)
                goto fail;
        r = template_import_commit(imp, imp->brand, size);
        if (r < 0)
                goto fail;
        return 0;
fail:
        (void) rm_rf(tmp);
        return r;
}
