/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's [::1] proxy of a zone's port forwards, by real traffic: a supervisor made
 * from a launch plan (supervisor_new(), the real control socket, no zone booted) runs in a
 * child process, in a network namespace the test made; servers of the test on [::1] or
 * 127.0.0.1 stand in for the zone. TCP both ways with half-close, UDP, COMMAND=ports moving the
 * forwards, the connection cap, a taken port. The child frees everything and exits, so that
 * ASan's leak check runs in it. */

/* macro.h first: glib.h then replaces its MIN/MAX with equivalent ones instead of clashing. */
#include "macro.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "control-proto.h"
#include "rlimit-util.h"
#include "supervisor.h"

/* Host ports (the forwards) and the "zone's" ports (the test's servers). */
#define H_EXCHANGE 8001
#define H_ECHO 8002
#define H_UDP 8003
#define H_TAKEN 8004
#define H_REMOVED 8005
#define H_ADDED 8006
#define H_V4 8007
#define Z_EXCHANGE 9001
#define Z_ECHO 9002
#define Z_UDP 9003
#define Z_V4 9007

#define UP_BYTES (4U * 1024U * 1024U)
#define DOWN_BYTES (3U * 1024U * 1024U)
#define WAIT_MS 30000

static char *tmpdir;
static pid_t child;
static int control = -EBADF; /* our end of the supervisor's control socket */
static int quit_pipe = -EBADF;
static int taken = -EBADF; /* holds [::1]:H_TAKEN while the supervisor starts */
static char *first_snapshot;

static uint8_t pattern(uint32_t seed, size_t i) {
        return (uint8_t) ((i * 2654435761U) >> 13 ^ seed ^ (i >> 16));
}

static int server_socket(int type, const char *addr, uint16_t port) {
        struct sockaddr_storage ss = {};
        socklen_t len;
        int fd, one = 1;

        if (strchr(addr, ':')) {
                struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &ss;

                sa->sin6_family = AF_INET6;
                sa->sin6_port = htons(port);
                g_assert_cmpint(inet_pton(AF_INET6, addr, &sa->sin6_addr), ==, 1);
                len = sizeof(*sa);
        } else {
                struct sockaddr_in *sa = (struct sockaddr_in *) &ss;

                sa->sin_family = AF_INET;
                sa->sin_port = htons(port);
                g_assert_cmpint(inet_pton(AF_INET, addr, &sa->sin_addr), ==, 1);
                len = sizeof(*sa);
        }
        fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        if (ss.ss_family == AF_INET6)
                g_assert_cmpint(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), ==, 0);
        g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), ==, 0);
        g_assert_cmpint(bind(fd, (struct sockaddr *) &ss, len), ==, 0);
        if (type == SOCK_STREAM)
                g_assert_cmpint(listen(fd, 512), ==, 0);
        return fd;
}

/* The connection to [::1]:port, or -errno. */
static int connect_to(const char *addr, uint16_t port) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
        struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
        int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(inet_pton(AF_INET6, addr, &sa.sin6_addr), ==, 1);
        /* A relay that loses an EOF or data fails the test instead of hanging it. */
        g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), ==, 0);
        g_assert_cmpint(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), ==, 0);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Blocking, with the socket's SO_SNDTIMEO: a relay that stops reading fails the test. */
static void write_all(int fd, const void *buf, size_t n) {
        for (size_t off = 0; off < n;) {
                ssize_t k = write(fd, (const uint8_t *) buf + off, n - off);

                if (k < 0 && errno == EINTR)
                        continue;
                g_assert_cmpint(k, >, 0);
                off += (size_t) k;
        }
}

/* Waits for fd to be readable: a bounded wait, never a timing assertion. */
static void wait_readable(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN };

        g_assert_cmpint(poll(&p, 1, WAIT_MS), ==, 1);
}

/* ---- the stand-ins for the zone ---- */

/* Reads UP_BYTES of pattern 1 up to the client's EOF (its half-close, passed on by the proxy),
 * then sends DOWN_BYTES of pattern 2 and closes: one connection at a time. */
