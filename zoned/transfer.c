/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brand.h"
#include "log.h"
#include "transfer-dbus.h"
#include "transfer.h"
#include "url-credentials.h"
#include "worker.h"

static const char *const transfer_state_table[_TRANSFER_STATE_MAX] = {
        [TRANSFER_RUNNING] = "running",
        [TRANSFER_DONE] = "done",
        [TRANSFER_FAILED] = "failed",
        [TRANSFER_CANCELED] = "canceled",
};
DEFINE_STRING_TABLE_LOOKUP(transfer_state, TransferState)

static void close_fdp(int *fd) {
        if (*fd >= 0)
                (void) close(*fd);
        *fd = -EBADF;
}

Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        if (t->manager)
                g_hash_table_steal(t->manager->transfers, GUINT_TO_POINTER(t->id));
        worker_free(t->worker);
        sd_event_source_disable_unref(t->report_source);
        close_fdp(&t->report_fd);
        worker_job_done(&t->job);
        g_free(t->object_path);
        g_free(t->source);
        g_free(t->name);
        g_free(t->error);
        g_free(t->error_name);
        g_free(t);
        return NULL;
}

Transfer *transfer_new(Manager *m, WorkerJobKind kind, const char *source, const char *name,
                       const char *brand) {
        Transfer *t = g_new0(Transfer, 1);
        const char *type = worker_job_kind_to_string(kind);

        t->manager = m;
        t->id = ++m->next_transfer_id;
        t->object_path = g_strdup_printf(TRANSFER_OBJECT_PREFIX "/%u", t->id);
        t->source = g_strdup(source);
        t->name = g_strdup(name);
        t->state = TRANSFER_RUNNING;
        t->error = g_strdup("");
        t->error_name = g_strdup("");
        t->report_fd = -EBADF;
        worker_job_init(&t->job, kind);
        t->job.import.templates_dir = manager_templates_dir(m);
        t->job.import.name = g_strdup(name);
        t->job.import.source = g_strdup(source);
        t->job.import.brand = g_strdup(strempty(brand));
        t->job.import.origin = g_strdup_printf("%s:%s", type, source);
        t->job.import.tmp_dir = g_strdup_printf("%s/.tmp-%s-%u", t->job.import.templates_dir, name, t->id);
        /* What the worker detects a brand by, when none was given. */
        t->job.import.detect_rules = brand_detect_rules(m->brands);
        return t;
}

/* One line from the worker: "B <bytes>", "T <bytes>", "N <error name>" or "E <text>" (progress.h). */
static void report_line(Transfer *t, const char *line) {
        if (line[0] == 'T' && line[1] == ' ') {
                t->bytes_total = g_ascii_strtoull(line + 2, NULL, 10);
                return;
        }
        if (line[0] == 'N' && line[1] == ' ' && g_str_has_prefix(line + 2, "org.zoned1.Error.")) {
                g_free(t->error_name);
                t->error_name = g_strdup(line + 2);
                return;
        }
        if (line[0] == 'B' && line[1] == ' ') {
                t->bytes_done = g_ascii_strtoull(line + 2, NULL, 10);
                if (t->bytes_total > 0)
                        t->progress = MIN((double) t->bytes_done / (double) t->bytes_total, 1.0);
                transfer_emit_progress(t);
        } else if (line[0] == 'E' && line[1] == ' ') {
                g_free(t->error);
                t->error = g_utf8_make_valid(line + 2, -1);
        }
}

/* Reads what is in the pipe now; returns false at EOF or on an error. */
static bool report_drain(Transfer *t) {
        for (;;) {
                ssize_t n;
                char *nl;

                if (t->report_len == sizeof(t->report_buf) - 1)
                        t->report_len = 0; /* an overlong line: drop it */
                n = read(t->report_fd, t->report_buf + t->report_len,
                         sizeof(t->report_buf) - 1 - t->report_len);
                if (n < 0)
                        return errno == EINTR || errno == EAGAIN;
                if (n == 0)
                        return false;
                t->report_len += (size_t) n;
                t->report_buf[t->report_len] = 0;
                while ((nl = strchr(t->report_buf, '\n'))) {
                        *nl = 0;
                        report_line(t, t->report_buf);
                        t->report_len -= (size_t) (nl + 1 - t->report_buf);
                        memmove(t->report_buf, nl + 1, t->report_len + 1);
                }
        }
}

static int on_report(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Transfer *t = userdata;

        if (!report_drain(t))
                t->report_source = sd_event_source_disable_unref(t->report_source);
        return 0;
}

/* In the worker: its copy of the job. */
static int transfer_run(void *userdata) {
        int r;

        r = worker_job_close_other_fds(userdata);
        if (r < 0)
                return r;
        return worker_job_run(userdata);
}

