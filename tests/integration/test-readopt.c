/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned can die (SIGKILL) without a running zone noticing, and a new zoned
 * on the same directories adopts it: same Leader, still running, and it can
 * be powered off through the new daemon, leaving nothing behind. */

#include <signal.h>

#include "harness.h"

static void import_and_boot(Harness *h, guint32 *ret_leader) {
        g_autofree char *result = NULL, *path = NULL;

        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, "z1", "bb", false);
        *ret_leader = harness_boot_zone(h, "z1");
}

static void test_sigkill(Harness *h, gconstpointer data) {
        g_autofree char *state = NULL;
        g_auto(HarnessRun) r = { 0 };
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_boot(h, &leader);

        harness_stop_zoned(h, SIGKILL);
        /* The zone did not notice. */
        g_assert_true(harness_pid_alive((pid_t) leader));

        harness_start_zoned(h);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        g_assert_cmpuint(harness_zone_leader(h, "z1"), ==, leader);

        /* The adopted zone still answers: its console and control socket were taken over. */
        harness_zonectl(h, &r, NULL, "shell", "z1", "--", "/bin/true", NULL);
        harness_assert_run(&r, 0, "zonectl shell z1 -- /bin/true after re-adoption");

        harness_poweroff_zone(h, "z1");
}

/* A clean stop of zoned (SIGTERM) leaves zones running as well. */
static void test_sigterm(Harness *h, gconstpointer data) {
        g_autofree char *state = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_boot(h, &leader);

        harness_stop_zoned(h, SIGTERM);
        g_assert_true(harness_pid_alive((pid_t) leader));
        harness_start_zoned(h);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        g_assert_cmpuint(harness_zone_leader(h, "z1"), ==, leader);
        harness_poweroff_zone(h, "z1");
}

/* The zone ends while no zoned runs: the next zoned shows it stopped. */
static void test_stopped_meanwhile(Harness *h, gconstpointer data) {
        g_autofree char *state = NULL, *leftovers = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_boot(h, &leader);

        harness_stop_zoned(h, SIGKILL);
        /* Power the zone off as its own admin would, by busybox init's signal. */
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        g_assert_no_errno(kill((pid_t) leader, SIGUSR2));
        harness_start_zoned(h);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");
                const char *settled = zone_watch_wait_settled(w, HARNESS_STOP_TIMEOUT_MS);
                /* Either the new zoned came up while the zone was still shutting
                 * down (then it adopted it and follows it to stopped), or after. */
                if (g_strcmp0(settled, "running") == 0)
                        g_assert_true(zone_watch_wait_state(w, "stopped", HARNESS_STOP_TIMEOUT_MS));
                else
                        g_assert_cmpstr(settled, ==, "stopped");
                g_assert_cmpuint(w->leader, ==, 0);
        }
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);
}

static void set_autoboot(Harness *h, const char *name) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, name), *text = NULL;
        g_autoptr(GString) edited = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "Autoboot=false"));
        edited = g_string_new(text);
        g_string_replace(edited, "Autoboot=false", "Autoboot=true", 1);
        g_assert_true(g_file_set_contents(path, edited->str, -1, NULL));
}

/* Autoboot=true brings a zone up when zoned starts after a host boot, and
 * only then: a restart of zoned in the same host boot leaves it alone. */
static void test_autoboot(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *path = NULL, *state = NULL, *marker = NULL;
        GVariant *autoboot;

        if (harness_skipped(h))
                return;
        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, "z1", "bb", false);

        harness_stop_zoned(h, SIGTERM);
        set_autoboot(h, "z1");
        harness_start_zoned(h);
        autoboot = harness_zone_property(h, "z1", "Autoboot");
        g_assert_true(g_variant_get_boolean(autoboot));
        g_variant_unref(autoboot);
        /* Same host boot as the first start of zoned: no autoboot. */
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");

        /* A host reboot empties the runtime dir, and with it the marker. */
        harness_stop_zoned(h, SIGTERM);
        marker = g_build_filename(h->runtime_dir, "autoboot-boot-id", NULL);
        g_assert_no_errno(unlink(marker));
        harness_start_zoned(h);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");
                g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
                g_assert_cmpuint(w->leader, !=, 0);
        }
        g_assert_true(g_file_test(marker, G_FILE_TEST_EXISTS));
        harness_poweroff_zone(h, "z1");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/readopt/sigkill", test_sigkill, HARNESS_ZONECTL);
        HARNESS_TEST("/readopt/sigterm", test_sigterm, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/stopped-meanwhile", test_stopped_meanwhile, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/autoboot", test_autoboot, HARNESS_DEFAULT);
        return g_test_run();
}
