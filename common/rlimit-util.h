/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* RLIMIT_NOFILE the way systemd handles it: a daemon that holds one file descriptor per zone
 * raises its soft limit to the hard one (rlimit_nofile_bump), and what it starts gets the soft
 * limit of select()'s FD_SETSIZE (1024) back (rlimit_nofile_safe), so that a program in a zone
 * that still uses select() is not handed descriptors it cannot wait on. */

/* The soft limit to the hard one (or the kernel's fs.nr_open, if lower). Returns the new soft
 * limit, or -errno. */
int rlimit_nofile_bump(void);
/* The soft limit down to FD_SETSIZE if it is above; the hard one is kept. 0 or -errno. */
int rlimit_nofile_safe(void);
