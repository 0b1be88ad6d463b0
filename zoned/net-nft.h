/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* nft scripts (net-rules.h) applied through libnftables in the caller's network namespace, and
 * what of zoned's tables is there. Each call is one transaction: all of the script or nothing. */

/* Applies script; on failure, *ret_error (when not NULL) gets nft's own error text (the script's
 * line and what it did not take), and the ruleset is as it was. -EPROTO when nft refuses it;
 * -EOPNOTSUPP (for every call here) when the kernel has no nf_tables. */
int net_nft_apply(const char *script, char **ret_error);
/* The same, checked by the kernel and rolled back (nft -c). */
int net_nft_check(const char *script, char **ret_error);
/* Removes zoned's tables, if there. */
int net_nft_remove(char **ret_error);

/* One of zoned's tables as it is in the kernel, for "zonectl network". */
typedef struct NetNftTable {
        const char *family; /* "inet", "bridge" */
        bool present;
        unsigned n_chains;
        unsigned n_rules;
} NetNftTable;

#define NET_NFT_N_TABLES 2
int net_nft_list(NetNftTable ret[static NET_NFT_N_TABLES]);
