/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-errors.h"
#include "log.h"
#include "transfer-dbus.h"

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
                v = worker_job_kind_to_string(t->job.kind);
        else if (streq(property, "Source"))
                v = t->source;
        else if (streq(property, "Name"))
                v = t->name;
        else if (streq(property, "State"))
                v = transfer_state_to_string(t->state);
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
                                  t->object_path, transfer_state_to_string(t->state));
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
