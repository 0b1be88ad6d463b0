/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "progress.h"
#include "template-import.h"

/* The file system type libblkid finds in the image file at path ("ext4",
 * "xfs", ...). -EMEDIUMTYPE for a partitioned disk or no file system. */
int raw_image_probe(const char *path, char **ret_type);

/* Worker side of ImportTemplateRaw: the raw disk image read from
 * imp->source_fd (a file or a pipe; compressed with gz, xz, zstd or bz2 or
 * not) is written as a sparse file into imp->tmp_dir, probed with libblkid,
 * mounted read-only through a loop device (autoclear) as a detached mount
 * (common/loop-device.h), and its tree copied to imp->tmp_dir/rootfs; then
 * unmounted (the mount's fd closed, which detaches the loop device), the
 * image removed, the brand detected when imp->brand is empty, and the
 * template renamed into place. Reports "B bytes" and "E why" on progress. If
 * the worker is killed, its fds close, and with them go the mount and the
 * loop device; zoned removes the temp dir. */
int template_import_raw(const TemplateImport *imp, ProgressWriter *progress);

/* The same for an image that comes from a libarchive reader which is open,
 * has the raw format on (archive_read_support_format_raw()) and has read
 * the header of its one entry: e.g. a download that libarchive reads through
 * callbacks. imp->source_fd is not used. */
struct archive;
int template_import_raw_archive(const TemplateImport *imp, struct archive *a, ProgressWriter *progress);
