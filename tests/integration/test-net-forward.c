/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Port forwards and isolation through zoned into real busybox zones on zbr0, each zone serving
 * HTTP with busybox httpd:
 *
 * - a forward reaches the zone from the host's 127.0.0.1 and [::1] and from a client in a network
 *   namespace of the test's on the bridge (over the bridge's IPv4 and IPv6 addresses); changed
 *   live it moves, removed it closes; it goes on across a kill -9 and a start of zoned and comes
 *   back with a reboot of the zone; ListNetwork shows what zoned added for the running zone;
 * - after the zone, and after kill -9 of zoned and of the zone's supervisor, the links, the
 *   ruleset and the sysctls are as before;
 * - a zone that takes another zone's IPv4, IPv6 or MAC address gets nothing through, and reaches
 *   again once it gives it back; the host's services on the bridge address are closed to zones;
 *   on an Isolated=yes bridge two zones cannot reach each other, but still their gateway.
 *
 * The test process moves into a network namespace of its own first (harness_private_network):
 * zoned, the zones' links and every packet stay in it. */

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define GATEWAY4 "10.42.0.1"
#define GATEWAY6 "fd42:7a6f:6e65::1"
#define WEB4 "10.42.0.20"
#define WEB6 "fd42:7a6f:6e65::20"
#define CLIENT_IFNAME "vfc-client"
#define UPLINK_IFNAME "vfc-uplink"
#define UPLINK4 "198.51.100.1"
#define UPLINK6 "2001:db8:5::1"
#define OPEN_TIMEOUT_SEC 15  /* a forward that must answer */
#define CLOSED_TIMEOUT_SEC 3 /* one that must not */
#define LINK_GONE_TIMEOUT_MS 30000

/* ---- the host's view ---- */

/* argv[0] from PATH: harness_run() takes absolute paths only. */
static char *run_text(const char *what, const char *const *argv) {
        g_auto(HarnessRun) r = { 0 };
        g_autofree char *program = g_find_program_in_path(argv[0]);
        g_autoptr(GPtrArray) a = g_ptr_array_new();

        if (!program)
                g_error("%s: no %s in PATH", what, argv[0]);
        g_ptr_array_add(a, program);
        for (const char *const *p = argv + 1; *p; p++)
                g_ptr_array_add(a, (char *) *p);
        g_ptr_array_add(a, NULL);
        harness_run(&(HarnessSpawn) { .argv = (const char *const *) a->pdata }, &r);
        harness_assert_run(&r, 0, what);
        return g_strdup(r.out);
}

static char *ruleset(void) {
        return run_text("nft list ruleset", (const char *const[]) { "nft", "list", "ruleset", NULL });
}

static char *links(void) {
        return run_text("ip -o link", (const char *const[]) { "ip", "-o", "-br", "link", NULL });
}

/* The forwarding and localnet sysctls of the namespace, where zoned might have left a trace. */
static char *sysctls(void) {
        static const char *const keys[] = {
                "ipv4/ip_forward",
                "ipv4/conf/all/forwarding",
                "ipv4/conf/default/forwarding",
                "ipv4/conf/all/route_localnet",
                "ipv4/conf/default/route_localnet",
                "ipv4/conf/lo/route_localnet",
                "ipv6/conf/all/forwarding",
                "ipv6/conf/default/forwarding",
                "ipv6/conf/all/force_forwarding",
                NULL,
        };
        GString *s = g_string_new(NULL);

        for (const char *const *k = keys; *k; k++) {
                g_autofree char *path = g_strconcat("/proc/sys/net/", *k, NULL), *value = NULL;

                if (g_file_get_contents(path, &value, NULL, NULL))
                        g_string_append_printf(s, "%s=%s", *k, value);
        }
        return g_string_free(s, FALSE);
}

typedef struct HostState {
        char *links, *ruleset, *sysctls;
} HostState;

static void host_state_read(HostState *s) {
        *s = (HostState) { links(), ruleset(), sysctls() };
}

static void host_state_clear(HostState *s) {
        g_free(s->links);
        g_free(s->ruleset);
        g_free(s->sysctls);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HostState, host_state_clear)

/* The links go with the zone's network namespace, which the kernel frees from a work queue. */
static void assert_host_as(const HostState *before, const char *when) {
        g_auto(HostState) now = { 0 };

        for (guint waited = 0;; waited += 50) {
                host_state_clear(&now);
                host_state_read(&now);
                if (g_str_equal(now.links, before->links) || waited >= LINK_GONE_TIMEOUT_MS)
                        break;
                g_usleep(50 * 1000);
        }
        if (!g_str_equal(now.links, before->links))
                g_error("%s: links before:\n%s\nnow:\n%s", when, before->links, now.links);
        if (!g_str_equal(now.ruleset, before->ruleset))
                g_error("%s: ruleset before:\n%s\nnow:\n%s", when, before->ruleset, now.ruleset);
        if (!g_str_equal(now.sysctls, before->sysctls))
                g_error("%s: sysctls before:\n%s\nnow:\n%s", when, before->sysctls, now.sysctls);
}

/* ---- HTTP from here, or from a network namespace ---- */

/* GET / from addr:port into body (what follows the headers), or -errno. Stack only: it also runs
 * in a forked child. */
