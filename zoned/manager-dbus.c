/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-errors.h"
#include "bus-list.h"
#include "brand.h"
#include "bus-options.h"
#include "ini-util.h"
#include "manager-dbus.h"
#include "names.h"
#include "template-dbus.h"
#include "zone-autoboot.h"
#include "zone-brand.h"
#include "zone-config.h"
#include "zone-dbus.h"
#include "network-config.h"
#include "zone-limits-dbus.h"
#include "zone-network-dbus.h"
#include "zone-devices.h"
#include "zone.h"

int bus_get_zone(Manager *m, const char *name, Zone **ret, sd_bus_error *error) {
        Zone *z = NULL;

        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME, "\"%s\" is not a valid zone name.",
                                         name);
        z = g_hash_table_lookup(m->zones, name);
        if (!z)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_ZONE, "Zone %s does not exist.", name);
        *ret = z;
        return 0;
}

static int compare_zones(gconstpointer a, gconstpointer b) {
        return strcmp((*(Zone *const *) a)->name, (*(Zone *const *) b)->name);
}

static int append_zone(sd_bus_message *reply, gconstpointer item) {
        const Zone *z = item;

        return sd_bus_message_append(reply, "(sssso)", z->name, zone_state_to_string(z->state),
                                     z->config.brand, z->config.template_name, z->object_path);
}

static int method_list_zones(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->zones, compare_zones, "(sssso)", append_zone);
}

/* CreateZone's options beyond copy and PrivateUsers: limits and network settings, by the names
 * SetZoneLimits and SetZoneNetwork take. */
typedef struct CreateSettings {
        ZoneLimits *limits;
        ZoneNetworkRequest network;
        unsigned *device_allow;
} CreateSettings;

/* DeviceAllow (as): the paths of zone-devices.h. */
static int read_device_allow(sd_bus_message *msg, unsigned *ret, sd_bus_error *error) {
        g_auto(GStrv) paths = NULL;
        const char *bad = NULL;
        int r;

        r = sd_bus_message_enter_container(msg, 'v', "as");
        if (r == -ENXIO)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option DeviceAllow must be as.");
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(msg, &paths);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(msg);
        if (r < 0)
                return r;
        if (zone_devices_from_paths(paths, ret, &bad) < 0)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_DEVICE_NOT_ALLOWED,
                        "%s is not a device a zone may be given: DeviceAllow takes " ZONE_DEVICES_NAMES ".",
                        bad);
        return 0;
}

static int read_create_setting(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error) {
        CreateSettings *s = userdata;
        int r;

        if (streq(key, "DeviceAllow"))
                return read_device_allow(msg, s->device_allow, error);
        r = bus_read_network(msg, key, &s->network, error);
        if (r != -ENOENT)
                return r;
        return bus_read_limit(msg, key, s->limits, error);
}

/* A zone that says nothing of its network gets zoned's default (network-config.h). */
static int create_network(Manager *m, const ZoneNetworkRequest *q, ZoneNetwork *ret, sd_bus_error *error) {
        ZoneNetwork base = {};

        if (m->network_config) {
                base.mode = m->network_config->default_mode;
                base.link = m->network_config->default_link;
        }
        return zone_network_from_request(&base, q, ret, error);
}

static int method_create_zone(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        ZoneCreateOptions o = { .copy = false, .private_users = true };
        CreateSettings settings = { .limits = &o.limits, .device_allow = &o.device_allow };
        const char *name, *template_name;
        Zone *z = NULL;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "ss", &name, &template_name);
        if (r < 0)
                return r;
        /* The limits (DiskQuota among them) by their property names, as SetZoneLimits takes them. */
        r = bus_read_options_full(msg,
                                  (const BusOption[]) { { "copy", "b", &o.copy },
                                                        { "PrivateUsers", "b", &o.private_users },
                                                        { "Brand", "s", &o.brand },
                                                        { "Nesting", "b", &o.nesting } },
                                  4, read_create_setting, &settings, error);
        if (r >= 0)
                r = create_network(m, &settings.network, &o.network, error);
        if (r >= 0)
                r = zone_create(m, name, template_name, &o, msg, error, &z);
        zone_limits_done(&o.limits);
        zone_network_done(&o.network);
        zone_network_request_done(&settings.network);
        if (r < 0)
                return r;
        if (r > 0)
                return 1; /* answered when the copy is done */
        return sd_bus_reply_method_return(msg, "o", z->object_path);
}

/* VerifyZoneFile(s file, s text): the checks zoned makes when it loads a zone file, and that its
 * brand is installed, on text the caller read (file names it in messages); nothing is written.
 * Anyone may ask: it reads nothing of zoned's. */
