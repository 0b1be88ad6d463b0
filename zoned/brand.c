/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "brand.h"
#include "ini-util.h"
#include "macro.h"
#include "names.h"
#include "rootfs-init.h"
#include "signal-name.h"

#define GROUP "Brand"

Brand *brand_free(Brand *b) {
        if (!b)
                return NULL;
        g_free(b->name);
        g_free(b->description);
        g_strfreev(b->init_argv);
        g_strfreev(b->environment);
        g_strfreev(b->detect_init);
        g_free(b);
        return NULL;
}

static int brand_signal(GKeyFile *f, const char *text, const char *path, const char *key, int *ret,
                        char **ret_error) {
        g_autofree char *v = g_key_file_get_string(f, GROUP, key, NULL);
        int sig;

        if (!v)
                return ini_key_error(path, text, GROUP, key, ret_error, "%s= is missing", key);
        sig = signal_from_string(v);
        if (sig < 0)
                return ini_key_error(path, text, GROUP, key, ret_error, "%s=%s is not a signal name", key,
                                     v);
        *ret = sig;
        return 0;
}

static char **split_words(const char *s) {
        g_auto(GStrv) parts = g_strsplit_set(s ? s : "", " \t", -1);
        GPtrArray *a = g_ptr_array_new();

        for (char **p = parts; *p; p++)
                if (**p)
                        g_ptr_array_add(a, g_strdup(*p));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(a, FALSE);
}

static int brand_parse_init(Brand *b, GKeyFile *f, const char *text, const char *path, char **ret_error) {
        g_autofree char *init = g_key_file_get_string(f, GROUP, "Init", NULL);
        g_autofree char *args = g_key_file_get_string(f, GROUP, "InitArguments", NULL);
        g_autofree char *env = g_key_file_get_string(f, GROUP, "Environment", NULL);
        g_auto(GStrv) argv = NULL;
        GPtrArray *a;

        if (!init || init[0] != '/')
                return ini_key_error(path, text, GROUP, "Init", ret_error, "Init= must be an absolute path");
        argv = split_words(args);
        a = g_ptr_array_new();
        g_ptr_array_add(a, g_strdup(init));
        for (char **p = argv; *p; p++)
                g_ptr_array_add(a, g_strdup(*p));
        g_ptr_array_add(a, NULL);
        b->init_argv = (char **) g_ptr_array_free(a, FALSE);

        b->environment = split_words(env);
        for (char **e = b->environment; *e; e++)
                if (!strchr(*e, '=') || **e == '=')
                        return ini_key_error(path, text, GROUP, "Environment", ret_error,
                                             "Environment= entry \"%s\" is not KEY=VALUE", *e);
        return 0;
}

static int brand_parse_misc(Brand *b, GKeyFile *f, const char *text, const char *path, char **ret_error) {
        g_autofree char *ready = g_key_file_get_string(f, GROUP, "Ready", NULL);
        g_autofree char *timeout = g_key_file_get_string(f, GROUP, "StopTimeoutSec", NULL);
        g_autofree char *detect = g_key_file_get_string(f, GROUP, "DetectInit", NULL);

        b->ready = ready ? ready_mode_from_string(ready) : READY_EXEC;
        if (b->ready < 0)
                return ini_key_error(path, text, GROUP, "Ready", ret_error,
                                     "Ready=%s is neither exec nor notify", ready);
        b->stop_timeout_usec = 30 * USEC_PER_SEC;
        if (timeout) {
                char *end;
                guint64 v = g_ascii_strtoull(timeout, &end, 10);
                if (*timeout == '\0' || *end || v == 0 || v > 3600)
                        return ini_key_error(path, text, GROUP, "StopTimeoutSec", ret_error,
                                             "StopTimeoutSec=%s is not a number of seconds in 1..3600",
                                             timeout);
                b->stop_timeout_usec = v * USEC_PER_SEC;
        }
        b->detect_init = split_words(detect);
        b->description = g_key_file_get_string(f, GROUP, "Description", NULL);
        if (!b->description)
                b->description = g_strdup("");
        return 0;
}

