/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* network-pool.c and zone-network-alloc.c: a zone's stable addresses on its bridge (the lowest
 * free IPv4 host and its IPv6 twin; two zones never get the same), addresses a zone names, host
 * ports another zone forwards, and the bridges zones name (made and forgotten). */

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/socket.h>

#include "bus-errors.h"
#include "manager.h"
#include "network-config.h"
#include "network-pool.h"
#include "zone-network-alloc.h"
#include "zone.h"

static char *tmpdir;

static InetPrefix prefix(const char *s) {
        InetPrefix p;

        g_assert_cmpint(inet_prefix_parse(s, &p), ==, 0);
        return p;
}

static void assert_prefix(const InetPrefix *p, const char *expected) {
        char buf[INET_PREFIX_STRLEN];

        g_assert_nonnull(inet_prefix_format(p, buf));
        g_assert_cmpstr(buf, ==, expected);
}

static NetworkBridge bridge(const char *v4, const char *v6) {
        return (NetworkBridge) { .name = (char *) "zbr0", .ipv4 = prefix(v4), .ipv6 = prefix(v6) };
}

static void test_subnets(void) {
        InetPrefix pool4 = prefix("10.42.0.0/16"), pool6 = prefix("fd42:7a6f:6e65::/48"), p;

        g_assert_true(inet_prefix_subnet(&pool4, 24, 0, &p));
        assert_prefix(&p, "10.42.0.0/24");
        g_assert_true(inet_prefix_subnet(&pool4, 24, 255, &p));
        assert_prefix(&p, "10.42.255.0/24");
        g_assert_false(inet_prefix_subnet(&pool4, 24, 256, &p));
        g_assert_false(inet_prefix_subnet(&pool4, 8, 0, &p));
        g_assert_true(inet_prefix_subnet(&pool6, 64, 0xbeef, &p));
        assert_prefix(&p, "fd42:7a6f:6e65:beef::/64");
        g_assert_false(inet_prefix_subnet(&pool6, 64, 65536, &p));
        p = prefix("10.42.3.77/24");
        g_assert_cmpuint(inet_prefix_host(&p), ==, 77);
        g_assert_cmpuint(inet_prefix_host_bits(&p), ==, 8);
        p = prefix("10.8.1.2/16");
        g_assert_cmpuint(inet_prefix_host(&p), ==, 258);
}

/* 253 zones on a /24 (the bridge is .1; .0 and .255 are nobody's) get 253 different addresses,
 * each with its twin; the 254th gets none. */
static void test_pick_all(void) {
        NetworkBridge b = bridge("10.42.0.1/24", "fd42:7a6f:6e65::1/64");
        g_autoptr(GArray) taken = g_array_new(FALSE, FALSE, sizeof(InetPrefix));
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        InetPrefix got[2];

        for (unsigned i = 0; i < 253; i++) {
                char buf4[INET_PREFIX_STRLEN], buf6[INET_PREFIX_STRLEN];
                g_autofree char *want6 = NULL;

                g_assert_cmpint(network_pool_pick(&b, (InetPrefix *) (void *) taken->data, taken->len, got),
                                ==, 0);
                g_assert_cmpint(got[0].family, ==, AF_INET);
                g_assert_cmpint(got[1].family, ==, AF_INET6);
                g_assert_cmpuint(got[0].prefixlen, ==, 24);
                g_assert_cmpuint(got[1].prefixlen, ==, 64);
                g_assert_cmpuint(inet_prefix_host(&got[0]), ==, i + 2);
                g_assert_cmpuint(inet_prefix_host(&got[1]), ==, i + 2);
                g_assert_true(inet_prefix_contains(&b.ipv4, &got[0]));
                g_assert_true(inet_prefix_contains(&b.ipv6, &got[1]));
                inet_prefix_format(&got[0], buf4);
                inet_prefix_format(&got[1], buf6);
                want6 = g_strdup_printf("fd42:7a6f:6e65::%x/64", i + 2);
                g_assert_cmpstr(buf6, ==, want6);
                g_assert_false(g_hash_table_contains(seen, buf4));
                g_assert_false(g_hash_table_contains(seen, buf6));
                g_hash_table_add(seen, g_strdup(buf4));
                g_hash_table_add(seen, g_strdup(buf6));
                /* What the picked address is checked against, as a named one would be. */
                g_assert_cmpint(network_pool_check(&b, (InetPrefix *) (void *) taken->data, taken->len, got,
                                                   2, NULL),
                                ==, 0);
                g_array_append_vals(taken, got, 2);
        }
        g_assert_false(g_hash_table_contains(seen, "10.42.0.255/24"));
        g_assert_false(g_hash_table_contains(seen, "10.42.0.1/24"));
        g_assert_cmpint(network_pool_pick(&b, (InetPrefix *) (void *) taken->data, taken->len, got), ==,
                        -ENOSPC);

        /* A freed address is the next one picked. */
        g_array_remove_range(taken, 2 * 40, 2);
        g_assert_cmpint(network_pool_pick(&b, (InetPrefix *) (void *) taken->data, taken->len, got), ==, 0);
        assert_prefix(&got[0], "10.42.0.42/24");
        assert_prefix(&got[1], "fd42:7a6f:6e65::2a/64");
}

