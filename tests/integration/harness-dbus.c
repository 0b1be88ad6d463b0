/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The harness as a D-Bus client of zoned (GDBus, "the other client"):
 * method calls, the Manager's signals, and zones followed through
 * PropertiesChanged. */

#include <fcntl.h>
#include <gio/gunixfdlist.h>

#include "harness-internal.h"

#define CALL_TIMEOUT_MS 60000

const char *harness_destination(Harness *h) {
        /* A direct connection to zoned's private socket has no bus names. */
        return (h->flags & HARNESS_PRIVATE_SOCKET) ? NULL : ZONED_BUS_NAME;
}

GVariant *harness_call(Harness *h, const char *path, const char *iface, const char *method, GVariant *params,
                       const char *reply_type, GError **error) {
        g_assert_nonnull(h->conn);
        return g_dbus_connection_call_sync(h->conn, harness_destination(h), path, iface, method, params,
                                           reply_type ? G_VARIANT_TYPE(reply_type) : NULL,
                                           G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, error);
}

GVariant *harness_manager_call(Harness *h, const char *method, GVariant *params, const char *reply_type,
                               GError **error) {
        return harness_call(h, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, method, params, reply_type, error);
}

GVariant *harness_manager_call_fd(Harness *h, const char *method, GVariant *params, const char *reply_type,
                                  int *ret_fd, GError **error) {
        g_autoptr(GUnixFDList) fds = NULL;
        GVariant *reply;

        g_assert_nonnull(h->conn);
        reply = g_dbus_connection_call_with_unix_fd_list_sync(
                h->conn, harness_destination(h), ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, method, params,
                G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, &fds,
                NULL, error);
        if (!reply)
                return NULL;
        g_assert_nonnull(fds);
        g_assert_cmpint(g_unix_fd_list_get_length(fds), ==, 1);
        *ret_fd = g_unix_fd_list_get(fds, 0, NULL);
        g_assert_cmpint(*ret_fd, >=, 0);
        return reply;
}

GVariant *harness_manager_call_passing_fd(Harness *h, const char *method, GVariant *params, int fd,
                                          const char *reply_type, GError **error) {
        g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();

        g_assert_nonnull(h->conn);
        g_assert_cmpint(g_unix_fd_list_append(fds, fd, NULL), ==, 0);
        return g_dbus_connection_call_with_unix_fd_list_sync(
                h->conn, harness_destination(h), ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, method, params,
                G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, fds, NULL,
                NULL, error);
}

GVariant *harness_import_stream_call(Harness *h, const char *method, int fd, const char *name,
                                     const char *brand, GError **error) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (brand)
                g_variant_builder_add(&options, "{sv}", "brand", g_variant_new_string(brand));
        return harness_manager_call_passing_fd(h, method, g_variant_new("(hsa{sv})", 0, name, &options), fd,
                                               "(uo)", error);
}

char *harness_import_file(Harness *h, const char *method, const char *path, const char *name,
                          const char *brand) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        const char *object;
        guint32 id;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        reply = harness_import_stream_call(h, method, fd, name, brand, &error);
        close(fd);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &object);
        return harness_wait_transfer_removed(h, id, object, HARNESS_TRANSFER_TIMEOUT_MS);
}

guint32 harness_held_transfer(Harness *h, const char *name, int *ret_write_end, char **ret_path) {
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        guint32 id;
        int p[2];

        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        reply = harness_import_stream_call(h, "ImportTemplateTar", p[0], name, NULL, &error);
        close(p[0]);
        g_assert_no_error(error);
        g_variant_get(reply, "(uo)", &id, ret_path);
        *ret_write_end = p[1];
        return id;
}

void harness_assert_dbus_error(const GError *error, const char *name) {
        g_autofree char *remote = NULL;

        if (!error)
                g_error("expected D-Bus error %s, but the call succeeded", name);
        remote = g_dbus_error_get_remote_error(error);
        if (g_strcmp0(remote, name) != 0)
                g_error("expected D-Bus error %s, got %s (%s)", name,
                        remote ? remote : "(not a remote error)", error->message);
}

