/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The devices a zone file may give a zone beyond those every zone has (DeviceAllow=): the
 * ones a container manager or a VPN in the zone asks for, whose kernel side is namespaced or
 * checks the caller's own namespaces (FUSE mounts in a user namespace, tun links in the zone's
 * network namespace). Anything else (a disk, /dev/kvm, /dev/mem) is refused by name: a zone is
 * never given a host device that reaches beyond it. A set of them is a mask of bits, one per
 * entry of the table, in the table's order. */

typedef struct ZoneDevice {
        const char *path;      /* in the zone's /dev as on the host's */
        unsigned major, minor; /* a character device */
} ZoneDevice;

#define ZONE_DEVICES_N 2
/* For messages: the paths DeviceAllow= takes. */
#define ZONE_DEVICES_NAMES "/dev/fuse and /dev/net/tun"

extern const ZoneDevice zone_devices[ZONE_DEVICES_N];

/* The mask of a list of paths (NULL: none). -EINVAL for a path not in the table, which
 * *ret_bad (may be NULL) then points to. A path given twice counts once. */
int zone_devices_from_paths(char *const *paths, unsigned *ret_mask, const char **ret_bad);
/* Whether the mask has bits for devices not in the table. */
bool zone_devices_mask_is_valid(unsigned mask);
