/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dev-nodes.h"
#include "macro.h"
#include "zone-devices.h"

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

/* One character device node name (relative to dev, "net/tun"), 0666, the zone root's. */
static int dev_create_node(int dfd, const char *dev, const char *name, unsigned major, unsigned minor,
                           uid_t owner) {
        if (mknodat(dfd, name, S_IFCHR | 0666, makedev(major, minor)) < 0)
                return errno == EPERM ? dev_bind_node(dfd, dev, name) : -errno;
        /* mknod() honours the umask. */
        if (fchmodat(dfd, name, 0666, 0) < 0)
                return -errno;
        if (owner != 0 && fchownat(dfd, name, owner, owner, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

/* The directories above a node of zone-devices.h ("net" for "net/tun"), the zone root's. */
static int dev_create_parents(int dfd, const char *name, uid_t owner) {
        _cleanup_free_ char *dir = strdup(name);
        char *slash;

        if (!dir)
                return -ENOMEM;
        for (slash = strchr(dir, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                if (mkdirat(dfd, dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                if (owner != 0 && fchownat(dfd, dir, owner, owner, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                *slash = '/';
        }
        return 0;
}

int dev_create_nodes(const char *dev, uid_t owner, unsigned allow_mask) {
        _cleanup_close_ int dfd = -EBADF;
        int r;

        dfd = open(dev, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                r = dev_create_node(dfd, dev, dev_nodes[i].name, dev_nodes[i].major, dev_nodes[i].minor,
                                    owner);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ZONE_DEVICES_N; i++) {
                const char *name = zone_devices[i].path + strlen("/dev/");

                if (!(allow_mask & (1u << i)))
                        continue;
                r = dev_create_parents(dfd, name, owner);
                if (r < 0)
                        return r;
                r = dev_create_node(dfd, dev, name, zone_devices[i].major, zone_devices[i].minor, owner);
                if (r < 0)
                        return r;
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
