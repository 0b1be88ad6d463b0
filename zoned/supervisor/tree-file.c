/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "tree-file.h"

/* A symlink (ELOOP), a read-only tree, a tree without /etc: not ours to fix. */
#define NOT_OURS_ERRNO(e) ((e) == ELOOP || (e) == EROFS || (e) == ENOENT)

int tree_file_open_read(const char *path, mode_t mode, char *buf, size_t size, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        ssize_t n;

        if (size == 0)
                return -EINVAL;
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
        if (fd < 0)
                return NOT_OURS_ERRNO(errno) ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return 0;
        n = pread(fd, buf, size - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        *ret_fd = TAKE_FD(fd);
        return 1;
}

int tree_file_rewrite(int fd, const char *text, size_t len) {
        if (ftruncate(fd, 0) < 0)
                return -errno;
        if (pwrite(fd, text, len, 0) != (ssize_t) len)
                return errno > 0 ? -errno : -EIO;
        return 0;
}
