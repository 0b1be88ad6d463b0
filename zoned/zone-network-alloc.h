/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"
#include "zone-config-network.h"

/* A zone's addresses and port forwards among the manager's zones: what the other zones' files
 * hold is taken (network-pool.h). The new zone must be in m->zones with n as its config before
 * the event loop runs again, so that the next zone sees what this one got. */

/* For a bridge zone (n->mode NETWORK_BRIDGE, not dhcp): makes sure its bridge exists (an
 * automatic one gets its networks, network-config.h), then fills n->addresses with its IPv4
 * address and IPv6 twin if it has none, or checks the ones it names. For every mode, checks that
 * no other zone forwards one of n's host ports. zone_name is the zone's own (its own file is not
 * "another zone's"). On failure, error is set (a D-Bus method returns it as it is) and:
 *   -ENOSPC         PoolExhausted (no address left on the bridge, or no network for a new bridge)
 *   -EADDRNOTAVAIL  AddressNotInPool
 *   -EADDRINUSE     AddressInUse, or PortInUse
 *   -EINVAL         InvalidArgs (two addresses of a family), InvalidName (a bridge name that is
 *                   not an interface name)
 * m->network_config must be loaded. */
int zone_network_allocate(Manager *m, const char *zone_name, ZoneNetwork *n, sd_bus_error *error);

/* Whether a forward another zone has already takes p's host port (-EADDRINUSE, PortInUse): for
 * a forward added to a zone that exists. */
int zone_network_check_port(Manager *m, const char *zone_name, const PortForward *p, sd_bus_error *error);

/* Forgets the automatic bridges that no zone names any more (after a zone is removed). */
int zone_network_forget_bridges(Manager *m);
