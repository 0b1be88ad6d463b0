/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "limit-table.h"

/* The [Limits] section of a zone file: one key per limit, named as its D-Bus property, with a
 * value as zonectl set takes it (limit-table.h):
 *   [Limits]
 *   MemoryMax=536870912
 *   CPUQuotaPerSecUSec=150%
 *   IOWriteBandwidthMax=/dev/vda:50000000
 * Reads the section into *ret and takes it out of f, so that the [Zone] section's checks see only
 * their own. -EBADMSG with "FILE:LINE: ..." for an unknown key or a bad value. */
int zone_config_limits_load(GKeyFile *f, const char *text, const char *path, ZoneLimits *ret,
                            char **ret_error);
void zone_config_limits_save(GKeyFile *f, const ZoneLimits *l);
