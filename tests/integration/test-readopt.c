/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zoned can die (SIGKILL) without a running zone noticing, and a new zoned
 * on the same directories adopts it: same Leader, still running, and it can
 * be powered off through the new daemon, leaving nothing behind. */

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static void import_and_boot(Harness *h, guint32 *ret_leader) {
        g_autofree char *path = NULL;

        harness_import_busybox(h);
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

static bool zone_autoboot(Harness *h, const char *name) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, "Autoboot");

        return g_variant_get_boolean(v);
}

static void on_autoboot_changed(GDBusConnection *bus, const char *sender, const char *path,
                                const char *iface, const char *signal, GVariant *params, gpointer data) {
        g_autoptr(GVariant) changed = g_variant_get_child_value(params, 1);
        gboolean value;

        if (g_variant_lookup(changed, "Autoboot", "b", &value))
                g_ptr_array_add(data, g_strdup(value ? "true" : "false"));
}

/* A host reboot empties the runtime dir, and with it the marker of the last autoboot: zoned's
 * next start is the first of a host boot. */
static void restart_as_after_host_boot(Harness *h) {
        g_autofree char *marker = g_build_filename(h->runtime_dir, "autoboot-boot-id", NULL);

        harness_stop_zoned(h, SIGTERM);
        g_assert_no_errno(unlink(marker));
        harness_start_zoned(h);
}

/* zonectl enable/disable (SetZoneAutoboot, Zone.SetAutoboot): live, announced, kept in the file,
 * booting and stopping nothing now; the next start of zoned after a host boot boots an enabled
 * zone and leaves a disabled one. A zone that does not exist, or a bad name, changes nothing. */
static void test_enable(Harness *h, gconstpointer data) {
        g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *path = NULL, *file = NULL, *text = NULL, *state = NULL;
        g_auto(HarnessRun) missing = { 0 }, bad = { 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint sub;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        file = g_strdup_printf("%s/z1.zone", h->config_dir);
        sub = g_dbus_connection_signal_subscribe(h->conn, NULL, "org.freedesktop.DBus.Properties",
                                                 "PropertiesChanged", path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                 on_autoboot_changed, seen, NULL);
        harness_zonectl_ok(h, NULL, "zonectl enable", "enable", "z1", NULL);
        g_assert_true(zone_autoboot(h, "z1"));
        g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "Autoboot=true\n"));
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");
        /* The same through the zone object, and idempotent: no second announcement. */
        reply = harness_call(h, path, "org.zoned1.Zone", "SetAutoboot", g_variant_new("(b)", TRUE), "()",
                             &error);
        g_assert_no_error(error);
        harness_flush(h);
        g_assert_cmpuint(seen->len, ==, 1);
        g_assert_cmpstr(seen->pdata[0], ==, "true");

        harness_zonectl(h, &missing, NULL, "enable", "nope", NULL);
        g_assert_cmpint(missing.status, !=, 0);
        g_assert_nonnull(strstr(missing.err, "does not exist"));
        harness_zonectl(h, &bad, NULL, "disable", "../z1", NULL);
        g_assert_cmpint(bad.status, !=, 0);
        g_assert_nonnull(strstr(bad.err, "not a valid zone name"));
        g_assert_true(zone_autoboot(h, "z1"));

        restart_as_after_host_boot(h);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");
                g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
        }
        /* Disabled while it runs: it keeps running. */
        harness_zonectl_ok(h, NULL, "zonectl disable", "disable", "z1", NULL);
        g_clear_pointer(&state, g_free);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        g_assert_false(zone_autoboot(h, "z1"));
        harness_poweroff_zone(h, "z1");
        restart_as_after_host_boot(h);
        g_clear_pointer(&state, g_free);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");
        g_clear_pointer(&text, g_free);
        g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "Autoboot=false\n"));
        g_dbus_connection_signal_unsubscribe(h->conn, sub);
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
        g_autofree char *path = NULL, *state = NULL, *marker = NULL;
        GVariant *autoboot;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
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

static void continue_process(gpointer pid) {
        (void) kill(GPOINTER_TO_INT(pid), SIGCONT);
}

/* A supervisor that is slow to answer (here: stopped) while zoned starts is neither given up on
 * nor robbed of its runtime directory: zoned serves its other calls meanwhile, keeps the zone out
 * of a second boot, and adopts it once it answers. */
