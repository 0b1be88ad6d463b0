/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "zone.h"

/* Autoboot= of a zone, changed live and kept in its file (zonectl enable/disable): zoned boots
 * the zone when it starts for the first time after a host boot (manager.c). Changing it boots or
 * stops nothing now, in any state. A zone whose file does not load is BadZoneFile: its file is
 * the admin's to fix, never overwritten. */
int zone_set_autoboot(Zone *z, bool autoboot, sd_bus_error *error);

/* Zone.SetAutoboot(b) and Manager.SetZoneAutoboot(s, b). */
int zone_method_set_autoboot(sd_bus_message *m, Zone *z, sd_bus_error *error);
