/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The [::1] proxy of a zone's port forwards is its supervisor's: it serves a real zone's
 * forwards while zoned is killed (SIGKILL) and started again, and ends with the zone. The test
 * runs in a network namespace of its own, and with it the fixture's zoned and the zone's
 * supervisor; a server of the test on [::1] stands in for the zone's address (the zone's network
 * is another part's), and the forwards are sent to the supervisor's control socket as zoned
 * sends them (COMMAND=ports). */

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

#define HOST_PORT 8080
#define ZONE_PORT 9080
#define WAIT_MS 30000

static bool own_netns;

static int tcp6_socket(void) {
        struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
        int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_assert_no_errno(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
        return fd;
}

static struct sockaddr_in6 loopback(uint16_t port) {
        return (struct sockaddr_in6) { .sin6_family = AF_INET6,
                                       .sin6_port = htons(port),
                                       .sin6_addr = IN6ADDR_LOOPBACK_INIT };
}

/* Echoes one connection at a time: the test holds one while it opens another, so a thread each. */
static gpointer echo_connection(gpointer data) {
        int fd = GPOINTER_TO_INT(data);
        char buf[1024];
        ssize_t n;

        while ((n = read(fd, buf, sizeof(buf))) > 0)
                if (write(fd, buf, (size_t) n) != n)
                        break;
        close(fd);
        return NULL;
}

static gpointer echo_server(gpointer data) {
        for (;;) {
                int fd = accept4(GPOINTER_TO_INT(data), NULL, NULL, SOCK_CLOEXEC);

                if (fd < 0)
                        return NULL;
                g_thread_unref(g_thread_new("echo", echo_connection, GINT_TO_POINTER(fd)));
        }
}

static int start_echo_server(void) {
        struct sockaddr_in6 sa = loopback(ZONE_PORT);
        int fd = tcp6_socket(), one = 1;

        g_assert_no_errno(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
        g_assert_no_errno(bind(fd, (struct sockaddr *) &sa, sizeof(sa)));
        g_assert_no_errno(listen(fd, 16));
        g_thread_unref(g_thread_new("echo-server", echo_server, GINT_TO_POINTER(fd)));
        return fd;
}

/* A connection through the forward, or -errno. */
static int connect_forward(void) {
        struct sockaddr_in6 sa = loopback(HOST_PORT);
        int fd = tcp6_socket();

        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

static void echo_check(int fd, const char *text) {
        char buf[256];
        size_t got = 0;

        g_assert_cmpint(write(fd, text, strlen(text)), ==, (ssize_t) strlen(text));
        while (got < strlen(text)) {
                ssize_t n = read(fd, buf + got, sizeof(buf) - got);

                g_assert_cmpint(n, >, 0);
                got += (size_t) n;
        }
        g_assert_cmpmem(buf, got, text, strlen(text));
}

/* Sends COMMAND=ports to the zone's supervisor as zoned would, and waits for its answer. */
static void send_ports(Harness *h, const char *zone, const char *lines) {
        g_autofree char *path = g_build_filename(h->runtime_dir, "zones", zone, "control", NULL);
        g_autofree char *msg = g_strdup_printf("COMMAND=ports\n%s", lines);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
        g_assert_no_errno(connect(fd, (struct sockaddr *) &sa, sizeof(sa)));
        g_assert_cmpint(send(fd, msg, strlen(msg), MSG_NOSIGNAL), ==, (ssize_t) strlen(msg));
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[4097];
                ssize_t n;

                g_assert_cmpint(poll(&p, 1, WAIT_MS), ==, 1);
                n = recv(fd, buf, sizeof(buf) - 1, 0);
                g_assert_cmpint(n, >, 0);
                buf[n] = 0;
                /* Snapshots come first; then the answer. */
                if (g_str_has_prefix(buf, "RESULT=")) {
                        g_assert_cmpstr(buf, ==, "RESULT=0\n");
                        break;
                }
        }
        close(fd);
}

static void test_survives_zoned(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL;
        int server, held, fd;

        if (harness_skipped(h))
                return;
        if (!own_netns) {
                g_test_skip("no network namespace of our own (unshare(CLONE_NEWNET) failed)");
                return;
        }
        server = start_echo_server();
        harness_import_busybox(h);
        path = harness_create_zone(h, "px", "bb", false);
        (void) harness_boot_zone(h, "px");

        /* The forwards and the zone's address, as zoned sends them to a running zone. */
        send_ports(h, "px", "PORT=tcp:8080:9080\nADDRESS=::1/128\n");
        held = connect_forward();
        g_assert_cmpint(held, >=, 0);
        echo_check(held, "with zoned");

        /* Without zoned: the open connection goes on, and new ones are served. */
        harness_stop_zoned(h, SIGKILL);
        echo_check(held, "without zoned");
        fd = connect_forward();
        g_assert_cmpint(fd, >=, 0);
        echo_check(fd, "a new one without zoned");
        close(fd);

        harness_start_zoned(h);
        echo_check(held, "with the next zoned");
        close(held);

        /* The forward ends with the zone's supervisor, which exits just after the zone is
         * announced stopped: wait for it (bounded), and for the listener to be gone. */
        harness_poweroff_zone(h, "px");
        for (guint waited = 0; waited < WAIT_MS; waited += 50) {
                fd = connect_forward();
                if (fd < 0)
                        break;
                close(fd);
                g_usleep(50 * 1000);
        }
        g_assert_cmpint(fd, ==, -ECONNREFUSED);
        shutdown(server, SHUT_RDWR);
        close(server);
}

static bool lo_up(void) {
        struct ifreq ifr = {};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bool ok;

        g_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
        ok = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
        ifr.ifr_flags |= IFF_UP;
        ok = ok && ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
        if (fd >= 0)
                close(fd);
        return ok;
}

int main(int argc, char *argv[]) {
        /* Before anything starts: zoned, its supervisors and the bus inherit the namespace. */
        own_netns = geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && lo_up();
        harness_private_network();
        harness_init(&argc, &argv);
        HARNESS_TEST("/localhost-proxy/survives-zoned", test_survives_zoned, HARNESS_DEFAULT);
        return g_test_run();
}
