/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "zone-network-dbus.h"
#include "zone.h"

/* A zone's network changed by a call (SetNetwork): checked against the other zones (addresses,
 * host ports), saved in its file, announced (PropertiesChanged), and its forwards applied at once
 * if it runs. Nothing changes when any of it is refused. */
int zone_set_network(Zone *z, const ZoneNetworkRequest *q, sd_bus_error *error);

/* Another zone than z that forwards that host port (same protocol), or NULL. */
Zone *manager_port_owner(Manager *m, const PortForward *p, const Zone *z);

/* The zone's MAC address: its file's, else one derived from its machine id. */
void zone_network_mac(Zone *z, uint8_t ret[static 6]);
/* Bytes the zone received and sent on its link (the host side of its veth), this boot; -ENXIO
 * when it has no link. */
int zone_network_traffic(Zone *z, uint64_t *ret_rx, uint64_t *ret_tx);
/* ListNetwork's entries, (kind, name, detail), into an open a(sss). */
int manager_network_list(Manager *m, sd_bus_message *reply);
