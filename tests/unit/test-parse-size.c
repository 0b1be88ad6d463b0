/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <glib.h>
#include <stdint.h>

#include "limit-table.h"

static uint64_t size_of(const char *s) {
        uint64_t v = 0;

        g_assert_cmpint(parse_size(s, 1024, &v), ==, 0);
        return v;
}

static void test_good(void) {
        g_assert_cmpuint(size_of("0"), ==, 0);
        g_assert_cmpuint(size_of("4096"), ==, 4096);
        g_assert_cmpuint(size_of("4096B"), ==, 4096);
        g_assert_cmpuint(size_of("1K"), ==, 1024);
        g_assert_cmpuint(size_of("512M"), ==, 512ULL << 20);
        g_assert_cmpuint(size_of("2G"), ==, 2ULL << 30);
        g_assert_cmpuint(size_of("1.5G"), ==, 3ULL << 29);
        g_assert_cmpuint(size_of("0.125G"), ==, 128ULL << 20);
        g_assert_cmpuint(size_of("1.5T"), ==, 3ULL << 39);
        g_assert_cmpuint(size_of("1.5P"), ==, 3ULL << 49);
        g_assert_cmpuint(size_of("15E"), ==, 15ULL << 60);
        g_assert_cmpuint(size_of("15.5E"), ==, 31ULL << 59);
        g_assert_cmpuint(size_of("18446744073709551615"), ==, UINT64_MAX);
}

static void test_bad(void) {
        static const char *const bad[] = { "",     "G",  "-1",   "1.G",  ".5G",  "1g",   "1 G",
                                           "1GiB", "1X", "1GB ", "0x10", "lots", "512MB" };
        uint64_t v;

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(parse_size(bad[i], 1024, &v), ==, -EINVAL);
        g_assert_cmpint(parse_size(NULL, 1024, &v), ==, -EINVAL);
        g_assert_cmpint(parse_size("16E", 1024, &v), ==, -ERANGE);
        g_assert_cmpint(parse_size("18446744073709551616", 1024, &v), ==, -ERANGE);
        g_assert_cmpint(parse_size("16.5E", 1024, &v), ==, -ERANGE);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/parse-size/good", test_good);
        g_test_add_func("/parse-size/bad", test_bad);
        return g_test_run();
}
