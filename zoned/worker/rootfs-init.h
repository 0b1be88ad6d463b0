/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The basename of what /sbin/init of the tree at rootfs resolves to ("systemd", "busybox"),
 * following symlinks inside the tree only (absolute targets are taken relative to rootfs, ".."
 * climbs no higher than its root); NULL if there is none. Brands are detected by it. */
char *rootfs_init_name(const char *rootfs);

/* What /sbin/init resolves to, in the same way, as a path relative to rootfs ("lib/systemd/systemd"). */
char *rootfs_init_path(const char *rootfs);
