/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "cgroup.h"
#include "launch-plan.h"
#include "syscall-filter.h"

/* Starts the zone's init: clone3() into new mount and pid namespaces and into
 * the zone's cgroup2 cgroup (made before; CLONE_INTO_CGROUP spares the wait for
 * an RCU grace period that a move costs). The child then makes its UTS, IPC and
 * network namespaces while the supervisor creates the zone's v1 cgroups, and
 * moves itself into them on "CGROUPS=<errno>"; while it does, the supervisor
 * makes the zone's root as a detached mount and sends it ("ROOT=<errno>" with
 * the mount's fd); while the child attaches it and builds the zone's tree on it
 * (see zone-mounts.h), the supervisor puts the device policy on the zone's
 * cgroups ("DEVICES=<errno>"). Then the child unshares its cgroup namespace,
 * pivots into the tree, makes the notify socket (notify.h), writes the machine
 * id if the zone has none (machine-id.h), drops capabilities (capabilities.h),
 * installs the system call filter (syscall-filter.h) and executes the init
 * with container=, container_uuid= and NOTIFY_SOCKET= in its environment.
 *
 * *ret_fd is our end of a SOCK_SEQPACKET socket that the child holds until
 * exec (it is O_CLOEXEC on its side). Over it the child sends:
 *     "PTY" with the console pty master attached (SCM_RIGHTS),
 *     "NOTIFY" with the zone's notify socket attached (see notify.h),
 *     "ERROR=<one line>" if it gives up before or at exec, then exits.
 * EOF without an ERROR message means the init was executed. */
int zone_spawn(const LaunchPlan *plan, const CgroupSet *cgroups, const SyscallFilter *filter, pid_t *ret_pid,
               int *ret_fd);

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
