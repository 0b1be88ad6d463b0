/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The zone's /dev is a fresh tmpfs: only these device nodes and links exist
 * in it. No host device is bound in (but by a supervisor in a user namespace, which binds its
 * own /dev's nodes: it cannot make any). */

#include <sys/types.h>

/* null zero full random urandom tty, and those of allow_mask (zone-devices.h: fuse, net/tun),
 * all 0666, owned by owner (uid and gid; 0 leaves them the creator's): the zone's root, so that
 * its user namespace maps them. */
int dev_create_nodes(const char *dev, uid_t owner, unsigned allow_mask);
/* fd stdin stdout stderr → /proc/self/fd/..., ptmx → pts/ptmx. */
int dev_create_symlinks(const char *dev, uid_t owner);
