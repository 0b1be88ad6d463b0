/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/capability.h>

#include "capability-change.h"
#include "ini-util.h"
#include "macro.h"

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

uint64_t capability_change_apply(const CapabilityChange *c, uint64_t base) {
        if (c->replace)
                base = c->set;
        if (c->drop_given)
                base &= ~c->drop;
        return base;
}

int capability_mask_from_names(const char *text, uint64_t *ret, char **ret_bad) {
        g_auto(GStrv) words = g_strsplit_set(text ? text : "", " \t", -1);
        uint64_t mask = 0;

        for (char **w = words; *w; w++) {
                cap_value_t cap;

                if (!**w)
                        continue;
                /* libcap takes numbers too, and reads "CAP_A,CAP_B" as CAP_A: a file names each
                 * capability it means, and nothing else. */
                if (strspn(*w, "0123456789") == strlen(*w) || strspn(*w, NAME_CHARS) != strlen(*w) ||
                    cap_from_name(*w, &cap) < 0 || cap < 0 || cap >= 64) {
                        *ret_bad = g_strdup(*w);
                        return -EINVAL;
                }
                mask |= UINT64_C(1) << cap;
        }
        *ret = mask;
        return 0;
}

char *capability_mask_to_names(uint64_t mask) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (int cap = 0; cap < 64; cap++) {
                char *name;

                if (!(mask & (UINT64_C(1) << cap)))
                        continue;
                name = cap_to_name(cap);
                if (!name)
                        continue;
                if (s->len)
                        g_string_append_c(s, ' ');
                for (const char *p = name; *p; p++)
                        g_string_append_c(s, g_ascii_toupper(*p));
                cap_free(name);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static int load_key(GKeyFile *f, const char *text, const char *path, const char *group, const char *key,
                    bool *ret_given, uint64_t *ret_mask, char **ret_error) {
        g_autofree char *v = g_key_file_get_value(f, group, key, NULL), *bad = NULL;

        *ret_given = v != NULL;
        *ret_mask = 0;
        if (v && capability_mask_from_names(v, ret_mask, &bad) < 0)
                return ini_key_error(path, text, group, key, ret_error,
                                     "%s= names an unknown capability \"%s\"", key, bad);
        return 0;
}

int capability_change_load(GKeyFile *f, const char *text, const char *path, const char *group,
                           CapabilityChange *ret, char **ret_error) {
        CapabilityChange c = {};
        int r;

        r = load_key(f, text, path, group, "Capabilities", &c.replace, &c.set, ret_error);
        if (r < 0)
                return r;
        r = load_key(f, text, path, group, "DropCapabilities", &c.drop_given, &c.drop, ret_error);
        if (r < 0)
                return r;
        *ret = c;
        return 0;
}

void capability_change_save(GKeyFile *f, const char *group, const CapabilityChange *c) {
        if (c->replace) {
                g_autofree char *names = capability_mask_to_names(c->set);
                g_key_file_set_value(f, group, "Capabilities", names);
        }
        if (c->drop_given) {
                g_autofree char *names = capability_mask_to_names(c->drop);
                g_key_file_set_value(f, group, "DropCapabilities", names);
        }
}
