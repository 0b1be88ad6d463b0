/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The zone's /etc/hostname. A zone's host name is its name, whatever its tree carries: a rootfs
 * built on another machine names that machine there, and the zone's init (systemd, Debian's
 * hostname.sh, openrc's hostname service) sets what the file says over the name the supervisor
 * gave the zone's UTS namespace. So the zone's first process writes the zone's name into the
 * zone's own tree (the overlay's upper layer or the copied rootfs, never the template) before
 * the init starts, at every boot, when the file says something else: the name follows the
 * zone's. A symlink, a read-only tree and a tree without /etc are left alone. */

/* Returns 1 if the file was written, 0 if it was left alone (it says name already, is a symlink
 * or no regular file, the tree is read-only or has no /etc), <0 on error. */
int hostname_file_write(const char *path, const char *name);
