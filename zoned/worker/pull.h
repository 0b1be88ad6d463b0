/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "progress.h"
#include "template-import.h"
#include "template-tar.h"
#include "verify.h"

/* How one PullTemplate of a tarball runs. */
typedef struct PullOptions {
        char *url;
        VerifyMode verify;
        char *keys_dir;       /* <config-dir>/keys: keyrings for VERIFY_SIGNATURE */
        uint64_t timeout_sec; /* a server that sends nothing for this long fails the pull */
        TarLimits limits;     /* max-bytes also caps the download */
        bool force;           /* replace a template of that name, in one step once the new one is complete */
} PullOptions;

#define PULL_TIMEOUT_SEC_DEFAULT UINT64_C(60)
/* A download whose first MiB is zeros only is stopped there: it is no archive and no disk image
 * (a tar header, a compressor's magic, a file system's signature all come earlier), and would
 * otherwise be read to its end. */
#define PULL_LEADING_ZEROS_MAX (1024U * 1024U)

void pull_options_done(PullOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PullOptions, pull_options_done)

/* Worker side of PullTemplate for a tar archive: downloads o->url with
 * libcurl in a thread that feeds a pipe, unpacks the stream as it arrives
 * (template_unpack_tar(), no copy of the archive on disk) while hashing it
 * with SHA256, reads the stream to its end, verifies it (o->verify) and only
 * then renames the tree into place; with o->force it takes the place of an
 * existing template in one step (template_replace_atomically()), which stays
 * untouched if the pull fails. Leaves nothing behind on failure.
 *
 * Every download (the file, SHA256SUMS, SHA256SUMS.gpg) must bring exactly
 * the bytes its Content-Length announced: the server is asked to close the
 * connection after its answer and the body is read to that end, so that a
 * body longer than announced fails ("the server sent more than the N bytes
 * it announced") as a shorter one does ("ended early").
 *
 * Besides template-tar.h's "B" and "E" lines it reports on progress:
 *     "T <bytes>\n"        the size the server announced, once, when it did
 *     "N <error name>\n"   the D-Bus error of the failure, before its "E" line
 *                          (org.zoned1.Error.VerificationFailed; EmptyArchive for a body
 *                          that begins with PULL_LEADING_ZEROS_MAX bytes of zeros, or an
 *                          archive without a file) */
int pull_tar(const TemplateImport *imp, const PullOptions *o, ProgressWriter *progress);

/* Whether the URL names a raw disk image: its file name ends with ".raw" or
 * ".img", maybe followed by ".gz", ".xz", ".zst" or ".bz2". */
bool pull_url_is_raw(const char *url);

/* Worker side of PullTemplate for a raw disk image: an image needs random
 * access to be mounted, so it is downloaded (and hashed) into an unnamed
 * file in the template store, verified as pull_tar() does, and then
 * imported by template_import_raw() (see raw-image.h). With o->force, an
 * existing template is exchanged for the new tree once that is complete, as
 * pull_tar() does. Reports "B" while it downloads, then the import's lines. */
int pull_raw(const TemplateImport *imp, const PullOptions *o, ProgressWriter *progress);
