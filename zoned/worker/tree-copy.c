/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "archive-util.h"
#include "macro.h"
#include "tree-copy.h"

static int copy_data(struct archive *in, struct archive *out) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int r = archive_read_data_block(in, &buf, &size, &offset);

                if (r == ARCHIVE_EOF)
                        return 0;
                if (r != ARCHIVE_OK)
                        return archive_error_errno(in);
                /* A failed write(2) (a full disk) is only a warning to libarchive. */
                if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
                        return archive_error_errno(out);
        }
}

/* Writes one entry (data too, for regular files with a body). */
static int write_entry(struct archive *in, struct archive *out, struct archive_entry *e, bool with_data) {
        int r = archive_write_header(out, e);

        if (r < ARCHIVE_WARN)
                return archive_error_errno(out);
        if (with_data && archive_entry_size(e) > 0 && !archive_entry_hardlink(e)) {
                r = copy_data(in, out);
                if (r < 0)
                        return r;
        }
        return archive_write_finish_entry(out) < ARCHIVE_WARN ? archive_error_errno(out) : 0;
}

static int64_t shift_id(int64_t id, const TreeShift *s) {
        return (int64_t) s->shift + (id >= 0 && id < (int64_t) s->range ? id : 65534);
}

static int tree_copy_entries(struct archive *in, struct archive *out, size_t srclen, const TreeShift *shift,
                             uint64_t *bytes) {
        _cleanup_(archive_entry_linkresolver_freep) struct archive_entry_linkresolver *lr =
                archive_entry_linkresolver_new();
        struct archive_entry *e;
        int r;

        if (!lr)
                return -ENOMEM;
        archive_entry_linkresolver_set_strategy(lr, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
        for (;;) {
                struct archive_entry *spare = NULL;
                const char *p;
                _cleanup_free_ char *rel = NULL;

                e = archive_entry_new();
                if (!e)
                        return -ENOMEM;
                r = archive_read_next_header2(in, e);
                if (r == ARCHIVE_EOF) {
                        archive_entry_free(e);
                        break;
                }
                if (r < ARCHIVE_WARN) {
                        archive_entry_free(e);
                        return archive_error_errno(in);
                }
                (void) archive_read_disk_descend(in);

                /* Make the path relative to the tree: "SRC/usr/bin" → "./usr/bin". */
                p = archive_entry_pathname(e);
                if (strlen(p) < srclen) {
                        archive_entry_free(e);
                        return -EINVAL;
                }
                if (asprintf(&rel, ".%s", p + srclen) < 0) {
                        archive_entry_free(e);
                        return -ENOMEM;
                }
                archive_entry_copy_pathname(e, rel);
                if (shift) {
                        archive_entry_set_uid(e, shift_id(archive_entry_uid(e), shift));
                        archive_entry_set_gid(e, shift_id(archive_entry_gid(e), shift));
                }
                if (archive_entry_filetype(e) == AE_IFREG)
                        *bytes += (uint64_t) archive_entry_size(e);

                archive_entry_linkify(lr, &e, &spare);
                if (e) {
                        r = write_entry(in, out, e, true);
                        archive_entry_free(e);
                        if (r < 0) {
                                archive_entry_free(spare);
                                return r;
                        }
                }
                if (spare) {
                        r = write_entry(in, out, spare, false);
                        archive_entry_free(spare);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int tree_copy(const char *src, const char *dst, uint64_t *ret_bytes) {
        return tree_copy_shifted(src, dst, NULL, ret_bytes);
}

int tree_copy_shifted(const char *src, const char *dst, const TreeShift *shift, uint64_t *ret_bytes) {
        _cleanup_(archive_read_freep) struct archive *in = archive_read_disk_new();
        _cleanup_(archive_write_freep) struct archive *out = archive_write_disk_new();
        _cleanup_free_ char *srcdir = NULL;
        uint64_t bytes = 0;
        size_t n;
        int r;

        if (!in || !out)
                return -ENOMEM;
        srcdir = strdup(src);
        if (!srcdir)
                return -ENOMEM;
        n = strlen(srcdir);
        while (n > 1 && srcdir[n - 1] == '/')
                srcdir[--n] = 0;
        if (chdir(dst) < 0)
                return -errno;

        archive_read_disk_set_symlink_physical(in);
        archive_read_disk_set_behavior(in, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
        archive_write_disk_set_options(
                out, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                             ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                             ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                             ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_SPARSE |
                             ARCHIVE_EXTRACT_UNLINK);
        /* Numeric ids only: names would be looked up in the host's passwd. */
        if (archive_read_disk_open(in, srcdir) != ARCHIVE_OK)
                return archive_error_errno(in);
        r = tree_copy_entries(in, out, n, shift, &bytes);
        if (r < 0)
                return r;
        if (archive_write_close(out) != ARCHIVE_OK)
                return archive_error_errno(out);
        if (ret_bytes)
                *ret_bytes = bytes;
        return 0;
}

int tree_contains(const struct stat *tree, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* Up through ".." as the kernel resolves it, so that a bind mount of an ancestor is found too. */
        for (;;) {
                int parent;
                dev_t dev;
                ino_t ino;

                if (fstat(fd, &st) < 0)
                        return -errno;
                if (st.st_dev == tree->st_dev && st.st_ino == tree->st_ino)
                        return 1;
                dev = st.st_dev;
                ino = st.st_ino;
                parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0)
                        return -errno;
                safe_close(fd);
                fd = parent;
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (st.st_dev == dev && st.st_ino == ino)
                        return 0; /* the root: ".." is itself */
        }
}
