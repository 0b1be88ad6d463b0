/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Zones' networks, end to end: two bridged busybox zones with explicit addresses ping each other
 * over IPv4 and IPv6, a zone without a network has only lo, a macvlan zone on a veth reaches that
 * veth's peer (in a namespace the test made), ipvlan and host mode with a user namespace are
 * refused with their named error, host mode sees the host's links; and once the zones are gone
 * (also after kill -9 of a supervisor) the host has only the links it had before. Each with and
 * without a user namespace.
 *
 * The test process first moves into a network namespace of its own, with lo up: zoned, its
 * supervisors, the bridge and every link live there, and nothing touches the machine's real
 * network. */

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define ERROR_MODE_UNSUPPORTED "org.zoned1.Error.NetworkModeUnsupported"
/* Waits for the kernel's removal of a dead namespace's links (a work queue). */
#define LINK_GONE_TIMEOUT_MS 30000

static bool private_users(gconstpointer data) {
        return GPOINTER_TO_INT(data) & 0x100;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
        return g_strcmp0(*(char *const *) a, *(char *const *) b);
}

/* The interface names of our network namespace (/proc/net is that of the reader), sorted. */
static char *host_links(void) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GString) s = g_string_new(NULL);

        g_assert_true(g_file_get_contents("/proc/self/net/dev", &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                char *colon = strchr(*l, ':');

                if (!colon || strchr(*l, '|'))
                        continue;
                g_ptr_array_add(names, g_strstrip(g_strndup(*l, (gsize) (colon - *l))));
        }
        g_ptr_array_sort(names, compare_names);
        for (guint i = 0; i < names->len; i++)
                g_string_append_printf(s, "%s%s", i ? " " : "", (char *) names->pdata[i]);
        return g_string_free(g_steal_pointer(&s), false);
}

static bool has_link(const char *ifname) {
        g_autofree char *links = host_links(), *padded = g_strdup_printf(" %s ", links),
                        *needle = g_strdup_printf(" %s ", ifname);

        return strstr(padded, needle) != NULL;
}

static bool wait_links(const char *want) {
        for (guint waited = 0; waited < LINK_GONE_TIMEOUT_MS; waited += 50) {
                g_autofree char *now = host_links();

                if (g_str_equal(now, want))
                        return true;
                g_usleep(50 * 1000);
        }
        return false;
}

static void create_zone(Harness *h, const char *name, gconstpointer data, const char *network) {
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *file = g_strdup_printf("%s/%s.zone", h->config_dir, name), *text = NULL,
                        *more = NULL;
        GVariantBuilder o;

        g_variant_builder_init(&o, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&o, "{sv}", "PrivateUsers", g_variant_new_boolean(private_users(data)));
        reply = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", name, "bb", &o), "(o)",
                                     &error);
        g_assert_no_error(error);
        if (!network)
                return;
        /* No D-Bus for [Network] yet: the zone file, read again by a zoned that starts. */
        g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
        more = g_strconcat(text, "\n[Network]\n", network, NULL);
        harness_write_file(file, more, 0644);
}

static void restart_zoned(Harness *h) {
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
}

static void setup(Harness *h) {
        g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");

        g_assert_cmpstr(result, ==, "done");
}

/* Two zones on zbr0 reach each other; their routes and resolv.conf are as their files say. The
 * bridge is there while a zone is on it, and goes with the last; a killed supervisor's veth goes
 * with its zone. */
