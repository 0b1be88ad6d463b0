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

#include "bus-errors.h"
#include "macro.h"
#include "pull.h"
#include "raw-image.h"

#define PULL_SMALL_FILE_MAX (1024 * 1024) /* SHA256SUMS, SHA256SUMS.gpg */

void pull_options_done(PullOptions *o) {
        g_free(o->url);
        g_free(o->keys_dir);
        o->url = o->keys_dir = NULL;
}

/* The download thread's state. */
typedef struct Download {
        const PullOptions *opts;
        const char *url;
        int pipe_fd; /* the writing end; the unpacker reads the other one */
        int report_fd;
        GChecksum *sha256;
        uint64_t bytes;
        uint64_t max_bytes;
        bool total_reported;
        bool too_big;
        bool report_progress; /* "B" lines from here (nobody reads a pipe that counts) */
        uint64_t last_report;
        CURL *curl;
        CURLcode code;
        long http_status;
        char errbuf[CURL_ERROR_SIZE];
        GByteArray *memory; /* small files: collected here instead of piped */
} Download;

static void report(int fd, const char *format, ...) _printf_(2, 3);
static void report(int fd, const char *format, ...) {
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, format);
        text = g_strdup_vprintf(format, ap);
        va_end(ap);
        for (char *p = text; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        (void) dprintf(fd, "%s\n", text);
}

static void report_total(Download *d) {
        curl_off_t length = -1;

        if (d->total_reported)
                return;
        d->total_reported = true;
        if (curl_easy_getinfo(d->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK && length > 0)
                report(d->report_fd, "T %" PRIu64, (uint64_t) length);
}

static size_t on_data(char *data, size_t size, size_t n, void *userdata) {
        Download *d = userdata;
        size_t len = size * n, done = 0;

        report_total(d);
        if (d->bytes + len > d->max_bytes) {
                d->too_big = true;
                return 0;
        }
        d->bytes += len;
        if (d->memory) {
                g_byte_array_append(d->memory, (const guint8 *) data, (guint) len);
                return len;
        }
        g_checksum_update(d->sha256, (const guchar *) data, (gssize) len);
        if (d->report_progress) {
                uint64_t now = g_get_monotonic_time();

                if (now - d->last_report >= TEMPLATE_TAR_REPORT_INTERVAL_USEC) {
                        d->last_report = now;
                        report(d->report_fd, "B %" PRIu64, d->bytes);
                }
        }
        while (done < len) {
                ssize_t k = write(d->pipe_fd, data + done, len - done);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return 0; /* the unpacker gave up: EPIPE */
                done += (size_t) k;
        }
        return len;
}

static int download_setup(Download *d, const char *url) {
        long timeout = (long) MIN(d->opts->timeout_sec, (uint64_t) LONG_MAX);

        d->url = url;
        d->curl = curl_easy_init();
        if (!d->curl)
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
            curl_easy_setopt(d->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) MIN(d->max_bytes, (uint64_t) INT64_MAX)) !=
                    CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_USERAGENT, "zoned") != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->errbuf) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
            curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, d) != CURLE_OK)
                return -EINVAL;
        return 0;
}

static void download_perform(Download *d) {
        d->code = curl_easy_perform(d->curl);
        (void) curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &d->http_status);
}

static void download_done(Download *d) {
        if (d->curl)
                curl_easy_cleanup(d->curl);
        d->curl = NULL;
        if (d->sha256)
                g_checksum_free(d->sha256);
        d->sha256 = NULL;
        if (d->memory)
                g_byte_array_unref(d->memory);
        d->memory = NULL;
}

/* Whether the download failed on its own (not because the unpacker stopped reading). */
static bool download_failed(const Download *d) {
        return d->code != CURLE_OK && (d->code != CURLE_WRITE_ERROR || d->too_big);
}