static void on_round_trip(GObject *source, GAsyncResult *res, gpointer data) {
        g_autoptr(GVariant) v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, NULL);
        *(bool *) data = true;
}

static bool is_true(gpointer data) {
        return *(bool *) data;
}

void harness_flush(Harness *h) {
        bool done = false;

        /* Any call does: its reply is dispatched after every signal sent before it. */
        g_dbus_connection_call(h->conn, harness_destination(h), ZONED_MANAGER_PATH,
                               "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, G_DBUS_CALL_FLAGS_NONE,
                               CALL_TIMEOUT_MS, NULL, on_round_trip, &done);
        g_assert_true(harness_wait(is_true, &done, CALL_TIMEOUT_MS));
}

int harness_find_event(Harness *h, const char *prefix) {
        for (guint i = 0; i < h->events->len; i++)
                if (g_str_has_prefix(h->events->pdata[i], prefix))
                        return (int) i;
        return -1;
}

typedef struct EventWait {
        Harness *h;
        const char *prefix;
} EventWait;

static bool event_seen(gpointer data) {
        EventWait *w = data;
        return harness_find_event(w->h, w->prefix) >= 0;
}

bool harness_wait_event(Harness *h, const char *prefix, guint timeout_ms) {
        EventWait w = { h, prefix };
        return harness_wait(event_seen, &w, timeout_ms);
}

char *harness_import_fs(Harness *h, const char *dir, const char *name, const char *brand) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;
        const char *path;
        guint32 id;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (brand)
                g_variant_builder_add(&options, "{sv}", "brand", g_variant_new_string(brand));
        reply = harness_manager_call(h, "ImportTemplateFs", g_variant_new("(ssa{sv})", dir, name, &options),
                                     "(uo)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);

        return harness_wait_transfer_removed(h, id, path, HARNESS_TRANSFER_TIMEOUT_MS);
}

void harness_import_busybox(Harness *h) {
        g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");

        g_assert_cmpstr(result, ==, "done");
}

char *harness_wait_transfer_removed(Harness *h, guint32 id, const char *path, guint timeout_ms) {
        g_autofree char *prefix = g_strdup_printf("TransferRemoved %u %s ", id, path);

        if (!harness_wait_event(h, prefix, timeout_ms))
                g_error("no TransferRemoved for transfer %u (%s) within %u ms", id, path, timeout_ms);
        return g_strdup((char *) h->events->pdata[harness_find_event(h, prefix)] + strlen(prefix));
}

char *harness_zone_path(Harness *h, const char *name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        char *path;

        reply = harness_manager_call(h, "GetZone", g_variant_new("(s)", name), "(o)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        return path;
}

GVariant *harness_zone_property(Harness *h, const char *name, const char *property) {
        g_autofree char *path = harness_zone_path(h, name);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariant *v;

        reply = harness_call(h, path, "org.freedesktop.DBus.Properties", "Get",
                             g_variant_new("(ss)", ZONED_ZONE_IFACE, property), "(v)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(v)", &v);
        return v;
}

char *harness_zone_state(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "State");

        g_assert_true(g_variant_is_of_type(v, G_VARIANT_TYPE_STRING));
        return g_variant_dup_string(v, NULL);
}

guint32 harness_zone_leader(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "Leader");

        g_assert_true(g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32));
        return g_variant_get_uint32(v);
}

/* ---- ZoneWatch ---- */

