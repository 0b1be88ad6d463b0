/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network modes, prefixes, port forwards, MAC and interface names (net-address.h). */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "net-address.h"

static const char *const network_mode_table[_NETWORK_MODE_MAX] = {
        [NETWORK_NONE] = "none",     [NETWORK_BRIDGE] = "bridge", [NETWORK_MACVLAN] = "macvlan",
        [NETWORK_IPVLAN] = "ipvlan", [NETWORK_HOST] = "host",
};
DEFINE_STRING_TABLE_LOOKUP(network_mode, NetworkMode);

bool ifname_is_valid(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > IFNAME_MAX || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *p = s; *p; p++)
                if (*p == '/' || *p == ':' || (unsigned char) *p <= ' ' || (unsigned char) *p >= 0x7f)
                        return false;
        return true;
}

int network_mode_parse(const char *s, NetworkMode *ret_mode, char **ret_link) {
        _cleanup_free_ char *mode = NULL, *link = NULL;
        const char *colon;
        NetworkMode m;

        if (!s)
                return -EINVAL;
        colon = strchr(s, ':');
        mode = colon ? strndup(s, colon - s) : strdup(s);
        if (!mode)
                return -ENOMEM;
        m = network_mode_from_string(mode);
        if (m < 0)
                return -EINVAL;
        if (colon) {
                if (m == NETWORK_NONE || m == NETWORK_HOST || !ifname_is_valid(colon + 1))
                        return -EINVAL;
                link = strdup(colon + 1);
                if (!link)
                        return -ENOMEM;
        } else if (m == NETWORK_MACVLAN || m == NETWORK_IPVLAN)
                return -EINVAL;
        *ret_mode = m;
        *ret_link = TAKE_PTR(link);
        return 0;
}

int network_mode_format(NetworkMode mode, const char *link, char **ret) {
        const char *name = network_mode_to_string(mode);
        char *s;

        if (!name)
                return -EINVAL;
        if (mode == NETWORK_BRIDGE && !link)
                link = NETWORK_DEFAULT_BRIDGE;
        if (mode == NETWORK_NONE || mode == NETWORK_HOST)
                link = NULL;
        if (link ? asprintf(&s, "%s:%s", name, link) < 0 : !(s = strdup(name)))
                return -ENOMEM;
        *ret = s;
        return 0;
}

int inet_prefix_parse(const char *s, InetPrefix *ret) {
        _cleanup_free_ char *a = NULL;
        const char *slash;
        InetPrefix p = {};
        unsigned max;

        if (!s)
                return -EINVAL;
        slash = strchr(s, '/');
        a = slash ? strndup(s, slash - s) : strdup(s);
        if (!a)
                return -ENOMEM;
        if (inet_pton(AF_INET, a, &p.addr.in) == 1)
                p.family = AF_INET;
        else if (inet_pton(AF_INET6, a, &p.addr.in6) == 1)
                p.family = AF_INET6;
        else
                return -EINVAL;
        max = p.family == AF_INET ? 32 : 128;
        p.prefixlen = max;
        if (slash) {
                unsigned long len;

                if (!slash[1] || strlen(slash + 1) > 3 ||
                    strspn(slash + 1, "0123456789") != strlen(slash + 1))
                        return -EINVAL;
                len = strtoul(slash + 1, NULL, 10);
                if (len > max)
                        return -EINVAL;
                p.prefixlen = (uint8_t) len;
        }
        *ret = p;
        return 0;
}

const char *inet_address_format(int family, const InAddr *a, char buf[static INET_PREFIX_STRLEN]) {
        if (!inet_ntop(family, a, buf, INET_PREFIX_STRLEN))
                return NULL;
        return buf;
}

const char *inet_prefix_format(const InetPrefix *p, char buf[static INET_PREFIX_STRLEN]) {
        size_t n;

        if (!inet_address_format(p->family, &p->addr, buf))
                return NULL;
        n = strlen(buf);
        snprintf(buf + n, INET_PREFIX_STRLEN - n, "/%u", p->prefixlen);
        return buf;
}

static size_t family_bytes(int family) {
        return family == AF_INET ? 4 : 16;
}

static InAddr masked(int family, const InAddr *a, unsigned len) {
        InAddr r = {};
        size_t n = family_bytes(family);

        for (size_t i = 0; i < n; i++) {
                unsigned bits = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

                r.bytes[i] = a->bytes[i] & (uint8_t) (0xff00u >> bits);
        }
        return r;
}

InetPrefix inet_prefix_network(const InetPrefix *p) {
        InetPrefix r = *p;

        r.addr = masked(p->family, &p->addr, p->prefixlen);
        return r;
}

bool inet_prefix_contains(const InetPrefix *net, const InetPrefix *addr) {
        InAddr a, b;

        if (net->family != addr->family)
                return false;
        a = masked(net->family, &net->addr, net->prefixlen);
        b = masked(net->family, &addr->addr, net->prefixlen);
        return memcmp(&a, &b, family_bytes(net->family)) == 0;
}

