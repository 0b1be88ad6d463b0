/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Compression of an exported tarball, by name: "tar" (none), "gzip", "xz",
 * "zstd", "bzip2". */
bool export_format_is_valid(const char *format);

/* Writes the tree at root as a pax tarball (numeric owners, modes, times,
 * xattrs, ACLs, file capabilities, hardlinks, sparse files) compressed as
 * format to fd, without crossing into mounts below root. Reports "B bytes"
 * (file data read so far) and "E why" lines to report_fd as template-tar.h
 * says. Run it in a worker: it changes the working directory. */
int export_tree_tar(const char *root, int fd, const char *format, int report_fd);

/* Worker side of ExportZoneTar for a stopped zone: a copy zone's rootfs is
 * read as it is; an overlay zone's merged view (its upper dir over its
 * template) is mounted read-only in a private mount namespace of the worker,
 * exactly as the zone sees it, whiteouts included. */
int export_zone_tar(const char *rootfs, const char *upper, const char *lower, int fd, const char *format,
                    int report_fd);
