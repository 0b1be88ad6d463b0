/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "progress.h"

/* The worker side of the template store (see template.h): a template is built in a temp dir
 * and appears only complete, renamed into place. */

/* <templates_dir>/NAME. */
char *template_dir(const char *templates_dir, const char *name);

/* Puts the complete tree at staging (a directory in templates_dir) in place of
 * template name in one step, renameat2(RENAME_EXCHANGE): there is no instant
 * without a template of that name, and until that step the old template is
 * untouched. Then removes the old tree (it is at staging after the exchange;
 * it goes through a ".trash-" name). Without a template of that name it is a
 * plain rename (-EEXIST if one appears meanwhile). -EOPNOTSUPP if the file
 * system cannot exchange two directories. A removal that fails leaves a
 * ".trash-" directory, and still returns 0: the new template is in place. */
int template_replace_atomically(const char *templates_dir, const char *name, const char *staging);

/* What an import makes: template name in templates_dir, from source, built in tmp_dir. */
typedef struct TemplateImport {
        char *templates_dir;
        char *name;
        char *source;
        char *brand; /* "" when it is to be detected */
        char *origin;
        char *tmp_dir; /* chosen by zoned, so that it can clean up after a cancel */
        int source_fd; /* import-tar, import-raw: the stream (file or pipe) */
        /* The brands' detection rules (brand-detect.h), to detect the brand when none was given. */
        GPtrArray *detect_rules;
        bool replace; /* a template of that name is replaced (--force), see template_import_commit() */
} TemplateImport;

/* Frees what imp holds and closes its fd; imp is then empty. */
void template_import_done(TemplateImport *imp);

/* Worker side of an import of a directory: copy imp->source into a temp dir, write
 * template.ini, rename into place. Leaves nothing behind on failure. */
int template_import_fs(const TemplateImport *imp);

/* The last step of an import: writes template.ini (with brand, which may
 * differ from imp->brand when it was detected) beside the complete rootfs/
 * in imp->tmp_dir and renames the temp dir into place. -EEXIST if a
 * template of that name appeared meanwhile. Removes nothing on failure.
 * With imp->replace, an existing template of that name is replaced by
 * template_replace_atomically(): a failure before this step leaves it as it was. */
int template_import_commit(const TemplateImport *imp, const char *brand, uint64_t size);
/* The same, saying on progress why it failed. */
int template_import_commit_reported(const TemplateImport *imp, const char *brand, uint64_t size,
                                    ProgressWriter *progress);

/* The brand of the unpacked tree at rootfs: imp->brand when one was given, else the one its
 * /sbin/init tells. -EMEDIUMTYPE (said on progress, of "the archive" or "the image": what) when
 * no brand claims it. */
int template_import_brand(const TemplateImport *imp, const char *rootfs, const char *what,
                          ProgressWriter *progress, const char **ret);
