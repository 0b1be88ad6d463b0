/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The user story through D-Bus alone, as a GUI would live it: one
 * GetManagedObjects, then signals (ZoneNew, PropertiesChanged, ZoneRemoved)
 * and never a poll. */

#include <signal.h>

#include "harness.h"

static void import_bb(Harness *h) {
        g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        int i;

        g_assert_cmpstr(result, ==, "done");
        /* The transfer was announced before it was removed. */
        i = harness_find_event(h, "TransferNew ");
        g_assert_cmpint(i, >=, 0);
        g_assert_cmpint(i, <, harness_find_event(h, "TransferRemoved "));
}

/* GetManagedObjects on /org/zoned1 returns the zone with its properties. */
static void assert_managed_object(Harness *h, const char *path, const char *name, const char *state) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, objects = NULL, ifaces = NULL, props = NULL;
        const char *s = NULL;
        guint32 leader = 1;

        reply = harness_call(h, ZONED_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                             "GetManagedObjects", NULL, "(a{oa{sa{sv}}})", &error);
        g_assert_no_error(error);
        objects = g_variant_get_child_value(reply, 0);
        ifaces = g_variant_lookup_value(objects, path, G_VARIANT_TYPE("a{sa{sv}}"));
        if (!ifaces)
                g_error("GetManagedObjects has no %s: %s", path, g_variant_print(objects, FALSE));
        props = g_variant_lookup_value(ifaces, ZONED_ZONE_IFACE, G_VARIANT_TYPE("a{sv}"));
        g_assert_nonnull(props);
        g_assert_true(g_variant_lookup(props, "Name", "&s", &s));
        g_assert_cmpstr(s, ==, name);
        g_assert_true(g_variant_lookup(props, "State", "&s", &s));
        g_assert_cmpstr(s, ==, state);
        g_assert_true(g_variant_lookup(props, "Brand", "&s", &s));
        g_assert_cmpstr(s, ==, "busybox");
        g_assert_true(g_variant_lookup(props, "Template", "&s", &s));
        g_assert_cmpstr(s, ==, "bb");
        g_assert_true(g_variant_lookup(props, "Leader", "u", &leader));
        g_assert_cmpuint(leader, ==, 0);
}

static char proc_state(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid), *text = NULL;
        const char *p;

        if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
                return 0;
        return p[2];
}

/* The kernel shows a signal's effect in /proc only: a bounded poll is all there is. */
static bool wait_proc_state(pid_t pid, bool stopped) {
        for (int i = 0; i < 500; i++) {
                if ((proc_state(pid) == 'T') == stopped)
                        return true;
                g_usleep(10 * 1000);
        }
        return false;
}

static void kill_leader(Harness *h, ZoneWatch *w) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r1 = NULL, r2 = NULL;
        guint32 leader = w->leader;

        /* SIGSTOP reaches a namespace's init from outside; SIGCONT undoes it. */
        r1 = harness_manager_call(h, "KillZone", g_variant_new("(ssi)", "z1", "leader", SIGSTOP), "()",
                                  &error);
        g_assert_no_error(error);
        g_assert_true(wait_proc_state((pid_t) leader, true));
        r2 = harness_call(h, w->path, ZONED_ZONE_IFACE, "Kill", g_variant_new("(si)", "leader", SIGCONT),
                          "()", &error);
        g_assert_no_error(error);
        g_assert_true(wait_proc_state((pid_t) leader, false));
        harness_flush(h);
        g_assert_cmpstr(w->state, ==, "running");
        g_assert_cmpuint(w->leader, ==, leader);
        g_assert_true(harness_pid_alive((pid_t) leader));
}

