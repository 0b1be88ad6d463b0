/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"

#include <arpa/inet.h>
#include <glib.h>
#include <sched.h>
#include <sys/socket.h>

#include "net-nft.h"
#include "net-rules.h"

static InetPrefix prefix(const char *s) {
        InetPrefix p = {};

        g_assert_cmpint(inet_prefix_parse(s, &p), ==, 0);
        return p;
}

static const PortForward web_ports[] = {
        { IPPROTO_TCP, 8080, 80 },
        { IPPROTO_UDP, 5353, 53 },
};

/* Two bridges (one isolated and closed to the host, one open, masqueraded, IPv4 only), two zones
 * on the first (one without IPv6 and forwards), one on the second with DHCP. */
static void state(NetRulesBridge b[static 2], NetRulesZone z[static 3]) {
        b[0] = (NetRulesBridge) {
                .name = "zbr0",
                .ipv4 = prefix("10.42.0.1/24"),
                .ipv6 = prefix("fd42::1/64"),
                .isolated = true,
        };
        b[1] = (NetRulesBridge) {
                .name = "lab",
                .ipv4 = prefix("10.43.0.1/16"),
                .masquerade = true,
                .allow_host = true,
        };
        z[0] = (NetRulesZone) {
                .name = "web",
                .bridge = "zbr0",
                .host_ifname = "vz-web",
                .mac = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
                .ipv4 = prefix("10.42.0.5/24"),
                .ipv6 = prefix("fd42::5/64"),
                .ports = web_ports,
                .n_ports = ELEMENTSOF(web_ports),
        };
        z[1] = (NetRulesZone) {
                .name = "db",
                .bridge = "zbr0",
                .host_ifname = "vz-db",
                .mac = { 0x02, 0, 0, 0, 0, 0x06 },
                .ipv4 = prefix("10.42.0.6/24"),
        };
        z[2] = (NetRulesZone) {
                .name = "dev.1",
                .bridge = "lab",
                .host_ifname = "vz-dev.1",
                .mac = { 0x02, 0, 0, 0, 0, 0x07 },
        };
}

/* clang-format off */
static const char golden[] =
        "add table inet zoned\n"
        "delete table inet zoned\n"
        "add table bridge zoned\n"
        "delete table bridge zoned\n"
        "table inet zoned {\n"
        "\tchain localnet {\n"
        "\t\ttype filter hook prerouting priority raw; policy accept;\n"
        "\t\tiifname { \"zbr0\", \"lab\" } ip daddr 127.0.0.0/8 drop\n"
        "\t}\n"
        "\tchain prerouting {\n"
        "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
        "\t\tmeta nfproto ipv4 fib daddr type local tcp dport 8080 dnat ip to 10.42.0.5:80\n"
        "\t\tmeta nfproto ipv6 fib daddr type local tcp dport 8080 dnat ip6 to [fd42::5]:80\n"
        "\t\tmeta nfproto ipv4 fib daddr type local udp dport 5353 dnat ip to 10.42.0.5:53\n"
        "\t\tmeta nfproto ipv6 fib daddr type local udp dport 5353 dnat ip6 to [fd42::5]:53\n"
        "\t}\n"
        "\tchain output {\n"
        "\t\ttype nat hook output priority -100; policy accept;\n"
        "\t\tmeta nfproto ipv4 fib daddr type local tcp dport 8080 dnat ip to 10.42.0.5:80\n"
        "\t\tmeta nfproto ipv6 ip6 daddr != ::1 fib daddr type local tcp dport 8080 dnat ip6 to [fd42::5]:80\n"
        "\t\tmeta nfproto ipv4 fib daddr type local udp dport 5353 dnat ip to 10.42.0.5:53\n"
        "\t\tmeta nfproto ipv6 ip6 daddr != ::1 fib daddr type local udp dport 5353 dnat ip6 to [fd42::5]:53\n"
        "\t}\n"
        "\tchain postrouting {\n"
        "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
        "\t\tiifname { \"zbr0\", \"lab\" } oifname { \"zbr0\", \"lab\" } ct status dnat masquerade\n"
        "\t\toifname \"zbr0\" ip saddr 127.0.0.0/8 ct status dnat masquerade\n"
        "\t\toifname \"lab\" ip saddr 127.0.0.0/8 ct status dnat masquerade\n"
        "\t\tip saddr 10.43.0.0/16 oifname != \"lab\" masquerade\n"
        "\t}\n"
        "\tchain input {\n"
        "\t\ttype filter hook input priority filter; policy accept;\n"
        "\t\tiifname { \"zbr0\" } ct state established,related accept\n"
        "\t\tiifname { \"zbr0\" } ct status dnat accept\n"
        "\t\tiifname { \"zbr0\" } icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n"
        "\t\tiifname { \"zbr0\" } icmp type echo-request accept\n"
        "\t\tiifname { \"zbr0\" } icmpv6 type echo-request accept\n"
        "\t\tiifname { \"zbr0\" } drop\n"
        "\t}\n"
        "\tchain forward {\n"
        "\t\ttype filter hook forward priority filter; policy accept;\n"
        "\t\tct state established,related accept\n"
        "\t\tct status dnat accept\n"
        "\t}\n"
        "}\n"
        "table bridge zoned {\n"
        "\tchain prerouting {\n"
        "\t\ttype filter hook prerouting priority filter; policy accept;\n"
        "\t\tiifname \"vz-web\" jump zone-web\n"
        "\t\tiifname \"vz-db\" jump zone-db\n"
        "\t\tiifname \"vz-dev.1\" jump zone-dev.1\n"
        "\t}\n"
        "\tchain zone-web {\n"
        "\t\tether saddr != 02:11:22:33:44:55 drop\n"
        "\t\tip saddr != { 0.0.0.0, 10.42.0.5 } drop\n"
        "\t\tarp saddr ip != { 0.0.0.0, 10.42.0.5 } drop\n"
        "\t\tarp saddr ether != 02:11:22:33:44:55 drop\n"
        "\t\tip6 saddr != { ::, fe80::11:22ff:fe33:4455, fd42::5 } drop\n"
        "\t}\n"
        "\tchain zone-db {\n"
        "\t\tether saddr != 02:00:00:00:00:06 drop\n"
        "\t\tip saddr != { 0.0.0.0, 10.42.0.6 } drop\n"
        "\t\tarp saddr ip != { 0.0.0.0, 10.42.0.6 } drop\n"
        "\t\tarp saddr ether != 02:00:00:00:00:06 drop\n"
        "\t\tip6 saddr != { ::, fe80::ff:fe00:6 } drop\n"
        "\t}\n"
        "\tchain zone-dev.1 {\n"
        "\t\tether saddr != 02:00:00:00:00:07 drop\n"
        "\t\tarp saddr ether != 02:00:00:00:00:07 drop\n"
        "\t\tip6 saddr != { ::, fe80::ff:fe00:7 } drop\n"
        "\t}\n"
        "\tchain forward {\n"
        "\t\ttype filter hook forward priority filter; policy accept;\n"
        "\t\tiifname { \"vz-web\", \"vz-db\" } oifname { \"vz-web\", \"vz-db\" } drop\n"
        "\t}\n"
        "\tchain output {\n"
        "\t\ttype filter hook output priority filter; policy accept;\n"
        "\t\tip saddr { 10.42.0.0/24, 10.43.0.0/16 } ip saddr != { 10.42.0.1/32, 10.43.0.1/32 } drop\n"
        "\t\tip6 saddr { fd42::/64 } ip6 saddr != { fd42::1/128 } drop\n"
        "\t}\n"
        "}\n";
