/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Closes every descriptor above stderr but those in keep (negative entries are ignored), as a
 * forked child does before it works on its own: what it inherited of its parent (bus
 * connections, listening sockets, other children's pipes) must not stay open while it runs,
 * or a peer the parent closed would not see the end of its connection. At most 16 are kept. */
int close_all_fds_except(const int *keep, size_t n_keep);
