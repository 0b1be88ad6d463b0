/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "network-config.h"

/* The bridges' networks: zbr0's defaults, what the pools give bridges that have no addresses of
 * their own, the state file that keeps those, and the rule that no two bridges' networks
 * overlap. Used by network-config.c only. */

/* The first /24 and /64 of the pools, with host address 1: zbr0's unless configured. */
void network_bridges_first(const NetworkConfig *c, int family, InetPrefix *ret);

/* -EBADMSG with "FILE:LINE: ..." (the line of b's key in path's text, of its section if the key
 * is not there) if one of b's networks overlaps another bridge's. */
int network_bridges_check_overlap(const NetworkConfig *c, const NetworkBridge *b, const char *path,
                                  const char *text, char **ret_error);

/* After the file: the state file's addresses for the bridges that have none, the pools' next
 * free ones for those still without, and the state file written again if that changed it. */
int network_bridges_complete(NetworkConfig *c, char **ret_error);

/* The state file, written atomically (removed when it would be empty). */
int network_bridges_save(const NetworkConfig *c);