static int http_get(const char *addr, uint16_t port, int timeout_sec, char *body, size_t size) {
        struct sockaddr_storage ss = {};
        struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
        struct timeval tv = { .tv_sec = timeout_sec };
        static const char request[] = "GET / HTTP/1.0\r\n\r\n";
        char buf[4096];
        size_t got = 0;
        socklen_t len;
        int fd, r = 0;
        char *start;

        if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                s4->sin_port = htons(port);
                len = sizeof(*s4);
        } else {
                g_assert_cmpint(inet_pton(AF_INET6, addr, &s6->sin6_addr), ==, 1);
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(port);
                len = sizeof(*s6);
        }
        fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* SO_SNDTIMEO bounds connect() too. */
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
            connect(fd, (struct sockaddr *) &ss, len) < 0 ||
            write(fd, request, sizeof(request) - 1) != (ssize_t) sizeof(request) - 1)
                r = -errno;
        while (r == 0 && got < sizeof(buf) - 1) {
                ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);

                if (n < 0)
                        r = -errno;
                if (n <= 0)
                        break;
                got += (size_t) n;
        }
        close(fd);
        if (r < 0)
                return r;
        buf[got] = 0;
        start = strstr(buf, "\r\n\r\n");
        if (!start)
                return -EBADMSG;
        g_strlcpy(body, start + 4, size);
        g_strchomp(body);
        return 0;
}

/* A process that only holds a network namespace, with a veth: host_ifname here (on master, or on
 * nothing with NULL), eth0 there, and script run there (its addresses). */
typedef struct Client {
        pid_t holder;
        int netns;
} Client;

static void netns_start(Client *c, const char *host_ifname, const char *master, const char *script) {
        g_autofree char *pid = NULL, *path = NULL, *setup = NULL;
        int p[2];
        char x;

        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        c->holder = fork();
        g_assert_cmpint(c->holder, >=, 0);
        if (c->holder == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                (void) !write(p[1], "x", 1);
                for (;;)
                        pause();
        }
        close(p[1]);
        g_assert_cmpint(read(p[0], &x, 1), ==, 1);
        close(p[0]);
        path = g_strdup_printf("/proc/%d/ns/net", (int) c->holder);
        c->netns = open(path, O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(c->netns, >=, 0);

        pid = g_strdup_printf("%d", (int) c->holder);
        g_free(run_text("ip link add",
                        (const char *const[]) { "ip", "link", "add", host_ifname, "type", "veth", "peer",
                                                "name", "eth0", "netns", pid, NULL }));
        if (master)
                g_free(run_text("ip link master", (const char *const[]) { "ip", "link", "set", host_ifname,
                                                                          "master", master, "up", NULL }));
        setup = g_strconcat("ip link set lo up && ip link set eth0 up && ", script, NULL);
        g_free(run_text("the namespace's addresses",
                        (const char *const[]) { "nsenter", "-t", pid, "-n", "sh", "-c", setup, NULL }));
}

/* A client on zbr0, with an address of each family that is no zone's. */
static void client_start(Client *c) {
        netns_start(
                c, CLIENT_IFNAME, "zbr0",
                "ip addr add 10.42.0.200/24 dev eth0 && ip addr add fd42:7a6f:6e65::200/64 dev eth0 nodad");
}

static void client_stop(Client *c) {
        int status;

        close(c->netns);
        g_assert_cmpint(kill(c->holder, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(c->holder, &status, 0), ==, c->holder);
}

/* http_get() in the client's namespace: a forked child that enters it. */
static int client_get(const Client *c, const char *addr, uint16_t port, int timeout_sec, char *body,
                      size_t size) {
        struct {
                int r;
                char body[256];
        } answer = { -EIO, "" };
        int p[2], status;
        pid_t pid;

        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                answer.r = setns(c->netns, CLONE_NEWNET) < 0
                                   ? -errno
                                   : http_get(addr, port, timeout_sec, answer.body, sizeof(answer.body));
                (void) !write(p[1], &answer, sizeof(answer));
                _exit(0);
        }
        close(p[1]);
        g_assert_cmpint(read(p[0], &answer, sizeof(answer)), ==, sizeof(answer));
        close(p[0]);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_strlcpy(body, answer.body, size);
        return answer.r;
}

/* What `addr:port` answers, from here (client NULL) or from the client; "closed" if nothing. */
static char *get(const Client *c, const char *addr, uint16_t port, bool expect_open) {
        int timeout = expect_open ? OPEN_TIMEOUT_SEC : CLOSED_TIMEOUT_SEC;
        char body[256];
        int r;

        r = c ? client_get(c, addr, port, timeout, body, sizeof(body))
              : http_get(addr, port, timeout, body, sizeof(body));
        if (r < 0) {
                g_test_message("GET http://%s%s%s:%u/ from %s: %s", strchr(addr, ':') ? "[" : "", addr,
                               strchr(addr, ':') ? "]" : "", port, c ? "the client" : "the host",
                               g_strerror(-r));
                return g_strdup("closed");
        }
        return g_strdup(body);
}

static void assert_get(const Client *c, const char *addr, uint16_t port, const char *want) {
        g_autofree char *got = get(c, addr, port, !g_str_equal(want, "closed"));

        if (!g_str_equal(got, want))
                g_error("http://%s:%u/ from %s: \"%s\", not \"%s\"", addr, port,
                        c ? "the client" : "the host", got, want);
}

/* ---- in the zones ---- */

/* Does the zone get an answer from addr (ping, or ping6 for an IPv6 address)? */
static bool zone_pings(Harness *h, const char *name, const char *addr) {
        /* busybox ping waits -W for an answer (default 10 s), whatever -w says. */
        g_autofree char *script = g_strdup_printf("%s -c 1 -W 2 -w 3 %s",
                                                  strchr(addr, ':') ? "ping6" : "ping", addr);
        int status;
        gint64 t0 = g_get_monotonic_time();
        g_autofree char *out = harness_zone_sh_status(h, name, script, &status);

        g_test_message("zone %s: %s: exit %d after %.1f s", name, script, status,
                       (g_get_monotonic_time() - t0) / 1e6);
        return status == 0;
}

/* Waits until the zone's address is through duplicate address detection, and asserts that it
 * passed: a ping that fails must fail for another reason. */
static void assert_ipv6_usable(Harness *h, const char *name, const char *addr) {
        static const char script[] =
                "for i in $(seq 100); do ip -6 addr show dev eth0 | grep -q tentative || break; "
                "sleep 0.1; done; ip -6 addr show dev eth0";
        g_autofree char *out = harness_zone_sh(h, name, script);

        g_test_message("zone %s: %s", name, out);
        g_assert_nonnull(strstr(out, addr));
        g_assert_null(strstr(out, "tentative"));
        g_assert_null(strstr(out, "dadfailed"));
}

/* httpd on port 80 answering the zone's name and on 81 "NAME:81", backgrounded (busybox httpd
 * daemonizes); the pages are in the zone's layer, so a reboot only needs the servers again. */
static void start_web_servers(Harness *h, const char *name) {
        g_autofree char *script = g_strdup_printf(
                "mkdir -p /www80 /www81 && echo %s > /www80/index.html && echo %s:81 > "
                "/www81/index.html && httpd -p 80 -h /www80 && httpd -p 81 -h /www81",
                name, name);

        g_free(harness_zone_sh(h, name, script));
}

static void create_bridged(Harness *h, const char *name, const char *network, const char *ip) {
        g_autofree char *net = g_strconcat("--network=", network, NULL);
        g_autofree char *ipopt = ip ? g_strconcat("--ip=", ip, NULL) : NULL;

        harness_zonectl_ok(h, NULL, "create", "create", name, "-t", "bb", net, ipopt, NULL);
}

/* The zone's IPv4 and IPv6 addresses without their lengths. */
static void zone_addresses(Harness *h, const char *name, char **ret4, char **ret6) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "Addresses");
        GVariantIter it;
        const char *address;
        guint8 family;

        *ret4 = *ret6 = NULL;
        g_variant_iter_init(&it, v);
        while (g_variant_iter_next(&it, "(y&s)", &family, &address)) {
                char **to = family == AF_INET ? ret4 : ret6;

                g_free(*to);
                *to = g_strndup(address, strcspn(address, "/"));
        }
        g_assert_nonnull(*ret4);
        g_assert_nonnull(*ret6);
}

