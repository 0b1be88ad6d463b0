/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

/* The stdio of a zonectl shell command without a pty. Each of our stdin, stdout and stderr that
 * is a pipe goes to the command as it is: a pipe carries bytes and nothing else. Any other (a
 * terminal, a file, a socket, a device, nothing at all) stays with us, and the command gets a
 * pipe in its place, which we relay: with a host terminal the zone could type into it (TIOCSTI)
 * or read what is typed there after zonectl is gone, with a file change its mode and owner, with
 * a directory open what is below it, with a socket talk to whoever is at its other end. */

typedef struct StdioRelay {
        int zone[3]; /* what the command gets as fd 0, 1, 2 */
        int ours[3]; /* our end of the pipe in place of fd i; -EBADF where fd i goes as it is */
} StdioRelay;

#define STDIO_RELAY_NULL \
        ((StdioRelay) { .zone = { -EBADF, -EBADF, -EBADF }, .ours = { -EBADF, -EBADF, -EBADF } })

int stdio_relay_prepare(StdioRelay *r);
/* Closes the pipe ends the command has (once it has its copies). */
void stdio_relay_close_zone(StdioRelay *r);
/* Relays until the process (pidfd) has exited, then passes on what it had written. What is typed
 * after it exited is left on our stdin. */
int stdio_relay_run(StdioRelay *r, int pidfd);
void stdio_relay_done(StdioRelay *r);
