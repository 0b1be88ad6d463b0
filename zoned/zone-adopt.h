/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "zone.h"

/* Re-adoption of running zones when zoned starts, without waiting on any supervisor: one that
 * is alive (it listens on its control socket, or holds the lock of its runtime dir) is connected
 * to, and its first snapshot tells the zone's state, however long it takes to answer; one that
 * is alive but cannot be connected to yet is tried again; what one that died while zoned was not
 * running left is removed (zone-clean-up.h). Nothing a live supervisor owns is removed. */

/* For a zone just loaded from its configuration. */
void zone_adopt(Zone *z);

/* Runs the event loop until every zone being adopted is settled, for a short while at most:
 * the first caller sees the true state of the zones whose supervisors answer at once, and a slow
 * one holds up nobody; its zone is "starting" until it answers. */
void zone_adopt_settle(Manager *m);
