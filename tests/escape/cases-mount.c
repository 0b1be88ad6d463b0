/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's file systems: its disk as a device node and as a mount, /proc and /sys made writable
 * or mounted afresh, the masks over /proc taken off, the kernel's debugging file systems, and
 * file handles that open what is outside the zone's root (shocker). */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "escape.h"

/* A block device node of the host's disk, made where the zone can write (its /tmp, its /dev). */
static void case_mknod_disk(const EscapeHost *host) {
        escape_try_node("/tmp/zone-escape-disk", S_IFBLK, host->disk_major, host->disk_minor);
        escape_try_node("/dev/zone-escape-disk", S_IFBLK, host->disk_major, host->disk_minor);
}

/* The host's disk mounted: from a node of its own making, with mount(2) and with fsopen(2). The
 * kernel reuses the host's superblock of a device that is mounted already without opening it, so
 * that no device policy would apply. */
static void case_mount_disk(const EscapeHost *host) {
        const char *node = "/tmp/zone-escape-disk", *target = escape_scratch_dir("disk");
        char what[256];
        long fd;

        (void) unlink(node);
        if (mknod(node, S_IFBLK | 0600, makedev(host->disk_major, host->disk_minor)) < 0)
                /* What the mount would need: a node elsewhere in the zone, say one left by a
                 * mistake in its tree. A regular file in its place keeps the mount honest. */
                (void) close(open(node, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
        snprintf(what, sizeof(what), "mount -t %s %u:%u", host->disk_fstype, host->disk_major,
                 host->disk_minor);
        if (escape_expect_refused(what, mount(node, target, host->disk_fstype, MS_RDONLY, NULL),
                                  REFUSED_BY(EPERM)))
                (void) umount2(target, MNT_DETACH);
        /* fsopen() itself is allowed to the root of a user namespace; the superblock is not. */
        fd = syscall(SYS_fsopen, host->disk_fstype, 0);
        snprintf(what, sizeof(what), "fsopen(%s)", host->disk_fstype);
        if (fd < 0)
                (void) escape_expect_refused(what, fd, REFUSED_BY(EPERM));
        else {
                long mnt = -1;

                if (syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, "source", node, 0) < 0)
                        escape_unclear("fsconfig(source)", "%s", strerror(errno));
                else if (syscall(SYS_fsconfig, fd, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0)
                        escape_unclear("fsconfig(ro)", "%s", strerror(errno));
                else if (escape_expect_refused("fsconfig(FSCONFIG_CMD_CREATE) of the host's disk",
                                               syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0),
                                               REFUSED_BY(EPERM)) &&
                         (mnt = syscall(SYS_fsmount, fd, 0, MOUNT_ATTR_RDONLY)) >= 0)
                        close((int) mnt);
                close((int) fd);
        }
        (void) unlink(node);
}

/* /proc/sys made writable, then the host's core_pattern (a "|" pattern runs as host root). */
static void case_proc_sys_remount(const EscapeHost *host) {
        (void) host;
        if (escape_expect_refused("remount,bind,rw /proc/sys",
                                  mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL),
                                  REFUSED_BY(EPERM)))
                escape_try_write_open("/proc/sys/kernel/core_pattern", REFUSED_BY(EROFS, EACCES, EPERM));
        if (escape_expect_refused("remount,rw /proc", mount(NULL, "/proc", NULL, MS_REMOUNT, NULL),
                                  REFUSED_BY(EPERM)))
                escape_try_write_open("/proc/sys/kernel/core_pattern", REFUSED_BY(EROFS, EACCES, EPERM));
}

/* A new procfs has no masks and a writable /proc/sys. */
static void case_proc_fresh(const EscapeHost *host) {
        const char *target = escape_scratch_dir("proc");
        char path[300];

        /* A nesting zone may mount a procfs (a container manager in it does): what that shows must
         * still be refused. Not from a user namespace of its own without a PID namespace: the
         * zone's PID namespace is not that namespace's to show. */
        if (host->nesting && !host->nested_userns) {
                if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                        escape_unclear("mount -t proc", "a nesting zone cannot mount a procfs: %m");
                        return;
                }
                escape_try_procfs(target);
                (void) umount2(target, MNT_DETACH);
                return;
        }
        if (escape_expect_refused("mount -t proc",
                                  mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
                                  REFUSED_BY(EPERM))) {
                snprintf(path, sizeof(path), "%s/sys/kernel/panic", target);
                escape_try_write_open(path, REFUSED_BY(EROFS, EACCES, EPERM));
                (void) umount2(target, MNT_DETACH);
        }
}

