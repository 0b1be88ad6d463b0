/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "zone-network-dbus.h"
#include "zone.h"

/* A zone's network changed by a call (SetNetwork): checked against the other zones (addresses,
 * host ports), saved in its file, announced (PropertiesChanged), and its forwards applied at once
 * if it runs. Mode and addresses change only while the zone is stopped (Busy). Nothing changes
 * when any of it is refused. */
int zone_set_network(Zone *z, const ZoneNetworkRequest *q, sd_bus_error *error);

/* The zone's forwards changed: the rules of the host, and the [::1] proxy of its supervisor if
 * it runs. */
void zone_network_ports_changed(Zone *z);

/* The zone's MAC address: its file's, else one derived from its machine id. */
void zone_network_mac(Zone *z, uint8_t ret[static 6]);
/* Bytes the zone received and sent on its link (the host side of its veth), this boot; -ENXIO
 * when it has no veth (not bridged, or not running). */
int zone_network_traffic(Zone *z, uint64_t *ret_rx, uint64_t *ret_tx);
