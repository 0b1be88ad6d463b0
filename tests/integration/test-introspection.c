/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The introspection XML in dbus/ is the contract: the running daemon must
 * offer exactly those methods (argument names, types, directions), signals
 * and properties (types, access) on each org.zoned1.* interface. */

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <unistd.h>

#include "harness.h"

static GDBusNodeInfo *node_from_file(const char *file) {
        g_autofree char *path = g_build_filename(g_getenv("ZONED_TEST_DBUS_DIR"), file, NULL), *xml = NULL;
        g_autoptr(GError) error = NULL;
        GDBusNodeInfo *node;

        g_assert_true(g_file_get_contents(path, &xml, NULL, &error));
        g_assert_no_error(error);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        return node;
}

static GDBusNodeInfo *node_from_daemon(Harness *h, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GDBusNodeInfo *node;
        const char *xml;

        reply = harness_call(h, path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)",
                             &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &xml);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        if (error)
                g_error("Introspect %s returned XML GDBus cannot parse (%s):\n%s", path, error->message,
                        xml);
        return node;
}

static void compare_args(const char *what, GDBusArgInfo **want, GDBusArgInfo **got) {
        guint i = 0;

        for (; want && want[i]; i++) {
                if (!got || !got[i])
                        g_error("%s: argument %s (%s) missing", what, want[i]->name, want[i]->signature);
                if (g_strcmp0(want[i]->name, got[i]->name) != 0 ||
                    !g_str_equal(want[i]->signature, got[i]->signature))
                        g_error("%s: argument %u is %s %s, the contract says %s %s", what, i,
                                got[i]->signature, got[i]->name, want[i]->signature, want[i]->name);
        }
        if (got && got[i])
                g_error("%s: extra argument %s (%s)", what, got[i]->name, got[i]->signature);
}

static void compare_methods(const char *iface, GDBusInterfaceInfo *want, GDBusInterfaceInfo *got) {
        for (GDBusMethodInfo **m = want->methods; m && *m; m++) {
                GDBusMethodInfo *g = g_dbus_interface_info_lookup_method(got, (*m)->name);
                g_autofree char *in = g_strdup_printf("%s.%s (in)", iface, (*m)->name);
                g_autofree char *out = g_strdup_printf("%s.%s (out)", iface, (*m)->name);

                if (!g)
                        g_error("%s: method %s missing from the daemon", iface, (*m)->name);
                compare_args(in, (*m)->in_args, g->in_args);
                compare_args(out, (*m)->out_args, g->out_args);
        }
        for (GDBusMethodInfo **m = got->methods; m && *m; m++)
                if (!g_dbus_interface_info_lookup_method(want, (*m)->name))
                        g_error("%s: the daemon has method %s, which is not in the contract", iface,
                                (*m)->name);
}

static void compare_signals(const char *iface, GDBusInterfaceInfo *want, GDBusInterfaceInfo *got) {
        for (GDBusSignalInfo **s = want->signals; s && *s; s++) {
                GDBusSignalInfo *g = g_dbus_interface_info_lookup_signal(got, (*s)->name);
                g_autofree char *what = g_strdup_printf("%s.%s (signal)", iface, (*s)->name);

                if (!g)
                        g_error("%s: signal %s missing from the daemon", iface, (*s)->name);
                compare_args(what, (*s)->args, g->args);
        }
        for (GDBusSignalInfo **s = got->signals; s && *s; s++)
                if (!g_dbus_interface_info_lookup_signal(want, (*s)->name))
                        g_error("%s: the daemon has signal %s, which is not in the contract", iface,
                                (*s)->name);
}

/* Whether a property announces its changes: usage figures, read on request, do not (their
 * values move between two reads). */
static bool property_emits_change(GDBusPropertyInfo *p) {
        const char *v = g_dbus_annotation_info_lookup(p->annotations,
                                                      "org.freedesktop.DBus.Property.EmitsChangedSignal");

        return !v || !g_str_equal(v, "false");
}

