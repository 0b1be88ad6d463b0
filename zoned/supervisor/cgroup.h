/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The zone's cgroup in every mounted hierarchy: each cgroup v1 mount (one per
 * controller set or name=) and the cgroup2 mount. The supervisor creates and
 * removes them; the zone's init joins them itself, so the supervisor stays
 * outside its zone's cgroups.
 *
 * The init lives one level down, in the zone's "payload" group, which is the
 * root of its cgroup namespace: what the zone may write there (devices.allow,
 * cpu.weight, memory limits of v1 or cgroup2 files) reaches no further than
 * the zone's group above it, which carries the device policy (and the zone's
 * limits) out of the zone's sight. */

#define CGROUP_PAYLOAD "payload"

typedef struct CgroupHierarchy {
        char *mount_point;
        char *path;    /* mount_point + "/" + the zone's relative cgroup */
        char *payload; /* path + "/" CGROUP_PAYLOAD: the init's cgroup */
        bool unified;  /* cgroup2 */
        bool cpuset;   /* v1 cpuset: new cgroups get cpuset.cpus/mems from their parent */
        bool devices;  /* v1 devices: the zone's cgroup gets the device allow list (as the cgroup2 one) */
        bool pids;     /* v1 pids */
        bool blkio;    /* v1 blkio: the payload's directory is not delegated (cgroup-limits.h) */
} CgroupHierarchy;

typedef struct CgroupSet {
        char *relative; /* e.g. "zoned/web" */
        CgroupHierarchy *hierarchies;
        size_t n_hierarchies;
        size_t procs_index;    /* the hierarchy whose cgroup.procs lists the zone's processes */
        unsigned device_allow; /* the zone's DeviceAllow= (zone-devices.h), set by the caller */
} CgroupSet;

/* "zoned/web": relative, no empty, "." or ".." components. */
bool cgroup_relative_path_is_valid(const char *p);

/* Finds the hierarchies in /proc/self/mountinfo (or the given file, for tests). Leading
 * slashes of relative are ignored. -ENOMEDIUM if no cgroup file system is mounted. */
int cgroup_set_discover(const char *relative, const char *mountinfo, CgroupSet *ret);
void cgroup_set_done(CgroupSet *s);
/* Whether the host has a cgroup2 hierarchy (hybrid or pure v2). */
bool cgroup_set_has_unified(const CgroupSet *s);

/* Whether the host has a way to keep a zone to the devices of its /dev: a
 * v1 devices hierarchy or cgroup2 (for a BPF device program). */
bool cgroup_set_confines_devices(const CgroupSet *s);

/* mkdir -p of the zone's cgroup and its payload in the cgroup2 hierarchy
 * (unified) or in every v1 one, retrying when a sibling supervisor removes a
 * shared parent at the same moment. In cgroup2 the parent and the zone's
 * cgroup pass on the controllers they have; in the v1 devices hierarchy the
 * zone's cgroup gets the device allow list before the payload is made below
 * it (it inherits it). -EOPNOTSUPP when the host has no way to confine a
 * zone's devices; -EBUSY when a leftover zone cgroup with children allows
 * every device (the kernel changes a default only without children). With an owner (the host
 * uid of the root of a zone with a user namespace; 0: none) the payload is delegated to it:
 * the directory and the files that move processes and enable controllers are chowned, as
 * systemd delegates a subtree. */
int cgroup_set_create(const CgroupSet *s, bool unified, uid_t owner);
/* Once all exist: the zone's cgroup2 cgroup gets the device allow list as a
 * BPF device program (on a hybrid host too; the v1 list was set at creation):
 * the zone may then open only the devices a zone has in /dev (null, zero,
 * ptys, ...; device-policy.h). It must be done before the zone's init is
 * executed, not before it is born: the supervisor does it while the child
 * builds its tree (zone-spawn.h).
 * *program_fd is the loaded program (device_policy_load_program()), or < 0: it
 * is loaded here (~0.3-0.5 ms) and kept there for the next boot. -EOPNOTSUPP
 * when the kernel has no BPF device programs; -EPERM when bpf() is refused
 * (the zone would not be confined). */
int cgroup_set_confine_devices(const CgroupSet *s, int *program_fd);
/* An fd of the zone's cgroup2 payload directory, for clone3(CLONE_INTO_CGROUP); -ENOMEDIUM on a
 * host without cgroup2. */
int cgroup_set_open_unified(const CgroupSet *s);
/* Moves the calling process, which must be single-threaded, into the zone's payload cgroup of
 * every hierarchy; skip_unified when it was born in the cgroup2 one. */
int cgroup_set_join(const CgroupSet *s, bool skip_unified);
/* The guest's init may create cgroups below the zone's own (its cgroup namespace
 * root), so the functions below look at the whole subtree. */

/* The pids in the zone's cgroup subtree (host pid namespace); *ret_n may be 0. */
int cgroup_set_get_pids(const CgroupSet *s, pid_t **ret, size_t *ret_n);
/* Sends sig to every process of the zone's cgroup; returns how many got it. */
int cgroup_set_kill(const CgroupSet *s, int sig);
/* 1 if no hierarchy has a process in the zone's subtree (a missing cgroup counts as empty). */
int cgroup_set_is_empty(const CgroupSet *s);
/* Removes the zone's subtrees, then the parents that no other zone uses. */
int cgroup_set_remove(const CgroupSet *s);
