/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The zone's own ptys, opened from inside it. See pty-util.h. */

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "macro.h"
#include "pty-util.h"

/* The major of devpts's ptmx (5:2) and of its slaves (136-143). */
#define PTMX_MAJOR 5
#define PTMX_MINOR 2

int zone_pty_open(int *ret_master, int *ret_slave, char **ret_path) {
        struct open_how how = {
                .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS,
        };
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        unsigned n;

        master = (int) syscall(SYS_openat2, AT_FDCWD, "/dev/pts/ptmx", &how, sizeof(how));
        if (master < 0)
                return -errno;
        if (!zone_pty_is_master(master))
                return -ENOTTY;
        if (unlockpt(master) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
                return -errno;
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        if (asprintf(ret_path, "/dev/pts/%u", n) < 0)
                return -ENOMEM;
        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

bool zone_pty_is_master(int fd) {
        struct stat st;
        unsigned n;

        if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
                return false;
        if (major(st.st_rdev) != PTMX_MAJOR || minor(st.st_rdev) != PTMX_MINOR)
                return false;
        return ioctl(fd, TIOCGPTN, &n) >= 0;
}

int zone_pty_make_controlling(int slave) {
        if (setsid() < 0)
                return -errno;
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (slave != i && dup2(slave, i) < 0)
                        return -errno;
        if (slave > 2)
                safe_close(slave);
        return 0;
}
