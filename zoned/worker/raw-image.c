/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Raw disk images as templates: decompress, probe, loop-mount, copy. */

#include <archive.h>
#include <blkid.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "archive-util.h"
#include "loop-device.h"
#include "macro.h"
#include "raw-image.h"
#include "tree-copy.h"

static void blkid_free_probep(blkid_probe *p) {
        if (*p)
                blkid_free_probe(*p);
}

int raw_image_probe(const char *path, char **ret_type) {
        _cleanup_(blkid_free_probep) blkid_probe p = blkid_new_probe_from_filename(path);
        const char *type = NULL;
        int r;

        if (!p)
                return errno > 0 ? -errno : -ENOMEM;
        blkid_probe_enable_superblocks(p, 1);
        blkid_probe_set_superblocks_flags(p, BLKID_SUBLKS_TYPE);
        blkid_probe_enable_partitions(p, 1);
        r = blkid_do_safeprobe(p);
        if (r != 0) /* 1: nothing found, -2: ambivalent, -1: error */
                return r == -1 ? -EIO : -EMEDIUMTYPE;
        if (blkid_probe_lookup_value(p, "TYPE", &type, NULL) != 0 || isempty(type))
                return -EMEDIUMTYPE; /* a partition table, not a file system */
        *ret_type = g_strdup(type);
        return 0;
}

static bool all_zero(const char *buf, size_t n) {
        return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

/* Writes what libarchive decodes to out, leaving holes where it is zero. */
static int write_sparse(struct archive *a, int out, ProgressWriter *progress) {
        static char buf[1024 * 1024];
        off_t size = 0;

        for (;;) {
                la_ssize_t n = archive_read_data(a, buf, sizeof(buf));

                if (n < 0)
                        return progress_report_error(progress, -EBADMSG, "Cannot read the image: %s",
                                                     archive_error_string(a));
                if (n == 0)
                        break;
                if (all_zero(buf, (size_t) n)) {
                        if (lseek(out, n, SEEK_CUR) < 0)
                                return -errno;
                } else if (write(out, buf, (size_t) n) != n)
                        return progress_report_error(progress, -errno ?: -EIO, "Cannot write the image: %s",
                                                     strerror(errno ?: EIO));
                size += n;
                progress_report_bytes(progress, (uint64_t) archive_filter_bytes(a, -1), false);
        }
        progress_report_bytes(progress, (uint64_t) archive_filter_bytes(a, -1), true);
        return ftruncate(out, size) < 0 ? -errno : 0;
}

/* Opens the stream imp->source_fd as one raw file, decompressed if need be. */
static int open_stream(const TemplateImport *imp, ProgressWriter *progress, struct archive **ret) {
        _cleanup_(archive_read_freep) struct archive *a = archive_read_new();
        struct archive_entry *e;

        if (!a)
                return -ENOMEM;
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        if (archive_read_open_fd(a, imp->source_fd, 128 * 1024) != ARCHIVE_OK ||
            archive_read_next_header(a, &e) != ARCHIVE_OK)
                return progress_report_error(progress, -EBADMSG, "Cannot read the image: %s",
                                             archive_error_string(a));
        *ret = TAKE_PTR(a);
        return 0;
}

/* Writes the image a delivers into path, a sparse file. */
static int store_image(struct archive *a, const char *path, ProgressWriter *progress) {
        _cleanup_close_ int out = -EBADF;

        out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0)
                return progress_report_error(progress, -errno, "Cannot make %s: %s", path, strerror(errno));
        return write_sparse(a, out, progress);
}

/* Read-only, through a loop device that goes when the mount goes: a detached mount, reached through
 * its fd, which no mount namespace needs to hold (common/loop-device.h). */
static int mount_image(const char *image, const char *type, int *ret_fd) {
        const char *options = g_str_has_prefix(type, "ext") ? "ro,noload" : "ro";

        return image_fsmount(image, type, options, true, ret_fd);
}

/* The file system's own lost+found is not part of the OS tree. The root
 * directory takes the owner, mode and times of the image's root (tree_copy()
 * fills it but leaves it as it was made). */
static int finish_root(const char *mnt, const char *rootfs) {
        g_autofree char *lost = g_build_filename(rootfs, "lost+found", NULL);
        struct stat st;

        if (stat(mnt, &st) < 0)
                return -errno;
        (void) rmdir(lost);
        if (chown(rootfs, st.st_uid, st.st_gid) < 0 || chmod(rootfs, st.st_mode & 07777) < 0 ||
            utimensat(AT_FDCWD, rootfs, (const struct timespec[]) { st.st_atim, st.st_mtim }, 0) < 0)
                return -errno;
        return 0;
}

static int copy_tree(const char *image, const char *rootfs, uint64_t *size, ProgressWriter *progress) {
        g_autofree char *type = NULL, *mnt = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = raw_image_probe(image, &type);
        if (r == -EMEDIUMTYPE)
                return progress_report_error(
                        progress, r,
                        "The image has no file system libblkid knows (a partitioned disk is not "
                        "supported: give the image of one file system).");
        if (r < 0)
                return progress_report_error(progress, r, "Cannot probe the image: %s", strerror(-r));
        if (mkdir(rootfs, 0755) < 0)
                return progress_report_error(progress, -errno, "Cannot make %s: %s", rootfs,
                                             strerror(errno));
        r = mount_image(image, type, &fd);
        if (r < 0)
                return progress_report_error(progress, r, "Cannot mount the %s file system of the image: %s",
                                             type, strerror(-r));
        /* "/.": the tree the magic link leads to, not the link (tree_copy() follows no symlink). */
        mnt = g_strdup_printf("/proc/self/fd/%i/.", fd);
        r = tree_copy(mnt, rootfs, size);
        (void) chdir("/");
        if (r >= 0)
                r = finish_root(mnt, rootfs);
        /* Closing the last fd of the mount unmounts it, which detaches the loop device (autoclear). */
        fd = safe_close(fd);
        if (r < 0)
                return progress_report_error(progress, r, "Cannot copy the tree of the image: %s",
                                             strerror(-r));
        return 0;
}

int template_import_raw(const TemplateImport *imp, ProgressWriter *progress) {
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        int r;

        r = open_stream(imp, progress, &a);
        if (r < 0)
                return r;
        return template_import_raw_archive(imp, a, progress);
}

int template_import_raw_archive(const TemplateImport *imp, struct archive *a, ProgressWriter *progress) {
        g_autofree char *image = g_build_filename(imp->tmp_dir, "image.raw", NULL);
        g_autofree char *rootfs = g_build_filename(imp->tmp_dir, "rootfs", NULL);
        const char *brand = NULL;
        uint64_t size = 0;
        int r;

        if (mkdir(imp->tmp_dir, 0700) < 0)
                return progress_report_error(progress, -errno, "Cannot make %s: %s", imp->tmp_dir,
                                             strerror(errno));
        r = store_image(a, image, progress);
        if (r < 0)
                return r;
        r = copy_tree(image, rootfs, &size, progress);
        if (r < 0)
                return r;
        (void) unlink(image);
        r = template_import_brand(imp, rootfs, "the image", progress, &brand);
        if (r < 0)
                return r;
        if (chmod(imp->tmp_dir, 0755) < 0)
                return -errno;
        return template_import_commit_reported(imp, brand, size, progress);
}