/* /sys made writable, or mounted afresh. */
static void case_sys_remount(const EscapeHost *host) {
        const char *target = escape_scratch_dir("sys");
        char path[300];

        (void) host;
        if (escape_expect_refused("remount,rw /sys", mount(NULL, "/sys", NULL, MS_REMOUNT, NULL),
                                  REFUSED_BY(EPERM)))
                escape_try_write_open("/sys/kernel/mm/transparent_hugepage/enabled",
                                      REFUSED_BY(EROFS, EACCES, EPERM));
        if (escape_expect_refused("remount,bind,rw /sys",
                                  mount(NULL, "/sys", NULL, MS_REMOUNT | MS_BIND, NULL), REFUSED_BY(EPERM)))
                escape_try_write_open("/sys/kernel/mm/transparent_hugepage/enabled",
                                      REFUSED_BY(EROFS, EACCES, EPERM));
        /* A fresh sysfs shows the host's devices and knobs, owned by the host's root. */
        if (mount("sysfs", target, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
                snprintf(path, sizeof(path), "%s/kernel/mm/transparent_hugepage/enabled", target);
                escape_try_write_open(path, REFUSED_BY(EROFS, EACCES, EPERM));
                snprintf(path, sizeof(path), "%s/fs", target);
                escape_try_read(path, REFUSED_BY(EACCES));
                (void) umount2(target, MNT_DETACH);
        } else
                escape_expect_refused("mount -t sysfs", -1, REFUSED_BY(EPERM));
}

/* A nesting zone's procfs and sysfs without masks: what they show is refused as the host's, and
 * they cannot be unmounted or made writable. A zone without Nesting=yes has none. */
static void case_nesting_mounts(const EscapeHost *host) {
        struct stat st;

        if (!host->nesting) {
                escape_expect_refused("find " ESCAPE_NESTING_PROC, stat(ESCAPE_NESTING_PROC, &st),
                                      REFUSED_BY(ENOENT));
                return;
        }
        escape_try_procfs(ESCAPE_NESTING_PROC);
        escape_try_write_open(ESCAPE_NESTING_SYS "/kernel/mm/transparent_hugepage/enabled",
                              REFUSED_BY(EROFS, EACCES, EPERM));
        escape_expect_refused("remount,rw " ESCAPE_NESTING_SYS,
                              mount(NULL, ESCAPE_NESTING_SYS, NULL, MS_REMOUNT | MS_BIND, NULL),
                              REFUSED_BY(EPERM));
        escape_expect_refused("umount " ESCAPE_NESTING_PROC, umount2(ESCAPE_NESTING_PROC, 0),
                              REFUSED_BY(EINVAL, EPERM));
        escape_expect_refused("umount " ESCAPE_NESTING_SYS, umount2(ESCAPE_NESTING_SYS, 0),
                              REFUSED_BY(EINVAL, EPERM));
}

/* The masks over /proc: a locked mount cannot be taken off (EINVAL) or moved. */
static void case_umount_masks(const EscapeHost *host) {
        static const char *const masks[] = {
                "/proc/kcore",      "/proc/kallsyms",      "/proc/keys",
                "/proc/timer_list", "/proc/sysrq-trigger", "/proc/sys",
        };
        const char *target = escape_scratch_dir("moved");

        (void) host;
        for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
                char what[300];

                if (access(masks[i], F_OK) < 0 && errno == ENOENT) {
                        escape_refused(masks[i], "not there (not in this kernel)");
                        continue;
                }
                if (!escape_is_mount_point(masks[i])) {
                        escape_unclear(masks[i], "not masked by a mount in the zone");
                        continue;
                }
                snprintf(what, sizeof(what), "umount %s", masks[i]);
                escape_expect_refused(what, umount2(masks[i], MNT_DETACH), REFUSED_BY(EINVAL, EPERM));
        }
        /* Moving /proc away (with its masks) would leave the host's entries under a new procfs. */
        if (escape_expect_refused("mount --move /proc", mount("/proc", target, NULL, MS_MOVE, NULL),
                                  REFUSED_BY(EINVAL, EPERM)))
                (void) mount(target, "/proc", NULL, MS_MOVE, NULL);
}

/* The kernel's own file systems: debugging, tracing, security modules, crash logs, the firmware's.
 * (Not bpf and binfmt_misc: since Linux 6.9 and 6.7 a user namespace mounts an instance of its own.) */
static void case_pseudo_fs(const EscapeHost *host) {
        static const char *const types[] = {
                "debugfs", "tracefs", "securityfs", "pstore", "configfs", "fusectl", "efivarfs",
        };
        const char *target = escape_scratch_dir("pseudo");

        (void) host;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
                char what[64];

                snprintf(what, sizeof(what), "mount -t %s", types[i]);
                /* ENODEV: this kernel does not have it at all. */
                if (escape_expect_refused(what, mount("none", target, types[i], 0, NULL),
                                          REFUSED_BY(EPERM, ENODEV)))
                        (void) umount2(target, MNT_DETACH);
        }
}

/* open_by_handle_at() with the handle of the host file system's root directory (ext4's inode 2,
 * FILEID_INO32_GEN), through an fd of the zone's tree on that file system. */
static void case_shocker(const EscapeHost *host) {
        struct {
                struct file_handle fh;
                unsigned char bytes[8];
        } handle = { .fh = { .handle_bytes = 8, .handle_type = 1 } };
        unsigned ino = 2, gen = 0;
        int mount_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        long fd;

        (void) host;
        memcpy(handle.bytes, &ino, 4);
        memcpy(handle.bytes + 4, &gen, 4);
        fd = syscall(SYS_open_by_handle_at, mount_fd, &handle.fh, O_RDONLY | O_DIRECTORY);
        if (escape_expect_refused("open_by_handle_at(inode 2)", fd, REFUSED_BY(EPERM)))
                close((int) fd);
        if (mount_fd >= 0)
                close(mount_fd);
}

const EscapeCase escape_cases_mount[] = {
        { "mknod-disk", "make a device node of the host's disk and read it", case_mknod_disk, true },
        { "mount-disk", "mount the host's root file system", case_mount_disk, true },
        { "proc-sys-remount", "remount /proc/sys read-write, then core_pattern", case_proc_sys_remount,
          true },
        { "proc-fresh", "mount a procfs without masks", case_proc_fresh, true },
        { "sys-remount", "remount /sys read-write, or mount a sysfs", case_sys_remount, true },
        { "umount-masks", "unmount the masks over /proc", case_umount_masks, true },
        { "nesting-mounts", "use a nesting zone's procfs and sysfs without masks", case_nesting_mounts,
          true },
        { "pseudo-fs", "mount debugfs, tracefs, securityfs, bpf, ...", case_pseudo_fs, true },
        { "shocker", "open_by_handle_at() of the host's root", case_shocker, false },
        { NULL, NULL, NULL, false },
};
