/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "macro.h"
#include "stop-prepare.h"

int stop_prepare_parse(const char *s, char **ret_path, mode_t *ret_mode) {
        const char *colon = strrchr(s, ':');
        char *end;
        unsigned long mode;

        if (!colon || s[0] != '/' || colon == s + 1 || !colon[1] ||
            strspn(colon + 1, "01234567") != strlen(colon + 1))
                return -EINVAL;
        mode = strtoul(colon + 1, &end, 8);
        if (mode > 07777 || strpbrk(s, " \t\n"))
                return -EINVAL;
        if (ret_path) {
                *ret_path = strndup(s, (size_t) (colon - s));
                if (!*ret_path)
                        return -ENOMEM;
        }
        if (ret_mode)
                *ret_mode = (mode_t) mode;
        return 0;
}

int stop_prepare_apply(int root_fd, const char *s) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        char proc[64];
        struct stat st;
        mode_t mode;
        int r;

        r = stop_prepare_parse(s, &path, &mode);
        if (r < 0)
                return r;
        /* O_PATH: nothing of the file is opened (a FIFO would block an open for reading). */
        fd = openat_in_root(root_fd, path, O_PATH | O_NOFOLLOW, 0);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EPERM;
        /* chmod() of an O_PATH descriptor goes through its /proc/self/fd link. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        return chmod(proc, mode) < 0 ? -errno : 0;
}
