/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's disk image: made at creation, read for DiskUsage, grown (or shrunk offline) on request. */

#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "bus-errors.h"
#include "log.h"
#include "loop-device.h"
#include "tree-copy.h"
#include "zone-dbus.h"
#include "zone-disk.h"

/* linux/ext4.h is not in every distribution's kernel headers. */
#ifndef EXT4_IOC_RESIZE_FS
#define EXT4_IOC_RESIZE_FS _IOW('f', 16, uint64_t)
#endif

extern char **environ;

char *zone_disk_image_path(Zone *z) {
        g_autofree char *state = zone_state_path(z);
        return g_build_filename(state, "disk.img", NULL);
}

char *zone_disk_mount_path(Zone *z) {
        g_autofree char *state = zone_state_path(z);
        return g_build_filename(state, z->config.copy ? "rootfs" : "disk", NULL);
}

void zone_disk_plan(Zone *z, LaunchPlan *p) {
        if (z->config.disk_quota == 0)
                return;
        p->disk_image = zone_disk_image_path(z);
        p->disk_mount = zone_disk_mount_path(z);
        if (!z->config.copy) {
                g_free(p->upper);
                g_free(p->work);
                p->upper = g_build_filename(p->disk_mount, "upper", NULL);
                p->work = g_build_filename(p->disk_mount, "work", NULL);
        }
}

static int disk_quota_check(Manager *m, uint64_t bytes, uint64_t current, uint64_t *ret_free) {
        struct statvfs sv;

        *ret_free = 0;
        if (bytes < ZONE_DISK_MIN)
                return -EINVAL;
        if (statvfs(m->state_dir, &sv) < 0)
                return -errno;
        *ret_free = (uint64_t) sv.f_bavail * sv.f_frsize;
        return bytes > current && bytes - current > *ret_free ? -ENOSPC : 0;
}

int zone_disk_check_quota(Manager *m, uint64_t bytes, uint64_t current, sd_bus_error *error) {
        uint64_t free_bytes;
        int r = disk_quota_check(m, bytes, current, &free_bytes);

        if (r == -EINVAL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "DiskQuota %" PRIu64 " is too small: a zone's disk has at least "
                                         "%" PRIu64 " bytes.",
                                         bytes, ZONE_DISK_MIN);
        if (r == -ENOSPC)
                return sd_bus_error_setf(error, ZONED_ERROR_NOT_ENOUGH_SPACE,
                                         "DiskQuota %" PRIu64 " needs %" PRIu64
                                         " more bytes than the %" PRIu64 " free in %s.",
                                         bytes, bytes - current - free_bytes, free_bytes, m->state_dir);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the free space of %s: %m",
                                               m->state_dir);
        return 0;
}

