/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SetNetwork: a zone's network changed, checked, saved, announced, applied (zone-network-update.h). */

#include <glib.h>

#include <sys/socket.h>

#include "bus-errors.h"
#include "log.h"
#include "manager-network.h"
#include "net-link.h"
#include "supervisor-link.h"
#include "zone-dbus.h"
#include "zone-network-alloc.h"
#include "zone-network-update.h"
#include "zone-network.h"

/* Addresses and mode are in the running zone's nftables rules and links: they change while it is
 * stopped. */
static int check_running(Zone *z, const ZoneNetwork *next, sd_bus_error *error) {
        const ZoneNetwork *n = &z->config.network;
        bool same = n->mode == next->mode && streq_ptr(n->link, next->link) && n->dhcp == next->dhcp &&
                    n->n_addresses == next->n_addresses;

        for (size_t i = 0; same && i < n->n_addresses; i++)
                same = inet_prefix_equal(&n->addresses[i], &next->addresses[i]);
        if (same || z->state == ZONE_STOPPED || z->state == ZONE_FAILED)
                return 0;
        return sd_bus_error_setf(error, ZONED_ERROR_BUSY,
                                 "Zone %s is %s: its network mode and addresses change while it is "
                                 "stopped.",
                                 z->name, zone_state_to_string(z->state));
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
        r = check_running(z, &next, error);
        if (r < 0)
                return r;
        /* Checks the other zones' addresses and host ports, picks addresses if none are named. */
        r = zone_network_allocate(z->manager, z->name, &next, error);
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

void zone_network_ports_changed(Zone *z) {
        _cleanup_strv_free_ char **ports = NULL;
        int r;

        (void) manager_network_refresh(z->manager);
        if (!z->link || z->state != ZONE_RUNNING)
                return;
        /* [::1] is the supervisor's: it serves the new set at once (addresses unchanged). */
        r = zone_network_ports_strv(&z->config.network, &ports);
        if (r >= 0)
                r = supervisor_link_set_ports(z->link, ports, NULL, NULL, NULL);
        if (r < 0)
                log_warning_errno(r, "Zone %s: cannot give its supervisor the new forwards: %m", z->name);
}

void zone_network_mac(Zone *z, uint8_t ret[static 6]) {
        if (z->config.network.mac_set)
                memcpy(ret, z->config.network.mac, 6);
        else /* a broken zone file may have no machine id: the name then, as a stable seed */
                mac_address_from_seed(z->config.machine_id ?: z->name, ret);
}

int zone_network_traffic(Zone *z, uint64_t *ret_rx, uint64_t *ret_tx) {
        char ifname[IFNAME_MAX + 1];

        if (z->config.network.mode != NETWORK_BRIDGE || !z->link)
                return -ENXIO;
        zone_host_ifname(z->name, ifname);
        /* The host side: what it received is what the zone sent. */
        return net_link_stats(ifname, ret_tx, ret_rx);
}
