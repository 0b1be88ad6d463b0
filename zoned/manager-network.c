/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's side of the zones' networks, kept to match the running zones (manager-network.h). */

#include <glib.h>
#include <sys/socket.h>

#include "log.h"
#include "manager-network.h"
#include "net-link.h"
#include "net-nft.h"
#include "net-rules.h"
#include "net-sysctl.h"
#include "network-config.h"
#include "zone-network-update.h"
#include "zone-network.h"
#include "zone.h"

/* In the runtime dir: the sysctls zoned changed, with what they were (net-sysctl.h). */
#define SYSCTL_RECORD "network-sysctls"

static bool zone_is_active(const Zone *z) {
        return z->state == ZONE_STARTING || z->state == ZONE_RUNNING || z->state == ZONE_STOPPING;
}

static bool zone_is_bridged(const Zone *z) {
        return zone_is_active(z) && z->config.network.mode == NETWORK_BRIDGE;
}

static const char *zone_bridge_name(const Zone *z) {
        return zone_network_bridge(&z->config.network);
}

static const InetPrefix *first_of(const ZoneNetwork *n, int family) {
        for (size_t i = 0; i < n->n_addresses; i++)
                if (n->addresses[i].family == family)
                        return &n->addresses[i];
        return NULL;
}

static gint compare_zone_names(gconstpointer a, gconstpointer b) {
        const Zone *x = *(Zone *const *) a, *y = *(Zone *const *) b;

        return strcmp(x->name, y->name);
}

/* The active bridged zones, sorted by name: the rules' text is stable. */
static GPtrArray *bridged_zones(Manager *m) {
        GPtrArray *l = g_ptr_array_new();
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (zone_is_bridged(v))
                        g_ptr_array_add(l, v);
        g_ptr_array_sort(l, compare_zone_names);
        return l;
}

/* The rules' and the sysctls' view of the bridge name, added to bridges if it is not there. */
static int add_bridge(Manager *m, const char *name, GArray *bridges) {
        const NetworkBridge *b;
        NetRulesBridge rb;
        int r;

        for (guint i = 0; i < bridges->len; i++)
                if (streq(g_array_index(bridges, NetRulesBridge, i).name, name))
                        return 0;
        r = network_config_add_bridge(m->network_config, name, &b);
        if (r < 0)
                return r;
        rb = (NetRulesBridge) { .name = b->name,
                                .ipv4 = b->ipv4,
                                .ipv6 = b->ipv6,
                                .masquerade = b->masquerade,
                                .isolated = b->isolated,
                                .allow_host = b->allow_host };
        g_array_append_val(bridges, rb);
        return 0;
}

static void zone_rules(Zone *z, const char *host_ifname, NetRulesZone *ret) {
        const ZoneNetwork *n = &z->config.network;
        const InetPrefix *a4 = first_of(n, AF_INET), *a6 = first_of(n, AF_INET6);

        *ret = (NetRulesZone) { .name = z->name,
                                .bridge = zone_bridge_name(z),
                                .host_ifname = host_ifname,
                                .ports = n->ports,
                                .n_ports = n->n_ports };
        zone_network_mac(z, ret->mac);
        if (a4)
                ret->ipv4 = *a4;
        if (a6)
                ret->ipv6 = *a6;
}

static int apply_rules(const GArray *bridges, const GArray *zones) {
        _cleanup_free_ char *script = NULL, *nft_error = NULL;
        int r;

        if (zones->len == 0) {
                r = net_nft_remove(&nft_error);
                if (r == -EOPNOTSUPP) /* no nf_tables in this kernel: no tables of zoned either */
                        return 0;
                return r < 0 ? log_warning_errno(r, "Cannot remove zoned's nftables tables: %s",
                                                 nft_error ?: strerror(-r))
                             : 0;
        }
        r = net_rules_build((const NetRulesBridge *) (void *) bridges->data, bridges->len,
                            (const NetRulesZone *) (void *) zones->data, zones->len, &script);
        if (r < 0)
                return log_warning_errno(r, "Cannot build the zones' nftables rules: %m");
        r = net_nft_apply(script, &nft_error);
        if (r < 0)
                return log_warning_errno(r, "nftables refused the zones' rules: %s",
                                         nft_error ?: strerror(-r));
        return 0;
}

