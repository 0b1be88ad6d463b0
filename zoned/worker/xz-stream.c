/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <lzma.h>

#include "macro.h"
#include "xz-stream.h"

#define XZ_IN_SIZE (256 * 1024)
/* Beyond this, liblzma decodes on one thread instead of failing. */
#define XZ_THREADING_MEMLIMIT (1024ULL * 1024 * 1024)

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

struct XzStream {
        int fd;
        bool probed;
        bool xz;
        bool in_eof;
        bool done;
        uint64_t bytes_read;
        lzma_stream lz;
        size_t pending; /* probe bytes not yet handed out (not xz) */
        uint8_t in[XZ_IN_SIZE];
};

XzStream *xz_stream_new(int fd) {
        XzStream *x = new0(XzStream, 1);

        if (!x)
                return NULL;
        x->fd = fd;
        x->lz = (lzma_stream) LZMA_STREAM_INIT;
        return x;
}

XzStream *xz_stream_free(XzStream *x) {
        if (!x)
                return NULL;
        if (x->xz)
                lzma_end(&x->lz);
        free(x);
        return NULL;
}

static ssize_t read_some(XzStream *x, void *buf, size_t size) {
        ssize_t n;

        do
                n = read(x->fd, buf, size);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        x->bytes_read += (uint64_t) n;
        return n;
}

/* Reads the first bytes and decides: xz (start the threaded decoder) or not. */
static int probe(XzStream *x) {
        size_t have = 0;
        long cpus;

        x->probed = true;
        while (have < sizeof(xz_magic)) {
                ssize_t n = read_some(x, x->in + have, sizeof(x->in) - have);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                have += (size_t) n;
        }
        if (have < sizeof(xz_magic) || memcmp(x->in, xz_magic, sizeof(xz_magic)) != 0) {
                x->pending = have;
                return 0;
        }
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
        lzma_mt mt = {
                .flags = LZMA_CONCATENATED,
                .threads = cpus > 0 ? (uint32_t) MIN(cpus, 64) : 1,
                .memlimit_threading = XZ_THREADING_MEMLIMIT,
                .memlimit_stop = UINT64_MAX,
        };
        if (lzma_stream_decoder_mt(&x->lz, &mt) != LZMA_OK)
                return -ENOMEM;
        x->xz = true;
        x->lz.next_in = x->in;
        x->lz.avail_in = have;
        return 0;
}

static ssize_t passthrough(XzStream *x, void *buf, size_t size) {
        if (x->pending > 0) {
                /* Hand out the probe bytes first; they sit at the start of in. */
                size_t n = MIN(size, x->pending);
                memcpy(buf, x->in, n);
                memmove(x->in, x->in + n, x->pending - n);
                x->pending -= n;
                return (ssize_t) n;
        }
        return read_some(x, buf, size);
}

ssize_t xz_stream_read(XzStream *x, void *buf, size_t size) {
        int r;

        if (!x->probed) {
                r = probe(x);
                if (r < 0)
                        return r;
        }
        if (!x->xz)
                return passthrough(x, buf, size);
        if (x->done)
                return 0;

        x->lz.next_out = buf;
        x->lz.avail_out = size;
        for (;;) {
                lzma_ret ret;

                if (x->lz.avail_in == 0 && !x->in_eof) {
                        ssize_t n = read_some(x, x->in, sizeof(x->in));
                        if (n < 0)
                                return n;
                        x->in_eof = n == 0;
                        x->lz.next_in = x->in;
                        x->lz.avail_in = (size_t) n;
                }
                ret = lzma_code(&x->lz, x->in_eof ? LZMA_FINISH : LZMA_RUN);
                if (ret == LZMA_STREAM_END) {
                        x->done = true;
                        return (ssize_t) (size - x->lz.avail_out);
                }
                if (ret != LZMA_OK)
                        return ret == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
                /* Return what we have rather than block on the next read. */
                if (x->lz.avail_out == 0 || (x->lz.avail_out < size && x->lz.avail_in == 0))
                        return (ssize_t) (size - x->lz.avail_out);
                /* A stream cut short ends in LZMA_BUF_ERROR on a call without progress. */
        }
}

uint64_t xz_stream_bytes_read(const XzStream *x) {
        return x->bytes_read;
}

bool xz_stream_is_xz(const XzStream *x) {
        return x->xz;
}
