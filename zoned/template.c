/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <sys/stat.h>

#include "macro.h"
#include "names.h"
#include "template.h"

void template_info_free(TemplateInfo *t) {
        if (!t)
                return;
        g_free(t->name);
        g_free(t->brand);
        g_free(t->origin);
        g_free(t);
}

char *template_rootfs(const char *templates_dir, const char *name) {
        return g_build_filename(templates_dir, name, "rootfs", NULL);
}

bool template_exists(const char *templates_dir, const char *name) {
        g_autofree char *p = template_dir(templates_dir, name);
        struct stat st;

        return zone_name_is_valid(name) && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int template_info_load(const char *templates_dir, const char *name, TemplateInfo **ret) {
        g_autofree char *ini = g_build_filename(templates_dir, name, "template.ini", NULL);
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autoptr(TemplateInfo) t = NULL;

        if (!template_exists(templates_dir, name))
                return -ENOENT;
        t = g_new0(TemplateInfo, 1);
        t->name = g_strdup(name);
        if (g_key_file_load_from_file(f, ini, G_KEY_FILE_NONE, NULL)) {
                t->brand = g_key_file_get_string(f, "Template", "Brand", NULL);
                t->origin = g_key_file_get_string(f, "Template", "Origin", NULL);
                t->size = g_key_file_get_uint64(f, "Template", "Size", NULL);
        }
        if (!t->brand)
                t->brand = g_strdup("");
        if (!t->origin)
                t->origin = g_strdup("");
        *ret = g_steal_pointer(&t);
        return 0;
}

static int compare_info(gconstpointer a, gconstpointer b) {
        const TemplateInfo *x = *(TemplateInfo *const *) a, *y = *(TemplateInfo *const *) b;
        return strcmp(x->name, y->name);
}

int template_list(const char *templates_dir, GPtrArray **ret) {
        g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify) template_info_free);
        g_autoptr(GDir) d = g_dir_open(templates_dir, 0, NULL);
        const char *fn;

        while (d && (fn = g_dir_read_name(d))) {
                TemplateInfo *t;

                if (!zone_name_is_valid(fn) || template_info_load(templates_dir, fn, &t) < 0)
                        continue;
                g_ptr_array_add(list, t);
        }
        g_ptr_array_sort(list, compare_info);
        *ret = g_steal_pointer(&list);
        return 0;
}
