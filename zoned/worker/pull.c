/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-error-names.h"
#include "macro.h"
#include "pull.h"
#include "raw-image.h"
#include "url-credentials.h"

#define PULL_SMALL_FILE_MAX (1024 * 1024) /* SHA256SUMS, SHA256SUMS.gpg */

void pull_options_done(PullOptions *o) {
        g_free(o->url);
        g_free(o->keys_dir);
        o->url = o->keys_dir = NULL;
}

/* The download thread's state. */
typedef struct Download {
        const PullOptions *opts;
        char *url;                /* as messages show it: without the credentials the request carries */
        int pipe_fd;              /* the writing end; the unpacker reads the other one */
        ProgressWriter *progress; /* NULL for the small files */
        GChecksum *sha256;
        uint64_t bytes;
        uint64_t max_bytes;
        int64_t announced; /* Content-Length of the response being received, -1: none */
        bool chunked;      /* Transfer-Encoding: the body has its own framing, not the length */
        bool bad_length;   /* a Content-Length that is not one number */
        bool overlong;     /* more bytes arrived than announced */
        int write_errno;   /* why the body could not be stored */
        bool total_reported;
        bool too_big;
        bool zeros;           /* the body began with PULL_LEADING_ZEROS_MAX bytes of zeros */
        uint64_t nonzero_at;  /* where the first byte other than 0 came, UINT64_MAX: none yet */
        bool report_progress; /* "B" lines from here (nobody reads a pipe that counts) */
        CURL *curl;
        struct curl_slist *headers;
        CURLcode code;
        long http_status;
        char errbuf[CURL_ERROR_SIZE];
        GByteArray *memory; /* small files: collected here instead of piped */
} Download;

/* The length the server announced for the body, -1 if it did not. */
static int64_t announced_length(const Download *d) {
        return d->chunked ? -1 : d->announced;
}

/* curl is told to ignore Content-Length (see download_setup()): each
 * response's own is parsed here. Every response, a redirect's too, starts
 * with its status line. */
static size_t on_header(char *data, size_t size, size_t n, void *userdata) {
        Download *d = userdata;
        size_t len = size * n;
        g_autofree char *line = g_strndup(data, len);
        char *value = strchr(line, ':');
        guint64 v;

        if (g_str_has_prefix(line, "HTTP/")) {
                d->announced = -1;
                d->chunked = false;
                return len;
        }
        if (!value)
                return len;
        *value++ = 0;
        g_strstrip(value);
        if (g_ascii_strcasecmp(line, "Transfer-Encoding") == 0)
                d->chunked = true;
        else if (g_ascii_strcasecmp(line, "Content-Length") == 0) {
                /* Two different lengths are no length either (RFC 9110 8.6). */
                if (!g_ascii_string_to_unsigned(value, 10, 0, INT64_MAX, &v, NULL) ||
                    (d->announced >= 0 && (uint64_t) d->announced != v)) {
                        d->bad_length = true;
                        return 0;
                }
                d->announced = (int64_t) v;
        }
        return len;
}

/* Before the first byte of the body: the size it will have, if known. */
static bool body_begins(Download *d) {
        curl_off_t length = announced_length(d);

        if (d->total_reported)
                return true;
        d->total_reported = true;
        /* file:// says its size to curl only. */
        if (length < 0 &&
            curl_easy_getinfo(d->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) != CURLE_OK)
                length = -1;
        if (length > 0 && (uint64_t) length > d->max_bytes) {
                d->too_big = true;
                return false;
        }
        if (length > 0)
                progress_report_total(d->progress, (uint64_t) length);
        return true;
}

static bool write_all(Download *d, const char *data, size_t len) {
        for (size_t done = 0; done < len;) {
                ssize_t k = write(d->pipe_fd, data + done, len - done);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        /* EPIPE: the unpacker gave up. */
                        d->write_errno = k < 0 ? errno : EIO;
                        return false;
                }
                done += (size_t) k;
        }
        return true;
}

/* Whether the body so far is zeros only, and that for too long: no archive or disk image begins
 * so (a file system keeps its signature within the first 64 KiB). Such a body, a sparse file
 * say, would otherwise be read to its end (up to max-bytes) before anything could tell. */
