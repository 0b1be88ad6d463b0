/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define ZONED_ERROR_PREFIX "org.zoned1.Error."

/* zoned's D-Bus error names, and the errno each stands for: one table for zoned, which sets them,
 * and for zonectl and other clients of this tree, which read them (sd_bus_error_get_errno(), %m). */

#define ZONED_ERROR_NO_SUCH_ZONE "org.zoned1.Error.NoSuchZone"
#define ZONED_ERROR_ZONE_EXISTS "org.zoned1.Error.ZoneExists"
#define ZONED_ERROR_INVALID_NAME "org.zoned1.Error.InvalidName"
#define ZONED_ERROR_NO_SUCH_TEMPLATE "org.zoned1.Error.NoSuchTemplate"
#define ZONED_ERROR_TEMPLATE_EXISTS "org.zoned1.Error.TemplateExists"
#define ZONED_ERROR_NO_SUCH_TRANSFER "org.zoned1.Error.NoSuchTransfer"
#define ZONED_ERROR_NO_SUCH_BRAND "org.zoned1.Error.NoSuchBrand"
#define ZONED_ERROR_NO_EMULATOR "org.zoned1.Error.NoEmulator"
#define ZONED_ERROR_NOT_RUNNING "org.zoned1.Error.NotRunning"
#define ZONED_ERROR_ALREADY_RUNNING "org.zoned1.Error.AlreadyRunning"
#define ZONED_ERROR_BUSY "org.zoned1.Error.Busy"
#define ZONED_ERROR_VERIFICATION_FAILED "org.zoned1.Error.VerificationFailed"
#define ZONED_ERROR_QUOTA_EXCEEDED "org.zoned1.Error.QuotaExceeded"
/* The pool of host ids for user namespaces has no free range left. */
#define ZONED_ERROR_NO_UID_RANGE "org.zoned1.Error.NoUIDRange"
/* A zone's host id range overlaps another zone's or the host's users (a hand-edited file). */
#define ZONED_ERROR_UID_RANGE_CONFLICT "org.zoned1.Error.UIDRangeConflict"
/* The kernel refuses zoned user namespaces, and the zone has PrivateUsers=yes. */
#define ZONED_ERROR_USER_NAMESPACES_UNAVAILABLE "org.zoned1.Error.UserNamespacesUnavailable"
/* A zone's file does not load (a bad or duplicate key, a symlink, ...): the zone runs on, but
 * does not boot until the file is fixed. */
#define ZONED_ERROR_BAD_ZONE_FILE "org.zoned1.Error.BadZoneFile"
/* An import of a directory that is, or holds, zoned's template store. */
#define ZONED_ERROR_SOURCE_CONTAINS_STORE "org.zoned1.Error.SourceContainsStore"
/* An archive or download with no file in it (a stream of zeros, say): no template is made. */
#define ZONED_ERROR_EMPTY_ARCHIVE "org.zoned1.Error.EmptyArchive"
/* The zone's storage was never completed (its creation was cut short): it can only be removed. */
#define ZONED_ERROR_ZONE_INCOMPLETE "org.zoned1.Error.ZoneIncomplete"
/* A disk quota larger than the free space of the state directory's file system. */
#define ZONED_ERROR_NOT_ENOUGH_SPACE "org.zoned1.Error.NotEnoughSpace"
/* A disk quota change that a running zone cannot take: a lower one (ext4 shrinks offline only), or
 * a higher one where zoned lacks CAP_SYS_RESOURCE, which growing a mounted ext4 needs. */
#define ZONED_ERROR_CANNOT_RESIZE_ONLINE "org.zoned1.Error.CannotResizeOnline"
/* A disk quota change for a zone created without one (it has no disk image). */
#define ZONED_ERROR_NO_DISK_IMAGE "org.zoned1.Error.NoDiskImage"

/* A zone's network (zoned/network-pool.h): an address another zone of the bridge holds, one outside
 * the bridge's networks (or its network, broadcast or own address), a bridge's networks with no
 * free address left, networks that overlap another bridge's, a host port another zone forwards,
 * a macvlan or ipvlan parent that does not exist. */
#define ZONED_ERROR_ADDRESS_IN_USE "org.zoned1.Error.AddressInUse"
#define ZONED_ERROR_ADDRESS_NOT_IN_POOL "org.zoned1.Error.AddressNotInPool"
#define ZONED_ERROR_POOL_EXHAUSTED "org.zoned1.Error.PoolExhausted"
#define ZONED_ERROR_POOL_OVERLAP "org.zoned1.Error.PoolOverlap"
#define ZONED_ERROR_PORT_IN_USE "org.zoned1.Error.PortInUse"
#define ZONED_ERROR_NO_SUCH_INTERFACE "org.zoned1.Error.NoSuchInterface"

/* Each name with its errno: zoned_error_map in bus-error-map.h (which needs sd-bus; these names
 * alone do not, so that zoned's workers can report them without it). */
/* What the host or zoned cannot do (a limit without a cgroup controller or a v1 equivalent). */
#define ZONED_ERROR_NOT_SUPPORTED "org.zoned1.Error.NotSupported"
/* A network mode the host cannot give the zone (ipvlan on a kernel without it, host with a user
 * namespace). */
#define ZONED_ERROR_NETWORK_MODE_UNSUPPORTED "org.zoned1.Error.NetworkModeUnsupported"
/* A device that DeviceAllow= does not take (zone-devices.h). */
#define ZONED_ERROR_DEVICE_NOT_ALLOWED "org.zoned1.Error.DeviceNotAllowed"
