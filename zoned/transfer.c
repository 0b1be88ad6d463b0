/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "log.h"
#include "transfer-dbus.h"
#include "transfer.h"
#include "worker.h"

Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        if (t->manager)
                g_hash_table_steal(t->manager->transfers, GUINT_TO_POINTER(t->id));
        worker_free(t->worker);
        g_free(t->import.templates_dir);
        g_free(t->import.name);
        g_free(t->import.source);
        g_free(t->import.brand);
        g_free(t->import.origin);
        g_free(t->import.tmp_dir);
        g_free(t->object_path);
        g_free(t->type);
        g_free(t->source);
        g_free(t->name);
        g_free(t);
        return NULL;
}

static int import_run(void *userdata) {
        return template_import_fs(userdata);
}

static void transfer_done(Worker *w, int result, void *userdata) {
        Transfer *t = userdata;

        t->worker = worker_free(t->worker);
        if (result == -ECANCELED) {
                t->state = "canceled";
                /* The worker died mid-copy: its temp dir is ours to remove. */
                (void) manager_remove_in_background(t->manager, t->import.tmp_dir);
        } else if (result < 0) {
                t->state = "failed";
                log_error_errno(result, "Transfer %u (%s %s → %s) failed: %m", t->id, t->type, t->source,
                                t->name);
        } else {
                t->state = "done";
                t->progress = 1.0;
                log_info("Transfer %u: template %s imported from %s.", t->id, t->name, t->source);
        }
        transfer_emit_removed(t);
        transfer_free(t);
}

int transfer_start_import_fs(Manager *m, const char *source, const char *name, const char *brand,
                             Transfer **ret) {
        Transfer *t = g_new0(Transfer, 1);
        int r;

        t->manager = m;
        t->id = ++m->next_transfer_id;
        t->object_path = g_strdup_printf(TRANSFER_OBJECT_PREFIX "/%u", t->id);
        t->type = g_strdup("import-fs");
        t->source = g_strdup(source);
        t->name = g_strdup(name);
        t->state = "running";
        t->import.templates_dir = manager_templates_dir(m);
        t->import.name = g_strdup(name);
        t->import.source = g_strdup(source);
        t->import.brand = g_strdup(brand);
        t->import.origin = g_strdup_printf("import-fs:%s", source);
        t->import.tmp_dir = g_strdup_printf("%s/.tmp-%s-%u", t->import.templates_dir, name, t->id);

        r = worker_spawn(m->event, "import", import_run, &t->import, transfer_done, t, &t->worker);
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        g_hash_table_insert(m->transfers, GUINT_TO_POINTER(t->id), t);
        transfer_emit_new(t);
        *ret = t;
        return 0;
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