static void compare_properties(const char *iface, GDBusInterfaceInfo *want, GDBusInterfaceInfo *got) {
        for (GDBusPropertyInfo **p = want->properties; p && *p; p++) {
                GDBusPropertyInfo *g = g_dbus_interface_info_lookup_property(got, (*p)->name);

                if (!g)
                        g_error("%s: property %s missing from the daemon", iface, (*p)->name);
                if (!g_str_equal(g->signature, (*p)->signature))
                        g_error("%s.%s: type %s, the contract says %s", iface, (*p)->name, g->signature,
                                (*p)->signature);
                if (g->flags != (*p)->flags)
                        g_error("%s.%s: access flags %d, the contract says %d", iface, (*p)->name, g->flags,
                                (*p)->flags);
                if (property_emits_change(g) != property_emits_change(*p))
                        g_error("%s.%s: EmitsChangedSignal %s, the contract says %s", iface, (*p)->name,
                                property_emits_change(g) ? "true" : "false",
                                property_emits_change(*p) ? "true" : "false");
        }
        for (GDBusPropertyInfo **p = got->properties; p && *p; p++)
                if (!g_dbus_interface_info_lookup_property(want, (*p)->name))
                        g_error("%s: the daemon has property %s, which is not in the contract", iface,
                                (*p)->name);
}

/* Every org.zoned1.* interface of the contract file, as the daemon has it at path. */
static void compare_interfaces(const char *file, const char *path, GDBusNodeInfo *got) {
        g_autoptr(GDBusNodeInfo) want = node_from_file(file);
        guint n = 0;

        for (GDBusInterfaceInfo **i = want->interfaces; i && *i; i++) {
                GDBusInterfaceInfo *g;

                if (!g_str_has_prefix((*i)->name, "org.zoned1."))
                        continue;
                g = g_dbus_node_info_lookup_interface(got, (*i)->name);
                if (!g)
                        g_error("%s does not implement %s", path, (*i)->name);
                compare_methods((*i)->name, *i, g);
                compare_signals((*i)->name, *i, g);
                compare_properties((*i)->name, *i, g);
                n++;
        }
        g_assert_cmpuint(n, >, 0);
        for (const char *const *std = (const char *const[]) { "org.freedesktop.DBus.Introspectable",
                                                              "org.freedesktop.DBus.Properties",
                                                              "org.freedesktop.DBus.Peer", NULL };
             *std; std++)
                if (!g_dbus_node_info_lookup_interface(got, *std))
                        g_error("%s does not implement %s", path, *std);
}

static void compare_node(Harness *h, const char *file, const char *path) {
        g_autoptr(GDBusNodeInfo) got = node_from_daemon(h, path);

        compare_interfaces(file, path, got);
}

/* Ends a held transfer with CancelTransfer and waits until its object is gone. */
static void cancel_held(Harness *h, guint32 id, const char *path, int write_end) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *result = NULL;

        reply = harness_manager_call(h, "CancelTransfer", g_variant_new("(u)", id), "()", &error);
        g_assert_no_error(error);
        result = harness_wait_transfer_removed(h, id, path, HARNESS_TRANSFER_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "canceled");
        close(write_end);
}

/* The property names of an interface of the contract, each mapped to whether it announces its
 * changes. */
static GHashTable *contract_properties(const char *file, const char *iface) {
        g_autoptr(GDBusNodeInfo) node = node_from_file(file);
        GDBusInterfaceInfo *i = g_dbus_node_info_lookup_interface(node, iface);
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        g_assert_nonnull(i);
        for (GDBusPropertyInfo **p = i->properties; p && *p; p++)
                g_hash_table_insert(set, g_strdup((*p)->name), GINT_TO_POINTER(property_emits_change(*p)));
        return set;
}

/* An object's properties in GetManagedObjects are the contract's, with the values of its own
 * GetAll (nothing that announces its changes changes meanwhile: the zones are settled, the
 * transfer waits; usage figures, which move without a signal, are compared by type). */
