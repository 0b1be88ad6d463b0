/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "zone.h"

/* zoned's end of a zone supervisor's control socket (see control-proto.h):
 * starts supervisors, re-attaches to live ones after a restart, turns their
 * snapshots into zone state, and sends them commands. */

/* Writes the plan and starts a supervisor for z. */
int supervisor_link_spawn(Zone *z, const char *plan_path, SupervisorLink **ret);
/* Connects to the control socket of a running supervisor, without waiting for it: its first
 * snapshot sets the zone's state when it comes. -ENOENT or -ECONNREFUSED when none listens there,
 * -EAGAIN when its queue of connections is full. */
int supervisor_link_attach(Zone *z, SupervisorLink **ret);
/* Whether the supervisor sent its first snapshot. */
bool supervisor_link_answered(SupervisorLink *l);
/* Sends "COMMAND=…" (+ extra lines); the answer is logged if it is an error. */
int supervisor_link_command(SupervisorLink *l, const char *command, const char *extra);

/* The answer to a command: result 0 or -errno (-ECONNRESET when the
 * supervisor went away first), its STATUS= text (or NULL), and the file
 * descriptor that came with it (or -EBADF; the callee may take it with
 * TAKE_FD, otherwise it is closed after the call). */
typedef void (*supervisor_reply_func)(int result, const char *status, int *fd, void *userdata);
/* Sends a command whose answer goes to reply (called exactly once, also when the link is freed). */
int supervisor_link_call(SupervisorLink *l, const char *command, const char *extra,
                         supervisor_reply_func reply, void *userdata);
/* COMMAND=ports: replaces the zone's forwards that the supervisor serves on the host's [::1]
 * (ports: port_forward_format() texts, "tcp:8080:80"; none: no forward) and, unless addresses is
 * NULL, where they go (the zone's network addresses, "fd42::5/64": the first IPv6 one, else the
 * first IPv4 one). zoned sends it when a running zone's forwards or addresses change. The answer
 * goes to reply as for supervisor_link_call() (NULL: an error is logged); the supervisor's next
 * snapshot names the host ports it could not have (PORTERROR=, control-proto.h). -E2BIG when
 * they do not fit in one message (some 190 forwards). */
int supervisor_link_set_ports(SupervisorLink *l, char *const *ports, char *const *addresses,
                              supervisor_reply_func reply, void *userdata);
SupervisorLink *supervisor_link_free(SupervisorLink *l);