static gpointer exchange_server(gpointer data) {
        int lfd = GPOINTER_TO_INT(data);

        for (;;) {
                uint8_t buf[65536];
                size_t got = 0;
                bool ok = true;
                int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
                ssize_t n;

                if (fd < 0)
                        return NULL;
                while ((n = read(fd, buf, sizeof(buf))) > 0) {
                        for (ssize_t i = 0; i < n; i++)
                                ok = ok && buf[i] == pattern(1, got + (size_t) i);
                        got += (size_t) n;
                }
                if (ok && got == UP_BYTES)
                        for (size_t off = 0; off < DOWN_BYTES; off += sizeof(buf)) {
                                size_t k = MIN(sizeof(buf), DOWN_BYTES - off);

                                for (size_t i = 0; i < k; i++)
                                        buf[i] = pattern(2, off + i);
                                if (loop_write(fd, buf, k) < 0)
                                        break;
                        }
                close(fd);
        }
}

/* Echoes every connection, many at once (the cap test holds hundreds). */
static gpointer echo_server(gpointer data) {
        struct pollfd *p = g_new0(struct pollfd, 1024);
        nfds_t n = 1;

        p[0] = (struct pollfd) { .fd = GPOINTER_TO_INT(data), .events = POLLIN };
        for (;;) {
                g_assert_cmpint(poll(p, n, -1), >, 0);
                for (nfds_t i = n; i-- > 1;) {
                        char buf[4096];
                        ssize_t k;

                        if (!p[i].revents)
                                continue;
                        k = read(p[i].fd, buf, sizeof(buf));
                        if (k > 0 && loop_write(p[i].fd, buf, (size_t) k) >= 0)
                                continue;
                        close(p[i].fd);
                        p[i] = p[--n];
                }
                if (p[0].revents && n < 1024) {
                        int fd = accept4(p[0].fd, NULL, NULL, SOCK_CLOEXEC);

                        if (fd >= 0)
                                p[n++] = (struct pollfd) { .fd = fd, .events = POLLIN };
                }
        }
        return NULL;
}

/* Answers every datagram with "re:" and the datagram. */
static gpointer udp_server(gpointer data) {
        int fd = GPOINTER_TO_INT(data);

        for (;;) {
                struct sockaddr_storage from;
                socklen_t len = sizeof(from);
                char buf[1024] = "re:";
                ssize_t n = recvfrom(fd, buf + 3, sizeof(buf) - 3, 0, (struct sockaddr *) &from, &len);

                if (n >= 0)
                        (void) sendto(fd, buf, (size_t) n + 3, 0, (struct sockaddr *) &from, len);
        }
        return NULL;
}

/* ---- the supervisor ---- */

static int on_quit(EventSource *s, int fd, uint32_t revents, void *userdata) {
        event_loop_exit(userdata, 0);
        return 0;
}

static _noreturn_ void run_supervisor(const char *plan, int control_fd, int quit_fd) {
        ZonePrepared prepared = ZONE_PREPARED_NULL;
        EventSource *quit = NULL;
        Supervisor *s = NULL;

        if (supervisor_new(plan, control_fd, &prepared, &s) < 0)
                exit(EXIT_FAILURE);
        if (event_add_io(s->loop, quit_fd, EPOLLIN, on_quit, s->loop, &quit) < 0)
                exit(EXIT_FAILURE);
        (void) event_loop_run(s->loop);
        event_source_free(quit);
        supervisor_free(s);
        exit(EXIT_SUCCESS);
}

static char *recv_message(void) {
        char buf[CONTROL_MESSAGE_MAX + 1];
        ssize_t n;

        wait_readable(control);
        n = recv(control, buf, sizeof(buf) - 1, 0);
        g_assert_cmpint(n, >, 0);
        return g_strndup(buf, (size_t) n);
}

/* Sends a command; returns its RESULT=, *ret_snapshot the snapshot that came before it. */
static int command(const char *msg, char **ret_snapshot, char **ret_status) {
        g_autofree char *snapshot = NULL;

        g_assert_cmpint(send(control, msg, strlen(msg), MSG_NOSIGNAL), ==, (ssize_t) strlen(msg));
        for (;;) {
                g_autofree char *m = recv_message();
                _cleanup_free_ char *result = NULL;

                if (control_message_get(m, strlen(m), "RESULT", &result) < 0) {
                        g_free(snapshot);
                        snapshot = g_steal_pointer(&m);
                        continue;
                }
                if (ret_status && control_message_get(m, strlen(m), "STATUS", ret_status) < 0)
                        *ret_status = NULL;
                if (ret_snapshot)
                        *ret_snapshot = g_steal_pointer(&snapshot);
                return atoi(result);
        }
}

