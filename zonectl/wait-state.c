/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-error-names.h"
#include "wait-state.h"

void zone_wait_done(ZoneWait *w) {
        w->properties_slot = sd_bus_slot_unref(w->properties_slot);
        w->removed_slot = sd_bus_slot_unref(w->removed_slot);
        free(w->name);
        free(w->path);
        zone_info_done(&w->info);
        *w = (ZoneWait) ZONE_WAIT_NULL;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ZoneWait *w = userdata;
        const char *interface;

        if (sd_bus_message_read(m, "s", &interface) < 0 || !streq(interface, ZONED_ZONE_INTERFACE))
                return 0;
        /* Changed values are taken as they come; invalidated ones (none in the
         * contract today) would need a GetAll, which zone_wait_check does not
         * need: State is always sent with its value. */
        (void) zone_info_read_dict(&w->info, m);
        return 0;
}

static int on_zone_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        ZoneWait *w = userdata;
        const char *name, *path;

        if (sd_bus_message_read(m, "so", &name, &path) < 0)
                return 0;
        if (streq(name, w->name) || streq(path, w->path))
                w->removed = true;
        return 0;
}

int zone_wait_prepare(ZoneWait *w, Client *c, const char *name, const char *path, ZoneGoal goal,
                      sd_bus_error *error) {
        int r;

        w->client = c;
        w->goal = goal;
        w->name = strdup(name);
        if (!w->name)
                return -ENOMEM;
        /* The object path follows from the name (the D-Bus contract): no GetZone round trip,
         * unless the zone is read before the call (reboot), where GetZone names a missing zone. */
        if (path)
                w->path = strdup(path);
        else if (goal == ZONE_GOAL_REBOOTED) {
                r = zone_get_path(c, name, &w->path, error);
                if (r < 0)
                        return r;
        } else {
                r = sd_bus_path_encode(ZONED_ZONE_PATH_PREFIX, name, &w->path);
                if (r < 0)
                        return r;
        }
        if (!w->path)
                return -ENOMEM;

        /* Installed without waiting for the bus's answer: it handles our messages in order, so
         * the matches are in place before the call that follows them. */
        r = client_match_signal_async(c, &w->properties_slot, w->path, "org.freedesktop.DBus.Properties",
                                      "PropertiesChanged", on_properties_changed, w);
        if (r < 0)
                return r;
        r = client_match_signal_async(c, &w->removed_slot, ZONED_MANAGER_PATH, ZONED_MANAGER_INTERFACE,
                                      "ZoneRemoved", on_zone_removed, w);
        if (r < 0)
                return r;

        if (goal == ZONE_GOAL_REBOOTED) {
                r = zone_info_fetch(c, w->path, &w->info, error);
                if (r < 0)
                        return r;
                w->old_leader = w->info.leader;
        }
        return 0;
}

static int zone_wait_check(void *userdata) {
        ZoneWait *w = userdata;
        const char *s = w->info.state;

        if (w->removed)
                return w->goal == ZONE_GOAL_REMOVED ? 1 : -EIDRM;
        if (!s)
                return 0;
        switch (w->goal) {
        case ZONE_GOAL_RUNNING:
                if (streq(s, "running"))
                        return 1;
                return streq(s, "failed") || streq(s, "stopped") ? -EIO : 0;
        case ZONE_GOAL_STOPPED:
                /* "failed": the init did not stop as asked and was killed (its status says so). */
                if (streq(s, "stopped"))
                        return 1;
                return streq(s, "failed") ? -EIO : 0;
        case ZONE_GOAL_REBOOTED:
                if (streq(s, "running") && w->info.leader != 0 && w->info.leader != w->old_leader)
                        return 1;
                /* The supervisor reboots the init itself (stopping → starting → running);
                 * "stopped" means the zone did not come back. */
                return streq(s, "failed") || streq(s, "stopped") ? -EIO : 0;
        case ZONE_GOAL_CREATED:
                if (streq(s, "creating"))
                        return 0;
                return streq(s, "failed") ? -EIO : 1;
        case ZONE_GOAL_REMOVED:
                return 0;
        }
        return -EINVAL;
}

int zone_wait_run(ZoneWait *w, uint64_t deadline) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        /* The one read after the call; from here on PropertiesChanged keeps w->info current. */
        r = zone_info_fetch(w->client, w->path, &w->info, &error);
        if (r < 0) {
                /* Gone already: for remove that is the goal, for anything else the zone was removed. */
                if (sd_bus_error_has_names(&error, ZONED_ERROR_NO_SUCH_ZONE, SD_BUS_ERROR_UNKNOWN_OBJECT,
                                           SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_INTERFACE))
                        w->removed = true;
                else
                        return r;
        }
        r = client_wait(w->client, deadline, zone_wait_check, w);
        return r > 0 ? 0 : r;
}