/* The host parts of the bridge's two addresses are skipped in both families, and so is a host
 * part whose IPv6 twin another zone named by hand. */
static void test_pick_skips(void) {
        NetworkBridge b = bridge("10.42.0.254/24", "fd42:7a6f:6e65::1/64");
        InetPrefix taken[] = { prefix("fd42:7a6f:6e65::2/64"), prefix("10.42.0.3/24") }, got[2];

        g_assert_cmpint(network_pool_pick(&b, taken, 2, got), ==, 0);
        assert_prefix(&got[0], "10.42.0.4/24");
        assert_prefix(&got[1], "fd42:7a6f:6e65::4/64");

        /* A /16 bridge: host parts past 255. */
        b = bridge("10.8.0.1/16", "fd08::1/64");
        g_assert_cmpint(network_pool_pick(&b, NULL, 0, got), ==, 0);
        assert_prefix(&got[0], "10.8.0.2/16");
        /* A /30: one zone. */
        b = bridge("10.9.0.1/30", "fd09::1/64");
        g_assert_cmpint(network_pool_pick(&b, NULL, 0, got), ==, 0);
        assert_prefix(&got[0], "10.9.0.2/30");
        taken[0] = got[0];
        g_assert_cmpint(network_pool_pick(&b, taken, 1, got), ==, -ENOSPC);
}

static int check1(const NetworkBridge *b, const InetPrefix *taken, size_t n_taken, const char *a) {
        InetPrefix p = prefix(a);

        return network_pool_check(b, taken, n_taken, &p, 1, NULL);
}

static void test_check(void) {
        NetworkBridge b = bridge("10.42.0.1/24", "fd42:7a6f:6e65::1/64");
        InetPrefix taken[] = { prefix("10.42.0.5/24"), prefix("fd42:7a6f:6e65::5/64") };
        InetPrefix two[] = { prefix("10.42.0.6/24"), prefix("10.42.0.7/24") };
        InetPrefix both[] = { prefix("10.42.0.9/24"), prefix("fd42:7a6f:6e65::5/64") };
        const InetPrefix *clash = NULL;

        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.20/24"), ==, 0);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.254/24"), ==, 0);
        g_assert_cmpint(check1(&b, taken, 2, "fd42:7a6f:6e65::ffff:1/64"), ==, 0);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.20/16"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.20"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.1.20/24"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.1/24"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.0/24"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.255/24"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "fd42:7a6f:6e65::1/64"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "fd42:7a6f:6e65::/64"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "fd42:7a6f:6e66::9/64"), ==, -EADDRNOTAVAIL);
        g_assert_cmpint(check1(&b, taken, 2, "10.42.0.5/24"), ==, -EADDRINUSE);
        /* A /48 network: host parts past the low 64 bits are hosts too. */
        b = bridge("10.42.0.1/24", "fd42:7a6f:6e65::1/48");
        g_assert_cmpint(check1(&b, taken, 0, "fd42:7a6f:6e65:5::/48"), ==, 0);
        g_assert_cmpint(check1(&b, taken, 0, "fd42:7a6f:6e65::/48"), ==, -EADDRNOTAVAIL);
        b = bridge("10.42.0.1/24", "fd42:7a6f:6e65::1/64");
        g_assert_cmpint(network_pool_check(&b, taken, 2, two, 2, NULL), ==, -EINVAL);
        g_assert_cmpint(network_pool_check(&b, taken, 2, both, 2, &clash), ==, -EADDRINUSE);
        g_assert_true(clash == &taken[1]);
        g_assert_cmpint(network_pool_check(&b, taken, 2, both, 1, NULL), ==, 0);
}

