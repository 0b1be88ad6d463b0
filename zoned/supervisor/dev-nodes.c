/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dev-nodes.h"
#include "macro.h"

static const struct {
        const char *name;
        unsigned major, minor;
} dev_nodes[] = {
        { "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
        { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
        const char *name;
        const char *target;
} dev_symlinks[] = {
        { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
};

int dev_create_nodes(const char *dev, uid_t owner) {
        _cleanup_close_ int dfd = -EBADF;

        dfd = open(dev, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                dev_t d = makedev(dev_nodes[i].major, dev_nodes[i].minor);

                if (mknodat(dfd, dev_nodes[i].name, S_IFCHR | 0666, d) < 0)
                        return -errno;
                /* mknod() honours the umask. */
                if (fchmodat(dfd, dev_nodes[i].name, 0666, 0) < 0)
                        return -errno;
                if (owner != 0 && fchownat(dfd, dev_nodes[i].name, owner, owner, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        return 0;
}

int dev_create_symlinks(const char *dev, uid_t owner) {
        _cleanup_close_ int dfd = -EBADF;

        dfd = open(dev, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(dev_symlinks); i++) {
                if (symlinkat(dev_symlinks[i].target, dfd, dev_symlinks[i].name) < 0)
                        return -errno;
                if (owner != 0 && fchownat(dfd, dev_symlinks[i].name, owner, owner, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        return 0;
}