static void test_slow_supervisor(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *control = NULL, *state = NULL, *leftovers = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint32 leader;
        pid_t supervisor;

        if (harness_skipped(h))
                return;
        import_and_boot(h, &leader);
        path = harness_create_zone(h, "z2", "bb", false);
        supervisor = harness_parent_of((pid_t) leader);
        control = g_build_filename(h->runtime_dir, "zones", "z1", "control", NULL);
        g_assert_true(g_file_test(control, G_FILE_TEST_EXISTS));

        harness_stop_zoned(h, SIGKILL);
        g_assert_no_errno(kill(supervisor, SIGSTOP));
        g_test_queue_destroy(continue_process, GINT_TO_POINTER(supervisor));
        harness_start_zoned(h);

        /* zoned answers while z1's supervisor does not. */
        reply = harness_manager_call(h, "ListZones", NULL, "(a(sssso))", &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        state = harness_zone_state(h, "z2");
        g_assert_cmpstr(state, ==, "stopped");
        g_clear_pointer(&state, g_free);
        /* Long past any answer a live supervisor would have given, its runtime dir is still there. */
        g_usleep(7 * G_USEC_PER_SEC);
        reply = harness_manager_call(h, "GetZone", g_variant_new("(s)", "z2"), "(o)", &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        g_assert_true(g_file_test(control, G_FILE_TEST_EXISTS));
        g_assert_true(harness_pid_alive(supervisor));
        /* Not stopped, so not booted a second time beside its live supervisor. */
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, !=, "stopped");
        g_assert_cmpstr(state, !=, "failed");
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "z1"), "()", &error);
        g_assert_null(reply);
        harness_assert_dbus_error(error, "org.zoned1.Error.AlreadyRunning");
        g_clear_error(&error);

        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");
                g_assert_no_errno(kill(supervisor, SIGCONT));
                g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
                g_assert_cmpuint(w->leader, ==, leader);
        }
        harness_poweroff_zone(h, "z1");
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);
}

/* What a zone's supervisor leaves when it is killed (SIGKILL) goes as soon as zoned sees it die:
 * the zone's processes, its cgroups in every hierarchy, its runtime dir. */
static void supervisor_killed(Harness *h, bool private_users) {
        g_autofree char *rt = NULL, *leftovers = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;
        guint32 leader;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&options, "{sv}", "PrivateUsers", g_variant_new_boolean(private_users));
        reply = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "z1", "bb", &options),
                                     "(o)", &error);
        g_assert_no_error(error);
        leader = harness_boot_zone(h, "z1");
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        rt = g_build_filename(h->runtime_dir, "zones", "z1", NULL);
        g_assert_true(g_file_test(rt, G_FILE_TEST_IS_DIR));

        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");
                g_assert_no_errno(kill(harness_parent_of((pid_t) leader), SIGKILL));
                g_assert_true(zone_watch_wait_state(w, "failed", HARNESS_STOP_TIMEOUT_MS));
                g_assert_cmpuint(w->leader, ==, 0);
        }
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);
        g_assert_false(g_file_test(rt, G_FILE_TEST_EXISTS));

        /* And the zone boots again. */
        leader = harness_boot_zone(h, "z1");
        harness_poweroff_zone(h, "z1");
}

static void test_supervisor_killed(Harness *h, gconstpointer data) {
        supervisor_killed(h, true);
}

static void test_supervisor_killed_host_users(Harness *h, gconstpointer data) {
        supervisor_killed(h, false);
}

/* The supervisor is killed while no zoned runs: the next zoned finds it gone and removes what it
 * left before it shows the zone failed. */
static void test_supervisor_killed_meanwhile(Harness *h, gconstpointer data) {
        g_autofree char *rt = NULL, *leftovers = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_boot(h, &leader);
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        rt = g_build_filename(h->runtime_dir, "zones", "z1", NULL);

        harness_stop_zoned(h, SIGKILL);
        g_assert_no_errno(kill(harness_parent_of((pid_t) leader), SIGKILL));
        harness_reap_orphans();
        harness_start_zoned(h);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");
                g_assert_cmpstr(zone_watch_wait_settled(w, HARNESS_STOP_TIMEOUT_MS), ==, "failed");
                g_assert_cmpuint(w->leader, ==, 0);
        }
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);
        g_assert_false(g_file_test(rt, G_FILE_TEST_EXISTS));
}

