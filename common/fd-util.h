/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* Closes every descriptor above stderr but those in keep (negative entries are ignored), as a
 * forked child does before it works on its own: what it inherited of its parent (bus
 * connections, listening sockets, other children's pipes) must not stay open while it runs,
 * or a peer the parent closed would not see the end of its connection. At most 16 are kept. */
int close_all_fds_except(const int *keep, size_t n_keep);

#include <sys/types.h>

/* openat2() of path below root_fd with RESOLVE_IN_ROOT: every component, symlinks included,
 * resolves inside root_fd's tree, as for a process chrooted there ("/" and ".." stop at it);
 * magic links (/proc/PID/fd/N) are refused. A file descriptor or a negative errno. */
int openat_in_root(int root_fd, const char *path, int flags, mode_t mode);
