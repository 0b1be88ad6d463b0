/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/stat.h>

/* Copies the tree at src into the existing, empty directory dst with
 * everything an OS tree needs: ownership, modes (setuid included), times,
 * xattrs, ACLs, file capabilities, hardlinks, device nodes, sparse files.
 * libarchive reads the disk and writes the disk (as `tar c | tar x` would),
 * with its safety checks on (no "..", no writing through symlinks).
 * Run it in a worker: it changes the working directory. */
int tree_copy(const char *src, const char *dst, uint64_t *ret_bytes);

/* The owners a shifted copy gives: id → shift + id for the ids below range, the range's 65534
 * (nobody) for the others, which the zone could not map (and which must never land in another
 * zone's range). */
typedef struct TreeShift {
        uint32_t shift;
        uint32_t range;
} TreeShift;

/* tree_copy() with every owner shifted (shift: NULL for none). */
int tree_copy_shifted(const char *src, const char *dst, const TreeShift *shift, uint64_t *ret_bytes);

/* Whether path is the directory tree (as stat(2) gave it) or inside it: 1 if so, 0 if not, or a
 * negative errno. Directories are compared by device and inode, walking up from path through
 * "..", so that another name of tree (a symlink, a bind mount) is no way around it. */
int tree_contains(const struct stat *tree, const char *path);
