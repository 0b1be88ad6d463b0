/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zonectl from the build tree, run as a script would run it: no terminal,
 * output on pipes, the bus address in the environment. */

#include <stdarg.h>

#include "harness-internal.h"

void harness_zonectl_full(Harness *h, HarnessRun *ret, const HarnessSpawn *s) {
        g_autoptr(GStrvBuilder) argv = g_strv_builder_new(), env = g_strv_builder_new();
        g_auto(GStrv) argv_v = NULL, env_v = NULL;
        HarnessSpawn spawn = *s;

        g_strv_builder_add(argv, g_getenv("ZONED_TEST_ZONECTL"));
        g_strv_builder_addv(argv, (const char **) s->argv);
        /* Only what the test asks for may point zonectl at zoned. */
        harness_env_add(env, "ZONED_RUNTIME_DIR", NULL);
        harness_env_add(env, "ZONED_ADDRESS", NULL);
        harness_env_add(env, "DBUS_SESSION_BUS_ADDRESS", NULL);
        harness_env_add(env, "TERM", NULL);
        harness_env_add(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address);
        if (s->env_set)
                g_strv_builder_addv(env, (const char **) s->env_set);
        argv_v = g_strv_builder_end(argv);
        env_v = g_strv_builder_end(env);
        spawn.argv = (const char *const *) argv_v;
        spawn.env_set = (const char *const *) env_v;
        harness_run(&spawn, ret);
}

static char **collect_args(va_list ap) {
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        const char *a;

        while ((a = va_arg(ap, const char *)))
                g_strv_builder_add(b, a);
        return g_strv_builder_end(b);
}

void harness_zonectl(Harness *h, HarnessRun *ret, const char *stdin_data, ...) {
        g_auto(GStrv) args = NULL;
        va_list ap;

        va_start(ap, stdin_data);
        args = collect_args(ap);
        va_end(ap);
        harness_zonectl_full(
                h, ret, &(HarnessSpawn) { .argv = (const char *const *) args, .stdin_data = stdin_data });
}

void harness_zonectl_ok(Harness *h, const char *stdin_data, const char *what, ...) {
        g_auto(GStrv) args = NULL;
        g_auto(HarnessRun) r = { 0 };
        va_list ap;

        va_start(ap, what);
        args = collect_args(ap);
        va_end(ap);
        harness_zonectl_full(
                h, &r, &(HarnessSpawn) { .argv = (const char *const *) args, .stdin_data = stdin_data });
        harness_assert_run(&r, 0, what);
}

/* True if a line of a zonectl table starts with these words. */
bool harness_table_has_row(const char *out, const char *const *words) {
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);

        for (char **l = lines; *l; l++) {
                g_auto(GStrv) cols = g_strsplit_set(g_strstrip(*l), " \t", -1);
                g_autoptr(GPtrArray) nonempty = g_ptr_array_new();
                guint i = 0;

                for (char **c = cols; *c; c++)
                        if (**c)
                                g_ptr_array_add(nonempty, *c);
                for (; words[i] && i < nonempty->len; i++)
                        if (!g_str_equal(words[i], nonempty->pdata[i]))
                                break;
                if (!words[i])
                        return true;
        }
        return false;
}

char *harness_zone_sh_status(Harness *h, const char *name, const char *script, int *ret_status) {
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/sh", "-c", script, NULL);
        *ret_status = r.status;
        return g_strconcat(r.out, r.err, NULL);
}

char *harness_zone_sh(Harness *h, const char *name, const char *script) {
        int status;
        g_autofree char *out = harness_zone_sh_status(h, name, script, &status);

        if (status != 0)
                g_error("in zone %s: sh -c '%s': exit %d\n%s", name, script, status, out);
        return g_strdup(g_strstrip(out));
}