static void test_ports(void) {
        PortForward taken[2], mine[2];
        const PortForward *clash = NULL;

        g_assert_cmpint(port_forward_parse("tcp:8080:80", &taken[0]), ==, 0);
        g_assert_cmpint(port_forward_parse("udp:5353:53", &taken[1]), ==, 0);
        g_assert_cmpint(port_forward_parse("udp:8080:80", &mine[0]), ==, 0);
        g_assert_cmpint(port_forward_parse("tcp:5353", &mine[1]), ==, 0);
        g_assert_cmpint(network_ports_check(mine, 2, taken, 2, NULL), ==, 0);
        g_assert_cmpint(port_forward_parse("tcp:8080:8081", &mine[1]), ==, 0);
        g_assert_cmpint(network_ports_check(mine, 2, taken, 2, &clash), ==, -EADDRINUSE);
        g_assert_true(clash == &mine[1]);
        g_assert_cmpint(network_ports_check(mine, 2, NULL, 0, NULL), ==, 0);
}

/* The manager's side: zones with their networks, as their files have them. */
typedef struct Fixture {
        Manager *m;
        char *state;
} Fixture;

static Zone *add_zone(Manager *m, const char *name, NetworkMode mode, const char *link) {
        Zone *z = NULL;

        g_assert_cmpint(zone_new(m, name, &z), ==, 0);
        z->config.network.mode = mode;
        z->config.network.link = g_strdup(link);
        return z;
}

/* What the zone file's loader would free (zone-config-network.c): cleared here, so that it is
 * freed once whichever frees it. */
static void zone_network_clear(ZoneNetwork *n) {
        g_clear_pointer(&n->link, g_free);
        g_clear_pointer(&n->addresses, g_free);
        g_clear_pointer(&n->ports, g_free);
        n->n_addresses = n->n_ports = 0;
}

static void fixture_setup(Fixture *f, gconstpointer data) {
        const char *text = data;
        g_autofree char *path = g_build_filename(tmpdir, "network.conf", NULL), *error = NULL;
        static unsigned n;

        f->state = g_strdup_printf("%s/pool-state%u", tmpdir, n++);
        g_assert_true(g_file_set_contents(path, text ?: "", -1, NULL));
        g_assert_cmpint(manager_new(&f->m), ==, 0);
        g_assert_cmpint(network_config_load(path, f->state, &f->m->network_config, &error), ==, 0);
        g_assert_null(error);
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, f->m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v))
                zone_network_clear(&((Zone *) v)->config.network);
        manager_free(f->m);
        g_free(f->state);
}

static int allocate(Manager *m, Zone *z, sd_bus_error *error) {
        return zone_network_allocate(m, z->name, &z->config.network, error);
}

static void test_zones(Fixture *f, gconstpointer data) {
        Zone *a = add_zone(f->m, "a", NETWORK_BRIDGE, NULL),
             *b = add_zone(f->m, "b", NETWORK_BRIDGE, "zbr0");
        Zone *c = add_zone(f->m, "c", NETWORK_BRIDGE, NULL);
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

        g_assert_cmpint(allocate(f->m, a, &error), ==, 0);
        g_assert_cmpuint(a->config.network.n_addresses, ==, 2);
        assert_prefix(&a->config.network.addresses[0], "10.42.0.2/24");
        assert_prefix(&a->config.network.addresses[1], "fd42:7a6f:6e65::2/64");
        g_assert_cmpint(allocate(f->m, b, &error), ==, 0);
        assert_prefix(&b->config.network.addresses[0], "10.42.0.3/24");
        assert_prefix(&b->config.network.addresses[1], "fd42:7a6f:6e65::3/64");
        /* A zone's own addresses are not another zone's: checking them again is fine. */
        g_assert_cmpint(allocate(f->m, a, &error), ==, 0);
        g_assert_false(sd_bus_error_is_set(&error));

        /* c names b's address: refused, naming b. */
        c->config.network.addresses = g_new(InetPrefix, 1);
        c->config.network.addresses[0] = prefix("10.42.0.3/24");
        c->config.network.n_addresses = 1;
        g_assert_cmpint(allocate(f->m, c, &error), ==, -EADDRINUSE);
        g_assert_cmpstr(error.name, ==, ZONED_ERROR_ADDRESS_IN_USE);
        g_assert_cmpstr(error.message, ==, "Address 10.42.0.3/24 is zone b's.");
        sd_bus_error_free(&error);
        c->config.network.addresses[0] = prefix("10.43.0.3/24");
        g_assert_cmpint(allocate(f->m, c, &error), ==, -EADDRNOTAVAIL);
        g_assert_cmpstr(error.name, ==, ZONED_ERROR_ADDRESS_NOT_IN_POOL);
        g_assert_nonnull(strstr(error.message, "a host of 10.42.0.0/24 or fd42:7a6f:6e65::/64"));
        sd_bus_error_free(&error);
        c->config.network.addresses[0] = prefix("10.42.0.1/24");
        g_assert_cmpint(allocate(f->m, c, &error), ==, -EADDRNOTAVAIL);
        sd_bus_error_free(&error);
        c->config.network.addresses = g_renew(InetPrefix, c->config.network.addresses, 2);
        c->config.network.addresses[0] = prefix("10.42.0.20/24");
        c->config.network.addresses[1] = prefix("10.42.0.21/24");
        c->config.network.n_addresses = 2;
        g_assert_cmpint(allocate(f->m, c, &error), ==, -EINVAL);
        g_assert_cmpstr(error.name, ==, SD_BUS_ERROR_INVALID_ARGS);
        sd_bus_error_free(&error);
        c->config.network.n_addresses = 1;
        g_assert_cmpint(allocate(f->m, c, &error), ==, 0);
        g_assert_cmpuint(c->config.network.n_addresses, ==, 1);

        /* The next zone skips c's. */
        g_assert_cmpint(allocate(f->m, add_zone(f->m, "d", NETWORK_BRIDGE, NULL), &error), ==, 0);
        assert_prefix(&((Zone *) g_hash_table_lookup(f->m->zones, "d"))->config.network.addresses[0],
                      "10.42.0.4/24");
}