/* Connections from other hosts to port forwards, and the answers to a masquerading bridge's
 * zones, come in on the host's uplinks: they are forwarded only where the interface they come in
 * on has its forwarding switch on. */
static bool uplinks_needed(const GPtrArray *zones, const GArray *bridges) {
        for (guint i = 0; i < zones->len; i++)
                if (((const Zone *) zones->pdata[i])->config.network.n_ports > 0)
                        return true;
        for (guint i = 0; i < bridges->len; i++)
                if (g_array_index(bridges, NetRulesBridge, i).masquerade)
                        return true;
        return false;
}

static bool is_bridge(const GArray *bridges, const char *name) {
        for (guint i = 0; i < bridges->len; i++)
                if (streq(g_array_index(bridges, NetRulesBridge, i).name, name))
                        return true;
        return false;
}

static int want_uplinks(Manager *m, const GArray *bridges, bool ipv6, char ***wanted) {
        _cleanup_strv_free_ char **found = NULL;
        char *const *uplinks = m->network_config->uplinks;
        int r;

        if (!uplinks) {
                r = net_default_route_links(&found);
                if (r < 0)
                        return log_warning_errno(r, "Cannot read the host's default routes: %m");
                uplinks = found;
        }
        for (char *const *u = uplinks; *u; u++) {
                if (is_bridge(bridges, *u)) /* a bridge's own switches are set already */
                        continue;
                r = net_sysctls_want_uplink(*u, ipv6, wanted);
                if (r < 0)
                        return log_warning_errno(r, "Cannot say the sysctls of uplink %s: %m", *u);
        }
        return 0;
}

static int apply_sysctls(Manager *m, const GPtrArray *zones, const GArray *bridges) {
        g_autofree char *path = g_build_filename(m->runtime_dir, SYSCTL_RECORD, NULL);
        _cleanup_(net_sysctls_freep) NetSysctls *s = NULL;
        _cleanup_strv_free_ char **wanted = NULL;
        bool ipv6 = false;
        int r;

        for (guint i = 0; i < bridges->len; i++) {
                const NetRulesBridge *b = &g_array_index(bridges, NetRulesBridge, i);

                r = net_sysctls_want_bridge(b->name, b->ipv6.family == AF_INET6, &wanted);
                if (r < 0)
                        return log_warning_errno(r, "Cannot say the sysctls of bridge %s: %m", b->name);
                ipv6 = ipv6 || b->ipv6.family == AF_INET6;
        }
        if (uplinks_needed(zones, bridges)) {
                r = want_uplinks(m, bridges, ipv6, &wanted);
                if (r < 0)
                        return r;
        }
        r = net_sysctls_new(path, &s);
        if (r < 0)
                return log_warning_errno(r, "Cannot read %s: %m", path);
        r = wanted ? net_sysctls_apply(s, wanted) : net_sysctls_restore_all(s);
        if (r < 0)
                return log_warning_errno(r, "Cannot set the sysctls of the zones' bridges: %m");
        return 0;
}

int manager_network_refresh(Manager *m) {
        g_autoptr(GPtrArray) zones = bridged_zones(m);
        g_autoptr(GArray) bridges = g_array_new(FALSE, TRUE, sizeof(NetRulesBridge));
        g_autoptr(GArray) rules = g_array_new(FALSE, TRUE, sizeof(NetRulesZone));
        /* The host sides of their veths, which the rules point into. */
        g_autofree char *ifnames = g_malloc0((zones->len + 1) * (IFNAME_MAX + 1));
        int r, ret = 0;

        if (!m->network_config)
                return 0;
        for (guint i = 0; i < zones->len; i++) {
                Zone *z = zones->pdata[i];
                NetRulesZone rz;

                r = add_bridge(m, zone_bridge_name(z), bridges);
                if (r < 0) {
                        log_warning_errno(r, "Zone %s: no networks for bridge %s: %m", z->name,
                                          zone_bridge_name(z));
                        continue;
                }
                zone_host_ifname(z->name, ifnames + i * (IFNAME_MAX + 1));
                zone_rules(z, ifnames + i * (IFNAME_MAX + 1), &rz);
                g_array_append_val(rules, rz);
        }
        r = apply_rules(bridges, rules);
        if (r < 0)
                ret = r;
        r = apply_sysctls(m, zones, bridges);
        if (r < 0 && ret == 0)
                ret = r;
        manager_network_clean_up(m);
        return ret;
}

