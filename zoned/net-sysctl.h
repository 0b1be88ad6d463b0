/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The sysctls zoned changes on the host for its bridges, each recorded with the value it had
 * before in a file of zoned's runtime directory, written before the change: a zoned that starts
 * after a kill -9 reads the record and restores what no zone needs any more. Only per-interface
 * switches, never net.*.conf.all: zoned changes nothing of the host's other interfaces.
 *
 * Keys are paths under /proc/sys ("net/ipv4/conf/zbr0/route_localnet"), since interface names
 * may hold dots. Values are single words. The sysctls are those of the caller's network
 * namespace. */

typedef struct NetSysctl {
        char *key;
        char *original; /* what it was before zoned changed it */
        char *value;    /* what zoned set */
} NetSysctl;

typedef struct NetSysctls {
        char *state_path;
        NetSysctl *entries;
        size_t n_entries;
} NetSysctls;

/* Reads the record at state_path, if there is one. */
int net_sysctls_new(const char *state_path, NetSysctls **ret);
NetSysctls *net_sysctls_free(NetSysctls *s);
static inline void net_sysctls_freep(NetSysctls **s) {
        net_sysctls_free(*s);
}

/* wanted: "KEY=VALUE" strings, NULL-terminated (NULL: none). Sets each that does not have its
 * value already (recording its value first) and restores every recorded one that is not wanted
 * any more; a recorded one whose interface is gone is dropped from the record. */
int net_sysctls_apply(NetSysctls *s, char *const *wanted);
/* Restores everything recorded and removes the record. */
int net_sysctls_restore_all(NetSysctls *s);

/* What a bridge with zones needs, appended to *wanted: net.ipv4.conf.BRIDGE.forwarding=1 (IPv4
 * forwards what comes in on an interface whose own switch is on), route_localnet=1 (forwards of
 * 127.0.0.1 leave through the bridge with their loopback source, and the answers come back to it)
 * and, with ipv6 and where the kernel has it (6.17+), net.ipv6.conf.BRIDGE.force_forwarding=1.
 * Older kernels forward IPv6 only with net.ipv6.conf.all.forwarding, which also makes every
 * interface of the host stop taking router advertisements: zoned leaves that to the admin. */
int net_sysctls_want_bridge(const char *bridge, bool ipv6, char ***wanted);
/* What an interface that brings connections from other hosts to port forwards (an uplink) needs:
 * its forwarding switches, for the same reason. */
int net_sysctls_want_uplink(const char *ifname, bool ipv6, char ***wanted);

/* Reads and writes one sysctl (trailing newline stripped). */
int net_sysctl_read(const char *key, char **ret);
int net_sysctl_write(const char *key, const char *value);