static bool leading_zeros(Download *d, const char *data, size_t len) {
        if (d->nonzero_at != UINT64_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (data[i] != 0) {
                        d->nonzero_at = d->bytes + i;
                        return false;
                }
        if (d->bytes + len < PULL_LEADING_ZEROS_MAX)
                return false;
        d->zeros = true;
        return true;
}

static size_t on_data(char *data, size_t size, size_t n, void *userdata) {
        Download *d = userdata;
        size_t len = size * n;
        int64_t announced = announced_length(d);

        if (!body_begins(d))
                return 0;
        if (announced >= 0 && d->bytes + len > (uint64_t) announced) {
                d->overlong = true;
                return 0;
        }
        if (d->bytes + len > d->max_bytes) {
                d->too_big = true;
                return 0;
        }
        if (!d->memory && leading_zeros(d, data, len))
                return 0;
        d->bytes += len;
        if (d->memory) {
                g_byte_array_append(d->memory, (const guint8 *) data, (guint) len);
                return len;
        }
        g_checksum_update(d->sha256, (const guchar *) data, (gssize) len);
        if (d->report_progress)
                progress_report_bytes(d->progress, d->bytes, false);
        return write_all(d, data, len) ? len : 0;
}

static int download_setup(Download *d, const char *url) {
        long timeout = (long) MIN(d->opts->timeout_sec, (uint64_t) LONG_MAX);

        d->url = url_without_credentials(url);
        d->announced = -1;
        d->nonzero_at = UINT64_MAX;
        d->curl = curl_easy_init();
        /* curl stops reading at the Content-Length and keeps what follows for
         * a next response: it would never see a body longer than announced.
         * So the connection is to be closed after the answer, curl reads to
         * its end, and on_header()/on_data() compare with what was announced. */
        d->headers = curl_slist_append(NULL, "Connection: close");
        if (!d->curl || !d->headers)
                return -ENOMEM;
        if (curl_easy_setopt(d->curl, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "http,https,file") != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_MAXREDIRS, 10L) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_FAILONERROR, 1L) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT, timeout) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_LOW_SPEED_TIME, timeout) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_MAXFILESIZE_LARGE,
                             (curl_off_t) MIN(d->max_bytes, (uint64_t) INT64_MAX)) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_USERAGENT, "zoned") != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->errbuf) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->headers) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_IGNORE_CONTENT_LENGTH, 1L) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_HEADERDATA, d) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, d) != CURLE_OK)
                return -EINVAL;
        return 0;
}

/* The body decides, not how the connection ended: fewer bytes than announced
 * are a failure even when the server closed cleanly; exactly the announced
 * bytes are complete even when the server then kept the connection open
 * (it ignored "Connection: close": curl waited for timeout-sec) or dropped it
 * without a TLS close_notify. More bytes failed in on_data() already. */
static void download_check_length(Download *d) {
        int64_t announced = announced_length(d);
        bool complete = announced >= 0 && d->bytes == (uint64_t) announced;

        if (announced < 0 || d->overlong || d->too_big || d->zeros || d->bad_length || d->write_errno != 0)
                return;
        if (d->code == CURLE_OK && !complete)
                d->code = CURLE_PARTIAL_FILE;
        else if ((d->code == CURLE_OPERATION_TIMEDOUT || d->code == CURLE_RECV_ERROR) && complete &&
                 d->http_status >= 200 && d->http_status < 300)
                d->code = CURLE_OK;
}

static void download_perform(Download *d) {
        d->code = curl_easy_perform(d->curl);
        (void) curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &d->http_status);
        download_check_length(d);
}

static void download_done(Download *d) {
        g_clear_pointer(&d->url, g_free);
        if (d->curl)
                curl_easy_cleanup(d->curl);
        d->curl = NULL;
        curl_slist_free_all(d->headers);
        d->headers = NULL;
        if (d->sha256)
                g_checksum_free(d->sha256);
        d->sha256 = NULL;
        if (d->memory)
                g_byte_array_unref(d->memory);
        d->memory = NULL;
}

/* Whether the download failed on its own (not because the unpacker stopped reading). */
static bool download_failed(const Download *d) {
        return d->code != CURLE_OK && !(d->code == CURLE_WRITE_ERROR && d->write_errno == EPIPE);
}