static int method_verify_zone_file(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(zone_config_done) ZoneConfig c = {};
        g_autofree char *why = NULL;
        const char *file, *text;
        int r;

        r = sd_bus_message_read(msg, "ss", &file, &text);
        if (r < 0)
                return r;
        if (isempty(file) || strlen(file) > PATH_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The file name must be 1 to %d bytes.", PATH_MAX);
        if (strlen(text) > INI_FILE_MAX)
                return sd_bus_error_setf(error, ZONED_ERROR_BAD_ZONE_FILE, "%s: larger than %u bytes", file,
                                         INI_FILE_MAX);
        r = zone_config_parse(file, text, &c, &why);
        if (r < 0)
                return sd_bus_error_setf(error, ZONED_ERROR_BAD_ZONE_FILE, "%s", why ?: strerror(-r));
        if (!g_hash_table_contains(m->brands, c.brand)) {
                g_autofree char *known = brand_names(m->brands);

                return sd_bus_error_setf(error, ZONED_ERROR_BAD_ZONE_FILE,
                                         "%s:%u: Brand=%s is not installed (brands: %s)", file,
                                         ini_key_line(text, "Zone", "Brand"), c.brand, known);
        }
        return sd_bus_reply_method_return(msg, NULL);
}

typedef int (*zone_method_func)(sd_bus_message *m, Zone *z, sd_bus_error *error);

static int call_by_name(sd_bus_message *msg, Manager *m, zone_method_func f, sd_bus_error *error) {
        const char *name;
        Zone *z = NULL;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = bus_get_zone(m, name, &z, error);
        if (r < 0)
                return r;
        return f(msg, z, error);
}

#define BY_NAME(fn)                                                                                  \
        static int method_##fn##_by_name(sd_bus_message *msg, void *userdata, sd_bus_error *error) { \
                return call_by_name(msg, userdata, zone_method_##fn, error);                         \
        }
static int zone_method_get(sd_bus_message *msg, Zone *z, sd_bus_error *error) {
        return sd_bus_reply_method_return(msg, "o", z->object_path);
}

BY_NAME(get)
BY_NAME(remove)
BY_NAME(boot)
BY_NAME(poweroff)
BY_NAME(reboot)
BY_NAME(terminate)
BY_NAME(kill)
BY_NAME(open_console)
BY_NAME(open_login)
BY_NAME(open_shell)
BY_NAME(set_brand)
BY_NAME(set_autoboot)

#define U SD_BUS_VTABLE_UNPRIVILEGED
static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("ListZones", NULL, , "a(sssso)", SD_BUS_PARAM(zones), method_list_zones, U),
        SD_BUS_METHOD_WITH_NAMES("VerifyZoneFile", "ss", SD_BUS_PARAM(file) SD_BUS_PARAM(text), NULL, ,
                                 method_verify_zone_file, U),
        SD_BUS_METHOD_WITH_NAMES("GetZone", "s", SD_BUS_PARAM(name), "o", SD_BUS_PARAM(zone),
                                 method_get_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("CreateZone", "ssa{sv}",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(template) SD_BUS_PARAM(options), "o",
                                 SD_BUS_PARAM(zone), method_create_zone, U),
        SD_BUS_METHOD_WITH_NAMES("RemoveZone", "s", SD_BUS_PARAM(name), NULL, , method_remove_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("SetZoneBrand", "ss", SD_BUS_PARAM(name) SD_BUS_PARAM(brand), NULL, ,
                                 method_set_brand_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("SetZoneAutoboot", "sb", SD_BUS_PARAM(name) SD_BUS_PARAM(autoboot), NULL, ,
                                 method_set_autoboot_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("BootZone", "s", SD_BUS_PARAM(name), NULL, , method_boot_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("PoweroffZone", "s", SD_BUS_PARAM(name), NULL, , method_poweroff_by_name,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("RebootZone", "s", SD_BUS_PARAM(name), NULL, , method_reboot_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("TerminateZone", "s", SD_BUS_PARAM(name), NULL, , method_terminate_by_name,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("KillZone", "ssi",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(whom) SD_BUS_PARAM(signal), NULL, ,
                                 method_kill_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("SetZoneLimits", "sa{sv}b",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(limits) SD_BUS_PARAM(runtime), NULL, ,
                                 manager_method_set_zone_limits, U),
        SD_BUS_METHOD_WITH_NAMES("OpenZoneConsole", "s", SD_BUS_PARAM(name), "h", SD_BUS_PARAM(fd),
                                 method_open_console_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("OpenZoneLogin", "s", SD_BUS_PARAM(name), "hs",
                                 SD_BUS_PARAM(pty_master) SD_BUS_PARAM(pty_path), method_open_login_by_name,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("OpenZoneShell", "sssasas",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(user) SD_BUS_PARAM(path) SD_BUS_PARAM(argv)
                                         SD_BUS_PARAM(env),
                                 "hs", SD_BUS_PARAM(pty_master) SD_BUS_PARAM(pty_path),
                                 method_open_shell_by_name, U),
        MANAGER_NETWORK_VTABLE,
        SD_BUS_SIGNAL_WITH_NAMES("ZoneNew", "so", SD_BUS_PARAM(name) SD_BUS_PARAM(zone), 0),
        SD_BUS_SIGNAL_WITH_NAMES("ZoneRemoved", "so", SD_BUS_PARAM(name) SD_BUS_PARAM(zone), 0),
        SD_BUS_VTABLE_END,
};
#undef U

int manager_dbus_register(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, MANAGER_OBJECT_PATH, MANAGER_INTERFACE, manager_vtable, m);
        if (r < 0)
                return r;
        return sd_bus_add_object_vtable(bus, NULL, MANAGER_OBJECT_PATH, MANAGER_INTERFACE,
                                        template_manager_vtable, m);
}
