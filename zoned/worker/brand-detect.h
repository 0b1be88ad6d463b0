/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* Which brand a rootfs needs, told from the tree itself: what its /sbin/init resolves to (its
 * basename), which files it has, and the ELF machine of the init. Data a worker can hold
 * without the brands themselves. */
typedef struct BrandDetectRule {
        char *brand;
        char **init_names;  /* DetectInit= */
        char **paths;       /* DetectPath= */
        char *architecture; /* Architecture=; NULL: the host's own */
} BrandDetectRule;

void brand_detect_rule_free(BrandDetectRule *r);

/* The name of the brand whose rule matches the tree at rootfs, or NULL. Of the rules that match,
 * the one that names the most DetectPath= files wins (openrc's brand over sysvinit's: both
 * run /sbin/init), then the first by name. *ret_init_name and *ret_architecture (either may be
 * NULL) get what the tree's init is. */
const char *brand_detect_tree(GPtrArray *rules, const char *rootfs, char **ret_init_name,
                              char **ret_architecture);
