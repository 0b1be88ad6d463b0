/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing a tree as a tarball: the worker side of ExportZoneTar. */

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>

#include "archive-util.h"
#include "export.h"
#include "launch-plan.h"
#include "loop-device.h"
#include "macro.h"

typedef struct ExportFormat {
        const char *name;
        int (*add_filter)(struct archive *a);
        const char *options; /* for archive_write_set_options(), or NULL */
} ExportFormat;

static const ExportFormat formats[] = {
        { "tar", archive_write_add_filter_none, NULL },
        { "gzip", archive_write_add_filter_gzip, NULL },
        /* All cores: xz -T0 writes blocks that decode in parallel too. */
        { "xz", archive_write_add_filter_xz, "xz:threads=0" },
        { "zstd", archive_write_add_filter_zstd, NULL },
        { "bzip2", archive_write_add_filter_bzip2, NULL },
};

static const ExportFormat *format_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (streq(formats[i].name, isempty(name) ? "tar" : name))
                        return &formats[i];
        return NULL;
}

bool export_format_is_valid(const char *format) {
        return format_find(format) != NULL;
}

typedef struct Export {
        ProgressWriter *progress;
        const TreeShift *unshift;
        uint64_t bytes;
} Export;

static int64_t unshift_id(int64_t id, const TreeShift *s) {
        return id >= (int64_t) s->shift && id - (int64_t) s->shift < (int64_t) s->range
                       ? id - (int64_t) s->shift
                       : 65534;
}

/* Zeros for the holes of sparse files: they are written as plain files. */
static int write_zeros(struct archive *out, uint64_t n) {
        static const char zeros[64 * 1024];

        while (n > 0) {
                size_t k = (size_t) MIN(n, (uint64_t) sizeof(zeros));
                if (archive_write_data(out, zeros, k) < 0)
                        return archive_error_errno(out);
                n -= k;
        }
        return 0;
}

static int copy_data(Export *x, struct archive *in, struct archive *out, const char *path, uint64_t size) {
        uint64_t done = 0;

        for (;;) {
                const void *buf;
                size_t n;
                la_int64_t offset;
                int r = archive_read_data_block(in, &buf, &n, &offset);

                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return progress_report_error(x->progress, archive_error_errno(in),
                                                     "Cannot read %s: %s", path, archive_error_string(in));
                if ((uint64_t) offset < done || (uint64_t) offset + n > size)
                        return progress_report_error(x->progress, -EIO, "%s changed while it was read",
                                                     path);
                if (write_zeros(out, (uint64_t) offset - done) < 0 || archive_write_data(out, buf, n) < 0)
                        return progress_report_error(x->progress, archive_error_errno(out),
                                                     "Cannot write %s: %s", path, archive_error_text(out));
                done = (uint64_t) offset + n;
                x->bytes += n;
                progress_report_bytes(x->progress, x->bytes, false);
        }
        if (write_zeros(out, size - done) < 0)
                return progress_report_error(x->progress, archive_error_errno(out), "Cannot write %s: %s",
                                             path, archive_error_text(out));
        return 0;
}

static int write_entry(Export *x, struct archive *in, struct archive *out, struct archive_entry *e,
                       bool with_data) {
        const char *path = archive_entry_pathname(e);

        archive_entry_sparse_clear(e);
        if (archive_write_header(out, e) < ARCHIVE_WARN)
                return progress_report_error(x->progress, archive_error_errno(out), "Cannot write %s: %s",
                                             path, archive_error_text(out));
        if (!with_data || archive_entry_size(e) <= 0 || archive_entry_hardlink(e))
                return 0;
        return copy_data(x, in, out, path, (uint64_t) archive_entry_size(e));
}

/* "ROOT/usr/bin" → "./usr/bin"; ROOT itself → ".". */
static int relative_path(struct archive_entry *e, size_t rootlen) {
        const char *p = archive_entry_pathname(e);
        _cleanup_free_ char *rel = NULL;

        if (!p || strlen(p) < rootlen)
                return -EINVAL;
        if (asprintf(&rel, ".%s", p + rootlen) < 0)
                return -ENOMEM;
        archive_entry_copy_pathname(e, rel);
        return 0;
}

