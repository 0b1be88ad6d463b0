/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* A zone's persistent configuration, <config_dir>/NAME.zone (ini):
 *   [Zone]
 *   Template=bb
 *   Brand=busybox
 *   Storage=overlay|copy
 *   Autoboot=false
 *   MachineID=0123456789abcdef0123456789abcdef
 */
typedef struct ZoneConfig {
        char *template_name;
        char *brand;
        bool copy;     /* Storage=copy: a full copy of the template, not an overlay */
        bool autoboot;
        char *machine_id; /* the zone's stable /etc/machine-id; never NULL after a load */
} ZoneConfig;

void zone_config_done(ZoneConfig *c);
/* On -EBADMSG, *ret_error says "FILE:LINE: what is wrong". A file without MachineID= (written
 * before zones had one) gets a new one, written back to the file so that it stays. */
int zone_config_load(const char *path, ZoneConfig *ret, char **ret_error);
/* A new random machine id (UUID v4 bits, as systemd makes them), 32 lowercase hex digits. */
int zone_config_new_machine_id(char **ret);
/* Writes the file atomically (temp file + rename). */
int zone_config_save(const char *path, const ZoneConfig *c);
