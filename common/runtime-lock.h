/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Who owns a zone's runtime directory: its supervisor holds an exclusive flock(2) on the directory
 * for as long as it lives (the kernel drops it when the last fd of it closes, however the
 * process ended). Whoever else removes that directory (zoned, after a supervisor died, or before
 * a boot) takes the lock first, so that nothing a live supervisor owns is ever removed. */

/* Opens dir and takes its lock without waiting: 0 and the fd (O_CLOEXEC), -EBUSY when a live
 * process holds it, -ENOENT when there is no such directory. */
int runtime_dir_lock(const char *dir, int *ret_fd);
