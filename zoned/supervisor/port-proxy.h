/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "event-loop.h"
#include "macro.h"

/* The zone's port forwards on the host's [::1]. nftables' DNAT serves the forwards from other
 * hosts and from 127.0.0.1 (route_localnet), but IPv6 has nothing like route_localnet: a
 * connection to [::1] that DNAT sends to the zone never completes. So the supervisor, which
 * lives in the host's network namespace and outlives zoned, listens on [::1]:HOST itself and
 * relays to the zone's address at ZONE port, on its own event loop: TCP through two bounded
 * buffers per connection, UDP through one connected socket per client address.
 *
 * A host port that cannot be had (taken, no ::1) is not fatal: its forward stays in the set
 * without a listener, with the error that port_proxy_format_errors() names, and is tried again
 * by the next port_proxy_set_forwards(). */

/* Relays at once: per forward, and over all forwards. Each holds two descriptors; the supervisor
 * runs with a soft limit of 1024 (the zone's init inherits it), which these keep clear of. */
#define PORT_PROXY_MAX_PER_FORWARD 256U
#define PORT_PROXY_MAX_TOTAL 384U
/* A UDP flow without a datagram either way for this long is forgotten. */
#define PORT_PROXY_UDP_IDLE_USEC (60 * USEC_PER_SEC)

typedef struct PortProxy PortProxy;

/* name: the zone's, for the log. */
int port_proxy_new(EventLoop *loop, const char *name, PortProxy **ret);
/* Closes every listener and relay. Accepts NULL. */
PortProxy *port_proxy_free(PortProxy *p);
static inline void port_proxy_freep(PortProxy **p) {
        port_proxy_free(*p);
}

/* Where new relays go: the first IPv6 address of addresses ("fd42::5/64", the prefix length is
 * ignored), else the first IPv4 one; none (NULL or empty) refuses new connections. -EINVAL for
 * one that is no address, nothing changed then. Relays that are open stay where they are. */
int port_proxy_set_zone_address(PortProxy *p, char *const *addresses);

/* Replaces the forwards with these ("tcp:8080:80", net-address.h). A forward whose protocol and
 * host port were there before keeps its listener and its relays (a new zone port serves new
 * relays); a removed one closes its listener at once, its open TCP connections may finish (UDP
 * flows end with it, as their replies leave through its socket); a new one listens. -EINVAL (and
 * *ret_bad the offending text) for a bad forward or two with the same protocol and host port:
 * nothing changed then. -ENOMEM likewise. */
int port_proxy_set_forwards(PortProxy *p, char *const *forwards, const char **ret_bad);

/* "PORTERROR=tcp:8080:80 Address already in use\n" per forward without a listener, appended to
 * buf (size bytes, NUL-terminated) as long as a whole line fits; returns the bytes appended. */
size_t port_proxy_format_errors(const PortProxy *p, char *buf, size_t size);

/* How long a UDP flow may be idle (PORT_PROXY_UDP_IDLE_USEC unless a test says otherwise); for
 * flows made from then on. */
void port_proxy_set_udp_idle(PortProxy *p, uint64_t usec);

/* Open relays (TCP connections and UDP flows), for tests and logs. */
unsigned port_proxy_relays(const PortProxy *p);