static void test_bridge(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *addr = NULL, *route = NULL, *route6 = NULL, *resolv = NULL;
        g_autofree char *out = NULL, *mtu = NULL;
        guint32 leader2;
        pid_t supervisor;

        if (harness_skipped(h))
                return;
        before = host_links();
        setup(h);
        create_zone(
                h, "n1", data,
                "Mode=bridge\nAddress=10.42.0.2/24;fd42:7a6f:6e65::2/64\nDNS=10.42.0.1;fd42:7a6f:6e65::1\n");
        create_zone(h, "n2", data,
                    "Mode=bridge:zbr0\nAddress=10.42.0.3/24;fd42:7a6f:6e65::3/64\nMTU=1400\n");
        restart_zoned(h);
        (void) harness_boot_zone(h, "n1");
        leader2 = harness_boot_zone(h, "n2");
        g_assert_true(has_link("zbr0"));
        g_assert_true(has_link("vz-n1"));
        g_assert_true(has_link("vz-n2"));
        g_assert_cmpint(harness_leader_has_userns((pid_t) leader2), ==, private_users(data));

        addr = harness_zone_sh(h, "n1", "ip -o addr show dev eth0");
        g_assert_nonnull(strstr(addr, "inet 10.42.0.2/24"));
        g_assert_nonnull(strstr(addr, "inet6 fd42:7a6f:6e65::2/64"));
        route = harness_zone_sh(h, "n1", "ip route show default");
        g_assert_nonnull(strstr(route, "default via 10.42.0.1 dev eth0"));
        route6 = harness_zone_sh(h, "n1", "ip -6 route show default");
        g_assert_nonnull(strstr(route6, "default via fd42:7a6f:6e65::1 dev eth0"));
        mtu = harness_zone_sh(h, "n2", "cat /sys/class/net/eth0/mtu");
        g_assert_cmpstr(mtu, ==, "1400");
        resolv = harness_zone_sh(h, "n1", "cat /etc/resolv.conf");
        g_assert_nonnull(strstr(resolv, "nameserver 10.42.0.1\nnameserver fd42:7a6f:6e65::1"));

        out = harness_zone_sh(h, "n1", "ping -c 2 -w 20 10.42.0.3");
        g_test_message("%s", out);
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh(h, "n2", "ping6 -c 2 -w 20 fd42:7a6f:6e65::2");
        g_test_message("%s", out);
        g_clear_pointer(&out, g_free);
        /* And the bridge's address, the zones' gateway. */
        out = harness_zone_sh(h, "n2", "ping -c 1 -w 20 10.42.0.1");
        g_clear_pointer(&out, g_free);

        /* kill -9 of n2's supervisor: its zone dies, and its veth with the zone's namespace. */
        supervisor = harness_parent_of((pid_t) leader2);
        g_assert_cmpint(kill(supervisor, SIGKILL), ==, 0);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "n2");
                g_assert_nonnull(zone_watch_wait_settled(w, HARNESS_STOP_TIMEOUT_MS));
        }
        for (guint waited = 0; has_link("vz-n2") && waited < LINK_GONE_TIMEOUT_MS; waited += 50)
                g_usleep(50 * 1000);
        g_assert_false(has_link("vz-n2"));
        g_assert_true(has_link("zbr0")); /* n1 is still on it */

        harness_poweroff_zone(h, "n1");
        if (!wait_links(before)) {
                g_autofree char *now = host_links();
                g_error("links before the zones: %s; after: %s", before, now);
        }
}

/* A zoned killed with SIGKILL, then its zone's supervisor: nobody is on zbr0 any more, and the
 * next zoned removes it at its start. */
static void test_zoned_killed(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        before = host_links();
        setup(h);
        create_zone(h, "k1", data, "Mode=bridge\nAddress=10.42.0.9/24\n");
        restart_zoned(h);
        leader = harness_boot_zone(h, "k1");
        g_assert_true(has_link("zbr0"));
        harness_stop_zoned(h, SIGKILL);
        g_assert_cmpint(kill(harness_parent_of((pid_t) leader), SIGKILL), ==, 0);
        for (guint waited = 0; has_link("vz-k1") && waited < LINK_GONE_TIMEOUT_MS; waited += 50)
                g_usleep(50 * 1000);
        g_assert_false(has_link("vz-k1"));
        g_assert_true(has_link("zbr0"));
        harness_start_zoned(h);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "k1");
                g_assert_nonnull(zone_watch_wait_settled(w, HARNESS_STOP_TIMEOUT_MS));
        }
        if (!wait_links(before)) {
                g_autofree char *now = host_links();
                g_error("links before the zone: %s; after zoned started again: %s", before, now);
        }
}

/* A zone without [Network]: lo only, up. */
static void test_none(Harness *h, gconstpointer data) {
        g_autofree char *links = NULL, *before = NULL, *after = NULL;

        if (harness_skipped(h))
                return;
        before = host_links();
        setup(h);
        create_zone(h, "n0", data, NULL);
        (void) harness_boot_zone(h, "n0");
        links = harness_zone_sh(h, "n0", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
        g_assert_cmpstr(links, ==, "lo");
        after = host_links();
        g_assert_cmpstr(after, ==, before);
        harness_poweroff_zone(h, "n0");
}

static void run_ok(const char *const *argv) {
        g_auto(HarnessRun) r = { 0 };
        g_autofree char *program = g_find_program_in_path(argv[0]);
        g_autofree const char **full = g_memdup2(argv, (g_strv_length((char **) argv) + 1) * sizeof(char *));
        HarnessSpawn s = { .argv = full };

        g_assert_nonnull(program);
        full[0] = program;
        harness_run(&s, &r);
        harness_assert_run(&r, 0, argv[0]);
}

/* A namespace of the test's own, held by a sleeping process, with the peer of veth tlan0 in it
 * as eth0 with 10.43.0.1/24. Returns the process. */
static pid_t make_peer(void) {
        g_autofree char *pidstr = NULL;
        pid_t pid = fork();

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                execlp("sleep", "sleep", "600", NULL);
                _exit(1);
        }
        pidstr = g_strdup_printf("%d", pid);
        /* Until the child is in its namespace. */
        for (int i = 0; i < 1000; i++) {
                g_autofree char *ours = g_file_read_link("/proc/self/ns/net", NULL);
                g_autofree char *path = g_strdup_printf("/proc/%d/ns/net", pid);
                g_autofree char *theirs = g_file_read_link(path, NULL);

                if (theirs && !g_str_equal(theirs, ours))
                        break;
                g_usleep(10 * 1000);
        }
        run_ok((const char *const[]) { "ip", "link", "add", "tlan0", "type", "veth", "peer", "name", "eth0",
                                       "netns", pidstr, NULL });
        run_ok((const char *const[]) { "ip", "link", "set", "tlan0", "up", NULL });
        run_ok((const char *const[]) { "nsenter", "-t", pidstr, "-n", "ip", "addr", "add", "10.43.0.1/24",
                                       "dev", "eth0", NULL });
        run_ok((const char *const[]) { "nsenter", "-t", pidstr, "-n", "ip", "link", "set", "eth0", "up",
                                       NULL });
        return pid;
}

