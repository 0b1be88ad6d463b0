/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ctrl+] three times within a second detaches; anything else in between,
 * or a slow third press, does not. */

#include <glib.h>

#include "pty-forward.h"

#define E "\x1d"
#define SEC 1000000ULL

static void test_three_in_one_read(void) {
        EscapeState s = {};
        g_assert_true(pty_forward_escape_seen(&s, E E E, 3, 10 * SEC));
}

static void test_spread_over_reads(void) {
        EscapeState s = {};
        g_assert_false(pty_forward_escape_seen(&s, E, 1, 10 * SEC));
        g_assert_false(pty_forward_escape_seen(&s, E, 1, 10 * SEC + 300000));
        g_assert_true(pty_forward_escape_seen(&s, E, 1, 10 * SEC + 600000));
}

static void test_other_key_resets(void) {
        EscapeState s = {};
        g_assert_false(pty_forward_escape_seen(&s, E E "x" E, 4, 10 * SEC));
        g_assert_false(pty_forward_escape_seen(&s, E, 1, 10 * SEC));
        g_assert_true(pty_forward_escape_seen(&s, E, 1, 10 * SEC));
}

static void test_too_slow(void) {
        EscapeState s = {};
        g_assert_false(pty_forward_escape_seen(&s, E E, 2, 10 * SEC));
        /* The third press comes 1.5 s after the first: it starts a new count. */
        g_assert_false(pty_forward_escape_seen(&s, E, 1, 11 * SEC + 500000));
        g_assert_false(pty_forward_escape_seen(&s, E, 1, 11 * SEC + 600000));
        g_assert_true(pty_forward_escape_seen(&s, E, 1, 11 * SEC + 700000));
}

static void test_plain_text(void) {
        EscapeState s = {};
        const char *t = "ls -l /\r";
        g_assert_false(pty_forward_escape_seen(&s, t, strlen(t), 10 * SEC));
        g_assert_cmpuint(s.count, ==, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/pty-escape/three-in-one-read", test_three_in_one_read);
        g_test_add_func("/pty-escape/spread-over-reads", test_spread_over_reads);
        g_test_add_func("/pty-escape/other-key-resets", test_other_key_resets);
        g_test_add_func("/pty-escape/too-slow", test_too_slow);
        g_test_add_func("/pty-escape/plain-text", test_plain_text);
        return g_test_run();
}
