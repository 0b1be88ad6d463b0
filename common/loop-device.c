/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "loop-device.h"
#include "macro.h"

/* Another process may take the free device between LOOP_CTL_GET_FREE and LOOP_CONFIGURE. */
#define LOOP_ATTACH_TRIES 64

static int loop_configure(int loop_fd, int file_fd, bool read_only) {
        /* Direct I/O on the file: what the file system on the device reads and writes is cached
         * once, in its own page cache, not a second time in the file's (the kernel falls back to
         * buffered I/O where the file's file system cannot). */
        struct loop_config config = {
                .fd = (uint32_t) file_fd,
                .info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_DIRECT_IO |
                                 (read_only ? LO_FLAGS_READ_ONLY : 0),
        };

        return ioctl(loop_fd, LOOP_CONFIGURE, &config) < 0 ? -errno : 0;
}

int loop_device_attach(const char *path, bool read_only, int *ret_fd, char **ret_node) {
        _cleanup_close_ int file = -EBADF, control = -EBADF;
        int mode = read_only ? O_RDONLY : O_RDWR;

        file = open(path, mode | O_CLOEXEC | O_NOFOLLOW);
        if (file < 0)
                return -errno;
        control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (control < 0)
                return -errno;
        for (int i = 0; i < LOOP_ATTACH_TRIES; i++) {
                _cleanup_close_ int loop = -EBADF;
                _cleanup_free_ char *node = NULL;
                int n = ioctl(control, LOOP_CTL_GET_FREE), r;

                if (n < 0)
                        return -errno;
                if (asprintf(&node, "/dev/loop%i", n) < 0)
                        return -ENOMEM;
                loop = open(node, mode | O_CLOEXEC);
                if (loop < 0)
                        return -errno;
                r = loop_configure(loop, file, read_only);
                if (r == -EBUSY)
                        continue;
                if (r < 0)
                        return r;
                *ret_fd = TAKE_FD(loop);
                if (ret_node)
                        *ret_node = TAKE_PTR(node);
                return 0;
        }
        return -EBUSY;
}

static int read_line(const char *path, char *buf, size_t size) {
        int r = read_small_file(path, buf, size);

        if (r < 0)
                return r;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

int loop_device_find(const char *path, char **ret_node) {
        _cleanup_free_ char *real = realpath(path, NULL);
        DIR *d;
        struct dirent *de;
        int r = -ENXIO;

        if (!real)
                return -errno;
        d = opendir("/sys/block");
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char file[PATH_MAX], backing[PATH_MAX];

                if (strncmp(de->d_name, "loop", 4) != 0)
                        continue;
                snprintf(file, sizeof(file), "/sys/block/%s/loop/backing_file", de->d_name);
                if (read_line(file, backing, sizeof(backing)) < 0 || !streq(backing, real))
                        continue;
                r = asprintf(ret_node, "/dev/%s", de->d_name) < 0 ? -ENOMEM : 0;
                break;
        }
        closedir(d);
        return r;
}

int loop_device_set_capacity(const char *node) {
        _cleanup_close_ int fd = open(node, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return ioctl(fd, LOOP_SET_CAPACITY, 0) < 0 ? -errno : 0;
}

static int fs_set_options(int fs, const char *options) {
        _cleanup_free_ char *copy = strdup(options ?: "");
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(o, '=');
                int r;

                if (eq) {
                        *eq = 0;
                        r = fsconfig(fs, FSCONFIG_SET_STRING, o, eq + 1, 0);
                } else
                        r = fsconfig(fs, FSCONFIG_SET_FLAG, o, NULL, 0);
                if (r < 0)
                        return -errno;
        }
        return 0;
}

int loop_device_fsmount(const char *node, const char *fstype, const char *options, int *ret_fd) {
        _cleanup_close_ int fs = -EBADF;
        int mnt, r;

        fs = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (fsconfig(fs, FSCONFIG_SET_STRING, "source", node, 0) < 0)
                return -errno;
        r = fs_set_options(fs, options);
        if (r < 0)
                return r;
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        if (mnt < 0)
                return -errno;
        *ret_fd = mnt;
        return 0;
}

int image_fsmount(const char *path, const char *fstype, const char *options, bool read_only, int *ret_fd) {
        _cleanup_close_ int loop = -EBADF;
        _cleanup_free_ char *node = NULL;
        int r;

        r = loop_device_attach(path, read_only, &loop, &node);
        if (r < 0)
                return r;
        /* The mount holds the device from here on; our fd goes, and with the mount the device. */
        return loop_device_fsmount(node, fstype, options, ret_fd);
}

int image_fsmount_exclusive(const char *path, const char *fstype, const char *options, bool read_only,
                            int *ret_fd) {
        _cleanup_free_ char *node = NULL;

        if (loop_device_find(path, &node) >= 0)
                return -EBUSY;
        return image_fsmount(path, fstype, options, read_only, ret_fd);
}
