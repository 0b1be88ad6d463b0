/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "bus-errors.h"
#include "network-config.h"
#include "network-pool.h"
#include "zone-network-alloc.h"
#include "zone.h"

/* The addresses of the other zones on that bridge, and the name of the zone that holds each. */
static void gather_addresses(Manager *m, const char *zone_name, const char *bridge, GArray *taken,
                             GPtrArray *owners) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                const Zone *z = v;
                const ZoneNetwork *o = &z->config.network;

                if (streq(z->name, zone_name) || o->mode != NETWORK_BRIDGE ||
                    !streq(zone_network_bridge(o), bridge))
                        continue;
                for (size_t i = 0; i < o->n_addresses; i++) {
                        g_array_append_val(taken, o->addresses[i]);
                        g_ptr_array_add(owners, z->name);
                }
        }
}

static const char *owner_of(GArray *taken, GPtrArray *owners, const InetPrefix *clash) {
        size_t i = (size_t) (clash - (const InetPrefix *) (void *) taken->data);

        return i < owners->len ? owners->pdata[i] : "?";
}

/* Sets error and returns r: the errno stays what the helpers said, whatever the name maps to. */
#define set_error(r, error, name, ...) (sd_bus_error_setf((error), (name), __VA_ARGS__), (r))

static int bridge_error(int r, const char *bridge, sd_bus_error *error) {
        if (r == -ENOSPC)
                return set_error(r, error, ZONED_ERROR_POOL_EXHAUSTED,
                                 "The pools have no free network left for bridge %s.", bridge);
        if (r == -EINVAL)
                return set_error(r, error, ZONED_ERROR_INVALID_NAME,
                                 "Bridge name \"%s\" is not an interface name.", bridge);
        return sd_bus_error_set_errnof(error, r, "Cannot keep the networks of bridge %s: %m", bridge);
}

/* The addresses a zone names, checked against the bridge and the other zones'. */
static int check_addresses(const NetworkBridge *b, const ZoneNetwork *n, GArray *taken, GPtrArray *owners,
                           sd_bus_error *error) {
        InetPrefix net4 = inet_prefix_network(&b->ipv4), net6 = inet_prefix_network(&b->ipv6);
        char buf[INET_PREFIX_STRLEN], n6[INET_PREFIX_STRLEN], b4[INET_PREFIX_STRLEN], b6[INET_PREFIX_STRLEN];
        const InetPrefix *clash = NULL;
        int r;

        r = network_pool_check(b, (const InetPrefix *) (void *) taken->data, taken->len, n->addresses,
                               n->n_addresses, &clash);
        if (r == -EADDRINUSE)
                return set_error(r, error, ZONED_ERROR_ADDRESS_IN_USE, "Address %s is zone %s's.",
                                 inet_prefix_format(clash, buf), owner_of(taken, owners, clash));
        if (r == -EINVAL)
                return set_error(r, error, SD_BUS_ERROR_INVALID_ARGS,
                                 "A zone has at most one IPv4 and one IPv6 address.");
        if (r < 0)
                return set_error(r, error, ZONED_ERROR_ADDRESS_NOT_IN_POOL,
                                 "A zone's address on bridge %s is a host of %s or %s, other than the "
                                 "bridge's own %s and %s.",
                                 b->name, inet_prefix_format(&net4, buf), inet_prefix_format(&net6, n6),
                                 inet_prefix_format(&b->ipv4, b4), inet_prefix_format(&b->ipv6, b6));
        return 0;
}

static int bridge_addresses(Manager *m, const char *zone_name, ZoneNetwork *n, sd_bus_error *error) {
        g_autoptr(GArray) taken = g_array_new(FALSE, FALSE, sizeof(InetPrefix));
        g_autoptr(GPtrArray) owners = g_ptr_array_new();
        const char *bridge = zone_network_bridge(n);
        const NetworkBridge *b;
        InetPrefix picked[2];
        int r;

        r = network_config_add_bridge(m->network_config, bridge, &b);
        if (r < 0)
                return bridge_error(r, bridge, error);
        if (n->dhcp)
                return 0;
        gather_addresses(m, zone_name, bridge, taken, owners);
        if (n->n_addresses > 0)
                return check_addresses(b, n, taken, owners, error);
        r = network_pool_pick(b, (const InetPrefix *) (void *) taken->data, taken->len, picked);
        if (r < 0)
                return set_error(r, error, ZONED_ERROR_POOL_EXHAUSTED,
                                 "Bridge %s has no free address left for a zone.", bridge);
        n->addresses = g_new(InetPrefix, 2);
        memcpy(n->addresses, picked, sizeof(picked));
        n->n_addresses = 2;
        return 0;
}

/* The host ports the other zones forward. */
static GArray *gather_ports(Manager *m, const char *zone_name, GPtrArray *owners) {
        GArray *taken = g_array_new(FALSE, FALSE, sizeof(PortForward));
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                const Zone *z = v;

                if (streq(z->name, zone_name))
                        continue;
                for (size_t i = 0; i < z->config.network.n_ports; i++) {
                        g_array_append_val(taken, z->config.network.ports[i]);
                        g_ptr_array_add(owners, z->name);
                }
        }
        return taken;
}

static int check_ports(Manager *m, const char *zone_name, const PortForward *ports, size_t n_ports,
                       sd_bus_error *error) {
        g_autoptr(GPtrArray) owners = g_ptr_array_new();
        g_autoptr(GArray) taken = gather_ports(m, zone_name, owners);
        const PortForward *clash = NULL;
        const char *owner = "?";
        int r;

        r = network_ports_check(ports, n_ports, (const PortForward *) (void *) taken->data, taken->len,
                                &clash);
        if (r >= 0)
                return 0;
        for (guint i = 0; i < taken->len; i++)
                if (port_forward_same_key(&g_array_index(taken, PortForward, i), clash))
                        owner = owners->pdata[i];
        return set_error(r, error, ZONED_ERROR_PORT_IN_USE,
                         "Host port %s/%u is forwarded to zone %s already.",
                         ip_protocol_to_string(clash->protocol), clash->host_port, owner);
}

int zone_network_allocate(Manager *m, const char *zone_name, ZoneNetwork *n, sd_bus_error *error) {
        int r;

        if (n->mode == NETWORK_BRIDGE) {
                r = bridge_addresses(m, zone_name, n, error);
                if (r < 0)
                        return r;
        }
        return check_ports(m, zone_name, n->ports, n->n_ports, error);
}

int zone_network_check_port(Manager *m, const char *zone_name, const PortForward *p, sd_bus_error *error) {
        return check_ports(m, zone_name, p, 1, error);
}

int zone_network_forget_bridges(Manager *m) {
        g_autoptr(GPtrArray) used = g_ptr_array_new();
        GHashTableIter it;
        gpointer v;

        if (!m->network_config)
                return 0;
        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                const Zone *z = v;

                if (z->config.network.mode == NETWORK_BRIDGE)
                        g_ptr_array_add(used, (gpointer) zone_network_bridge(&z->config.network));
        }
        g_ptr_array_add(used, NULL);
        return network_config_forget_unused(m->network_config, (char *const *) used->pdata);
}
