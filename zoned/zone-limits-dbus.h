/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "limit-table.h"
#include "zone.h"

/* The limits on the bus: SetLimits (Zone) and SetZoneLimits (Manager), the limit properties
 * (PropertiesChanged when they change) and the usage figures (read on request; OOMKills also
 * announced when the kernel kills in the zone). */

/* One entry of an a{sv} of limits (a bus_option_unknown_func of bus-options.h): key is a property
 * name of the limit table, the value of its type (t or s), or a string as zonectl set takes it
 * ("512M"). userdata: the ZoneLimits being read. Unknown key: -ENOENT. */
int bus_read_limit(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error);

int zone_method_set_limits(sd_bus_message *m, Zone *z, sd_bus_error *error);
int manager_method_set_zone_limits(sd_bus_message *m, void *userdata, sd_bus_error *error);

int zone_property_get_limit(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error);
int zone_property_get_usage(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error);

#define ZONE_LIMIT_PROPERTY(name, type) \
        SD_BUS_PROPERTY(name, type, zone_property_get_limit, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)
#define ZONE_USAGE_PROPERTY(name) SD_BUS_PROPERTY(name, "t", zone_property_get_usage, 0, 0)

/* The vtable entries of org.zoned1.Zone for its limits and usage. */
#define ZONE_LIMITS_VTABLE                                                                                  \
        ZONE_LIMIT_PROPERTY("MemoryMax", "t"), ZONE_LIMIT_PROPERTY("MemoryHigh", "t"),                      \
                ZONE_LIMIT_PROPERTY("MemorySwapMax", "t"), ZONE_LIMIT_PROPERTY("CPUQuotaPerSecUSec", "t"),  \
                ZONE_LIMIT_PROPERTY("CPUWeight", "t"), ZONE_LIMIT_PROPERTY("AllowedCPUs", "s"),             \
                ZONE_LIMIT_PROPERTY("TasksMax", "t"), ZONE_LIMIT_PROPERTY("IOWeight", "t"),                 \
                ZONE_LIMIT_PROPERTY("IOReadBandwidthMax", "t"),                                             \
                ZONE_LIMIT_PROPERTY("IOWriteBandwidthMax", "t"), ZONE_LIMIT_PROPERTY("IOReadIOPSMax", "t"), \
                ZONE_LIMIT_PROPERTY("IOWriteIOPSMax", "t"), ZONE_USAGE_PROPERTY("MemoryCurrent"),           \
                ZONE_USAGE_PROPERTY("MemoryPeak"), ZONE_USAGE_PROPERTY("CPUUsageNSec"),                     \
                ZONE_USAGE_PROPERTY("TasksCurrent"), ZONE_USAGE_PROPERTY("IOReadBytes"),                    \
                ZONE_USAGE_PROPERTY("IOWriteBytes"),                                                        \
                SD_BUS_PROPERTY("OOMKills", "t", zone_property_get_usage, 0,                                \
                                SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                                       \
                SD_BUS_METHOD_WITH_NAMES("SetLimits", "a{sv}b", SD_BUS_PARAM(limits) SD_BUS_PARAM(runtime), \
                                         NULL, , zone_object_set_limits, SD_BUS_VTABLE_UNPRIVILEGED)

int zone_object_set_limits(sd_bus_message *m, void *userdata, sd_bus_error *error);
