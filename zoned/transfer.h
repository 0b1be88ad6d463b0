/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"
#include "pull.h"
#include "template-definition.h"
#include "template.h"
#include "worker-job.h"
#include "worker.h"

typedef struct Worker Worker;

/* The State property: running until its worker ended, then one of the others for the moment
 * before the object goes (TransferRemoved carries it). */
typedef enum TransferState {
        TRANSFER_RUNNING,
        TRANSFER_DONE,
        TRANSFER_FAILED,
        TRANSFER_CANCELED,
        _TRANSFER_STATE_MAX,
        _TRANSFER_STATE_INVALID = -EINVAL,
} TransferState;

const char *transfer_state_to_string(TransferState s);
TransferState transfer_state_from_string(const char *s);

/* A transfer: one import, pull, build or export running in a worker process,
 * visible on the bus as /org/zoned1/transfer/<id> until it ends. Its Type is
 * worker_job_kind_to_string(job.kind). */
struct Transfer {
        Manager *manager;
        uint32_t id;
        char *object_path;
        char *source;
        char *name;           /* the template it makes */
        double progress;      /* 0..1; stays 0 until done when the total is unknown */
        uint64_t bytes_done;  /* import-tar: bytes read from the stream */
        uint64_t bytes_total; /* import-tar: size of a regular file, 0 when unknown (pipe) */
        TransferState state;
        char *error;      /* why it failed, as the worker said ("" otherwise) */
        char *error_name; /* the D-Bus error of the failure ("" otherwise) */
        Worker *worker;
        WorkerJob job; /* what the worker does: it runs its copy, made by the fork */

        /* The reading end of the worker's report pipe: lines as progress.h says. */
        int report_fd;
        sd_event_source *report_source;
        char report_buf[1024];
        size_t report_len;
};

Transfer *transfer_free(Transfer *t);
/* Starts copying directory source into template name, with brand. */
int transfer_start_import_fs(Manager *m, const char *source, const char *name, const char *brand,
                             Transfer **ret);
/* Starts unpacking the tar stream fd (borrowed: it is duplicated) into
 * template name; brand NULL or empty: detected after unpacking.
 * -EBADF if fd is not open for reading. */
int transfer_start_import_tar(Manager *m, int fd, const char *name, const char *brand, Transfer **ret);
/* The same for a raw disk image (file or pipe, compressed or not), "import-raw". */
int transfer_start_import_raw(Manager *m, int fd, const char *name, const char *brand, Transfer **ret);
/* Starts writing stopped zone z's tree to fd (borrowed: it is duplicated) as a tarball compressed
 * as format (export_format_is_valid()), "export-tar". The caller checked that z may be read. */
int transfer_start_export(Manager *m, Zone *z, int fd, const char *format, Transfer **ret);
/* Starts building template name (usually def->name) from def's bootstrap
 * recipe in a worker, as a Transfer of type "bootstrap". With force, an
 * existing template of that name is replaced once the build succeeded.
 * -EINVAL if def has no recipe, -ENOPKG if its brand is not installed, else what
 * template_check_new() says. */
int transfer_start_bootstrap(Manager *m, const TemplateDefinition *def, const char *name, bool force,
                             Transfer **ret);
/* For other kinds of transfer (bootstrap, export): transfer_new() makes one
 * (not yet listed) with an empty job of that kind, transfer_open_report()
 * gives its worker a report pipe (t->job.progress), transfer_spawn() runs the
 * job in a worker, lists and announces it; on failure it frees t. The
 * transfer ends as an import does: its tmp_dir is removed on failure. */
Transfer *transfer_new(Manager *m, WorkerJobKind kind, const char *source, const char *name,
                       const char *brand);
int transfer_open_report(Transfer *t);
int transfer_spawn(Transfer *t, Transfer **ret);
/* transfer_spawn() of a job that reads or writes the stream fd (borrowed): its copy goes to
 * *job_fd (a field of t->job), and the worker gets a report pipe. */
int transfer_spawn_with_fd(Transfer *t, int *job_fd, int fd, Transfer **ret);
/* Starts downloading o->url (the options are taken over) into template
 * name: a tarball ("pull-tar", unpacked as it arrives) or a raw disk image
 * ("pull-raw", see pull_url_is_raw()); brand NULL or empty: detected. */
int transfer_start_pull(Manager *m, PullOptions *o, const char *name, const char *brand, Transfer **ret);
int transfer_cancel(Transfer *t);
/* Whether a running transfer is making template name. */
bool transfer_makes_template(Manager *m, const char *name);
