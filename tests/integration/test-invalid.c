/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad input gets a named error and changes nothing; a zone that cannot boot
 * says why and never stays in "starting". */

#include <unistd.h>

#include "harness.h"

static const char *const bad_names[] = {
        "",       ".x",  "-x",
        "a/b",    "a b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
        "../etc", NULL,
};

/* Every path below dir, sorted, as one string. */
static void list_tree(const char *dir, const char *rel, GPtrArray *out) {
        g_autofree char *full = rel ? g_build_filename(dir, rel, NULL) : g_strdup(dir);
        g_autoptr(GDir) d = g_dir_open(full, 0, NULL);
        const char *de;

        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *sub = rel ? g_build_filename(rel, de, NULL) : g_strdup(de);
                g_autofree char *sub_full = g_build_filename(dir, sub, NULL);

                g_ptr_array_add(out, g_strdup(sub));
                /* Template rootfs trees are big and not what this is about. */
                if (g_file_test(sub_full, G_FILE_TEST_IS_DIR) &&
                    !g_file_test(sub_full, G_FILE_TEST_IS_SYMLINK) && !g_str_has_suffix(sub, "/rootfs"))
                        list_tree(dir, sub, out);
        }
}

static int compare_strings(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static char *snapshot(Harness *h) {
        g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);

        list_tree(h->config_dir, NULL, a);
        g_ptr_array_add(a, g_strdup("--- state"));
        list_tree(h->state_dir, NULL, a);
        g_ptr_array_sort(a, compare_strings);
        g_ptr_array_add(a, NULL);
        return g_strjoinv("\n", (char **) a->pdata);
}

static void import_bb(Harness *h) {
        g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
}

static void test_names(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *after = NULL;

        if (harness_skipped(h))
                return;
        import_bb(h);
        before = snapshot(h);
        for (const char *const *n = bad_names; *n; n++) {
                g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
                g_autoptr(GVariant) r1 = NULL, r2 = NULL, r3 = NULL;

                g_test_message("name '%s'", *n);
                r1 = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", *n, "bb", NULL), "(o)",
                                          &e1);
                harness_assert_dbus_error(e1, "org.zoned1.Error.InvalidName");
                r2 = harness_manager_call(h, "ImportTemplateFs",
                                          g_variant_new("(ssa{sv})", harness_busybox_rootfs(), *n, NULL),
                                          "(uo)", &e2);
                harness_assert_dbus_error(e2, "org.zoned1.Error.InvalidName");
                /* ... and as the template a zone is created from. */
                r3 = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "z1", *n, NULL), "(o)",
                                          &e3);
                harness_assert_dbus_error(e3, "org.zoned1.Error.InvalidName");
        }
        harness_flush(h);
        after = snapshot(h);
        g_assert_cmpstr(after, ==, before);
        g_assert_cmpint(harness_find_event(h, "ZoneNew "), <, 0);
}

static void test_unknown(Harness *h, gconstpointer data) {
        g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
        g_autoptr(GVariant) r1 = NULL, r2 = NULL, r3 = NULL;
        g_autofree char *before = NULL, *after = NULL;

        if (harness_skipped(h))
                return;
        import_bb(h);
        before = snapshot(h);
        r1 = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "z1", "nosuch", NULL), "(o)",
                                  &e1);
        harness_assert_dbus_error(e1, "org.zoned1.Error.NoSuchTemplate");
        r2 = harness_manager_call(h, "BootZone", g_variant_new("(s)", "nosuch"), "()", &e2);
        harness_assert_dbus_error(e2, "org.zoned1.Error.NoSuchZone");
        r3 = harness_manager_call(h, "GetZone", g_variant_new("(s)", "nosuch"), "(o)", &e3);
        harness_assert_dbus_error(e3, "org.zoned1.Error.NoSuchZone");
        after = snapshot(h);
        g_assert_cmpstr(after, ==, before);
}

static void test_exists(Harness *h, gconstpointer data) {
        g_autoptr(GError) e1 = NULL, e2 = NULL;
        g_autoptr(GVariant) r1 = NULL, r2 = NULL;
        g_autofree char *path = NULL;

        if (harness_skipped(h))
                return;
        import_bb(h);
        path = harness_create_zone(h, "z1", "bb", false);
        r1 = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "z1", "bb", NULL), "(o)", &e1);
        harness_assert_dbus_error(e1, "org.zoned1.Error.ZoneExists");
        r2 = harness_manager_call(h, "ImportTemplateFs",
                                  g_variant_new("(ssa{sv})", harness_busybox_rootfs(), "bb", NULL), "(uo)",
                                  &e2);
        harness_assert_dbus_error(e2, "org.zoned1.Error.TemplateExists");
}

/* A copy of the busybox rootfs without /sbin/init, in the test's temp dir. */
static char *rootfs_without_init(Harness *h) {
        g_autofree char *dir = g_build_filename(h->tmpdir, "noinit", NULL);
        g_autofree char *init = g_build_filename(dir, "sbin", "init", NULL);
        g_auto(HarnessRun) r = { 0 };

        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  dir, NULL } },
                &r);
        harness_assert_run(&r, 0, "cp -a rootfs");
        g_assert_no_errno(unlink(init));
        return g_steal_pointer(&dir);
}

static void assert_failed_boot(Harness *h, ZoneWatch *w) {
        const char *settled;
        g_autofree char *leftovers = NULL;

        /* Everything zoned announced up to now, so that an old State is not taken for the outcome. */
        harness_flush(h);
        settled = zone_watch_wait_settled(w, HARNESS_BOOT_TIMEOUT_MS);
        if (!settled)
                g_error("zone without init stuck in %s", w->state);
        /* Not "stopped": a zone whose init cannot start has failed, and says which program. */
        if (!g_str_equal(settled, "failed") || !w->status_text || !strstr(w->status_text, "/sbin/init"))
                g_error("zone without init settled %s with StatusText '%s'", settled, w->status_text);
        g_assert_cmpuint(w->leader, ==, 0);
        harness_reap_orphans();
        leftovers = harness_zone_leftovers(h, w->name);
        g_assert_null(leftovers);
}

static void test_missing_init(Harness *h, gconstpointer data) {
        g_autofree char *dir = NULL, *result = NULL, *path = NULL, *lower = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        dir = rootfs_without_init(h);
        result = harness_import_fs(h, dir, "noinit", "busybox");
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, "z1", "noinit", false);
        w = zone_watch_new(h, "z1");

        harness_zonectl(h, &r, NULL, "boot", "z1", NULL);
        if (r.status == 0)
                g_error("zonectl boot of a zone without init succeeded; stdout: %s; stderr: %s", r.out,
                        r.err);
        lower = g_ascii_strdown(r.err, -1);
        if (!strstr(lower, "init"))
                g_error("zonectl boot failed without saying init is the problem: %s", r.err);
        assert_failed_boot(h, w);

        /* Again through D-Bus. Either the call is refused, or it starts and the State tells. */
        g_ptr_array_set_size(w->states, 0);
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "z1"), "()", &error);
        if (error) {
                g_autofree char *msg = g_ascii_strdown(error->message, -1);
                if (!strstr(msg, "init"))
                        g_error("BootZone refused without saying init is the problem: %s", error->message);
        } else {
                harness_flush(h);
                /* It started: "starting" was announced before the call returned. */
                g_assert_cmpuint(w->states->len, >, 0);
        }
        assert_failed_boot(h, w);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/invalid/names", test_names, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/unknown", test_unknown, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/exists", test_exists, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/missing-init", test_missing_init, HARNESS_ZONECTL);
        return g_test_run();
}
