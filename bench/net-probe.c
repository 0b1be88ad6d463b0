/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/net-probe: the TCP server and clients of bench/net, one static
 * program that runs the same way inside a zone, a systemd-nspawn container
 * and on the host.
 *
 *   net-probe [-c CPU] MODE ...      -c: on that CPU only (sched_setaffinity)
 *   net-probe server [-d] PORT       listen on [::]:PORT (IPv4 too); -d: go to the
 *                                    background once listening (the caller's
 *                                    return says "ready")
 *   net-probe stream HOST PORT SECS  send for SECS seconds; prints mbit=
 *   net-probe rr HOST PORT COUNT     COUNT one-byte round trips on one connection;
 *                                    prints median_us= p90_us= p99_us=
 *   net-probe crr HOST PORT COUNT    COUNT connections, each with one round trip
 *                                    (connect → answer → close); same figures
 *
 * The server reads the first byte of a connection: 'S' counts what comes
 * until EOF and answers the count (the client's time runs until that answer,
 * so nothing in a socket buffer is counted as sent); 'R' echoes every byte;
 * 'C' answers one byte and closes. Like netperf's TCP_STREAM, TCP_RR and
 * TCP_CRR, without netperf (not in every rootfs) and with no setup of its own.
 *
 * Built by bench/net with "cc -O2 -static"; not part of the meson build.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (128 * 1024)
#define RR_WARMUP 100

static void die(const char *what) {
        fprintf(stderr, "net-probe: %s: %s\n", what, strerror(errno));
        exit(1);
}

static double now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* All n bytes read (writing false) or written, or -1 (EOF counts as failure). */
static int transfer_full(int fd, void *buf, size_t n, bool writing) {
        for (size_t done = 0; done < n;) {
                ssize_t k = writing ? write(fd, (char *) buf + done, n - done)
                                    : read(fd, (char *) buf + done, n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return -1;
                done += (size_t) k;
        }
        return 0;
}

static int read_full(int fd, void *buf, size_t n) {
        return transfer_full(fd, buf, n, false);
}

static int write_full(int fd, const void *buf, size_t n) {
        return transfer_full(fd, (void *) buf, n, true);
}

static void serve(int fd) {
        static char buf[CHUNK];
        char mode, c;
        uint64_t count = 0;
        ssize_t k;

        if (read_full(fd, &mode, 1) < 0)
                return;
        switch (mode) {
        case 'S':
                while ((k = read(fd, buf, sizeof buf)) > 0 || (k < 0 && errno == EINTR))
                        count += k > 0 ? (uint64_t) k : 0;
                (void) write_full(fd, &count, sizeof count);
                break;
        case 'R':
                while (read_full(fd, &c, 1) == 0 && write_full(fd, &c, 1) == 0)
                        ;
                break;
        case 'C':
                (void) write_full(fd, "c", 1);
                break;
        }
}

static int server(int argc, char *argv[]) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
        struct sigaction sig = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
        bool daemonize = argc > 2 && strcmp(argv[2], "-d") == 0;
        int one = 1, zero = 0, fd;

        if (argc != 3 + daemonize) {
                fprintf(stderr, "usage: net-probe [-c CPU] server [-d] PORT\n");
                return 2;
        }
        sa.sin6_port = htons((uint16_t) atoi(argv[2 + daemonize]));
        fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                die("socket");
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                die("bind");
        if (listen(fd, 128) < 0)
                die("listen");
        if (sigaction(SIGCHLD, &sig, NULL) < 0)
                die("sigaction");
        if (daemonize) {
                pid_t pid = fork();

                if (pid < 0)
                        die("fork");
                if (pid > 0)
                        _exit(0);
                (void) setsid();
                if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
                    !freopen("/dev/null", "w", stderr))
                        exit(1);
        }
        for (;;) {
                int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        die("accept");
                }
                (void) setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                pid_t pid = fork();
                if (pid == 0) {
                        close(fd);
                        serve(c);
                        _exit(0);
                }
                close(c);
        }
}

