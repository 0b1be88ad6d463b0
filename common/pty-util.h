/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Opens a new pty from the devpts mounted at /dev/pts of the calling
 * process's mount namespace (call it inside the zone: the pty must be the
 * zone's own). Returns the master (O_CLOEXEC), the slave (O_CLOEXEC, opened
 * through the master, no path lookup) and the slave's path in the zone. */
int zone_pty_open(int *ret_master, int *ret_slave, char **ret_path);

/* New session with slave as its controlling terminal and as stdin, stdout,
 * stderr (slave itself is closed if it is not one of those). */
int zone_pty_make_controlling(int slave);

/* True if fd is the master of a pty (a devpts ptmx). */
bool zone_pty_is_master(int fd);