/* clang-format on */

static void test_build_golden(void) {
        NetRulesBridge b[2];
        NetRulesZone z[3];
        _cleanup_free_ char *text = NULL;

        state(b, z);
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, 0);
        g_assert_cmpstr(text, ==, golden);
}

/* No zones and no bridges: both tables go, nothing else is in the script. */
static void test_build_empty(void) {
        _cleanup_free_ char *text = NULL;

        g_assert_cmpint(net_rules_build(NULL, 0, NULL, 0, &text), ==, 0);
        g_assert_cmpstr(text, ==, net_rules_remove_script());
        g_assert_cmpstr(text, ==,
                        "add table inet zoned\n"
                        "delete table inet zoned\n"
                        "add table bridge zoned\n"
                        "delete table bridge zoned\n");
}

/* A bridge without zones keeps its input and localnet rules, and has no bridge table. */
static void test_build_bridge_only(void) {
        NetRulesBridge b[2];
        NetRulesZone z[3];
        _cleanup_free_ char *text = NULL;

        state(b, z);
        g_assert_cmpint(net_rules_build(b, 1, NULL, 0, &text), ==, 0);
        g_assert_nonnull(strstr(text, "table inet zoned {\n"));
        g_assert_nonnull(strstr(text, "iifname { \"zbr0\" } drop\n"));
        g_assert_null(strstr(text, "table bridge zoned {"));
        g_assert_null(strstr(text, "dnat ip"));
}

static void test_build_invalid(void) {
        static const PortForward clash[] = { { IPPROTO_TCP, 8080, 8080 } };
        static const PortForward twice[] = { { IPPROTO_UDP, 53, 53 }, { IPPROTO_UDP, 53, 5353 } };
        static const PortForward other[] = { { IPPROTO_UDP, 8080, 80 } };
        NetRulesBridge b[2];
        NetRulesZone z[3];
        char *text = NULL;

        state(b, z);
        b[0].name = "zb\"r0";
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        b[0].name = "zbr*";
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        z[1].host_ifname = "vz-a b";
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        z[1].name = "db;drop";
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        z[2].bridge = "nosuch";
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        z[0].ipv4 = prefix("fd42::9/64");
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        b[1].ipv6 = prefix("10.1.0.1/24");
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EINVAL);
        state(b, z);
        z[1].ports = clash;
        z[1].n_ports = 1;
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EADDRINUSE);
        state(b, z);
        z[1].ports = twice;
        z[1].n_ports = 2;
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, -EADDRINUSE);
        g_assert_null(text);

        /* The same port in the other protocol is another forward. */
        state(b, z);
        z[1].ports = other;
        z[1].n_ports = 1;
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, 0);
        g_assert_nonnull(strstr(text, "udp dport 8080 dnat ip to 10.42.0.6:80\n"));
        free(text);
}

