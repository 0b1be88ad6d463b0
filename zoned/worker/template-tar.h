/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "progress.h"
#include "template-import.h"

/* Worker side of ImportTemplateTar: unpacks the tar stream imp->source_fd
 * (any compression libarchive reads) into imp->tmp_dir/rootfs, keeping
 * numeric ownership, modes, times, xattrs, ACLs and file capabilities,
 * detects the brand when imp->brand is empty, and renames the temp dir into
 * place. Entries that would land outside the rootfs ("..", absolute paths,
 * through symlinks) fail the import; device nodes are skipped (a zone's
 * /dev is made by its supervisor). Leaves nothing behind on failure.
 *
 * It reports on progress (see progress.h):
 *     "B <bytes read from the stream>"   rate-limited, and at the end
 *     "N <D-Bus error name>"             before the "E" line of a failure that has one:
 *                                        org.zoned1.Error.EmptyArchive for an archive without
 *                                        a file (a stream of zeros is one), which makes no
 *                                        template even when a brand was given
 *     "E <why it failed>"                once, before a failure is returned
 * Run it in a worker: it changes the working directory. */
int template_import_tar(const TemplateImport *imp, ProgressWriter *progress);

/* Caps of one unpack: the sum of the regular files' sizes (a sparse file
 * counts with its full size) and the number of entries. The archive is
 * untrusted: an unpack over a cap fails with -EFBIG and leaves nothing. */
typedef struct TarLimits {
        uint64_t max_bytes;
        uint64_t max_files;
} TarLimits;

#define TEMPLATE_TAR_MAX_BYTES_DEFAULT (UINT64_C(16) << 30)
#define TEMPLATE_TAR_MAX_FILES_DEFAULT UINT64_C(2000000)

/* Called once the tree is unpacked, before its brand is detected and it is renamed
 * into place; a negative return fails the import (the hook wrote its "E" line). */
typedef int (*tar_before_commit_func)(void *userdata);

/* template_import_tar() with limits (NULL: the defaults) and a hook. */
int template_unpack_tar(const TemplateImport *imp, ProgressWriter *progress, const TarLimits *limits,
                        tar_before_commit_func before_commit, void *userdata);
