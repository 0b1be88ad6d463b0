/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>

#include "zone-state.h"

/* The strings are part of the D-Bus contract (the Zone.State property). */
static const char *const expected[] = {
        [ZONE_CREATING] = "creating", [ZONE_STOPPED] = "stopped",   [ZONE_STARTING] = "starting",
        [ZONE_RUNNING] = "running",   [ZONE_STOPPING] = "stopping", [ZONE_FAILED] = "failed",
};

static void test_table(void) {
        g_assert_cmpuint(G_N_ELEMENTS(expected), ==, _ZONE_STATE_MAX);

        for (int i = 0; i < _ZONE_STATE_MAX; i++) {
                const char *s = zone_state_to_string((ZoneState) i);

                g_assert_nonnull(s);
                g_assert_cmpstr(s, ==, expected[i]);
                g_assert_cmpint(zone_state_from_string(s), ==, i);
                for (int j = 0; j < i; j++)
                        g_assert_cmpstr(zone_state_to_string((ZoneState) j), !=, s);
        }
}

static void test_invalid(void) {
        static const char *const bad[] = {
                "", "Running", "RUNNING", "run", "running ", " stopped", "unknown"
        };

        g_assert_null(zone_state_to_string(_ZONE_STATE_MAX));
        g_assert_null(zone_state_to_string(_ZONE_STATE_INVALID));
        g_assert_null(zone_state_to_string((ZoneState) -1));
        g_assert_null(zone_state_to_string((ZoneState) 1000));

        g_assert_cmpint(zone_state_from_string(NULL), ==, _ZONE_STATE_INVALID);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(zone_state_from_string(bad[i]), ==, _ZONE_STATE_INVALID);
        g_assert_cmpint(_ZONE_STATE_INVALID, ==, -EINVAL);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/zone-state/table", test_table);
        g_test_add_func("/zone-state/invalid", test_invalid);
        return g_test_run();
}