static unsigned child_fds(void) {
        g_autofree char *path = g_strdup_printf("/proc/%i/fd", (int) child);
        _cleanup_closedir_ DIR *d = opendir(path);
        unsigned n = 0;

        g_assert_nonnull(d);
        while (readdir(d))
                n++;
        return n - 2;
}

/* The inode of the TCP socket listening on [::1]:port (our network namespace's), 0 if none. */
static unsigned long listener_inode(uint16_t port) {
        g_autofree char *text = NULL,
                        *local = g_strdup_printf("00000000000000000000000001000000:%04X", port);
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents("/proc/net/tcp6", &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines + 1; *l; l++) {
                g_auto(GStrv) f = g_strsplit_set(g_strstrip(*l), " ", -1);
                char *col[10];
                unsigned n = 0;

                for (char **i = f; *i && n < ELEMENTSOF(col); i++)
                        if (**i)
                                col[n++] = *i;
                /* sl local remote st tx:rx tr:when retr uid timeout inode */
                if (n == ELEMENTSOF(col) && streq(col[1], local) && streq(col[3], "0A"))
                        return strtoul(col[9], NULL, 10);
        }
        return 0;
}

static void lo_up(void) {
        struct ifreq ifr = {};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        g_assert_cmpint(fd, >=, 0);
        g_strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
        g_assert_cmpint(ioctl(fd, SIOCGIFFLAGS, &ifr), ==, 0);
        ifr.ifr_flags |= IFF_UP;
        g_assert_cmpint(ioctl(fd, SIOCSIFFLAGS, &ifr), ==, 0);
        close(fd);
}

static void start_servers(void) {
        g_thread_unref(g_thread_new("exchange", exchange_server,
                                    GINT_TO_POINTER(server_socket(SOCK_STREAM, "::1", Z_EXCHANGE))));
        g_thread_unref(g_thread_new("echo", echo_server,
                                    GINT_TO_POINTER(server_socket(SOCK_STREAM, "::1", Z_ECHO))));
        g_thread_unref(
                g_thread_new("udp", udp_server, GINT_TO_POINTER(server_socket(SOCK_DGRAM, "::1", Z_UDP))));
        /* Reached only through the zone's IPv4 address. */
        g_thread_unref(g_thread_new("echo4", echo_server,
                                    GINT_TO_POINTER(server_socket(SOCK_STREAM, "127.0.0.1", Z_V4))));
}

static void start_supervisor(void) {
        g_autofree char *plan = g_build_filename(tmpdir, "plan", NULL);
        g_autofree char *text = NULL;
        int pair[2], quit[2];

        /* The zone's address is ::1 here: the servers stand in for it. */
        text = g_strdup_printf(
                "name=px\nroot_mode=directory\nrootfs=/nonexistent\nruntime_dir=%s/run\ncgroup=zoned-test/px\n"
                "init_arg=/sbin/init\nnetwork_address=127.0.0.1/8\nnetwork_address=::1/128\n"
                "network_port=tcp:%u:%u\nnetwork_port=tcp:%u:%u\nnetwork_port=udp:%u:%u\n"
                "network_port=tcp:%u:%u\nnetwork_port=tcp:%u:%u\n",
                tmpdir, H_EXCHANGE, Z_EXCHANGE, H_ECHO, Z_ECHO, H_UDP, Z_UDP, H_TAKEN, Z_ECHO, H_REMOVED,
                Z_ECHO);
        g_assert_true(g_file_set_contents(plan, text, -1, NULL));
        taken = server_socket(SOCK_STREAM, "::1", H_TAKEN);
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), ==, 0);
        g_assert_cmpint(pipe2(quit, O_CLOEXEC), ==, 0);
        child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                close(pair[0]);
                close(quit[1]);
                close(taken);
                run_supervisor(plan, pair[1], quit[0]);
        }
        close(pair[1]);
        close(quit[0]);
        control = pair[0];
        quit_pipe = quit[1];
        first_snapshot = recv_message();
}

