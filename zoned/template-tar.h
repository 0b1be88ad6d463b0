/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "template.h"

/* Worker side of ImportTemplateTar: unpacks the tar stream imp->source_fd
 * (any compression libarchive reads) into imp->tmp_dir/rootfs, keeping
 * numeric ownership, modes, times, xattrs, ACLs and file capabilities,
 * detects the brand when imp->brand is empty, and renames the temp dir into
 * place. Entries that would land outside the rootfs ("..", absolute paths,
 * through symlinks) fail the import; device nodes are skipped (a zone's
 * /dev is made by its supervisor). Leaves nothing behind on failure.
 *
 * It writes lines to imp->report_fd for zoned:
 *     "B <bytes read from the stream>\n"   at most every 200 ms, and at the end
 *     "E <why it failed>\n"                once, before a failure is returned
 * Run it in a worker: it changes the working directory. */
int template_import_tar(const TemplateImport *imp);

#define TEMPLATE_TAR_REPORT_INTERVAL_USEC (200 * 1000ULL)
