/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive-util.h"
#include "bus-error-names.h"
#include "macro.h"
#include "template-tar.h"
#include "xz-stream.h"

typedef struct TarSource {
        int fd;
        XzStream *xz; /* reads fd; decodes xz on all CPUs */
        ProgressWriter *progress;
        uint64_t bytes;
        char buf[128 * 1024];
} TarSource;

static la_ssize_t tar_read(struct archive *a, void *userdata, const void **ret_buf) {
        TarSource *s = userdata;
        ssize_t n;

        n = xz_stream_read(s->xz, s->buf, sizeof(s->buf));
        if (n == -EBADMSG) {
                archive_set_error(a, EBADMSG, "Corrupt or truncated xz data");
                return -1;
        }
        if (n < 0) {
                archive_set_error(a, (int) -n, "Cannot read the archive: %s", strerror((int) -n));
                return -1;
        }
        /* Progress counts what came in: compressed bytes, as BytesTotal does. */
        s->bytes = xz_stream_bytes_read(s->xz);
        progress_report_bytes(s->progress, s->bytes, false);
        *ret_buf = s->buf;
        return n;
}

/* "./usr/bin" → "usr/bin", "./" → "."; libarchive's own checks then see
 * paths relative to the rootfs, the worker's working directory. */
static void strip_dot_slash(struct archive_entry *e, bool hardlink) {
        const char *p = hardlink ? archive_entry_hardlink(e) : archive_entry_pathname(e);
        _cleanup_free_ char *copy = NULL;
        const char *q;

        if (!p)
                return;
        for (q = p; q[0] == '.' && q[1] == '/';)
                for (q += 2; *q == '/'; q++)
                        ;
        if (q == p)
                return;
        copy = strdup(*q ? q : ".");
        if (!copy)
                return;
        if (hardlink)
                archive_entry_copy_hardlink(e, copy);
        else
                archive_entry_copy_pathname(e, copy);
}

static int copy_data(struct archive *in, struct archive *out, ProgressWriter *progress, const char *path) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = archive_read_data_block(in, &buf, &size, &offset);

                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return progress_report_error(progress, archive_error_errno(in),
                                                     "Cannot read %s from the archive: %s", path,
                                                     archive_error_string(in));
                /* A failed write(2) (a full disk) is only a warning to libarchive. */
                if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
                        return progress_report_error(progress, archive_error_errno(out),
                                                     "Cannot write %s: %s", path, archive_error_text(out));
        }
}

static int extract_entry(struct archive *in, struct archive *out, struct archive_entry *e,
                         ProgressWriter *progress) {
        const char *path;
        int r;

        strip_dot_slash(e, true);
        path = archive_entry_pathname(e);
        if (!path || !*path)
                return progress_report_error(progress, -EINVAL, "The archive has an entry without a name.");
        r = archive_write_header(out, e);
        if (r < ARCHIVE_WARN)
                /* Also where "..", absolute paths and writes through symlinks are refused. */
                return progress_report_error(progress, archive_error_errno(out), "Cannot unpack %s: %s",
                                             path, archive_error_string(out));
        if (archive_entry_size(e) > 0) {
                r = copy_data(in, out, progress, path);
                if (r < 0)
                        return r;
        }
        if (archive_write_finish_entry(out) < ARCHIVE_WARN)
                return progress_report_error(progress, archive_error_errno(out), "Cannot finish %s: %s",
                                             path, archive_error_string(out));
        return 0;
}

/* The entry of the tree's root ("./") describes the rootfs directory itself,
 * which exists already: its owner, mode and times are applied at the end,
 * after everything inside it was written. */
