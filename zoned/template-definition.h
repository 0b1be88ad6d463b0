/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "definition.h"

/* A template definition: a data file <definitions_dir>/NAME.template that
 * says how to get template NAME, either by downloading an archive (Source=
 * with Verify=) or by building a Debian rootfs with a bootstrap tool from
 * the host's configured mirror ([Bootstrap]). See zoned.template(5). */

typedef struct Manager Manager;
typedef struct Transfer Transfer;

/* Parses one definition file; it is named after the file. On -EBADMSG,
 * *ret_error says "FILE:LINE: what is wrong". */
int template_definition_load(const char *path, TemplateDefinition **ret, char **ret_error);

/* Loads every *.template in dir into a name → TemplateDefinition table. Bad
 * files are reported through ret_errors and skipped. A missing dir is not an
 * error. */
int template_definition_load_dir(const char *dir, GHashTable *definitions, GPtrArray *ret_errors);

/* The definition named name among those zoned loaded, or NULL. */
const TemplateDefinition *template_definition_find(Manager *m, const char *name);
