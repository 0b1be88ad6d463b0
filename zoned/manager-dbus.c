/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/stat.h>

#include "brand.h"
#include "bus-errors.h"
#include "bus-list.h"
#include "export.h"
#include "log.h"
#include "manager-dbus.h"
#include "names.h"
#include "raw-image.h"
#include "template-definition.h"
#include "template.h"
#include "transfer-dbus.h"
#include "transfer.h"
#include "tree-copy.h"
#include "zone-dbus.h"
#include "zone.h"

static int get_zone(Manager *m, const char *name, Zone **ret, sd_bus_error *error) {
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

static int method_get_zone(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name;
        Zone *z = NULL;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = get_zone(userdata, name, &z, error);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "o", z->object_path);
}

/* Where read_options() puts the options a call takes; NULL: not one of its options. */
typedef struct CallOptions {
        bool *copy;
        bool *private_users;
        const char **brand;
        uint64_t *disk_quota;
} CallOptions;

static int read_bool_option(sd_bus_message *msg, const char *key, bool *ret, sd_bus_error *error) {
        int b, r;

        r = sd_bus_message_read(msg, "v", "b", &b);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option %s must be a boolean.",
                                         key);
        *ret = b;
        return 0;
}

static int read_option(sd_bus_message *msg, const char *key, const CallOptions *o, sd_bus_error *error) {
        int r;

        if (o->copy && streq(key, "copy"))
                return read_bool_option(msg, key, o->copy, error);
        if (o->private_users && streq(key, "PrivateUsers"))
                return read_bool_option(msg, key, o->private_users, error);
        if (o->disk_quota && streq(key, "DiskQuota")) {
                r = sd_bus_message_read(msg, "v", "t", o->disk_quota);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option DiskQuota must be a uint64 (bytes).");
                return 0;
        }
        if (o->brand && streq(key, "brand")) {
                r = sd_bus_message_read(msg, "v", "s", o->brand);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option brand must be a string.");
                return 0;
        }
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option \"%s\".", key);
}

/* Reads the a{sv} options of a call; only the keys of o with their type are accepted, anything
 * else is InvalidArgs. */
static int read_options(sd_bus_message *msg, const CallOptions *o, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(msg, "s", &key);
                if (r < 0)
                        return r;
                r = read_option(msg, key, o, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

static int method_create_zone(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        ZoneCreateOptions o = { .copy = false, .private_users = true, .disk_quota = UINT64_MAX };
        const char *name, *template_name;
        Zone *z = NULL;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "ss", &name, &template_name);
        if (r < 0)
                return r;
        r = read_options(msg,
                         &(CallOptions) { .copy = &o.copy,
                                          .private_users = &o.private_users,
                                          .disk_quota = &o.disk_quota },
                         error);
        if (r < 0)
                return r;
        r = zone_create(m, name, template_name, &o, msg, error, &z);
        if (r < 0)
                return r;
        if (r > 0)
                return 1; /* answered when the copy is done */
        return sd_bus_reply_method_return(msg, "o", z->object_path);
}

typedef int (*zone_method_func)(sd_bus_message *m, Zone *z, sd_bus_error *error);

static int call_by_name(sd_bus_message *msg, Manager *m, zone_method_func f, sd_bus_error *error) {
        const char *name;
        Zone *z = NULL;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        r = get_zone(m, name, &z, error);
        if (r < 0)
                return r;
        return f(msg, z, error);
}

#define BY_NAME(fn)                                                                                  \
        static int method_##fn##_by_name(sd_bus_message *msg, void *userdata, sd_bus_error *error) { \
                return call_by_name(msg, userdata, zone_method_##fn, error);                         \
        }
BY_NAME(remove)
BY_NAME(boot)
BY_NAME(poweroff)
BY_NAME(reboot)
BY_NAME(terminate)
BY_NAME(kill)
BY_NAME(open_console)
BY_NAME(open_login)
BY_NAME(open_shell)

static int append_template(sd_bus_message *reply, gconstpointer item) {
        const TemplateInfo *t = item;

        return sd_bus_message_append(reply, "(ssst)", t->name, t->brand, t->origin, t->size);
}

static int method_list_templates(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        g_autofree char *dir = manager_templates_dir(userdata);
        g_autoptr(GPtrArray) list = NULL;
        int r;

        r = template_list(dir, &list);
        if (r < 0)
                return r;
        return bus_reply_list(msg, list, "(ssst)", append_template);
}

static int import_pick_brand(Manager *m, const char *dir, const char *brand, const char **ret,
                             sd_bus_error *error) {
        g_autofree char *init_name = NULL;
        Brand *b;

        if (!isempty(brand)) {
                if (!zone_name_is_valid(brand) || !g_hash_table_contains(m->brands, brand))
                        return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND,
                                                 "Brand \"%s\" is not installed.", brand);
                *ret = brand;
                return 0;
        }
        b = brand_detect(m->brands, dir, &init_name);
        if (!b)
                return sd_bus_error_setf(
                        error, SD_BUS_ERROR_INVALID_ARGS,
                        "Cannot tell the brand of %s: /sbin/init %s%s; name one with the brand option.", dir,
                        init_name ? "is " : "does not exist", init_name ? init_name : "");
        *ret = b->name;
        return 0;
}

