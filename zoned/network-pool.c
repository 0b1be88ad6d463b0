/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "network-pool.h"

static unsigned family_bits(int family) {
        return family == AF_INET ? 32 : 128;
}

void inet_or_bits(InAddr *a, unsigned end, unsigned nbits, uint64_t v) {
        for (unsigned b = 0; b < nbits && b < 64; b++)
                if (v & (UINT64_C(1) << b)) {
                        unsigned pos = end - 1 - b;

                        a->bytes[pos / 8] |= (uint8_t) (0x80u >> (pos % 8));
                }
}

uint64_t inet_get_bits(const InAddr *a, unsigned end, unsigned nbits) {
        uint64_t v = 0;

        for (unsigned b = 0; b < nbits && b < 64; b++) {
                unsigned pos = end - 1 - b;

                if (a->bytes[pos / 8] & (0x80u >> (pos % 8)))
                        v |= UINT64_C(1) << b;
        }
        return v;
}

bool inet_prefix_subnet(const InetPrefix *pool, uint8_t sublen, uint64_t index, InetPrefix *ret) {
        unsigned nbits = sublen - pool->prefixlen;
        InetPrefix p;

        if (sublen < pool->prefixlen || sublen > family_bits(pool->family))
                return false;
        if (nbits < 64 && index >> nbits)
                return false;
        p = inet_prefix_network(pool);
        p.prefixlen = sublen;
        inet_or_bits(&p.addr, sublen, nbits, index);
        *ret = p;
        return true;
}

unsigned inet_prefix_host_bits(const InetPrefix *p) {
        return family_bits(p->family) - p->prefixlen;
}

uint64_t inet_prefix_host(const InetPrefix *p) {
        return inet_get_bits(&p->addr, family_bits(p->family), inet_prefix_host_bits(p));
}

static InetPrefix host_address(const InetPrefix *net, uint64_t host) {
        InetPrefix p = inet_prefix_network(net);

        inet_or_bits(&p.addr, family_bits(p.family), inet_prefix_host_bits(&p), host);
        return p;
}

static const InetPrefix *find_taken(const InetPrefix *a, const InetPrefix *taken, size_t n_taken) {
        for (size_t i = 0; i < n_taken; i++)
                if (taken[i].family == a->family &&
                    memcmp(&taken[i].addr, &a->addr, a->family == AF_INET ? 4 : 16) == 0)
                        return &taken[i];
        return NULL;
}

/* Host parts 0 (the network) and, in IPv4, all ones (the broadcast address) are nobody's; nor is
 * the bridge's own. */
static bool host_reserved(const NetworkBridge *b, uint64_t host) {
        unsigned bits4 = inet_prefix_host_bits(&b->ipv4);

        return host == 0 || host == (UINT64_C(1) << bits4) - 1 || host == inet_prefix_host(&b->ipv4) ||
               host == inet_prefix_host(&b->ipv6);
}

int network_pool_pick(const NetworkBridge *b, const InetPrefix *taken, size_t n_taken,
                      InetPrefix ret[static 2]) {
        uint64_t n_hosts = UINT64_C(1) << inet_prefix_host_bits(&b->ipv4);

        /* Taken addresses are few (a zone holds two): a scan per candidate is cheap enough. */
        for (uint64_t host = 1; host < n_hosts; host++) {
                InetPrefix a4, a6;

                if (host_reserved(b, host))
                        continue;
                a4 = host_address(&b->ipv4, host);
                a6 = host_address(&b->ipv6, host);
                if (find_taken(&a4, taken, n_taken) || find_taken(&a6, taken, n_taken))
                        continue;
                ret[0] = a4;
                ret[1] = a6;
                return 0;
        }
        return -ENOSPC;
}

static int check_one(const NetworkBridge *b, const InetPrefix *a) {
        const InetPrefix *net = a->family == AF_INET ? &b->ipv4 : &b->ipv6;
        InetPrefix network = inet_prefix_network(a);

        if (a->prefixlen != net->prefixlen || !inet_prefix_contains(net, a))
                return -EADDRNOTAVAIL;
        if (inet_prefix_equal(a, &network) || inet_prefix_equal(a, net))
                return -EADDRNOTAVAIL;
        if (a->family == AF_INET && inet_prefix_host(a) == (UINT64_C(1) << inet_prefix_host_bits(a)) - 1)
                return -EADDRNOTAVAIL;
        return 0;
}

int network_pool_check(const NetworkBridge *b, const InetPrefix *taken, size_t n_taken,
                       const InetPrefix *addrs, size_t n_addrs, const InetPrefix **ret_clash) {
        bool seen4 = false, seen6 = false;
        int r;

        for (size_t i = 0; i < n_addrs; i++) {
                bool *seen = addrs[i].family == AF_INET ? &seen4 : &seen6;
                const InetPrefix *clash;

                if (*seen)
                        return -EINVAL;
                *seen = true;
                r = check_one(b, &addrs[i]);
                if (r < 0)
                        return r;
                clash = find_taken(&addrs[i], taken, n_taken);
                if (clash) {
                        if (ret_clash)
                                *ret_clash = clash;
                        return -EADDRINUSE;
                }
        }
        return 0;
}

int network_ports_check(const PortForward *ports, size_t n_ports, const PortForward *taken, size_t n_taken,
                        const PortForward **ret_clash) {
        for (size_t i = 0; i < n_ports; i++)
                for (size_t j = 0; j < n_taken; j++)
                        if (port_forward_same_key(&ports[i], &taken[j])) {
                                if (ret_clash)
                                        *ret_clash = &ports[i];
                                return -EADDRINUSE;
                        }
        return 0;
}
