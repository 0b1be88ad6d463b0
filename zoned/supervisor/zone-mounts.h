/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "launch-plan.h"

/* The zone's file system tree, built by the zone's first process inside its
 * own mount namespace, before it becomes the init. Whole file systems are
 * mounted (proc, sysfs, cgroup2, tmpfs, devpts, mqueue), never binds of host subtrees,
 * so that a running zone can be checkpointed; lxcfs' files are the one exception, a few named
 * files that a checkpointer is told of as external mounts. Each helper is one step; the
 * caller (zone-spawn.c) turns a failure into a message. */

/* An overlay option value cannot hold ',', ':' or '\\' (the kernel would split on them). */
bool overlay_path_is_valid(const char *p);

int zone_mount_make_private(void);
/* The zone's disk image (plan->disk_image), attached to a loop device and mounted, detached
 * (fsmount()): its fd for zone_mount_disk(). Made by the supervisor before the zone's processes
 * start, in its own cgroups, whose device policy allows the loop device. -EBUSY if the image is on
 * a loop device already: a second superblock of one file would corrupt it. */
int zone_disk_open(const LaunchPlan *plan, int *ret_fd);
/* Attaches it on plan->disk_mount, in the zone's mount namespace: it goes with the zone. */
int zone_mount_disk(const LaunchPlan *plan, int disk_fd);
/* overlay of plan->lower/upper/work, or a recursive bind of the copied tree, on plan->rootfs. */
int zone_mount_root(const LaunchPlan *plan);
/* The same for a zone with a user namespace of its own (uid 0 in it = plan->uid_shift): the
 * template and the zone's state directory idmapped to that namespace under the overlay, or the
 * copied tree idmapped (zone-root-idmap.c). Called by the host's root, before the zone's user
 * namespace is entered. -EOPNOTSUPP when a file system cannot be idmapped; *ret_unmappable then
 * names the path on it (the template's tree, or the zone's own). */
int zone_mount_root_idmapped(const LaunchPlan *plan, int userns_fd, const char **ret_unmappable);
/* proc, with /proc/sys read-only but for /proc/sys/net (the zone's own network namespace). */
int zone_mount_proc(const char *root);
/* After /dev: binds the zone's /dev/null, read-only, over /proc entries about the host (kcore,
 * keys, timer_list, sysrq-trigger, ...), and makes /proc/irq, /proc/bus, ... read-only. */
int zone_mount_mask_proc(const char *root);
/* Binds lxcfs' proc/meminfo, cpuinfo, stat, loadavg, uptime, swaps, diskstats and
 * sys/devices/system/cpu/online (those it has) from its mount point lxcfs, read-only, over the
 * zone's; nothing when lxcfs is NULL, or dead already at the first file. After /proc and /sys. */
int zone_mount_lxcfs(const char *root, const char *lxcfs);

/* Nesting=yes: a procfs (read-write) and a sysfs (read-only) of the zone's under
 * /dev/.zoned-nesting with nothing mounted over them. The kernel lets a user namespace mount a
 * fresh procfs or sysfs only where one it can see is fully visible, and the zone's /proc and /sys
 * are not (masks, lxcfs' files, the tmpfs over /sys/fs): a container manager in the zone needs
 * these. What they show is what the masks hide (zoned.zone(5), NESTING). Made before the zone
 * enters its user namespace, like the masks: locked, the zone cannot unmount or change them. */
#define ZONE_NESTING_DIR "dev/.zoned-nesting"
int zone_mount_nesting(const char *root);
/* The same into the running zone of leader, over the files of an lxcfs that died (a new one serves
 * lxcfs now). Made from outside, so not locked, which matters little: what the zone's root can
 * unmount them to see is the dead lxcfs' files below (ENOTCONN). Nothing for a zone that booted
 * without lxcfs; -ESRCH without a leader. */
int zone_mount_lxcfs_refresh(const char *lxcfs, pid_t leader);
/* sysfs read-only, with an empty read-only tmpfs over /sys/fs (but for the cgroup mount point). */
int zone_mount_sys(const char *root);
/* cgroup2 on /sys/fs/cgroup, mounted from inside the zone's cgroup namespace. */
int zone_mount_cgroup2(const char *root);
/* tmpfs on /dev with the device nodes and links (those of device_allow, zone-devices.h, too),
 * and /dev/shm, all owned by owner (the host uid of the zone's root, the same as its gid). */
int zone_mount_dev(const char *root, uid_t owner, unsigned device_allow);
/* A devpts instance of the zone's own on /dev/pts, and /dev/mqueue when the kernel has it. */
int zone_mount_devpts(const char *root);
/* Opens a pty from the zone's devpts and binds its slave on /dev/console; returns the master. */
int zone_mount_console(const char *root, int *ret_master);
/* tmpfs on /run and /tmp, owned by owner. */
int zone_mount_run_tmp(const char *root, uid_t owner);
/* pivot_root into root and detach the old root. */
int zone_pivot_root(const char *root);
