/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The sd_notify(3) protocol between the zone's init and the supervisor.
 *
 * The zone's first process creates an AF_UNIX datagram socket, binds it at
 * NOTIFY_SOCKET_PATH in the zone's own /run (a tmpfs of the zone: no host
 * path is bound into the zone) and hands it to the supervisor over the spawn
 * socket; the init gets NOTIFY_SOCKET=NOTIFY_SOCKET_PATH in its environment.
 *
 * Only messages from the zone's init count: the sender's pid (SCM_CREDENTIALS,
 * translated by the kernel into the supervisor's pid namespace) must be the
 * leader's. Other processes of the zone can reach the socket, but what they
 * send is dropped: a service in the zone must not be able to declare the zone
 * ready or stopping. */

#define NOTIFY_SOCKET_DIR "/run/host"
#define NOTIFY_SOCKET_PATH NOTIFY_SOCKET_DIR "/notify"
/* One datagram; sd_notify messages are small, systemd's own limit is 4096 + 1 for the NUL. */
#define NOTIFY_MESSAGE_MAX 4096

typedef struct NotifyMessage {
        bool ready;     /* READY=1 */
        bool stopping;  /* STOPPING=1 */
        bool reloading; /* RELOADING=1 */
        char *status;   /* STATUS=..., or NULL */
} NotifyMessage;

void notify_message_done(NotifyMessage *m);
/* Parses the newline-separated KEY=VALUE assignments of one datagram; unknown keys are ignored
 * (sd_notify has many: MAINPID=, WATCHDOG=1, FDSTORE=1, ...). */
int notify_message_parse(const char *text, size_t len, NotifyMessage *ret);

/* Creates the socket and binds it at path (relative to the current directory, or absolute). */
int notify_socket_open(const char *path, int *ret_fd);
/* Reads one datagram. Returns -EAGAIN when there is none, 0 for one that did not come
 * with credentials or was truncated, 1 for a message: *ret_pid is the sender's pid. Any
 * file descriptors sent along (FDSTORE=1) are closed. */
int notify_socket_receive(int fd, pid_t *ret_pid, NotifyMessage *ret);