/* A zone on a bridge that zoned's file does not name: the bridge gets networks of its own, the
 * zone an address there; the bridge goes when its last zone does. */
static void test_automatic_bridge(Fixture *f, gconstpointer data) {
        Zone *a = add_zone(f->m, "a", NETWORK_BRIDGE, NULL), *b = add_zone(f->m, "b", NETWORK_BRIDGE, "br7");
        Zone *c = add_zone(f->m, "c", NETWORK_BRIDGE, "br7");
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        g_autofree char *sf = g_build_filename(f->state, ".network", "bridges.ini", NULL);

        g_assert_cmpint(allocate(f->m, a, &error), ==, 0);
        g_assert_cmpint(allocate(f->m, b, &error), ==, 0);
        assert_prefix(&b->config.network.addresses[0], "10.42.1.2/24");
        assert_prefix(&b->config.network.addresses[1], "fd42:7a6f:6e65:1::2/64");
        /* Another bridge's zones hold addresses on their own bridge only. */
        g_assert_cmpint(allocate(f->m, c, &error), ==, 0);
        assert_prefix(&c->config.network.addresses[0], "10.42.1.3/24");
        g_assert_nonnull(network_config_get_bridge(f->m->network_config, "br7"));
        g_assert_true(g_file_test(sf, G_FILE_TEST_EXISTS));

        g_assert_cmpint(zone_network_forget_bridges(f->m), ==, 0);
        g_assert_nonnull(network_config_get_bridge(f->m->network_config, "br7"));
        zone_network_clear(&b->config.network);
        zone_free(b);
        g_assert_cmpint(zone_network_forget_bridges(f->m), ==, 0);
        g_assert_nonnull(network_config_get_bridge(f->m->network_config, "br7"));
        zone_network_clear(&c->config.network);
        zone_free(c);
        g_assert_cmpint(zone_network_forget_bridges(f->m), ==, 0);
        g_assert_null(network_config_get_bridge(f->m->network_config, "br7"));
        g_assert_nonnull(network_config_get_bridge(f->m->network_config, "zbr0"));
        g_assert_false(g_file_test(sf, G_FILE_TEST_EXISTS));

        /* A name that is not an interface name, and pools with no network left. */
        b = add_zone(f->m, "b", NETWORK_BRIDGE, "x/y");
        g_assert_cmpint(allocate(f->m, b, &error), ==, -EINVAL);
        g_assert_cmpstr(error.name, ==, ZONED_ERROR_INVALID_NAME);
        sd_bus_error_free(&error);
}

