/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-errors.h"
#include "log.h"
#include "names.h"
#include "template-definition.h"
#include "transfer-dbus.h"
#include "zone.h"

static int transfer_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                                void **found, sd_bus_error *error) {
        Manager *m = userdata;
        const char *p = path + strlen(TRANSFER_OBJECT_PREFIX);
        char *end;
        unsigned long id;
        Transfer *t;

        if (!g_str_has_prefix(path, TRANSFER_OBJECT_PREFIX "/"))
                return 0;
        p++;
        id = strtoul(p, &end, 10);
        if (*p == '\0' || *end || id == 0 || id > UINT32_MAX)
                return 0;
        t = g_hash_table_lookup(m->transfers, GUINT_TO_POINTER((uint32_t) id));
        if (!t)
                return 0;
        *found = t;
        return 1;
}

static int transfer_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                    sd_bus_error *error) {
        Manager *m = userdata;
        GHashTableIter it;
        gpointer v;
        char **l = new0(char *, g_hash_table_size(m->transfers) + 1);
        size_t n = 0;

        if (!l)
                return -ENOMEM;
        g_hash_table_iter_init(&it, m->transfers);
        while (g_hash_table_iter_next(&it, NULL, &v))
                l[n++] = g_strdup(((Transfer *) v)->object_path);
        *nodes = l;
        return 1;
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Transfer *t = userdata;
        const char *v = "";

        if (streq(property, "Type"))
                v = t->type;
        else if (streq(property, "Source"))
                v = t->source;
        else if (streq(property, "Name"))
                v = t->name;
        else if (streq(property, "State"))
                v = t->state;
        else if (streq(property, "Error"))
                v = t->error;
        else if (streq(property, "ErrorName"))
                v = t->error_name;
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Transfer *t = userdata;
        int r;

        r = bus_verify_root(m, error);
        if (r < 0)
                return r;
        r = transfer_cancel(t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot cancel transfer %u: %m", t->id);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable transfer_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", NULL, offsetof(Transfer, id), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Type", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Source", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Name", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Progress", "d", NULL, offsetof(Transfer, progress),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesDone", "t", NULL, offsetof(Transfer, bytes_done),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesTotal", "t", NULL, offsetof(Transfer, bytes_total),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Error", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ErrorName", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("Cancel", NULL, NULL, method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int transfer_dbus_register(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_fallback_vtable(bus, NULL, TRANSFER_OBJECT_PREFIX, TRANSFER_INTERFACE,
                                       transfer_vtable, transfer_object_find, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, TRANSFER_OBJECT_PREFIX, transfer_node_enumerator, m);
}

static void emit_new(sd_bus *bus, void *userdata) {
        Transfer *t = userdata;

        (void) sd_bus_emit_signal(bus, "/org/zoned1", "org.zoned1.Manager", "TransferNew", "uo", t->id,
                                  t->object_path);
        (void) sd_bus_emit_interfaces_added(bus, t->object_path, TRANSFER_INTERFACE, NULL);
}

static void emit_removed(sd_bus *bus, void *userdata) {
        Transfer *t = userdata;

        /* Clients learn the end state and why it failed before the object goes. */
        (void) sd_bus_emit_properties_changed(bus, t->object_path, TRANSFER_INTERFACE, "State", "Progress",
                                              "BytesDone", "Error", "ErrorName", NULL);
        (void) sd_bus_emit_signal(bus, "/org/zoned1", "org.zoned1.Manager", "TransferRemoved", "uos", t->id,
                                  t->object_path, t->state);
        (void) sd_bus_emit_interfaces_removed(bus, t->object_path, TRANSFER_INTERFACE, NULL);
}

void transfer_emit_new(Transfer *t) {
        manager_foreach_bus(t->manager, emit_new, t);
}

void transfer_emit_removed(Transfer *t) {
        manager_foreach_bus(t->manager, emit_removed, t);
}

static void emit_progress(sd_bus *bus, void *userdata) {
        Transfer *t = userdata;

        (void) sd_bus_emit_properties_changed(bus, t->object_path, TRANSFER_INTERFACE, "Progress",
                                              "BytesDone", "BytesTotal", NULL);
}

void transfer_emit_progress(Transfer *t) {
        manager_foreach_bus(t->manager, emit_progress, t);
}

/* ---- PullTemplate ---- */

typedef struct PullRequest {
        const char *brand;
        const char *verify;
        int force;
        uint32_t timeout_sec;
        uint64_t max_bytes;
        uint64_t max_files;
} PullRequest;

static int pull_read_option(sd_bus_message *msg, const char *key, PullRequest *p, sd_bus_error *error) {
        static const struct {
                const char *key;
                const char *type;
                size_t offset;
        } table[] = {
                { "brand", "s", offsetof(PullRequest, brand) },
                { "verify", "s", offsetof(PullRequest, verify) },
                { "force", "b", offsetof(PullRequest, force) },
                { "timeout-sec", "u", offsetof(PullRequest, timeout_sec) },
                { "max-bytes", "t", offsetof(PullRequest, max_bytes) },
                { "max-files", "t", offsetof(PullRequest, max_files) },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                if (!streq(key, table[i].key))
                        continue;
                if (sd_bus_message_read(msg, "v", table[i].type, (uint8_t *) p + table[i].offset) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option %s must be of type \"%s\".", key, table[i].type);
                return 0;
        }
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option \"%s\".", key);
}

static int pull_read_options(sd_bus_message *msg, PullRequest *p, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(msg, "s", &key);
                if (r < 0)
                        return r;
                r = pull_read_option(msg, key, p, error);
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

/* The zone that reads template name as its lower layer (copies do not, once made), or NULL. */
static const char *template_user(Manager *m, const char *name) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;

                if (streq(z->config.template_name, name) && (!z->config.copy || z->state == ZONE_CREATING))
                        return z->name;
        }
        return NULL;
}

/* Checks what every pull checks: the options, the name, the brand, whether the template may be made. */
static int pull_check(Manager *m, const char *name, PullRequest *p, VerifyMode *verify,
                      sd_bus_error *error) {
        g_autofree char *templates = manager_templates_dir(m);
        const char *user;

        if (p->verify) {
                *verify = verify_mode_from_string(p->verify);
                if (*verify < 0)
                        return sd_bus_error_setf(
                                error, SD_BUS_ERROR_INVALID_ARGS,
                                "Option verify must be \"no\", \"checksum\" or \"signature\".");
        }
        if (p->timeout_sec == 0 || p->max_bytes == 0 || p->max_files == 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Options timeout-sec, max-bytes and max-files must not be 0.");
        if (!zone_name_is_valid(name))
                return sd_bus_error_setf(error, ZONED_ERROR_INVALID_NAME,
                                         "\"%s\" is not a valid template name.", name);
        if (!isempty(p->brand) &&
            (!zone_name_is_valid(p->brand) || !g_hash_table_contains(m->brands, p->brand)))
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_BRAND, "Brand \"%s\" is not installed.",
                                         p->brand);
        if (transfer_makes_template(m, name) || (template_exists(templates, name) && !p->force))
                return sd_bus_error_setf(error, ZONED_ERROR_TEMPLATE_EXISTS, "Template %s exists already.",
                                         name);
        user = p->force ? template_user(m, name) : NULL;
        if (user)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Template %s is used by zone %s.", name,
                                         user);
        return 0;
}