static int stop_supervisor(void) {
        int status;

        quit_pipe = safe_close(quit_pipe);
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        control = safe_close(control);
        return status;
}

/* ---- the tests ---- */

static bool skip(void) {
        if (child > 0)
                return false;
        g_test_skip("needs root (a network namespace of its own)");
        return true;
}

static void exchange(uint16_t port) {
        g_autofree uint8_t *buf = g_malloc(UP_BYTES);
        size_t got = 0;
        ssize_t n;
        int fd;

        fd = connect_to("::1", port);
        g_assert_cmpint(fd, >=, 0);
        for (size_t i = 0; i < UP_BYTES; i++)
                buf[i] = pattern(1, i);
        /* The server reads all before it writes: no need to read while writing. */
        write_all(fd, buf, UP_BYTES);
        g_assert_cmpint(shutdown(fd, SHUT_WR), ==, 0);
        while ((n = read(fd, buf + got, UP_BYTES - got)) > 0)
                got += (size_t) n;
        g_assert_cmpint(n, ==, 0);
        /* All of it: the server saw our EOF after all of ours, and sent its own after. */
        g_assert_cmpuint(got, ==, DOWN_BYTES);
        for (size_t i = 0; i < got; i++)
                if (buf[i] != pattern(2, i))
                        g_error("byte %zu differs", i);
        close(fd);
}

static void test_tcp(void) {
        if (skip())
                return;
        exchange(H_EXCHANGE);
        exchange(H_EXCHANGE);
}

static void echo_check(int fd, const char *text) {
        char buf[256];
        size_t got = 0;

        write_all(fd, text, strlen(text));
        while (got < strlen(text)) {
                ssize_t n;

                wait_readable(fd);
                n = read(fd, buf + got, sizeof(buf) - got);
                g_assert_cmpint(n, >, 0);
                got += (size_t) n;
        }
        g_assert_cmpmem(buf, got, text, strlen(text));
}