static int apply_root(struct archive_entry *root, ProgressWriter *progress) {
        struct timespec ts[2] = {
                { .tv_sec = archive_entry_atime(root), .tv_nsec = archive_entry_atime_nsec(root) },
                { .tv_sec = archive_entry_mtime(root), .tv_nsec = archive_entry_mtime_nsec(root) },
        };

        if (archive_entry_filetype(root) != AE_IFDIR)
                return progress_report_error(progress, -ENOTDIR,
                                             "The root of the archive is not a directory.");
        if (!archive_entry_atime_is_set(root))
                ts[0] = ts[1];
        if (chown(".", (uid_t) archive_entry_uid(root), (gid_t) archive_entry_gid(root)) < 0 ||
            chmod(".", archive_entry_perm(root)) < 0 || utimensat(AT_FDCWD, ".", ts, 0) < 0)
                return progress_report_error(progress, -errno, "Cannot set up the root directory: %s",
                                             strerror(errno));
        return 0;
}

/* Counts the entry against the caps before anything of it is written. */
static int check_limits(struct archive_entry *e, const TarLimits *limits, uint64_t *bytes, uint64_t *files,
                        ProgressWriter *progress) {
        uint64_t size = 0;

        if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e))
                size = (uint64_t) MAX(archive_entry_size(e), 0);
        if (++*files > limits->max_files)
                return progress_report_error(progress, -EFBIG,
                                             "The archive has more than %" PRIu64 " entries (max-files).",
                                             limits->max_files);
        if (size > limits->max_bytes || *bytes > limits->max_bytes - size)
                return progress_report_error(progress, -EFBIG,
                                             "The archive unpacks to more than %" PRIu64
                                             " bytes (max-bytes), at %s.",
                                             limits->max_bytes, archive_entry_pathname(e));
        *bytes += size;
        return 0;
}

/* An archive without a file is no template: a stream of zeros is one (libarchive takes the first
 * two blocks of zeros for the end of an empty tar), with nothing but its root or device nodes too. */
static int empty_archive(ProgressWriter *progress) {
        progress_report_error_name(progress, ZONED_ERROR_EMPTY_ARCHIVE);
        return progress_report_error(
                progress, -ENODATA,
                "The archive holds no file (it is empty, or a stream of zeros): no template "
                "is made of it.");
}

static int extract_all(struct archive *in, struct archive *out, ProgressWriter *progress,
                       const TarLimits *limits, uint64_t *size, struct archive_entry **root) {
        uint64_t files = 0;

        for (;;) {
                struct archive_entry *e;
                mode_t type;
                int r = archive_read_next_header(in, &e);

                if (r == ARCHIVE_EOF)
                        return files > 0 ? 0 : empty_archive(progress);
                if (r < ARCHIVE_WARN)
                        return progress_report_error(progress, -EBADMSG, "Cannot read the archive: %s",
                                                     archive_error_string(in));
                type = archive_entry_filetype(e);
                if (type == AE_IFCHR || type == AE_IFBLK)
                        continue;
                strip_dot_slash(e, false);
                if (streq(archive_entry_pathname(e), ".")) {
                        archive_entry_free(*root);
                        *root = archive_entry_clone(e);
                        if (!*root)
                                return -ENOMEM;
                        continue;
                }
                r = check_limits(e, limits, size, &files, progress);
                if (r < 0)
                        return r;
                r = extract_entry(in, out, e, progress);
                if (r < 0)
                        return r;
        }
}

/* Ownership is numeric: an entry's id is used as it is. Only a named entry of
 * an ACL (GNU tar writes "group:adm:r-x", without the id) has no id: its name
 * is looked up in the unpacked tree's own etc/passwd or etc/group (never the
 * host's), opened without following symlinks. */