static void assert_object_properties(Harness *h, const char *path, const char *file, const char *iface,
                                     GVariant *ifaces) {
        g_autoptr(GHashTable) want = contract_properties(file, iface);
        g_autoptr(GVariant) props = g_variant_lookup_value(ifaces, iface, G_VARIANT_TYPE("a{sv}"));
        g_autoptr(GVariant) all = NULL, own = NULL;
        g_autoptr(GError) error = NULL;
        GVariantIter it;
        const char *name;
        GVariant *value;

        if (!props)
                g_error("GetManagedObjects: %s has no %s", path, iface);
        g_assert_cmpuint(g_variant_n_children(props), ==, g_hash_table_size(want));
        all = harness_call(h, path, "org.freedesktop.DBus.Properties", "GetAll", g_variant_new("(s)", iface),
                           "(a{sv})", &error);
        g_assert_no_error(error);
        own = g_variant_get_child_value(all, 0);
        g_variant_iter_init(&it, props);
        while (g_variant_iter_next(&it, "{&sv}", &name, &value)) {
                g_autoptr(GVariant) v = value, mine = g_variant_lookup_value(own, name, NULL);

                if (!g_hash_table_contains(want, name))
                        g_error("GetManagedObjects: %s has property %s.%s, not in the contract", path, iface,
                                name);
                if (mine && !GPOINTER_TO_INT(g_hash_table_lookup(want, name)) &&
                    g_variant_type_equal(g_variant_get_type(v), g_variant_get_type(mine)))
                        continue;
                if (!mine || !g_variant_equal(v, mine)) {
                        g_autofree char *a = g_variant_print(v, TRUE),
                                        *b = mine ? g_variant_print(mine, TRUE) : NULL;
                        g_error("GetManagedObjects: %s %s.%s is %s, GetAll says %s", path, iface, name, a,
                                b);
                }
        }
}

/* GetManagedObjects has every zone of ListZones and every transfer of ListTransfers, and nothing
 * else, with their properties. */
