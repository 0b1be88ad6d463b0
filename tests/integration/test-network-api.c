/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The network on the bus and in zonectl: create's --network and --ip, set's port=, network=, ip=,
 * unset's port=, the properties with their PropertiesChanged, what is kept in the zone file across
 * a restart of zoned, and bad input refused with nothing changed. The zones here do not boot:
 * test-network shows the links and test-net-forward the forwards working. */

#include <sys/socket.h>

#include "harness.h"

static char *zone_file(Harness *h, const char *name) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return text;
}

/* PortForwards as "tcp:8080:80 udp:5353:53" (in the order zoned keeps them). */
static char *forwards_text(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "PortForwards");
        GString *s = g_string_new(NULL);
        GVariantIter it;
        const char *proto;
        guint16 host, zone;

        g_variant_iter_init(&it, v);
        while (g_variant_iter_next(&it, "(&sqq)", &proto, &host, &zone))
                g_string_append_printf(s, "%s%s:%u:%u", s->len ? " " : "", proto, host, zone);
        return g_string_free(s, FALSE);
}

static char *addresses_text(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "Addresses");
        GString *s = g_string_new(NULL);
        GVariantIter it;
        const char *address;
        guint8 family;

        g_variant_iter_init(&it, v);
        while (g_variant_iter_next(&it, "(y&s)", &family, &address)) {
                g_assert_true(family == AF_INET || family == AF_INET6);
                g_assert_true((family == AF_INET6) == (strchr(address, ':') != NULL));
                g_string_append_printf(s, "%s%s", s->len ? " " : "", address);
        }
        return g_string_free(s, FALSE);
}

static char *mode_of(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "NetworkMode");

        return g_variant_dup_string(v, NULL);
}

/* Everything a refused call could have changed, as text. */
static char *snapshot(Harness *h, const char *name) {
        g_autofree char *file = zone_file(h, name), *ports = forwards_text(h, name),
                        *addresses = addresses_text(h, name), *mode = mode_of(h, name);

        return g_strdup_printf("%s\n%s\n%s\n%s", mode, addresses, ports, file);
}

static void set_network_fails(Harness *h, const char *name, GVariant *settings, const char *error_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *before = snapshot(h, name), *after = NULL;

        reply = harness_manager_call(h, "SetZoneNetwork", g_variant_new("(s@a{sv})", name, settings), "()",
                                     &error);
        harness_assert_dbus_error(error, error_name);
        after = snapshot(h, name);
        g_assert_cmpstr(after, ==, before);
}

static void zonectl_fails(Harness *h, const char *name, const char *what, ...) G_GNUC_NULL_TERMINATED;
static void zonectl_fails(Harness *h, const char *name, const char *what, ...) {
        g_auto(HarnessRun) r = { 0 };
        g_autoptr(GPtrArray) argv = NULL;
        g_autofree char *before = snapshot(h, name), *after = NULL;
        va_list ap;

        argv = g_ptr_array_new();
        va_start(ap, what);
        for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
                g_ptr_array_add(argv, (char *) a);
        va_end(ap);
        g_ptr_array_add(argv, NULL);
        harness_zonectl_full(h, &r, &(HarnessSpawn) { .argv = (const char *const *) argv->pdata });
        g_assert_cmpint(r.status, ==, 1);
        if (!strstr(r.err, what))
                g_error("zonectl %s: \"%s\" is not in what it said: %s", (char *) argv->pdata[0], what,
                        r.err);
        after = snapshot(h, name);
        g_assert_cmpstr(after, ==, before);
}

static void test_create_and_set(Harness *h, gconstpointer data) {
        g_autofree char *file = NULL, *mode = NULL, *ports = NULL, *addresses = NULL;
        g_auto(HarnessRun) status = { 0 };

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "create --network", "create", "web", "-t", "bb", "--network=bridge",
                           "--ip=10.42.0.20/24", NULL);
        mode = mode_of(h, "web");
        g_assert_cmpstr(mode, ==, "bridge:zbr0");
        addresses = addresses_text(h, "web");
        g_assert_nonnull(strstr(addresses, "10.42.0.20/24"));
        file = zone_file(h, "web");
        g_assert_nonnull(strstr(file, "[Network]"));
        g_assert_nonnull(strstr(file, "10.42.0.20/24"));

        /* Forwards added, one changed by giving its host port again, in the file. */
        harness_zonectl_ok(h, NULL, "set port", "set", "web", "port=tcp:8080:80", "port=udp:5353:53", NULL);
        ports = forwards_text(h, "web");
        g_assert_cmpstr(ports, ==, "tcp:8080:80 udp:5353:53");
        g_free(ports);
        harness_zonectl_ok(h, NULL, "set port again", "set", "web", "port=tcp:8080:81", NULL);
        ports = forwards_text(h, "web");
        g_assert_cmpstr(ports, ==, "tcp:8080:81 udp:5353:53");
        g_free(file);
        file = zone_file(h, "web");
        g_assert_nonnull(strstr(file, "tcp:8080:81"));

        /* status shows them */
        harness_zonectl(h, &status, NULL, "status", "web", NULL);
        harness_assert_run(&status, 0, "status");
        g_assert_nonnull(strstr(status.out, "Network: bridge:zbr0"));
        g_assert_nonnull(strstr(status.out, "10.42.0.20/24"));
        g_assert_nonnull(strstr(status.out, "tcp:8080→81"));

        /* show prints arrays of structs as zonectl set takes them. */
        {
                g_auto(HarnessRun) show = { 0 };

                harness_zonectl(h, &show, NULL, "show", "web", "-p", "PortForwards,NetworkMode", NULL);
                harness_assert_run(&show, 0, "show");
                g_assert_nonnull(strstr(show.out, "PortForwards=tcp:8080:81 udp:5353:53\n"));
                g_assert_nonnull(strstr(show.out, "NetworkMode=bridge:zbr0\n"));
        }

        /* Kept across a restart of zoned. */
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
        g_free(ports);
        ports = forwards_text(h, "web");
        g_assert_cmpstr(ports, ==, "tcp:8080:81 udp:5353:53");

        /* unset removes one. */
        harness_zonectl_ok(h, NULL, "unset port", "unset", "web", "port=udp:5353", NULL);
        g_free(ports);
        ports = forwards_text(h, "web");
        g_assert_cmpstr(ports, ==, "tcp:8080:81");
}

