/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "definition.h"
#include "macro.h"

static const char *const bootstrap_tool_table[] = {
        [BOOTSTRAP_TOOL_NONE] = "",
        [BOOTSTRAP_TOOL_MMDEBSTRAP] = "mmdebstrap",
        [BOOTSTRAP_TOOL_DEBOOTSTRAP] = "debootstrap",
};

const char *bootstrap_tool_to_string(BootstrapTool t) {
        if ((size_t) t >= ELEMENTSOF(bootstrap_tool_table))
                return NULL;
        return bootstrap_tool_table[t];
}

TemplateDefinition *template_definition_free(TemplateDefinition *d) {
        if (!d)
                return NULL;
        g_free(d->name);
        g_free(d->description);
        g_free(d->brand);
        g_free(d->url);
        g_free(d->verify);
        g_free(d->suite);
        g_free(d->architecture);
        g_free(d->variant);
        g_strfreev(d->packages);
        g_free(d);
        return NULL;
}

TemplateDefinition *template_definition_copy(const TemplateDefinition *d) {
        TemplateDefinition *c = g_new0(TemplateDefinition, 1);

        c->name = g_strdup(d->name);
        c->description = g_strdup(d->description);
        c->brand = g_strdup(d->brand);
        c->url = g_strdup(d->url);
        c->verify = g_strdup(d->verify);
        c->tool = d->tool;
        c->suite = g_strdup(d->suite);
        c->architecture = g_strdup(d->architecture);
        c->variant = g_strdup(d->variant);
        c->packages = g_strdupv(d->packages);
        return c;
}
