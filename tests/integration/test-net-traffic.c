/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned's nftables rules and sysctls (zoned/net-rules.c, net-nft.c, net-sysctl.c) shown by real
 * traffic. The test makes a network namespace of its own as the "host", with a bridge; two more
 * namespaces are the "zones" A and B on it (a veth each, with the rules' anti-spoofing), a third
 * is a client on the bridge that is no zone, and a fourth an "other host" behind another veth
 * (an uplink). Small socket servers in C answer with their name. Nothing leaves the test's
 * namespaces, and they go with the test's processes.
 *
 * Shown: TCP and UDP forwards reach the zone from the host's 127.0.0.1, from the client on the
 * bridge (hairpin) and from the other host, IPv4 and IPv6; [::1] is left to the userspace proxy
 * (a stand-in listens there); changed to another port, the old forward is closed and the new one
 * works; a zone that forges the other's IPv4, IPv6 or MAC gets nothing through; the host's
 * services on the bridge and on 127.0.0.1 are closed to zones unless the bridge allows the host;
 * Isolated=yes keeps the zones apart; removed, the ruleset and the sysctls are as before. */

#include "macro.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net-nft.h"
#include "net-rules.h"
#include "net-sysctl.h"

#define PROBE_TIMEOUT_SEC 3

typedef struct Netns {
        const char *name;
        pid_t holder; /* a child that only keeps the namespace and gives ip its pid */
        int fd;
} Netns;

static Netns zone_a = { "A" }, zone_b = { "B" }, client = { "C" }, remote = { "D" };
static const uint8_t mac_a[6] = { 0x02, 0, 0, 0x77, 0, 0x02 }, mac_b[6] = { 0x02, 0, 0, 0x77, 0, 0x03 };
static pid_t servers[8];
static size_t n_servers;
static NetSysctls *sysctls;
static char *tmp_dir, *state_path, *ruleset_before;
static char **sysctls_before;
static bool ready;

static void ns_new(Netns *ns) {
        g_autofree char *path = NULL;
        int p[2];
        char c;

        g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
        ns->holder = fork();
        g_assert_cmpint(ns->holder, >=, 0);
        if (ns->holder == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                (void) !write(p[1], "x", 1);
                for (;;)
                        pause();
        }
        close(p[1]);
        g_assert_cmpint(read(p[0], &c, 1), ==, 1);
        close(p[0]);
        path = g_strdup_printf("/proc/%d/ns/net", ns->holder);
        ns->fd = open(path, O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(ns->fd, >=, 0);
}

static void enter(const Netns *ns) {
        if (ns && setns(ns->fd, CLONE_NEWNET) < 0)
                _exit(127);
}

/* A shell command in a namespace (NULL: the test's host namespace). */
static void sh_in(const Netns *ns, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void sh_in(const Netns *ns, const char *fmt, ...) {
        g_autofree char *cmd = NULL;
        va_list ap;
        pid_t pid;
        int status;

        va_start(ap, fmt);
        cmd = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_test_message("%s: %s", ns ? ns->name : "host", cmd);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                enter(ns);
                execl("/bin/sh", "sh", "-ec", cmd, NULL);
                _exit(127);
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static socklen_t sockaddr_of(const char *addr, unsigned port, struct sockaddr_in6 *sa) {
        struct sockaddr_in *sin = (struct sockaddr_in *) sa;

        memset(sa, 0, sizeof *sa);
        if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
                sin->sin_family = AF_INET;
                sin->sin_port = htons(port);
                return sizeof *sin;
        }
        g_assert_cmpint(inet_pton(AF_INET6, addr, &sa->sin6_addr), ==, 1);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        return sizeof *sa;
}

/* A server in ns on addr ("::" takes IPv4 too), TCP and UDP on port, that answers its name. */
static void serve(const Netns *ns, const char *name, const char *addr, unsigned port) {
        pid_t pid;

        g_assert_cmpuint(n_servers, <, G_N_ELEMENTS(servers));
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                struct sockaddr_in6 sa;
                socklen_t len = sockaddr_of(addr, port, &sa);
                int one = 1, zero = 0, t, u;

                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                enter(ns);
                t = socket(sa.sin6_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                u = socket(sa.sin6_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (sa.sin6_family == AF_INET6) {
                        int v6only = streq(addr, "::") ? zero : one;
                        (void) setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
                        (void) setsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
                }
                (void) setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                if (bind(t, (struct sockaddr *) &sa, len) < 0 || listen(t, 16) < 0 ||
                    bind(u, (struct sockaddr *) &sa, len) < 0)
                        _exit(1);
                for (;;) {
                        struct pollfd p[2] = { { .fd = t, .events = POLLIN },
                                               { .fd = u, .events = POLLIN } };
                        struct sockaddr_storage from;
                        socklen_t fromlen = sizeof from;
                        char buf[64];

                        if (poll(p, 2, -1) < 0)
                                continue;
                        if (p[0].revents & POLLIN) {
                                int c = accept4(t, NULL, NULL, SOCK_CLOEXEC);
                                if (c >= 0) {
                                        (void) !write(c, name, strlen(name));
                                        close(c);
                                }
                        }
                        if ((p[1].revents & POLLIN) &&
                            recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *) &from, &fromlen) >= 0)
                                (void) sendto(u, name, strlen(name), 0, (struct sockaddr *) &from, fromlen);
                }
        }
        servers[n_servers++] = pid;
}

/* What a server at addr:port answers a client in ns (bound to src when not NULL); NULL when
 * nothing comes back within the timeout or the connection is refused. */
static char *probe_from(const Netns *ns, int type, const char *addr, unsigned port, const char *src) {
        char buf[64];
        ssize_t n = 0;
        int p[2], status;
        pid_t pid;

        g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                struct timeval tv = { .tv_sec = PROBE_TIMEOUT_SEC };
                struct sockaddr_in6 sa, sb;
                socklen_t len = sockaddr_of(addr, port, &sa);
                ssize_t k;
                int s;

                enter(ns);
                s = socket(sa.sin6_family, type | SOCK_CLOEXEC, 0);
                (void) setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
                (void) setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                if (src && bind(s, (struct sockaddr *) &sb, sockaddr_of(src, 0, &sb)) < 0)
                        _exit(1);
                if (connect(s, (struct sockaddr *) &sa, len) < 0)
                        _exit(0);
                if (type == SOCK_DGRAM && send(s, "?", 1, 0) < 0)
                        _exit(0);
                k = recv(s, buf, sizeof buf, 0);
                if (k > 0)
                        (void) !write(p[1], buf, k);
                _exit(0);
        }
        close(p[1]);
        for (ssize_t k; (k = read(p[0], buf + n, sizeof buf - 1 - n)) > 0;)
                n += k;
        close(p[0]);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        return n > 0 ? g_strndup(buf, n) : NULL;
}

static char *probe(const Netns *ns, int type, const char *addr, unsigned port) {
        return probe_from(ns, type, addr, port, NULL);
}

static void assert_reaches(const Netns *ns, int type, const char *addr, unsigned port, const char *name) {
        g_autofree char *a = probe(ns, type, addr, port);

        g_test_message("%s -> %s %s:%u: %s", ns ? ns->name : "host", type == SOCK_STREAM ? "tcp" : "udp",
                       addr, port, a ? a : "nothing");
        g_assert_cmpstr(a, ==, name);
}

#define assert_blocked(ns, type, addr, port) assert_reaches(ns, type, addr, port, NULL)

typedef struct Config {
        bool isolated, allow_host;
        unsigned tcp_port; /* the host port of A's TCP forward */
} Config;

static void apply(Config c) {
        const PortForward ports[] = {
                { IPPROTO_TCP, c.tcp_port, 80 },
                { IPPROTO_UDP, 5353, 53 },
        };
        NetRulesBridge bridge = { .name = "zbt0", .isolated = c.isolated, .allow_host = c.allow_host };
        NetRulesZone zones[2] = {
                { .name = "a", .bridge = "zbt0", .host_ifname = "vz-a", .ports = ports, .n_ports = 2 },
                { .name = "b", .bridge = "zbt0", .host_ifname = "vz-b" },
        };
        g_autofree char *error = NULL, *text = NULL;

        g_assert_cmpint(inet_prefix_parse("10.77.0.1/24", &bridge.ipv4), ==, 0);
        g_assert_cmpint(inet_prefix_parse("fd77::1/64", &bridge.ipv6), ==, 0);
        memcpy(zones[0].mac, mac_a, 6);
        memcpy(zones[1].mac, mac_b, 6);
        g_assert_cmpint(inet_prefix_parse("10.77.0.2/24", &zones[0].ipv4), ==, 0);
        g_assert_cmpint(inet_prefix_parse("fd77::2/64", &zones[0].ipv6), ==, 0);
        g_assert_cmpint(inet_prefix_parse("10.77.0.3/24", &zones[1].ipv4), ==, 0);
        g_assert_cmpint(inet_prefix_parse("fd77::3/64", &zones[1].ipv6), ==, 0);
        g_assert_cmpint(net_rules_build(&bridge, 1, zones, 2, &text), ==, 0);
        g_assert_cmpint(net_nft_apply(text, &error), ==, 0);
        g_assert_null(error);
}

static char *nft_ruleset(void) {
        g_autoptr(GError) error = NULL;
        char *out = NULL;
        int status;

        g_assert_true(g_spawn_command_line_sync("nft list ruleset", &out, NULL, &status, &error));
        g_assert_no_error(error);
        g_assert_true(g_spawn_check_wait_status(status, NULL));
        return out;
}

/* The sysctls the test looks at, with their values, to compare after the removal. */
static const char *const watched[] = {
        "net/ipv4/ip_forward",           "net/ipv4/conf/all/forwarding",      "net/ipv6/conf/all/forwarding",
        "net/ipv4/conf/zbt0/forwarding", "net/ipv4/conf/zbt0/route_localnet", "net/ipv4/conf/up0/forwarding",
        "net/ipv4/conf/vz-a/forwarding", "net/ipv4/conf/vz-a/route_localnet",
};

static char **read_watched(void) {
        char **v = g_new0(char *, G_N_ELEMENTS(watched) + 1);

        for (size_t i = 0; i < G_N_ELEMENTS(watched); i++) {
                char *value = NULL;

                g_assert_cmpint(net_sysctl_read(watched[i], &value), ==, 0);
                v[i] = g_strdup_printf("%s=%s", watched[i], value);
                free(value);
        }
        return v;
}

static void zone_link(Netns *ns, const char *host_ifname, const char *mac, const char *v4, const char *v6,
                      const char *gw4, const char *gw6) {
        sh_in(ns, "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad; ip link set lo up");
        sh_in(NULL, "ip link add %s type veth peer name eth0 netns %d", host_ifname, ns->holder);
        sh_in(ns,
              "ip link set eth0 address %s && ip addr add %s dev eth0 && ip addr add %s dev eth0 nodad && "
              "ip link set eth0 up && ip route add default via %s && ip -6 route add default via %s",
              mac, v4, v6, gw4, gw6);
}

static void setup(void) {
        _cleanup_strv_free_ char **wanted = NULL;

        ns_new(&zone_a);
        ns_new(&zone_b);
        ns_new(&client);
        ns_new(&remote);
        sh_in(NULL, "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad; ip link set lo up");
        sh_in(NULL, "ip link add zbt0 type bridge && ip addr add 10.77.0.1/24 dev zbt0 && "
                    "ip addr add fd77::1/64 dev zbt0 nodad && ip link set zbt0 up");
        zone_link(&zone_a, "vz-a", "02:00:00:77:00:02", "10.77.0.2/24", "fd77::2/64", "10.77.0.1",
                  "fd77::1");
        zone_link(&zone_b, "vz-b", "02:00:00:77:00:03", "10.77.0.3/24", "fd77::3/64", "10.77.0.1",
                  "fd77::1");
        zone_link(&client, "vc-c", "02:00:00:77:00:09", "10.77.0.9/24", "fd77::9/64", "10.77.0.1",
                  "fd77::1");
        zone_link(&remote, "up0", "02:00:00:88:00:02", "10.88.0.2/24", "fd88::2/64", "10.88.0.1", "fd88::1");
        sh_in(NULL, "for l in vz-a vz-b vc-c; do ip link set $l master zbt0 up; done");
        sh_in(NULL, "ip addr add 10.88.0.1/24 dev up0 && ip addr add fd88::1/64 dev up0 nodad && "
                    "ip link set up0 up");

        serve(&zone_a, "A", "::", 80);
        serve(&zone_a, "A", "::", 53);
        serve(&zone_b, "B", "::", 80);
        serve(&client, "C", "::", 7);
        serve(NULL, "host", "::", 2222);
        serve(NULL, "localhost", "127.0.0.1", 2223);
        /* Where the zone's supervisor's proxy listens for [::1]:8080. */
        serve(NULL, "proxy", "::1", 8080);

        ruleset_before = nft_ruleset();
        sysctls_before = read_watched();
        tmp_dir = g_dir_make_tmp("test-net-traffic-XXXXXX", NULL);
        g_assert_nonnull(tmp_dir);
        state_path = g_build_filename(tmp_dir, "network-sysctls", NULL);
        g_assert_cmpint(net_sysctls_new(state_path, &sysctls), ==, 0);
        g_assert_cmpint(net_sysctls_want_bridge("zbt0", true, &wanted), ==, 0);
        g_assert_cmpint(net_sysctls_want_uplink("up0", true, &wanted), ==, 0);
        g_assert_cmpint(net_sysctls_apply(sysctls, wanted), ==, 0);
        ready = true;
}

static bool skip(void) {
        if (ready)
                return false;
        g_test_skip("needs root (network namespaces of its own)");
        return true;
}

static void test_forwards(void) {
        if (skip())
                return;
        /* Without the rules: nothing listens on the host's 8080 but the [::1] stand-in. */
        assert_blocked(NULL, SOCK_STREAM, "127.0.0.1", 8080);
        apply((Config) { .tcp_port = 8080 });

        assert_reaches(NULL, SOCK_STREAM, "127.0.0.1", 8080, "A");
        assert_reaches(NULL, SOCK_DGRAM, "127.0.0.1", 5353, "A");
        assert_reaches(NULL, SOCK_STREAM, "10.88.0.1", 8080, "A");
        /* The client on the bridge, through the host's address there (hairpin) and another. */
        assert_reaches(&client, SOCK_STREAM, "10.77.0.1", 8080, "A");
        assert_reaches(&client, SOCK_DGRAM, "10.77.0.1", 5353, "A");
        assert_reaches(&client, SOCK_STREAM, "fd77::1", 8080, "A");
        assert_reaches(&client, SOCK_STREAM, "10.88.0.1", 8080, "A");
        /* Another host, behind the uplink. */
        assert_reaches(&remote, SOCK_STREAM, "10.88.0.1", 8080, "A");
        assert_reaches(&remote, SOCK_DGRAM, "10.88.0.1", 5353, "A");
        assert_reaches(&remote, SOCK_STREAM, "fd88::1", 8080, "A");
        assert_reaches(&remote, SOCK_DGRAM, "fd88::1", 5353, "A");
        /* The other zone, through the host. */
        assert_reaches(&zone_b, SOCK_STREAM, "10.77.0.1", 8080, "A");
        /* [::1] is the proxy's: the rules leave it alone. */
        assert_reaches(NULL, SOCK_STREAM, "::1", 8080, "proxy");
}

static void test_forward_changed(void) {
        if (skip())
                return;
        apply((Config) { .tcp_port = 8081 });
        assert_blocked(NULL, SOCK_STREAM, "127.0.0.1", 8080);
        assert_blocked(&client, SOCK_STREAM, "10.77.0.1", 8080);
        assert_blocked(&remote, SOCK_STREAM, "10.88.0.1", 8080);
        assert_reaches(NULL, SOCK_STREAM, "127.0.0.1", 8081, "A");
        assert_reaches(&client, SOCK_STREAM, "10.77.0.1", 8081, "A");
        assert_reaches(&remote, SOCK_STREAM, "fd88::1", 8081, "A");
        assert_reaches(NULL, SOCK_DGRAM, "127.0.0.1", 5353, "A");
        apply((Config) { .tcp_port = 8080 });
        assert_reaches(NULL, SOCK_STREAM, "127.0.0.1", 8080, "A");
}

static void assert_reaches_from(const Netns *ns, const char *addr, unsigned port, const char *src,
                                const char *name) {
        g_autofree char *a = probe_from(ns, SOCK_STREAM, addr, port, src);

        g_test_message("%s from %s -> %s:%u: %s", ns->name, src, addr, port, a ? a : "nothing");
        g_assert_cmpstr(a, ==, name);
}

/* B takes A's addresses and MAC: nothing it sends with them gets through, with its own it does. */
static void test_spoofing(void) {
        if (skip())
                return;
        apply((Config) { .tcp_port = 8080 });
        assert_reaches_from(&zone_b, "10.77.0.9", 7, "10.77.0.3", "C");
        assert_reaches_from(&zone_b, "fd77::9", 7, "fd77::3", "C");

        sh_in(&zone_b, "ip addr add 10.77.0.2/32 dev eth0 && ip addr add fd77::2/128 dev eth0 nodad");
        assert_reaches_from(&zone_b, "10.77.0.9", 7, "10.77.0.2", NULL);
        assert_reaches_from(&zone_b, "fd77::9", 7, "fd77::2", NULL);
        sh_in(&zone_b, "ip addr del 10.77.0.2/32 dev eth0 && ip addr del fd77::2/128 dev eth0");
        /* The client's neighbour entry for A is still A's: B's ARP claims were dropped. */
        assert_reaches(&client, SOCK_STREAM, "10.77.0.2", 80, "A");

        sh_in(&zone_b, "ip link set eth0 address 02:00:00:77:00:02");
        assert_reaches_from(&zone_b, "10.77.0.9", 7, "10.77.0.3", NULL);
        sh_in(&zone_b, "ip link set eth0 address 02:00:00:77:00:03");
        assert_reaches_from(&zone_b, "10.77.0.9", 7, "10.77.0.3", "C");
        assert_reaches(&client, SOCK_STREAM, "10.77.0.2", 80, "A");
}

/* The host's services: closed to the zones on the bridge unless it allows the host; 127.0.0.1
 * (which route_localnet would open to what comes in on the bridge) always. */
static void test_host_services(void) {
        if (skip())
                return;
        /* B routes 127.0.0.1 to the host: its own lookups go to table 100 before the local one. */
        sh_in(&zone_b, "echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet && "
                       "ip route add 127.0.0.1/32 via 10.77.0.1 dev eth0 table 100 && "
                       "ip rule add to 127.0.0.1 lookup 100 pref 10 && "
                       "ip rule add lookup local pref 32000 && ip rule del pref 0");
        apply((Config) { .tcp_port = 8080 });
        assert_blocked(&zone_b, SOCK_STREAM, "10.77.0.1", 2222);
        assert_blocked(&zone_b, SOCK_STREAM, "fd77::1", 2222);
        assert_blocked(&zone_b, SOCK_STREAM, "127.0.0.1", 2223);
        assert_reaches(&remote, SOCK_STREAM, "10.88.0.1", 2222, "host");
        /* Forwards still work for the zones, and the host's own connections to them. */
        assert_reaches(&zone_b, SOCK_STREAM, "10.77.0.1", 8080, "A");
        assert_reaches(NULL, SOCK_STREAM, "10.77.0.3", 80, "B");

        apply((Config) { .tcp_port = 8080, .allow_host = true });
        assert_reaches(&zone_b, SOCK_STREAM, "10.77.0.1", 2222, "host");
        assert_reaches(&zone_b, SOCK_STREAM, "fd77::1", 2222, "host");
        assert_blocked(&zone_b, SOCK_STREAM, "127.0.0.1", 2223);
        sh_in(&zone_b, "ip rule add lookup local pref 0 && ip rule del pref 32000 && ip rule del pref 10 && "
                       "ip route del 127.0.0.1/32 table 100");
}

static void test_isolated(void) {
        if (skip())
                return;
        apply((Config) { .tcp_port = 8080 });
        assert_reaches(&zone_a, SOCK_STREAM, "10.77.0.3", 80, "B");
        assert_reaches(&zone_b, SOCK_STREAM, "fd77::2", 80, "A");

        apply((Config) { .tcp_port = 8080, .isolated = true });
        sh_in(&zone_a, "ip neigh flush dev eth0");
        sh_in(&zone_b, "ip neigh flush dev eth0");
        assert_blocked(&zone_a, SOCK_STREAM, "10.77.0.3", 80);
        assert_blocked(&zone_b, SOCK_STREAM, "10.77.0.2", 80);
        assert_blocked(&zone_b, SOCK_STREAM, "fd77::2", 80);
        /* What is not between two zones still goes: the client, the forwards. */
        assert_reaches(&zone_a, SOCK_STREAM, "10.77.0.9", 7, "C");
        assert_reaches(&zone_b, SOCK_STREAM, "10.77.0.9", 7, "C");
        assert_reaches(&client, SOCK_STREAM, "10.77.0.1", 8080, "A");
}

static void test_removed(void) {
        g_autofree char *after = NULL;
        g_auto(GStrv) values = NULL;

        if (skip())
                return;
        g_assert_cmpint(net_nft_remove(NULL), ==, 0);
        g_assert_cmpint(net_sysctls_restore_all(sysctls), ==, 0);
        after = nft_ruleset();
        g_assert_cmpstr(after, ==, ruleset_before);
        g_assert_cmpstr(after, ==, "");
        values = read_watched();
        for (size_t i = 0; values[i]; i++)
                g_assert_cmpstr(values[i], ==, sysctls_before[i]);
        g_assert_false(g_file_test(state_path, G_FILE_TEST_EXISTS));
        assert_blocked(NULL, SOCK_STREAM, "127.0.0.1", 8080);
        assert_blocked(&remote, SOCK_STREAM, "10.88.0.1", 8080);
}

static void teardown(void) {
        Netns *all[] = { &zone_a, &zone_b, &client, &remote };

        for (size_t i = 0; i < n_servers; i++) {
                (void) kill(servers[i], SIGKILL);
                (void) waitpid(servers[i], NULL, 0);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
                if (all[i]->holder > 0) {
                        close(all[i]->fd);
                        (void) kill(all[i]->holder, SIGKILL);
                        (void) waitpid(all[i]->holder, NULL, 0);
                }
        net_sysctls_free(sysctls);
        if (state_path)
                (void) g_unlink(state_path);
        if (tmp_dir)
                (void) g_rmdir(tmp_dir);
        g_free(state_path);
        g_free(tmp_dir);
        g_free(ruleset_before);
        g_strfreev(sysctls_before);
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0)
                setup();
        g_test_add_func("/net-traffic/forwards", test_forwards);
        g_test_add_func("/net-traffic/forward-changed", test_forward_changed);
        g_test_add_func("/net-traffic/spoofing", test_spoofing);
        g_test_add_func("/net-traffic/host-services", test_host_services);
        g_test_add_func("/net-traffic/isolated", test_isolated);
        g_test_add_func("/net-traffic/removed", test_removed);
        r = g_test_run();
        teardown();
        return r;
}