static char *list_network(Harness *h) {
        g_autoptr(GVariant) reply = harness_manager_call(h, "ListNetwork", NULL, "(a(sss))", NULL);
        g_autoptr(GVariantIter) it = NULL;
        const char *kind, *name, *detail;
        GString *s = g_string_new(NULL);

        g_variant_get(reply, "(a(sss))", &it);
        while (g_variant_iter_next(it, "(&s&s&s)", &kind, &name, &detail))
                g_string_append_printf(s, "%s|%s|%s\n", kind, name, detail);
        return g_string_free(s, FALSE);
}

static void assert_has_line(const char *text, const char *line) {
        g_autofree char *padded = g_strconcat("\n", text, NULL),
                        *needle = g_strconcat("\n", line, "\n", NULL);

        if (!strstr(padded, needle))
                g_error("no line \"%s\" in:\n%s", line, text);
}

static void assert_listed(Harness *h) {
        g_autofree char *list = list_network(h);

        g_test_message("ListNetwork:\n%s", list);
        assert_has_line(list, "bridge|zbr0|10.42.0.1/24 fd42:7a6f:6e65::1/64 zones: web");
        assert_has_line(list, "veth|vz-web|zone web, on zbr0");
        assert_has_line(list, "forward|tcp:8080|zone web port 80");
        assert_has_line(list, "sysctl|net/ipv4/conf/zbr0/route_localnet|1 (was 0)");
        g_assert_nonnull(strstr(list, "nftables|inet zoned|"));
        g_assert_nonnull(strstr(list, "nftables|bridge zoned|"));
}

/* ---- the tests ---- */

/* A test that gains nothing from a sanitizer build skips there, saying why. */
static bool skipped_when_sanitized(const char *why) {
        if (!g_getenv("ZONED_TEST_SANITIZED"))
                return false;
        g_test_skip(why);
        return true;
}

/* What the kernel's nftables do with a zone's packets is the same in a sanitizer build, where
 * zoned's own code paths here are those of the forwards test. */
#define KERNEL_FILTERING "the kernel's filtering, which sanitizers do not change: run in the plain build"

