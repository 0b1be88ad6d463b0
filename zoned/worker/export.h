/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "progress.h"
#include "tree-copy.h"

/* Compression of an exported tarball, by name: "tar" (none), "gzip", "xz",
 * "zstd", "bzip2". */
bool export_format_is_valid(const char *format);

/* Writes the tree at root as a pax tarball (numeric owners, modes, times,
 * xattrs, ACLs, file capabilities, hardlinks, sparse files) compressed as
 * format to fd, without crossing into mounts below root. Reports "B bytes"
 * (file data read so far) and "E why" on progress. A failure to write says
 * what the system said (ENOSPC: "No space left on device").
 * unshift (NULL: owners as they are) undoes a shifted copy's owners: the ids
 * of its range become the zone's own, any other id 65534.
 * Run it in a worker: it changes the working directory. */
int export_tree_tar(const char *root, int fd, const char *format, const TreeShift *unshift,
                    ProgressWriter *progress);

/* What an export of a stopped zone writes where. */
typedef struct ExportJob {
        char *disk_image; /* the zone's disk image (a disk quota), NULL without one */
        char *disk_mount; /* where the zone's tree finds it mounted */
        char *rootfs;
        char *upper; /* NULL for a copy zone */
        char *lower; /* the template's rootfs under upper */
        char *format;
        TreeShift unshift; /* a shifted copy's host ids; range 0 for a zone whose files carry its own */
        int fd;            /* the tarball goes here */
} ExportJob;

/* Frees what x holds and closes its fd. */
void export_job_done(ExportJob *x);

/* Worker side of ExportZoneTar for a stopped zone: a copy zone's rootfs is
 * read as it is; an overlay zone's merged view (its upper dir over its
 * template) is mounted read-only in a private mount namespace of the worker,
 * exactly as the zone sees it, whiteouts included. A zone with a disk image
 * (x->disk_image, not NULL) has it mounted read-only on x->disk_mount first, in
 * the same namespace. */
int export_zone_tar(const ExportJob *x, ProgressWriter *progress);
