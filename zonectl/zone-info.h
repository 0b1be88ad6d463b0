/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "bus-connect.h"

/* The properties of an org.zoned1.Zone object that zonectl acts on. */
typedef struct ZoneInfo {
        char *name;
        char *state;
        char *brand;
        char *template;
        char *storage;
        char *status_text;
        uint32_t leader;
        uint64_t since;
        int autoboot;        /* -1: not known */
        int private_users;   /* -1: not known */
        int nesting;         /* -1: not known */
        char **device_allow; /* DeviceAllow: NULL for none */
        uint32_t uid_shift;
        uint32_t uid_range;
} ZoneInfo;

#define ZONE_INFO_NULL \
        { .autoboot = -1, .private_users = -1, .nesting = -1 }

void zone_info_done(ZoneInfo *i);

/* Reads an a{sv} of zone properties (GetAll's reply, or the changed
 * properties of PropertiesChanged) at the message's position into i;
 * properties zonectl does not know are skipped. */
int zone_info_read_dict(ZoneInfo *i, sd_bus_message *m);
/* GetAll on the zone object. */
int zone_info_fetch(Client *c, const char *path, ZoneInfo *i, sd_bus_error *error);

/* GetZone: the object path of a zone. */
int zone_get_path(Client *c, const char *name, char **ret, sd_bus_error *error);
