/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Multi-threaded xz decoding in front of libarchive. libarchive (3.6 in
 * Debian 12) decodes xz on one thread; liblzma's threaded decoder (5.4)
 * decodes the blocks of a multi-block .tar.xz (what `xz -T0` writes) in
 * parallel. The reader hands libarchive plain tar when the stream is xz and
 * passes everything else through untouched. */

typedef struct XzStream XzStream;

/* Reads from fd; bytes_read counts what came from fd (compressed bytes). */
XzStream *xz_stream_new(int fd);
XzStream *xz_stream_free(XzStream *x);
/* Like read(2): fills buf with plain data, 0 at the end, -errno on error
 * (-EBADMSG for a corrupt xz stream). */
ssize_t xz_stream_read(XzStream *x, void *buf, size_t size);
uint64_t xz_stream_bytes_read(const XzStream *x);
bool xz_stream_is_xz(const XzStream *x);
