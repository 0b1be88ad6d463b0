/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

/* Long work (copies, imports, removals) runs in a forked child so that the
 * D-Bus loop only dispatches. The child runs fn and exits with its result;
 * done is called in zoned with 0 or a negative errno. */
typedef struct Worker Worker;
typedef int (*worker_func)(void *userdata);
typedef void (*worker_done_func)(Worker *w, int result, void *userdata);

int worker_spawn(sd_event *e, const char *description, worker_func fn, void *fn_userdata,
                 worker_done_func done, void *done_userdata, Worker **ret);
/* Kills the child (SIGKILL) without calling done; safe on NULL. */
Worker *worker_free(Worker *w);
/* Kills the child; done is called once it was reaped, with -ECANCELED. */
int worker_cancel(Worker *w);
pid_t worker_pid(Worker *w);