/* Runs an e2fsprogs tool from the usual places, its output to /dev/null; its exit status. */
static int run_tool(const char *const *argv) {
        static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
        posix_spawn_file_actions_t fa;
        pid_t pid = -1;
        int status, r = ENOENT;

        if (posix_spawn_file_actions_init(&fa) != 0)
                return -ENOMEM;
        (void) posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        (void) posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        for (size_t i = 0; i < ELEMENTSOF(dirs) && r == ENOENT; i++) {
                g_autofree char *path = g_build_filename(dirs[i], argv[0], NULL);
                r = posix_spawn(&pid, path, &fa, NULL, (char **) argv, environ);
        }
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -r;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int make_filesystem(const char *image, uint64_t bytes) {
        /* Lazy initialisation: no inode table or journal is written out, the image stays sparse
         * and mkfs takes ~20 ms for 2 GiB as for 20 GiB. No blocks reserved for root: the zone's
         * root is not the host's, and the quota is all the zone's. */
        const char *const argv[] = { "mkfs.ext4",
                                     "-q",
                                     "-F",
                                     "-b",
                                     "4096",
                                     "-m",
                                     "0",
                                     "-T",
                                     "default",
                                     "-E",
                                     "lazy_itable_init=1,lazy_journal_init=1",
                                     "-L",
                                     "zone",
                                     image,
                                     NULL };
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = open(image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (ftruncate(fd, (off_t) (bytes / ZONE_DISK_BLOCK_SIZE * ZONE_DISK_BLOCK_SIZE)) < 0)
                return -errno;
        r = run_tool(argv);
        if (r < 0)
                return r;
        return r == 0 ? 0 : -EIO;
}

int zone_disk_make(const char *image, uint64_t bytes, const char *copy_src) {
        _cleanup_close_ int mnt = -EBADF;
        char root[64];
        int r;

        r = make_filesystem(image, bytes);
        if (r < 0)
                return r;
        r = image_fsmount(image, ZONE_DISK_FSTYPE, ZONE_DISK_OPTIONS, false, &mnt);
        if (r < 0)
                return r;
        if (copy_src) {
                /* The tree of a detached mount, by its fd: no mount namespace, nothing to unmount. */
                snprintf(root, sizeof(root), "/proc/self/fd/%i", mnt);
                return tree_copy(copy_src, root, NULL);
        }
        if (mkdirat(mnt, "upper", 0755) < 0 || mkdirat(mnt, "work", 0755) < 0)
                return -errno;
        return 0;
}

/* The ext4 superblock's size and used bytes, as the file system wrote them when it was unmounted. */
static int image_superblock(const char *image, uint64_t *ret_size, uint64_t *ret_used) {
        _cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        uint8_t sb[1024];
        uint64_t blocks, free_blocks;
        uint32_t log_size;

        if (fd < 0)
                return -errno;
        if (pread(fd, sb, sizeof(sb), 1024) != (ssize_t) sizeof(sb))
                return -EIO;
#define LE32(o)                                                                          \
        ((uint32_t) sb[o] | (uint32_t) sb[(o) + 1] << 8 | (uint32_t) sb[(o) + 2] << 16 | \
         (uint32_t) sb[(o) + 3] << 24)
        if ((sb[0x38] | sb[0x39] << 8) != 0xEF53)
                return -EMEDIUMTYPE;
        log_size = LE32(0x18);
        blocks = LE32(0x04);
        free_blocks = LE32(0x0C);
        if (LE32(0x60) & 0x80) { /* INCOMPAT_64BIT */
                blocks |= (uint64_t) LE32(0x150) << 32;
                free_blocks |= (uint64_t) LE32(0x158) << 32;
        }
#undef LE32
        if (log_size > 6 || free_blocks > blocks)
                return -EBADMSG;
        if (ret_size)
                *ret_size = blocks << (10 + log_size);
        if (ret_used)
                *ret_used = (blocks - free_blocks) << (10 + log_size);
        return 0;
}

int zone_disk_usage(Zone *z, uint64_t *ret) {
        g_autofree char *image = NULL, *root = NULL;
        struct statfs sf;

        if (z->config.disk_quota == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (z->leader > 0) {
                /* The overlay's statfs() is its upper layer's: the image's file system. */
                root = g_strdup_printf("/proc/%" PRIu32 "/root", z->leader);
                if (statfs(root, &sf) == 0 && sf.f_blocks >= sf.f_bfree) {
                        *ret = (uint64_t) (sf.f_blocks - sf.f_bfree) * (uint64_t) sf.f_bsize;
                        return 0;
                }
        }
        image = zone_disk_image_path(z);
        return image_superblock(image, NULL, ret);
}

/* A running zone's file system grows where it is mounted: the zone's superblock, reached through
 * its loop device, which first learns the new size of its file. EXT4_IOC_RESIZE_FS needs
 * CAP_SYS_RESOURCE: -EPERM without, and the image is as it was. */
static int grow_online(const char *image, int fd, uint64_t old, uint64_t bytes) {
        _cleanup_free_ char *node = NULL;
        _cleanup_close_ int mnt = -EBADF, root = -EBADF;
        uint64_t blocks = bytes / ZONE_DISK_BLOCK_SIZE;
        int r;

        r = loop_device_find(image, &node);
        if (r == -ENXIO)
                return -EBUSY; /* between two boots: the supervisor is about to attach it */
        if (r < 0)
                return r;
        if (ftruncate(fd, (off_t) bytes) < 0)
                return -errno;
        r = loop_device_set_capacity(node);
        if (r >= 0)
                r = loop_device_fsmount(node, ZONE_DISK_FSTYPE, ZONE_DISK_OPTIONS, &mnt);
        if (r >= 0) {
                root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = root < 0 ? -errno : 0;
        }
        if (r >= 0 && ioctl(root, EXT4_IOC_RESIZE_FS, &blocks) < 0)
                r = -errno;
        if (r < 0 && ftruncate(fd, (off_t) old) >= 0)
                (void) loop_device_set_capacity(node);
        return r;
}

/* A stopped zone's image: resize2fs, which needs a checked file system, on the image file. */
static int resize_offline(const char *image, int fd, uint64_t old, uint64_t bytes) {
        g_autofree char *size = g_strdup_printf("%" PRIu64 "K", bytes / 1024);
        const char *const fsck[] = { "e2fsck", "-f", "-p", image, NULL };
        const char *const resize[] = { "resize2fs", image, size, NULL };
        _cleanup_free_ char *node = NULL;
        uint64_t used;
        int r;

        /* The tools write the file behind the back of a kernel that may have it mounted. */
        if (loop_device_find(image, &node) >= 0)
                return -EBUSY;
        r = image_superblock(image, NULL, &used);
        if (r < 0)
                return r;
        if (used > bytes)
                return -EDQUOT;
        r = run_tool(fsck);
        if (r < 0)
                return r;
        if (r > 1) /* 1: errors corrected */
                return -EUCLEAN;
        if (bytes > old && ftruncate(fd, (off_t) bytes) < 0)
                return -errno;
        r = run_tool(resize);
        if (r < 0)
                return r;
        if (r != 0) {
                (void) ftruncate(fd, (off_t) MAX(old, bytes));
                return bytes < old ? -EDQUOT : -EIO; /* shrinking: it does not fit, with its metadata */
        }
        return bytes < old && ftruncate(fd, (off_t) bytes) < 0 ? -errno : 0;
}

int zone_disk_resize_image(const char *image, uint64_t bytes, bool running) {
        _cleanup_close_ int fd = -EBADF;
        uint64_t old;
        int r;

        bytes = bytes / ZONE_DISK_BLOCK_SIZE * ZONE_DISK_BLOCK_SIZE;
        r = image_superblock(image, &old, NULL);
        if (r < 0)
                return r;
        if (bytes == old)
                return 0;
        if (running && bytes < old)
                return -ETXTBSY;
        fd = open(image, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (!running)
                return resize_offline(image, fd, old, bytes);
        r = grow_online(image, fd, old, bytes);
        return r == -EPERM ? -ETXTBSY : r;
}

int zone_disk_set_quota(Zone *z, uint64_t bytes) {
        static const char *const changed[] = { "DiskQuota", NULL };
        g_autofree char *image = NULL, *cfg = NULL;
        uint64_t old = z->config.disk_quota, free_bytes;
        int r;

        if (old == 0)
                return -ENOMEDIUM;
        if (z->state != ZONE_STOPPED && z->state != ZONE_FAILED && z->state != ZONE_RUNNING)
                return -EBUSY;
        bytes = bytes / ZONE_DISK_BLOCK_SIZE * ZONE_DISK_BLOCK_SIZE;
        r = disk_quota_check(z->manager, bytes, old, &free_bytes);
        if (r < 0)
                return r;
        image = zone_disk_image_path(z);
        r = zone_disk_resize_image(image, bytes, z->link || z->state == ZONE_RUNNING);
        if (r < 0)
                return r;
        if (bytes == old)
                return 0;
        z->config.disk_quota = bytes;
        cfg = zone_config_path(z);
        r = zone_config_save(cfg, &z->config);
        zone_emit_properties_changed(z, changed);
        return r;
}

int zone_disk_set_quota_error(Zone *z, int r, uint64_t bytes, sd_bus_error *error) {
        uint64_t used = 0;

        switch (r) {
        case -ENOMEDIUM:
                return sd_bus_error_setf(error, ZONED_ERROR_NO_DISK_IMAGE,
                                         "Zone %s was created without a disk quota: it has no disk image.",
                                         z->name);
        case -EBUSY:
                return sd_bus_error_setf(error, ZONED_ERROR_BUSY, "Zone %s is %s; try again when it is not.",
                                         z->name, zone_state_to_string(z->state));
        case -ETXTBSY:
                if (bytes < z->config.disk_quota)
                        return sd_bus_error_setf(error, ZONED_ERROR_CANNOT_RESIZE_ONLINE,
                                                 "The disk of zone %s cannot shrink while it runs (ext4 "
                                                 "shrinks offline only); stop it first.",
                                                 z->name);
                return sd_bus_error_setf(
                        error, ZONED_ERROR_CANNOT_RESIZE_ONLINE,
                        "The disk of zone %s cannot grow while it runs: zoned lacks "
                        "CAP_SYS_RESOURCE, which growing a mounted ext4 needs; stop it first.",
                        z->name);
        case -EDQUOT:
                (void) zone_disk_usage(z, &used);
                return sd_bus_error_setf(error, ZONED_ERROR_QUOTA_EXCEEDED,
                                         "Zone %s uses %" PRIu64 " bytes of its disk: more than %" PRIu64
                                         ".",
                                         z->name, used, bytes);
        case -EINVAL:
        case -ENOSPC:
                return zone_disk_check_quota(z->manager, bytes, z->config.disk_quota, error);
        default:
                return sd_bus_error_set_errnof(error, r, "Cannot change the disk quota of zone %s: %m",
                                               z->name);
        }
}

int zone_disk_apply(Zone *z, sd_bus_error *error) {
        g_autofree char *image = NULL;
        uint64_t quota = z->config.disk_quota, size;
        int r;

        if (quota == 0)
                return 0;
        image = zone_disk_image_path(z);
        r = image_superblock(image, &size, NULL);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot read the disk image of zone %s: %m",
                                               z->name);
        if (size == quota)
                return 0;
        if (size < quota) {
                r = zone_disk_check_quota(z->manager, quota, size, error);
                if (r < 0)
                        return r;
        }
        r = zone_disk_resize_image(image, quota, false);
        if (r < 0)
                return zone_disk_set_quota_error(z, r, quota, error);
        log_info("Zone %s: disk resized from %" PRIu64 " to %" PRIu64 " bytes (DiskQuota=).", z->name, size,
                 quota);
        return 0;
}