bool inet_prefix_overlaps(const InetPrefix *a, const InetPrefix *b) {
        const InetPrefix *wider = a->prefixlen <= b->prefixlen ? a : b;
        const InetPrefix *narrower = wider == a ? b : a;

        return inet_prefix_contains(wider, narrower);
}

bool inet_prefix_equal(const InetPrefix *a, const InetPrefix *b) {
        return a->family == b->family && a->prefixlen == b->prefixlen &&
               memcmp(&a->addr, &b->addr, family_bytes(a->family)) == 0;
}

const char *ip_protocol_to_string(uint8_t protocol) {
        return protocol == IPPROTO_TCP ? "tcp" : protocol == IPPROTO_UDP ? "udp" : NULL;
}

int ip_protocol_from_string(const char *s) {
        if (streq_ptr(s, "tcp"))
                return IPPROTO_TCP;
        if (streq_ptr(s, "udp"))
                return IPPROTO_UDP;
        return -EINVAL;
}

static int parse_port(const char *s, size_t n, uint16_t *ret) {
        uint64_t v = 0;

        if (n == 0 || n > 5)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v < 1 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

/* "PROTO:HOST[:ZONE]"; want_zone: 1 allowed, 0 refused. */
static int parse_forward(const char *s, bool zone_allowed, PortForward *ret) {
        const char *c1, *c2;
        char proto[4];
        PortForward f = {};
        int p, r;

        if (!s || !(c1 = strchr(s, ':')) || c1 - s > 3)
                return -EINVAL;
        memcpy(proto, s, c1 - s);
        proto[c1 - s] = 0;
        p = ip_protocol_from_string(proto);
        if (p < 0)
                return p;
        f.protocol = (uint8_t) p;
        c2 = strchr(c1 + 1, ':');
        r = parse_port(c1 + 1, c2 ? (size_t) (c2 - c1 - 1) : strlen(c1 + 1), &f.host_port);
        if (r < 0)
                return r;
        if (c2) {
                if (!zone_allowed)
                        return -EINVAL;
                r = parse_port(c2 + 1, strlen(c2 + 1), &f.zone_port);
                if (r < 0)
                        return r;
        } else if (zone_allowed)
                f.zone_port = f.host_port;
        *ret = f;
        return 0;
}

int port_forward_parse(const char *s, PortForward *ret) {
        return parse_forward(s, true, ret);
}

int port_forward_parse_key(const char *s, PortForward *ret) {
        return parse_forward(s, false, ret);
}

const char *port_forward_format(const PortForward *p, char buf[static PORT_FORWARD_STRLEN]) {
        const char *proto = ip_protocol_to_string(p->protocol);

        if (!proto)
                return NULL;
        if (p->zone_port)
                snprintf(buf, PORT_FORWARD_STRLEN, "%s:%u:%u", proto, p->host_port, p->zone_port);
        else
                snprintf(buf, PORT_FORWARD_STRLEN, "%s:%u", proto, p->host_port);
        return buf;
}

int mac_address_parse(const char *s, uint8_t ret[static 6]) {
        unsigned b[6];
        char end;

        if (!s || strlen(s) != 17 ||
            sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++) {
                if (s[3 * i + 2] != (i == 5 ? 0 : ':'))
                        return -EINVAL;
                ret[i] = (uint8_t) b[i];
        }
        /* A zone's address is unicast and not all zero. */
        if (ret[0] & 1 || !(ret[0] | ret[1] | ret[2] | ret[3] | ret[4] | ret[5]))
                return -EINVAL;
        return 0;
}

const char *mac_address_format(const uint8_t mac[static 6], char buf[static MAC_STRLEN]) {
        snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                 mac[5]);
        return buf;
}

/* FNV-1a: stable names and addresses from a seed, nothing secret. */
static uint64_t hash64(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++) {
                h ^= (uint8_t) *s;
                h *= 0x100000001b3ULL;
        }
        return h;
}

void mac_address_from_seed(const char *seed, uint8_t ret[static 6]) {
        uint64_t h = hash64(seed);

        for (size_t i = 0; i < 6; i++)
                ret[i] = (uint8_t) (h >> (8 * i));
        ret[0] = (uint8_t) ((ret[0] & 0xfe) | 0x02); /* unicast, locally administered */
}

void zone_host_ifname(const char *zone, char buf[static IFNAME_MAX + 1]) {
        if (strlen(zone) + 3 <= IFNAME_MAX) {
                snprintf(buf, IFNAME_MAX + 1, "vz-%s", zone);
                return;
        }
        snprintf(buf, IFNAME_MAX + 1, "vz-%.7s-%04x", zone, (unsigned) (hash64(zone) & 0xffff));
}
