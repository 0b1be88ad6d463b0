/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* File system images on loop devices, for zoned and for the supervisor (which links no libmount:
 * it is linked statically). A loop device is attached with LO_FLAGS_AUTOCLEAR: it detaches itself
 * when its last user goes, the mount of its file system included, so that no process that dies
 * (kill -9 included) leaves a loop device behind. */

/* Attaches path (read-write, or read-only) to a free loop device; returns an fd of the device and
 * its node (/dev/loopN). Closing the fd detaches it unless a mount holds it by then. */
int loop_device_attach(const char *path, bool read_only, int *ret_fd, char **ret_node);
/* The node of the loop device path is attached to: 0, or -ENXIO if none. */
int loop_device_find(const char *path, char **ret_node);
/* The device at node re-reads the size of its file (after the file grew). */
int loop_device_set_capacity(const char *node);

/* A detached mount (fsmount()) of the fstype file system on the block device node, with the
 * options ("a,b=c") given to the file system: an O_PATH fd of its root. Attached with
 * move_mount(), or used through *at() calls and /proc/self/fd; closing it unmounts it if it was
 * never attached. An existing superblock of the device (a running zone's) is shared. */
int loop_device_fsmount(const char *node, const char *fstype, const char *options, int *ret_fd);
/* loop_device_attach() then loop_device_fsmount(): the loop device lives as long as the mount. */
int image_fsmount(const char *path, const char *fstype, const char *options, bool read_only, int *ret_fd);
/* The same for an image that must not be on a loop device yet: -EBUSY if it is (a second loop
 * device, and a second superblock of one file system, would corrupt it). */
int image_fsmount_exclusive(const char *path, const char *fstype, const char *options, bool read_only,
                            int *ret_fd);
