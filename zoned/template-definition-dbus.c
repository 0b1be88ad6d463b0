/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-list.h"
#include "macro.h"
#include "manager.h"
#include "template-definition.h"
#include "url-credentials.h"

static char *definition_source(const TemplateDefinition *d) {
        if (d->url)
                return url_without_credentials(d->url);
        return g_strdup_printf("%s %s/%s", bootstrap_tool_to_string(d->tool), d->suite,
                               strempty(d->architecture));
}

static int compare_definitions(gconstpointer a, gconstpointer b) {
        return strcmp((*(TemplateDefinition *const *) a)->name, (*(TemplateDefinition *const *) b)->name);
}

static int append_definition(sd_bus_message *reply, gconstpointer item) {
        const TemplateDefinition *d = item;
        g_autofree char *source = definition_source(d);

        return sd_bus_message_append(reply, "(ssss)", d->name, d->description, d->brand, source);
}

int method_list_template_definitions(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        return bus_reply_sorted_list(msg, m->definitions, compare_definitions, "(ssss)", append_definition);
}
