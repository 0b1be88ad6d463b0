/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <limits.h>
#include <sys/resource.h>
#include <sys/select.h>

#include "macro.h"
#include "rlimit-util.h"

/* A hard limit inherited from before fs.nr_open was lowered cannot be set again (EPERM). */
static rlim_t nr_open(void) {
        _cleanup_free_ char *text = NULL;
        unsigned long v;

        if (read_full_file("/proc/sys/fs/nr_open", 64, &text) < 0 || sscanf(text, "%lu", &v) != 1)
                return 1024 * 1024; /* the kernel's default */
        return (rlim_t) v;
}

int rlimit_nofile_bump(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        rl.rlim_max = MIN(rl.rlim_max, nr_open());
        if (rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        return -errno;
        }
        return (int) MIN(rl.rlim_cur, (rlim_t) INT_MAX);
}

int rlimit_nofile_safe(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        if (rl.rlim_cur <= FD_SETSIZE)
                return 0;
        rl.rlim_max = MIN(rl.rlim_max, nr_open());
        rl.rlim_cur = MIN((rlim_t) FD_SETSIZE, rl.rlim_max);
        return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}
