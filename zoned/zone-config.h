/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* A zone's persistent configuration, <config_dir>/NAME.zone (ini):
 *   [Zone]
 *   Template=bb
 *   Brand=busybox
 *   Storage=overlay|copy
 *   Autoboot=false
 */
typedef struct ZoneConfig {
        char *template_name;
        char *brand;
        bool copy;     /* Storage=copy: a full copy of the template, not an overlay */
        bool autoboot;
} ZoneConfig;

void zone_config_done(ZoneConfig *c);
/* On -EBADMSG, *ret_error says "FILE:LINE: what is wrong". */
int zone_config_load(const char *path, ZoneConfig *ret, char **ret_error);
/* Writes the file atomically (temp file + rename). */
int zone_config_save(const char *path, const ZoneConfig *c);
