/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "manager.h"

/* Starting a zoned-supervisor process: its own session, a clean signal state, /dev/null as stdin,
 * one end of a new SOCK_SEQPACKET socketpair as its control socket (fd 3); the manager reaps it
 * (on SIGCHLD, without a descriptor per supervisor). With spare set it is started with --spare:
 * it waits on the control socket for zoned's "START=1" before it reads plan_path
 * (supervisor-spare.h). Returns zoned's end of the control socket. */
int supervisor_spawn(Manager *m, const char *plan_path, bool spare, pid_t *ret_pid, int *ret_fd);
/* "zoned-supervisor --clean-up=CGROUP" in the same way, without a control socket, reaped by the
 * caller's own child source (zone-clean-up.h), not by the supervisors' reaper. */
int supervisor_spawn_clean_up(Manager *m, const char *cgroup, pid_t *ret_pid);

/* Forgets the supervisors not reaped yet (they go on running) and the SIGCHLD source. */
void supervisor_reaper_done(Manager *m);
