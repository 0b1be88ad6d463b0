/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
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

/* In a user namespace (a supervisor of a zoned in a zone) mknod() is EPERM: the node is then a
 * bind of ours, /dev/NAME, onto an empty file, as unprivileged LXC does. Its device stays the one
 * our own /dev has, and our own device rules hold for it. */
static int dev_bind_node(int dfd, const char *dev, const char *name) {
        _cleanup_free_ char *src = NULL, *dst = NULL;
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
                return -errno;
        if (asprintf(&src, "/dev/%s", name) < 0 || asprintf(&dst, "%s/%s", dev, name) < 0)
                return -ENOMEM;
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                return -errno;
        return 0;
}

int dev_create_nodes(const char *dev, uid_t owner) {
        _cleanup_close_ int dfd = -EBADF;

        dfd = open(dev, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                dev_t d = makedev(dev_nodes[i].major, dev_nodes[i].minor);

                if (mknodat(dfd, dev_nodes[i].name, S_IFCHR | 0666, d) < 0) {
                        int r = errno == EPERM ? dev_bind_node(dfd, dev, dev_nodes[i].name) : -errno;
                        if (r < 0)
                                return r;
                        continue;
                }
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