static void test_udp(void) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
                                   .sin6_port = htons(H_UDP),
                                   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
        int a, b;

        if (skip())
                return;
        a = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        b = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(a, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        g_assert_cmpint(connect(b, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);
        /* Each client gets its own replies, also when they interleave. */
        for (int i = 0; i < 3; i++) {
                g_autofree char *qa = g_strdup_printf("a%i", i), *qb = g_strdup_printf("b%i", i);
                g_autofree char *ra = g_strdup_printf("re:a%i", i), *rb = g_strdup_printf("re:b%i", i);
                char buf[64];
                ssize_t n;

                g_assert_cmpint(send(a, qa, strlen(qa), 0), ==, (ssize_t) strlen(qa));
                g_assert_cmpint(send(b, qb, strlen(qb), 0), ==, (ssize_t) strlen(qb));
                wait_readable(b);
                n = recv(b, buf, sizeof(buf), 0);
                g_assert_cmpmem(buf, n, rb, strlen(rb));
                wait_readable(a);
                n = recv(a, buf, sizeof(buf), 0);
                g_assert_cmpmem(buf, n, ra, strlen(ra));
        }
        close(a);
        close(b);
}

static void test_taken(void) {
        g_autofree char *snapshot = NULL, *msg = NULL;
        g_autofree char *line = g_strdup_printf("PORTERROR=tcp:%u:%u Address already in use\n", H_TAKEN,
                                                Z_ECHO);
        int fd;

        if (skip())
                return;
        /* Named in the snapshot; the others work (test_tcp). */
        g_assert_nonnull(strstr(first_snapshot, line));
        g_assert_nonnull(strstr(first_snapshot, "STATE=starting\n"));
        /* Once free, the next ports command takes it. */
        taken = safe_close(taken);
        msg = g_strdup_printf("COMMAND=ports\nPORT=tcp:%u:%u\nPORT=tcp:%u:%u\nPORT=udp:%u:%u\n"
                              "PORT=tcp:%u:%u\nPORT=tcp:%u:%u\n",
                              H_EXCHANGE, Z_EXCHANGE, H_ECHO, Z_ECHO, H_UDP, Z_UDP, H_TAKEN, Z_ECHO,
                              H_REMOVED, Z_ECHO);
        g_assert_cmpint(command(msg, &snapshot, NULL), ==, 0);
        g_assert_nonnull(snapshot);
        g_assert_null(strstr(snapshot, "PORTERROR="));
        fd = connect_to("::1", H_TAKEN);
        g_assert_cmpint(fd, >=, 0);
        echo_check(fd, "taken no more");
        close(fd);
}

static void test_change(void) {
        g_autofree char *msg = NULL, *snapshot = NULL;
        int kept, removed, added;
        unsigned long inode;

        if (skip())
                return;
        kept = connect_to("::1", H_ECHO);
        removed = connect_to("::1", H_REMOVED);
        g_assert_cmpint(kept, >=, 0);
        g_assert_cmpint(removed, >=, 0);
        echo_check(kept, "before");
        echo_check(removed, "before");
        inode = listener_inode(H_ECHO);
        g_assert_cmpuint(inode, !=, 0);
        g_assert_cmpuint(listener_inode(H_REMOVED), !=, 0);

        /* H_REMOVED goes, H_ADDED comes, H_ECHO stays. */
        msg = g_strdup_printf(
                "COMMAND=ports\nPORT=tcp:%u:%u\nPORT=tcp:%u:%u\nPORT=udp:%u:%u\nPORT=tcp:%u:%u\n",
                H_EXCHANGE, Z_EXCHANGE, H_ECHO, Z_ECHO, H_UDP, Z_UDP, H_ADDED, Z_ECHO);
        g_assert_cmpint(command(msg, &snapshot, NULL), ==, 0);
        g_assert_cmpint(connect_to("::1", H_REMOVED), ==, -ECONNREFUSED);
        g_assert_cmpuint(listener_inode(H_REMOVED), ==, 0);
        /* Not closed and opened again: the same socket. */
        g_assert_cmpuint(listener_inode(H_ECHO), ==, inode);
        added = connect_to("::1", H_ADDED);
        g_assert_cmpint(added, >=, 0);
        echo_check(added, "new forward");
        /* Open connections survive: the kept forward's, and the removed one's may finish. */
        echo_check(kept, "after");
        echo_check(removed, "still finishing");
        close(kept);
        close(removed);
        close(added);
        exchange(H_EXCHANGE);
}

static void test_ipv4(void) {
        g_autofree char *msg = NULL;
        int fd;

        if (skip())
                return;
        /* An IPv4 address only: the forward goes there (the server listens on 127.0.0.1 alone). */
        msg = g_strdup_printf("COMMAND=ports\nPORT=tcp:%u:%u\nPORT=tcp:%u:%u\nADDRESS=127.0.0.1/8\n", H_V4,
                              Z_V4, H_ECHO, Z_ECHO);
        g_assert_cmpint(command(msg, NULL, NULL), ==, 0);
        fd = connect_to("::1", H_V4);
        g_assert_cmpint(fd, >=, 0);
        echo_check(fd, "over IPv4");
        close(fd);
        /* IPv6 first when there is one. */
        g_free(msg);
        msg = g_strdup_printf("COMMAND=ports\nPORT=tcp:%u:%u\nPORT=tcp:%u:%u\nPORT=udp:%u:%u\n"
                              "ADDRESS=127.0.0.1/8\nADDRESS=::1/128\n",
                              H_EXCHANGE, Z_EXCHANGE, H_ECHO, Z_ECHO, H_UDP, Z_UDP);
        g_assert_cmpint(command(msg, NULL, NULL), ==, 0);
        exchange(H_EXCHANGE);
}

static void test_invalid(void) {
        static const char *const bad[] = {
                "COMMAND=ports\nPORT=tcp:0:80\n",
                "COMMAND=ports\nPORT=sctp:80\n",
                "COMMAND=ports\nPORT=tcp:8001:1\nPORT=tcp:8001:2\n",
                "COMMAND=ports\nPORT=tcp:8010\nADDRESS=zone.example\n",
        };

        if (skip())
                return;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *status = NULL;

                g_assert_cmpint(command(bad[i], NULL, &status), ==, -EINVAL);
                g_assert_nonnull(status);
                g_test_message("%s", status);
        }
        /* Nothing changed. */
        g_assert_cmpint(connect_to("::1", 8010), ==, -ECONNREFUSED);
        exchange(H_EXCHANGE);
}

