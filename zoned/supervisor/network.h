/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "launch-plan.h"

/* The zone's network, as its plan says (launch-plan.h): the supervisor makes the zone's link once
 * the zone's network namespace exists and before the init runs (the child waits for
 * "NETWORK=<errno>", zone-spawn.h): for a bridged zone a veth pair, network_host_ifname on the
 * bridge (zoned made it) and ZONE_IFNAME in the zone's namespace; for macvlan and ipvlan a link
 * of that kind on network_link, made in the zone's namespace. Then it configures the zone's side
 * from there (net-link.h): lo, MTU, addresses, default routes. Nothing outlives the namespace:
 * the veth goes with it when the zone's last process dies, whatever killed the supervisor. */

/* Whether the zone has a link of its own to make (bridge, macvlan, ipvlan). */
bool zone_network_has_link(const LaunchPlan *plan);
/* Whether the zone keeps the host's network namespace (host mode). */
static inline bool zone_network_is_host(const LaunchPlan *plan) {
        return plan->network_mode == NETWORK_HOST;
}

/* Makes and configures the zone's link in netns_fd, the zone's network namespace. */
int zone_network_setup(const LaunchPlan *plan, int netns_fd);

/* In the zone, as its root, after it changed into its root: /etc/resolv.conf with the plan's
 * nameservers (replaced, also a symlink); nothing without any. */
int zone_network_write_resolv_conf(const LaunchPlan *plan);
