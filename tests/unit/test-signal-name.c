/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <glib.h>
#include <signal.h>

#include "signal-name.h"

static void test_names(void) {
        g_assert_cmpint(signal_from_string("SIGUSR2"), ==, SIGUSR2);
        g_assert_cmpint(signal_from_string("USR2"), ==, SIGUSR2);
        g_assert_cmpint(signal_from_string("SIGUSR1"), ==, SIGUSR1);
        g_assert_cmpint(signal_from_string("SIGTERM"), ==, SIGTERM);
        g_assert_cmpint(signal_from_string("TERM"), ==, SIGTERM);
        g_assert_cmpint(signal_from_string("SIGINT"), ==, SIGINT);
        g_assert_cmpint(signal_from_string("SIGPWR"), ==, SIGPWR);
        g_assert_cmpint(signal_from_string("SIGKILL"), ==, SIGKILL);
        g_assert_cmpint(signal_from_string("HUP"), ==, SIGHUP);
}

static void test_realtime(void) {
        /* systemd's poweroff and halt signals */
        g_assert_cmpint(signal_from_string("SIGRTMIN+4"), ==, SIGRTMIN + 4);
        g_assert_cmpint(signal_from_string("RTMIN+4"), ==, SIGRTMIN + 4);
        g_assert_cmpint(signal_from_string("SIGRTMIN+3"), ==, SIGRTMIN + 3);
        g_assert_cmpint(signal_from_string("SIGRTMIN"), ==, SIGRTMIN);
        g_assert_cmpint(signal_from_string("SIGRTMIN+0"), ==, SIGRTMIN);
        g_assert_cmpint(signal_from_string("SIGRTMAX"), ==, SIGRTMAX);
        g_assert_cmpint(signal_from_string("SIGRTMAX-1"), ==, SIGRTMAX - 1);
        g_assert_cmpint(signal_from_string("RTMAX-2"), ==, SIGRTMAX - 2);
}

static void test_numbers(void) {
        g_assert_cmpint(signal_from_string("15"), ==, 15);
        g_assert_cmpint(signal_from_string("1"), ==, 1);
        g_assert_cmpint(signal_from_string("9"), ==, SIGKILL);
}

static void test_bad(void) {
        char max1[16], rt_over[16], rt_under[16];
        const char *bad[] = {
                "",           "SIG",       "FOO",        "SIGFOO",      "SIGSIGTERM", "SIGUSR",
                "USR2x",      "SIGUSR2 ",  " SIGUSR2",   "0",           "-1",         "-15",
                "+15",        "15x",       "1.5",        "99999999999", "SIGRTMIN+",  "SIGRTMIN-1",
                "SIGRTMIN+x", "SIGRTMIN4", "SIGRTMAX+1", "SIGRTMAX-",   "RTMIN+-1",   max1,
                rt_over,      rt_under,
        };

        g_snprintf(max1, sizeof(max1), "%i", SIGRTMAX + 1);
        g_snprintf(rt_over, sizeof(rt_over), "SIGRTMIN+%i", SIGRTMAX - SIGRTMIN + 1);
        g_snprintf(rt_under, sizeof(rt_under), "SIGRTMAX-%i", SIGRTMAX - SIGRTMIN + 1);

        g_assert_cmpint(signal_from_string(NULL), ==, -EINVAL);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_test_message("bad: \"%s\"", bad[i]);
                g_assert_cmpint(signal_from_string(bad[i]), ==, -EINVAL);
        }
}

static void test_to_string(void) {
        char buf[16];

        g_assert_cmpstr(signal_to_string(SIGUSR2, buf), ==, "SIGUSR2");
        g_assert_cmpstr(signal_to_string(SIGTERM, buf), ==, "SIGTERM");
        g_assert_cmpstr(signal_to_string(SIGRTMIN, buf), ==, "SIGRTMIN+0");
        g_assert_cmpstr(signal_to_string(SIGRTMIN + 4, buf), ==, "SIGRTMIN+4");
        g_assert_true(signal_to_string(SIGINT, buf) == buf);
}

static void test_round_trip(void) {
        for (int sig = 1; sig <= SIGRTMAX; sig++) {
                char buf[16];
                const char *s = signal_to_string(sig, buf);

                g_test_message("%i → %s", sig, s);
                g_assert_nonnull(s);
                g_assert_cmpint(signal_from_string(s), ==, sig);
                /* The short form without "SIG" names the same signal. */
                if (g_str_has_prefix(s, "SIG"))
                        g_assert_cmpint(signal_from_string(s + 3), ==, sig);
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/signal-name/names", test_names);
        g_test_add_func("/signal-name/realtime", test_realtime);
        g_test_add_func("/signal-name/numbers", test_numbers);
        g_test_add_func("/signal-name/bad", test_bad);
        g_test_add_func("/signal-name/to-string", test_to_string);
        g_test_add_func("/signal-name/round-trip", test_round_trip);
        return g_test_run();
}
