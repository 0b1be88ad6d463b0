/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "cgroup.h"
#include "launch-plan.h"

/* Starts the zone's init: clone() into new mount, pid, UTS, IPC and network
 * namespaces; the child joins the zone's cgroups, builds the zone's tree,
 * pivots into it and executes the init.
 *
 * *ret_fd is our end of a SOCK_SEQPACKET socket that the child holds until
 * exec (it is O_CLOEXEC on its side). Over it the child sends:
 *     "PTY" with the console pty master attached (SCM_RIGHTS), then
 *     "ERROR=<one line>" if it gives up before or at exec, then exits.
 * EOF without an ERROR message means the init was executed. */
int zone_spawn(const LaunchPlan *plan, const CgroupSet *cgroups, pid_t *ret_pid, int *ret_fd);

/* Reads one message from the spawn socket. Returns 0 at EOF, -EAGAIN when there is
 * nothing to read, 1 for a message: *ret_master gets a passed pty master (or -EBADF),
 * *ret_error the text of an ERROR= message (or NULL). */
int zone_spawn_receive(int fd, int *ret_master, char **ret_error);
