/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <systemd/sd-bus.h>

#include "manager.h"

/* zoned's side of the zones' user namespaces (the supervisor makes them): each private zone's
 * range of host ids, allocated from the pool, kept in its zone file and checked against the
 * other zones'; and whether the kernel gives user namespaces at all. */

/* Every range in use (UidRange) but that of except (may be NULL): the other zones', those of
 * zone files that did not load, what /etc/subuid and /etc/subgid hand out and what running
 * processes map. */
int manager_taken_uid_ranges(Manager *m, const Zone *except, GArray **ret);

/* Without --uid-pool=: a zoned in a user namespace of a container takes its pool from the ids the
 * namespace maps (uid_pool_from_maps()), and says so. */
int manager_pick_uid_pool(Manager *m);

/* How many ids a private zone gets: NESTING_UID_RANGE_SIZE with Nesting=yes, else UID_RANGE_SIZE. */
uint32_t zone_wanted_uid_range(const Zone *z);

/* Gives a private zone without a range the lowest free one of the pool (in memory: the caller
 * saves the file). -ENOSPC: none is left. */
int zone_allocate_uid_range(Zone *z);
/* The bus error for a failed zone_allocate_uid_range() of z: NoUIDRange for -ENOSPC. */
int zone_uid_range_error(const Zone *z, int r, sd_bus_error *error);

/* After all zone files are loaded: a zone whose range overlaps that of a zone before it in the
 * order of names, or reaches below the pool (the host's own users), does not boot, and zoned says
 * so in its log and the zone's status; private zones whose file has no range get one, saved to
 * the file. */
void manager_check_uid_ranges(Manager *m);

/* Whether a zone may boot as far as its users are concerned: PrivateUsers=no, or a range of its
 * own (allocated now if it has none) and a kernel that gives zoned user namespaces. Sets a named
 * error; a refused zone is left as it was. */
int zone_check_user_namespace(Zone *z, sd_bus_error *error);
