/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

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
 * exactly as the zone sees it, whiteouts included. A zone with a disk image
 * (disk_image, not NULL) has it mounted read-only on disk_mount first, in the
 * same namespace. */
int export_zone_disk_tar(const char *disk_image, const char *disk_mount, const char *rootfs,
                         const char *upper, const char *lower, int fd, const char *format, int report_fd);
int export_zone_tar(const char *rootfs, const char *upper, const char *lower, int fd, const char *format,
                    int report_fd);

/* Reads the a{sv} options of a call that takes one string option, key:
 * anything else is InvalidArgs. *ret is left alone when key is not given. */
int bus_read_string_option(sd_bus_message *msg, const char *key, const char **ret, sd_bus_error *error);

/* The D-Bus method ExportZoneTar(s name, h fd, a{sv} options) → (u id, o transfer). */
int method_export_zone_tar(sd_bus_message *msg, void *userdata, sd_bus_error *error);
