/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

/* A zone's user namespace, and the namespaces it owns.
 *
 * The zone's init is born into a new user namespace together with the pid, network, UTS and IPC
 * namespaces, which that user namespace then owns: root in the zone is root of what is the zone's
 * (its reboot(2) ends only the zone; it may bring its own lo up), and of nothing else. Its tree is
 * built meanwhile by a second process of the supervisor's, still the host's root, in a mount
 * namespace of its own and in the zone's pid and network namespaces (for /proc and /sys): the
 * idmapped root, /proc with its masks, /sys, /dev. That builder then enters the user namespace and
 * unshares its mount namespace: the kernel copies it for the zone and locks every mount of the copy,
 * so the zone's root can neither unmount a mask nor make a read-only one writable. The init joins
 * that copy (zone-spawn.c).
 *
 * Zone ids 0..range-1 are host ids shift..shift+range-1, for users and groups alike. */

typedef struct ZoneUserns {
        int user;
        int pid;
        int net;
        int uts;
        int ipc;
} ZoneUserns;

#define ZONE_USERNS_NULL \
        ((ZoneUserns) { .user = -EBADF, .pid = -EBADF, .net = -EBADF, .uts = -EBADF, .ipc = -EBADF })

/* The namespaces the zone's init was born with (clone flags). */
#define ZONE_USERNS_CLONE_FLAGS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)

/* Writes the uid and gid map of pid's user namespace. */
int zone_userns_write_maps(pid_t pid, uint32_t shift, uint32_t range);
/* fds of pid's user, pid, network, UTS and IPC namespaces. */
int zone_userns_open(pid_t pid, ZoneUserns *ret);
void zone_userns_done(ZoneUserns *u);

/* In the builder, while it is the host's root: joins the zone's network, UTS and IPC namespaces
 * (before /sys and mqueue are mounted: they show their mounter's). */
int zone_userns_join_owned(const ZoneUserns *u);
/* In the builder, once the tree is built and it has changed into it: enters the user namespace as
 * the zone's root and unshares its mount namespace, which locks the mounts. */
int zone_userns_enter(const ZoneUserns *u);
/* Ids 0 (the zone's root) for a process that is in the user namespace already. Changing ids clears
 * the parent death signal: the caller sets it again. */
int zone_userns_become_root(void);

/* Runs the caller's next clone in the zone's pid namespace: the pid namespace for children of the
 * calling (single-threaded) process is switched to the zone's, and back by zone_userns_pid_leave(). */
int zone_userns_pid_enter(const ZoneUserns *u, int *ret_own);
int zone_userns_pid_leave(int *own);
