/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "launch-plan.h"

/* What the zone's child does for its brand, in the zone, as the zone's root, after it changed into
 * the zone's root and before it executes the init. */

/* Applies the brand's fix-ups (fixup-rule.h) in order to the tree at "/". A read-only tree is left
 * as it is (0). On failure *ret_rule is the rule that failed. */
int brand_apply_fixups(const LaunchPlan *p, const char **ret_rule);

/* Sets the init's personality (PER_LINUX32, UNAME26) when the brand asks for one. */
int brand_set_personality(const LaunchPlan *p);

/* The init to execute: argv[0] of the plan if it is an executable of the tree, else the first of
 * the brand's search list that is; argv[0] itself when none is (its exec then fails, named). */
const char *brand_pick_init(const LaunchPlan *p);