static int connect_to(const char *host, const char *port) {
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
        struct addrinfo *ai;
        int one = 1, fd, r;

        r = getaddrinfo(host, port, &hints, &ai);
        if (r != 0) {
                fprintf(stderr, "net-probe: %s port %s: %s\n", host, port, gai_strerror(r));
                exit(1);
        }
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                die("socket");
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
                die("connect");
        freeaddrinfo(ai);
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return fd;
}

static int stream(const char *host, const char *port, double secs) {
        static char buf[CHUNK];
        uint64_t sent = 0, got;
        double t0, t;
        int fd;

        fd = connect_to(host, port);
        if (write_full(fd, "S", 1) < 0)
                die("write");
        t0 = now_us();
        do {
                if (write_full(fd, buf, sizeof buf) < 0)
                        die("write");
                sent += sizeof buf;
        } while (now_us() - t0 < secs * 1e6);
        if (shutdown(fd, SHUT_WR) < 0)
                die("shutdown");
        if (read_full(fd, &got, sizeof got) < 0)
                die("read of the server's count");
        t = (now_us() - t0) / 1e6;
        if (got != sent) {
                fprintf(stderr, "net-probe: sent %llu bytes, the server counted %llu\n",
                        (unsigned long long) sent, (unsigned long long) got);
                return 1;
        }
        printf("bytes=%llu seconds=%.3f mbit=%.1f\n", (unsigned long long) got, t, got * 8 / t / 1e6);
        return 0;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static void print_quantiles(double *v, long n) {
        qsort(v, (size_t) n, sizeof *v, cmp_double);
        printf("count=%ld median_us=%.1f p90_us=%.1f p99_us=%.1f\n", n, v[n / 2], v[n * 9 / 10],
               v[n * 99 / 100]);
}

static int round_trips(const char *host, const char *port, long n) {
        double *v = calloc((size_t) n, sizeof *v);
        char c = 'x';
        int fd;

        if (!v)
                die("calloc");
        fd = connect_to(host, port);
        if (write_full(fd, "R", 1) < 0)
                die("write");
        for (long i = -RR_WARMUP; i < n; i++) {
                double t0 = now_us();

                if (write_full(fd, &c, 1) < 0 || read_full(fd, &c, 1) < 0)
                        die("round trip");
                if (i >= 0)
                        v[i] = now_us() - t0;
        }
        close(fd);
        print_quantiles(v, n);
        free(v);
        return 0;
}

static int connect_round_trips(const char *host, const char *port, long n) {
        double *v = calloc((size_t) n, sizeof *v);
        char c;

        if (!v)
                die("calloc");
        for (long i = -RR_WARMUP / 10; i < n; i++) {
                double t0 = now_us();
                int fd = connect_to(host, port);

                if (write_full(fd, "C", 1) < 0 || read_full(fd, &c, 1) < 0)
                        die("connect round trip");
                close(fd);
                if (i >= 0)
                        v[i] = now_us() - t0;
        }
        print_quantiles(v, n);
        free(v);
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
                cpu_set_t set;

                CPU_ZERO(&set);
                CPU_SET(atoi(argv[2]), &set);
                if (sched_setaffinity(0, sizeof set, &set) < 0)
                        die("sched_setaffinity");
                argv[2] = argv[0];
                argv += 2;
                argc -= 2;
        }
        if (argc >= 2 && strcmp(argv[1], "server") == 0)
                return server(argc, argv);
        if (argc == 5 && strcmp(argv[1], "stream") == 0)
                return stream(argv[2], argv[3], atof(argv[4]));
        if (argc == 5 && strcmp(argv[1], "rr") == 0 && atol(argv[4]) > 0)
                return round_trips(argv[2], argv[3], atol(argv[4]));
        if (argc == 5 && strcmp(argv[1], "crr") == 0 && atol(argv[4]) > 0)
                return connect_round_trips(argv[2], argv[3], atol(argv[4]));
        fprintf(stderr,
                "usage: net-probe [-c CPU] server [-d] PORT | stream HOST PORT SECS | rr HOST PORT COUNT | "
                "crr HOST PORT COUNT\n");
        return 2;
}
