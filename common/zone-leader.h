/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "syscall-filter.h"

/* A running zone's leader (its init, by host pid) as the host sees it. What is read of it through
 * /proc belongs to it only if it still lives afterwards (pid numbers are reused): every reader
 * checks its pidfd after reading. No logging, no glib, no sd-bus: errors are -errno. */

/* A pidfd for the leader (O_CLOEXEC). */
int zone_leader_open(pid_t leader, int *ret_pidfd);
/* 0 if the process of pidfd still runs, -ESRCH if it is gone. */
int zone_leader_check_alive(int pidfd);
/* The zone's capabilities: its init's bounding set (the brand's and the zone file's
 * Capabilities=, as the launch plan gave it), read while pidfd shows the init still runs. */
int zone_leader_capabilities(pid_t leader, int pidfd, uint64_t *ret);

/* The value of "--plan=" on a supervisor's command line (zoned-supervisor --plan=PATH ...), read
 * up to 4 KiB; -ESRCH if pid is not a zoned-supervisor. */
int zone_supervisor_plan_path(pid_t supervisor, char **ret);

/* The system call filter the zone's init runs under (syscall-filter.h), from the launch plan its
 * supervisor, the leader's parent, was started with: whatever enters the zone is to get the same
 * one, applied right before its exec. An empty filter for a zone whose plan has none. Must run
 * in the host's mount namespace; -ESRCH if the leader's parent is no zoned-supervisor. */
int zone_syscall_filter_load(pid_t leader, SyscallFilter *ret);
