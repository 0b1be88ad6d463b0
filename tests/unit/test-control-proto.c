/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* macro.h first: glib.h then replaces its MIN/MAX with equivalent ones instead of clashing. */
#include "macro.h"

#include <glib.h>

#include "control-proto.h"

static void assert_get(const char *msg, size_t len, const char *key, const char *expected) {
        _cleanup_free_ char *v = NULL;
        int r = control_message_get(msg, len, key, &v);

        if (!expected) {
                g_assert_cmpint(r, ==, -ENOENT);
                g_assert_null(v);
                return;
        }
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpstr(v, ==, expected);
}

static void test_snapshot(void) {
        const char *m =
                "STATE=running\nLEADER=4242\nSUPERVISOR=4241\nSINCE=1700000000000000\nSTATUS=Ready.\n";
        size_t n = strlen(m);

        assert_get(m, n, "STATE", "running");
        assert_get(m, n, "LEADER", "4242");
        assert_get(m, n, "SUPERVISOR", "4241");
        assert_get(m, n, "SINCE", "1700000000000000");
        assert_get(m, n, "STATUS", "Ready.");
        assert_get(m, n, "RESULT", NULL);
}

static void test_prefixes_and_edges(void) {
        /* A key is matched whole: "STAT" is not "STATE", and "STATE" is not "STATUS". */
        const char *m = "STATUS=x=y\nSTATE=stopped\nEMPTY=\nLAST=no newline";
        size_t n = strlen(m);

        assert_get(m, n, "STAT", NULL);
        assert_get(m, n, "STATE", "stopped");
        assert_get(m, n, "STATUS", "x=y");
        assert_get(m, n, "EMPTY", "");
        assert_get(m, n, "LAST", "no newline");
        assert_get(m, n, "", NULL);
        assert_get("", 0, "STATE", NULL);
}

static void test_length_is_respected(void) {
        /* Packets are not NUL-terminated: nothing past len is read. */
        const char m[] = "COMMAND=poweroff\nWHOM=all";
        size_t cut = strlen("COMMAND=poweroff\n");

        assert_get(m, cut, "COMMAND", "poweroff");
        assert_get(m, cut, "WHOM", NULL);
        assert_get(m, cut - 4, "COMMAND", "power");
}

static void test_first_wins(void) {
        const char *m = "RESULT=0\nRESULT=-5\n";

        assert_get(m, strlen(m), "RESULT", "0");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/control-proto/snapshot", test_snapshot);
        g_test_add_func("/control-proto/prefixes-and-edges", test_prefixes_and_edges);
        g_test_add_func("/control-proto/length", test_length_is_respected);
        g_test_add_func("/control-proto/first-wins", test_first_wins);
        return g_test_run();
}
