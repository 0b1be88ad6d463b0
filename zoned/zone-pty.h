/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "zone.h"

/* Terminals into a running zone, for OpenZoneConsole, OpenZoneLogin and
 * OpenZoneShell. Each answers call itself, later: they return 0 once the
 * work is under way, or a negative errno with error set.
 *
 * The console comes from the supervisor (a stream to /dev/console).
 * Logins and shells run on a new pty of the zone's own devpts: a forked
 * helper joins the zone's pid namespace and forks a process in it, which
 * joins the cgroups and the other namespaces, opens the pty, forks the getty
 * or the shell on it and exits, so that the zone's init is the parent (and
 * reaper) of what runs in the zone. The pty master comes back on a socket. */

int zone_open_console(Zone *z, sd_bus_message *call, sd_bus_error *error);
int zone_open_login(Zone *z, sd_bus_message *call, sd_bus_error *error);
/* user "": root; path "": the user's shell, as a login shell; argv empty: { path }. */
int zone_open_shell(Zone *z, sd_bus_message *call, const char *user, const char *path, char **argv,
                    char **env, sd_bus_error *error);
