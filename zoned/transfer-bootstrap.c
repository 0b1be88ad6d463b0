/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A template built by a bootstrap recipe, as a transfer of type "bootstrap". */

#include "log.h"
#include "names.h"
#include "template-definition.h"
#include "transfer.h"
#include "zone.h"

/* A zone that overlays the template reads it as its lower layer. */
static const char *template_user(Manager *m, const char *name) {
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, m->zones);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Zone *z = v;
                if (streq(z->config.template_name, name) && (!z->config.copy || z->state == ZONE_CREATING))
                        return z->name;
        }
        return NULL;
}

int transfer_start_bootstrap(Manager *m, const TemplateDefinition *def, const char *name, bool force,
                             Transfer **ret) {
        g_autofree char *templates = manager_templates_dir(m);
        Transfer *t;
        int r;

        if (!def || def->url || def->tool == BOOTSTRAP_TOOL_NONE)
                return -EINVAL;
        if (template_definition_find(m, def->name) != def)
                return -ENOENT;
        if (!zone_name_is_valid(name))
                return -EINVAL;
        if (!g_hash_table_contains(m->brands, def->brand))
                return -ENOPKG;
        if (transfer_makes_template(m, name))
                return -EBUSY;
        if (template_exists(templates, name)) {
                if (!force)
                        return -EEXIST;
                if (template_user(m, name))
                        return -EBUSY;
        }
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
