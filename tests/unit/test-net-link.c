/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* common/net-link.c on the real kernel, in a network namespace the test makes for itself (nothing
 * of the machine's network is touched): a bridge, a veth into a second namespace configured there,
 * a macvlan, ipvlan's answer, and everything removed. Needs root. */

#include "macro.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "net-link.h"

#define BRIDGE "tbr0"

static InetPrefix prefix(const char *s) {
        InetPrefix p;

        g_assert_cmpint(inet_prefix_parse(s, &p), ==, 0);
        return p;
}

/* A new network namespace, the caller staying in its own. */
static int netns_new(void) {
        int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd;

        g_assert_cmpint(own, >=, 0);
        g_assert_cmpint(unshare(CLONE_NEWNET), ==, 0);
        fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(setns(own, CLONE_NEWNET), ==, 0);
        close(own);
        return fd;
}

typedef struct Probe {
        int netns;
        const char *what; /* an interface, or a file of /proc/thread-self/net */
        char *text;       /* what was seen there */
} Probe;

/* What a netns shows, read from a thread in it: its interfaces with flags and addresses
 * (getifaddrs(), through netlink), or a /proc/net file of that namespace. */
static void *probe_thread(void *userdata) {
        Probe *p = userdata;
        g_autoptr(GString) s = g_string_new(NULL);
        struct ifaddrs *ifa = NULL;

        g_assert_cmpint(setns(p->netns, CLONE_NEWNET), ==, 0);
        if (p->what[0] == '/') {
                g_autofree char *path = g_strconcat("/proc/thread-self/net", p->what, NULL);

                g_assert_true(g_file_get_contents(path, &p->text, NULL, NULL));
                return NULL;
        }
        g_assert_cmpint(getifaddrs(&ifa), ==, 0);
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                char buf[INET6_ADDRSTRLEN] = "";

                if (!streq(i->ifa_name, p->what))
                        continue;
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
                        inet_ntop(AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, buf,
                                  sizeof(buf));
                else if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6)
                        inet_ntop(AF_INET6, &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, buf,
                                  sizeof(buf));
                else
                        g_string_append_printf(s, "%s ", i->ifa_flags & IFF_UP ? "up" : "down");
                if (buf[0])
                        g_string_append_printf(s, "%s ", buf);
        }
        freeifaddrs(ifa);
        p->text = g_string_free(g_steal_pointer(&s), false);
        return NULL;
}

static char *probe(int netns, const char *what) {
        Probe p = { .netns = netns, .what = what };
        pthread_t t;

        g_assert_cmpint(pthread_create(&t, NULL, probe_thread, &p), ==, 0);
        g_assert_cmpint(pthread_join(t, NULL), ==, 0);
        return p.text;
}

static int own_netns(void) {
        int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        return fd;
}

static void test_bridge(void) {
        InetPrefix a[] = { prefix("10.77.0.1/24"), prefix("fd77::1/64") };
        g_autofree char *seen = NULL;
        g_auto(GStrv) ours = NULL;
        int self = own_netns();

        g_assert_cmpint(net_link_exists(BRIDGE), ==, 0);
        g_assert_cmpint(net_bridge_ensure(BRIDGE, a, G_N_ELEMENTS(a), 1400), ==, 1);
        g_assert_cmpint(net_bridge_ensure(BRIDGE, a, G_N_ELEMENTS(a), 1400), ==, 0);
        g_assert_cmpint(net_link_exists(BRIDGE), ==, 1);
        g_assert_cmpint(net_bridge_is_ours(BRIDGE), ==, 1);
        g_assert_cmpint(net_bridges_ours(&ours), ==, 0);
        g_assert_cmpuint(g_strv_length(ours), ==, 1);
        g_assert_cmpstr(ours[0], ==, BRIDGE);
        seen = probe(self, BRIDGE);
        g_assert_nonnull(strstr(seen, "up "));
        g_assert_nonnull(strstr(seen, "10.77.0.1 "));
        g_assert_nonnull(strstr(seen, "fd77::1 "));
        /* lo is not a bridge: not taken, not ours. */
        g_assert_cmpint(net_bridge_ensure("lo", NULL, 0, 0), ==, -ENOTTY);
        g_assert_cmpint(net_bridge_is_ours("lo"), ==, 0);
        close(self);
}

