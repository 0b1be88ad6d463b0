/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* Zone, template and brand names follow host-name rules: letters, digits,
 * '-', '_' and '.', not starting with '.' or '-', at most 64 bytes. They
 * become file names, cgroup names and host names, so nothing else is let in. */
#define ZONE_NAME_MAX 64

bool zone_name_is_valid(const char *name);
