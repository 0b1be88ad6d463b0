/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* network-config.c, network-bridges.c: zoned's network configuration file, zbr0's defaults, the
 * bridges that get their networks from the pools (kept in the state dir across loads, forgotten
 * when unused), and bad files named with file:line. */

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "network-config.h"

static char *tmpdir;

static char *write_tmp(const char *name, const char *text) {
        char *p = g_build_filename(tmpdir, name, NULL);
        g_assert_true(g_file_set_contents(p, text, -1, NULL));
        return p;
}

/* A state dir of its own for each test. */
static char *new_state_dir(void) {
        static unsigned n;
        char *d = g_strdup_printf("%s/state%u", tmpdir, n++);

        g_assert_cmpint(g_mkdir(d, 0700), ==, 0);
        return d;
}

static char *state_file(const char *state) {
        return g_build_filename(state, ".network", "bridges.ini", NULL);
}

/* network_config_load() that says why it failed. */
static int load(const char *path, const char *state, NetworkConfig **ret) {
        g_autofree char *error = NULL;
        int r = network_config_load(path, state, ret, &error);

        if (r < 0)
                g_test_message("%s", error);
        g_assert_true((r < 0) == (error != NULL));
        return r;
}

static void assert_prefix(const InetPrefix *p, const char *expected) {
        char buf[INET_PREFIX_STRLEN];

        g_assert_nonnull(inet_prefix_format(p, buf));
        g_assert_cmpstr(buf, ==, expected);
}

static void test_missing_file(void) {
        g_autofree char *path = g_build_filename(tmpdir, "none.conf", NULL), *state = new_state_dir(),
                        *sf = state_file(state);
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;
        g_autofree char *error = NULL;
        const NetworkBridge *b;

        g_assert_cmpint(load(path, state, &c), ==, 0);
        g_assert_cmpint(c->default_mode, ==, NETWORK_NONE);
        g_assert_null(c->default_link);
        g_assert_null(c->uplinks); /* the default routes' links */
        assert_prefix(&c->pool4, "10.42.0.0/16");
        assert_prefix(&c->pool6, "fd42:7a6f:6e65::/48");
        b = network_config_get_bridge(c, "zbr0");
        g_assert_nonnull(b);
        assert_prefix(&b->ipv4, "10.42.0.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65::1/64");
        g_assert_false(b->masquerade || b->isolated || b->allow_host || b->configured || b->auto4 ||
                       b->auto6);
        g_assert_cmpuint(b->mtu, ==, 0);
        g_assert_null(network_config_get_bridge(c, "br1"));
        /* zbr0's defaults are not kept: nothing was written. */
        g_assert_false(g_file_test(sf, G_FILE_TEST_EXISTS));
}

static void test_full_file(void) {
        g_autofree char *path = write_tmp("full.conf", "[Network]\n"
                                                       "DefaultMode=bridge:lan0\n"
                                                       "Uplinks= eth0\tbond0.7  \n"
                                                       "[Pools]\n"
                                                       "IPv4=10.50.0.0/20\n"
                                                       "IPv6=fd00:1:2::/56\n"
                                                       "[Bridge lan0]\n"
                                                       "IPv4=192.168.7.254/24\n"
                                                       "IPv6=fd00:9::1/64\n"
                                                       "Masquerade=yes\n"
                                                       "Isolated=true\n"
                                                       "AllowHost=yes\n"
                                                       "MTU=1400\n");
        g_autofree char *state = new_state_dir(), *error = NULL;
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;
        const NetworkBridge *b;

        g_assert_cmpint(load(path, state, &c), ==, 0);
        g_assert_cmpint(c->default_mode, ==, NETWORK_BRIDGE);
        g_assert_cmpstr(c->default_link, ==, "lan0");
        g_assert_cmpuint(g_strv_length(c->uplinks), ==, 2);
        g_assert_cmpstr(c->uplinks[0], ==, "eth0");
        g_assert_cmpstr(c->uplinks[1], ==, "bond0.7");
        b = network_config_get_bridge(c, "lan0");
        g_assert_nonnull(b);
        assert_prefix(&b->ipv4, "192.168.7.254/24");
        assert_prefix(&b->ipv6, "fd00:9::1/64");
        g_assert_true(b->masquerade && b->isolated && b->allow_host && b->configured);
        g_assert_false(b->auto4 || b->auto6);
        g_assert_cmpuint(b->mtu, ==, 1400);
        /* zbr0's defaults follow the pools. */
        b = network_config_get_bridge(c, "zbr0");
        assert_prefix(&b->ipv4, "10.50.0.1/24");
        assert_prefix(&b->ipv6, "fd00:1:2::1/64");
}

