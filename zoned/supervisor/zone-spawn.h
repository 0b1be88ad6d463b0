/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <sys/types.h>

#include "cgroup.h"
#include "launch-plan.h"
#include "syscall-filter.h"

/* What a supervisor makes before it knows its zone (a spare one does while it waits, see
 * zoned-supervisor --spare), for zone_spawn(): the device program, loaded and kept for every boot
 * (-EBADF: loaded by the first boot), and a fresh network namespace for the next boot, which
 * takes it (-EBADF: the child makes its own, ~0.6 ms). */
typedef struct ZonePrepared {
        int device_program;
        int netns;
} ZonePrepared;

#define ZONE_PREPARED_NULL ((ZonePrepared) { .device_program = -EBADF, .netns = -EBADF })

/* Makes both, the calling process staying in its own network namespace; what fails is left at
 * -EBADF (the boot makes it then, and reports why if it cannot). Single-threaded callers only.
 * < 0 only if the caller could not return to its own network namespace. */
int zone_prepared_make(ZonePrepared *p);
void zone_prepared_done(ZonePrepared *p);

/* Starts the zone's init: clone3() into new mount and pid namespaces and into
 * the zone's cgroup2 cgroup (made before; CLONE_INTO_CGROUP spares the wait for
 * an RCU grace period that a move costs). The child then makes its UTS, IPC and
 * network namespaces (or takes the prepared one), makes the zone's root and
 * builds the zone's tree on it (see zone-mounts.h), while the supervisor
 * creates the zone's v1 cgroups ("CGROUPS=<errno>": the child moves itself into
 * them once it has mounted) and puts the device policy on the zone's cgroups
 * ("DEVICES=<errno>"). The child needs nothing from the supervisor before its
 * tree is built: a woken child may have to wait until the supervisor sleeps
 * (a scheduler that packs tasks onto few CPUs, as some VMs' do, runs a woken
 * task on its waker's CPU), and by then the supervisor is done. Then the child
 * sets its host name, brings up lo, unshares its cgroup namespace, pivots into
 * the tree, makes the notify socket (notify.h), writes the machine id if the
 * zone has none (machine-id.h), drops capabilities (capabilities.h), installs
 * the system call filter (syscall-filter.h) and executes the init with
 * container=, container_uuid= and NOTIFY_SOCKET= in its environment.
 *
 * *ret_fd is our end of a SOCK_SEQPACKET socket that the child holds until
 * exec (it is O_CLOEXEC on its side). Over it the child sends:
 *     "PTY" with the console pty master attached (SCM_RIGHTS),
 *     "NOTIFY" with the zone's notify socket attached (see notify.h),
 *     "ERROR=<one line>" if it gives up before or at exec, then exits.
 * EOF without an ERROR message means the init was executed.
 *
 * A zone with a user namespace of its own (launch_plan_private_users()) is started by two
 * processes (userns.h): the init, born into the new user namespace with its pid, network, UTS and
 * IPC namespaces (so that they are the zone's), and a builder, still the host's root, in a mount
 * namespace of its own and the zone's pid and network namespaces, which the supervisor starts once
 * it has mapped the zone's ids. The builder builds the tree as above through idmapped layers
 * (zone-root-idmap.c), with /dev, /run and /tmp owned by the zone's root, changes into it, enters
 * the user namespace and unshares its mount namespace: the kernel locks every mount of that copy
 * (the masks of /proc, the read-only /proc/sys and /sys), which it sends to the init ("TREE" with
 * the fd) before it exits; an error it sends instead, the init passes on. The supervisor moves
 * the init into its v1 cgroups (delegated to the zone's root, as the cgroup2 one) before CGROUPS=;
 * the init becomes the zone's root, joins the tree and mounts, as its own, /dev/pts, the console
 * and /sys/fs/cgroup of its cgroup namespace (which it owns too). */
/* cgroups_ready is called once the zone's cgroups exist in every hierarchy and before the init may
 * run (the zone's limits go there); its error fails the start. */
typedef int (*zone_spawn_cgroups_func)(void *userdata);
int zone_spawn(const LaunchPlan *plan, const CgroupSet *cgroups, const SyscallFilter *filter,
               ZonePrepared *prepared, int disk_fd, zone_spawn_cgroups_func cgroups_ready, void *userdata,
               pid_t *ret_pid, int *ret_fd);

typedef enum SpawnMessageKind {
        SPAWN_UNKNOWN,
        SPAWN_PTY,
        SPAWN_NOTIFY,
        SPAWN_ERROR,
} SpawnMessageKind;

typedef struct SpawnMessage {
        SpawnMessageKind kind;
        int fd;      /* PTY, NOTIFY: the passed fd, owned by the message */
        char *error; /* ERROR: its text */
} SpawnMessage;

void spawn_message_done(SpawnMessage *m);

/* Reads one message from the spawn socket. Returns 0 at EOF, -EAGAIN when there is
 * nothing to read, -EBADMSG for a PTY or NOTIFY without an fd (or another message with
 * one), 1 for a message. */
int zone_spawn_receive(int fd, SpawnMessage *ret);
