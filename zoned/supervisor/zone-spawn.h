/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "cgroup.h"
#include "launch-plan.h"
#include "syscall-filter.h"

/* Starts the zone's init: clone() into new mount, pid, UTS, IPC and network
 * namespaces; the child joins the zone's cgroups and unshares its cgroup
 * namespace, builds the zone's tree (see zone-mounts.h), pivots into it,
 * makes the notify socket (notify.h), writes the machine id if the zone has
 * none (machine-id.h), drops capabilities (capabilities.h), installs the system
 * call filter (syscall-filter.h) and executes the init with container=, container_uuid= and NOTIFY_SOCKET= in its environment.
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