static void test_forwards(Harness *h, gconstpointer data) {
        g_auto(HostState) before = { 0 };
        Client client;

        if (harness_skipped(h))
                return;
        host_state_read(&before);
        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "create", "create", "web", "-t", "bb", "--network=bridge",
                           "--ip=" WEB4 "/24", "--ip=" WEB6 "/64", NULL);
        harness_zonectl_ok(h, NULL, "set port", "set", "web", "port=tcp:8080:80", NULL);
        (void) harness_boot_zone(h, "web");
        start_web_servers(h, "web");
        client_start(&client);
        assert_listed(h);

        /* Into the zone from the host's loopback, either family, and from the client over the
         * bridge's addresses. */
        assert_get(NULL, "127.0.0.1", 8080, "web");
        assert_get(NULL, "::1", 8080, "web");
        assert_get(&client, GATEWAY4, 8080, "web");
        assert_get(&client, GATEWAY6, 8080, "web");
        /* The client reaches the zone directly too: the forward is no detour it needs. */
        assert_get(&client, WEB4, 80, "web");

        /* Changed live to another zone port, then moved to another host port. */
        harness_zonectl_ok(h, NULL, "set port 81", "set", "web", "port=tcp:8080:81", NULL);
        assert_get(NULL, "127.0.0.1", 8080, "web:81");
        assert_get(NULL, "::1", 8080, "web:81");
        assert_get(&client, GATEWAY4, 8080, "web:81");
        harness_zonectl_ok(h, NULL, "move", "set", "web", "port=tcp:9090:80", NULL);
        harness_zonectl_ok(h, NULL, "unset 8080", "unset", "web", "port=tcp:8080", NULL);
        assert_get(NULL, "127.0.0.1", 9090, "web");
        assert_get(NULL, "::1", 9090, "web");
        assert_get(&client, GATEWAY6, 9090, "web");
        assert_get(NULL, "127.0.0.1", 8080, "closed");
        assert_get(NULL, "::1", 8080, "closed");
        assert_get(&client, GATEWAY4, 8080, "closed");

        /* zoned killed: the forwards stay (the nft tables, the supervisor's proxy); zoned starts
         * again and they are still the zone's. */
        harness_stop_zoned(h, SIGKILL);
        assert_get(NULL, "127.0.0.1", 9090, "web");
        assert_get(NULL, "::1", 9090, "web");
        harness_start_zoned(h);
        assert_get(NULL, "127.0.0.1", 9090, "web");
        assert_get(NULL, "::1", 9090, "web");
        assert_get(&client, GATEWAY4, 9090, "web");

        /* A reboot of the zone: the forward comes back with its servers. */
        harness_zonectl_ok(h, NULL, "reboot", "reboot", "web", NULL);
        start_web_servers(h, "web");
        assert_get(NULL, "127.0.0.1", 9090, "web");
        assert_get(NULL, "::1", 9090, "web");
        assert_get(&client, GATEWAY6, 9090, "web");

        /* Removed: closed. */
        harness_zonectl_ok(h, NULL, "unset 9090", "unset", "web", "port=tcp:9090", NULL);
        assert_get(NULL, "127.0.0.1", 9090, "closed");
        assert_get(NULL, "::1", 9090, "closed");
        assert_get(&client, GATEWAY4, 9090, "closed");

        client_stop(&client);
        harness_poweroff_zone(h, "web");
        assert_host_as(&before, "after the zone");
        {
                g_autofree char *list = list_network(h);
                g_assert_cmpstr(list, ==, "");
        }
}

/* kill -9 of zoned while a forwarding zone runs, then of the zone's supervisor (the zone dies
 * with it): the next zoned finds no zone on the bridge and takes back all it added. */
static void test_killed(Harness *h, gconstpointer data) {
        g_auto(HostState) before = { 0 };
        guint32 leader;

        if (harness_skipped(h))
                return;
        host_state_read(&before);
        harness_import_busybox(h);
        create_bridged(h, "web", "bridge", NULL);
        harness_zonectl_ok(h, NULL, "set port", "set", "web", "port=tcp:8080:80", "port=udp:5353:53", NULL);
        leader = harness_boot_zone(h, "web");
        start_web_servers(h, "web");
        assert_get(NULL, "127.0.0.1", 8080, "web");

        harness_stop_zoned(h, SIGKILL);
        harness_start_zoned(h); /* re-adopts the zone, and its forwards */
        assert_get(NULL, "::1", 8080, "web");
        harness_stop_zoned(h, SIGKILL);
        g_assert_cmpint(kill(harness_parent_of((pid_t) leader), SIGKILL), ==, 0);
        for (guint waited = 0; harness_pid_alive((pid_t) leader) && waited < LINK_GONE_TIMEOUT_MS;
             waited += 50)
                g_usleep(50 * 1000);
        g_assert_false(harness_pid_alive((pid_t) leader));
        harness_start_zoned(h);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "web");
                g_assert_nonnull(zone_watch_wait_settled(w, HARNESS_STOP_TIMEOUT_MS));
        }
        assert_host_as(&before, "after kill -9 of zoned and of the zone's supervisor");
        assert_get(NULL, "127.0.0.1", 8080, "closed");
}

/* Zone b takes zone a's IPv4, then IPv6, then MAC address: nothing gets through, and with its
 * own back it reaches again. A host service on the bridge's address is closed to zones. */
