/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net-address.h"

/* A zone's links, made and removed with netlink (libnl-route-3), never by running ip(8): the host
 * bridge, the veth pair or macvlan of a zone, and the configuration of the zone's side in its
 * network namespace. Every function opens its own netlink socket, in the caller's network
 * namespace unless it takes a netns fd; -errno on failure, no logging. */

/* The alias (IFLA_IFALIAS) of a bridge zoned made: what tells it from one the host's owner made,
 * which zoned uses but never removes. */
#define NET_BRIDGE_ALIAS "zoned"

/* Makes the bridge name if it does not exist (with NET_BRIDGE_ALIAS), brings it up and gives it
 * addresses (without duplicate address detection, so that they are usable at once) and mtu (0:
 * the kernel's). Returns 1 if it made the bridge, 0 if it existed (its addresses are added if
 * missing), -ENOTTY if name is a link but not a bridge. */
int net_bridge_ensure(const char *name, const InetPrefix *addresses, size_t n, uint32_t mtu);
/* Whether name is a bridge zoned made (its alias): 1, 0 (none or not ours), -errno. */
int net_bridge_is_ours(const char *name);
/* The bridges zoned made (NET_BRIDGE_ALIAS), a NULL-terminated list. */
int net_bridges_ours(char ***ret);
/* The links of the main table's default routes (IPv4 and IPv6, each once): where connections
 * from other hosts come in, a NULL-terminated list (empty without a default route). */
int net_default_route_links(char ***ret);
/* Removes a link: 1 if it removed one, 0 if there was none. */
int net_link_remove(const char *ifname);
/* 1 if the link exists, 0 if not. */
int net_link_exists(const char *ifname);

/* A veth pair: host_ifname, up, on bridge (which must exist), and its peer zone_ifname made
 * directly in the network namespace netns_fd (down there: net_configure_netns() brings it up),
 * with mac (NULL: the kernel's random one). mtu on both (0: the kernel's). */
int net_veth_into_netns(const char *host_ifname, const char *bridge, int netns_fd, const char *zone_ifname,
                        const uint8_t *mac, uint32_t mtu);
/* A macvlan (bridge mode) on parent, made directly in netns_fd as ifname. */
int net_macvlan_into_netns(const char *parent, int netns_fd, const char *ifname, const uint8_t *mac);
/* The same as an ipvlan (L2). -EOPNOTSUPP where the kernel has no ipvlan: that is the kernel's
 * answer to the request, not a guess. */
int net_ipvlan_into_netns(const char *parent, int netns_fd, const char *ifname);
/* Whether the kernel has ipvlan: 1, 0, -errno. It asks the kernel for an ipvlan without a parent,
 * which one with ipvlan refuses as invalid and one without as an unknown kind: nothing is made. */
int net_ipvlan_supported(void);

/* In the network namespace netns_fd (from a short-lived thread that enters it; the caller stays
 * where it is): lo up, ifname's mtu (0: unchanged), ifname up, its addresses (no duplicate address
 * detection), and default routes via the gateways that are on the network of one of the addresses
 * (the others are skipped: a zone with only an IPv4 address gets no IPv6 route). */
int net_configure_netns(int netns_fd, const char *ifname, const InetPrefix *addresses, size_t n_addresses,
                        const InetPrefix *gateways, size_t n_gateways, uint32_t mtu);

/* Bytes received and sent on ifname, in the caller's network namespace. */
int net_link_stats(const char *ifname, uint64_t *ret_rx, uint64_t *ret_tx);
