/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* What zoned keeps on the host for the zones' networks, made to match the zones: the bridges of
 * the zones that run (net-link.h; made when a zone boots, zone-network.h), zoned's nftables
 * tables (net-rules.h, net-nft.h) with the forwards and anti-spoofing rules of the running bridged
 * zones, and the sysctls those bridges need (net-sysctl.h, recorded in the runtime dir). Refreshed
 * whenever a zone starts or stops and when forwards change, and at start (after the running zones
 * are re-adopted): with no bridged zone running, all of it is gone and the sysctls are back. */
int manager_network_refresh(Manager *m);

/* ListNetwork's entries, (kind, name, detail), into an open a(sss). */
int manager_network_list(Manager *m, sd_bus_message *reply);
