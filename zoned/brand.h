/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "brand-detect.h"
#include "capability-change.h"
#include "launch-plan.h"

/* A brand: the declarative compat profile a zone boots with (which init, how
 * to ask it to power off, reboot or halt and what to prepare for that, how
 * readiness is seen, its personality, the fix-ups its tree gets). Brands are
 * data files, <brands_dir>/NAME.brand, and one may inherit another's keys;
 * see zoned.brand(5). */
typedef struct Brand {
        char *name;
        char *inherits; /* Inherits=: the brand this one extends, or NULL */
        char *description;
        char **init_argv;   /* the first of Init= followed by InitArguments= */
        char **init_search; /* the rest of Init=: where else the init may be */
        char **environment; /* Environment= KEY=VALUE pairs for the init */
        int poweroff_signal;
        int reboot_signal;
        int halt_signal;
        char **poweroff_prepare; /* PoweroffPrepare=, RebootPrepare=, HaltPrepare=: "PATH:MODE" */
        char **reboot_prepare;
        char **halt_prepare;
        ReadyMode ready;
        char *ready_target; /* Ready=process:NAME or file:PATH */
        uint64_t ready_timeout_usec;
        uint64_t stop_timeout_usec;
        uint32_t personality;          /* Personality=: personality(2) flags */
        int realtime_signal_offset;    /* RealtimeSignalOffset=: an emulator's shift of real-time signals */
        char **fixups;                 /* [FixUps], the inherited ones first: "Verb=ARGUMENTS" */
        char **detect_init;            /* DetectInit=: basenames /sbin/init resolves to */
        char **detect_paths;           /* DetectPath=: files the tree must have */
        char *architecture;            /* Architecture=: the init's ELF machine; NULL: the host's */
        CapabilityChange capabilities; /* Capabilities=, DropCapabilities= */
        char **proven;                 /* Proven=: "GUEST@CGROUP-MODE", what it was tested with */
} Brand;

Brand *brand_free(Brand *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Brand, brand_free)

/* Parses one brand file on top of parent (the brand it inherits; NULL for a brand of its own); the
 * brand is named after the file. On -EBADMSG, *ret_error says "FILE:LINE: what is wrong". */
int brand_load(const char *path, const Brand *parent, Brand **ret, char **ret_error);

/* Loads every *.brand in dir into a name → Brand table, each after the brand it inherits. Bad
 * files (and those inheriting a bad, missing or circular brand) are reported through
 * ret_errors (a list of messages) and skipped. */
int brand_load_dir(const char *dir, GHashTable *brands, GPtrArray *ret_errors);

/* The brands' detection rules as data (brand-detect.h), for brand_detect_tree(). A new array. */
GPtrArray *brand_detect_rules(GHashTable *brands);

/* The names of the brands, sorted, joined by ", ": for an error that lists them. */
char *brand_names(GHashTable *brands);
