/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* How a pull checks what it downloaded, like systemd-importd:
 *   no         nothing
 *   checksum   SHA256SUMS beside the file lists its name with its SHA256
 *   signature  and SHA256SUMS.gpg is a good detached signature of
 *              SHA256SUMS by a key of a keyring in <config-dir>/keys/ */
typedef enum VerifyMode {
        VERIFY_NO,
        VERIFY_CHECKSUM,
        VERIFY_SIGNATURE,
        _VERIFY_MODE_MAX,
        _VERIFY_MODE_INVALID = -EINVAL,
} VerifyMode;

const char *verify_mode_to_string(VerifyMode m);
VerifyMode verify_mode_from_string(const char *s);

/* The file name a URL's path ends with ("debian.tar.xz" of
 * "https://h/d/debian.tar.xz?x=1"), and the URL of a sibling file. NULL if
 * the path ends with "/" or the URL has no path. */
char *url_file_name(const char *url);
char *url_sibling(const char *url, const char *sibling);

/* Looks up file_name in the text of a SHA256SUMS file ("HEX  NAME" or
 * "HEX *NAME" lines). 0 if it is listed with hex (case-insensitive),
 * -ENOENT if it is not listed, -EBADMSG if it is listed with another hash. */
int verify_sha256sums(const char *sums, size_t size, const char *file_name, const char *hex);

/* Checks the detached signature sig_path of sums_path with gpgv against
 * every keyring in keys_dir (*.gpg, *.kbx, *.pgp as they are; *.asc is
 * dearmored into work_dir first). 0 if good; -ENOKEY if keys_dir has no
 * keyring; -EBADMSG if gpgv refused, with its output in *ret_output. */
int verify_signature(const char *keys_dir, const char *work_dir, const char *sums_path, const char *sig_path,
                     char **ret_output);
