/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The cgroup file systems of a mount namespace, from its mountinfo: the one parser of it, for the
 * supervisor (which hierarchies to make a zone's cgroups in) and for entering a zone (which
 * directory is the leader's cgroup in each). */

typedef struct CgroupMount {
        char *dev;   /* "MAJ:MIN": one per hierarchy, however often it is mounted */
        char *root;  /* the part of the hierarchy mounted there */
        char *where; /* mount point */
        bool v2;
        char *opts; /* super options: "rw,cpu,cpuacct", "rw,xattr,name=systemd" */
} CgroupMount;

void cgroup_mounts_free(CgroupMount *m, size_t n);

/* Every cgroup and cgroup2 mount listed in mountinfo (a path; NULL: /proc/self/mountinfo), in its
 * order. Lines it cannot parse are skipped. */
int cgroup_mounts_load(const char *mountinfo, CgroupMount **ret, size_t *ret_n);

/* Every item of controllers ("cpu,cpuacct", "name=systemd", as /proc/PID/cgroup lists them) is a
 * super option of the mount. */
bool cgroup_mount_has_controllers(const CgroupMount *m, const char *controllers);

/* The directory of path (a cgroup of the hierarchy, "/zoned/web") under the mount; NULL if it is
 * not below the part of the hierarchy mounted there, or on ENOMEM. */
char *cgroup_mount_dir(const CgroupMount *m, const char *path);
