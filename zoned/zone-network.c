/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "bus-errors.h"
#include "log.h"
#include "net-link.h"
#include "network-config.h"
#include "zone-network.h"

int zone_bridge_addresses(Manager *m, const char *bridge, InetPrefix **ret, size_t *ret_n,
                          uint32_t *ret_mtu) {
        g_autofree InetPrefix *a = g_new0(InetPrefix, 2);
        const NetworkBridge *b;
        size_t n = 0;
        int r;

        if (!m->network_config)
                return -ENOPKG;
        /* A zone file edited by hand may name a bridge no other zone has: it gets its networks. */
        r = network_config_add_bridge(m->network_config, bridge, &b);
        if (r < 0)
                return r;
        if (b->ipv4.family)
                a[n++] = b->ipv4;
        if (b->ipv6.family)
                a[n++] = b->ipv6;
        *ret = g_steal_pointer(&a);
        *ret_n = n;
        if (ret_mtu)
                *ret_mtu = b->mtu;
        return 0;
}

static int prefixes_to_strv(const InetPrefix *a, size_t n, bool address_only, char ***ret) {
        _cleanup_strv_free_ char **l = new0(char *, 1);
        char buf[INET_PREFIX_STRLEN];

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (strv_extend(&l, address_only ? inet_address_format(a[i].family, &a[i].addr, buf)
                                                 : inet_prefix_format(&a[i], buf)) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int zone_network_ports_strv(const ZoneNetwork *n, char ***ret) {
        _cleanup_strv_free_ char **l = new0(char *, 1);
        char buf[PORT_FORWARD_STRLEN];

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n->n_ports; i++)
                if (strv_extend(&l, port_forward_format(&n->ports[i], buf)) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static int plan_ports(const ZoneNetwork *n, LaunchPlan *p) {
        p->network_ports = strv_free(p->network_ports);
        return zone_network_ports_strv(n, &p->network_ports);
}

static int plan_gateways(Zone *z, const ZoneNetwork *n, LaunchPlan *p) {
        g_autofree InetPrefix *gw = NULL;
        size_t n_gw = 0;
        int r;

        if (n->mode != NETWORK_BRIDGE)
                return 0;
        r = zone_bridge_addresses(z->manager, zone_network_bridge(n), &gw, &n_gw, NULL);
        if (r < 0)
                return r;
        p->network_gateways = strv_free(p->network_gateways);
        return prefixes_to_strv(gw, n_gw, false, &p->network_gateways);
}

int zone_network_plan(Zone *z, LaunchPlan *p) {
        const ZoneNetwork *n = &z->config.network;
        char ifname[IFNAME_MAX + 1], buf[MAC_STRLEN];
        uint8_t mac[6];
        int r;

        p->network_mode = n->mode;
        if (n->mode == NETWORK_NONE || n->mode == NETWORK_HOST)
                return 0;
        p->network_link = g_strdup(n->mode == NETWORK_BRIDGE ? zone_network_bridge(n) : n->link);
        if (n->mode == NETWORK_BRIDGE) {
                zone_host_ifname(z->name, ifname);
                p->network_host_ifname = g_strdup(ifname);
        }
        /* An ipvlan has its parent's MAC address. */
        if (n->mode != NETWORK_IPVLAN) {
                if (n->mac_set)
                        memcpy(mac, n->mac, sizeof(mac));
                else
                        mac_address_from_seed(z->config.machine_id, mac);
                p->network_mac = g_strdup(mac_address_format(mac, buf));
        }
        p->network_dhcp = n->dhcp;
        p->network_mtu = n->mtu;
        p->network_addresses = strv_free(p->network_addresses);
        r = prefixes_to_strv(n->addresses, n->n_addresses, false, &p->network_addresses);
        if (r >= 0)
                r = plan_gateways(z, n, p);
        if (r >= 0)
                r = plan_ports(n, p);
        if (r >= 0) {
                p->network_dns = strv_free(p->network_dns);
                r = prefixes_to_strv(n->dns, n->n_dns, true, &p->network_dns);
        }
        return r;
}

static int ensure_bridge(Zone *z, const char *bridge, sd_bus_error *error) {
        g_autofree InetPrefix *a = NULL;
        uint32_t mtu = 0;
        size_t n = 0;
        int r;

        r = zone_bridge_addresses(z->manager, bridge, &a, &n, &mtu);
        if (r == -ENOSPC)
                return sd_bus_error_setf(error, ZONED_ERROR_POOL_EXHAUSTED,
                                         "Zone %s: the pools have no free network left for bridge %s.",
                                         z->name, bridge);
        if (r >= 0)
                r = net_bridge_ensure(bridge, a, n, mtu);
        if (r == -ENOTTY)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Zone %s: %s is an interface of the host but not a bridge.",
                                         z->name, bridge);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Zone %s: cannot make bridge %s: %m", z->name,
                                               bridge);
        if (r > 0)
                log_info("Made bridge %s for zone %s.", bridge, z->name);
        return 0;
}

int zone_network_prepare(Zone *z, sd_bus_error *error) {
        const ZoneNetwork *n = &z->config.network;
        int r;

        switch (n->mode) {
        case NETWORK_HOST:
                /* A user namespace that does not own the network namespace it is in cannot mount
                 * /sys: such a zone would see the host's, which a zone of its own users must not. */
                if (z->config.private_users)
                        return sd_bus_error_setf(error, ZONED_ERROR_NETWORK_MODE_UNSUPPORTED,
                                                 "Zone %s: Mode=host needs PrivateUsers=no (a zone with "
                                                 "its own users cannot share the host's network).",
                                                 z->name);
                return 0;
        case NETWORK_IPVLAN:
                r = net_ipvlan_supported();
                if (r == 0)
                        return sd_bus_error_setf(error, ZONED_ERROR_NETWORK_MODE_UNSUPPORTED,
                                                 "Zone %s: this kernel has no ipvlan (Mode=macvlan:%s is "
                                                 "the nearest).",
                                                 z->name, n->link);
                if (r < 0)
                        return sd_bus_error_set_errnof(
                                error, r, "Zone %s: cannot ask the kernel for ipvlan: %m", z->name);
                return 0;
        case NETWORK_BRIDGE:
                return ensure_bridge(z, zone_network_bridge(n), error);
        default:
                return 0;
        }
}

static bool zone_is_active(Zone *z) {
        return z->state == ZONE_STARTING || z->state == ZONE_RUNNING || z->state == ZONE_STOPPING;
}

static bool bridge_in_use(Manager *m, const char *bridge) {
        GHashTableIter i;
        gpointer v;

        g_hash_table_iter_init(&i, m->zones);
        while (g_hash_table_iter_next(&i, NULL, &v)) {
                Zone *z = v;

                if (zone_is_active(z) && z->config.network.mode == NETWORK_BRIDGE &&
                    streq(zone_network_bridge(&z->config.network), bridge))
                        return true;
        }
        return false;
}

void manager_network_clean_up(Manager *m) {
        _cleanup_strv_free_ char **ours = NULL;
        int r;

        r = net_bridges_ours(&ours);
        if (r < 0) {
                log_warning_errno(r, "Cannot list the bridges zoned made: %m");
                return;
        }
        for (char **b = ours; *b; b++) {
                if (bridge_in_use(m, *b))
                        continue;
                r = net_link_remove(*b);
                if (r < 0)
                        log_warning_errno(r, "Cannot remove bridge %s: %m", *b);
                else if (r > 0)
                        log_info("Removed bridge %s: no zone is on it.", *b);
        }
}