/* Why the write or header callback stopped the download. */
static int download_stopped_error(const Download *d, char **ret_text) {
        if (d->too_big) {
                *ret_text = g_strdup_printf("%s is larger than %" PRIu64 " bytes (max-bytes).", d->url,
                                            d->max_bytes);
                return -EFBIG;
        }
        if (d->overlong) {
                *ret_text = g_strdup_printf("%s: the server sent more than the %" PRIi64
                                            " bytes it announced "
                                            "(Content-Length).",
                                            d->url, announced_length(d));
                return -EPROTO;
        }
        if (d->zeros) {
                *ret_text = g_strdup_printf(
                        "%s begins with %u bytes of zeros: it is neither an archive nor a "
                        "disk image.",
                        d->url, PULL_LEADING_ZEROS_MAX);
                return -ENODATA;
        }
        if (d->bad_length) {
                *ret_text = g_strdup_printf(
                        "%s: the server announced a Content-Length that is not one number.", d->url);
                return -EPROTO;
        }
        *ret_text = g_strdup_printf("Cannot store %s: %s", d->url, g_strerror(d->write_errno ?: EIO));
        return -(d->write_errno ?: EIO);
}

/* Why a download failed, as a sentence; returns the errno for the worker's exit. */
static int download_error(const Download *d, char **ret_text) {
        int64_t announced = announced_length(d);

        switch (d->code) {
        case CURLE_HTTP_RETURNED_ERROR:
                *ret_text = g_strdup_printf("The server answered HTTP %ld for %s.", d->http_status, d->url);
                return -ENOENT;
        case CURLE_OPERATION_TIMEDOUT:
                *ret_text = g_strdup_printf("%s stalled: nothing arrived for %" PRIu64
                                            " s (timeout-sec) after %" PRIu64 " bytes.",
                                            d->url, d->opts->timeout_sec, d->bytes);
                return -ETIMEDOUT;
        case CURLE_PARTIAL_FILE:
                if (announced >= 0)
                        *ret_text = g_strdup_printf(
                                "%s ended early: the server closed the connection after %" PRIu64
                                " of the %" PRIi64 " bytes it announced.",
                                d->url, d->bytes, announced);
                else
                        *ret_text = g_strdup_printf("%s ended early: the connection closed after %" PRIu64
                                                    " bytes, before the end of the body.",
                                                    d->url, d->bytes);
                return -EPIPE;
        case CURLE_FILESIZE_EXCEEDED:
                *ret_text = g_strdup_printf("%s is larger than %" PRIu64 " bytes (max-bytes).", d->url,
                                            d->max_bytes);
                return -EFBIG;
        case CURLE_WRITE_ERROR:
                return download_stopped_error(d, ret_text);
        default:
                *ret_text = g_strdup_printf("Cannot download %s: %s", d->url,
                                            d->errbuf[0] ? d->errbuf : curl_easy_strerror(d->code));
                return -EIO;
        }
}

/* The "E" line of a failed download; returns the errno for the worker's exit. */
static int download_report_error(const Download *d) {
        g_autofree char *text = NULL;
        int r = download_error(d, &text);

        if (r == -ENODATA)
                progress_report_error_name(d->progress, ZONED_ERROR_EMPTY_ARCHIVE);
        return progress_report_error(d->progress, r, "%s", text);
}

/* Downloads a small file beside the archive into memory; on failure says why in ret_error. */
static int fetch_small(const PullOptions *o, const char *url, GByteArray **ret, char **ret_error) {
        Download d = { .opts = o,
                       .max_bytes = PULL_SMALL_FILE_MAX,
                       .total_reported = true,
                       .memory = g_byte_array_new() };
        int r;

        r = download_setup(&d, url);
        if (r >= 0) {
                download_perform(&d);
                if (d.code != CURLE_OK)
                        r = download_error(&d, ret_error);
        } else
                *ret_error = g_strdup(g_strerror(-r));
        if (r >= 0)
                *ret = g_steal_pointer(&d.memory);
        download_done(&d);
        return r;
}

static int verification_failed(ProgressWriter *progress, const char *format, ...) _printf_(2, 3);
static int verification_failed(ProgressWriter *progress, const char *format, ...) {
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, format);
        text = g_strdup_vprintf(format, ap);
        va_end(ap);
        progress_report_error_name(progress, ZONED_ERROR_VERIFICATION_FAILED);
        return progress_report_error(progress, -EBADMSG, "%s", text);
}

