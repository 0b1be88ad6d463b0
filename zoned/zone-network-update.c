/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SetNetwork: a zone's network changed, checked, saved, announced, applied (zone-network-update.h). */

#include <glib.h>

#include "bus-errors.h"
#include "zone-network-update.h"

Zone *manager_port_owner(Manager *m, const PortForward *p, const Zone *z) {
        GHashTableIter it;
        gpointer value;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                Zone *other = value;

                if (other == z)
                        continue;
                for (size_t i = 0; i < other->config.network.n_ports; i++)
                        if (port_forward_same_key(&other->config.network.ports[i], p))
                                return other;
        }
        return NULL;
}

/* Host ports are the host's: two zones cannot forward the same one. */
static int check_ports(Zone *z, const ZoneNetwork *n, sd_bus_error *error) {
        char buf[PORT_FORWARD_STRLEN];

        for (size_t i = 0; i < n->n_ports; i++) {
                Zone *owner = manager_port_owner(z->manager, &n->ports[i], z);
                PortForward key = { n->ports[i].protocol, n->ports[i].host_port, 0 };

                if (owner)
                        return sd_bus_error_setf(error, ZONED_ERROR_PORT_IN_USE,
                                                 "Host port %s is forwarded to zone %s.",
                                                 port_forward_format(&key, buf), owner->name);
        }
        return 0;
}

static bool ports_equal(const ZoneNetwork *a, const ZoneNetwork *b) {
        if (a->n_ports != b->n_ports)
                return false;
        for (size_t i = 0; i < a->n_ports; i++)
                if (memcmp(&a->ports[i], &b->ports[i], sizeof(PortForward)) != 0)
                        return false;
        return true;
}

static void emit_network_changed(Zone *z) {
        static const char *const names[] = { "NetworkMode", "Addresses", "MACAddress", "PortForwards",
                                             NULL };

        zone_emit_properties_changed(z, names);
}

int zone_set_network(Zone *z, const ZoneNetworkRequest *q, sd_bus_error *error) {
        g_autofree char *path = zone_config_path(z);
        _cleanup_(zone_network_done) ZoneNetwork next = {};
        ZoneNetwork old;
        bool ports_changed;
        int r;

        r = zone_reload_config(z, error);
        if (r < 0)
                return r;
        r = zone_network_from_request(&z->config.network, q, &next, error);
        if (r < 0)
                return r;
        r = check_ports(z, &next, error);
        if (r < 0)
                return r;
        r = zone_network_check_addresses(z, &next, error);
        if (r < 0)
                return r;
        ports_changed = !ports_equal(&z->config.network, &next);
        /* Saved with the new network; the zone keeps its old one if that fails. */
        old = z->config.network;
        z->config.network = next;
        r = zone_config_save(path, &z->config);
        if (r < 0) {
                z->config.network = old;
                return sd_bus_error_set_errnof(error, r, "Cannot write the file of zone %s: %m", z->name);
        }
        next = old; /* freed on return */
        emit_network_changed(z);
        if (ports_changed)
                zone_network_ports_changed(z);
        return 0;
}