#define CLIENTS (PORT_PROXY_MAX_PER_FORWARD + 40)

static void test_cap(void) {
        int fds[CLIENTS], base, fd;

        if (skip())
                return;
        base = (int) child_fds();
        /* The kernel completes the handshakes of those over the cap (the listen backlog): they
         * wait there, unaccepted, until a slot is free. */
        for (unsigned i = 0; i < CLIENTS; i++) {
                fds[i] = connect_to("::1", H_ECHO);
                g_assert_cmpint(fds[i], >=, 0);
        }
        echo_check(fds[0], "first");
        echo_check(fds[PORT_PROXY_MAX_PER_FORWARD - 1], "last within the cap");
        /* The supervisor holds two descriptors per relay, and no more relays than the cap. */
        g_assert_cmpint(child_fds(), <=, base + 2 * (int) PORT_PROXY_MAX_PER_FORWARD);
        /* It still answers, and serves the other forwards. */
        g_assert_cmpint(
                command("COMMAND=ports\nPORT=tcp:8001:9001\nPORT=tcp:8002:9002\nPORT=udp:8003:9003\n", NULL,
                        NULL),
                ==, 0);
        exchange(H_EXCHANGE);
        /* Free slots serve those that waited. */
        for (unsigned i = 0; i < 50; i++)
                close(fds[i]);
        echo_check(fds[CLIENTS - 1], "waited");
        for (unsigned i = 50; i < CLIENTS; i++)
                close(fds[i]);
        /* And all go again: the descriptors come back (bounded wait). */
        for (int tries = 0; (int) child_fds() > base && tries < WAIT_MS / 10; tries++)
                g_usleep(10000);
        g_assert_cmpint(child_fds(), <=, base);
        fd = connect_to("::1", H_ECHO);
        echo_check(fd, "after the flood");
        close(fd);
}

/* ---- the proxy alone, on a loop of the test ---- */

typedef struct LoopWait {
        EventLoop *loop;
        PortProxy *proxy;
        unsigned relays; /* ticks until the proxy has this many */
        unsigned ticks;
} LoopWait;

static int on_readable(EventSource *s, int fd, uint32_t revents, void *userdata) {
        event_loop_exit(userdata, 0);
        return 0;
}

static int on_tick(EventSource *s, int fd, uint32_t revents, void *userdata) {
        LoopWait *w = userdata;
        uint64_t expirations;

        (void) !read(fd, &expirations, sizeof(expirations));
        if (port_proxy_relays(w->proxy) == w->relays || ++w->ticks > WAIT_MS / 10)
                event_loop_exit(w->loop, 0);
        else
                g_assert_cmpint(event_timer_arm(s, 10 * USEC_PER_MSEC), ==, 0);
        return 0;
}

/* Runs the loop until fd has a datagram (bounded by the test's timeout). */
static void run_until_readable(EventLoop *loop, int fd) {
        EventSource *s = NULL;

        g_assert_cmpint(event_add_io(loop, dup(fd), EPOLLIN, on_readable, loop, &s), ==, 0);
        g_assert_cmpint(event_loop_run(loop), ==, 0);
        event_source_free(s);
}

static void udp_ask(EventLoop *loop, int fd, const char *q) {
        g_autofree char *want = g_strdup_printf("re:%s", q);
        char buf[64];
        ssize_t n;

        g_assert_cmpint(send(fd, q, strlen(q), 0), ==, (ssize_t) strlen(q));
        run_until_readable(loop, fd);
        n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        g_assert_cmpmem(buf, n, want, strlen(want));
}

