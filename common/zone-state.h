/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

typedef enum ZoneState {
        ZONE_CREATING,
        ZONE_STOPPED,
        ZONE_STARTING,
        ZONE_RUNNING,
        ZONE_STOPPING,
        ZONE_FAILED,
        _ZONE_STATE_MAX,
        _ZONE_STATE_INVALID = -EINVAL,
} ZoneState;

const char *zone_state_to_string(ZoneState s);
ZoneState zone_state_from_string(const char *s);
