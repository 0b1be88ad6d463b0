/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* UDP flows of the [::1] proxy: one socket connected to the zone per client address, so that
 * the zone's replies come back on it and go to that client alone (sendto() on the forward's
 * listener, which the client sent to). A flow is forgotten after p->udp_idle_usec
 * without a datagram either way; one sweep timer serves every flow. Datagrams of a new client
 * over the caps are dropped, as a full network would. */

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "port-proxy-internal.h"

/* Datagrams per wake-up: the loop's other sources get their turn in a flood. */
#define UDP_BATCH 64

struct UdpFlow {
        Forward *forward;
        struct sockaddr_in6 client;
        EventSource *source; /* connected to the zone */
        uint64_t last_used;  /* CLOCK_MONOTONIC µs */
        UdpFlow *prev, *next;
};

static uint64_t now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC;
}

static void udp_flow_free(UdpFlow *u) {
        Forward *f = u->forward;

        if (u->prev)
                u->prev->next = u->next;
        else
                f->flows = u->next;
        if (u->next)
                u->next->prev = u->prev;
        event_source_free(u->source);
        forward_relay_gone(f->proxy, f);
        free(u);
}

void udp_flows_free(Forward *f) {
        while (f->flows)
                udp_flow_free(f->flows);
}

/* The zone's replies, to the flow's client. */
static int on_flow(EventSource *s, int fd, uint32_t revents, void *userdata) {
        UdpFlow *u = userdata;
        PortProxy *p = u->forward->proxy;

        for (unsigned i = 0; i < UDP_BATCH; i++) {
                ssize_t n = recv(fd, p->udp_buffer, UDP_DATAGRAM_MAX, MSG_DONTWAIT);

                if (n < 0) {
                        /* ECONNREFUSED and the like: the zone's ICMP errors; the flow stays. */
                        if (errno == EAGAIN)
                                break;
                        continue;
                }
                u->last_used = now_usec();
                if (u->forward->listener)
                        (void) sendto(event_source_get_fd(u->forward->listener), p->udp_buffer, (size_t) n,
                                      MSG_DONTWAIT, (struct sockaddr *) &u->client, sizeof(u->client));
        }
        return 0;
}

static UdpFlow *flow_find(Forward *f, const struct sockaddr_in6 *client) {
        for (UdpFlow *u = f->flows; u; u = u->next)
                if (u->client.sin6_port == client->sin6_port &&
                    memcmp(&u->client.sin6_addr, &client->sin6_addr, sizeof(client->sin6_addr)) == 0)
                        return u;
        return NULL;
}

static int flow_new(Forward *f, const struct sockaddr_in6 *client, UdpFlow **ret) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_storage sa;
        PortProxy *p = f->proxy;
        socklen_t salen;
        UdpFlow *u;
        int r;

        r = forward_target(f, &sa, &salen);
        if (r < 0)
                return r;
        fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, salen) < 0)
                return -errno;
        u = new0(UdpFlow, 1);
        if (!u)
                return -ENOMEM;
        r = event_add_io(p->loop, fd, EPOLLIN, on_flow, u, &u->source);
        if (r < 0) {
                free(u);
                return r;
        }
        TAKE_FD(fd);
        u->forward = f;
        u->client = *client;
        u->next = f->flows;
        if (f->flows)
                f->flows->prev = u;
        f->flows = u;
        /* The sweep runs while there are flows; one armed already sees this one at its next run. */
        if (!p->udp_timer_armed && event_timer_arm(p->udp_timer, p->udp_idle_usec) >= 0)
                p->udp_timer_armed = true;
        forward_relay_added(p, f);
        *ret = u;
        return 0;
}

/* Datagrams from clients on [::1], each to its flow. */
int udp_on_listener(EventSource *s, int fd, uint32_t revents, void *userdata) {
        Forward *f = userdata;
        PortProxy *p = f->proxy;

        for (unsigned i = 0; i < UDP_BATCH; i++) {
                struct sockaddr_in6 client = {};
                socklen_t len = sizeof(client);
                UdpFlow *u;
                ssize_t n;

                n = recvfrom(fd, p->udp_buffer, UDP_DATAGRAM_MAX, MSG_DONTWAIT, (struct sockaddr *) &client,
                             &len);
                if (n < 0) {
                        if (errno == EAGAIN)
                                break;
                        continue;
                }
                u = flow_find(f, &client);
                if (!u && (!forward_may_relay(f) || flow_new(f, &client, &u) < 0))
                        continue;
                u->last_used = now_usec();
                (void) send(event_source_get_fd(u->source), p->udp_buffer, (size_t) n, MSG_DONTWAIT);
        }
        return 0;
}

/* Forgets the idle flows, and comes back when the oldest of the others would be. */
int udp_on_timer(EventSource *s, int fd, uint32_t revents, void *userdata) {
        PortProxy *p = userdata;
        uint64_t expirations, now = now_usec(), oldest = UINT64_MAX;

        (void) !read(fd, &expirations, sizeof(expirations));
        for (Forward *f = p->forwards; f; f = f->next) {
                UdpFlow *next;

                for (UdpFlow *u = f->flows; u; u = next) {
                        next = u->next;
                        if (now - u->last_used >= p->udp_idle_usec)
                                udp_flow_free(u);
                        else
                                oldest = MIN(oldest, u->last_used);
                }
        }
        p->udp_timer_armed = oldest != UINT64_MAX &&
                             event_timer_arm(s, oldest + p->udp_idle_usec - now) >= 0;
        return 0;
}
