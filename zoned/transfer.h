/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"
#include "pull.h"
#include "template.h"
#include "worker-job.h"
#include "worker.h"

typedef struct Worker Worker;

/* A transfer: one import (later: pull, export) running in a worker process,
 * visible on the bus as /org/zoned1/transfer/<id> until it ends. */
struct Transfer {
        Manager *manager;
        uint32_t id;
        char *object_path;
        char *type; /* "import-fs", "import-tar", "pull-tar", ...: worker_job_kind_to_string() */
        char *source;
        char *name;           /* the template it makes */
        double progress;      /* 0..1; stays 0 until done when the total is unknown */
        uint64_t bytes_done;  /* import-tar: bytes read from the stream */
        uint64_t bytes_total; /* import-tar: size of a regular file, 0 when unknown (pipe) */
        const char *state;    /* "running", "done", "failed", "canceled" */
        char *error;          /* why it failed, as the worker said ("" otherwise) */
        char *error_name;     /* the D-Bus error of the failure ("" otherwise) */
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

/* The D-Bus methods of transfer-export.c and transfer-raw.c, and their option reader. */
/* Reads the a{sv} options of a call that takes one string option, key:
 * anything else is InvalidArgs. *ret is left alone when key is not given. */
int bus_read_string_option(sd_bus_message *msg, const char *key, const char **ret, sd_bus_error *error);
/* ExportZoneTar(s name, h fd, a{sv} options) → (u id, o transfer). */
int method_export_zone_tar(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* ImportTemplateRaw(h fd, s name, a{sv} options) → (u id, o transfer). */
int method_import_template_raw(sd_bus_message *msg, void *userdata, sd_bus_error *error);
