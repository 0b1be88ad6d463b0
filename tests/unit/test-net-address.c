/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"

#include <arpa/inet.h>
#include <glib.h>

#include "net-address.h"

static void test_network_mode(void) {
        static const struct {
                const char *text;
                int r;
                NetworkMode mode;
                const char *link, *formatted;
        } cases[] = {
                { "none", 0, NETWORK_NONE, NULL, "none" },
                { "host", 0, NETWORK_HOST, NULL, "host" },
                { "bridge", 0, NETWORK_BRIDGE, NULL, "bridge:zbr0" },
                { "bridge:lab", 0, NETWORK_BRIDGE, "lab", "bridge:lab" },
                { "macvlan:eth0", 0, NETWORK_MACVLAN, "eth0", "macvlan:eth0" },
                { "ipvlan:eth0", 0, NETWORK_IPVLAN, "eth0", "ipvlan:eth0" },
                { "macvlan", -EINVAL },
                { "none:x", -EINVAL },
                { "host:x", -EINVAL },
                { "bridge:", -EINVAL },
                { "bridge:a/b", -EINVAL },
                { "bridge:a b", -EINVAL },
                { "bridge:0123456789abcdef", -EINVAL },
                { "bridge:..", -EINVAL },
                { "wifi", -EINVAL },
                { "", -EINVAL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *link = NULL, *text = NULL;
                NetworkMode m = _NETWORK_MODE_INVALID;

                g_test_message("%s", cases[i].text);
                g_assert_cmpint(network_mode_parse(cases[i].text, &m, &link), ==, cases[i].r);
                if (cases[i].r < 0)
                        continue;
                g_assert_cmpint(m, ==, cases[i].mode);
                g_assert_cmpstr(link, ==, cases[i].link);
                g_assert_cmpint(network_mode_format(m, link, &text), ==, 0);
                g_assert_cmpstr(text, ==, cases[i].formatted);
        }
}

static void test_prefix(void) {
        static const struct {
                const char *text;
                int r;
                const char *formatted;
        } cases[] = {
                { "10.42.0.5/24", 0, "10.42.0.5/24" },
                { "10.42.0.5", 0, "10.42.0.5/32" },
                { "fd42::5/64", 0, "fd42::5/64" },
                { "fd42::5", 0, "fd42::5/128" },
                { "0.0.0.0/0", 0, "0.0.0.0/0" },
                { "10.42.0.5/33", -EINVAL },
                { "fd42::5/129", -EINVAL },
                { "10.42.0.5/", -EINVAL },
                { "10.42.0.5/-1", -EINVAL },
                { "10.42.0.5/2x", -EINVAL },
                { "10.42.0/24", -EINVAL },
                { "dhcp", -EINVAL },
                { "", -EINVAL },
                { "10.42.0.5/0024", -EINVAL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                char buf[INET_PREFIX_STRLEN];
                InetPrefix p;

                g_test_message("%s", cases[i].text);
                g_assert_cmpint(inet_prefix_parse(cases[i].text, &p), ==, cases[i].r);
                if (cases[i].r == 0)
                        g_assert_cmpstr(inet_prefix_format(&p, buf), ==, cases[i].formatted);
        }
}

static InetPrefix prefix(const char *s) {
        InetPrefix p;

        g_assert_cmpint(inet_prefix_parse(s, &p), ==, 0);
        return p;
}

static void test_contains_overlaps(void) {
        InetPrefix pool = prefix("10.42.0.1/24"), in = prefix("10.42.0.200"), out = prefix("10.42.1.1");
        InetPrefix wide = prefix("10.0.0.0/8"), other = prefix("10.43.0.0/24"), six = prefix("fd42::/64");
        InetPrefix six_in = prefix("fd42::ffff:1"), six_out = prefix("fd43::1");
        InetPrefix odd = prefix("10.42.0.129/25");
        char buf[INET_PREFIX_STRLEN];

        g_assert_true(inet_prefix_contains(&pool, &in));
        g_assert_false(inet_prefix_contains(&pool, &out));
        g_assert_false(inet_prefix_contains(&pool, &six_in));
        g_assert_true(inet_prefix_contains(&six, &six_in));
        g_assert_false(inet_prefix_contains(&six, &six_out));
        g_assert_true(inet_prefix_overlaps(&pool, &wide));
        g_assert_true(inet_prefix_overlaps(&wide, &pool));
        g_assert_false(inet_prefix_overlaps(&pool, &other));
        g_assert_false(inet_prefix_overlaps(&pool, &six));
        InetPrefix n = inet_prefix_network(&odd);
        g_assert_cmpstr(inet_prefix_format(&n, buf), ==, "10.42.0.128/25");
        g_assert_true(inet_prefix_equal(&pool, &pool));
        g_assert_false(inet_prefix_equal(&pool, &in));
}

static void test_port_forward(void) {
        static const struct {
                const char *text;
                int r;
                const char *formatted;
        } cases[] = {
                { "tcp:8080:80", 0, "tcp:8080:80" },
                { "udp:5353:53", 0, "udp:5353:53" },
                { "tcp:8080", 0, "tcp:8080:8080" },
                { "tcp:65535:1", 0, "tcp:65535:1" },
                { "sctp:1:1", -EINVAL },
                { "tcp:0:80", -EINVAL },
                { "tcp:65536:80", -EINVAL },
                { "tcp:80:", -EINVAL },
                { "tcp::80", -EINVAL },
                { "tcp:8o:80", -EINVAL },
                { "tcp:-1:80", -EINVAL },
                { "tcp:80:80:80", -EINVAL },
                { "TCP:80:80", -EINVAL },
                { "tcp", -EINVAL },
        };
        PortForward key;
        char buf[PORT_FORWARD_STRLEN];

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                PortForward f;

                g_test_message("%s", cases[i].text);
                g_assert_cmpint(port_forward_parse(cases[i].text, &f), ==, cases[i].r);
                if (cases[i].r == 0)
                        g_assert_cmpstr(port_forward_format(&f, buf), ==, cases[i].formatted);
        }
        g_assert_cmpint(port_forward_parse_key("tcp:8080", &key), ==, 0);
        g_assert_cmpuint(key.zone_port, ==, 0);
        g_assert_cmpstr(port_forward_format(&key, buf), ==, "tcp:8080");
        g_assert_cmpint(port_forward_parse_key("tcp:8080:80", &key), ==, -EINVAL);
}

static void test_mac(void) {
        uint8_t mac[6], again[6];
        char buf[MAC_STRLEN];

        mac_address_from_seed("0123456789abcdef0123456789abcdef", mac);
        mac_address_from_seed("0123456789abcdef0123456789abcdef", again);
        g_assert_cmpmem(mac, 6, again, 6);
        g_assert_cmpuint(mac[0] & 3, ==, 2); /* unicast, locally administered */
        mac_address_format(mac, buf);
        g_assert_cmpint(mac_address_parse(buf, again), ==, 0);
        g_assert_cmpmem(mac, 6, again, 6);
        mac_address_from_seed("fedcba9876543210fedcba9876543210", again);
        g_assert_true(memcmp(mac, again, 6) != 0);
        g_assert_cmpint(mac_address_parse("01:00:5e:00:00:01", mac), ==, -EINVAL); /* multicast */
        g_assert_cmpint(mac_address_parse("00:00:00:00:00:00", mac), ==, -EINVAL);
        g_assert_cmpint(mac_address_parse("02:00:00:00:00", mac), ==, -EINVAL);
        g_assert_cmpint(mac_address_parse("02-00-00-00-00-01", mac), ==, -EINVAL);
        g_assert_cmpint(mac_address_parse("02:00:00:00:00:0g", mac), ==, -EINVAL);
}

static void test_ifnames(void) {
        char a[IFNAME_MAX + 1], b[IFNAME_MAX + 1];

        zone_host_ifname("web", a);
        g_assert_cmpstr(a, ==, "vz-web");
        zone_host_ifname("abcdefghijkl", a);
        g_assert_cmpstr(a, ==, "vz-abcdefghijkl");
        zone_host_ifname("abcdefghijklm", a);
        zone_host_ifname("abcdefghijkln", b);
        g_assert_cmpuint(strlen(a), ==, IFNAME_MAX);
        g_assert_true(g_str_has_prefix(a, "vz-abcdefg-"));
        g_assert_cmpstr(a, !=, b);
        g_assert_true(ifname_is_valid(a));
        g_assert_false(ifname_is_valid(""));
        g_assert_false(ifname_is_valid("a:b"));
        g_assert_false(ifname_is_valid("0123456789abcdef"));
        g_assert_true(ifname_is_valid("0123456789abcde"));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/net-address/network-mode", test_network_mode);
        g_test_add_func("/net-address/prefix", test_prefix);
        g_test_add_func("/net-address/contains-overlaps", test_contains_overlaps);
        g_test_add_func("/net-address/port-forward", test_port_forward);
        g_test_add_func("/net-address/mac", test_mac);
        g_test_add_func("/net-address/ifnames", test_ifnames);
        return g_test_run();
}
