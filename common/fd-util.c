/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd-util.h"
#include "macro.h"

#define KEEP_MAX 16

static int compare_ints(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return x < y ? -1 : x > y;
}

int close_all_fds_except(const int *keep, size_t n_keep) {
        int sorted[KEEP_MAX];
        size_t n = 0;
        unsigned next = 3;

        for (size_t i = 0; i < n_keep; i++) {
                if (keep[i] < 3)
                        continue;
                if (n == KEEP_MAX)
                        return -E2BIG;
                sorted[n++] = keep[i];
        }
        qsort(sorted, n, sizeof(int), compare_ints);
        /* Close the gaps between the kept ones, then everything above the last. */
        for (size_t i = 0; i < n; i++) {
                if ((unsigned) sorted[i] > next && close_range(next, (unsigned) sorted[i] - 1, 0) < 0)
                        return -errno;
                next = (unsigned) sorted[i] + 1;
        }
        return close_range(next, ~0U, 0) < 0 ? -errno : 0;
}

int openat_in_root(int root_fd, const char *path, int flags, mode_t mode) {
        struct open_how how = {
                /* openat2() refuses O_PATH with flags that mean nothing for it (O_NOCTTY). */
                .flags = (uint64_t) flags | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY),
                .mode = (flags & O_CREAT) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, root_fd, path, &how, sizeof(how));

        return fd < 0 ? -errno : fd;
}
