/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "capability-change.h"
#include "launch-plan.h"

/* A brand: the declarative compat profile a zone boots with (which init, how
 * to ask it to power off, reboot or halt, how readiness is seen). Brands are
 * data files, <brands_dir>/NAME.brand; see zoned.brand(5). */
typedef struct Brand {
        char *name;
        char *description;
        char **init_argv;   /* Init= followed by InitArguments= */
        char **environment; /* Environment= KEY=VALUE pairs for the init */
        int poweroff_signal;
        int reboot_signal;
        int halt_signal;
        ReadyMode ready;
        uint64_t stop_timeout_usec;
        char **detect_init;            /* DetectInit=: basenames /sbin/init resolves to */
        CapabilityChange capabilities; /* Capabilities=, DropCapabilities= */
} Brand;

Brand *brand_free(Brand *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Brand, brand_free)

/* Parses one brand file; the brand is named after the file. On -EBADMSG,
 * *ret_error says "FILE:LINE: what is wrong". */
int brand_load(const char *path, Brand **ret, char **ret_error);

/* Loads every *.brand in dir into a name → Brand table. Bad files are
 * reported through ret_errors (a list of messages) and skipped. */
int brand_load_dir(const char *dir, GHashTable *brands, GPtrArray *ret_errors);

/* Looks at what /sbin/init of a rootfs resolves to (following symlinks
 * inside the rootfs) and returns the brand that claims it, or NULL. */
Brand *brand_detect(GHashTable *brands, const char *rootfs, char **ret_init_name);
/* The same knowledge as data, for a worker: what /sbin/init resolves to → the name of the brand
 * that claims it. A new table. */
GHashTable *brand_init_table(GHashTable *brands);