/* A template with many files, so that copying it takes a while. */
static char *import_big_template(Harness *h) {
        g_autofree char *rootfs = g_build_filename(h->tmpdir, "big", NULL), *result = NULL;
        g_auto(HarnessRun) copy = { 0 };

        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  rootfs, NULL } },
                &copy);
        harness_assert_run(&copy, 0, "cp -a the busybox rootfs");
        for (int d = 0; d < 40; d++) {
                g_autofree char *dir = g_strdup_printf("%s/many/%02d", rootfs, d);
                g_assert_no_errno(g_mkdir_with_parents(dir, 0755));
                for (int f = 0; f < 1000; f++) {
                        g_autofree char *file = g_strdup_printf("%s/%04d", dir, f);
                        harness_write_file(file, "a file of a big tree\n", 0644);
                }
        }
        result = harness_import_fs(h, rootfs, "big", "busybox");
        g_assert_cmpstr(result, ==, "done");
        return g_steal_pointer(&rootfs);
}

static void assert_incomplete(Harness *h, const char *name) {
        g_autoptr(GError) error = NULL;
        int p[2];
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *state = harness_zone_state(h, name);

        g_assert_cmpstr(state, ==, "failed");
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", name), "()", &error);
        g_assert_null(reply);
        harness_assert_dbus_error(error, "org.zoned1.Error.ZoneIncomplete");
        g_clear_error(&error);
        /* Nor is what the copy left exported as if it were the zone's tree. */
        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        reply = harness_manager_call_passing_fd(
                h, "ExportZoneTar", g_variant_new("(sha{sv})", name, 0, NULL), p[1], "(uo)", &error);
        close(p[0]);
        close(p[1]);
        g_assert_null(reply);
        harness_assert_dbus_error(error, "org.zoned1.Error.ZoneIncomplete");
        g_clear_pointer(&state, g_free);
        state = harness_zone_state(h, name);
        g_assert_cmpstr(state, ==, "failed");
}

static void on_create_reply(GObject *source, GAsyncResult *res, gpointer data) {
        g_autoptr(GVariant) v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, NULL);
}

static bool copy_started(gpointer data) {
        return g_file_test(data, G_FILE_TEST_IS_DIR);
}

/* zoned killed while it copies a template for a new zone: the zone stays failed, across restarts,
 * until it is removed; it never boots on what the copy left. */
static void test_interrupted_copy(Harness *h, gconstpointer data) {
        g_autofree char *template_dir = NULL, *partial = NULL, *rootfs = NULL, *cfg = NULL, *st = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;

        if (harness_skipped(h))
                return;
        template_dir = import_big_template(h);
        st = g_build_filename(h->state_dir, "big1", NULL);
        partial = g_build_filename(st, "rootfs.partial", NULL);
        rootfs = g_build_filename(st, "rootfs", NULL);
        cfg = g_build_filename(h->config_dir, "big1.zone", NULL);

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&options, "{sv}", "copy", g_variant_new_boolean(TRUE));
        g_dbus_connection_call(h->conn, harness_destination(h), ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE,
                               "CreateZone", g_variant_new("(ssa{sv})", "big1", "big", &options), NULL,
                               G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, on_create_reply, NULL);
        g_assert_true(harness_wait(copy_started, partial, HARNESS_TRANSFER_TIMEOUT_MS));
        harness_stop_zoned(h, SIGKILL);
        if (g_file_test(rootfs, G_FILE_TEST_EXISTS)) {
                g_test_skip("the copy was done before zoned could be killed");
                return;
        }

        harness_start_zoned(h);
        assert_incomplete(h, "big1");
        /* Still so after another restart, and after the refused boot. */
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
        assert_incomplete(h, "big1");
        g_assert_false(g_file_test(rootfs, G_FILE_TEST_EXISTS));

        reply = harness_manager_call(h, "RemoveZone", g_variant_new("(s)", "big1"), "()", &error);
        g_assert_no_error(error);
        g_assert_false(g_file_test(cfg, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(st, G_FILE_TEST_EXISTS));
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/readopt/sigkill", test_sigkill, HARNESS_ZONECTL);
        HARNESS_TEST("/readopt/sigterm", test_sigterm, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/stopped-meanwhile", test_stopped_meanwhile, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/autoboot", test_autoboot, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/enable", test_enable, HARNESS_ZONECTL);
        HARNESS_TEST("/readopt/slow-supervisor", test_slow_supervisor, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/supervisor-killed", test_supervisor_killed, HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/supervisor-killed-host-users", test_supervisor_killed_host_users,
                     HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/supervisor-killed-meanwhile", test_supervisor_killed_meanwhile,
                     HARNESS_DEFAULT);
        HARNESS_TEST("/readopt/interrupted-copy", test_interrupted_copy, HARNESS_DEFAULT);
        return g_test_run();
}
