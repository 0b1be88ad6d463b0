/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* TCP relays of the [::1] proxy: a connection accepted on a forward's listener, a non-blocking
 * connection to the zone, and a bounded buffer per direction between them. Both sockets are
 * edge-triggered and every wake-up pumps both directions until the kernel says EAGAIN or a
 * buffer is full (whose drain is then the next wake-up): nothing is polled that cannot make
 * progress, so a peer that reads nothing costs no CPU. A side's EOF becomes a shutdown(SHUT_WR)
 * of the other once its buffer is written; the relay ends when both directions did, or at the
 * first error of either side. */

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "log.h"
#include "port-proxy-internal.h"

typedef struct Pipe {
        size_t off, len; /* buf[off..len) waits to be written */
        bool eof;        /* the reading side sent its FIN */
        bool shut;       /* and it went on to the writing side */
        uint8_t buf[PORT_PROXY_TCP_BUFFER];
} Pipe;

struct TcpRelay {
        PortProxy *proxy;
        Forward *forward; /* NULL once it was removed */
        EventSource *client;
        EventSource *zone;
        bool connected; /* the connection to the zone is established */
        Pipe up;        /* client → zone */
        Pipe down;      /* zone → client */
        TcpRelay *prev, *next;
};

#define RELAY_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
/* Buffers per direction and wake-up: a connection that always has more does not keep the loop
 * (the zone's control socket, its signals, the other connections) waiting. */
#define PUMP_READS 4

static void tcp_relay_free(TcpRelay *t) {
        PortProxy *p = t->proxy;

        if (t->prev)
                t->prev->next = t->next;
        else
                p->tcp = t->next;
        if (t->next)
                t->next->prev = t->prev;
        event_source_free(t->client);
        event_source_free(t->zone);
        forward_relay_gone(p, t->forward);
        free(t);
}

/* The zone refused or did not answer: the client sees a reset, as if it had reached the zone. */
static void tcp_relay_refuse(TcpRelay *t) {
        struct linger l = { .l_onoff = 1, .l_linger = 0 };

        (void) setsockopt(event_source_get_fd(t->client), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        tcp_relay_free(t);
}

/* Moves what it can from src to dst, at most PUMP_READS buffers: 1 when it stopped there with
 * more to do, <0 when either side failed. */
static int pipe_pump(Pipe *pp, int src, int dst) {
        for (unsigned reads = 0;;) {
                ssize_t n;

                if (pp->off < pp->len) {
                        n = send(dst, pp->buf + pp->off, pp->len - pp->off, MSG_NOSIGNAL | MSG_DONTWAIT);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return errno == EAGAIN ? 0 : -errno;
                        }
                        pp->off += (size_t) n;
                        if (pp->off == pp->len)
                                pp->off = pp->len = 0;
                        continue;
                }
                if (pp->eof) {
                        if (!pp->shut && shutdown(dst, SHUT_WR) < 0 && errno != ENOTCONN)
                                return -errno;
                        pp->shut = true;
                        return 0;
                }
                if (reads++ >= PUMP_READS)
                        return 1;
                n = recv(src, pp->buf, sizeof(pp->buf), MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                if (n == 0)
                        pp->eof = true;
                pp->len = (size_t) n;
        }
}

static int connect_result(int fd) {
        int error = 0;
        socklen_t len = sizeof(error);

        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
                return -errno;
        return -error;
}

static int on_relay(EventSource *s, int fd, uint32_t revents, void *userdata) {
        TcpRelay *t = userdata;
        int client, zone, r;

        if (!t->connected) {
                /* A client that went away while we connect is not worth the connection. */
                if (s == t->client) {
                        if (revents & (EPOLLERR | EPOLLHUP))
                                tcp_relay_free(t);
                        return 0;
                }
                r = connect_result(fd);
                if (r < 0) {
                        log_debug_errno(r, "Zone %s: connection to the zone failed: %m", t->proxy->name);
                        tcp_relay_refuse(t);
                        return 0;
                }
                if (!(revents & EPOLLOUT))
                        return 0;
                t->connected = true;
        }
        /* A reset of a side whose reading is over would otherwise wait for the other side. */
        if (revents & EPOLLERR) {
                tcp_relay_free(t);
                return 0;
        }
        client = event_source_get_fd(t->client);
        zone = event_source_get_fd(t->zone);
        r = pipe_pump(&t->up, client, zone);
        if (r >= 0) {
                int k = pipe_pump(&t->down, zone, client);

                r = k < 0 ? k : r | k;
        }
        /* Stopped with more to read: EPOLL_CTL_MOD queues the edge again, behind what else is
         * ready (an edge-triggered source that was not drained gets no new one otherwise). */
        if (r > 0) {
                r = event_source_set_events(t->client, RELAY_EVENTS);
                if (r >= 0)
                        r = event_source_set_events(t->zone, RELAY_EVENTS);
        }
        if (r < 0 || (t->up.shut && t->down.shut))
                tcp_relay_free(t);
        return 0;
}

static int tcp_relay_new(Forward *f, int cfd) {
        _cleanup_close_ int client = cfd, zone = -EBADF;
        struct sockaddr_storage sa;
        PortProxy *p = f->proxy;
        socklen_t salen;
        TcpRelay *t;
        int r;

        r = forward_target(f, &sa, &salen);
        if (r < 0)
                return r; /* no address for the zone: the client is closed */
        zone = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
        if (zone < 0)
                return -errno;
        t = new0(TcpRelay, 1);
        if (!t)
                return -ENOMEM;
        t->proxy = p;
        if (connect(zone, (struct sockaddr *) &sa, salen) >= 0)
                t->connected = true;
        else if (errno != EINPROGRESS) {
                free(t);
                return -errno;
        }
        r = event_add_io(p->loop, client, RELAY_EVENTS, on_relay, t, &t->client);
        if (r < 0) {
                free(t);
                return r;
        }
        TAKE_FD(client);
        r = event_add_io(p->loop, zone, RELAY_EVENTS, on_relay, t, &t->zone);
        if (r < 0) {
                event_source_free(t->client);
                free(t);
                return r;
        }
        TAKE_FD(zone);
        t->forward = f;
        t->next = p->tcp;
        if (p->tcp)
                p->tcp->prev = t;
        p->tcp = t;
        forward_relay_added(p, f);
        return 0;
}

int tcp_on_listener(EventSource *s, int fd, uint32_t revents, void *userdata) {
        Forward *f = userdata;

        /* A few at a time, so that a flood does not starve the zone's other sources. */
        for (unsigned i = 0; i < 16 && forward_may_relay(f); i++) {
                int cfd, r;

                cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                                forward_starve(f);
                                return log_warning_errno(errno,
                                                         "Zone %s: no descriptor for a connection: %m",
                                                         f->proxy->name);
                        }
                        return log_debug_errno(errno, "Zone %s: accept() failed: %m", f->proxy->name);
                }
                r = tcp_relay_new(f, cfd);
                if (r < 0)
                        log_debug_errno(r, "Zone %s: dropped a connection: %m", f->proxy->name);
        }
        return 0;
}

void tcp_relays_free(PortProxy *p) {
        while (p->tcp)
                tcp_relay_free(p->tcp);
}

void tcp_relays_detach(PortProxy *p, Forward *f) {
        for (TcpRelay *t = p->tcp; t; t = t->next)
                if (t->forward == f) {
                        t->forward = NULL;
                        f->relays--;
                }
}