static int write_work_file(const char *dir, const char *name, GByteArray *data, char **ret) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (!g_file_set_contents(path, (const char *) data->data, data->len, NULL))
                return -EIO;
        *ret = g_steal_pointer(&path);
        return 0;
}

/* SHA256SUMS.gpg must be a good signature of SHA256SUMS. work_dir holds
 * both for gpgv, and gpg's home. */
static int check_signature(const PullOptions *o, const TemplateImport *imp, const char *sums_url,
                           GByteArray *sums, ProgressWriter *progress) {
        g_autofree char *sig_url = g_strconcat(sums_url, ".gpg", NULL), *work = NULL, *sums_path = NULL,
                        *sig_path = NULL, *output = NULL, *why = NULL;
        g_autoptr(GByteArray) sig = NULL;
        int r;

        r = fetch_small(o, sig_url, &sig, &why);
        if (r < 0)
                return verification_failed(progress, "Cannot fetch SHA256SUMS.gpg: %s", why);
        /* Beside the temp dir, not in it: a raw image's import makes that one itself. */
        work = g_strdup_printf("%s.verify", imp->tmp_dir);
        if (mkdir(work, 0700) < 0)
                return -errno;
        r = write_work_file(work, "SHA256SUMS", sums, &sums_path);
        if (r >= 0)
                r = write_work_file(work, "SHA256SUMS.gpg", sig, &sig_path);
        if (r >= 0)
                r = verify_signature(o->keys_dir, work, sums_path, sig_path, &output);
        (void) rm_rf(work);
        if (r == -ENOKEY)
                return verification_failed(progress, "No keyring in %s to check SHA256SUMS.gpg with.",
                                           o->keys_dir);
        if (r == -EBADMSG)
                return verification_failed(progress,
                                           "SHA256SUMS.gpg is not a good signature of SHA256SUMS: %s",
                                           strempty(output));
        if (r < 0)
                return verification_failed(progress, "Cannot check SHA256SUMS.gpg with gpgv: %s",
                                           g_strerror(-r));
        return 0;
}

static int verify_download(const PullOptions *o, const TemplateImport *imp, const char *hex,
                           ProgressWriter *progress) {
        g_autofree char *file = url_file_name(o->url), *sums_url = url_sibling(o->url, "SHA256SUMS"),
                        *why = NULL, *shown = NULL;
        g_autoptr(GByteArray) sums = NULL;
        int r;

        if (o->verify == VERIFY_NO)
                return 0;
        if (!file || !sums_url)
                return verification_failed(progress, "%s does not name a file to look up in SHA256SUMS.",
                                           (shown = url_without_credentials(o->url)));
        r = fetch_small(o, sums_url, &sums, &why);
        if (r < 0)
                return verification_failed(progress, "Cannot fetch SHA256SUMS: %s", why);
        if (o->verify == VERIFY_SIGNATURE) {
                r = check_signature(o, imp, sums_url, sums, progress);
                if (r < 0)
                        return r;
        }
        r = verify_sha256sums((const char *) sums->data, sums->len, file, hex);
        if (r == -ENOENT)
                return verification_failed(progress, "%s is not listed in SHA256SUMS.", file);
        if (r < 0)
                return verification_failed(progress, "SHA256 of %s does not match SHA256SUMS (it is %s).",
                                           file, hex);
        return 0;
}

typedef struct PullContext {
        const TemplateImport *imp;
        const PullOptions *opts;
        Download *download;
        pthread_t thread;
        bool joined;
        int read_fd;
} PullContext;

static void *download_thread(void *userdata) {
        Download *d = userdata;

        download_perform(d);
        /* EOF for the unpacker: the whole stream, or where it broke off. */
        (void) close(d->pipe_fd);
        d->pipe_fd = -EBADF;
        return NULL;
}

static void pull_join(PullContext *c) {
        if (c->joined)
                return;
        /* The unpacker stopped reading: a download still writing gets EPIPE. */
        if (c->read_fd >= 0)
                (void) close(c->read_fd);
        c->read_fd = -EBADF;
        (void) pthread_join(c->thread, NULL);
        c->joined = true;
}

