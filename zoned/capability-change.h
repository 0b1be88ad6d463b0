/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* What a brand or zone file does to a zone's capability bounding set (bit N = capability N):
 * Capabilities= replaces the set so far, DropCapabilities= then removes from it. The default set
 * is capabilities_default_mask(); the brand's change applies to it, the zone's to the result. */
typedef struct CapabilityChange {
        bool replace; /* Capabilities= was given */
        uint64_t set;
        bool drop_given; /* DropCapabilities= was given */
        uint64_t drop;
} CapabilityChange;

static inline bool capability_change_is_set(const CapabilityChange *c) {
        return c->replace || c->drop_given;
}

uint64_t capability_change_apply(const CapabilityChange *c, uint64_t base);

/* Capability names ("CAP_SYS_ADMIN", any case, as libcap knows them) separated by spaces or
 * tabs → mask. -EINVAL for a name that is not one (numbers neither), copied to *ret_bad. */
int capability_mask_from_names(const char *text, uint64_t *ret, char **ret_bad);
/* Mask → "CAP_CHOWN CAP_KILL ...", in the order of their numbers; "" for none. */
char *capability_mask_to_names(uint64_t mask);

/* Reads Capabilities= and DropCapabilities= of a group. On -EBADMSG *ret_error says
 * "FILE:LINE: what is wrong". */
int capability_change_load(GKeyFile *f, const char *text, const char *path, const char *group,
                           CapabilityChange *ret, char **ret_error);
/* Writes the keys that were given. */
void capability_change_save(GKeyFile *f, const char *group, const CapabilityChange *c);
