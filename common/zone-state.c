/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "zone-state.h"

static const char *const zone_state_table[_ZONE_STATE_MAX] = {
        [ZONE_CREATING] = "creating", [ZONE_STOPPED] = "stopped",   [ZONE_STARTING] = "starting",
        [ZONE_RUNNING] = "running",   [ZONE_STOPPING] = "stopping", [ZONE_FAILED] = "failed",
};

DEFINE_STRING_TABLE_LOOKUP(zone_state, ZoneState);