/* The "E" line of a failed download; returns the errno for the worker's exit. */
static int download_report_error(const Download *d) {
        switch (d->code) {
        case CURLE_HTTP_RETURNED_ERROR:
                report(d->report_fd, "E The server answered HTTP %ld for %s.", d->http_status, d->url);
                return -ENOENT;
        case CURLE_OPERATION_TIMEDOUT:
                report(d->report_fd, "E %s stalled: nothing arrived for %" PRIu64 " s (timeout-sec) after %" PRIu64
                       " bytes.", d->url, d->opts->timeout_sec, d->bytes);
                return -ETIMEDOUT;
        case CURLE_PARTIAL_FILE:
                report(d->report_fd, "E %s ended early: the connection closed after %" PRIu64
                       " bytes, fewer than announced.", d->url, d->bytes);
                return -EPIPE;
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_WRITE_ERROR:
                report(d->report_fd, "E %s is larger than %" PRIu64 " bytes (max-bytes).", d->url, d->max_bytes);
                return -EFBIG;
        default:
                report(d->report_fd, "E Cannot download %s: %s", d->url,
                       d->errbuf[0] ? d->errbuf : curl_easy_strerror(d->code));
                return -EIO;
        }
}

/* Downloads a small file beside the archive into memory. */
static int fetch_small(const PullOptions *o, int report_fd, const char *url, GByteArray **ret) {
        Download d = { .opts = o, .report_fd = report_fd, .max_bytes = PULL_SMALL_FILE_MAX,
                       .total_reported = true, .memory = g_byte_array_new() };
        int r;

        r = download_setup(&d, url);
        if (r >= 0) {
                download_perform(&d);
                if (d.code != CURLE_OK)
                        r = download_report_error(&d);
        }
        if (r >= 0)
                *ret = g_steal_pointer(&d.memory);
        download_done(&d);
        return r;
}

