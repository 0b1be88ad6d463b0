/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "format-util.h"
#include "macro.h"

static void test_format_bytes(void) {
        static const struct {
                uint64_t in;
                const char *out;
        } cases[] = {
                { 0, "0B" },
                { 1023, "1023B" },
                { 1024, "1K" },
                { 1536, "1.5K" },
                { 1024 * 1024 - 1, "1023K" },
                { 99 * 1024 + 1023, "99.9K" },
                { 5ULL * 1024 * 1024 * 1024 + 300ULL * 1024 * 1024, "5.2G" },
                { 150ULL * 1024 * 1024, "150M" },
                { UINT64_MAX, "15.9E" },
        };
        char buf[FORMAT_BYTES_MAX];

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
                g_assert_cmpstr(format_bytes(buf, cases[i].in), ==, cases[i].out);
}

static void test_parse_timeout(void) {
        uint64_t u;

        g_assert_cmpint(parse_timeout_sec("12", &u), ==, 0);
        g_assert_cmpuint(u, ==, 12 * USEC_PER_SEC);
        g_assert_cmpint(parse_timeout_sec("1.5", &u), ==, 0);
        g_assert_cmpuint(u, ==, 1500 * USEC_PER_MSEC);
        g_assert_cmpint(parse_timeout_sec("0.000001", &u), ==, 0);
        g_assert_cmpuint(u, ==, 1);
        g_assert_cmpint(parse_timeout_sec("infinity", &u), ==, 0);
        g_assert_cmpuint(u, ==, USEC_INFINITY);
        g_assert_cmpint(parse_timeout_sec("0", &u), ==, 0);
        g_assert_cmpuint(u, ==, USEC_INFINITY);
        g_assert_cmpint(parse_timeout_sec("", &u), ==, -EINVAL);
        g_assert_cmpint(parse_timeout_sec("-1", &u), ==, -EINVAL);
        g_assert_cmpint(parse_timeout_sec("5s", &u), ==, -EINVAL);
        g_assert_cmpint(parse_timeout_sec("1.", &u), ==, -EINVAL);
        g_assert_cmpint(parse_timeout_sec("99999999999999999999", &u), ==, -ERANGE);
}

static void test_utf8_width(void) {
        g_assert_cmpuint(utf8_width(""), ==, 0);
        g_assert_cmpuint(utf8_width("abc"), ==, 3);
        g_assert_cmpuint(utf8_width("z\xc3\xb6ne"), ==, 4);
        g_assert_cmpuint(utf8_width("\xe2\x80\xa6"), ==, 1);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/zonectl/format-bytes", test_format_bytes);
        g_test_add_func("/zonectl/parse-timeout", test_parse_timeout);
        g_test_add_func("/zonectl/utf8-width", test_utf8_width);
        return g_test_run();
}
