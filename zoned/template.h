/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

/* The template store, <state_dir>/.templates/NAME/ with rootfs/ (read-only
 * by convention: zones overlay it) and template.ini (brand, origin, size).
 * A template appears only complete: it is built in a ".tmp-" directory and
 * renamed into place. */

typedef struct TemplateInfo {
        char *name;
        char *brand;
        char *origin;
        uint64_t size;
} TemplateInfo;

void template_info_free(TemplateInfo *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TemplateInfo, template_info_free)

char *template_dir(const char *templates_dir, const char *name);
char *template_rootfs(const char *templates_dir, const char *name);
bool template_exists(const char *templates_dir, const char *name);
int template_info_load(const char *templates_dir, const char *name, TemplateInfo **ret);
/* All templates, sorted by name. */
int template_list(const char *templates_dir, GPtrArray **ret);

/* Puts the complete tree at staging (a directory in templates_dir) in place of
 * template name in one step, renameat2(RENAME_EXCHANGE): there is no instant
 * without a template of that name, and until that step the old template is
 * untouched. Then removes the old tree (it is at staging after the exchange;
 * it goes through a ".trash-" name). Without a template of that name it is a
 * plain rename (-EEXIST if one appears meanwhile). -EOPNOTSUPP if the file
 * system cannot exchange two directories. A removal that fails leaves a
 * ".trash-" directory, and still returns 0: the new template is in place. */
int template_replace_atomically(const char *templates_dir, const char *name, const char *staging);

/* Worker side of an import: copy src into a temp dir, write template.ini,
 * rename into place. Leaves nothing behind on failure. */
typedef struct TemplateImport {
        char *templates_dir;
        char *name;
        char *source;
        char *brand;
        char *origin;
        char *tmp_dir; /* chosen by zoned, so that it can clean up after a cancel */
        /* import-tar only: */
        int source_fd;      /* the archive stream (file or pipe) */
        int report_fd;      /* progress and failure lines to zoned, see template-tar.h */
        GHashTable *brands; /* name → Brand*, to detect the brand when none was given */
        bool replace;       /* a template of that name is replaced (--force), see template_import_commit() */
} TemplateImport;
int template_import_fs(const TemplateImport *imp);
/* The last step of an import: writes template.ini (with brand, which may
 * differ from imp->brand when it was detected) beside the complete rootfs/
 * in imp->tmp_dir and renames the temp dir into place. -EEXIST if a
 * template of that name appeared meanwhile. Removes nothing on failure.
 * With imp->replace, an existing template of that name is replaced by
 * template_replace_atomically(): a failure before this step leaves it as it was. */
int template_import_commit(const TemplateImport *imp, const char *brand, uint64_t size);
