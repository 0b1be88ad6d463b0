/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"
#include "pull.h"
#include "template.h"
#include "worker.h"

typedef struct Worker Worker;

/* A transfer: one import (later: pull, export) running in a worker process,
 * visible on the bus as /org/zoned1/transfer/<id> until it ends. */
struct Transfer {
        Manager *manager;
        uint32_t id;
        char *object_path;
        char *type; /* "import-fs", "import-tar", "pull-tar" */
        char *source;
        char *name;           /* the template it makes */
        double progress;      /* 0..1; stays 0 until done when the total is unknown */
        uint64_t bytes_done;  /* import-tar: bytes read from the stream */
        uint64_t bytes_total; /* import-tar: size of a regular file, 0 when unknown (pipe) */
        const char *state;    /* "running", "done", "failed", "canceled" */
        char *error;          /* why it failed, as the worker said ("" otherwise) */
        char *error_name;     /* the D-Bus error of the failure ("" otherwise) */
        Worker *worker;
        TemplateImport import;
        PullOptions pull; /* pull-tar */

        /* The worker's report pipe (import-tar): "B n" and "E text" lines. */
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
/* For other kinds of transfer (bootstrap, export): transfer_new() makes one
 * (not yet listed), transfer_open_report() gives its worker a report pipe
 * (imp->report_fd, lines as in template-tar.h), transfer_spawn() runs
 * run(&t->import) in a worker, lists and announces it; on failure it frees t.
 * The transfer ends as an import does: its tmp_dir is removed on failure. */
Transfer *transfer_new(Manager *m, const char *type, const char *source, const char *name,
                       const char *brand);
int transfer_open_report(Transfer *t);
int transfer_spawn(Transfer *t, worker_func run, Transfer **ret);
/* Starts downloading o->url (the options are taken over) into template
 * name: a tarball ("pull-tar", unpacked as it arrives) or a raw disk image
 * ("pull-raw", see pull_url_is_raw()); brand NULL or empty: detected. */
int transfer_start_pull(Manager *m, PullOptions *o, const char *name, const char *brand, Transfer **ret);
int transfer_cancel(Transfer *t);
/* Whether a running transfer is making template name. */
bool transfer_makes_template(Manager *m, const char *name);
