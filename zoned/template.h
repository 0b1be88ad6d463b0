/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "template-import.h"

/* The template store, <state_dir>/.templates/NAME/ with rootfs/ (read-only
 * by convention: zones overlay it) and template.ini (brand, origin, size).
 * A template appears only complete: it is built in a ".tmp-" directory and
 * renamed into place (template-import.h: the worker's side). */

typedef struct TemplateInfo {
        char *name;
        char *brand;
        char *origin;
        uint64_t size;
} TemplateInfo;

void template_info_free(TemplateInfo *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TemplateInfo, template_info_free)

char *template_rootfs(const char *templates_dir, const char *name);
bool template_exists(const char *templates_dir, const char *name);
int template_info_load(const char *templates_dir, const char *name, TemplateInfo **ret);
/* All templates, sorted by name. */
int template_list(const char *templates_dir, GPtrArray **ret);
