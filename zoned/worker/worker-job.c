/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "fd-util.h"
#include "bootstrap.h"
#include "macro.h"
#include "raw-image.h"
#include "template-tar.h"
#include "worker-job.h"

static const char *const worker_job_kind_table[_WORKER_JOB_KIND_MAX] = {
        [WORKER_JOB_IMPORT_FS] = "import-fs",   [WORKER_JOB_IMPORT_TAR] = "import-tar",
        [WORKER_JOB_IMPORT_RAW] = "import-raw", [WORKER_JOB_PULL_TAR] = "pull-tar",
        [WORKER_JOB_PULL_RAW] = "pull-raw",     [WORKER_JOB_EXPORT_TAR] = "export-tar",
        [WORKER_JOB_BOOTSTRAP] = "bootstrap",
};

DEFINE_STRING_TABLE_LOOKUP(worker_job_kind, WorkerJobKind)

void worker_job_init(WorkerJob *j, WorkerJobKind k) {
        *j = (WorkerJob) {
                .kind = k,
                .import.source_fd = -EBADF,
                .progress = PROGRESS_WRITER_INIT(-EBADF),
        };
        if (k == WORKER_JOB_EXPORT_TAR)
                j->export.fd = -EBADF;
}

void worker_job_close_fds(WorkerJob *j) {
        j->import.source_fd = safe_close(j->import.source_fd);
        j->progress.fd = safe_close(j->progress.fd);
        if (j->kind == WORKER_JOB_EXPORT_TAR)
                j->export.fd = safe_close(j->export.fd);
}

int worker_job_close_other_fds(const WorkerJob *j) {
        int keep[] = { j->import.source_fd, j->progress.fd,
                       j->kind == WORKER_JOB_EXPORT_TAR ? j->export.fd : -EBADF };

        return close_all_fds_except(keep, ELEMENTSOF(keep));
}

void worker_job_done(WorkerJob *j) {
        worker_job_close_fds(j);
        template_import_done(&j->import);
        switch (j->kind) {
        case WORKER_JOB_PULL_TAR:
        case WORKER_JOB_PULL_RAW:
                pull_options_done(&j->pull);
                break;
        case WORKER_JOB_EXPORT_TAR:
                export_job_done(&j->export);
                break;
        case WORKER_JOB_BOOTSTRAP:
                j->definition = template_definition_free(j->definition);
                break;
        default:
                break;
        }
}

int worker_job_run(WorkerJob *j) {
        switch (j->kind) {
        case WORKER_JOB_IMPORT_FS:
                return template_import_fs(&j->import);
        case WORKER_JOB_IMPORT_TAR:
                return template_import_tar(&j->import, &j->progress);
        case WORKER_JOB_IMPORT_RAW:
                return template_import_raw(&j->import, &j->progress);
        case WORKER_JOB_PULL_TAR:
                return pull_tar(&j->import, &j->pull, &j->progress);
        case WORKER_JOB_PULL_RAW:
                return pull_raw(&j->import, &j->pull, &j->progress);
        case WORKER_JOB_EXPORT_TAR:
                return export_zone_tar(&j->export, &j->progress);
        case WORKER_JOB_BOOTSTRAP:
                return j->definition ? bootstrap_run(&j->import, j->definition, &j->progress) : -ENOENT;
        default:
                return -EINVAL;
        }
}
