/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "manager.h"
#include "template-definition.h"

static char *definition_source(const TemplateDefinition *d) {
        if (d->url)
                return g_strdup(d->url);
        return g_strdup_printf("%s %s/%s", bootstrap_tool_to_string(d->tool), d->suite,
                               strempty(d->architecture));
}

int method_list_template_definitions(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        g_autoptr(GList) names = g_list_sort(g_hash_table_get_keys(m->definitions), (GCompareFunc) strcmp);
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssss)");
        if (r < 0)
                return r;
        for (GList *l = names; l; l = l->next) {
                const TemplateDefinition *d = g_hash_table_lookup(m->definitions, l->data);
                g_autofree char *source = definition_source(d);

                r = sd_bus_message_append(reply, "(ssss)", d->name, d->description, d->brand, source);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}
