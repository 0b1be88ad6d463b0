/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "bus-errors.h"
#include "bus-options.h"
#include "manager-dbus.h"
#include "zone-limits-dbus.h"
#include "zone-limits.h"

int bus_read_limit(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error) {
        ZoneLimits *l = userdata;
        LimitKey k = limit_key_from_property(key);
        const char *contents = NULL, *text;
        LimitValue v = {};
        uint64_t n;
        char type;
        int r;

        if (k < 0)
                return -ENOENT;
        r = sd_bus_message_peek_type(msg, &type, &contents);
        if (r < 0)
                return r;
        if (streq_ptr(contents, "t") && streq(limit_info(k)->dbus_type, "t")) {
                r = sd_bus_message_read(msg, "v", "t", &n);
                if (r < 0)
                        return r;
                if (limit_from_number(k, n, &v) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid value %" PRIu64 " for limit %s (%s).", n, key,
                                                 limit_info(k)->cli);
        } else if (streq_ptr(contents, "s")) {
                r = sd_bus_message_read(msg, "v", "s", &text);
                if (r < 0)
                        return r;
                if (limit_parse(k, text, &v) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid value \"%s\" for limit %s (%s).", text, key,
                                                 limit_info(k)->cli);
        } else
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Limit %s must be of type %s, or a string as zonectl set takes it.",
                                         key, limit_info(k)->dbus_type);
        limit_value_done(&l->v[k]);
        l->v[k] = v;
        return 0;
}

static int read_limit_or_refuse(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error) {
        int r = bus_read_limit(msg, key, userdata, error);

        if (r == -ENOENT)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown limit \"%s\".", key);
        return r;
}

int zone_method_set_limits(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        ZoneLimits req = {};
        int runtime, r;

        /* The caller first: a non-root caller learns nothing of its arguments. */
        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = bus_read_options_full(m, NULL, 0, read_limit_or_refuse, &req, error);
        if (r >= 0)
                r = sd_bus_message_read(m, "b", &runtime);
        if (r >= 0)
                r = zone_set_limits(z, &req, runtime, m, error);
        zone_limits_done(&req);
        if (r < 0)
                return r;
        if (r > 0)
                return 1; /* answered once the supervisor did */
        return sd_bus_reply_method_return(m, NULL);
}

int zone_object_set_limits(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return zone_method_set_limits(m, userdata, error);
}

int manager_method_set_zone_limits(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        Zone *z = NULL;
        int r;

        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = bus_get_zone(userdata, name, &z, error);
        if (r < 0)
                return r;
        return zone_method_set_limits(m, z, error);
}

int zone_property_get_limit(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        LimitKey k = limit_key_from_property(property);
        ZoneLimits l = {};
        int r;

        if (k < 0)
                return -EINVAL;
        r = zone_limits_effective(z, &l);
        if (r < 0)
                return r;
        if (limit_info(k)->kind == LIMIT_KIND_CPU_LIST)
                r = sd_bus_message_append(reply, "s", strempty(l.v[k].text));
        else
                r = sd_bus_message_append(reply, "t", limit_value_effective(k, &l.v[k]));
        zone_limits_done(&l);
        return r;
}

int zone_property_get_usage(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        static const struct {
                const char *name;
                size_t offset;
        } fields[] = {
                { "MemoryCurrent", offsetof(ZoneUsage, memory_current) },
                { "MemoryPeak", offsetof(ZoneUsage, memory_peak) },
                { "CPUUsageNSec", offsetof(ZoneUsage, cpu_usage_nsec) },
                { "TasksCurrent", offsetof(ZoneUsage, tasks_current) },
                { "IOReadBytes", offsetof(ZoneUsage, io_read_bytes) },
                { "IOWriteBytes", offsetof(ZoneUsage, io_write_bytes) },
                { "OOMKills", offsetof(ZoneUsage, oom_kills) },
        };
        ZoneUsage u;

        zone_usage(userdata, &u);
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (streq(fields[i].name, property))
                        return sd_bus_message_append(
                                reply, "t", *(const uint64_t *) ((const uint8_t *) &u + fields[i].offset));
        return -EINVAL;
}