static int list_entry(sd_bus_message *reply, const char *kind, const char *name, const char *detail) {
        return sd_bus_message_append(reply, "(sss)", kind, name, detail ?: "");
}

/* Each bridge zoned made, with its addresses and its zones. */
static int list_bridges(Manager *m, sd_bus_message *reply, GPtrArray *zones) {
        _cleanup_strv_free_ char **ours = NULL;
        char b4[INET_PREFIX_STRLEN], b6[INET_PREFIX_STRLEN];
        int r;

        r = net_bridges_ours(&ours);
        if (r < 0)
                return r;
        for (char **b = ours; *b; b++) {
                const NetworkBridge *nb = network_config_get_bridge(m->network_config, *b);
                g_autoptr(GString) d = g_string_new(NULL);

                if (nb && nb->ipv4.family)
                        g_string_append_printf(d, "%s ", inet_prefix_format(&nb->ipv4, b4));
                if (nb && nb->ipv6.family)
                        g_string_append_printf(d, "%s ", inet_prefix_format(&nb->ipv6, b6));
                g_string_append(d, "zones:");
                for (guint i = 0; i < zones->len; i++)
                        if (streq(zone_bridge_name(zones->pdata[i]), *b))
                                g_string_append_printf(d, " %s", ((Zone *) zones->pdata[i])->name);
                r = list_entry(reply, "bridge", *b, d->str);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int list_veths(sd_bus_message *reply, GPtrArray *zones) {
        char ifname[IFNAME_MAX + 1];
        int r;

        for (guint i = 0; i < zones->len; i++) {
                Zone *z = zones->pdata[i];
                g_autofree char *d = g_strdup_printf("zone %s, on %s", z->name, zone_bridge_name(z));

                zone_host_ifname(z->name, ifname);
                if (net_link_exists(ifname) <= 0)
                        continue;
                r = list_entry(reply, "veth", ifname, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int list_tables(sd_bus_message *reply) {
        NetNftTable t[NET_NFT_N_TABLES];
        int r;

        r = net_nft_list(t);
        if (r == -EOPNOTSUPP)
                return 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < NET_NFT_N_TABLES; i++) {
                g_autofree char *name = g_strdup_printf("%s " NET_RULES_TABLE, t[i].family);
                g_autofree char *d = g_strdup_printf("%u chains, %u rules", t[i].n_chains, t[i].n_rules);

                if (!t[i].present)
                        continue;
                r = list_entry(reply, "nftables", name, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int list_sysctls(Manager *m, sd_bus_message *reply) {
        g_autofree char *path = g_build_filename(m->runtime_dir, SYSCTL_RECORD, NULL);
        _cleanup_(net_sysctls_freep) NetSysctls *s = NULL;
        int r;

        r = net_sysctls_new(path, &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n_entries; i++) {
                g_autofree char *d = g_strdup_printf("%s (was %s)", s->entries[i].value,
                                                     s->entries[i].original);

                r = list_entry(reply, "sysctl", s->entries[i].key, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The forwards of the running zones: nftables takes them on the host's IPv4 addresses and
 * global IPv6 ones, the zone's supervisor on [::1]. */
static int list_forwards(sd_bus_message *reply, GPtrArray *zones) {
        char buf[PORT_FORWARD_STRLEN];
        int r;

        for (guint i = 0; i < zones->len; i++) {
                Zone *z = zones->pdata[i];
                const ZoneNetwork *n = &z->config.network;

                if (z->state != ZONE_RUNNING)
                        continue;
                for (size_t j = 0; j < n->n_ports; j++) {
                        g_autofree char *d = g_strdup_printf("zone %s port %u", z->name,
                                                             n->ports[j].zone_port);
                        PortForward key = { n->ports[j].protocol, n->ports[j].host_port, 0 };

                        r = list_entry(reply, "forward", port_forward_format(&key, buf), d);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int manager_network_list(Manager *m, sd_bus_message *reply) {
        g_autoptr(GPtrArray) zones = bridged_zones(m);
        int r;

        r = list_bridges(m, reply, zones);
        if (r >= 0)
                r = list_veths(reply, zones);
        if (r >= 0)
                r = list_tables(reply);
        if (r >= 0)
                r = list_sysctls(m, reply);
        if (r >= 0)
                r = list_forwards(reply, zones);
        return r;
}
