/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "ini-util.h"
#include "macro.h"
#include "zone-config-limits.h"

#define GROUP "Limits"

int zone_config_limits_load(GKeyFile *f, const char *text, const char *path, ZoneLimits *ret,
                            char **ret_error) {
        g_auto(GStrv) keys = g_key_file_get_keys(f, GROUP, NULL, NULL);
        ZoneLimits l = {};

        for (char **k = keys; k && *k; k++) {
                g_autofree char *value = g_key_file_get_value(f, GROUP, *k, NULL);
                LimitKey key = limit_key_from_property(*k);
                LimitValue v;

                if (key < 0) {
                        zone_limits_done(&l);
                        return ini_key_error(path, text, GROUP, *k, ret_error, "unknown key %s in [%s]", *k,
                                             GROUP);
                }
                if (!value || limit_parse(key, value, &v) < 0) {
                        zone_limits_done(&l);
                        return ini_key_error(path, text, GROUP, *k, ret_error, "%s=%s is not a valid %s", *k,
                                             strempty(value), limit_info(key)->cli);
                }
                limit_value_done(&l.v[key]);
                l.v[key] = v;
        }
        (void) g_key_file_remove_group(f, GROUP, NULL);
        *ret = l;
        return 0;
}

void zone_config_limits_save(GKeyFile *f, const ZoneLimits *l) {
        for (LimitKey k = 0; k < _LIMIT_KEY_MAX; k++) {
                _cleanup_free_ char *text = NULL;

                if (l->v[k].set && limit_format(k, &l->v[k], &text) >= 0)
                        g_key_file_set_string(f, GROUP, limit_info(k)->property, text);
        }
}
