/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <sys/random.h>

#include "ini-util.h"
#include "launch-plan.h"
#include "macro.h"
#include "names.h"
#include "zone-config.h"

#define GROUP "Zone"

void zone_config_done(ZoneConfig *c) {
        g_clear_pointer(&c->template_name, g_free);
        g_clear_pointer(&c->brand, g_free);
        g_clear_pointer(&c->machine_id, g_free);
}

int zone_config_new_machine_id(char **ret) {
        uint8_t b[16];
        char *s;

        if (getrandom(b, sizeof(b), 0) != (ssize_t) sizeof(b))
                return -EIO;
        /* RFC 4122 version 4, variant 1: what sd_id128_randomize() makes. */
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        s = g_malloc(33);
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(s + 2 * i, 3, "%02x", b[i]);
        *ret = s;
        return 0;
}

static int get_bool(GKeyFile *f, const char *key, bool def, bool *ret) {
        g_autofree char *v = g_key_file_get_value(f, GROUP, key, NULL);

        if (!v) {
                *ret = def;
                return 0;
        }
        if (streq(v, "true") || streq(v, "yes") || streq(v, "1"))
                *ret = true;
        else if (streq(v, "false") || streq(v, "no") || streq(v, "0"))
                *ret = false;
        else
                return -EINVAL;
        return 0;
}

int zone_config_load(const char *path, ZoneConfig *ret, char **ret_error) {
        static const char *const keys[] = { "Template", "Brand", "Storage", "Autoboot", "MachineID", NULL };
        g_autoptr(GKeyFile) f = NULL;
        g_autofree char *text = NULL, *storage = NULL;
        ZoneConfig c = {};
        int r;

        r = ini_load(path, &f, &text, ret_error);
        if (r < 0)
                return r;
        r = ini_check_keys(f, text, path, GROUP, keys, ret_error);
        if (r < 0)
                return r;

        c.template_name = g_key_file_get_string(f, GROUP, "Template", NULL);
        c.brand = g_key_file_get_string(f, GROUP, "Brand", NULL);
        storage = g_key_file_get_string(f, GROUP, "Storage", NULL);
        c.machine_id = g_key_file_get_string(f, GROUP, "MachineID", NULL);

        if (!c.template_name || !zone_name_is_valid(c.template_name))
                r = ini_key_error(path, text, GROUP, "Template", ret_error, "Template= missing or invalid");
        else if (!c.brand || !zone_name_is_valid(c.brand))
                r = ini_key_error(path, text, GROUP, "Brand", ret_error, "Brand= missing or invalid");
        else if (storage && !streq(storage, "overlay") && !streq(storage, "copy"))
                r = ini_key_error(path, text, GROUP, "Storage", ret_error,
                                  "Storage=%s is neither overlay nor copy", storage);
        else if (get_bool(f, "Autoboot", false, &c.autoboot) < 0)
                r = ini_key_error(path, text, GROUP, "Autoboot", ret_error, "Autoboot= is not a boolean");
        else if (c.machine_id && !machine_id_is_valid(c.machine_id))
                r = ini_key_error(path, text, GROUP, "MachineID", ret_error,
                                  "MachineID=%s is not 32 lowercase hex digits", c.machine_id);
        if (r < 0) {
                zone_config_done(&c);
                return r;
        }
        c.copy = storage && streq(storage, "copy");
        if (!c.machine_id) {
                r = zone_config_new_machine_id(&c.machine_id);
                if (r < 0) {
                        zone_config_done(&c);
                        return r;
                }
                /* Failing to save is not fatal: the zone gets another id next time. */
                (void) zone_config_save(path, &c);
        }
        *ret = c;
        return 0;
}

int zone_config_save(const char *path, const ZoneConfig *c) {
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autofree char *text = NULL;

        if (!c->template_name || !c->brand || (c->machine_id && !machine_id_is_valid(c->machine_id)))
                return -EINVAL;
        g_key_file_set_string(f, GROUP, "Template", c->template_name);
        g_key_file_set_string(f, GROUP, "Brand", c->brand);
        g_key_file_set_string(f, GROUP, "Storage", c->copy ? "copy" : "overlay");
        g_key_file_set_boolean(f, GROUP, "Autoboot", c->autoboot);
        if (c->machine_id)
                g_key_file_set_string(f, GROUP, "MachineID", c->machine_id);
        text = g_key_file_to_data(f, NULL, NULL);
        return write_file_atomic(path, text, 0644);
}
