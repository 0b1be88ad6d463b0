/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "zone.h"

/* What a zone's supervisor leaves when it is killed: the zone's processes (its init may outlive
 * it), its cgroups in every hierarchy, its runtime dir. zoned removes them as soon as it sees the
 * supervisor die, not at the zone's next boot: once the process is gone and zoned holds the lock
 * of the runtime dir (runtime-lock.h), "zoned-supervisor --clean-up" kills what is left in the
 * zone's cgroups and removes them, then zoned removes the runtime dir. Meanwhile the zone is
 * "stopping" (it cannot be booted or removed); then it is in the state the caller asked for. */

typedef struct ZoneCleanUp ZoneCleanUp;

/* pidfd: the dead supervisor, waited for before anything is touched, or -EBADF when it is known
 * to be gone. lock_fd: the runtime dir's lock when the caller holds it already, or -EBADF. Takes
 * both fds, also on failure. */
int zone_clean_up_start(Zone *z, int pidfd, int lock_fd, ZoneState final, const char *status);
ZoneCleanUp *zone_clean_up_free(ZoneCleanUp *c);
