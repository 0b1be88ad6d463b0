/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "launch-plan.h"
#include "zone.h"

/* A zone's disk quota: its writable layer (overlay upper/ and work/, or the copied tree) lives on
 * a file system image of its own, <state>/NAME/disk.img: a sparse file of DiskQuota bytes with an
 * ext4 made at creation. The supervisor attaches it to a loop device (autoclear) and mounts it in
 * the zone's mount namespace (common/loop-device.h), so that it goes with the zone: no loop device
 * or mount stays behind a poweroff, a crash of the supervisor or of zoned. */

/* The smallest quota: an ext4 with a journal and room for a zone's files. */
#define ZONE_DISK_MIN ((uint64_t) 32 * 1024 * 1024)
/* The block size of the file system: the quota is rounded down to it. */
#define ZONE_DISK_BLOCK_SIZE 4096

char *zone_disk_image_path(Zone *z);
/* Where the image is mounted: the zone's rootfs (copy) or <state>/NAME/disk, holding upper/ and
 * work/ (overlay). */
char *zone_disk_mount_path(Zone *z);
/* The plan of a zone with a quota: the image, its mount point, and upper/work on it. */
void zone_disk_plan(Zone *z, LaunchPlan *p);

/* Whether bytes can be a zone's quota on this host, else a named error: InvalidArgs for 0 or less
 * than ZONE_DISK_MIN, NotEnoughSpace when growing by more than the free space of the state dir's
 * file system (the images are sparse, but a quota the host cannot hold now is a mistake). */
int zone_disk_check_quota(Manager *m, uint64_t bytes, uint64_t current, sd_bus_error *error);

/* Worker side of a creation: makes the sparse image of bytes and its ext4 (mkfs.ext4, lazy
 * initialisation: ~20 ms whatever the size), mounts it (detached: no mount namespace needed) and
 * makes upper/ and work/ in it, or copies the template's tree src into it (copy). */
int zone_disk_make(const char *image, uint64_t bytes, const char *copy_src);

/* DiskUsage: bytes of the disk not free (the file system's own bookkeeping included, as df in the
 * zone shows it): statfs() of the running zone's root, or the image's superblock for a stopped
 * zone. UINT64_MAX for a zone without a quota. */
int zone_disk_usage(Zone *z, uint64_t *ret);

/* Changes the quota of a zone that has one, keeping it in the zone file. Growing: the image
 * grows and its file system too, online (EXT4_IOC_RESIZE_FS on the mounted file system, which
 * needs CAP_SYS_RESOURCE) for a running zone, offline (e2fsck + resize2fs) for a stopped one.
 * Shrinking: offline only, refused with -ETXTBSY while the zone runs (ext4 cannot shrink
 * online), -EDQUOT below what the zone uses. -ENOMEDIUM: the zone has no disk image; -EBUSY: it is creating,
 * starting or stopping; -EINVAL, -ENOSPC: see zone_disk_check_quota(). zone_disk_set_quota_error() names
 * them. */
int zone_disk_set_quota(Zone *z, uint64_t bytes);
/* At boot: a stopped zone's image takes the size of DiskQuota= in its file (edited while zoned
 * did not run, say), grown or shrunk offline; named errors as zone_disk_set_quota_error(). */
int zone_disk_apply(Zone *z, sd_bus_error *error);
/* The resize itself, of the image file and its file system: online for a running zone's image
 * (attached and mounted), growing only; else offline. -ETXTBSY: a running zone's image cannot
 * shrink, nor grow without CAP_SYS_RESOURCE. */
int zone_disk_resize_image(const char *image, uint64_t bytes, bool running);
int zone_disk_set_quota_error(Zone *z, int r, uint64_t bytes, sd_bus_error *error);