static int export_entries(Export *x, struct archive *in, struct archive *out, size_t rootlen) {
        _cleanup_(archive_entry_linkresolver_freep) struct archive_entry_linkresolver *lr =
                archive_entry_linkresolver_new();
        int r;

        if (!lr)
                return -ENOMEM;
        archive_entry_linkresolver_set_strategy(lr, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
        for (;;) {
                struct archive_entry *e = archive_entry_new(), *spare = NULL;

                if (!e)
                        return -ENOMEM;
                r = archive_read_next_header2(in, e);
                if (r == ARCHIVE_EOF) {
                        archive_entry_free(e);
                        return 0;
                }
                if (r < ARCHIVE_WARN) {
                        r = progress_report_error(x->progress, archive_error_errno(in),
                                                  "Cannot read the tree: %s", archive_error_string(in));
                        archive_entry_free(e);
                        return r;
                }
                (void) archive_read_disk_descend(in);
                r = relative_path(e, rootlen);
                if (x->unshift) {
                        archive_entry_set_uid(e, unshift_id(archive_entry_uid(e), x->unshift));
                        archive_entry_set_gid(e, unshift_id(archive_entry_gid(e), x->unshift));
                }
                if (r >= 0)
                        archive_entry_linkify(lr, &e, &spare);
                if (r >= 0 && e)
                        r = write_entry(x, in, out, e, true);
                if (r >= 0 && spare)
                        r = write_entry(x, in, out, spare, false);
                archive_entry_free(e);
                archive_entry_free(spare);
                if (r < 0)
                        return r;
        }
}

static int open_writer(struct archive *out, const ExportFormat *f, int fd) {
        if (archive_write_set_format_pax_restricted(out) != ARCHIVE_OK || f->add_filter(out) != ARCHIVE_OK)
                return -EOPNOTSUPP;
        if (f->options && archive_write_set_options(out, f->options) < ARCHIVE_WARN)
                return -EOPNOTSUPP;
        /* A stream: no padding of the last block beyond what tar needs. */
        (void) archive_write_set_bytes_in_last_block(out, 1);
        return archive_write_open_fd(out, fd) == ARCHIVE_OK ? 0 : archive_error_errno(out);
}

int export_tree_tar(const char *root, int fd, const char *format, const TreeShift *unshift,
                    ProgressWriter *progress) {
        _cleanup_(archive_read_freep) struct archive *in = archive_read_disk_new();
        _cleanup_(archive_write_freep) struct archive *out = archive_write_new();
        const ExportFormat *f = format_find(format);
        Export x = { .progress = progress, .unshift = unshift };
        _cleanup_free_ char *dir = strdup(root);
        size_t n;
        int r;

        if (!in || !out || !dir)
                return -ENOMEM;
        if (!f)
                return progress_report_error(progress, -EINVAL, "Unknown format \"%s\".", format);
        n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                dir[--n] = 0;
        r = open_writer(out, f, fd);
        if (r < 0)
                return progress_report_error(progress, r, "Cannot write a %s tarball: %s", f->name,
                                             archive_error_string(out) ?: strerror(-r));
        /* Numeric ids only (no name lookups in the host's passwd), symlinks as
         * they are, the tree's own file system only. */
        archive_read_disk_set_symlink_physical(in);
        archive_read_disk_set_behavior(in, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
        if (archive_read_disk_open(in, dir) != ARCHIVE_OK)
                return progress_report_error(progress, archive_error_errno(in), "Cannot read %s: %s", dir,
                                             archive_error_string(in));
        r = export_entries(&x, in, out, n);
        if (r < 0)
                return r;
        if (archive_write_close(out) != ARCHIVE_OK)
                return progress_report_error(progress, archive_error_errno(out),
                                             "Cannot finish the tarball: %s", archive_error_text(out));
        progress_report_bytes(progress, x.bytes, true);
        return 0;
}

/* Two lower layers and no upper: a read-only overlay, nothing is written. */
static int mount_merged(const char *upper, const char *lower, const char *where) {
        _cleanup_free_ char *options = NULL;

        if (strpbrk(upper, ",:\\") || strpbrk(lower, ",:\\"))
                return -EINVAL;
        if (asprintf(&options, "lowerdir=%s:%s", upper, lower) < 0)
                return -ENOMEM;
        if (unshare(CLONE_NEWNS) < 0)
                return -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        return mount("overlay", where, "overlay", MS_RDONLY, options) < 0 ? -errno : 0;
}

void export_job_done(ExportJob *x) {
        g_free(x->disk_image);
        g_free(x->disk_mount);
        g_free(x->rootfs);
        g_free(x->upper);
        g_free(x->lower);
        g_free(x->format);
        safe_close(x->fd);
        *x = (ExportJob) { .fd = -EBADF };
}

/* The image read-only on disk_mount, in a mount namespace of the worker's own; never a second
 * superblock of an image a booting zone has on a loop device. */
static int mount_disk(const char *image, const char *where) {
        _cleanup_close_ int mnt = -EBADF;
        int r;

        if (unshare(CLONE_NEWNS) < 0)
                return -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        r = image_fsmount_exclusive(image, ZONE_DISK_FSTYPE, "ro,noload", true, &mnt);
        if (r < 0)
                return r;
        return move_mount(mnt, "", AT_FDCWD, where, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
}

int export_zone_tar(const ExportJob *x, ProgressWriter *progress) {
        int r;

        if (x->disk_image) {
                r = mount_disk(x->disk_image, x->disk_mount);
                if (r < 0)
                        return progress_report_error(progress, r, "Cannot mount the zone's disk image: %s",
                                                     strerror(-r));
        }
        if (x->upper) {
                r = mount_merged(x->upper, x->lower, x->rootfs);
                if (r < 0)
                        return progress_report_error(progress, r, "Cannot mount the zone's tree: %s",
                                                     strerror(-r));
        }
        /* The mount goes away with the worker's mount namespace. */
        return export_tree_tar(x->rootfs, x->fd, x->format, x->unshift.range > 0 ? &x->unshift : NULL,
                               progress);
}