/* A template an import is to make: a valid name, not taken and not being made by a transfer. */
static int check_new_template_name(Manager *m, const char *name, sd_bus_error *error) {
        g_autofree char *templates = manager_templates_dir(m);

        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME,
                                         "\"%s\" is not a valid template name.", name);
        if (template_exists(templates, name) || transfer_makes_template(m, name))
                return sd_bus_error_setf(error, ZONED_ERROR_TEMPLATE_EXISTS, "Template %s exists already.",
                                         name);
        return 0;
}

/* The template is copied into the store: a source that holds the store (/, the state dir or one
 * above it) would be copied into itself, with every zone's data besides. */
static int check_source_outside_store(Manager *m, const char *dir, const struct stat *st,
                                      sd_bus_error *error) {
        g_autofree char *templates = manager_templates_dir(m);
        int r;

        r = tree_contains(st, templates);
        if (r < 0)
                return sd_bus_error_set_errnof(
                        error, r, "Cannot tell whether %s holds the template store %s: %m", dir, templates);
        if (r > 0)
                return sd_bus_error_setf(
                        error, ZONED_ERROR_SOURCE_CONTAINS_STORE,
                        "%s holds zoned's template store %s: importing it would copy the store "
                        "into itself.",
                        dir, templates);
        return 0;
}

static int method_import_template_fs(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *dir, *name, *brand = NULL;
        Transfer *t;
        struct stat st;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "ss", &dir, &name);
        if (r < 0)
                return r;
        r = read_options(msg, &(CallOptions) { .brand = &brand }, error);
        if (r < 0)
                return r;
        r = check_new_template_name(m, name, error);
        if (r < 0)
                return r;
        if (dir[0] != '/' || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s is not an absolute path of a directory.", dir);
        r = check_source_outside_store(m, dir, &st, error);
        if (r < 0)
                return r;
        r = import_pick_brand(m, dir, brand, &brand, error);
        if (r < 0)
                return r;
        r = transfer_start_import_fs(m, dir, name, brand, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the import: %m");
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}

static int method_import_template_tar(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name, *brand = NULL;
        Transfer *t;
        int fd, r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "hs", &fd, &name);
        if (r < 0)
                return r;
        r = read_options(msg, &(CallOptions) { .brand = &brand }, error);
        if (r < 0)
                return r;
        r = check_new_template_name(m, name, error);
        if (r < 0)
                return r;
        if (!isempty(brand) && (!zone_name_is_valid(brand) || !g_hash_table_contains(m->brands, brand)))
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND, "Brand \"%s\" is not installed.",
                                         brand);
        /* Without a brand it is detected in the worker, once the tree is unpacked. */
        r = transfer_start_import_tar(m, fd, name, brand, &t);
        if (r == -EBADF || r == -EISDIR)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The file descriptor is not a stream open for reading.");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the import: %m");
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}

static int method_remove_template(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        g_autofree char *templates = manager_templates_dir(m), *path = NULL;
        const char *name;
        GHashTableIter it;
        gpointer v;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME,
                                         "\"%s\" is not a valid template name.", name);
        if (!template_exists(templates, name))
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TEMPLATE, "Template %s does not exist.",
                                         name);
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;
                /* Overlay zones read the template as their lower layer; copies do not need it. */
                if (streq(z->config.template_name, name) && (!z->config.copy || z->state == ZONE_CREATING))
                        return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Template %s is used by zone %s.",
                                                 name, z->name);
        }
        path = g_build_filename(templates, name, NULL);
        r = manager_remove_in_background(m, path);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot remove template %s: %m", name);
        log_info("Template %s removed.", name);
        return sd_bus_reply_method_return(msg, NULL);
}

static int compare_transfers(gconstpointer a, gconstpointer b) {
        uint32_t x = (*(Transfer *const *) a)->id, y = (*(Transfer *const *) b)->id;
        return x < y ? -1 : x > y;
}

static int append_transfer(sd_bus_message *reply, gconstpointer item) {
        const Transfer *t = item;
        g_autofree char *desc = g_strdup_printf("%s → %s", t->source, t->name);

        return sd_bus_message_append(reply, "(ussdo)", t->id, t->type, desc, t->progress, t->object_path);
}

static int method_list_transfers(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->transfers, compare_transfers, "(ussdo)", append_transfer);
}

static int method_cancel_transfer(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint32_t id;
        Transfer *t;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "u", &id);
        if (r < 0)
                return r;
        t = g_hash_table_lookup(m->transfers, GUINT_TO_POINTER(id));
        if (!t)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TRANSFER, "Transfer %u does not exist.",
                                         id);
        r = transfer_cancel(t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot cancel transfer %u: %m", id);
        return sd_bus_reply_method_return(msg, NULL);
}

