/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "zone.h"

#define ZONE_OBJECT_PREFIX "/org/zoned1/zone"
#define ZONE_INTERFACE "org.zoned1.Zone"

int zone_dbus_register(Manager *m, sd_bus *bus);
/* names: NULL-terminated list of property names that changed. */
void zone_emit_properties_changed(Zone *z, const char *const *names);
void zone_emit_new(Zone *z);
void zone_emit_removed(Zone *z);

/* Method bodies shared by the Manager (by name) and Zone (on the object) interfaces. */
int zone_method_boot(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_poweroff(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_reboot(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_terminate(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_kill(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_remove(sd_bus_message *m, Zone *z, sd_bus_error *error);
/* These answer later (the supervisor or a helper has to do the work first). */
int zone_method_open_console(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_open_login(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_method_open_shell(sd_bus_message *m, Zone *z, sd_bus_error *error);