static int verification_failed(int report_fd, const char *format, ...) _printf_(2, 3);
static int verification_failed(int report_fd, const char *format, ...) {
        g_autofree char *text = NULL;
        va_list ap;

        va_start(ap, format);
        text = g_strdup_vprintf(format, ap);
        va_end(ap);
        report(report_fd, "N %s", ZONED_ERROR_VERIFICATION_FAILED);
        report(report_fd, "E %s", text);
        return -EBADMSG;
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
static int check_signature(const PullOptions *o, const TemplateImport *imp, const char *sums_url, GByteArray *sums) {
        g_autofree char *sig_url = g_strconcat(sums_url, ".gpg", NULL), *work = NULL, *sums_path = NULL,
                        *sig_path = NULL, *output = NULL;
        g_autoptr(GByteArray) sig = NULL;
        int r;

        r = fetch_small(o, imp->report_fd, sig_url, &sig);
        if (r < 0)
                return verification_failed(imp->report_fd, "Cannot fetch the signature %s.", sig_url);
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
                return verification_failed(imp->report_fd, "No keyring in %s to check SHA256SUMS.gpg with.",
                                           o->keys_dir);
        if (r == -EBADMSG)
                return verification_failed(imp->report_fd, "SHA256SUMS.gpg is not a good signature of SHA256SUMS: %s",
                                           strempty(output));
        if (r < 0)
                return verification_failed(imp->report_fd, "Cannot check SHA256SUMS.gpg with gpgv: %s",
                                           g_strerror(-r));
        return 0;
}

static int verify_download(const PullOptions *o, const TemplateImport *imp, const char *hex) {
        g_autofree char *file = url_file_name(o->url), *sums_url = url_sibling(o->url, "SHA256SUMS");
        g_autoptr(GByteArray) sums = NULL;
        int r;

        if (o->verify == VERIFY_NO)
                return 0;
        if (!file || !sums_url)
                return verification_failed(imp->report_fd, "%s does not name a file to look up in SHA256SUMS.",
                                           o->url);
        r = fetch_small(o, imp->report_fd, sums_url, &sums);
        if (r < 0)
                return verification_failed(imp->report_fd, "Cannot fetch %s.", sums_url);
        if (o->verify == VERIFY_SIGNATURE) {
                r = check_signature(o, imp, sums_url, sums);
                if (r < 0)
                        return r;
        }
        r = verify_sha256sums((const char *) sums->data, sums->len, file, hex);
        if (r == -ENOENT)
                return verification_failed(imp->report_fd, "%s is not listed in SHA256SUMS.", file);
        if (r < 0)
                return verification_failed(imp->report_fd, "SHA256 of %s does not match SHA256SUMS (it is %s).",
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
        char *trash; /* the template --force replaced, until the new one is in place */
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
        const char *hex;
        char buf[64 * 1024];
        ssize_t n;
        int r;

        do
                n = read(c->read_fd, buf, sizeof(buf));
        while (n > 0 || (n < 0 && errno == EINTR));
        pull_join(c);
        if (download_failed(c->download))
                return download_report_error(c->download);
        hex = g_checksum_get_string(c->download->sha256);
        r = verify_download(c->opts, c->imp, hex);
        if (r < 0)
                return r;
        if (c->opts->force && template_exists(c->imp->templates_dir, c->imp->name)) {
                r = template_move_to_trash(c->imp->templates_dir, c->imp->name, &c->trash);
                if (r < 0) {
                        report(c->imp->report_fd, "E Cannot move the old template %s away: %s", c->imp->name,
                               g_strerror(-r));
                        return r;
                }
        }
        return 0;
}

int pull_tar(const TemplateImport *imp, const PullOptions *o) {
        Download d = { .opts = o, .report_fd = imp->report_fd, .max_bytes = o->limits.max_bytes };
        PullContext c = { .imp = imp, .opts = o, .download = &d, .read_fd = -EBADF };
        TemplateImport stream = *imp;
        int p[2], r;

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
        r = template_unpack_tar(&stream, &o->limits, pull_before_commit, &c);
        if (!c.joined) {
                pull_join(&c);
                /* A broken download explains a broken archive better than libarchive does. */
                if (r < 0 && download_failed(&d))
                        r = download_report_error(&d);
        }
        if (c.trash) {
                g_autofree char *final = template_dir(imp->templates_dir, imp->name);

                if (r >= 0)
                        (void) rm_rf(c.trash);
                else
                        (void) rename(c.trash, final);
                g_free(c.trash);
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
static int pull_raw_download(const TemplateImport *imp, const PullOptions *o, int fd) {
        Download d = { .opts = o, .report_fd = imp->report_fd, .max_bytes = o->limits.max_bytes, .pipe_fd = fd,
                       .report_progress = true, .sha256 = g_checksum_new(G_CHECKSUM_SHA256) };
        int r;

        r = download_setup(&d, o->url);
        if (r >= 0) {
                download_perform(&d);
                if (d.code != CURLE_OK)
                        r = download_report_error(&d);
        }
        if (r >= 0)
                r = verify_download(o, imp, g_checksum_get_string(d.sha256));
        download_done(&d);
        return r;
}

int pull_raw(const TemplateImport *imp, const PullOptions *o) {
        g_autofree char *trash = NULL, *final = template_dir(imp->templates_dir, imp->name);
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
                report(imp->report_fd, "E Cannot make a file for the image in %s: %s", imp->templates_dir,
                       g_strerror(-r));
                return r;
        }
        r = pull_raw_download(imp, o, fd);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        if (o->force && template_exists(imp->templates_dir, imp->name)) {
                r = template_move_to_trash(imp->templates_dir, imp->name, &trash);
                if (r < 0) {
                        report(imp->report_fd, "E Cannot move the old template %s away: %s", imp->name,
                               g_strerror(-r));
                        return r;
                }
        }
        image.source_fd = fd;
        r = template_import_raw(&image);
        if (trash) {
                if (r >= 0)
                        (void) rm_rf(trash);
                else
                        (void) rename(trash, final);
        }
        return r;
}
