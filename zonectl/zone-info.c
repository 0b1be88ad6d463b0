/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stddef.h>

#include "zone-info.h"

void zone_info_done(ZoneInfo *i) {
        free(i->name);
        free(i->state);
        free(i->brand);
        free(i->template);
        free(i->storage);
        free(i->status_text);
        strv_free(i->device_allow);
        *i = (ZoneInfo) ZONE_INFO_NULL;
}

static const struct {
        const char *property;
        char type;
        size_t offset;
} zone_info_table[] = {
        { "Name", 's', offsetof(ZoneInfo, name) },
        { "State", 's', offsetof(ZoneInfo, state) },
        { "Brand", 's', offsetof(ZoneInfo, brand) },
        { "Template", 's', offsetof(ZoneInfo, template) },
        { "Storage", 's', offsetof(ZoneInfo, storage) },
        { "StatusText", 's', offsetof(ZoneInfo, status_text) },
        { "Leader", 'u', offsetof(ZoneInfo, leader) },
        { "Since", 't', offsetof(ZoneInfo, since) },
        { "Autoboot", 'b', offsetof(ZoneInfo, autoboot) },
        { "PrivateUsers", 'b', offsetof(ZoneInfo, private_users) },
        { "Nesting", 'b', offsetof(ZoneInfo, nesting) },
        { "DeviceAllow", 'a', offsetof(ZoneInfo, device_allow) },
        { "UIDShift", 'u', offsetof(ZoneInfo, uid_shift) },
        { "UIDRange", 'u', offsetof(ZoneInfo, uid_range) },
};

static int read_value(sd_bus_message *m, char type, void *p) {
        const char *s;
        char *copy;
        int r;

        if (type == 'a') {
                char **l = NULL;

                r = sd_bus_message_read_strv(m, &l);
                if (r < 0)
                        return r;
                strv_free(*(char ***) p);
                *(char ***) p = l;
                return 0;
        }
        if (type != 's')
                return sd_bus_message_read_basic(m, type, p);
        r = sd_bus_message_read_basic(m, 's', &s);
        if (r < 0)
                return r;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        free(*(char **) p);
        *(char **) p = copy;
        return 0;
}

static int read_entry(ZoneInfo *i, sd_bus_message *m) {
        const char *property;
        int r;

        r = sd_bus_message_read_basic(m, 's', &property);
        if (r < 0)
                return r;
        for (size_t k = 0; k < ELEMENTSOF(zone_info_table); k++) {
                const char *sig = zone_info_table[k].type == 'a' ? "as"
                                                                 : (char[2]) { zone_info_table[k].type, 0 };

                if (!streq(property, zone_info_table[k].property))
                        continue;
                r = sd_bus_message_enter_container(m, 'v', sig);
                if (r < 0)
                        return r == -ENXIO ? -EBADMSG : r;
                r = read_value(m, sig[0], (uint8_t *) i + zone_info_table[k].offset);
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        return sd_bus_message_skip(m, "v");
}

int zone_info_read_dict(ZoneInfo *i, sd_bus_message *m) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = read_entry(i, m);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int zone_info_fetch(Client *c, const char *path, ZoneInfo *i, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = client_call(c, path, "org.freedesktop.DBus.Properties", "GetAll", error, &reply, "s",
                        ZONED_ZONE_INTERFACE);
        if (r < 0)
                return r;
        return zone_info_read_dict(i, reply);
}

int zone_get_path(Client *c, const char *name, char **ret, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = manager_call(c, "GetZone", error, &reply, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        *ret = strdup(path);
        return *ret ? 0 : -ENOMEM;
}
