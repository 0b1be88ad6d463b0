/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "zone-devices.h"

const ZoneDevice zone_devices[ZONE_DEVICES_N] = {
        { "/dev/fuse", 10, 229 },
        { "/dev/net/tun", 10, 200 },
};

int zone_devices_from_paths(char *const *paths, unsigned *ret_mask, const char **ret_bad) {
        unsigned mask = 0;

        for (char *const *p = paths; p && *p; p++) {
                size_t i = 0;

                while (i < ZONE_DEVICES_N && strcmp(zone_devices[i].path, *p) != 0)
                        i++;
                if (i == ZONE_DEVICES_N) {
                        if (ret_bad)
                                *ret_bad = *p;
                        return -EINVAL;
                }
                mask |= 1u << i;
        }
        *ret_mask = mask;
        return 0;
}

bool zone_devices_mask_is_valid(unsigned mask) {
        return (mask >> ZONE_DEVICES_N) == 0;
}
