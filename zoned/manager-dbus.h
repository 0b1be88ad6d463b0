/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"

#define MANAGER_OBJECT_PATH "/org/zoned1"
#define MANAGER_INTERFACE "org.zoned1.Manager"

int manager_dbus_register(Manager *m, sd_bus *bus);

/* The zone of that name, or InvalidName / NoSuchZone. */
int bus_get_zone(Manager *m, const char *name, Zone **ret, sd_bus_error *error);