static void watch_apply(ZoneWatch *w, const char *property, GVariant *value, bool from_signal) {
        if (g_str_equal(property, "State") && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
                g_free(w->state);
                w->state = g_variant_dup_string(value, NULL);
                if (from_signal)
                        g_ptr_array_add(w->states, g_strdup(w->state));
        } else if (g_str_equal(property, "Leader") && g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
                w->leader = g_variant_get_uint32(value);
        else if (g_str_equal(property, "StatusText") && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
                g_free(w->status_text);
                w->status_text = g_variant_dup_string(value, NULL);
        }
}

static void on_get_all(GObject *source, GAsyncResult *res, gpointer data) {
        ZoneWatch *w = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
        g_autoptr(GVariant) props = NULL;
        GVariantIter it;
        const char *k;
        GVariant *v;

        w->pending--;
        w->loaded = true;
        if (!reply) {
                g_test_message("GetAll on %s failed: %s", w->path, error->message);
                return;
        }
        props = g_variant_get_child_value(reply, 0);
        g_variant_iter_init(&it, props);
        while (g_variant_iter_loop(&it, "{&sv}", &k, &v))
                watch_apply(w, k, v, false);
}

static void watch_get_all(ZoneWatch *w) {
        w->pending++;
        g_dbus_connection_call(w->h->conn, harness_destination(w->h), w->path,
                               "org.freedesktop.DBus.Properties", "GetAll",
                               g_variant_new("(s)", ZONED_ZONE_IFACE), G_VARIANT_TYPE("(a{sv})"),
                               G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, on_get_all, w);
}

static void on_properties_changed(GDBusConnection *c, const char *sender, const char *path,
                                  const char *iface, const char *signal, GVariant *params, gpointer data) {
        ZoneWatch *w = data;
        g_autoptr(GVariant) changed = NULL;
        g_autofree const char **invalidated = NULL;
        const char *interface, *k;
        GVariantIter it;
        GVariant *v;

        g_variant_get(params, "(&s@a{sv}^a&s)", &interface, &changed, &invalidated);
        if (!g_str_equal(interface, ZONED_ZONE_IFACE))
                return;
        g_variant_iter_init(&it, changed);
        while (g_variant_iter_loop(&it, "{&sv}", &k, &v))
                watch_apply(w, k, v, true);
        if (invalidated && invalidated[0])
                watch_get_all(w);
}

static bool watch_loaded(gpointer data) {
        ZoneWatch *w = data;
        return w->loaded && w->pending == 0;
}

ZoneWatch *zone_watch_new(Harness *h, const char *name) {
        ZoneWatch *w = g_new0(ZoneWatch, 1);

        w->h = h;
        w->name = g_strdup(name);
        w->path = harness_zone_path(h, name);
        w->states = g_ptr_array_new_with_free_func(g_free);
        w->subscription = g_dbus_connection_signal_subscribe(
                h->conn, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged", w->path,
                ZONED_ZONE_IFACE, G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, w, NULL);
        /* Asynchronous, so that its reply is ordered with the signals. */
        watch_get_all(w);
        g_assert_true(harness_wait(watch_loaded, w, CALL_TIMEOUT_MS));
        return w;
}

void zone_watch_free(ZoneWatch *w) {
        if (!w)
                return;
        if (w->pending)
                harness_wait(watch_loaded, w, CALL_TIMEOUT_MS);
        g_dbus_connection_signal_unsubscribe(w->h->conn, w->subscription);
        g_free(w->name);
        g_free(w->path);
        g_free(w->state);
        g_free(w->status_text);
        g_ptr_array_unref(w->states);
        g_free(w);
}

typedef struct StateWait {
        ZoneWatch *w;
        const char *state;
        guint32 old_leader;
} StateWait;

static bool state_reached(gpointer data) {
        StateWait *s = data;
        return g_strcmp0(s->w->state, s->state) == 0;
}

bool zone_watch_wait_state(ZoneWatch *w, const char *state, guint timeout_ms) {
        StateWait s = { .w = w, .state = state };
        return harness_wait(state_reached, &s, timeout_ms);
}

static bool settled(gpointer data) {
        ZoneWatch *w = data;
        return w->state && !g_str_equal(w->state, "creating") && !g_str_equal(w->state, "starting") &&
               !g_str_equal(w->state, "stopping");
}

const char *zone_watch_wait_settled(ZoneWatch *w, guint timeout_ms) {
        return harness_wait(settled, w, timeout_ms) ? w->state : NULL;
}

static bool new_leader(gpointer data) {
        StateWait *s = data;
        return g_strcmp0(s->w->state, "running") == 0 && s->w->leader != 0 && s->w->leader != s->old_leader;
}

bool zone_watch_wait_new_leader(ZoneWatch *w, guint32 old_leader, guint timeout_ms) {
        StateWait s = { .w = w, .old_leader = old_leader };
        return harness_wait(new_leader, &s, timeout_ms);
}

/* ---- common steps ---- */

char *harness_create_zone(Harness *h, const char *name, const char *template_name, bool copy) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;
        char *path;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (copy)
                g_variant_builder_add(&options, "{sv}", "copy", g_variant_new_boolean(TRUE));
        reply = harness_manager_call(
                h, "CreateZone", g_variant_new("(ssa{sv})", name, template_name, &options), "(o)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        if (copy) {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, name);
                if (!zone_watch_wait_state(w, "stopped", HARNESS_TRANSFER_TIMEOUT_MS))
                        g_error("zone %s created with copy is still %s", name, w->state);
        }
        return path;
}