static void test_udp_idle(void) {
        char *forwards[] = { (char *) "udp:8030:9003", NULL }, *addresses[] = { (char *) "::1/128", NULL };
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
                                   .sin6_port = htons(8030),
                                   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
        _cleanup_(event_loop_freep) EventLoop *loop = NULL;
        _cleanup_(port_proxy_freep) PortProxy *p = NULL;
        LoopWait w = {};
        EventSource *tick = NULL;
        const char *bad = NULL;
        int fd;

        if (skip())
                return;
        g_assert_cmpint(event_loop_new(&loop), ==, 0);
        g_assert_cmpint(port_proxy_new(loop, "idle", &p), ==, 0);
        port_proxy_set_udp_idle(p, 100 * USEC_PER_MSEC);
        g_assert_cmpint(port_proxy_set_zone_address(p, addresses), ==, 0);
        g_assert_cmpint(port_proxy_set_forwards(p, forwards, &bad), ==, 0);
        fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), ==, 0);

        udp_ask(loop, fd, "one");
        udp_ask(loop, fd, "two");
        g_assert_cmpuint(port_proxy_relays(p), ==, 1);
        /* Idle: forgotten (a bounded wait); the next datagram makes a new flow. */
        w = (LoopWait) { .loop = loop, .proxy = p, .relays = 0 };
        g_assert_cmpint(event_add_timer(loop, 10 * USEC_PER_MSEC, on_tick, &w, &tick), ==, 0);
        g_assert_cmpint(event_loop_run(loop), ==, 0);
        event_source_free(tick);
        g_assert_cmpuint(port_proxy_relays(p), ==, 0);
        udp_ask(loop, fd, "three");
        g_assert_cmpuint(port_proxy_relays(p), ==, 1);
        close(fd);
}

/* A zone on the host's network has the host's ports: none is taken from it. */
static void test_host_network(void) {
        g_autofree char *plan = g_build_filename(tmpdir, "plan-host", NULL);
        g_autofree char *text = NULL;
        _cleanup_free_ char *status = NULL;
        ZonePrepared prepared = ZONE_PREPARED_NULL;
        const char *msg = "COMMAND=ports\nPORT=tcp:8020\n";
        Supervisor *s = NULL;

        if (skip())
                return;
        text = g_strdup_printf(
                "name=hostnet\nroot_mode=directory\nrootfs=/nonexistent\nruntime_dir=%s/run-host\n"
                "cgroup=zoned-test/hostnet\ninit_arg=/sbin/init\nnetwork_mode=host\n"
                "network_port=tcp:8020\n",
                tmpdir);
        g_assert_true(g_file_set_contents(plan, text, -1, NULL));
        g_assert_cmpint(supervisor_new(plan, -EBADF, &prepared, &s), ==, 0);
        g_assert_cmpuint(listener_inode(8020), ==, 0);
        g_assert_cmpint(control_handle_message(s, msg, strlen(msg), &status), ==, -EOPNOTSUPP);
        g_assert_nonnull(status);
        g_assert_cmpuint(listener_inode(8020), ==, 0);
        supervisor_free(s);
}

int main(int argc, char *argv[]) {
        int r, status;

        g_test_init(&argc, &argv, NULL);
        signal(SIGPIPE, SIG_IGN);
        if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0) {
                tmpdir = g_dir_make_tmp("test-port-proxy-XXXXXX", NULL);
                g_assert_nonnull(tmpdir);
                (void) rlimit_nofile_bump();
                lo_up();
                /* The supervisor first: a fork() of a process with threads leaves locks behind. */
                start_supervisor();
                start_servers();
        }
        g_test_add_func("/port-proxy/tcp", test_tcp);
        g_test_add_func("/port-proxy/udp", test_udp);
        g_test_add_func("/port-proxy/taken", test_taken);
        g_test_add_func("/port-proxy/change", test_change);
        g_test_add_func("/port-proxy/ipv4", test_ipv4);
        g_test_add_func("/port-proxy/invalid", test_invalid);
        g_test_add_func("/port-proxy/cap", test_cap);
        g_test_add_func("/port-proxy/host-network", test_host_network);
        g_test_add_func("/port-proxy/udp-idle", test_udp_idle);
        r = g_test_run();
        if (child > 0) {
                status = stop_supervisor();
                /* A clean exit: under ASan, no leak either. */
                g_assert_true(WIFEXITED(status));
                g_assert_cmpint(WEXITSTATUS(status), ==, 0);
                g_free(first_snapshot);
                safe_close(taken);
                (void) rm_rf(tmpdir);
                g_free(tmpdir);
        }
        return r;
}
