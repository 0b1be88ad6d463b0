/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* A small file of the zone's own tree that the zone's first process fixes before the init starts
 * (/etc/machine-id, /etc/hostname). Opens path for reading and writing (made with mode if
 * missing), never through a symlink, and reads up to size - 1 bytes of it into buf, NUL-ended.
 * Returns 1 with *ret_fd, 0 when the file is not ours to fix (a symlink or no regular file, a
 * read-only tree, a tree without /etc), <0 on error. */
int tree_file_open_read(const char *path, mode_t mode, char *buf, size_t size, int *ret_fd);
/* Replaces the file's content with text. */
int tree_file_rewrite(int fd, const char *text, size_t len);