guint32 harness_boot_zone(Harness *h, const char *name) {
        g_autoptr(ZoneWatch) w = zone_watch_new(h, name);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", name), "()", &error);
        g_assert_no_error(error);
        if (!zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS))
                g_error("zone %s did not reach running: State=%s StatusText=%s", name, w->state,
                        w->status_text ? w->status_text : "");
        g_assert_cmpuint(w->leader, !=, 0);
        return w->leader;
}

void harness_poweroff_zone(Harness *h, const char *name) {
        g_autoptr(ZoneWatch) w = zone_watch_new(h, name);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *leftovers = NULL;
        guint32 leader = w->leader;

        /* Else busybox (the brand of these tests) may not hear it: see harness_wait_init_started(). */
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        reply = harness_manager_call(h, "PoweroffZone", g_variant_new("(s)", name), "()", &error);
        g_assert_no_error(error);
        if (!zone_watch_wait_state(w, "stopped", HARNESS_STOP_TIMEOUT_MS))
                g_error("zone %s did not reach stopped after PoweroffZone: State=%s", name, w->state);
        g_assert_cmpuint(w->leader, ==, 0);
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, name);
        g_assert_null(leftovers);
}

/* ---- transfers' properties ---- */

static void transfer_props_free(TransferProps *p) {
        g_free(p->error);
        g_free(p->error_name);
        g_free(p);
}

GHashTable *harness_transfer_props_new(void) {
        return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) transfer_props_free);
}

static void on_transfer_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                                const char *signal, GVariant *params, gpointer data) {
        GHashTable *props = data;
        g_autoptr(GVariant) changed = NULL;
        const char *interface, *s;
        TransferProps *p;

        g_variant_get(params, "(&s@a{sv}@as)", &interface, &changed, NULL);
        if (!g_str_equal(interface, ZONED_TRANSFER_IFACE))
                return;
        p = g_hash_table_lookup(props, path);
        if (!p) {
                p = g_new0(TransferProps, 1);
                g_hash_table_insert(props, g_strdup(path), p);
        }
        if (g_variant_lookup(changed, "Error", "&s", &s)) {
                g_free(p->error);
                p->error = g_strdup(s);
        }
        if (g_variant_lookup(changed, "ErrorName", "&s", &s)) {
                g_free(p->error_name);
                p->error_name = g_strdup(s);
        }
        (void) g_variant_lookup(changed, "BytesDone", "t", &p->bytes_done);
        (void) g_variant_lookup(changed, "BytesTotal", "t", &p->bytes_total);
        if (g_variant_lookup(changed, "Progress", "d", &p->progress) && p->progress > 0 && p->progress < 1)
                p->n_progress++;
}

guint harness_transfer_props_subscribe(Harness *h, GHashTable *props) {
        return g_dbus_connection_signal_subscribe(h->conn, NULL, "org.freedesktop.DBus.Properties",
                                                  "PropertiesChanged", NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                  on_transfer_changed, props, NULL);
}
