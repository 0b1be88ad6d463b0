/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "zone.h"

/* Gives a stopped (or failed) zone another brand, kept in its zone file: it boots with it next
 * time, and the new brand's fix-ups apply to its tree then. A running zone is Busy; a brand that
 * is not installed is NoSuchBrand, naming those that are. */
int zone_set_brand(Zone *z, const char *brand, sd_bus_error *error);

/* Zone.SetBrand(s) and Manager.SetZoneBrand(s, s). */
int zone_method_set_brand(sd_bus_message *m, Zone *z, sd_bus_error *error);