static void test_spoofing(Harness *h, gconstpointer data) {
        g_autofree char *a4 = NULL, *a6 = NULL, *b4 = NULL, *b6 = NULL, *script = NULL, *mac_a = NULL,
                        *mac_b = NULL;
        g_autoptr(GVariant) mac = NULL, mac2 = NULL;

        if (harness_skipped(h) || skipped_when_sanitized(KERNEL_FILTERING))
                return;
        harness_import_busybox(h);
        create_bridged(h, "a", "bridge", NULL);
        create_bridged(h, "b", "bridge", NULL);
        zone_addresses(h, "a", &a4, &a6);
        zone_addresses(h, "b", &b4, &b6);
        mac = harness_zone_property(h, "a", "MACAddress");
        mac_a = g_variant_dup_string(mac, NULL);
        mac2 = harness_zone_property(h, "b", "MACAddress");
        mac_b = g_variant_dup_string(mac2, NULL);
        (void) harness_boot_zone(h, "a");
        (void) harness_boot_zone(h, "b");
        start_web_servers(h, "a");

        /* Reached with its own addresses: what the failures below are measured against. */
        g_assert_true(zone_pings(h, "b", a4));
        g_assert_true(zone_pings(h, "b", a6));
        g_assert_true(zone_pings(h, "b", GATEWAY4));

        /* a's IPv4 (b's own gone, so the kernel can only use a's). */
        script = g_strdup_printf("ip -4 addr flush dev eth0 && ip addr add %s/24 dev eth0", a4);
        g_free(harness_zone_sh(h, "b", script));
        g_assert_false(zone_pings(h, "b", GATEWAY4));
        g_clear_pointer(&script, g_free);
        script = g_strdup_printf("ip -4 addr flush dev eth0 && ip addr add %s/24 dev eth0", b4);
        g_free(harness_zone_sh(h, "b", script));
        g_assert_true(zone_pings(h, "b", GATEWAY4));

        /* a's MAC, with b's own addresses; then b's own again. */
        g_clear_pointer(&script, g_free);
        script = g_strdup_printf("ip link set eth0 address %s", mac_a);
        g_free(harness_zone_sh(h, "b", script));
        g_assert_false(zone_pings(h, "b", GATEWAY4));
        g_assert_false(zone_pings(h, "b", a4));
        g_clear_pointer(&script, g_free);
        script = g_strdup_printf("ip link set eth0 address %s", mac_b);
        g_free(harness_zone_sh(h, "b", script));
        g_assert_true(zone_pings(h, "b", a4));

        /* The host's services on its bridge address: a server of the test's own on every address
         * of the host, and a's web server for comparison. */
        {
                struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(7070) };
                int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, status;
                g_autofree char *out = NULL;

                g_assert_cmpint(fd, >=, 0);
                g_assert_no_errno(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
                g_assert_no_errno(bind(fd, (struct sockaddr *) &sa, sizeof(sa)));
                g_assert_no_errno(listen(fd, 4));
                out = harness_zone_sh_status(h, "a", "echo x | nc -w 3 " GATEWAY4 " 7070", &status);
                g_assert_cmpint(status, !=, 0);
                g_free(out);
                out = harness_zone_sh_status(h, "a", "echo x | nc -w 3 " GATEWAY6 " 7070", &status);
                g_assert_cmpint(status, !=, 0);
                /* The zone's connection never arrived. */
                {
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        g_assert_cmpint(poll(&p, 1, 0), ==, 0);
                }
                close(fd);
        }

        /* a's IPv6. a is stopped first: running, it would answer b's duplicate address detection
         * (busybox ip cannot add an address without it) and b would not use the address at all. */
        harness_poweroff_zone(h, "a");
        g_clear_pointer(&script, g_free);
        script = g_strdup_printf("ip addr del %s/64 dev eth0 && ip addr add %s/64 dev eth0", b6, a6);
        g_free(harness_zone_sh(h, "b", script));
        assert_ipv6_usable(h, "b", a6);
        g_assert_false(zone_pings(h, "b", GATEWAY6));
        g_clear_pointer(&script, g_free);
        script = g_strdup_printf("ip addr del %s/64 dev eth0 && ip addr add %s/64 dev eth0", a6, b6);
        g_free(harness_zone_sh(h, "b", script));
        assert_ipv6_usable(h, "b", b6);
        g_assert_true(zone_pings(h, "b", GATEWAY6));
        harness_poweroff_zone(h, "b");
}