static void kill_peer(pid_t pid) {
        g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
        (void) waitpid(pid, NULL, 0); /* or the harness reaped it */
}

/* What ip says when it asks the kernel for an ipvlan on tlan0 (and removes it if made). */
static bool kernel_has_ipvlan(void) {
        g_auto(HarnessRun) r = { 0 };
        g_autofree char *ip = g_find_program_in_path("ip");
        HarnessSpawn s = { .argv = (const char *const[]) { ip, "link", "add", "tiv0", "link", "tlan0",
                                                           "type", "ipvlan", NULL } };

        harness_run(&s, &r);
        if (r.status == 0) {
                run_ok((const char *const[]) { "ip", "link", "del", "tiv0", NULL });
                return true;
        }
        g_assert_nonnull(strstr(r.err, "Unknown device type"));
        return false;
}

/* A macvlan on tlan0 reaches tlan0's peer; ipvlan on the same is refused by name on a kernel
 * without it. */
static void test_macvlan(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *out = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;
        pid_t peer;

        if (harness_skipped(h))
                return;
        before = host_links();
        peer = make_peer();
        setup(h);
        create_zone(h, "m1", data, "Mode=macvlan:tlan0\nAddress=10.43.0.2/24\n");
        create_zone(h, "i1", data, "Mode=ipvlan:tlan0\nAddress=10.43.0.3/24\n");
        restart_zoned(h);
        (void) harness_boot_zone(h, "m1");
        out = harness_zone_sh(h, "m1", "ping -c 2 -w 20 10.43.0.1");
        g_test_message("%s", out);

        path = harness_zone_path(h, "i1");
        reply = harness_call(h, path, ZONED_ZONE_IFACE, "Boot", NULL, NULL, &error);
        if (kernel_has_ipvlan()) {
                g_assert_no_error(error);
                g_test_message("this kernel has ipvlan: its refusal is not tested here");
        } else {
                harness_assert_dbus_error(error, ERROR_MODE_UNSUPPORTED);
                g_assert_nonnull(strstr(error->message, "ipvlan"));
                g_autofree char *state = harness_zone_state(h, "i1");

                g_assert_cmpstr(state, ==, "stopped");
        }

        harness_poweroff_zone(h, "m1");
        if (!error)
                harness_poweroff_zone(h, "i1");
        kill_peer(peer);
        g_assert_true(wait_links(before));
}

/* busybox udhcpd (the fixture's static busybox) in the peer's namespace, serving 10.43.0.100-110
 * on its eth0. Returns the process. */
static pid_t start_dhcp_server(Harness *h, pid_t peer) {
        g_autofree char *conf = g_build_filename(h->tmpdir, "udhcpd.conf", NULL), *text = NULL;
        g_autofree char *busybox = g_build_filename(harness_busybox_rootfs(), "bin", "busybox", NULL);
        g_autofree char *nsenter = g_find_program_in_path("nsenter"), *target = g_strdup_printf("%d", peer);
        pid_t pid;

        text = g_strdup_printf("start 10.43.0.100\nend 10.43.0.110\ninterface eth0\n"
                               "lease_file %s/udhcpd.leases\npidfile %s/udhcpd.pid\n"
                               "option subnet 255.255.255.0\noption router 10.43.0.1\n",
                               h->tmpdir, h->tmpdir);
        harness_write_file(conf, text, 0644);
        g_free(text);
        text = g_strconcat(h->tmpdir, "/udhcpd.leases", NULL);
        harness_write_file(text, "", 0644);
        g_assert_nonnull(nsenter);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                execl(nsenter, "nsenter", "-t", target, "-n", busybox, "udhcpd", "-f", conf, NULL);
                _exit(127);
        }
        return pid;
}

