/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "manager.h"
#include "template.h"

typedef struct Worker Worker;

/* A transfer: one import (later: pull, export) running in a worker process,
 * visible on the bus as /org/zoned1/transfer/<id> until it ends. */
struct Transfer {
        Manager *manager;
        uint32_t id;
        char *object_path;
        char *type;        /* "import-fs" */
        char *source;
        char *name;        /* the template it makes */
        double progress;   /* 0..1 */
        const char *state; /* "running", "done", "failed", "canceled" */
        Worker *worker;
        TemplateImport import;
};

Transfer *transfer_free(Transfer *t);
/* Starts copying directory source into template name, with brand. */
int transfer_start_import_fs(Manager *m, const char *source, const char *name, const char *brand,
                             Transfer **ret);
int transfer_cancel(Transfer *t);
/* Whether a running transfer is making template name. */
bool transfer_makes_template(Manager *m, const char *name);
