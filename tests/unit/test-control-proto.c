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

static void test_get_all(void) {
        const char *m = "COMMAND=ports\nPORT=tcp:8080:80\nPORTS=x\nPORT=udp:53\nADDRESS=fd42::5/64\nPORT=";
        _cleanup_strv_free_ char **l = NULL;

        /* Every line of the key, in order, the last one without its newline; none is NULL. */
        g_assert_cmpint(control_message_get_all(m, strlen(m), "PORT", &l), ==, 0);
        g_assert_cmpuint(strv_length(l), ==, 3);
        g_assert_cmpstr(l[0], ==, "tcp:8080:80");
        g_assert_cmpstr(l[1], ==, "udp:53");
        g_assert_cmpstr(l[2], ==, "");
        l = strv_free(l);
        g_assert_cmpint(control_message_get_all(m, strlen(m), "LIMIT", &l), ==, 0);
        g_assert_null(l);
        /* Only the given length counts. */
        g_assert_cmpint(control_message_get_all(m, strlen("COMMAND=ports\nPORT=tcp:80"), "PORT", &l), ==, 0);
        g_assert_cmpuint(strv_length(l), ==, 1);
        g_assert_cmpstr(l[0], ==, "tcp:80");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/control-proto/snapshot", test_snapshot);
        g_test_add_func("/control-proto/prefixes-and-edges", test_prefixes_and_edges);
        g_test_add_func("/control-proto/length", test_length_is_respected);
        g_test_add_func("/control-proto/first-wins", test_first_wins);
        g_test_add_func("/control-proto/get-all", test_get_all);
        return g_test_run();
}