static void test_refused(Harness *h, gconstpointer data) {
        GVariantBuilder b;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "create web", "create", "web", "-t", "bb", "--network=bridge", NULL);
        harness_zonectl_ok(h, NULL, "create db", "create", "db", "-t", "bb", "--network=bridge", NULL);
        harness_zonectl_ok(h, NULL, "create lab", "create", "lab", "-t", "bb", "--network=none", NULL);
        harness_zonectl_ok(h, NULL, "set web port", "set", "web", "port=tcp:8080:80", NULL);

        /* Another zone's host port, a forward that is not there, forwards of a none zone. */
        zonectl_fails(h, "db", "forwarded to zone web", "set", "db", "port=tcp:8080:90", NULL);
        zonectl_fails(h, "web", "no forward", "unset", "web", "port=tcp:9999", NULL);
        zonectl_fails(h, "lab", "bridged", "set", "lab", "port=tcp:7070:80", NULL);
        /* A forward of a zone whose address its own DHCP client gets, however it is asked. */
        zonectl_fails(h, "web", "dhcp", "set", "web", "ip=dhcp", NULL);
        zonectl_fails(h, "db", "dhcp", "set", "db", "ip=dhcp", "port=tcp:7070:80", NULL);
        /* Bad values, caught by zonectl or by zoned. */
        zonectl_fails(h, "web", "invalid port", "set", "web", "port=tcp:0:80", NULL);
        zonectl_fails(h, "web", "invalid network", "set", "web", "network=wifi", NULL);
        zonectl_fails(h, "web", "invalid ip", "set", "web", "ip=10.42.0.300/24", NULL);
        /* One bad key among good ones: nothing at all changes, the limits neither. */
        zonectl_fails(h, "web", "invalid port", "set", "web", "memory=64M", "port=tcp:9090:80",
                      "port=sctp:1:1", NULL);

        set_network_fails(h, "web", g_variant_new_parsed("{'NetworkMode': <'bridge:a/b'>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web",
                          g_variant_new_parsed("{'Addresses': <['10.42.0.5/24', '10.42.0.6/24']>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web", g_variant_new_parsed("{'Addresses': <['dhcp', '10.42.0.6/24']>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web",
                          g_variant_new_parsed("{'AddPortForwards': <[('sctp', uint16 1, uint16 1)]>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web",
                          g_variant_new_parsed("{'AddPortForwards': <[('tcp', uint16 0, uint16 1)]>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(
                h, "web",
                g_variant_new_parsed(
                        "{'PortForwards': <[('tcp', uint16 1, uint16 1), ('tcp', uint16 1, uint16 2)]>}"),
                "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web", g_variant_new_parsed("{'MTU': <uint32 20>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web", g_variant_new_parsed("{'MTU': <'1400'>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "web", g_variant_new_parsed("{'Colour': <'blue'>}"),
                          "org.freedesktop.DBus.Error.InvalidArgs");
        set_network_fails(h, "db",
                          g_variant_new_parsed("{'AddPortForwards': <[('tcp', uint16 8080, uint16 1)]>}"),
                          "org.zoned1.Error.PortInUse");

        /* The whole set replaced at once, as a GUI sends it. */
        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add_parsed(
                &b, "{'PortForwards', <[('udp', uint16 53, uint16 53), ('tcp', uint16 443, uint16 8443)]>}");
        g_autoptr(GVariant) reply = harness_manager_call(h, "SetZoneNetwork",
                                                         g_variant_new("(sa{sv})", "web", &b), "()", NULL);
        g_autofree char *ports = forwards_text(h, "web");
        g_assert_cmpstr(ports, ==, "udp:53:53 tcp:443:8443");
}

int main(int argc, char *argv[]) {
        harness_private_network();
        harness_init(&argc, &argv);
        HARNESS_TEST("/network-api/create-and-set", test_create_and_set, HARNESS_ZONECTL);
        HARNESS_TEST("/network-api/refused", test_refused, HARNESS_ZONECTL);
        return g_test_run();
}
