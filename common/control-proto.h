/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The supervisor's control protocol.
 *
 * Transport: a unix SOCK_SEQPACKET socket, "<zone runtime dir>/control",
 * plus the socketpair end that zoned hands to a supervisor it starts (fd
 * given by --control-fd). One message per packet, at most
 * CONTROL_MESSAGE_MAX bytes, made of "KEY=VALUE\n" lines.
 *
 * Supervisor → client: a full snapshot on connect and after every change:
 *     STATE=starting|running|stopping|stopped|failed
 *     LEADER=<host pid of the zone's init, 0 when there is none>
 *     SUPERVISOR=<pid of the supervisor>
 *     SINCE=<CLOCK_REALTIME µs of the last state change>
 *     OOMKILLS=<processes the kernel killed for the zone's memory limit in this boot>
 *     STATUS=<text: the init's STATUS=, or why the zone failed>  (optional)
 * After "stopped" or "failed" the supervisor cleans up and exits; clients
 * then see EOF.
 *
 * Client → supervisor:
 *     COMMAND=poweroff|reboot|halt|terminate
 *     COMMAND=kill  WHOM=leader|all  SIGNAL=<number>
 * answered by one message "RESULT=<0 or -errno>" (+ STATUS=<text> on error).
 *
 *     COMMAND=limits  RUNTIME=0|1  LIMIT=<Property>=<Value> ...
 * writes the limits (limit-table.h; IO devices as MAJ:MIN) to the zone's cgroups, all or none
 * (what the kernel refuses half-way is undone; STATUS= names the limit). With RUNTIME=0 they
 * are the next boot's too. -ESRCH when the zone does not run, -EOPNOTSUPP for a limit the host
 * has no way to apply.
 *
 *     COMMAND=lxcfs
 * binds the files of the plan's lxcfs into the running zone again, over those of an lxcfs that
 * died (zoned sends it once it started a new one on the same mount point).
 *
 *     COMMAND=console
 * attaches a console client: with "RESULT=0" comes (SCM_RIGHTS) one end of a
 * stream socketpair connected to the zone's /dev/console. Reading it gives
 * the tail of the console log, then what the zone writes to its console;
 * what is written to it goes to the console's input. It stays connected
 * across reboots of the zone, until the supervisor exits or the reader
 * falls too far behind.
 *
 * Every command gets exactly one answer, in the order the commands came.
 */

#define CONTROL_MESSAGE_MAX 4096
#define CONTROL_SOCKET_NAME "control"

/* Finds KEY in a message and returns a copy of its value; -ENOENT if absent. */
int control_message_get(const char *msg, size_t len, const char *key, char **ret);