/* Address=dhcp: zoned gives the zone its link without an address, and the zone's own client gets
 * one from the LAN's server (udhcpd on tlan0's peer). */
static void test_dhcp(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *out = NULL, *addr = NULL;
        pid_t peer, server;
        int status;

        if (harness_skipped(h))
                return;
        before = host_links();
        peer = make_peer();
        server = start_dhcp_server(h, peer);
        setup(h);
        create_zone(h, "d1", data, "Mode=macvlan:tlan0\nAddress=dhcp\n");
        restart_zoned(h);
        (void) harness_boot_zone(h, "d1");
        /* Up, with no IPv4 address of zoned's. */
        out = harness_zone_sh(h, "d1", "ip -4 -o addr show dev eth0; cat /sys/class/net/eth0/operstate");
        g_assert_null(strstr(out, "inet "));
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh(
                h, "d1",
                "printf '#!/bin/sh\\n[ \"$1\" = bound ] && ip addr add $ip/24 dev $interface\\n"
                "exit 0\\n' > /dhcp.sh && chmod +x /dhcp.sh && "
                "udhcpc -i eth0 -n -q -f -t 10 -T 1 -s /dhcp.sh");
        g_test_message("udhcpc: %s", out);
        addr = harness_zone_sh(h, "d1", "ip -4 -o addr show dev eth0");
        /* Any lease of the server's range, 10.43.0.100 to .110 (a run before may hold one). */
        if (!g_regex_match_simple("inet 10\\.43\\.0\\.1(0[0-9]|10)/24", addr, 0, 0))
                g_error("zone d1 has no lease of 10.43.0.100-110: %s", addr);
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh(h, "d1", "ping -c 1 -w 20 10.43.0.1");

        harness_poweroff_zone(h, "d1");
        g_assert_cmpint(kill(server, SIGTERM), ==, 0);
        g_assert_cmpint(waitpid(server, &status, 0), ==, server);
        kill_peer(peer);
        g_assert_true(wait_links(before));
}

/* Host mode: the zone sees the host's links; with a user namespace it is refused by name. */
static void test_host(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *links = NULL, *path = NULL, *after = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;

        if (harness_skipped(h))
                return;
        setup(h);
        run_ok((const char *const[]) { "ip", "link", "add", "hostseen0", "type", "veth", "peer", "name",
                                       "hostseen1", NULL });
        before = host_links();
        create_zone(h, "h1", data, "Mode=host\n");
        restart_zoned(h);
        if (private_users(data)) {
                path = harness_zone_path(h, "h1");
                reply = harness_call(h, path, ZONED_ZONE_IFACE, "Boot", NULL, NULL, &error);
                harness_assert_dbus_error(error, ERROR_MODE_UNSUPPORTED);
                g_assert_nonnull(strstr(error->message, "PrivateUsers=no"));
                g_autofree char *state = harness_zone_state(h, "h1");

                g_assert_cmpstr(state, ==, "stopped");
        } else {
                (void) harness_boot_zone(h, "h1");
                links = harness_zone_sh(
                        h, "h1", "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '");
                g_assert_nonnull(strstr(links, "hostseen0 hostseen1 "));
                harness_poweroff_zone(h, "h1");
        }
        after = host_links();
        g_assert_cmpstr(after, ==, before);
        run_ok((const char *const[]) { "ip", "link", "del", "hostseen0", NULL });
}

/* Our own network namespace, lo up, before anything (zoned, the bus) is started. */
static void enter_own_netns(void) {
        struct ifreq ifr = {};
        int fd;

        if (unshare(CLONE_NEWNET) < 0)
                return; /* not root: the harness skips */
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
        g_assert_cmpint(ioctl(fd, SIOCGIFFLAGS, &ifr), ==, 0);
        ifr.ifr_flags |= IFF_UP;
        g_assert_cmpint(ioctl(fd, SIOCSIFFLAGS, &ifr), ==, 0);
        close(fd);
}

#define USERS 0x100
#define BOTH(path, func)                                                            \
        do {                                                                        \
                HARNESS_TEST(path "/private-users", func, HARNESS_ZONECTL | USERS); \
                HARNESS_TEST(path "/shared-users", func, HARNESS_ZONECTL);          \
        } while (0)

int main(int argc, char *argv[]) {
        enter_own_netns();
        harness_private_network();
        harness_init(&argc, &argv);
        BOTH("/network/bridge", test_bridge);
        BOTH("/network/none", test_none);
        BOTH("/network/macvlan", test_macvlan);
        BOTH("/network/dhcp", test_dhcp);
        BOTH("/network/host", test_host);
        HARNESS_TEST("/network/zoned-killed", test_zoned_killed, HARNESS_ZONECTL | USERS);
        return g_test_run();
}