static la_int64_t lookup_in_tree(void *userdata, const char *name, la_int64_t id) {
        const char *file = userdata;
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t n = 0, len;

        if (id >= 0 || isempty(name))
                return id;
        dir = open("etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir < 0)
                return -1;
        fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        f = fdopen(TAKE_FD(fd), "r");
        if (!f)
                return -1;
        len = strlen(name);
        while (getline(&line, &n, f) > 0) {
                char *p;

                /* name:password:id:... */
                if (strncmp(line, name, len) != 0 || line[len] != ':' || !(p = strchr(line + len + 1, ':')))
                        continue;
                return strtoll(p + 1, NULL, 10);
        }
        return -1;
}

static int unpack(TarSource *src, const char *rootfs, const TarLimits *limits, uint64_t *ret_size) {
        _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
        _cleanup_(archive_write_freep) struct archive *out = archive_write_disk_new();
        _cleanup_(archive_entry_freep) struct archive_entry *root = NULL;
        int r;

        if (!in || !out)
                return -ENOMEM;
        if (chdir(rootfs) < 0)
                return -errno;
        archive_read_support_filter_all(in);
        archive_read_support_format_tar(in);
        archive_write_disk_set_user_lookup(out, (void *) "passwd", lookup_in_tree, NULL);
        archive_write_disk_set_group_lookup(out, (void *) "group", lookup_in_tree, NULL);
        /* No ARCHIVE_EXTRACT_UNLINK: with it, a path through a symlink of the
         * archive would replace the symlink instead of failing the import. */
        archive_write_disk_set_options(
                out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                             ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                             ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                             ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
        if (archive_read_open(in, src, NULL, tar_read, NULL) != ARCHIVE_OK)
                return progress_report_error(src->progress, -EBADMSG, "Not an archive zoned can read: %s",
                                             archive_error_string(in));
        r = extract_all(in, out, src->progress, limits, ret_size, &root);
        if (r < 0)
                return r;
        /* Directory modes and times are set here, after their contents. */
        if (archive_write_close(out) < ARCHIVE_WARN)
                return progress_report_error(src->progress, archive_error_errno(out),
                                             "Cannot finish unpacking: %s", archive_error_string(out));
        if (root) {
                r = apply_root(root, src->progress);
                if (r < 0)
                        return r;
        }
        progress_report_bytes(src->progress, src->bytes, true);
        return 0;
}

int template_unpack_tar(const TemplateImport *imp, ProgressWriter *progress, const TarLimits *limits,
                        tar_before_commit_func before_commit, void *userdata) {
        static const TarLimits defaults = {
                .max_bytes = TEMPLATE_TAR_MAX_BYTES_DEFAULT,
                .max_files = TEMPLATE_TAR_MAX_FILES_DEFAULT,
        };
        _cleanup_free_ TarSource *src = new0(TarSource, 1);
        _cleanup_free_ char *rootfs = NULL;
        const char *brand = NULL;
        uint64_t size = 0;
        int r;

        if (!src)
                return -ENOMEM;
        src->fd = imp->source_fd;
        src->progress = progress;
        src->xz = xz_stream_new(src->fd);
        if (!src->xz)
                return -ENOMEM;
        if (mkdir(imp->tmp_dir, 0755) < 0)
                return progress_report_error(progress, -errno, "Cannot make %s: %s", imp->tmp_dir,
                                             strerror(errno));
        if (asprintf(&rootfs, "%s/rootfs", imp->tmp_dir) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        if (mkdir(rootfs, 0755) < 0) {
                r = progress_report_error(progress, -errno, "Cannot make %s: %s", rootfs, strerror(errno));
                goto fail;
        }
        r = unpack(src, rootfs, limits ?: &defaults, &size);
        src->xz = xz_stream_free(src->xz);
        if (r < 0)
                goto fail;
        if (before_commit) {
                r = before_commit(userdata);
                if (r < 0)
                        goto fail;
        }
        r = template_import_brand(imp, rootfs, "the archive", progress, &brand);
        if (r < 0)
                goto fail;
        r = template_import_commit_reported(imp, brand, size, progress);
        if (r < 0)
                goto fail;
        return 0;
fail:
        xz_stream_free(src->xz);
        src->xz = NULL;
        (void) chdir("/");
        (void) rm_rf(imp->tmp_dir);
        return r;
}

int template_import_tar(const TemplateImport *imp, ProgressWriter *progress) {
        return template_unpack_tar(imp, progress, NULL, NULL, NULL);
}
