/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "net-address.h"

/* zoned's own network configuration, --network-config=FILE (ini; a missing file means the
 * defaults):
 *   [Network]
 *   DefaultMode=none            what a zone file without [Network] Mode= gets (never host)
 *   Uplinks=eth0 ...            where other hosts' connections come in (default: the links of
 *                               the default routes; empty: none)
 *   [Pools]
 *   IPv4=10.42.0.0/16           where a bridge without addresses of its own gets a /24...
 *   IPv6=fd42:7a6f:6e65::/48    ...and a /64
 *   [Bridge NAME]
 *   IPv4=10.42.0.1/24           the bridge's own address, with the length of its pool
 *   IPv6=fd42:7a6f:6e65::1/64
 *   Masquerade=no  Isolated=no  AllowHost=no  MTU=
 * zbr0 is always there: unless configured, with the first /24 and /64 of the pools. A bridge
 * that a zone names and the file does not (an automatic one), and an address key that a
 * [Bridge] section leaves out, get the next free /24 or /64 of the pools the first time; they
 * are kept in <state>/.network/bridges.ini so that they stay across restarts, until no zone
 * names the bridge any more. */

#define NETWORK_POOL4_DEFAULT "10.42.0.0/16"
#define NETWORK_POOL6_DEFAULT "fd42:7a6f:6e65::/48"
/* What each bridge gets of the pools. */
#define NETWORK_BRIDGE_PREFIX4 24
#define NETWORK_BRIDGE_PREFIX6 64
/* Neither a pool nor a bridge is wider than these. */
#define NETWORK_PREFIX4_MIN 16
#define NETWORK_PREFIX6_MIN 48

typedef struct NetworkBridge {
        char *name;
        InetPrefix ipv4; /* the bridge's address; its network is the bridge's IPv4 pool */
        InetPrefix ipv6;
        bool masquerade;
        bool isolated;   /* zones on it cannot reach each other */
        bool allow_host; /* zones may reach host services on the bridge's addresses */
        uint32_t mtu;    /* 0: the kernel's */
        bool configured; /* a [Bridge] section of the file (else zbr0's defaults, or automatic) */
        bool auto4;      /* ipv4 is from the pools, kept in the state file */
        bool auto6;
} NetworkBridge;

typedef struct NetworkConfig {
        char *path;       /* the file (it need not exist) */
        char *state_path; /* <state>/.network/bridges.ini; NULL: automatic bridges are not kept */
        NetworkMode default_mode;
        char *default_link;
        char **uplinks; /* Uplinks=, NULL-terminated; NULL: the default routes' links */
        InetPrefix pool4;
        InetPrefix pool6;
        GPtrArray *bridges; /* NetworkBridge*, owned, in the order they were defined */
} NetworkConfig;

NetworkConfig *network_config_free(NetworkConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(NetworkConfig *, network_config_free);

/* Loads path (missing: the defaults) and the automatic bridges of <state_dir>/.network
 * (state_dir NULL: none, and none are kept). -EBADMSG with *ret_error "FILE:LINE: ..." for an
 * unknown section or key, a bad value, a bridge whose networks overlap another's. */
int network_config_load(const char *path, const char *state_dir, NetworkConfig **ret, char **ret_error);

const NetworkBridge *network_config_get_bridge(const NetworkConfig *c, const char *name);
/* The bridge of that name, made an automatic one (its pools kept in the state file) if it is
 * not there yet. -EINVAL for a name that is not an interface name, -ENOSPC (PoolExhausted) when
 * the pools have no free /24 or /64 left. */
int network_config_add_bridge(NetworkConfig *c, const char *name, const NetworkBridge **ret);
/* Forgets the automatic bridges not in used (bridge names): those of removed zones. */
int network_config_forget_unused(NetworkConfig *c, char *const *used);
