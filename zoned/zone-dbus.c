/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-errors.h"
#include "bus-list.h"
#include "zone-autoboot.h"
#include "zone-brand.h"
#include "zone-dbus.h"
#include "zone-disk.h"
#include "zone-limits-dbus.h"
#include "zone-network-dbus.h"
#include "zone-pty.h"

static int zone_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                            void **found, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *name = NULL;
        Zone *z;
        int r;

        r = sd_bus_path_decode(path, ZONE_OBJECT_PREFIX, &name);
        if (r <= 0)
                return r;
        z = g_hash_table_lookup(m->zones, name);
        if (!z)
                return 0;
        *found = z;
        return 1;
}

static int zone_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                sd_bus_error *error) {
        Manager *m = userdata;
        GHashTableIter it;
        gpointer v;
        char **l = new0(char *, g_hash_table_size(m->zones) + 1);
        size_t n = 0;

        if (!l)
                return -ENOMEM;
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                l[n] = strdup(((Zone *) v)->object_path);
                if (!l[n]) {
                        strv_free(l);
                        return -ENOMEM;
                }
                n++;
        }
        *nodes = l;
        return 1;
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        return sd_bus_message_append(reply, "s", zone_state_to_string(z->state));
}

static int property_get_autoboot(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        return sd_bus_message_append(reply, "b", z->config.autoboot);
}

static int property_get_private_users(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        Zone *z = userdata;
        return sd_bus_message_append(reply, "b", z->config.private_users);
}

static int property_get_nesting(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        return sd_bus_message_append(reply, "b", z->config.nesting);
}

static int property_get_device_allow(sd_bus *bus, const char *path, const char *interface,
                                     const char *property, sd_bus_message *reply, void *userdata,
                                     sd_bus_error *error) {
        Zone *z = userdata;
        g_auto(GStrv) paths = zone_config_device_allow_paths(z->config.device_allow);

        return sd_bus_message_append_strv(reply, paths);
}

/* UIDShift and UIDRange: 0 for a zone with the host's users. */
static int property_get_uid(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        uint32_t v = streq(property, "UIDShift") ? z->config.uid_shift : z->config.uid_range;

        return sd_bus_message_append(reply, "u", z->config.private_users ? v : 0);
}

static int property_get_disk(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        uint64_t v = z->config.disk_quota > 0 ? z->config.disk_quota : UINT64_MAX;
        int r;

        if (streq(property, "DiskUsage")) {
                r = zone_disk_usage(z, &v);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Cannot read the disk usage of zone %s: %m",
                                                       z->name);
        }
        return sd_bus_message_append(reply, "t", v);
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Zone *z = userdata;
        const char *v = "";

        if (streq(property, "Name"))
                v = z->name;
        else if (streq(property, "Brand"))
                v = z->config.brand;
        else if (streq(property, "Template"))
                v = z->config.template_name;
        else if (streq(property, "Storage"))
                v = zone_config_storage_name(&z->config);
        else if (streq(property, "StatusText"))
                v = z->status_text;
        return sd_bus_message_append(reply, "s", strempty(v));
}