/* After the unpack: the rest of the stream (padding after the tar's end) is
 * hashed too, then the download must have ended well and verify. */
static int pull_before_commit(void *userdata) {
        PullContext *c = userdata;
        char buf[64 * 1024];
        ssize_t n;

        do
                n = read(c->read_fd, buf, sizeof(buf));
        while (n > 0 || (n < 0 && errno == EINTR));
        pull_join(c);
        if (download_failed(c->download))
                return download_report_error(c->download);
        return verify_download(c->opts, c->imp, g_checksum_get_string(c->download->sha256),
                               c->download->progress);
}

int pull_tar(const TemplateImport *imp, const PullOptions *o, ProgressWriter *progress) {
        Download d = { .opts = o, .progress = progress, .max_bytes = o->limits.max_bytes };
        PullContext c = { .imp = imp, .opts = o, .download = &d, .read_fd = -EBADF };
        TemplateImport stream = *imp;
        int p[2], r;

        /* With --force the old template stays as it is until the new one takes its place in one step. */
        stream.replace = o->force;
        /* A write to the pipe after the unpacker gave up fails with EPIPE instead. */
        (void) signal(SIGPIPE, SIG_IGN);
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -ENOMEM;
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        c.read_fd = p[0];
        d.pipe_fd = p[1];
        d.sha256 = g_checksum_new(G_CHECKSUM_SHA256);
        r = download_setup(&d, o->url);
        if (r >= 0)
                r = -pthread_create(&c.thread, NULL, download_thread, &d);
        if (r < 0) {
                (void) close(p[0]);
                (void) close(p[1]);
                download_done(&d);
                return r;
        }
        stream.source_fd = p[0];
        r = template_unpack_tar(&stream, progress, &o->limits, pull_before_commit, &c);
        if (!c.joined) {
                pull_join(&c);
                /* A broken download explains a broken archive better than libarchive does. */
                if (r < 0 && download_failed(&d))
                        r = download_report_error(&d);
        }
        if (c.read_fd >= 0)
                (void) close(c.read_fd);
        download_done(&d);
        return r;
}

bool pull_url_is_raw(const char *url) {
        static const char *const compressions[] = { "", ".gz", ".xz", ".zst", ".bz2" };
        g_autofree char *file = url_file_name(url);

        for (size_t i = 0; file && i < G_N_ELEMENTS(compressions); i++) {
                g_autofree char *raw = g_strconcat(".raw", compressions[i], NULL),
                                *img = g_strconcat(".img", compressions[i], NULL);

                if (g_str_has_suffix(file, raw) || g_str_has_suffix(file, img))
                        return true;
        }
        return false;
}

/* Downloads the image into fd while hashing it, and verifies it. */
static int pull_raw_download(const TemplateImport *imp, const PullOptions *o, int fd,
                             ProgressWriter *progress) {
        Download d = { .opts = o,
                       .progress = progress,
                       .max_bytes = o->limits.max_bytes,
                       .pipe_fd = fd,
                       .report_progress = true,
                       .sha256 = g_checksum_new(G_CHECKSUM_SHA256) };
        int r;

        r = download_setup(&d, o->url);
        if (r >= 0) {
                download_perform(&d);
                if (d.code != CURLE_OK)
                        r = download_report_error(&d);
        }
        if (r >= 0)
                r = verify_download(o, imp, g_checksum_get_string(d.sha256), progress);
        download_done(&d);
        return r;
}

int pull_raw(const TemplateImport *imp, const PullOptions *o, ProgressWriter *progress) {
        TemplateImport image = *imp;
        _cleanup_close_ int fd = -EBADF;
        int r;

        (void) signal(SIGPIPE, SIG_IGN);
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -ENOMEM;
        /* A file without a name: nothing is left of it whenever the worker ends. */
        fd = open(imp->templates_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
                r = -errno;
                return progress_report_error(progress, r, "Cannot make a file for the image in %s: %s",
                                             imp->templates_dir, g_strerror(-r));
        }
        r = pull_raw_download(imp, o, fd, progress);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        image.source_fd = fd;
        /* The old template stays as it is until the new tree is complete and takes its place. */
        image.replace = o->force;
        return template_import_raw(&image, progress);
}
