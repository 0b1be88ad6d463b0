/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "net-address.h"

/* The [Network] section of a zone file:
 *   [Network]
 *   Mode=bridge:zbr0            none (the default) | host | bridge[:NAME] | macvlan:IFACE | ipvlan:IFACE
 *   Address=10.42.0.5/24;fd42:7a6f:6e65::5/64     or "dhcp"; written by zoned when it picks them
 *   MACAddress=02:..            optional: else derived from the machine id (net-address.h)
 *   MTU=1400                    optional
 *   Port=tcp:8080:80;udp:5353:53
 *   DNS=10.42.0.1;...           optional: nameservers for the zone's /etc/resolv.conf
 * Like [Limits], it is read, checked and taken out of the key file, so that [Zone]'s checks see
 * only their own; -EBADMSG with "FILE:LINE: ..." for an unknown key or a bad value. */
typedef struct ZoneNetwork {
        NetworkMode mode;
        char *link; /* bridge (NULL: the default bridge) or the parent interface */
        bool dhcp;  /* Address=dhcp */
        InetPrefix *addresses;
        size_t n_addresses;
        bool mac_set;
        uint8_t mac[6];
        uint32_t mtu; /* 0: the kernel's */
        PortForward *ports;
        size_t n_ports;
        InetPrefix *dns; /* addresses only (prefixlen full) */
        size_t n_dns;
} ZoneNetwork;

/* The bridge of a bridged zone: its own, else the default one. */
static inline const char *zone_network_bridge(const ZoneNetwork *n) {
        return n->link ?: NETWORK_DEFAULT_BRIDGE;
}

void zone_network_done(ZoneNetwork *n);
int zone_network_copy(const ZoneNetwork *from, ZoneNetwork *to);

int zone_config_network_load(GKeyFile *f, const char *text, const char *path, ZoneNetwork *ret,
                             char **ret_error);
void zone_config_network_save(GKeyFile *f, const ZoneNetwork *n);

/* Port forwards: add (or change the zone port of the forward of that host port) and remove one;
 * remove returns -ENOENT when there is none of that key. */
int zone_network_set_port(ZoneNetwork *n, const PortForward *p);
int zone_network_remove_port(ZoneNetwork *n, const PortForward *key);
