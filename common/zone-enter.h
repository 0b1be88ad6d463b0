/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>
#include <sys/types.h>

/* Entering a running zone from the host: the cgroups, namespaces and root directory of its
 * leader (the zone's init, by host pid; zone-leader.h). No logging, no glib, no sd-bus: errors
 * are returned as -errno.
 *
 * These are the steps; zone-attach.h puts them together into the one safe way of starting a
 * process in a zone (the zone must not reach it before it is wholly inside, and only that
 * process joins the zone's cgroups). */

#define ZONE_ENTER_NAMESPACES \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP)

/* Moves pid (0: the calling process), which must be single-threaded, into
 * the leader's cgroup in every hierarchy the host has mounted (cgroup v1
 * controllers, named v1 hierarchies, cgroup2), as /proc/<leader>/cgroup and
 * /proc/self/mountinfo describe them. Must run in the host's mount, cgroup
 * and pid namespaces. */
int zone_enter_cgroups(pid_t leader, int pidfd, pid_t pid);

/* Joins the leader's namespaces among nstypes (CLONE_NEW* flags), plus its
 * user namespace when that is not ours: first the mount namespace and the
 * leader's root directory (with "/" as the working directory), then the user
 * namespace and the others, the pid namespace (for children to come) among
 * them, as the zone's root (ids 0 there). Must start in the host's mount namespace, as the host's root. */
int zone_enter_namespaces(pid_t leader, int pidfd, int nstypes);
