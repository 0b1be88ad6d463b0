/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>

/* A template definition: a data file <definitions_dir>/NAME.template that
 * says how to get template NAME, either by downloading an archive (Source=
 * with Verify=) or by building a Debian rootfs with a bootstrap tool from
 * the host's configured mirror ([Bootstrap]). See zoned.template(5). */

typedef struct Manager Manager;
typedef struct Transfer Transfer;

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

/* Parses one definition file; it is named after the file. On -EBADMSG,
 * *ret_error says "FILE:LINE: what is wrong". */
int template_definition_load(const char *path, TemplateDefinition **ret, char **ret_error);

/* Loads every *.template in dir into a name → TemplateDefinition table. Bad
 * files are reported through ret_errors and skipped. A missing dir is not an
 * error. */
int template_definition_load_dir(const char *dir, GHashTable *definitions, GPtrArray *ret_errors);

/* The definition named name among those zoned loaded, or NULL. */
const TemplateDefinition *template_definition_find(Manager *m, const char *name);