int brand_load(const char *path, Brand **ret, char **ret_error) {
        static const char *const keys[] = { "Description", "Init",           "InitArguments",
                                            "Environment", "PoweroffSignal", "RebootSignal",
                                            "HaltSignal",  "Ready",          "StopTimeoutSec",
                                            "DetectInit",  "Capabilities",   "DropCapabilities",
                                            NULL };
        g_autoptr(GKeyFile) f = NULL;
        g_autoptr(Brand) b = g_new0(Brand, 1);
        g_autofree char *text = NULL, *base = g_path_get_basename(path);
        int r;

        if (!g_str_has_suffix(base, ".brand")) {
                *ret_error = g_strdup_printf("%s: brand files end in .brand", path);
                return -EINVAL;
        }
        base[strlen(base) - strlen(".brand")] = 0;
        if (!zone_name_is_valid(base)) {
                *ret_error = g_strdup_printf("%s: \"%s\" is not a valid brand name", path, base);
                return -EINVAL;
        }
        b->name = g_strdup(base);

        r = ini_load(path, &f, &text, ret_error);
        if (r < 0)
                return r;
        r = ini_check_keys(f, text, path, GROUP, keys, ret_error);
        if (r < 0)
                return r;
        r = brand_parse_init(b, f, text, path, ret_error);
        if (r < 0)
                return r;
        r = brand_signal(f, text, path, "PoweroffSignal", &b->poweroff_signal, ret_error);
        if (r < 0)
                return r;
        r = brand_signal(f, text, path, "RebootSignal", &b->reboot_signal, ret_error);
        if (r < 0)
                return r;
        r = brand_signal(f, text, path, "HaltSignal", &b->halt_signal, ret_error);
        if (r < 0)
                return r;
        r = brand_parse_misc(b, f, text, path, ret_error);
        if (r < 0)
                return r;
        r = capability_change_load(f, text, path, GROUP, &b->capabilities, ret_error);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&b);
        return 0;
}

int brand_load_dir(const char *dir, GHashTable *brands, GPtrArray *ret_errors) {
        g_autoptr(GDir) d = NULL;
        g_autoptr(GError) err = NULL;
        const char *fn;

        d = g_dir_open(dir, 0, &err);
        if (!d)
                return err->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
        while ((fn = g_dir_read_name(d))) {
                g_autofree char *path = NULL, *error = NULL;
                Brand *b = NULL;

                if (!g_str_has_suffix(fn, ".brand"))
                        continue;
                path = g_build_filename(dir, fn, NULL);
                if (brand_load(path, &b, &error) < 0) {
                        g_ptr_array_add(ret_errors, g_steal_pointer(&error));
                        continue;
                }
                g_hash_table_replace(brands, b->name, b);
        }
        return 0;
}

Brand *brand_detect(GHashTable *brands, const char *rootfs, char **ret_init_name) {
        g_autofree char *name = rootfs_init_name(rootfs);
        GHashTableIter it;
        gpointer v;

        if (ret_init_name)
                *ret_init_name = g_strdup(name);
        if (!name)
                return NULL;
        g_hash_table_iter_init(&it, brands);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Brand *b = v;
                if (g_strv_contains((const char *const *) b->detect_init, name))
                        return b;
        }
        return NULL;
}

GHashTable *brand_init_table(GHashTable *brands) {
        GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        GHashTableIter it;
        gpointer v;

        /* In brand_detect()'s order: the first brand that claims a name keeps it. */
        g_hash_table_iter_init(&it, brands);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
                Brand *b = v;

                for (char **n = b->detect_init; n && *n; n++)
                        if (!g_hash_table_contains(t, *n))
                                g_hash_table_insert(t, g_strdup(*n), g_strdup(b->name));
        }
        return t;
}
