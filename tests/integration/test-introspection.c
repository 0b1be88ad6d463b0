/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The introspection XML in dbus/ is the contract: the running daemon must
 * offer exactly those methods (argument names, types, directions), signals
 * and properties (types, access) on each org.zoned1.* interface. */

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

static void test_manager(Harness *h, gconstpointer data) {
        g_autoptr(GDBusNodeInfo) got = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) objects = NULL;

        if (harness_skipped(h))
                return;
        compare_node(h, "org.zoned1.Manager.xml", ZONED_MANAGER_PATH);
        got = node_from_daemon(h, ZONED_MANAGER_PATH);
        g_assert_nonnull(g_dbus_node_info_lookup_interface(got, "org.freedesktop.DBus.ObjectManager"));
        objects = harness_call(h, ZONED_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", NULL, "(a{oa{sa{sv}}})", &error);
        g_assert_no_error(error);
}

static void test_zone(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *path = NULL;

        if (harness_skipped(h))
                return;
        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, "z1", "bb", false);
        compare_node(h, "org.zoned1.Zone.xml", path);
        (void) harness_boot_zone(h, "z1");
        compare_node(h, "org.zoned1.Zone.xml", path);
        harness_poweroff_zone(h, "z1");
}

/* Transfers are short-lived: compared when the object is still there right after the call. */
static void test_transfer(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, intro = NULL;
        g_autoptr(GDBusNodeInfo) got = NULL;
        g_autofree char *done = NULL;
        const char *path, *xml;
        guint32 id;

        if (harness_skipped(h))
                return;
        reply = harness_manager_call(h, "ImportTemplateFs",
                                     g_variant_new("(ssa{sv})", harness_busybox_rootfs(), "bb", NULL),
                                     "(uo)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        intro = harness_call(h, path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)",
                             &error);
        if (intro) {
                g_variant_get(intro, "(&s)", &xml);
                got = g_dbus_node_info_new_for_xml(xml, &error);
                g_assert_no_error(error);
        }
        g_clear_error(&error);
        if (got && g_dbus_node_info_lookup_interface(got, "org.zoned1.Transfer"))
                compare_interfaces("org.zoned1.Transfer.xml", path, got);
        else
                g_test_message("transfer %s ended before it could be introspected", path);
        done = g_strdup_printf("TransferRemoved %u %s done", id, path);
        g_assert_true(harness_wait_event(h, done, HARNESS_TRANSFER_TIMEOUT_MS));
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/introspection/manager", test_manager, HARNESS_DEFAULT);
        HARNESS_TEST("/introspection/zone", test_zone, HARNESS_DEFAULT);
        HARNESS_TEST("/introspection/transfer", test_transfer, HARNESS_DEFAULT);
        return g_test_run();
}