/* Isolated=yes: zones on the bridge reach their gateway, not each other. */
static void test_isolated(Harness *h, gconstpointer data) {
        g_autofree char *conf = g_build_filename(h->tmpdir, "network.conf", NULL);
        g_autofree char *i14 = NULL, *i16 = NULL, *i24 = NULL, *i26 = NULL, *z04 = NULL, *z06 = NULL;

        if (harness_skipped(h) || skipped_when_sanitized(KERNEL_FILTERING))
                return;
        harness_write_file(conf, "[Bridge iso]\nIPv4=10.43.0.1/24\nIPv6=fd43::1/64\nIsolated=yes\n", 0644);
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
        harness_import_busybox(h);
        create_bridged(h, "i1", "bridge:iso", NULL);
        create_bridged(h, "i2", "bridge:iso", NULL);
        zone_addresses(h, "i1", &i14, &i16);
        zone_addresses(h, "i2", &i24, &i26);
        (void) harness_boot_zone(h, "i1");
        (void) harness_boot_zone(h, "i2");
        g_assert_true(zone_pings(h, "i1", "10.43.0.1"));
        g_assert_true(zone_pings(h, "i2", "fd43::1"));
        g_assert_false(zone_pings(h, "i1", i24));
        g_assert_false(zone_pings(h, "i2", i16));

        /* Nor through the host: routes to each other through the gateway, which would forward
         * what the bridge keeps from going port to port. */
        {
                g_autofree char *r1 = g_strdup_printf("ip route add %s/32 via 10.43.0.1 && "
                                                      "ip -6 route add %s/128 via fd43::1",
                                                      i24, i26);
                g_autofree char *r2 = g_strdup_printf("ip route add %s/32 via 10.43.0.1 && "
                                                      "ip -6 route add %s/128 via fd43::1",
                                                      i14, i16);
                g_free(harness_zone_sh(h, "i1", r1));
                g_free(harness_zone_sh(h, "i2", r2));
        }
        g_assert_false(zone_pings(h, "i1", i24));
        g_assert_false(zone_pings(h, "i1", i26));

        /* A zone of another bridge is no nearer: zbr0's z0 and i1 have their default routes
         * through their gateways, and the host routes nothing from one bridge to another. */
        create_bridged(h, "z0", "bridge", NULL);
        zone_addresses(h, "z0", &z04, &z06);
        (void) harness_boot_zone(h, "z0");
        g_assert_true(zone_pings(h, "z0", GATEWAY4));
        g_assert_false(zone_pings(h, "i1", z04));
        g_assert_false(zone_pings(h, "i1", z06));
        g_assert_false(zone_pings(h, "z0", i24));
        /* A forward of z0's is for every zone, also from another bridge (through its own
         * gateway), and for an isolated one. */
        harness_zonectl_ok(h, NULL, "set port", "set", "z0", "port=tcp:8080:80", NULL);
        start_web_servers(h, "z0");
        {
                /* nc, not the fixture's static busybox wget, which crashes in its libc's NSS */
                g_autofree char *got = harness_zone_sh(
                        h, "i1", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 10.43.0.1 8080 | tail -n 1");

                g_assert_cmpstr(g_strchomp(got), ==, "z0");
        }
        harness_poweroff_zone(h, "z0");
        harness_poweroff_zone(h, "i1");
        harness_poweroff_zone(h, "i2");
}

/* A switch of the uplink's: "0" or "1", NULL where the kernel has no such switch. */
static char *uplink_sysctl(const char *family, const char *key) {
        g_autofree char *path = g_strdup_printf("/proc/sys/net/%s/conf/" UPLINK_IFNAME "/%s", family, key);
        char *value = NULL;

        if (!g_file_get_contents(path, &value, NULL, NULL))
                return NULL;
        return g_strchomp(value);
}

static void assert_uplink_forwarding(const char *want, bool ipv6) {
        g_autofree char *v4 = uplink_sysctl("ipv4", "forwarding");
        g_autofree char *v6 = uplink_sysctl("ipv6", "force_forwarding");

        g_assert_cmpstr(v4, ==, want);
        if (ipv6)
                g_assert_cmpstr(v6, ==, want);
}

/* Another host: a network namespace behind an uplink of this one, which has the default routes
 * (where zoned's connections from other hosts come in when its file names no Uplinks=). A port
 * forward reaches the zone from there, over either family, because zoned turns the uplink's
 * forwarding on (IPv4 forwards what comes in on an interface whose own switch is on); the switch
 * is back off once no zone forwards a port. */
static void test_uplink(Harness *h, gconstpointer data) {
        g_auto(HostState) before = { 0 };
        g_autofree char *force = NULL;
        bool ipv6;
        Client outside;

        if (harness_skipped(h))
                return;
        netns_start(&outside, UPLINK_IFNAME, NULL,
                    "ip addr add 198.51.100.2/24 dev eth0 && ip addr add 2001:db8:5::2/64 dev eth0 nodad");
        g_free(run_text(
                "the uplink",
                (const char *const[]) {
                        "sh", "-c",
                        "ip link set " UPLINK_IFNAME " up && ip addr add " UPLINK4 "/24 dev " UPLINK_IFNAME
                        " && "
                        "ip addr add " UPLINK6 "/64 dev " UPLINK_IFNAME " nodad && "
                        "ip route add default via 198.51.100.2 && ip -6 route add default via 2001:db8:5::2",
                        NULL }));
        /* Kernels before 6.17 forward IPv6 only with the host-wide switch, which zoned leaves alone. */
        force = uplink_sysctl("ipv6", "force_forwarding");
        ipv6 = force != NULL;
        if (!ipv6)
                g_test_message("no net.ipv6.conf.*.force_forwarding in this kernel: IPv4 only");
        host_state_read(&before);
        assert_uplink_forwarding("0", ipv6);

        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "create", "create", "web", "-t", "bb", "--network=bridge",
                           "--ip=" WEB4 "/24", "--ip=" WEB6 "/64", NULL);
        (void) harness_boot_zone(h, "web");
        start_web_servers(h, "web");
        /* No forward yet: the uplink is as it was. */
        assert_uplink_forwarding("0", ipv6);
        harness_zonectl_ok(h, NULL, "set port", "set", "web", "port=tcp:8080:80", NULL);
        assert_get(&outside, UPLINK4, 8080, "web");
        if (ipv6)
                assert_get(&outside, UPLINK6, 8080, "web");
        assert_uplink_forwarding("1", ipv6);

        harness_zonectl_ok(h, NULL, "unset port", "unset", "web", "port=tcp:8080", NULL);
        assert_uplink_forwarding("0", ipv6);
        assert_get(&outside, UPLINK4, 8080, "closed");

        harness_zonectl_ok(h, NULL, "set port again", "set", "web", "port=tcp:8080:80", NULL);
        assert_get(&outside, UPLINK4, 8080, "web");
        harness_poweroff_zone(h, "web");
        assert_host_as(&before, "after the zone");
        assert_uplink_forwarding("0", ipv6);
        client_stop(&outside);
}

