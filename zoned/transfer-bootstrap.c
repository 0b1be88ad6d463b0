/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A template built by a bootstrap recipe, as a transfer of type "bootstrap". */

#include "log.h"
#include "template-check.h"
#include "template-definition.h"
#include "transfer.h"

int transfer_start_bootstrap(Manager *m, const TemplateDefinition *def, const char *name, bool force,
                             Transfer **ret) {
        Transfer *t;
        int r;

        if (!def || def->url || def->tool == BOOTSTRAP_TOOL_NONE)
                return -EINVAL;
        if (template_definition_find(m, def->name) != def)
                return -ENOENT;
        r = brand_check_installed(m, def->brand);
        if (r < 0)
                return r;
        r = template_check_new(m, name, force, NULL);
        if (r < 0)
                return r;
        t = transfer_new(m, WORKER_JOB_BOOTSTRAP, def->name, name, def->brand);
        g_free(t->job.import.origin);
        t->job.import.origin = g_strdup_printf("bootstrap:%s", def->name);
        t->job.import.replace = force;
        t->job.definition = template_definition_copy(def);
        r = transfer_open_report(t);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        log_info("Transfer %u: building template %s with %s %s.", t->id, name,
                 bootstrap_tool_to_string(def->tool), def->suite);
        return transfer_spawn(t, ret);
}
