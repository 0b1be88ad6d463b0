/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* login: zoned starts the zone's own getty on a new pty of the zone's devpts
 * and hands us the master; our terminal is connected to it. */

#include "pty-forward.h"
#include "zonectl.h"

int verb_login(int argc, char *argv[], Client *c) {
        return zone_terminal_open(c, "OpenZoneLogin", argv[1], "a login", PTY_FORWARD_RESIZE);
}
