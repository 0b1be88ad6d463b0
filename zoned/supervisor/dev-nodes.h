/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The zone's /dev is a fresh tmpfs: only these device nodes and links exist
 * in it. No host device is bound in. */

/* null zero full random urandom tty, all 0666. */
int dev_create_nodes(const char *dev);
/* fd stdin stdout stderr → /proc/self/fd/..., ptmx → pts/ptmx. */
int dev_create_symlinks(const char *dev);