/* ---- the user story, with Debian zones ---- */

/* The zone's servers, in perl (perl-base is in every Debian): HTTP on port 80 and a UDP echo on
 * port 53, both dual-stack, each answering with the zone's name. */
static const char debian_servers[] =
        "use IO::Socket::IP;\n"
        "my $name = `hostname`; chomp $name;\n"
        "if (fork() == 0) {\n"
        "    my $u = IO::Socket::IP->new(LocalHost => '::', LocalPort => 53, Proto => 'udp',\n"
        "                                V6Only => 0) or die \"udp: $@\";\n"
        "    while (defined $u->recv(my $d, 512)) { $u->send(\"$name:$d\"); }\n"
        "    exit 0;\n"
        "}\n"
        "my $s = IO::Socket::IP->new(LocalHost => '::', LocalPort => 80, Listen => 16, ReuseAddr => 1,\n"
        "                            V6Only => 0) or die \"tcp: $@\";\n"
        "while (my $c = $s->accept) {\n"
        "    while (defined(my $l = <$c>)) { last if $l !~ /\\S/; }\n"
        "    print $c \"HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n$name\\n\";\n"
        "    close $c;\n"
        "}\n";

static void start_debian_servers(Harness *h, const char *name) {
        harness_zonectl_ok(h, debian_servers, "the servers' script", "shell", name, "--", "sh", "-c",
                           "cat > /root/servers.pl", NULL);
        g_free(harness_zone_sh(h, name,
                               "setsid -f perl /root/servers.pl </dev/null >/root/servers.log 2>&1"));
        /* Until it listens (port 80, LISTEN, in /proc/net/tcp6), bounded. */
        for (int i = 0;; i++) {
                int status;
                g_autofree char *log = harness_zone_sh_status(
                        h, name,
                        "grep -q ':0050 00000000000000000000000000000000:0000 0A' /proc/net/tcp6 || "
                        "{ cat /root/servers.log; exit 1; }",
                        &status);

                if (status == 0)
                        break;
                if (i >= OPEN_TIMEOUT_SEC * 10)
                        g_error("zone %s: its servers do not listen: %s", name, log);
                g_usleep(100 * 1000);
        }
}

/* One datagram to addr:port and the answer, or "closed" if none comes within the timeout. */
static char *udp_ask(const char *addr, uint16_t port, const char *msg) {
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } u = { 0 };
        socklen_t len;
        char buf[256];
        int fd;

        if (strchr(addr, ':')) {
                u.in6 = (struct sockaddr_in6) { .sin6_family = AF_INET6, .sin6_port = htons(port) };
                g_assert_cmpint(inet_pton(AF_INET6, addr, &u.in6.sin6_addr), ==, 1);
                len = sizeof(u.in6);
        } else {
                u.in = (struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons(port) };
                g_assert_cmpint(inet_pton(AF_INET, addr, &u.in.sin_addr), ==, 1);
                len = sizeof(u.in);
        }
        fd = socket(u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_no_errno(connect(fd, &u.sa, len));
        /* A few tries: the first datagram of a flow may meet a zone whose server is still starting. */
        for (int i = 0; i < OPEN_TIMEOUT_SEC; i++) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                (void) send(fd, msg, strlen(msg), 0);
                if (poll(&p, 1, 1000) == 1 && (n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
                        close(fd);
                        buf[n] = 0;
                        return g_strdup(buf);
                }
        }
        close(fd);
        return g_strdup("closed");
}

static char *zonectl_text(Harness *h, const char *what, const char *const *args) {
        g_auto(HarnessRun) r = { 0 };
        g_autoptr(GPtrArray) argv = g_ptr_array_new();

        for (const char *const *a = args; *a; a++)
                g_ptr_array_add(argv, (char *) *a);
        g_ptr_array_add(argv, NULL);
        harness_zonectl_full(h, &r, &(HarnessSpawn) { .argv = (const char *const *) argv->pdata });
        harness_assert_run(&r, 0, what);
        return g_strdup(r.out);
}

/* Whether zone name gets an answer from an HTTP server at addr (its own perl: Debian's
 * minimal tree has neither ping nor curl). */
static char *zone_http_get(Harness *h, const char *name, const char *addr) {
        g_autofree char *script = g_strdup_printf(
                "perl -MIO::Socket::IP -e '$c = IO::Socket::IP->new(PeerHost => \"%s\", PeerPort => 80, "
                "Timeout => 3) or exit 7; print $c \"GET / HTTP/1.0\\r\\n\\r\\n\"; @l = <$c>; print $l[-1]'",
                addr);
        int status;
        g_autofree char *out = harness_zone_sh_status(h, name, script, &status);

        return status == 0 ? g_strdup(g_strchomp(out)) : g_strdup("closed");
}

/* The story with Debian bookworm zones (systemd inside): bridged zones with addresses
 * from the pool or their own, forwards of both protocols from the host's 127.0.0.1 and ::1,
 * changed and removed live, a zone with loopback only, a zone of a bridge of its own, and
 * `zonectl network`; after them the host as before. */
