/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "launch-plan.h"
#include "zone.h"

/* zoned's side of a zone's network: what of the [Network] section goes into the launch plan, the
 * bridges zoned makes on the host for bridged zones (net-link.h), and their removal once no zone
 * is on them. The supervisor makes the zone's links (supervisor/network.h). */

/* The addresses of a bridge zoned makes (its zones' gateway, from zoned's network configuration,
 * network-config.h) and its MTU (0: the kernel's; ret_mtu may be NULL). */
int zone_bridge_addresses(Manager *m, const char *bridge, InetPrefix **ret, size_t *ret_n,
                          uint32_t *ret_mtu);

/* The zone's forwards as port_forward_format() texts, NULL-terminated. */
int zone_network_ports_strv(const ZoneNetwork *n, char ***ret);

/* Fills the plan's network fields from the zone's configuration. */
int zone_network_plan(Zone *z, LaunchPlan *p);

/* Before the zone's supervisor starts: refuses a mode the host cannot give the zone
 * (org.zoned1.Error.NetworkModeUnsupported), and makes the zone's bridge if it is missing. */
int zone_network_prepare(Zone *z, sd_bus_error *error);

/* Removes the bridges zoned made that no zone is on (starting, running or stopping); part of
 * manager_network_refresh() (manager-network.h). */
void manager_network_clean_up(Manager *m);