static void assert_managed_objects(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) objects = NULL, zones = NULL, transfers = NULL, dict = NULL;
        g_autoptr(GHashTable) listed = g_hash_table_new(g_str_hash, g_str_equal);
        const char *name, *state, *brand, *template, *path, *type, *description;
        GVariantIter *it;
        guint32 id;
        double progress;

        objects = harness_call(h, ZONED_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", NULL, "(a{oa{sa{sv}}})", &error);
        g_assert_no_error(error);
        dict = g_variant_get_child_value(objects, 0);
        zones = harness_manager_call(h, "ListZones", NULL, "(a(sssso))", &error);
        g_assert_no_error(error);
        transfers = harness_manager_call(h, "ListTransfers", NULL, "(a(ussdo))", &error);
        g_assert_no_error(error);

        g_variant_get(zones, "(a(sssso))", &it);
        while (g_variant_iter_next(it, "(&s&s&s&s&o)", &name, &state, &brand, &template, &path)) {
                g_autoptr(GVariant) ifaces = g_variant_lookup_value(dict, path, G_VARIANT_TYPE("a{sa{sv}}"));
                g_autoptr(GVariant) zone = NULL;
                const char *got_name, *got_state, *got_brand, *got_template;

                if (!ifaces)
                        g_error("GetManagedObjects has no %s (zone %s of ListZones)", path, name);
                zone = g_variant_lookup_value(ifaces, ZONED_ZONE_IFACE, G_VARIANT_TYPE("a{sv}"));
                g_assert_nonnull(zone);
                g_assert_true(g_variant_lookup(zone, "Name", "&s", &got_name));
                g_assert_true(g_variant_lookup(zone, "State", "&s", &got_state));
                g_assert_true(g_variant_lookup(zone, "Brand", "&s", &got_brand));
                g_assert_true(g_variant_lookup(zone, "Template", "&s", &got_template));
                g_assert_cmpstr(got_name, ==, name);
                g_assert_cmpstr(got_state, ==, state);
                g_assert_cmpstr(got_brand, ==, brand);
                g_assert_cmpstr(got_template, ==, template);
                assert_object_properties(h, path, "org.zoned1.Zone.xml", ZONED_ZONE_IFACE, ifaces);
                g_hash_table_add(listed, (gpointer) path);
        }
        g_variant_iter_free(it);

        g_variant_get(transfers, "(a(ussdo))", &it);
        while (g_variant_iter_next(it, "(u&s&sd&o)", &id, &type, &description, &progress, &path)) {
                g_autoptr(GVariant) ifaces = g_variant_lookup_value(dict, path, G_VARIANT_TYPE("a{sa{sv}}"));
                g_autoptr(GVariant) transfer = NULL;
                guint32 got_id;

                if (!ifaces)
                        g_error("GetManagedObjects has no %s (transfer %u of ListTransfers)", path, id);
                transfer = g_variant_lookup_value(ifaces, ZONED_TRANSFER_IFACE, G_VARIANT_TYPE("a{sv}"));
                g_assert_nonnull(transfer);
                g_assert_true(g_variant_lookup(transfer, "Id", "u", &got_id));
                g_assert_cmpuint(got_id, ==, id);
                assert_object_properties(h, path, "org.zoned1.Transfer.xml", ZONED_TRANSFER_IFACE, ifaces);
                g_hash_table_add(listed, (gpointer) path);
        }
        g_variant_iter_free(it);

        if (g_variant_n_children(dict) != g_hash_table_size(listed)) {
                g_autofree char *text = g_variant_print(dict, FALSE);
                g_error("GetManagedObjects has %zu objects, ListZones and ListTransfers %u: %s",
                        g_variant_n_children(dict), g_hash_table_size(listed), text);
        }
}

static void test_manager(Harness *h, gconstpointer data) {
        g_autoptr(GDBusNodeInfo) got = NULL;
        g_autofree char *z1 = NULL, *z2 = NULL, *transfer = NULL;
        guint32 id;
        int write_end;

        if (harness_skipped(h))
                return;
        compare_node(h, "org.zoned1.Manager.xml", ZONED_MANAGER_PATH);
        got = node_from_daemon(h, ZONED_MANAGER_PATH);
        g_assert_nonnull(g_dbus_node_info_lookup_interface(got, "org.freedesktop.DBus.ObjectManager"));

        /* Empty, then a stopped zone, a running one and a transfer in progress. */
        assert_managed_objects(h);
        harness_import_busybox(h);
        z1 = harness_create_zone(h, "z1", "bb", false);
        z2 = harness_create_zone(h, "z2", "bb", false);
        (void) harness_boot_zone(h, "z2");
        id = harness_held_transfer(h, "held", &write_end, &transfer);
        assert_managed_objects(h);
        cancel_held(h, id, transfer, write_end);
        harness_poweroff_zone(h, "z2");
}

static void test_zone(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        compare_node(h, "org.zoned1.Zone.xml", path);
        (void) harness_boot_zone(h, "z1");
        compare_node(h, "org.zoned1.Zone.xml", path);
        harness_poweroff_zone(h, "z1");
}

/* A transfer held open (its stream never comes) is introspected for sure. */
static void test_transfer(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL;
        guint32 id;
        int write_end;

        if (harness_skipped(h))
                return;
        id = harness_held_transfer(h, "held", &write_end, &path);
        compare_node(h, "org.zoned1.Transfer.xml", path);
        cancel_held(h, id, path, write_end);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/introspection/manager", test_manager, HARNESS_DEFAULT);
        HARNESS_TEST("/introspection/zone", test_zone, HARNESS_DEFAULT);
        HARNESS_TEST("/introspection/transfer", test_transfer, HARNESS_DEFAULT);
        return g_test_run();
}
