/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The words of a zone's network, shared by zoned (configuration, addresses, nftables), the
 * supervisor (links and addresses in the zone, the ::1 proxy) and zonectl: network modes, IP
 * prefixes, port forwards and interface names, each with its parser and formatter. No glib. */

typedef enum NetworkMode {
        NETWORK_NONE,    /* loopback only */
        NETWORK_BRIDGE,  /* a veth pair, the host side on a zoned-made bridge */
        NETWORK_MACVLAN, /* a macvlan on a host interface (the real LAN) */
        NETWORK_IPVLAN,  /* an ipvlan on a host interface */
        NETWORK_HOST,    /* the host's network namespace (trusted zones only) */
        _NETWORK_MODE_MAX,
        _NETWORK_MODE_INVALID = -EINVAL,
} NetworkMode;

const char *network_mode_to_string(NetworkMode m);
NetworkMode network_mode_from_string(const char *s);

/* The bridge a zone with "bridge" and no name of its own is on. */
#define NETWORK_DEFAULT_BRIDGE "zbr0"

/* "none", "host", "bridge", "bridge:NAME", "macvlan:IFACE", "ipvlan:IFACE". *ret_link gets NAME
 * or IFACE (NULL for "bridge": the default bridge; NULL for none and host). -EINVAL for anything
 * else: an unknown mode, a link that is not an interface name, macvlan or ipvlan without one,
 * none or host with one. */
int network_mode_parse(const char *s, NetworkMode *ret_mode, char **ret_link);
/* The inverse: "bridge:zbr0" (a bridge always with its name), "none", "macvlan:eth0". */
int network_mode_format(NetworkMode mode, const char *link, char **ret);

/* Linux interface names: 1..15 bytes, no '/', ':', whitespace or control characters, not "." or
 * "..". */
#define IFNAME_MAX 15
bool ifname_is_valid(const char *s);

typedef union InAddr {
        struct in_addr in;
        struct in6_addr in6;
        uint8_t bytes[16];
} InAddr;

/* An address with its prefix length: "10.42.0.5/24", "fd42::5/64". */
typedef struct InetPrefix {
        int family; /* AF_INET or AF_INET6 */
        InAddr addr;
        uint8_t prefixlen;
} InetPrefix;

/* "ADDRESS/LEN"; without "/LEN" the whole address (32 or 128). -EINVAL otherwise. */
int inet_prefix_parse(const char *s, InetPrefix *ret);
/* "ADDRESS/LEN" into buf, which holds INET_PREFIX_STRLEN bytes. */
#define INET_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)
const char *inet_prefix_format(const InetPrefix *p, char buf[static INET_PREFIX_STRLEN]);
/* The address alone, without "/LEN". */
const char *inet_address_format(int family, const InAddr *a, char buf[static INET_PREFIX_STRLEN]);
/* Whether addr (its address, whatever its length) is inside the network of net. */
bool inet_prefix_contains(const InetPrefix *net, const InetPrefix *addr);
/* Whether the networks of a and b share an address (same family only). */
bool inet_prefix_overlaps(const InetPrefix *a, const InetPrefix *b);
/* The address with the host part cleared. */
InetPrefix inet_prefix_network(const InetPrefix *p);
bool inet_prefix_equal(const InetPrefix *a, const InetPrefix *b);

/* A forward of a host port to a port of the zone. */
typedef struct PortForward {
        uint8_t protocol; /* IPPROTO_TCP or IPPROTO_UDP */
        uint16_t host_port;
        uint16_t zone_port;
} PortForward;

const char *ip_protocol_to_string(uint8_t protocol); /* "tcp", "udp", NULL */
int ip_protocol_from_string(const char *s);          /* IPPROTO_TCP, IPPROTO_UDP, -EINVAL */

/* "tcp:8080:80" (host 8080 → zone 80), "udp:5353:53", "tcp:8080" (the same port in the zone).
 * Ports 1..65535. -EINVAL otherwise. */
int port_forward_parse(const char *s, PortForward *ret);
/* "tcp:8080" only: which forward to remove (*ret's zone_port is 0). */
int port_forward_parse_key(const char *s, PortForward *ret);
#define PORT_FORWARD_STRLEN 20
const char *port_forward_format(const PortForward *p, char buf[static PORT_FORWARD_STRLEN]);
/* Two forwards of the same host port and protocol clash. */
static inline bool port_forward_same_key(const PortForward *a, const PortForward *b) {
        return a->protocol == b->protocol && a->host_port == b->host_port;
}

/* "02:xx:xx:xx:xx:xx", locally administered unicast, from a seed (the zone's machine id): a
 * zone's MAC address is stable without being stored. */
#define MAC_STRLEN 18
int mac_address_parse(const char *s, uint8_t ret[static 6]);
const char *mac_address_format(const uint8_t mac[static 6], char buf[static MAC_STRLEN]);
void mac_address_from_seed(const char *seed, uint8_t ret[static 6]);

/* The host side of a zone's veth: "vz-NAME" when that fits IFNAME_MAX, else "vz-" with the
 * name's first 7 bytes, '-' and 4 hex digits of a hash of the whole name. */
void zone_host_ifname(const char *zone, char buf[static IFNAME_MAX + 1]);
/* The zone's side, inside its network namespace. */
#define ZONE_IFNAME "eth0"
