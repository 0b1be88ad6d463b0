/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "names.h"

static char *repeat(char c, size_t n) {
        char *s = g_malloc(n + 1);

        memset(s, c, n);
        s[n] = 0;
        return s;
}

static void test_valid(void) {
        static const char *const ok[] = {
                "a",   "z1",    "web",    "Web", "debian-bookworm", "my_zone",
                "a.b", "a.b.c", "9lives", "a-",  "x_y-z.0",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
                g_test_message("valid: \"%s\"", ok[i]);
                g_assert_true(zone_name_is_valid(ok[i]));
        }
}

static void test_invalid(void) {
        /* The last two are "zöne" and a snowman in UTF-8. */
        static const char *const bad[] = {
                "",    ".",   "..", ".hidden", "-opt",  "a/b",         "/",
                "a b", " a",  "a ", "a\tb",    "a\nb",  "a..b",        "../etc",
                "a:b", "a@b", "a*", "a\\b",    "$(id)", "z\xc3\xb6ne", "\xe2\x98\x83",
        };

        g_assert_false(zone_name_is_valid(NULL));
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_test_message("invalid: \"%s\"", bad[i]);
                g_assert_false(zone_name_is_valid(bad[i]));
        }
}

static void test_length(void) {
        g_autofree char *max = repeat('a', ZONE_NAME_MAX);
        g_autofree char *over = repeat('a', ZONE_NAME_MAX + 1);

        g_assert_cmpint(ZONE_NAME_MAX, ==, 64);
        g_assert_cmpuint(strlen(max), ==, 64);
        g_assert_true(zone_name_is_valid(max));
        g_assert_false(zone_name_is_valid(over));

        /* The rules for the first byte still hold at full length. */
        max[63] = '.';
        g_assert_true(zone_name_is_valid(max));
        max[0] = '-';
        g_assert_false(zone_name_is_valid(max));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/names/valid", test_valid);
        g_test_add_func("/names/invalid", test_invalid);
        g_test_add_func("/names/length", test_length);
        return g_test_run();
}
