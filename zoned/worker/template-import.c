/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "brand-detect.h"
#include "macro.h"
#include "rootfs-init.h"
#include "template-import.h"
#include "tree-copy.h"

char *template_dir(const char *templates_dir, const char *name) {
        return g_build_filename(templates_dir, name, NULL);
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

void template_import_done(TemplateImport *imp) {
        g_free(imp->templates_dir);
        g_free(imp->name);
        g_free(imp->source);
        g_free(imp->brand);
        g_free(imp->origin);
        g_free(imp->tmp_dir);
        safe_close(imp->source_fd);
        if (imp->detect_rules)
                g_ptr_array_unref(imp->detect_rules);
        *imp = (TemplateImport) { .source_fd = -EBADF };
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

int template_import_commit_reported(const TemplateImport *imp, const char *brand, uint64_t size,
                                    ProgressWriter *progress) {
        int r = template_import_commit(imp, brand, size);

        if (r == -EEXIST)
                return progress_report_error(progress, r, "Template %s appeared meanwhile.", imp->name);
        if (r < 0)
                return progress_report_error(progress, r, "Cannot put template %s into place: %s", imp->name,
                                             strerror(-r));
        return 0;
}

int template_import_brand(const TemplateImport *imp, const char *rootfs, const char *what,
                          ProgressWriter *progress, const char **ret) {
        g_autofree char *init_name = NULL, *arch = NULL;
        const char *brand = NULL;

        if (!isempty(imp->brand)) {
                *ret = imp->brand;
                return 0;
        }
        brand = brand_detect_tree(imp->detect_rules, rootfs, &init_name, &arch);
        if (!brand)
                return progress_report_error(
                        progress, -EMEDIUMTYPE,
                        "Cannot tell the brand of %s: /sbin/init %s%s%s%s; name one with the brand option.",
                        what, init_name ? "is " : "does not exist", strempty(init_name), arch ? " for " : "",
                        strempty(arch));
        *ret = brand;
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
