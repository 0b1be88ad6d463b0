/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console: the zone's /dev/console, through zoned and the zone's supervisor,
 * which holds it: first the recent output, then live. Not a pty of ours, so
 * no window size. */

#include "pty-forward.h"
#include "zonectl.h"

int verb_console(int argc, char *argv[], Client *c) {
        /* The console never hangs up: without a terminal, the end of stdin detaches. */
        PtyForwardFlags flags = isatty(STDIN_FILENO) ? 0 : PTY_FORWARD_EXIT_ON_EOF;

        return zone_terminal_open(c, "OpenZoneConsole", argv[1], "the console", flags);
}
