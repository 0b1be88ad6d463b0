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
 *     PORTERROR=<forward> <text>  (one per port forward that has no listener on [::1], e.g.
 *                                  "PORTERROR=tcp:8080:80 Address already in use")
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
 *     COMMAND=ports  PORT=<proto>:<host port>[:<zone port>] ...  [ADDRESS=<zone address>[/len] ...]
 * replaces the zone's forwards on the host's [::1] (port-proxy.h): IPv6 has no route_localnet,
 * so nftables' DNAT cannot serve a client on [::1], and the supervisor, which lives in the
 * host's network namespace and outlives zoned, listens there itself and relays to the zone.
 * Without PORT= lines there are none. A forward whose protocol and host port were there keeps
 * its listener and its open connections; a removed one stops listening at once (its open TCP
 * connections may finish, its UDP flows end); a new one listens. ADDRESS= lines (the plan's
 * network addresses, as zoned knows them) say where new connections go: the first IPv6 one,
 * else the first IPv4 one; without them the address stays as it was (first the plan's). A bad
 * PORT= or ADDRESS=, or two forwards of one protocol and host port, are -EINVAL (STATUS= names
 * it) and change nothing; a zone on the host's network has no forwards (-EOPNOTSUPP). A host
 * port that cannot be had is no error of the command: the forward stays, unserved, named by a
 * PORTERROR= line of the snapshot (every ports command sends one before its answer), and is
 * tried again at the next ports command.
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
/* The values of every KEY line, in order (a strv; NULL when there is none). */
int control_message_get_all(const char *msg, size_t len, const char *key, char ***ret);
