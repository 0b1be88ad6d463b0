/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* What a template definition (a data file NAME.template, see zoned.template(5)) says, as data:
 * zoned's template-definition.c loads it, a bootstrap worker builds from its copy. */

typedef enum BootstrapTool {
        BOOTSTRAP_TOOL_NONE, /* the definition has a Source= URL */
        BOOTSTRAP_TOOL_MMDEBSTRAP,
        BOOTSTRAP_TOOL_DEBOOTSTRAP,
} BootstrapTool;

const char *bootstrap_tool_to_string(BootstrapTool t);

typedef struct TemplateDefinition {
        char *name; /* the file name without ".template" */
        char *description;
        char *brand; /* a brand name; never NULL */

        /* Either a URL ... */
        char *url;    /* NULL for a bootstrap recipe */
        char *verify; /* "checksum" (default), "signature" or "no"; NULL with a recipe */

        /* ... or a bootstrap recipe (url == NULL). */
        BootstrapTool tool;
        char *suite;        /* "bookworm" */
        char *architecture; /* dpkg architecture; NULL: the host's */
        char *variant;      /* tool variant ("minbase", ...); NULL: the tool's default */
        char **packages;    /* extra packages, NULL-terminated, never NULL */
} TemplateDefinition;

TemplateDefinition *template_definition_free(TemplateDefinition *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TemplateDefinition, template_definition_free)
/* A copy of d, for a worker's job. */
TemplateDefinition *template_definition_copy(const TemplateDefinition *d);
