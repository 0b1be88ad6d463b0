/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus-connect.h"

/* Connects our stdin and stdout to fd (a pty master or a console stream)
 * until one of:
 *  - the other side hangs up (EOF or EIO on fd): returns PTY_FORWARD_HANGUP;
 *  - Ctrl+] is typed three times within a second: PTY_FORWARD_DETACHED;
 *  - pidfd (if >= 0) says the process exited, and fd has nothing left to
 *    read: PTY_FORWARD_EXITED;
 *  - stdin ends and flags has PTY_FORWARD_EXIT_ON_EOF: PTY_FORWARD_STDIN_EOF
 *    (without it, forwarding goes on in one direction);
 *  - SIGTERM, SIGHUP or SIGINT reach us: PTY_FORWARD_SIGNALED.
 * A terminal on stdin is put in raw mode and restored; with
 * PTY_FORWARD_RESIZE the window size of our terminal is set on fd, now and
 * on every SIGWINCH. Returns < 0 on errors. */

typedef enum PtyForwardFlags {
        PTY_FORWARD_RESIZE = 1 << 0,
        PTY_FORWARD_EXIT_ON_EOF = 1 << 1,
} PtyForwardFlags;

typedef enum PtyForwardResult {
        PTY_FORWARD_HANGUP,
        PTY_FORWARD_DETACHED,
        PTY_FORWARD_EXITED,
        PTY_FORWARD_STDIN_EOF,
        PTY_FORWARD_SIGNALED,
} PtyForwardResult;

/* The detach key, Ctrl+], and how many presses within a second detach. */
#define PTY_FORWARD_ESCAPE 0x1d
#define PTY_FORWARD_ESCAPE_COUNT 3

int pty_forward(int fd, int pidfd, PtyForwardFlags flags);

/* Counts escape presses in buf; true when the last one detaches. Exported for the unit tests. */
typedef struct EscapeState {
        unsigned count;
        uint64_t first_usec;
} EscapeState;
bool pty_forward_escape_seen(EscapeState *s, const char *buf, size_t n, uint64_t now_usec);

/* For zonectl's verbs: calls method(name) on the manager, and forwards our
 * terminal to the fd it returns (first value of the reply), saying "Connected
 * to WHAT of zone NAME" and how it ended on a terminal. Returns the exit
 * status or < 0. */
int zone_terminal_open(Client *c, const char *method, const char *name, const char *what,
                       PtyForwardFlags flags);