int zone_method_boot(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        int r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = zone_boot(z, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int zone_method_stop(sd_bus_message *m, Zone *z, const char *verb, sd_bus_error *error) {
        int r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = zone_stop(z, verb, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

int zone_method_poweroff(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        return zone_method_stop(m, z, "poweroff", error);
}

int zone_method_reboot(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        return zone_method_stop(m, z, "reboot", error);
}

int zone_method_terminate(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        return zone_method_stop(m, z, "terminate", error);
}

int zone_method_kill(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        const char *whom;
        int32_t sig;
        int r;

        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "si", &whom, &sig);
        if (r < 0)
                return r;
        r = zone_kill(z, whom, sig, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

int zone_method_remove(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        int r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = zone_remove(z, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

int zone_method_open_console(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        int r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = zone_open_console(z, m, error);
        return r < 0 ? r : 1; /* answered once the supervisor did */
}

int zone_method_open_login(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        int r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = zone_open_login(z, m, error);
        return r < 0 ? r : 1; /* answered once the getty runs */
}

int zone_method_open_shell(sd_bus_message *m, Zone *z, sd_bus_error *error) {
        _cleanup_strv_free_ char **argv = NULL, **env = NULL;
        const char *user, *path;
        int r;

        /* The caller first: its arguments may be big, and only root's are worth reading. */
        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "ss", &user, &path);
        if (r < 0)
                return r;
        r = bus_read_strv(m, &argv);
        if (r < 0)
                return r;
        r = bus_read_strv(m, &env);
        if (r < 0)
                return r;
        r = zone_open_shell(z, m, user, path, argv, env, error);
        return r < 0 ? r : 1; /* answered once the program runs */
}

#define ZONE_METHOD(fn)                                                                  \
        static int object_##fn(sd_bus_message *m, void *userdata, sd_bus_error *error) { \
                return zone_method_##fn(m, userdata, error);                             \
        }
ZONE_METHOD(boot)
ZONE_METHOD(poweroff)
ZONE_METHOD(reboot)
ZONE_METHOD(terminate)
ZONE_METHOD(kill)
ZONE_METHOD(remove)
ZONE_METHOD(open_console)
ZONE_METHOD(open_login)
ZONE_METHOD(open_shell)
ZONE_METHOD(set_brand)
ZONE_METHOD(set_autoboot)

static const sd_bus_vtable zone_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Brand", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Template", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Storage", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Leader", "u", NULL, offsetof(Zone, leader), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Since", "t", NULL, offsetof(Zone, since), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Autoboot", "b", property_get_autoboot, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StatusText", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PrivateUsers", "b", property_get_private_users, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Nesting", "b", property_get_nesting, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("DeviceAllow", "as", property_get_device_allow, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("UIDShift", "u", property_get_uid, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("UIDRange", "u", property_get_uid, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DiskQuota", "t", property_get_disk, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DiskUsage", "t", property_get_disk, 0, 0),
        SD_BUS_METHOD("Boot", NULL, NULL, object_boot, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Poweroff", NULL, NULL, object_poweroff, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reboot", NULL, NULL, object_reboot, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Terminate", NULL, NULL, object_terminate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Kill", "si", SD_BUS_PARAM(whom) SD_BUS_PARAM(signal), NULL, , object_kill,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Remove", NULL, NULL, object_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetBrand", "s", SD_BUS_PARAM(brand), NULL, , object_set_brand,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetAutoboot", "b", SD_BUS_PARAM(autoboot), NULL, , object_set_autoboot,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("OpenConsole", NULL, , "h", SD_BUS_PARAM(fd), object_open_console,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("OpenLogin", NULL, , "hs", SD_BUS_PARAM(pty_master) SD_BUS_PARAM(pty_path),
                                 object_open_login, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("OpenShell", "ssasas",
                                 SD_BUS_PARAM(user) SD_BUS_PARAM(path) SD_BUS_PARAM(argv) SD_BUS_PARAM(env),
                                 "hs", SD_BUS_PARAM(pty_master) SD_BUS_PARAM(pty_path), object_open_shell,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        ZONE_LIMITS_VTABLE,
        ZONE_NETWORK_VTABLE,
        SD_BUS_VTABLE_END,
};

int zone_dbus_register(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, ZONE_OBJECT_PREFIX, ZONE_INTERFACE, zone_vtable,
                                       zone_object_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, ZONE_OBJECT_PREFIX, zone_node_enumerator, m);
}

typedef struct EmitArgs {
        Zone *zone;
        const char *const *names;
        int kind; /* 0 = changed, 1 = new, 2 = removed */
} EmitArgs;

static void emit_on_bus(sd_bus *bus, void *userdata) {
        EmitArgs *a = userdata;
        Zone *z = a->zone;

        if (a->kind == 0) {
                (void) sd_bus_emit_properties_changed_strv(bus, z->object_path, ZONE_INTERFACE,
                                                           (char **) a->names);
                return;
        }
        if (a->kind == 1) {
                (void) sd_bus_emit_signal(bus, "/org/zoned1", "org.zoned1.Manager", "ZoneNew", "so", z->name,
                                          z->object_path);
                (void) sd_bus_emit_interfaces_added(bus, z->object_path, ZONE_INTERFACE, NULL);
        } else {
                (void) sd_bus_emit_signal(bus, "/org/zoned1", "org.zoned1.Manager", "ZoneRemoved", "so",
                                          z->name, z->object_path);
                (void) sd_bus_emit_interfaces_removed(bus, z->object_path, ZONE_INTERFACE, NULL);
        }
}

void zone_emit_properties_changed(Zone *z, const char *const *names) {
        EmitArgs a = { .zone = z, .names = names, .kind = 0 };
        manager_foreach_bus(z->manager, emit_on_bus, &a);
}

void zone_emit_new(Zone *z) {
        EmitArgs a = { .zone = z, .kind = 1 };
        manager_foreach_bus(z->manager, emit_on_bus, &a);
}

void zone_emit_removed(Zone *z) {
        EmitArgs a = { .zone = z, .kind = 2 };
        manager_foreach_bus(z->manager, emit_on_bus, &a);
}
