/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "limit-table.h"

/* A zone's limits written to, and its usage read from, its cgroup: the one ABOVE its "payload"
 * cgroup (the root of the zone's cgroup namespace, see zoned/supervisor/cgroup.h), so that root in
 * the zone, which may write in its payload, cannot raise them.
 *
 * Two backends behind one interface: cgroup v2 (memory.max, cpu.max, io.max, ...) and cgroup v1
 * (memory.limit_in_bytes, cpu.cfs_quota_us, blkio.throttle.*, ...). Each controller is used in
 * the hierarchy where the host has it: a v1 hierarchy that has it bound, else cgroup2 if its root
 * lists it in cgroup.controllers. A hybrid host thus uses v1 for memory, cpu, pids and blkio.
 *
 * What v1 cannot do is refused with -EOPNOTSUPP and a reason, never pretended:
 *   - memory-high: v1's memory.soft_limit_in_bytes is only a hint for reclaim under global
 *     pressure; it does not throttle a cgroup that goes past it, as memory.high does.
 *   - io-weight: blkio.weight exists only with the BFQ scheduler (blkio.bfq.weight), which
 *     kernels without BFQ lack.
 * And v1's conversions:
 *   - swap: v1 limits memory+swap together: memory.memsw.limit_in_bytes = MemoryMax +
 *     MemorySwapMax (infinity if either is); without swap accounting (no memsw file) swap is
 *     refused.
 *   - cpu-quota: cpu.cfs_period_us = 100000, cpu.cfs_quota_us = CPUQuotaPerSecUSec / 10.
 *   - cpu-weight: cpu.shares = CPUWeight * 1024 / 100 (systemd's conversion; 100 → 1024).
 *   - IO limits: v1 throttling is flat (a limit binds only the processes of its own cgroup), so they
 *     are written to the zone's payload cgroup too, where its processes live.
 * DiskQuota is not a cgroup limit: the backends leave it alone. */

typedef enum CgroupController {
        CGROUP_MEMORY,
        CGROUP_CPU,
        CGROUP_CPUACCT, /* v1 only; cgroup2's cpu has the usage */
        CGROUP_CPUSET,
        CGROUP_PIDS,
        CGROUP_IO, /* v1 blkio */
        _CGROUP_CONTROLLER_MAX,
} CgroupController;

typedef struct CgroupLimitPaths {
        char *dir[_CGROUP_CONTROLLER_MAX];  /* the zone's cgroup in the hierarchy that has it; NULL: none */
        char *root[_CGROUP_CONTROLLER_MAX]; /* that hierarchy's mount point */
        bool v2[_CGROUP_CONTROLLER_MAX];
} CgroupLimitPaths;

/* relative: the zone's cgroup below each hierarchy's root ("zoned/web"); mountinfo as for
 * cgroup_mounts_load(). */
int cgroup_limit_paths_find(const char *relative, const char *mountinfo, CgroupLimitPaths *ret);
void cgroup_limit_paths_done(CgroupLimitPaths *p);
/* "v1", "v2" or "none": which backend a controller uses. */
const char *cgroup_limit_paths_backend(const CgroupLimitPaths *p, CgroupController c);

/* Bit k set: limit k is to be written. */
typedef uint32_t LimitMask;
#define LIMIT_MASK(k) ((LimitMask) 1 << (k))
/* The cgroup limits that are set in l. */
LimitMask zone_limits_cgroup_mask(const ZoneLimits *l);

/* Whether the host can apply the limits of mask; -EOPNOTSUPP with *ret_key and *ret_reason for the
 * first it cannot. IO limits need their device as "MAJ:MIN" (io_device_resolve()). */
int cgroup_limits_check(const CgroupLimitPaths *p, const ZoneLimits *l, LimitMask mask, LimitKey *ret_key,
                        const char **ret_reason);
/* Writes the limits of mask from l, the zone's whole set of limits (v1's memsw needs both memory and
 * swap). On failure *ret_key is the limit that failed; the ones before it stay written (the caller
 * writes the old values back). */
int cgroup_limits_apply(const CgroupLimitPaths *p, const ZoneLimits *l, LimitMask mask, LimitKey *ret_key);

/* An IO limit's device → "MAJ:MIN" of the whole disk (block throttling works on disks, not on
 * partitions). device: an absolute path of a block device, or "MAJ:MIN"; NULL: the device of the
 * file system that holds default_path (the zone's writable layer). */
int io_device_resolve(const char *device, const char *default_path, char **ret);

/* Usage figures; UINT64_MAX where the host has no way to tell. */
typedef struct ZoneUsage {
        uint64_t memory_current;
        uint64_t memory_peak;
        uint64_t cpu_usage_nsec;
        uint64_t tasks_current;
        uint64_t io_read_bytes;
        uint64_t io_write_bytes;
        uint64_t oom_kills;
} ZoneUsage;

#define ZONE_USAGE_NULL \
        ((ZoneUsage) { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX })

/* Reads what the zone's cgroups say (a zone that does not run has none: all UINT64_MAX). */
void cgroup_usage_read(const CgroupLimitPaths *p, ZoneUsage *ret);
/* Only the OOM kill counter (v2 memory.events oom_kill, v1 memory.oom_control oom_kill). */
uint64_t cgroup_usage_oom_kills(const CgroupLimitPaths *p);
/* The file to watch for OOM kills: v2 memory.events (inotify IN_MODIFY), v1 memory.oom_control
 * (an eventfd registered in cgroup.event_control: cgroup_oom_eventfd()). */
int cgroup_oom_eventfd(const CgroupLimitPaths *p, int *ret_fd);
