/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "macro.h"

/* _cleanup_() for libarchive's objects. */
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry_linkresolver *, archive_entry_linkresolver_free);

/* The failure of libarchive's last call on a as a negative errno: the system's errno it kept
 * (ENOSPC for a full disk, EDQUOT, EACCES, ...), or -EIO for an error of libarchive's own (a
 * format error, a refused path) that has none. */
static inline int archive_error_errno(struct archive *a) {
        int e = archive_errno(a);

        return e > 0 ? -e : -EIO;
}

/* What to say of that failure: the system's words for its errno ("No space left on device")
 * where it has one, else libarchive's message. */
static inline const char *archive_error_text(struct archive *a) {
        int e = archive_errno(a);

        return e > 0 ? strerror(e) : archive_error_string(a);
}