static void test_link_local(void) {
        static const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 };
        char buf[INET_PREFIX_STRLEN];
        InetPrefix ll;

        net_rules_link_local(mac, &ll);
        g_assert_cmpstr(inet_prefix_format(&ll, buf), ==, "fe80::42:acff:fe11:2/64");
}

/* What follows talks to the kernel: in a network namespace of this process's own, made in
 * main(), so that the host's ruleset is never touched. */
static bool have_netns;

static char *nft_list_ruleset(void) {
        g_autofree char *out = NULL;
        g_autoptr(GError) error = NULL;
        int status;

        g_assert_true(g_spawn_command_line_sync("nft list ruleset", &out, NULL, &status, &error));
        g_assert_no_error(error);
        g_assert_true(g_spawn_check_wait_status(status, NULL));
        return g_steal_pointer(&out);
}

static void nft_run(const char *script) {
        _cleanup_free_ char *error = NULL;

        g_assert_cmpint(net_nft_apply(script, &error), ==, 0);
        g_assert_null(error);
}

/* Another table of the host's: zoned's scripts must leave it as it is. */
static const char other_table[] = "table ip hostfw {\n"
                                  "\tchain input {\n"
                                  "\t\ttype filter hook input priority filter; policy accept;\n"
                                  "\t\ttcp dport 22 accept\n"
                                  "\t}\n"
                                  "}\n";

static void test_nft_apply(void) {
        NetRulesBridge b[2];
        NetRulesZone z[3];
        NetNftTable t[NET_NFT_N_TABLES];
        _cleanup_free_ char *text = NULL, *error = NULL;
        g_autofree char *before = NULL, *once = NULL, *twice = NULL, *after = NULL;

        if (!have_netns) {
                g_test_skip("needs root (a network namespace of its own)");
                return;
        }
        nft_run(other_table);
        before = nft_list_ruleset();

        state(b, z);
        g_assert_cmpint(net_rules_build(b, 2, z, 3, &text), ==, 0);
        g_assert_cmpint(net_nft_check(text, &error), ==, 0);
        g_assert_cmpint(net_nft_list(t), ==, 0);
        g_assert_false(t[0].present);
        g_assert_false(t[1].present);

        /* Applied twice, the same ruleset: the script replaces, it does not add. */
        nft_run(text);
        once = nft_list_ruleset();
        nft_run(text);
        twice = nft_list_ruleset();
        g_assert_cmpstr(once, ==, twice);
        g_assert_nonnull(strstr(once, "table ip hostfw {"));

        g_assert_cmpint(net_nft_list(t), ==, 0);
        g_assert_cmpstr(t[0].family, ==, "inet");
        g_assert_true(t[0].present);
        g_assert_cmpuint(t[0].n_chains, ==, 6);
        g_assert_cmpuint(t[0].n_rules, ==, 1 + 4 + 4 + 4 + 6 + 2);
        g_assert_cmpstr(t[1].family, ==, "bridge");
        g_assert_true(t[1].present);
        g_assert_cmpuint(t[1].n_chains, ==, 6);
        g_assert_cmpuint(t[1].n_rules, ==, 3 + 5 + 5 + 3 + 1 + 2);

        /* A script nft refuses changes nothing and says why. */
        g_assert_cmpint(net_nft_apply("add table inet zoned\ndelete table inet zoned\n"
                                      "table inet zoned { chain x { tcp dport 99999 drop; } }\n",
                                      &error),
                        ==, -EPROTO);
        g_assert_nonnull(error);
        g_test_message("nft: %s", error);
        g_assert_nonnull(strstr(error, "Error"));
        after = nft_list_ruleset();
        g_assert_cmpstr(after, ==, twice);
        g_clear_pointer(&after, g_free);

        /* Removed: the host's table alone is left, as it was. */
        g_assert_cmpint(net_nft_remove(NULL), ==, 0);
        after = nft_list_ruleset();
        g_assert_cmpstr(after, ==, before);
        g_assert_cmpint(net_nft_list(t), ==, 0);
        g_assert_false(t[0].present);
        g_assert_false(t[1].present);
        /* Removing what is not there is fine. */
        g_assert_cmpint(net_nft_remove(NULL), ==, 0);
        nft_run("delete table ip hostfw\n");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        have_netns = geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
        g_test_add_func("/net-rules/build/golden", test_build_golden);
        g_test_add_func("/net-rules/build/empty", test_build_empty);
        g_test_add_func("/net-rules/build/bridge-only", test_build_bridge_only);
        g_test_add_func("/net-rules/build/invalid", test_build_invalid);
        g_test_add_func("/net-rules/link-local", test_link_local);
        g_test_add_func("/net-rules/nft/apply", test_nft_apply);
        return g_test_run();
}
