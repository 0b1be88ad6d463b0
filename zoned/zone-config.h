/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capability-change.h"
#include "limit-table.h"
#include "zone-config-network.h"

/* A zone's persistent configuration, <config_dir>/NAME.zone (ini):
 *   [Zone]
 *   Template=bb
 *   Brand=busybox
 *   Storage=overlay|copy|shifted-copy
 *   Autoboot=false
 *   MachineID=0123456789abcdef0123456789abcdef
 *   PrivateUsers=true
 *   UIDShift=524288
 *   UIDRange=65536
 *   Capabilities=..., DropCapabilities=...
 *   Nesting=true
 *   DeviceAllow=/dev/fuse /dev/net/tun
 *   [Limits]
 *   DiskQuota=2147483648
 *   LXCFS=true
 *   MemoryMax=..., ... (zone-config-limits.h)
 *   [Network]
 *   Mode=bridge, Address=..., ... (zone-config-network.h)
 */
typedef struct ZoneConfig {
        char *template_name;
        char *brand;
        bool copy; /* Storage=copy: a full copy of the template, not an overlay */
        /* Storage=shifted-copy (copy is set too): a copy whose files carry the zone's host ids
         * (uid_shift + the id the zone sees), made where zoned cannot idmap its state directory
         * (zoned in a zone); the zone's range never changes then. */
        bool shifted;
        bool autoboot;
        char *machine_id; /* the zone's stable /etc/machine-id; never NULL after a load */
        /* A user namespace of its own (PrivateUsers=, default yes): zone ids 0..uid_range-1 are
         * host ids uid_shift.. (gids the same). uid_range is 0 for PrivateUsers=no, and for a
         * private zone whose file has no range yet (zone.c allocates one and saves it). */
        bool private_users;
        uint32_t uid_shift;
        uint32_t uid_range;
        CapabilityChange capabilities;
        /* [Limits] DiskQuota=, bytes: the size of the zone's disk image (zone-disk.h); 0 for a
         * zone without one, whose writable layer is a directory of the state dir. */
        uint64_t disk_quota;
        bool lxcfs; /* LXCFS=, default yes: zoned's lxcfs files over its /proc entries (lxcfs.h) */
        /* Nesting=, default no: what a container manager inside the zone needs (zoned.zone(5),
         * NESTING): a procfs and a sysfs of the zone's that its masks do not cover, so that the
         * kernel lets it mount fresh ones. */
        bool nesting;
        /* DeviceAllow=, a mask of zone-devices.h: /dev/fuse, /dev/net/tun in the zone's /dev and
         * its device policy; 0 for none (the default). */
        unsigned device_allow;
        ZoneLimits limits;
        ZoneNetwork network; /* [Network] (zone-config-network.h) */
} ZoneConfig;

void zone_config_done(ZoneConfig *c);
/* On -EBADMSG, *ret_error says "FILE:LINE: what is wrong"; a symlink (-ELOOP), a FIFO or
 * anything but a regular file is refused without reading it (see ini_load_full()), and so is a
 * key or section given twice. A file without MachineID= (written
 * before zones had one) gets a new one, written back to the file so that it stays. A range, if
 * the file has one, is a multiple of UID_RANGE_SIZE ids (uid_range_size_is_valid()) above the
 * host's root. */
int zone_config_load(const char *path, ZoneConfig *ret, char **ret_error);
/* The checks of zone_config_load() on text already read (no NUL, at most INI_FILE_MAX bytes),
 * path naming it in messages; nothing is written, and machine_id stays NULL without MachineID=. */
int zone_config_parse(const char *path, const char *text, ZoneConfig *ret, char **ret_error);
/* A new random machine id (UUID v4 bits, as systemd makes them), 32 lowercase hex digits. */
int zone_config_new_machine_id(char **ret);
/* What can be read of a zone file that does not load (a bad or duplicate key), for a zone that
 * runs all the same: Template= and Brand= if they are valid names (else ""), Storage=, DiskQuota=,
 * PrivateUsers= and the range (UIDShift= and UIDRange= if both are numbers of a valid range,
 * else 0). The file is read as zone_config_load() reads it (no symlink, regular files only);
 * what cannot be read is left at those defaults. machine_id stays NULL. */
void zone_config_salvage(const char *path, ZoneConfig *ret);
/* The range of a zone file that may not load, as zone_config_salvage() reads it, so that it
 * stays taken while the file exists. 0 if it has none. */
void zone_config_peek_uid_range(const char *path, uint32_t *ret_shift, uint32_t *ret_range);
/* Writes the file atomically (temp file + rename). */
/* DeviceAllow='s value for a mask of zone-devices.h: the paths in the table's order, separated
 * by spaces ("" for none). */
char *zone_config_device_allow_text(unsigned mask);
/* The same as a NULL-terminated list of paths (NULL for none). */
char **zone_config_device_allow_paths(unsigned mask);
/* Storage=: "overlay", "copy" or "shifted-copy". */
const char *zone_config_storage_name(const ZoneConfig *c);
int zone_config_save(const char *path, const ZoneConfig *c);
