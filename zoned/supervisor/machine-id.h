/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The zone's /etc/machine-id. zoned keeps a stable id per zone (MachineID= in
 * the zone's configuration); the zone's first process writes it into the
 * zone's own tree (the overlay's upper layer or the copied rootfs, never the
 * template) before the init starts, when the file is missing, empty or
 * "uninitialized", so that the init does not take the boot for a first boot.
 * An id the zone already has is left alone, and so is a symlink. Writing a
 * file of the zone, not binding one into it, keeps the zone checkpointable. */

/* Returns 1 if the file was written, 0 if it was left alone (it holds an id, is a symlink, the
 * tree is read-only or has no /etc), <0 on error. */
int machine_id_write_if_unset(const char *path, const char *id);

/* "0123456789abcdef0123456789abcdef" → "01234567-89ab-cdef-0123-456789abcdef" (container_uuid). */
int machine_id_to_uuid(const char *id, char ret[static 37]);