static void test_story(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) created = NULL, r = NULL, gone = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        g_autofree char *ev = NULL, *added = NULL, *removed = NULL, *leftovers = NULL, *config = NULL;
        const char *path;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_bb(h);

        created = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "z1", "bb", NULL), "(o)",
                                       &error);
        g_assert_no_error(error);
        g_variant_get(created, "(&o)", &path);
        ev = g_strdup_printf("ZoneNew z1 %s", path);
        g_assert_true(harness_wait_event(h, ev, 10000));
        added = g_strdup_printf("InterfacesAdded %s", path);
        g_assert_true(harness_wait_event(h, added, 10000));
        assert_managed_object(h, path, "z1", "stopped");

        w = zone_watch_new(h, "z1");
        g_assert_cmpstr(w->path, ==, path);
        r = harness_manager_call(h, "BootZone", g_variant_new("(s)", "z1"), "()", &error);
        g_assert_no_error(error);
        if (!zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS))
                g_error("z1 not running: State=%s StatusText=%s", w->state, w->status_text);
        g_assert_cmpuint(w->states->len, >=, 2);
        g_assert_cmpstr(w->states->pdata[0], ==, "starting");
        g_assert_cmpuint(w->leader, !=, 0);
        leader = w->leader;
        g_assert_true(harness_pid_alive((pid_t) leader));
        /* busybox init hears the brand's signals only from here on. */
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));

        kill_leader(h, w);

        g_clear_pointer(&r, g_variant_unref);
        r = harness_manager_call(h, "RebootZone", g_variant_new("(s)", "z1"), "()", &error);
        g_assert_no_error(error);
        if (!zone_watch_wait_new_leader(w, leader, HARNESS_BOOT_TIMEOUT_MS))
                g_error("z1 not running with a new leader after RebootZone: State=%s Leader=%u (was %u)",
                        w->state, w->leader, leader);
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leader = w->leader;
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));

        g_clear_pointer(&r, g_variant_unref);
        r = harness_call(h, path, ZONED_ZONE_IFACE, "Poweroff", NULL, "()", &error);
        g_assert_no_error(error);
        g_assert_true(zone_watch_wait_state(w, "stopped", HARNESS_STOP_TIMEOUT_MS));
        g_assert_cmpuint(w->leader, ==, 0);
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);

        g_clear_pointer(&r, g_variant_unref);
        r = harness_manager_call(h, "RemoveZone", g_variant_new("(s)", "z1"), "()", &error);
        g_assert_no_error(error);
        g_free(ev);
        ev = g_strdup_printf("ZoneRemoved z1 %s", path);
        g_assert_true(harness_wait_event(h, ev, 10000));
        removed = g_strdup_printf("InterfacesRemoved %s", path);
        g_assert_true(harness_wait_event(h, removed, 10000));
        gone = harness_manager_call(h, "GetZone", g_variant_new("(s)", "z1"), "(o)", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchZone");
        config = g_strdup_printf("%s/z1.zone", h->config_dir);
        g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
}

/* Verbs on a zone that is not running answer with named errors and change nothing. */
static void test_not_running(Harness *h, gconstpointer data) {
        g_autoptr(ZoneWatch) w = NULL;
        g_autofree char *path = NULL, *result = NULL;
        const char *const verbs[] = { "PoweroffZone", "RebootZone", "TerminateZone", NULL };

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        w = zone_watch_new(h, "z1");
        for (const char *const *v = verbs; *v; v++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant)
                        r = harness_manager_call(h, *v, g_variant_new("(s)", "z1"), "()", &error);
                harness_assert_dbus_error(error, "org.zoned1.Error.NotRunning");
        }
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) r = harness_manager_call(
                        h, "KillZone", g_variant_new("(ssi)", "z1", "leader", SIGTERM), "()", &error);
                harness_assert_dbus_error(error, "org.zoned1.Error.NotRunning");
        }
        harness_flush(h);
        g_assert_cmpuint(w->states->len, ==, 0);
        g_assert_cmpstr(w->state, ==, "stopped");
}

/* A zone that just reached "stopped" can be booted again at once, as a
 * script doing "poweroff && boot" would. */
static void test_boot_again(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL;
        guint32 first, second;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        first = harness_boot_zone(h, "z1");
        harness_poweroff_zone(h, "z1");
        second = harness_boot_zone(h, "z1");
        g_assert_cmpuint(second, !=, first);
        harness_poweroff_zone(h, "z1");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/dbus/story", test_story, HARNESS_DEFAULT);
        HARNESS_TEST("/dbus/not-running", test_not_running, HARNESS_DEFAULT);
        HARNESS_TEST("/dbus/boot-again", test_boot_again, HARNESS_DEFAULT);
        return g_test_run();
}