static void test_exhausted(Fixture *f, gconstpointer data) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        Zone *z;

        for (unsigned i = 0; i < 253; i++) {
                g_autofree char *name = g_strdup_printf("z%u", i);

                g_assert_cmpint(allocate(f->m, add_zone(f->m, name, NETWORK_BRIDGE, NULL), &error), ==, 0);
        }
        z = add_zone(f->m, "last", NETWORK_BRIDGE, NULL);
        g_assert_cmpint(allocate(f->m, z, &error), ==, -ENOSPC);
        g_assert_cmpstr(error.name, ==, ZONED_ERROR_POOL_EXHAUSTED);
        g_assert_cmpstr(error.message, ==, "Bridge zbr0 has no free address left for a zone.");
        g_assert_cmpuint(z->config.network.n_addresses, ==, 0);
        sd_bus_error_free(&error);
        /* A zone with Address=dhcp needs none. */
        z->config.network.dhcp = true;
        g_assert_cmpint(allocate(f->m, z, &error), ==, 0);
        g_assert_cmpuint(z->config.network.n_addresses, ==, 0);

        /* The pools of this fixture hold 2 bridges: zbr0 and one more. */
        g_assert_cmpint(allocate(f->m, add_zone(f->m, "x1", NETWORK_BRIDGE, "br1"), &error), ==, 0);
        g_assert_cmpint(allocate(f->m, add_zone(f->m, "x2", NETWORK_BRIDGE, "br2"), &error), ==, -ENOSPC);
        g_assert_cmpstr(error.name, ==, ZONED_ERROR_POOL_EXHAUSTED);
        g_assert_cmpstr(error.message, ==, "The pools have no free network left for bridge br2.");
}

static void test_zone_ports(Fixture *f, gconstpointer data) {
        Zone *a = add_zone(f->m, "a", NETWORK_BRIDGE, NULL),
             *b = add_zone(f->m, "b", NETWORK_MACVLAN, "eth9");
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        PortForward p;

        a->config.network.ports = g_new(PortForward, 1);
        g_assert_cmpint(port_forward_parse("tcp:8080:80", &a->config.network.ports[0]), ==, 0);
        a->config.network.n_ports = 1;
        g_assert_cmpint(allocate(f->m, a, &error), ==, 0);
        b->config.network.ports = g_new(PortForward, 2);
        g_assert_cmpint(port_forward_parse("udp:8080", &b->config.network.ports[0]), ==, 0);
        g_assert_cmpint(port_forward_parse("tcp:8080:8080", &b->config.network.ports[1]), ==, 0);
        b->config.network.n_ports = 2;
        g_assert_cmpint(allocate(f->m, b, &error), ==, -EADDRINUSE);
        g_assert_cmpstr(error.name, ==, ZONED_ERROR_PORT_IN_USE);
        g_assert_cmpstr(error.message, ==, "Host port tcp/8080 is forwarded to zone a already.");
        /* A macvlan zone gets no address from a bridge. */
        g_assert_cmpuint(b->config.network.n_addresses, ==, 0);
        sd_bus_error_free(&error);
        b->config.network.n_ports = 1;
        g_assert_cmpint(allocate(f->m, b, &error), ==, 0);
        g_assert_cmpint(port_forward_parse("tcp:8080:22", &p), ==, 0);
        g_assert_cmpint(zone_network_check_port(f->m, "b", &p, &error), ==, -EADDRINUSE);
        sd_bus_error_free(&error);
        /* A's own forward is a's to change. */
        g_assert_cmpint(zone_network_check_port(f->m, "a", &p, &error), ==, 0);
        g_assert_cmpint(port_forward_parse("udp:8080", &p), ==, 0);
        g_assert_cmpint(zone_network_check_port(f->m, "a", &p, &error), ==, -EADDRINUSE);
        g_assert_cmpstr(error.message, ==, "Host port udp/8080 is forwarded to zone b already.");
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("test-network-pool-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/network-pool/subnets", test_subnets);
        g_test_add_func("/network-pool/pick-all", test_pick_all);
        g_test_add_func("/network-pool/pick-skips", test_pick_skips);
        g_test_add_func("/network-pool/check", test_check);
        g_test_add_func("/network-pool/ports", test_ports);
        g_test_add("/network-pool/zones", Fixture, NULL, fixture_setup, test_zones, fixture_teardown);
        g_test_add("/network-pool/automatic-bridge", Fixture, NULL, fixture_setup, test_automatic_bridge,
                   fixture_teardown);
        g_test_add("/network-pool/exhausted", Fixture, "[Pools]\nIPv4=10.42.0.0/23\n", fixture_setup,
                   test_exhausted, fixture_teardown);
        g_test_add("/network-pool/ports-of-zones", Fixture, NULL, fixture_setup, test_zone_ports,
                   fixture_teardown);
        r = g_test_run();
        g_assert_cmpint(rm_rf(tmpdir), ==, 0);
        g_free(tmpdir);
        return r;
}