static void test_debian(Harness *h, gconstpointer data) {
        g_auto(HostState) before = { 0 };
        g_autofree char *web4 = NULL, *web6 = NULL, *iso4 = NULL, *iso6 = NULL, *status = NULL, *out = NULL,
                        *list = NULL;
        const char *rootfs;

        if (harness_skipped(h) ||
            skipped_when_sanitized(
                    "zoned's code paths of the busybox forwards test, with a Debian zone: run in the plain build"))
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;
        host_state_read(&before);
        harness_zonectl_ok(h, NULL, "import-fs", "import-fs", rootfs, "deb", NULL);

        harness_zonectl_ok(h, NULL, "create web", "create", "web", "-t", "deb", "--network=bridge", NULL);
        (void) harness_boot_zone(h, "web");
        zone_addresses(h, "web", &web4, &web6);
        g_assert_true(g_str_has_prefix(web4, "10.42.0."));
        g_assert_true(g_str_has_prefix(web6, "fd42:7a6f:6e65::"));
        status = zonectl_text(h, "status web", (const char *const[]) { "status", "web", NULL });
        g_assert_nonnull(strstr(status, web4));
        g_assert_nonnull(strstr(status, web6));
        start_debian_servers(h, "web");

        harness_zonectl_ok(h, NULL, "set ports", "set", "web", "port=tcp:8080:80", "port=udp:5353:53", NULL);
        assert_get(NULL, "127.0.0.1", 8080, "web");
        assert_get(NULL, "::1", 8080, "web");
        out = udp_ask("127.0.0.1", 5353, "q4");
        g_assert_cmpstr(out, ==, "web:q4");
        g_free(out);
        out = udp_ask("::1", 5353, "q6");
        g_assert_cmpstr(out, ==, "web:q6");
        g_clear_pointer(&out, g_free);
        harness_zonectl_ok(h, NULL, "unset tcp", "unset", "web", "port=tcp:8080", NULL);
        assert_get(NULL, "127.0.0.1", 8080, "closed");
        assert_get(NULL, "::1", 8080, "closed");
        out = udp_ask("127.0.0.1", 5353, "again");
        g_assert_cmpstr(out, ==, "web:again");
        g_clear_pointer(&out, g_free);

        /* An address of its own; the zones reach each other on the bridge. */
        harness_zonectl_ok(h, NULL, "create db", "create", "db", "-t", "deb", "--network=bridge",
                           "--ip=10.42.0.20/24", NULL);
        (void) harness_boot_zone(h, "db");
        g_free(status);
        status = zonectl_text(h, "status db", (const char *const[]) { "status", "db", NULL });
        g_assert_nonnull(strstr(status, "10.42.0.20"));
        out = zone_http_get(h, "db", web4);
        g_assert_cmpstr(out, ==, "web");
        g_clear_pointer(&out, g_free);

        /* Loopback only. */
        harness_zonectl_ok(h, NULL, "create lab", "create", "lab", "-t", "deb", "--network=none", NULL);
        (void) harness_boot_zone(h, "lab");
        out = harness_zone_sh(h, "lab", "ls /sys/class/net");
        g_assert_cmpstr(out, ==, "lo");
        g_clear_pointer(&out, g_free);

        /* A bridge of its own: another network, and web is not reachable from there but through
         * its forward. */
        harness_zonectl_ok(h, NULL, "create iso", "create", "iso", "-t", "deb", "--network=bridge:lab",
                           NULL);
        (void) harness_boot_zone(h, "iso");
        zone_addresses(h, "iso", &iso4, &iso6);
        g_assert_false(g_str_has_prefix(iso4, "10.42.0."));
        out = zone_http_get(h, "iso", web4);
        g_assert_cmpstr(out, ==, "closed");
        g_clear_pointer(&out, g_free);

        list = zonectl_text(h, "network", (const char *const[]) { "network", NULL });
        g_test_message("zonectl network:\n%s", list);
        for (const char *const *w = (const char *const[]) { "zbr0", "lab", "vz-web", "vz-db", "vz-iso",
                                                            "inet zoned", "bridge zoned", "udp:5353", NULL };
             *w; w++)
                if (!strstr(list, *w))
                        g_error("zonectl network does not name %s:\n%s", *w, list);
        g_assert_null(strstr(list, "vz-lab"));

        for (const char *const *z = (const char *const[]) { "web", "db", "lab", "iso", NULL }; *z; z++)
                harness_poweroff_zone(h, *z);
        assert_host_as(&before, "after the Debian zones");
}

int main(int argc, char *argv[]) {
        harness_private_network();
        harness_init(&argc, &argv);
        HARNESS_TEST("/net-forward/forwards", test_forwards, HARNESS_ZONECTL);
        HARNESS_TEST("/net-forward/uplink", test_uplink, HARNESS_ZONECTL);
        HARNESS_TEST("/net-forward/killed", test_killed, HARNESS_ZONECTL);
        HARNESS_TEST("/net-forward/spoofing", test_spoofing, HARNESS_ZONECTL);
        HARNESS_TEST("/net-forward/isolated", test_isolated, HARNESS_ZONECTL);
        HARNESS_TEST("/net-forward/debian", test_debian, HARNESS_ZONECTL);
        return g_test_run();
}
