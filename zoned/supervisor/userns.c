/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "macro.h"
#include "userns.h"

void zone_userns_done(ZoneUserns *u) {
        safe_close(u->user);
        safe_close(u->pid);
        safe_close(u->net);
        safe_close(u->uts);
        safe_close(u->ipc);
        *u = ZONE_USERNS_NULL;
}

static int write_map(pid_t pid, const char *which, uint32_t shift, uint32_t range) {
        char path[64], text[64];
        _cleanup_close_ int fd = -EBADF;
        int n;

        snprintf(path, sizeof(path), "/proc/%i/%s", (int) pid, which);
        n = snprintf(text, sizeof(text), "0 %u %u\n", shift, range);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, text, (size_t) n) != n)
                return -errno;
        return 0;
}

int zone_userns_write_maps(pid_t pid, uint32_t shift, uint32_t range) {
        int r;

        /* setgroups stays allowed: the maps are written by the parent namespace's root. */
        r = write_map(pid, "uid_map", shift, range);
        if (r < 0)
                return r;
        return write_map(pid, "gid_map", shift, range);
}

static int open_ns(pid_t pid, const char *which, int *ret) {
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/proc/%i/ns/%s", (int) pid, which);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

int zone_userns_open(pid_t pid, ZoneUserns *ret) {
        ZoneUserns u = ZONE_USERNS_NULL;
        int r;

        if ((r = open_ns(pid, "user", &u.user)) < 0 || (r = open_ns(pid, "pid", &u.pid)) < 0 ||
            (r = open_ns(pid, "net", &u.net)) < 0 || (r = open_ns(pid, "uts", &u.uts)) < 0 ||
            (r = open_ns(pid, "ipc", &u.ipc)) < 0) {
                zone_userns_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

int zone_userns_join_owned(const ZoneUserns *u) {
        if (setns(u->net, CLONE_NEWNET) < 0 || setns(u->uts, CLONE_NEWUTS) < 0 ||
            setns(u->ipc, CLONE_NEWIPC) < 0)
                return -errno;
        return 0;
}

int zone_userns_become_root(void) {
        if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return -errno;
        return 0;
}

int zone_userns_enter(const ZoneUserns *u) {
        int r;

        /* setns() gives every capability there, but our ids stay the host's root's, which the
         * namespace does not map. */
        if (setns(u->user, CLONE_NEWUSER) < 0)
                return -errno;
        r = zone_userns_become_root();
        if (r < 0)
                return r;
        /* A mount namespace of the zone's own, copied from ours: the kernel locks every mount of
         * the copy, as they were made in a more privileged namespace. */
        return unshare(CLONE_NEWNS) < 0 ? -errno : 0;
}

int zone_userns_pid_enter(const ZoneUserns *u, int *ret_own) {
        _cleanup_close_ int own = -EBADF;

        own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (own < 0)
                return -errno;
        if (setns(u->pid, CLONE_NEWPID) < 0)
                return -errno;
        *ret_own = TAKE_FD(own);
        return 0;
}

int zone_userns_pid_leave(int *own) {
        int r = 0;

        if (*own < 0)
                return 0;
        if (setns(*own, CLONE_NEWPID) < 0)
                r = -errno;
        *own = safe_close(*own);
        return r;
}