static bool link_gone(const char *ifname) {
        /* The kernel removes a dead namespace's links from a work queue: a bounded wait. */
        for (int i = 0; i < 1000; i++) {
                if (net_link_exists(ifname) == 0)
                        return true;
                g_usleep(10 * 1000);
        }
        return false;
}

static void test_veth(void) {
        InetPrefix a[] = { prefix("10.77.0.2/24"), prefix("fd77::2/64") };
        InetPrefix gw[] = { prefix("10.77.0.1/24"), prefix("fd77::1/64"), prefix("192.168.9.1/24") };
        uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
        g_autofree char *eth0 = NULL, *route = NULL, *route6 = NULL, *address = NULL;
        uint64_t rx = UINT64_MAX, tx = UINT64_MAX;
        int zone = netns_new();

        g_assert_cmpint(net_veth_into_netns("vz-test", BRIDGE, zone, "eth0", mac, 1400), ==, 0);
        g_assert_cmpint(net_veth_into_netns("vz-test", BRIDGE, zone, "eth0", mac, 1400), ==, -EEXIST);
        g_assert_cmpint(net_link_exists("vz-test"), ==, 1);
        /* The peer is in the zone's namespace only. */
        g_assert_cmpint(net_link_exists("eth0"), ==, 0);
        g_assert_cmpint(net_configure_netns(zone, "eth0", a, G_N_ELEMENTS(a), gw, G_N_ELEMENTS(gw), 1300),
                        ==, 0);

        eth0 = probe(zone, "eth0");
        g_assert_nonnull(strstr(eth0, "up "));
        g_assert_nonnull(strstr(eth0, "10.77.0.2 "));
        g_assert_nonnull(strstr(eth0, "fd77::2 "));
        address = probe(zone, "/dev");
        g_assert_nonnull(strstr(address, "eth0"));
        /* Default routes via the bridge's addresses; the IPv4 gateway in hex, network order. */
        route = probe(zone, "/route");
        g_assert_nonnull(strstr(route, "eth0\t00000000\t01004D0A"));
        route6 = probe(zone, "/ipv6_route");
        g_assert_nonnull(strstr(route6,
                                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                                "fd770000000000000000000000000001"));
        g_assert_cmpint(net_link_stats("vz-test", &rx, &tx), ==, 0);
        g_assert_cmpuint(rx, !=, UINT64_MAX);
        g_assert_cmpint(net_link_stats("nonexistent0", &rx, &tx), ==, -ENODEV);

        /* The veth goes with the namespace. */
        close(zone);
        g_assert_true(link_gone("vz-test"));
}

static void test_macvlan(void) {
        g_autofree char *mv = NULL;
        int zone = netns_new(), r;

        g_assert_cmpint(net_macvlan_into_netns("nonexistent0", zone, "mv0", NULL), ==, -ENODEV);
        g_assert_cmpint(net_macvlan_into_netns(BRIDGE, zone, "mv0", NULL), ==, 0);
        g_assert_cmpint(net_configure_netns(zone, "mv0", NULL, 0, NULL, 0, 0), ==, 0);
        mv = probe(zone, "mv0");
        g_assert_nonnull(strstr(mv, "up "));
        r = net_ipvlan_into_netns(BRIDGE, zone, "iv0");
        if (r == -EOPNOTSUPP) {
                g_test_message("this kernel has no ipvlan: -EOPNOTSUPP, as expected");
                g_assert_cmpint(net_ipvlan_supported(), ==, 0);
        } else {
                g_assert_cmpint(r, ==, 0);
                g_assert_cmpint(net_ipvlan_supported(), ==, 1);
        }
        close(zone);
}

static void test_remove(void) {
        g_auto(GStrv) ours = NULL;

        g_assert_cmpint(net_link_remove(BRIDGE), ==, 1);
        g_assert_cmpint(net_link_remove(BRIDGE), ==, 0);
        g_assert_cmpint(net_link_exists(BRIDGE), ==, 0);
        g_assert_cmpint(net_bridges_ours(&ours), ==, 0);
        g_assert_cmpuint(g_strv_length(ours), ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
                g_test_skip("needs root: the test makes network namespaces");
                return g_test_run();
        }
        g_test_add_func("/net-link/bridge", test_bridge);
        g_test_add_func("/net-link/veth", test_veth);
        g_test_add_func("/net-link/macvlan", test_macvlan);
        g_test_add_func("/net-link/remove", test_remove);
        return g_test_run();
}