static int compare_brands(gconstpointer a, gconstpointer b) {
        return strcmp((*(Brand *const *) a)->name, (*(Brand *const *) b)->name);
}

static int append_brand(sd_bus_message *reply, gconstpointer item) {
        const Brand *b = item;

        return sd_bus_message_append(reply, "(ss)", b->name, b->description);
}

static int method_list_brands(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->brands, compare_brands, "(ss)", append_brand);
}

#define U SD_BUS_VTABLE_UNPRIVILEGED
static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("ListZones", NULL, , "a(sssso)", SD_BUS_PARAM(zones), method_list_zones, U),
        SD_BUS_METHOD_WITH_NAMES("GetZone", "s", SD_BUS_PARAM(name), "o", SD_BUS_PARAM(zone),
                                 method_get_zone, U),
        SD_BUS_METHOD_WITH_NAMES("CreateZone", "ssa{sv}",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(template) SD_BUS_PARAM(options), "o",
                                 SD_BUS_PARAM(zone), method_create_zone, U),
        SD_BUS_METHOD_WITH_NAMES("RemoveZone", "s", SD_BUS_PARAM(name), NULL, , method_remove_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("BootZone", "s", SD_BUS_PARAM(name), NULL, , method_boot_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("PoweroffZone", "s", SD_BUS_PARAM(name), NULL, , method_poweroff_by_name,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("RebootZone", "s", SD_BUS_PARAM(name), NULL, , method_reboot_by_name, U),
        SD_BUS_METHOD_WITH_NAMES("TerminateZone", "s", SD_BUS_PARAM(name), NULL, , method_terminate_by_name,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("KillZone", "ssi",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(whom) SD_BUS_PARAM(signal), NULL, ,
                                 method_kill_by_name, U),
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
        SD_BUS_METHOD_WITH_NAMES("ListTemplates", NULL, , "a(ssst)", SD_BUS_PARAM(templates),
                                 method_list_templates, U),
        SD_BUS_METHOD_WITH_NAMES("ListTemplateDefinitions", NULL, , "a(ssss)", SD_BUS_PARAM(definitions),
                                 method_list_template_definitions, U),
        SD_BUS_METHOD_WITH_NAMES("ImportTemplateFs", "ssa{sv}",
                                 SD_BUS_PARAM(directory) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_import_template_fs, U),
        SD_BUS_METHOD_WITH_NAMES("ImportTemplateTar", "hsa{sv}",
                                 SD_BUS_PARAM(fd) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_import_template_tar, U),
        SD_BUS_METHOD_WITH_NAMES("PullTemplate", "ssa{sv}",
                                 SD_BUS_PARAM(source) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_pull_template, U),
        SD_BUS_METHOD_WITH_NAMES("ImportTemplateRaw", "hsa{sv}",
                                 SD_BUS_PARAM(fd) SD_BUS_PARAM(name) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_import_template_raw, U),
        SD_BUS_METHOD_WITH_NAMES("RemoveTemplate", "s", SD_BUS_PARAM(name), NULL, , method_remove_template,
                                 U),
        SD_BUS_METHOD_WITH_NAMES("ExportZoneTar", "sha{sv}",
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(fd) SD_BUS_PARAM(options), "uo",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), method_export_zone_tar, U),
        SD_BUS_METHOD_WITH_NAMES("ListTransfers", NULL, , "a(ussdo)", SD_BUS_PARAM(transfers),
                                 method_list_transfers, U),
        SD_BUS_METHOD_WITH_NAMES("CancelTransfer", "u", SD_BUS_PARAM(id), NULL, , method_cancel_transfer, U),
        SD_BUS_METHOD_WITH_NAMES("ListBrands", NULL, , "a(ss)", SD_BUS_PARAM(brands), method_list_brands, U),
        SD_BUS_SIGNAL_WITH_NAMES("ZoneNew", "so", SD_BUS_PARAM(name) SD_BUS_PARAM(zone), 0),
        SD_BUS_SIGNAL_WITH_NAMES("ZoneRemoved", "so", SD_BUS_PARAM(name) SD_BUS_PARAM(zone), 0),
        SD_BUS_SIGNAL_WITH_NAMES("TransferNew", "uo", SD_BUS_PARAM(id) SD_BUS_PARAM(transfer), 0),
        SD_BUS_SIGNAL_WITH_NAMES("TransferRemoved", "uos",
                                 SD_BUS_PARAM(id) SD_BUS_PARAM(transfer) SD_BUS_PARAM(result), 0),
        SD_BUS_VTABLE_END,
};
#undef U

int manager_dbus_register(Manager *m, sd_bus *bus) {
        return sd_bus_add_object_vtable(bus, NULL, MANAGER_OBJECT_PATH, MANAGER_INTERFACE, manager_vtable,
                                        m);
}
