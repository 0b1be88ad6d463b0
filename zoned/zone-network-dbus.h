/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "zone-config-network.h"
#include "zone.h"

/* The network on the bus: SetNetwork (Zone) and SetZoneNetwork (Manager), the network options of
 * CreateZone, the properties NetworkMode, Addresses, MACAddress, PortForwards (PropertiesChanged
 * when they change) and NetworkRXBytes/NetworkTXBytes (read on request).
 *
 * The keys of SetZoneNetwork's a{sv} (and of CreateZone's, the first two):
 *   NetworkMode s   "none", "host", "bridge", "bridge:NAME", "macvlan:IFACE", "ipvlan:IFACE"
 *   Addresses as    "10.42.0.20/24", "fd42:7a6f:6e65::20/64", or "dhcp"; [] lets zoned pick
 *   DNS as          nameservers for the zone's /etc/resolv.conf; [] for none
 *   MTU u           0 for the kernel's
 *   PortForwards a(sqq)      protocol ("tcp", "udp"), host port, zone port: the whole set
 *   AddPortForwards a(sqq)   added, or replacing the forward of the same host port and protocol
 *   RemovePortForwards a(sq) removed (each must exist)
 * Mode, addresses, DNS and MTU of a running zone take effect at its next boot; forwards at once. */

/* What one call asks for. */
typedef struct ZoneNetworkRequest {
        const char *mode; /* points into the message */
        bool addresses_set;
        char **addresses;
        bool dns_set;
        char **dns;
        bool mtu_set;
        uint32_t mtu;
        bool ports_set;
        PortForward *ports;
        size_t n_ports;
        PortForward *add;
        size_t n_add;
        PortForward *remove;
        size_t n_remove;
} ZoneNetworkRequest;

void zone_network_request_done(ZoneNetworkRequest *q);

/* One entry of an a{sv} (a bus_option_unknown_func of bus-options.h): a key above into the
 * ZoneNetworkRequest userdata; -ENOENT for another key. */
int bus_read_network(sd_bus_message *msg, const char *key, void *userdata, sd_bus_error *error);

/* The request applied over a zone's network (from), checked, into *to: InvalidArgs naming what is
 * wrong. Mode and addresses only; the Manager checks pools and ports across zones. */
int zone_network_from_request(const ZoneNetwork *from, const ZoneNetworkRequest *q, ZoneNetwork *to,
                              sd_bus_error *error);

int zone_method_set_network(sd_bus_message *m, Zone *z, sd_bus_error *error);
int zone_object_set_network(sd_bus_message *m, void *userdata, sd_bus_error *error);
int manager_method_set_zone_network(sd_bus_message *m, void *userdata, sd_bus_error *error);
int manager_method_list_network(sd_bus_message *m, void *userdata, sd_bus_error *error);

int zone_property_get_network(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error);

#define ZONE_NETWORK_PROPERTY(name, type) \
        SD_BUS_PROPERTY(name, type, zone_property_get_network, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

/* The vtable entries of org.zoned1.Zone for its network. */
#define ZONE_NETWORK_VTABLE                                                                                \
        ZONE_NETWORK_PROPERTY("NetworkMode", "s"), ZONE_NETWORK_PROPERTY("Addresses", "a(ys)"),            \
                ZONE_NETWORK_PROPERTY("MACAddress", "s"), ZONE_NETWORK_PROPERTY("PortForwards", "a(sqq)"), \
                SD_BUS_PROPERTY("NetworkRXBytes", "t", zone_property_get_network, 0, 0),                   \
                SD_BUS_PROPERTY("NetworkTXBytes", "t", zone_property_get_network, 0, 0),                   \
                SD_BUS_METHOD_WITH_NAMES("SetNetwork", "a{sv}", SD_BUS_PARAM(settings), NULL, ,            \
                                         zone_object_set_network, SD_BUS_VTABLE_UNPRIVILEGED)

#define MANAGER_NETWORK_VTABLE                                                                          \
        SD_BUS_METHOD_WITH_NAMES("SetZoneNetwork", "sa{sv}", SD_BUS_PARAM(name) SD_BUS_PARAM(settings), \
                                 NULL, , manager_method_set_zone_network, SD_BUS_VTABLE_UNPRIVILEGED),  \
                SD_BUS_METHOD_WITH_NAMES("ListNetwork", NULL, , "a(sss)", SD_BUS_PARAM(entries),        \
                                         manager_method_list_network, SD_BUS_VTABLE_UNPRIVILEGED)
