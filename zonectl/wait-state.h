/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bus-connect.h"
#include "zone-info.h"

/* Waiting for a zone to reach a state after a method that only starts the
 * action (BootZone, PoweroffZone, …). Subscribe first (zone_wait_prepare),
 * then call the method, then zone_wait_run: it reads the state once and
 * then follows PropertiesChanged, so no change can slip through between the
 * call and the subscription. */

typedef enum ZoneGoal {
        ZONE_GOAL_RUNNING,  /* boot: running; stopped or failed is a failure */
        ZONE_GOAL_STOPPED,  /* poweroff, terminate: stopped or failed */
        ZONE_GOAL_REBOOTED, /* reboot: running with another leader; stopped or failed is a failure */
        ZONE_GOAL_CREATED,  /* create --copy: out of "creating"; failed is a failure */
        ZONE_GOAL_REMOVED,  /* remove: the zone object is gone */
} ZoneGoal;

typedef struct ZoneWait {
        Client *client;
        ZoneGoal goal;
        char *name;
        char *path;
        uint32_t old_leader; /* reboot: the leader before */
        ZoneInfo info;       /* the latest state seen */
        bool removed;        /* ZoneRemoved was seen */
        sd_bus_slot *properties_slot;
        sd_bus_slot *removed_slot;
} ZoneWait;

#define ZONE_WAIT_NULL \
        { .info = ZONE_INFO_NULL }

void zone_wait_done(ZoneWait *w);

/* Looks up the zone's object path (GetZone) and subscribes to its changes.
 * path may be given when the zone does not exist yet (create). */
int zone_wait_prepare(ZoneWait *w, Client *c, const char *name, const char *path, ZoneGoal goal,
                      sd_bus_error *error);

/* Waits for the goal. 0: reached. -EIO: the zone ended in a state that is
 * not the goal (w->info tells which, and StatusText why). -EIDRM: the zone
 * was removed. -ECONNRESET: zoned went away. -ETIME: deadline passed. */
int zone_wait_run(ZoneWait *w, uint64_t deadline);
