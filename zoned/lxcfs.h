/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

/* zoned's own lxcfs (the FUSE file system of LXC and Incus that serves /proc/meminfo, cpuinfo,
 * stat, loadavg, uptime, swaps, diskstats and /sys/devices/system/cpu/online as the reading
 * process's cgroups and pid namespace see them). Supervisors bind its files over a zone's /proc
 * and /sys entries (zone-mounts.h), so that free, top, uptime and nproc in a zone tell its limits.
 *
 * It runs on <runtime>/lxcfs, never on the host's own lxcfs mount (/var/lib/lxcfs), with
 * <runtime>/lxcfs.pid as its pid file: lxcfs holds a write lock on that file as long as it runs,
 * which is how zoned tells a live one (and its pid) from a stale file, after a restart or a
 * `kill -9` of zoned too. A zone's binds of lxcfs files fail with ENOTCONN once that lxcfs has
 * died, so it outlives zoned as the supervisors do: it is started in a session of its own, as a
 * child of zoned's parent (not killed with zoned, not reaped by it), with the OOM score of the
 * lxcfs service. It is started by the first boot that wants it and re-adopted or started again
 * by every later boot; zoned holds no descriptor of it in between. */

#define LXCFS_DEFAULT_PATH "/usr/bin/lxcfs"

/* Where zoned's lxcfs is mounted: <runtime>/lxcfs. */
char *lxcfs_mount_point(Manager *m);
char *lxcfs_pid_file(Manager *m);

/* At startup: logs whether lxcfs can be had (--no-lxcfs, not installed: said once, here), and
 * re-adopts a live one. */
void lxcfs_startup(Manager *m);

/* Once the zones are adopted: when an lxcfs of ours was killed and zones run, starts a new one
 * and binds it into them, as the next boot would. */
void lxcfs_revive(Manager *m);

/* For a boot: the mount point of a live lxcfs, started (and waited for, a few tens of ms) if none
 * runs; NULL when zones boot without it, which is logged once per reason. */
char *lxcfs_ensure(Manager *m);

/* At zoned's exit: stops lxcfs (it unmounts itself) when no zone is running, starting or
 * stopping; with one, lxcfs stays for it and for the next zoned. */
void lxcfs_stop_if_unused(Manager *m);