static void test_no_uplinks(void) {
        g_autofree char *path = write_tmp("nouplinks.conf", "[Network]\nUplinks=\n");
        g_autofree char *state = new_state_dir();
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;

        g_assert_cmpint(load(path, state, &c), ==, 0);
        g_assert_nonnull(c->uplinks);
        g_assert_null(c->uplinks[0]);
}

/* The example of zoned(8). */
static void test_man_example(void) {
        g_autofree char *path = write_tmp("example.conf", "[Network]\n"
                                                          "DefaultMode=bridge\n"
                                                          "\n"
                                                          "[Pools]\n"
                                                          "IPv4=10.77.0.0/16\n"
                                                          "IPv6=fd00:77::/48\n"
                                                          "\n"
                                                          "[Bridge zbr0]\n"
                                                          "IPv4=192.168.100.1/24\n"
                                                          "IPv6=fd00:100::1/64\n"
                                                          "Masquerade=yes\n"
                                                          "\n"
                                                          "[Bridge web]\n"
                                                          "IPv4=10.77.200.1/24\n"
                                                          "Isolated=yes\n"
                                                          "AllowHost=yes\n"
                                                          "MTU=1400\n");
        g_autofree char *state = new_state_dir(), *sf = state_file(state), *text = NULL;
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;
        const NetworkBridge *b;

        g_assert_cmpint(load(path, state, &c), ==, 0);
        g_assert_cmpint(c->default_mode, ==, NETWORK_BRIDGE);
        g_assert_null(c->default_link);
        b = network_config_get_bridge(c, "zbr0");
        assert_prefix(&b->ipv4, "192.168.100.1/24");
        assert_prefix(&b->ipv6, "fd00:100::1/64");
        g_assert_true(b->masquerade && !b->isolated);
        b = network_config_get_bridge(c, "web");
        assert_prefix(&b->ipv4, "10.77.200.1/24");
        assert_prefix(&b->ipv6, "fd00:77::1/64");
        g_assert_true(b->isolated && b->allow_host && !b->masquerade && !b->auto4 && b->auto6);
        g_assert_cmpuint(b->mtu, ==, 1400);
        g_assert_true(g_file_get_contents(sf, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "[Bridge web]\nIPv6=fd00:77::1/64\n");
}

/* A [Bridge zbr0] section replaces its defaults; keys it leaves out keep them. */
static void test_zbr0_configured(void) {
        g_autofree char *path = write_tmp("zbr0.conf", "[Bridge zbr0]\nIPv4=10.99.3.1/24\nMasquerade=yes\n");
        g_autofree char *path2 = write_tmp("zbr0b.conf", "[Bridge zbr0]\nIPv4=10.42.0.1/24\n"
                                                         "[Bridge br1]\nIPv4=10.42.1.1/24\n");
        g_autofree char *state = new_state_dir(), *error = NULL;
        _cleanup_(network_config_freep) NetworkConfig *c = NULL;
        const NetworkBridge *b;

        g_assert_cmpint(load(path, state, &c), ==, 0);
        b = network_config_get_bridge(c, "zbr0");
        assert_prefix(&b->ipv4, "10.99.3.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65::1/64");
        g_assert_true(b->masquerade && b->configured);
        g_assert_cmpuint(c->bridges->len, ==, 1);
        g_clear_pointer(&c, network_config_free);

        /* br1 gets the next free IPv6 network: not zbr0's. */
        g_assert_cmpint(load(path2, state, &c), ==, 0);
        b = network_config_get_bridge(c, "br1");
        assert_prefix(&b->ipv4, "10.42.1.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:1::1/64");
        g_assert_false(b->auto4);
        g_assert_true(b->auto6);
}

static NetworkConfig *load_ok(const char *path, const char *state) {
        NetworkConfig *c = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(load(path, state, &c), ==, 0);
        return c;
}

/* A bridge that a zone names gets the next free networks, the same ones after a reload, and
 * loses them once no zone names it. */
static void test_automatic_bridges(void) {
        g_autofree char *path = g_build_filename(tmpdir, "none.conf", NULL), *state = new_state_dir(),
                        *sf = state_file(state), *text = NULL;
        _cleanup_(network_config_freep) NetworkConfig *c = load_ok(path, state);
        const NetworkBridge *b, *b2;
        char *used[] = { (char *) "br2", NULL };

        g_assert_cmpint(network_config_add_bridge(c, "br1", &b), ==, 0);
        assert_prefix(&b->ipv4, "10.42.1.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:1::1/64");
        g_assert_true(b->auto4 && b->auto6 && !b->configured);
        g_assert_cmpint(network_config_add_bridge(c, "br2", &b), ==, 0);
        assert_prefix(&b->ipv4, "10.42.2.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:2::1/64");
        /* Asking again is the same bridge. */
        g_assert_cmpint(network_config_add_bridge(c, "br1", &b2), ==, 0);
        assert_prefix(&b2->ipv4, "10.42.1.1/24");
        g_assert_cmpint(network_config_add_bridge(c, "zbr0", &b2), ==, 0);
        assert_prefix(&b2->ipv4, "10.42.0.1/24");
        g_assert_cmpint(network_config_add_bridge(c, "bad/name", &b2), ==, -EINVAL);
        g_assert_cmpint(network_config_add_bridge(c, "thisnameistoolong", &b2), ==, -EINVAL);
        g_assert_true(g_file_get_contents(sf, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "[Bridge br1]"));
        g_assert_null(strstr(text, "zbr0"));

        g_clear_pointer(&c, network_config_free);
        c = load_ok(path, state);
        b = network_config_get_bridge(c, "br1");
        g_assert_nonnull(b);
        assert_prefix(&b->ipv4, "10.42.1.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:1::1/64");
        b = network_config_get_bridge(c, "br2");
        assert_prefix(&b->ipv4, "10.42.2.1/24");

        /* br1's zones are gone: br1 goes, br2 stays, and its networks are the next bridge's. */
        g_assert_cmpint(network_config_forget_unused(c, used), ==, 0);
        g_assert_null(network_config_get_bridge(c, "br1"));
        g_assert_nonnull(network_config_get_bridge(c, "zbr0"));
        g_clear_pointer(&c, network_config_free);
        c = load_ok(path, state);
        g_assert_null(network_config_get_bridge(c, "br1"));
        g_assert_nonnull(network_config_get_bridge(c, "br2"));
        g_assert_cmpint(network_config_add_bridge(c, "br3", &b), ==, 0);
        assert_prefix(&b->ipv4, "10.42.1.1/24");

        /* None used: the state file goes. */
        g_assert_cmpint(network_config_forget_unused(c, NULL), ==, 0);
        g_assert_cmpuint(c->bridges->len, ==, 1);
        g_assert_false(g_file_test(sf, G_FILE_TEST_EXISTS));
}

/* A bridge configured later with the networks an automatic one has is refused, naming both. */
static void test_automatic_overlap(void) {
        g_autofree char *none = g_build_filename(tmpdir, "none.conf", NULL), *state = new_state_dir(),
                        *sf = state_file(state), *error = NULL;
        g_autofree char *path = write_tmp("later.conf", "[Bridge lan]\nIPv4=10.42.1.77/24\n");
        _cleanup_(network_config_freep) NetworkConfig *c = load_ok(none, state);
        const NetworkBridge *b;

        g_assert_cmpint(network_config_add_bridge(c, "br1", &b), ==, 0);
        g_clear_pointer(&c, network_config_free);
        g_assert_cmpint(network_config_load(path, state, &c, &error), ==, -EBADMSG);
        g_assert_null(c);
        g_assert_true(g_str_has_prefix(error, sf));
        g_assert_nonnull(strstr(error, "br1's 10.42.1.1/24 overlaps bridge lan's 10.42.1.77/24"));
        /* The state file is what names it: its line. */
        g_assert_nonnull(strstr(error, "bridges.ini:2:"));
}

/* An automatic bridge configured later with addresses of its own: the file's win, and the state
 * file forgets the old ones. */
static void test_automatic_configured(void) {
        g_autofree char *none = g_build_filename(tmpdir, "none.conf", NULL), *state = new_state_dir(),
                        *sf = state_file(state), *text = NULL;
        g_autofree char *path = write_tmp("br1.conf", "[Bridge br1]\nIPv4=10.50.0.1/24\n"),
                        *path2 = write_tmp("br1b.conf",
                                           "[Bridge br1]\nIPv4=10.50.0.1/24\nIPv6=fd50::1/64\n");
        _cleanup_(network_config_freep) NetworkConfig *c = load_ok(none, state);
        const NetworkBridge *b;

        g_assert_cmpint(network_config_add_bridge(c, "br1", &b), ==, 0);
        g_clear_pointer(&c, network_config_free);
        c = load_ok(path, state);
        b = network_config_get_bridge(c, "br1");
        assert_prefix(&b->ipv4, "10.50.0.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:1::1/64");
        g_assert_true(b->configured && !b->auto4 && b->auto6);
        g_assert_true(g_file_get_contents(sf, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "[Bridge br1]\nIPv6=fd42:7a6f:6e65:1::1/64\n");
        g_clear_pointer(&c, network_config_free);
        c = load_ok(path2, state);
        b = network_config_get_bridge(c, "br1");
        assert_prefix(&b->ipv6, "fd50::1/64");
        g_assert_false(b->auto4 || b->auto6);
        g_assert_false(g_file_test(sf, G_FILE_TEST_EXISTS));
}

/* A [Bridge] section without addresses gets them from the pools like an automatic bridge, and
 * keeps them. */
static void test_configured_from_pools(void) {
        g_autofree char *path = write_tmp("nopools.conf", "[Bridge lan]\nIsolated=yes\n"),
                        *state = new_state_dir();
        _cleanup_(network_config_freep) NetworkConfig *c = load_ok(path, state);
        const NetworkBridge *b = network_config_get_bridge(c, "lan");
        char *used[] = { NULL };

        assert_prefix(&b->ipv4, "10.42.1.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:1::1/64");
        g_assert_true(b->configured && b->auto4 && b->auto6 && b->isolated);
        /* A configured bridge is never forgotten. */
        g_assert_cmpint(network_config_forget_unused(c, used), ==, 0);
        g_clear_pointer(&c, network_config_free);
        c = load_ok(path, state);
        b = network_config_get_bridge(c, "lan");
        assert_prefix(&b->ipv4, "10.42.1.1/24");
        assert_prefix(&b->ipv6, "fd42:7a6f:6e65:1::1/64");
}

/* The pools run out: the 256th bridge of a /16 has no /24 left. */
static void test_pool_exhausted(void) {
        g_autofree char *path = write_tmp("small.conf", "[Pools]\nIPv4=10.60.0.0/22\n"),
                        *state = new_state_dir();
        _cleanup_(network_config_freep) NetworkConfig *c = load_ok(path, state);
        const NetworkBridge *b;

        g_assert_cmpint(network_config_add_bridge(c, "br1", &b), ==, 0);
        g_assert_cmpint(network_config_add_bridge(c, "br2", &b), ==, 0);
        g_assert_cmpint(network_config_add_bridge(c, "br3", &b), ==, 0);
        assert_prefix(&b->ipv4, "10.60.3.1/24");
        g_assert_cmpint(network_config_add_bridge(c, "br4", &b), ==, -ENOSPC);
        g_assert_null(network_config_get_bridge(c, "br4"));
}

static void assert_bad(const char *name, const char *text, const char *expected) {
        g_autofree char *path = write_tmp(name, text), *state = new_state_dir(), *error = NULL;
        g_autofree char *want = g_strdup_printf("%s:%s", path, expected);
        NetworkConfig *c = NULL;

        g_test_message("%s", name);
        g_assert_cmpint(network_config_load(path, state, &c, &error), ==, -EBADMSG);
        g_assert_null(c);
        if (!g_str_has_prefix(error, want))
                g_error("%s: got \"%s\", expected \"%s...\"", name, error, want);
}

static void test_bad_files(void) {
        assert_bad("b1.conf", "[Network]\nDefaultMode=bogus\n", "2: DefaultMode=bogus is not");
        assert_bad("b2.conf", "[Network]\n\nDefaultMode=host\n", "3: DefaultMode=host is refused");
        assert_bad("b3.conf", "[Network]\nMode=none\n", "2: unknown key Mode in [Network]");
        assert_bad("b4.conf", "[Networks]\n", "1: unknown section [Networks]");
        assert_bad("b5.conf", "[Pools]\nIPv4=10.0.0.0/8\n", "2: IPv4=10.0.0.0/8 is wider than /16");
        assert_bad("b6.conf", "[Pools]\nIPv6=fd00::/32\n", "2: IPv6=fd00::/32 is wider than /48");
        assert_bad("b7.conf", "[Pools]\nIPv4=10.1.2.0/25\n", "2: IPv4=10.1.2.0/25 is narrower than /24");
        assert_bad("b8.conf", "[Pools]\nIPv4=10.1.2.3/16\n",
                   "2: IPv4= has host bits set: the pool is 10.1.0.0/16");
        assert_bad("b9.conf", "[Pools]\nIPv4=fd00::/48\n",
                   "2: IPv4=fd00::/48 is not an IPv4 ADDRESS/LENGTH");
        assert_bad("b10.conf", "[Pools]\nIPv6=fd00::\n", "2: IPv6=fd00:: is not an IPv6 ADDRESS/LENGTH");
        assert_bad("b11.conf", "[Bridge bad/name]\n",
                   "1: [Bridge bad/name]: \"bad/name\" is not an interface name");
        assert_bad("b12.conf", "[Bridge thisnameistoolong]\n",
                   "1: [Bridge thisnameistoolong]: \"thisnameistoolong\"");
        assert_bad("b13.conf", "[Bridge br1]\nIPv4=10.9.0.0/24\n",
                   "2: IPv4=10.9.0.0/24 is its network's address");
        assert_bad("b14.conf", "[Bridge br1]\nIPv4=10.9.0.255/24\n",
                   "2: IPv4=10.9.0.255/24 is its network's broadcast");
        assert_bad("b15.conf", "[Bridge br1]\nIPv6=fd00:9::/64\n",
                   "2: IPv6=fd00:9::/64 is its network's address");
        assert_bad("b16.conf", "[Bridge br1]\nIPv4=10.0.0.1/8\n", "2: IPv4=10.0.0.1/8 is wider than /16");
        assert_bad("b17.conf", "[Bridge br1]\nIPv6=fd00::1/40\n", "2: IPv6=fd00::1/40 is wider than /48");
        assert_bad("b18.conf", "[Bridge br1]\nIPv4=10.9.0.1/31\n",
                   "2: IPv4=10.9.0.1/31 is narrower than /30");
        assert_bad("b19.conf", "[Bridge br1]\nMasquerade=maybe\n", "2: Masquerade=maybe is not a boolean");
        assert_bad("b20.conf", "[Bridge br1]\nIsolated=2\n", "2: Isolated=2 is not a boolean");
        assert_bad("b21.conf", "[Bridge br1]\nAllowHost=\n", "2: AllowHost= is not a boolean");
        assert_bad("b22.conf", "[Bridge br1]\nMTU=20\n", "2: MTU=20 is not a number of 68..65535");
        assert_bad("b23.conf", "[Bridge br1]\nMTU=1500x\n", "2: MTU=1500x is not a number");
        assert_bad("b24.conf", "[Bridge br1]\nAddress=10.9.0.1/24\n",
                   "2: unknown key Address in [Bridge br1]");
        assert_bad("b25.conf", "[Bridge br1]\nIPv4=10.9.0.1/24\n[Bridge br1]\n",
                   "3: section [Bridge br1] appears twice");
        assert_bad("b26.conf", "[Network]\nDefaultMode=none\nDefaultMode=bridge\n",
                   "3: duplicate key DefaultMode");
        assert_bad("b27.conf", "no section\n", "");
        assert_bad("b28.conf", "[Network]\nUplinks=eth0 a/b\n",
                   "2: Uplinks=: \"a/b\" is not an interface name");
        assert_bad("b29.conf", "[Network]\nUplinks=eth0 waytoolonginterfacename\n",
                   "2: Uplinks=: \"waytoolonginterfacename\" is not an interface name");
}

/* Two bridges' networks never overlap: configured ones, zbr0's defaults, in either family. */
static void test_overlaps(void) {
        assert_bad("o1.conf", "[Bridge a]\nIPv4=10.9.0.1/24\n[Bridge b]\nIPv4=10.9.0.200/16\n",
                   "4: bridge b's 10.9.0.200/16 overlaps bridge a's 10.9.0.1/24");
        assert_bad("o2.conf", "[Bridge a]\nIPv6=fd00:9::1/64\n[Bridge b]\n\nIPv6=fd00:9::2/64\n",
                   "5: bridge b's fd00:9::2/64 overlaps bridge a's fd00:9::1/64");
        assert_bad("o3.conf", "[Bridge lan]\nIPv4=10.42.0.9/24\n",
                   "2: bridge lan's 10.42.0.9/24 overlaps bridge zbr0's 10.42.0.1/24 (its default");
        assert_bad("o4.conf", "[Bridge lan]\nIPv6=fd42:7a6f:6e65::9/60\n",
                   "2: bridge lan's fd42:7a6f:6e65::9/60 overlaps bridge zbr0's");
        /* zbr0 configured where a bridge is: zbr0's section is named. */
        assert_bad("o5.conf", "[Bridge lan]\nIPv4=10.7.0.1/24\n[Bridge zbr0]\nMTU=1400\nIPv4=10.7.0.2/24\n",
                   "5: bridge zbr0's 10.7.0.2/24 overlaps bridge lan's 10.7.0.1/24");
        /* zbr0 moved: another bridge may have its old networks. */
        {
                g_autofree char *path = write_tmp("o6.conf",
                                                  "[Bridge zbr0]\nIPv4=10.7.0.1/24\nIPv6=fd07::1/64\n"
                                                  "[Bridge lan]\nIPv4=10.42.0.1/24\n");
                g_autofree char *state = new_state_dir();
                _cleanup_(network_config_freep) NetworkConfig *c = load_ok(path, state);

                assert_prefix(&network_config_get_bridge(c, "lan")->ipv4, "10.42.0.1/24");
                assert_prefix(&network_config_get_bridge(c, "lan")->ipv6, "fd42:7a6f:6e65::1/64");
        }
}

/* The state file is zoned's, but a bad one is named too. */
static void test_bad_state(void) {
        g_autofree char *none = g_build_filename(tmpdir, "none.conf", NULL), *state = new_state_dir(),
                        *dir = g_build_filename(state, ".network", NULL), *sf = state_file(state),
                        *error = NULL;
        NetworkConfig *c = NULL;

        g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
        g_assert_true(
                g_file_set_contents(sf, "[Bridge br1]\nIPv4=10.42.1.1/24\nIPv4=10.42.2.1/24\n", -1, NULL));
        g_assert_cmpint(network_config_load(none, state, &c, &error), ==, -EBADMSG);
        g_assert_true(g_str_has_prefix(error, sf));
        g_assert_nonnull(strstr(error, ":3: duplicate key IPv4"));
        g_clear_pointer(&error, g_free);
        g_assert_true(g_file_set_contents(sf, "[Bridge br1]\nIPv4=nonsense\n", -1, NULL));
        g_assert_cmpint(network_config_load(none, state, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(strstr(error, ":2: IPv4=nonsense is not an address"));
        g_clear_pointer(&error, g_free);
        g_assert_true(g_file_set_contents(sf, "[Bridge br1]\nMTU=1\n", -1, NULL));
        g_assert_cmpint(network_config_load(none, state, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(strstr(error, ":2: unknown key MTU"));
        g_clear_pointer(&error, g_free);
        g_assert_true(g_file_set_contents(sf, "[Other]\n", -1, NULL));
        g_assert_cmpint(network_config_load(none, state, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(strstr(error, ":1: unknown section [Other]"));
        g_clear_pointer(&error, g_free);
        /* It follows no symlink. */
        g_assert_cmpint(unlink(sf), ==, 0);
        g_assert_cmpint(symlink(none, sf), ==, 0);
        g_assert_cmpint(network_config_load(none, state, &c, &error), ==, -ELOOP);
        g_assert_null(c);
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("test-network-config-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/network-config/missing-file", test_missing_file);
        g_test_add_func("/network-config/full-file", test_full_file);
        g_test_add_func("/network-config/no-uplinks", test_no_uplinks);
        g_test_add_func("/network-config/man-example", test_man_example);
        g_test_add_func("/network-config/zbr0-configured", test_zbr0_configured);
        g_test_add_func("/network-config/automatic-bridges", test_automatic_bridges);
        g_test_add_func("/network-config/automatic-overlap", test_automatic_overlap);
        g_test_add_func("/network-config/automatic-configured", test_automatic_configured);
        g_test_add_func("/network-config/configured-from-pools", test_configured_from_pools);
        g_test_add_func("/network-config/pool-exhausted", test_pool_exhausted);
        g_test_add_func("/network-config/bad-files", test_bad_files);
        g_test_add_func("/network-config/overlaps", test_overlaps);
        g_test_add_func("/network-config/bad-state", test_bad_state);
        r = g_test_run();
        g_assert_cmpint(rm_rf(tmpdir), ==, 0);
        g_free(tmpdir);
        return r;
}
