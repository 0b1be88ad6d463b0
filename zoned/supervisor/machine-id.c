/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>

#include "launch-plan.h"
#include "machine-id.h"
#include "macro.h"

/* A symlink (ELOOP), a read-only tree, a tree without /etc: not ours to fix. */
#define NOT_OURS_ERRNO(e) ((e) == ELOOP || (e) == EROFS || (e) == ENOENT)

/* What /etc/machine-id may hold without being an id: nothing, or systemd's "not yet" marker. */
static bool machine_id_unset(const char *text) {
        size_t n = strcspn(text, "\n");

        return n == 0 || (n == 13 && strncmp(text, "uninitialized", 13) == 0);
}

int machine_id_write_if_unset(const char *path, const char *id) {
        _cleanup_close_ int fd = -EBADF;
        char buf[64], line[34];
        struct stat st;
        ssize_t n;

        if (!machine_id_is_valid(id))
                return -EINVAL;
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0444);
        if (fd < 0)
                return NOT_OURS_ERRNO(errno) ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return 0;
        n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        if (!machine_id_unset(buf))
                return 0;
        snprintf(line, sizeof(line), "%s\n", id);
        if (ftruncate(fd, 0) < 0)
                return -errno;
        if (pwrite(fd, line, 33, 0) != 33)
                return errno > 0 ? -errno : -EIO;
        return 1;
}

int machine_id_to_uuid(const char *id, char ret[static 37]) {
        if (!machine_id_is_valid(id))
                return -EINVAL;
        snprintf(ret, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
        return 0;
}
