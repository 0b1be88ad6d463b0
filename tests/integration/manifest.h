/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* A tree as text, one sorted line per entry: path, type and mode, owner,
 * mtime, symlink target, size, link count and xattrs (ACLs and file
 * capabilities included). Device nodes are left out: a zone's /dev is made
 * by its supervisor and imports skip them. */
char *manifest_of_tree(const char *root);

/* Fails the test with the differing lines unless both trees have the same manifest. */
void manifest_assert_same(const char *want, const char *got);
