/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "zone-state.h"

static const char *const zone_state_table[_ZONE_STATE_MAX] = {
        [ZONE_CREATING] = "creating", [ZONE_STOPPED] = "stopped",   [ZONE_STARTING] = "starting",
        [ZONE_RUNNING] = "running",   [ZONE_STOPPING] = "stopping", [ZONE_FAILED] = "failed",
};

const char *zone_state_to_string(ZoneState s) {
        if (s < 0 || s >= _ZONE_STATE_MAX)
                return NULL;
        return zone_state_table[s];
}

ZoneState zone_state_from_string(const char *s) {
        if (!s)
                return _ZONE_STATE_INVALID;
        for (int i = 0; i < _ZONE_STATE_MAX; i++)
                if (streq(zone_state_table[i], s))
                        return (ZoneState) i;
        return _ZONE_STATE_INVALID;
}