static int pull_url(sd_bus_message *msg, Manager *m, const char *url, const char *name, PullRequest *p,
                    VerifyMode verify, sd_bus_error *error) {
        g_auto(PullOptions) o = {};
        Transfer *t;
        int r;

        if (!g_str_has_prefix(url, "http://") && !g_str_has_prefix(url, "https://") &&
            !g_str_has_prefix(url, "file:///"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s is not an http://, https:// or file:/// URL.", url);
        r = pull_check(m, name, p, &verify, error);
        if (r < 0)
                return r;
        o.url = g_strdup(url);
        o.verify = verify;
        o.keys_dir = g_build_filename(m->config_dir, "keys", NULL);
        o.timeout_sec = p->timeout_sec;
        o.limits = (TarLimits) { .max_bytes = p->max_bytes, .max_files = p->max_files };
        o.force = p->force;
        r = transfer_start_pull(m, &o, name, p->brand, &t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start the pull: %m");
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}

/* A template definition: its URL (with its verify mode and brand, unless
 * the options say otherwise), or its bootstrap recipe. */
static int pull_definition(sd_bus_message *msg, Manager *m, const char *source, const char *name,
                           PullRequest *p, sd_bus_error *error) {
        const TemplateDefinition *def = template_definition_find(m, source);
        VerifyMode verify = VERIFY_CHECKSUM;
        Transfer *t;
        int r;

        if (!def)
                return sd_bus_error_setf(error, ZONED_ERROR_NO_SUCH_TEMPLATE, "No template definition %s.",
                                         source);
        if (isempty(name))
                name = def->name;
        if (isempty(p->brand))
                p->brand = def->brand;
        if (def->url) {
                if (def->verify)
                        verify = verify_mode_from_string(def->verify);
                return pull_url(msg, m, def->url, name, p, verify < 0 ? VERIFY_CHECKSUM : verify, error);
        }
        r = pull_check(m, name, p, &verify, error);
        if (r < 0)
                return r;
        r = transfer_start_bootstrap(m, def, name, p->force, &t);
        if (r == -EEXIST)
                return sd_bus_error_setf(error, ZONED_ERROR_TEMPLATE_EXISTS, "Template %s exists already.",
                                         name);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Template %s is used by a zone.", name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot start building template %s: %m", name);
        return sd_bus_reply_method_return(msg, "uo", t->id, t->object_path);
}

int method_pull_template(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        PullRequest p = { .timeout_sec = PULL_TIMEOUT_SEC_DEFAULT,
                          .max_bytes = TEMPLATE_TAR_MAX_BYTES_DEFAULT,
                          .max_files = TEMPLATE_TAR_MAX_FILES_DEFAULT };
        const char *source, *name;
        int r;

        r = bus_verify_root(msg, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "ss", &source, &name);
        if (r < 0)
                return r;
        r = pull_read_options(msg, &p, error);
        if (r < 0)
                return r;
        if (!strstr(source, "://"))
                return pull_definition(msg, m, source, name, &p, error);
        return pull_url(msg, m, source, name, &p, VERIFY_CHECKSUM, error);
}
