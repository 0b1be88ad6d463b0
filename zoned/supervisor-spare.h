/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "manager.h"

/* A supervisor started before a boot needs it. Starting one (spawn, exec, the loader, its first
 * page faults) costs ~0.7 ms, on the path of every boot; a spare has paid that ahead. It waits on
 * its control socket (zoned-supervisor --spare); a boot writes its plan to the path on the spare's
 * command line and sends "START=1", and from then on the spare is that zone's supervisor like any
 * other. One spare at most; a used one is replaced a moment later, so that starting the next one
 * does not take a CPU from the boot it served. */

typedef struct SpareSupervisor SpareSupervisor;

/* Starts a spare after delay_usec, unless there is one or spares are off. */
void spare_supervisor_schedule(Manager *m, uint64_t delay_usec);
/* Whether plan_path is one of the spares' plan paths, which no other boot uses again. */
bool spare_supervisor_plan_is_unique(Manager *m, const char *plan_path);
/* Where a boot writes its plan for the spare; NULL when there is none. */
const char *spare_supervisor_plan_path(Manager *m);
/* Hands the spare the plan at plan_path: returns its pid and zoned's end of its control socket.
 * -ESRCH: no spare waits for that path; other errors: the spare is gone (it is forgotten). */
int spare_supervisor_take(Manager *m, const char *plan_path, pid_t *ret_pid, int *ret_fd);
/* A supervisor process of ours ended; forgets the spare if it was the spare. */
void spare_supervisor_exited(Manager *m, pid_t pid);
/* Removes the plans of supervisors that died without cleaning up (no process names them). */
void spare_supervisor_clean_leftovers(Manager *m);
/* Ends the spare (at zoned's exit). */
void spare_supervisor_done(Manager *m);
