/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net-address.h"

/* zoned's nftables rules, built as one nft script from the bridges and the running bridged zones:
 * a pure function of its input, so that a unit test compares its text. The script replaces
 * zoned's two tables, "inet zoned" (port forwards, NAT, the host's input from the bridges) and
 * "bridge zoned" (anti-spoofing per zone veth, isolation between zones), in one transaction, and
 * touches no other table. Applying it is net-nft.h's business. */

#define NET_RULES_TABLE "zoned"

typedef struct NetRulesBridge {
        const char *name;
        InetPrefix ipv4; /* the bridge's own address and the pool's prefix; family 0: none */
        InetPrefix ipv6;
        bool masquerade; /* the pool goes out of other interfaces masqueraded */
        bool isolated;   /* zones on it cannot reach each other */
        bool allow_host; /* zones may reach the host's services on it */
} NetRulesBridge;

typedef struct NetRulesZone {
        const char *name;
        const char *bridge;
        const char *host_ifname; /* the host side of its veth, a port of the bridge */
        uint8_t mac[6];
        InetPrefix ipv4; /* family 0: none known (Address=dhcp): its IPv4 source is not checked */
        InetPrefix ipv6; /* family 0: none; its link-local (from the MAC) is allowed always */
        const PortForward *ports;
        size_t n_ports;
} NetRulesZone;

/* The script for that state into *ret. Without bridges and zones, it only removes both tables.
 * -EINVAL for a name nft cannot take (quotes, a '*' that nft reads as a wildcard), a zone on a
 * bridge that is not in the list or an address of the wrong family; -EADDRINUSE for two forwards
 * of the same host port and protocol. */
int net_rules_build(const NetRulesBridge *bridges, size_t n_bridges, const NetRulesZone *zones,
                    size_t n_zones, char **ret);

/* The script that only removes both tables (nothing else), whether they exist or not. */
const char *net_rules_remove_script(void);

/* The EUI-64 link-local address of a MAC: what the kernel gives the zone's eth0. */
void net_rules_link_local(const uint8_t mac[static 6], InetPrefix *ret);