static void transfer_done(Worker *w, int result, void *userdata) {
        Transfer *t = userdata;

        t->worker = worker_free(t->worker);
        /* The worker is gone: everything it wrote is in the pipe. */
        if (t->report_fd >= 0)
                (void) report_drain(t);
        if (result == -ECANCELED)
                t->state = TRANSFER_CANCELED;
        else if (result < 0) {
                t->state = TRANSFER_FAILED;
                if (isempty(t->error)) {
                        g_free(t->error);
                        t->error = g_strdup(g_strerror(-result));
                }
                log_error("Transfer %u (%s %s → %s) failed: %s", t->id,
                          worker_job_kind_to_string(t->job.kind), t->source, t->name, t->error);
        } else {
                t->state = TRANSFER_DONE;
                t->progress = 1.0;
                log_info("Transfer %u (%s %s → %s) done.", t->id, worker_job_kind_to_string(t->job.kind),
                         t->source, t->name);
        }
        /* A worker that was killed or crashed mid-work left its temp dir: ours to remove. */
        if (result < 0) {
                g_autofree char *verify = g_strconcat(t->job.import.tmp_dir, ".verify", NULL);

                (void) manager_remove_in_background(t->manager, t->job.import.tmp_dir);
                /* What a pull killed while gpgv ran left (see pull.c); usually nothing. */
                (void) manager_remove_in_background(t->manager, verify);
        }
        transfer_emit_removed(t);
        transfer_free(t);
}

int transfer_spawn(Transfer *t, Transfer **ret) {
        Manager *m = t->manager;
        int r;

        r = worker_spawn(m->event, worker_job_kind_to_string(t->job.kind), transfer_run, &t->job,
                         transfer_done, t, &t->worker);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        /* The worker has its copies; zoned keeps only the reading end of the report pipe. */
        worker_job_close_fds(&t->job);
        g_hash_table_insert(m->transfers, GUINT_TO_POINTER(t->id), t);
        transfer_emit_new(t);
        *ret = t;
        return 0;
}

int transfer_start_import_fs(Manager *m, const char *source, const char *name, const char *brand,
                             Transfer **ret) {
        return transfer_spawn(transfer_new(m, WORKER_JOB_IMPORT_FS, source, name, brand), ret);
}

/* What the stream is, for Source and the template's origin: the file's
 * path as zoned sees it, or "pipe:[…]". */
static char *describe_fd(int fd) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%i", fd);
        char *target = g_file_read_link(link, NULL);

        return target ?: g_strdup("stream");
}

int transfer_start_pull(Manager *m, PullOptions *o, const char *name, const char *brand, Transfer **ret) {
        bool raw = pull_url_is_raw(o->url);
        /* Source, Origin and the log are for every local user to read: never a password. */
        g_autofree char *shown = url_without_credentials(o->url);
        Transfer *t = transfer_new(m, raw ? WORKER_JOB_PULL_RAW : WORKER_JOB_PULL_TAR, shown, name, brand);
        int r;

        t->job.pull = *o;
        *o = (PullOptions) {};
        r = transfer_open_report(t);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        log_info("Transfer %u: pulling %s into template %s (%s, verify=%s).", t->id, t->source, name,
                 worker_job_kind_to_string(t->job.kind), verify_mode_to_string(t->job.pull.verify));
        return transfer_spawn(t, ret);
}

/* An import that reads a stream: checks fd (a file or pipe open for reading: -EBADF, -EISDIR),
 * knows the total for a file, and gives the worker its copy of fd. */
static int transfer_start_import_stream(Manager *m, WorkerJobKind kind, int fd, const char *name,
                                        const char *brand, Transfer **ret) {
        g_autofree char *source = NULL;
        Transfer *t;
        struct stat st;
        int flags;

        flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        if ((flags & O_ACCMODE) == O_WRONLY || (flags & O_PATH))
                return -EBADF;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        source = describe_fd(fd);
        t = transfer_new(m, kind, source, name, brand);
        if (S_ISREG(st.st_mode))
                t->bytes_total = (uint64_t) st.st_size;
        return transfer_spawn_with_fd(t, &t->job.import.source_fd, fd, ret);
}

int transfer_start_import_tar(Manager *m, int fd, const char *name, const char *brand, Transfer **ret) {
        return transfer_start_import_stream(m, WORKER_JOB_IMPORT_TAR, fd, name, brand, ret);
}

int transfer_start_import_raw(Manager *m, int fd, const char *name, const char *brand, Transfer **ret) {
        return transfer_start_import_stream(m, WORKER_JOB_IMPORT_RAW, fd, name, brand, ret);
}

int transfer_open_report(Transfer *t) {
        int pipefd[2];

        if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        t->report_fd = pipefd[0];
        t->job.progress.fd = pipefd[1];
        return sd_event_add_io(t->manager->event, &t->report_source, t->report_fd, EPOLLIN, on_report, t);
}

int transfer_spawn_with_fd(Transfer *t, int *job_fd, int fd, Transfer **ret) {
        int r;

        *job_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        r = *job_fd < 0 ? -errno : transfer_open_report(t);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        return transfer_spawn(t, ret);
}

int transfer_cancel(Transfer *t) {
        return worker_cancel(t->worker);
}

bool transfer_makes_template(Manager *m, const char *name) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->transfers);
        while (g_hash_table_iter_next(&it, NULL, &v))
                if (streq(((Transfer *) v)->name, name))
                        return true;
        return false;
}
