/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net-address.h"
#include "network-config.h"

/* A zone's addresses on its bridge: the lowest free host address of the bridge's IPv4 network
 * and, in its IPv6 network, the address with the same host part, so that a zone's two
 * addresses read alike (10.42.0.5, fd42:7a6f:6e65::5). "Taken" is what the other zones of the
 * bridge hold (from their zone files). No I/O: the caller gathers what is taken. */

/* Address arithmetic on the bits of an address, numbered from the most significant (0). */
/* Puts the low nbits of v in the bits [end - nbits, end) of a (which are 0). */
void inet_or_bits(InAddr *a, unsigned end, unsigned nbits, uint64_t v);
/* The value of the bits [end - nbits, end) of a (nbits <= 64). */
uint64_t inet_get_bits(const InAddr *a, unsigned end, unsigned nbits);
/* The index'th sub-network of length sublen of pool (pool's network, counted from 0); false when
 * the pool has fewer than index + 1 of them. */
bool inet_prefix_subnet(const InetPrefix *pool, uint8_t sublen, uint64_t index, InetPrefix *ret);
/* The host part of an address in its network, and the number of bits it has. */
uint64_t inet_prefix_host(const InetPrefix *p);
unsigned inet_prefix_host_bits(const InetPrefix *p);

/* Picks the zone's IPv4 address and its IPv6 twin on bridge b: ret[0] IPv4, ret[1] IPv6, with
 * the bridge's prefix lengths. -ENOSPC (PoolExhausted) when no host address is free in both. */
int network_pool_pick(const NetworkBridge *b, const InetPrefix *taken, size_t n_taken,
                      InetPrefix ret[static 2]);

/* Checks the addresses a zone names for bridge b: at most one of each family, each inside the
 * bridge's network of its family with the same prefix length (else -EADDRNOTAVAIL,
 * AddressNotInPool), not its network, broadcast or the bridge's own address (-EADDRNOTAVAIL),
 * and not taken (-EADDRINUSE, AddressInUse: *ret_clash is the taken one). -EINVAL for two of a
 * family. */
int network_pool_check(const NetworkBridge *b, const InetPrefix *taken, size_t n_taken,
                       const InetPrefix *addrs, size_t n_addrs, const InetPrefix **ret_clash);

/* Whether one of ports forwards a host port (same protocol) that one of taken does: -EADDRINUSE
 * (PortInUse) with *ret_clash the port of ports that clashes. */
int network_ports_check(const PortForward *ports, size_t n_ports, const PortForward *taken, size_t n_taken,
                        const PortForward **ret_clash);
