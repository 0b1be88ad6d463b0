/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

#include "definition.h"
#include "export.h"
#include "progress.h"
#include "pull.h"
#include "template-import.h"

/* One piece of work for a forked worker: zoned fills it in, forks, and the worker runs its copy
 * (worker_job_run()); zoned keeps its own until the worker ended, then frees it. */

typedef enum WorkerJobKind {
        WORKER_JOB_IMPORT_FS,
        WORKER_JOB_IMPORT_TAR,
        WORKER_JOB_IMPORT_RAW,
        WORKER_JOB_PULL_TAR,
        WORKER_JOB_PULL_RAW,
        WORKER_JOB_EXPORT_TAR,
        WORKER_JOB_BOOTSTRAP,
        _WORKER_JOB_KIND_MAX,
        _WORKER_JOB_KIND_INVALID = -EINVAL,
} WorkerJobKind;

/* "import-fs", "import-tar", ...: the type of the transfer that runs it. */
const char *worker_job_kind_to_string(WorkerJobKind k);
WorkerJobKind worker_job_kind_from_string(const char *s);

typedef struct WorkerJob {
        WorkerJobKind kind;
        /* The template it makes (export-tar: none; its tmp_dir is never made). */
        TemplateImport import;
        /* Progress and failure lines to zoned (all but import-fs). */
        ProgressWriter progress;
        union {
                PullOptions pull;               /* pull-tar, pull-raw */
                ExportJob export;               /* export-tar */
                TemplateDefinition *definition; /* bootstrap: a copy of the recipe */
        };
} WorkerJob;

/* An empty job of kind k: no fd open, nothing allocated. */
void worker_job_init(WorkerJob *j, WorkerJobKind k);
/* Closes the fds the job holds: zoned's copies once the worker has its own. */
void worker_job_close_fds(WorkerJob *j);
/* Frees what the job holds and closes its fds. */
void worker_job_done(WorkerJob *j);
/* In the worker, first: closes every descriptor above stderr but the job's own (what the fork
 * copied of zoned's must not stay open while the job runs: close_all_fds_except()). */
int worker_job_close_other_fds(const WorkerJob *j);
/* In the worker: does the job. 0 or a negative errno, which the worker exits with. */
int worker_job_run(WorkerJob *j);
