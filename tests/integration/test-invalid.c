/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bad input gets a named error and changes nothing; a zone that cannot boot
 * says why and never stays in "starting". */

#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
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

static void test_names(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *after = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
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
        harness_import_busybox(h);
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
        harness_import_busybox(h);
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

/* The names ListZones lists, space-separated. */
static char *zone_names(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = harness_manager_call(h, "ListZones", NULL, "(a(sssso))", &error);
        g_autoptr(GVariantIter) it = NULL;
        g_autoptr(GString) names = g_string_new("");
        const char *name;

        g_assert_no_error(error);
        g_variant_get(reply, "(a(sssso))", &it);
        while (g_variant_iter_next(it, "(&s&s&s&so)", &name, NULL, NULL, NULL, NULL))
                g_string_append_printf(names, "%s ", name);
        return g_string_free(g_steal_pointer(&names), FALSE);
}

static void assert_log_says(const char *log, const char *what) {
        if (!strstr(log, what))
                g_error("zoned's log does not say \"%s\":\n%s", what, log);
}

/* Zone files edited by hand: a FIFO does not hang zoned's start, a symlink is not followed (nor
 * what it points to quoted), a key given twice is named with file and line; none of them is a
 * zone, and the good file beside them is. */
static void test_zone_files(Harness *h, gconstpointer data) {
        g_autofree char *fifo = NULL, *link = NULL, *target = NULL, *dup = NULL, *good = NULL, *log = NULL,
                        *names = NULL, *linked = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        g_free(harness_create_zone(h, "good", "bb", false));
        fifo = g_build_filename(h->config_dir, "fifo.zone", NULL);
        g_assert_no_errno(mkfifo(fifo, 0644));
        target = g_build_filename(h->tmpdir, "not-a-zone", NULL);
        harness_write_file(target, "[Zone]\nTemplate=bb\nsecret-line-of-another-file\n", 0600);
        link = g_build_filename(h->config_dir, "link.zone", NULL);
        g_assert_no_errno(symlink(target, link));
        good = g_build_filename(h->config_dir, "good.zone", NULL);
        linked = g_build_filename(h->config_dir, "linked.zone", NULL);
        g_assert_no_errno(symlink(good, linked));
        dup = g_build_filename(h->config_dir, "dup.zone", NULL);
        harness_write_file(dup, "[Zone]\nTemplate=bb\nBrand=busybox\nTemplate=other\n", 0644);

        /* Restarts zoned: a start that hangs on the FIFO fails here (bounded wait for READY=1). */
        harness_capture_zoned_log(h);
        names = zone_names(h);
        g_assert_cmpstr(names, ==, "good ");
        log = harness_zoned_log(h);
        assert_log_says(log, "fifo.zone: not a regular file");
        assert_log_says(log, "link.zone: is a symbolic link");
        assert_log_says(log, "linked.zone: is a symbolic link");
        assert_log_says(log, "dup.zone:4: duplicate key Template in [Zone] (first at line 2)");
        if (strstr(log, "secret-line"))
                g_error("zoned's log quotes the file a zone file's symlink points to:\n%s", log);
}

static void assert_bad_zone_file(GError *error, const char *what) {
        harness_assert_dbus_error(error, "org.zoned1.Error.BadZoneFile");
        if (!strstr(error->message, what))
                g_error("BadZoneFile does not say \"%s\": %s", what, error->message);
}

/* A zone runs while its file is broken and zoned restarts: the zone stays listed and can be
 * terminated; it does not boot again until the file loads, and then it does. */
static void test_broken_file_of_running_zone(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *cfg = NULL, *text = NULL, *broken = NULL, *names = NULL,
                        *state = NULL, *expect = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint32 leader;
        guint lines = 1;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        leader = harness_boot_zone(h, "z1");
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        harness_stop_zoned(h, SIGTERM);
        cfg = g_build_filename(h->config_dir, "z1.zone", NULL);
        g_assert_true(g_file_get_contents(cfg, &text, NULL, NULL));
        for (const char *c = text; *c; c++)
                lines += *c == '\n';
        broken = g_strconcat(text, "Template=other\n", NULL);
        harness_write_file(cfg, broken, 0644);

        harness_start_zoned(h);
        names = zone_names(h);
        g_assert_cmpstr(names, ==, "z1 ");
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        g_assert_cmpuint(harness_zone_leader(h, "z1"), ==, leader);
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "z1");

                reply = harness_manager_call(h, "TerminateZone", g_variant_new("(s)", "z1"), "()", &error);
                g_assert_no_error(error);
                if (!zone_watch_wait_state(w, "stopped", HARNESS_STOP_TIMEOUT_MS))
                        g_error("zone z1 did not stop after TerminateZone: %s", w->state);
        }
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        g_clear_pointer(&reply, g_variant_unref);

        /* Still listed, and saying why it does not boot; the file is left as it was. */
        g_free(names);
        names = zone_names(h);
        g_assert_cmpstr(names, ==, "z1 ");
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "z1"), "()", &error);
        expect = g_strdup_printf("z1.zone:%u: duplicate key Template in [Zone] (first at line 2)", lines);
        assert_bad_zone_file(error, expect);
        g_clear_error(&error);
        g_free(text);
        g_assert_true(g_file_get_contents(cfg, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, broken);

        /* Fixed, it boots. */
        harness_write_file(cfg, broken, 0644);
        broken[strlen(broken) - strlen("Template=other\n")] = 0;
        harness_write_file(cfg, broken, 0644);
        harness_boot_zone(h, "z1");
        harness_poweroff_zone(h, "z1");
}

/* A boot that fails before its supervisor starts says why, in the reply and the log, and leaves
 * no runtime dir. Here the zone's log dir cannot be made: zoned's log dir became a file. */
static void test_cannot_prepare(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *blocker = NULL, *rt = NULL, *log = NULL, *state = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        harness_capture_zoned_log(h);
        blocker = g_strconcat(h->log_dir, ".away", NULL);
        g_assert_no_errno(rename(h->log_dir, blocker));
        harness_write_file(h->log_dir, "not a directory\n", 0644);
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "z1"), "()", &error);
        g_assert_nonnull(error);
        if (!strstr(error->message, "Cannot prepare zone z1"))
                g_error("BootZone failed with: %s", error->message);
        rt = g_build_filename(h->runtime_dir, "zones", "z1", NULL);
        if (g_file_test(rt, G_FILE_TEST_EXISTS))
                g_error("a failed boot left %s", rt);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");
        log = harness_zoned_log(h);
        assert_log_says(log, "Cannot prepare zone z1 for its boot: Not a directory");
        g_assert_no_errno(unlink(h->log_dir));
        g_assert_no_errno(rename(blocker, h->log_dir));
}

/* ImportTemplateFs of a directory that holds the template store (/, the state dir, the store, a
 * directory above them, or another name of one) is refused, and starts nothing. A directory inside
 * the store (a template's tree) is no such thing. */
static void test_import_fs_store(Harness *h, gconstpointer data) {
        g_autofree char *before = NULL, *after = NULL, *templates = NULL, *alias = NULL, *tree = NULL,
                        *result = NULL;
        const char *dirs[6];

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        templates = g_build_filename(h->state_dir, ".templates", NULL);
        alias = g_build_filename(h->tmpdir, "alias", NULL);
        g_assert_no_errno(symlink(h->state_dir, alias));
        dirs[0] = h->tmpdir;
        dirs[1] = h->state_dir;
        dirs[2] = templates;
        dirs[3] = alias;
        dirs[4] = "/";
        dirs[5] = NULL;
        before = snapshot(h);
        g_ptr_array_set_size(h->events, 0);
        for (const char *const *d = dirs; *d; d++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;

                g_test_message("import-fs %s", *d);
                reply = harness_manager_call(
                        h, "ImportTemplateFs",
                        g_variant_new_parsed("(%s, %s, {'brand': <%s>})", *d, "loop", "busybox"), "(uo)",
                        &error);
                harness_assert_dbus_error(error, "org.zoned1.Error.SourceContainsStore");
                if (!strstr(error->message, "template store"))
                        g_error("SourceContainsStore does not say why: %s", error->message);
        }
        harness_flush(h);
        g_assert_cmpint(harness_find_event(h, "TransferNew "), <, 0);
        after = snapshot(h);
        g_assert_cmpstr(after, ==, before);

        tree = g_build_filename(templates, "bb", "rootfs", NULL);
        result = harness_import_fs(h, tree, "bb-again", "busybox");
        g_assert_cmpstr(result, ==, "done");
}

/* A bad network configuration file keeps zoned from starting, naming its line; a good one is
 * what zoned runs with: the bridge it names without addresses gets them from its pools, kept in
 * the state dir. */
static void test_network_config(Harness *h, gconstpointer data) {
        g_autofree char *conf = g_build_filename(h->tmpdir, "network.conf", NULL);
        g_autofree char *config = g_strconcat("--config-dir=", h->config_dir, NULL);
        g_autofree char *state = g_strconcat("--state-dir=", h->state_dir, NULL);
        g_autofree char *runtime = g_strconcat("--runtime-dir=", h->runtime_dir, NULL);
        g_autofree char *log = g_strconcat("--log-dir=", h->log_dir, NULL);
        g_autofree char *network = g_strconcat("--network-config=", conf, NULL);
        g_autofree char *want = g_strconcat(
                conf, ":4: bridge b's 10.9.0.200/16 overlaps bridge a's 10.9.0.1/24", NULL);
        g_autofree char *kept = g_build_filename(h->state_dir, ".network", "bridges.ini", NULL),
                        *text = NULL;
        const char *argv[] = {
                g_getenv("ZONED_TEST_ZONED"), config, state, runtime, log, network, "--no-system-bus", NULL
        };
        HarnessSpawn s = { .argv = argv, .timeout_ms = 20000 };
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        harness_stop_zoned(h, SIGTERM);
        g_assert_true(g_file_set_contents(
                conf, "[Bridge a]\nIPv4=10.9.0.1/24\n[Bridge b]\nIPv4=10.9.0.200/16\n", -1, NULL));
        harness_run(&s, &r);
        harness_assert_run(&r, 1, "zoned with an overlapping bridge");
        if (!strstr(r.err, want))
                g_error("zoned said \"%s\", not \"%s\"", r.err, want);
        g_assert_false(g_file_test(kept, G_FILE_TEST_EXISTS));

        g_assert_true(g_file_set_contents(conf, "[Pools]\nIPv4=10.99.0.0/16\n[Bridge web]\nIsolated=yes\n",
                                          -1, NULL));
        harness_start_zoned(h);
        g_assert_true(g_file_get_contents(kept, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "[Bridge web]\nIPv4=10.99.1.1/24\nIPv6=fd42:7a6f:6e65:1::1/64\n");
}

static char *verify_file(Harness *h, const char *name, const char *text, HarnessRun *r) {
        char *path = g_build_filename(h->tmpdir, name, NULL);

        harness_write_file(path, text, 0644);
        harness_zonectl(h, r, NULL, "verify", path, NULL);
        g_test_message("verify %s (%d): %s", name, r->status, r->err);
        return path;
}

/* zonectl verify (VerifyZoneFile): a good file passes and is not touched (no MachineID is added
 * to it, as loading would); a bad one is named with its line, exit 1; no zone appears. */
static void test_verify(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) good = { 0 }, bad = { 0 }, brand = { 0 }, missing = { 0 }, dup = { 0 };
        g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p5 = NULL, *after = NULL, *zones = NULL;
        const char *good_text = "[Zone]\nTemplate=bb\nBrand=busybox\nNesting=yes\n[Limits]\nMemoryMax=1G\n";

        if (harness_skipped(h))
                return;
        p1 = verify_file(h, "good.zone", good_text, &good);
        g_assert_cmpint(good.status, ==, 0);
        g_assert_cmpstr(good.err, ==, "");
        g_assert_true(g_file_get_contents(p1, &after, NULL, NULL));
        g_assert_cmpstr(after, ==, good_text);

        p2 = verify_file(h, "bad.zone", "[Zone]\nTemplate=bb\nBrand=busybox\nNesting=sometimes\n", &bad);
        g_assert_cmpint(bad.status, ==, 1);
        g_assert_nonnull(strstr(bad.err, "bad.zone:4: Nesting= is not a boolean"));

        p3 = verify_file(h, "brand.zone", "[Zone]\nTemplate=bb\nBrand=nope\n", &brand);
        g_assert_cmpint(brand.status, ==, 1);
        g_assert_nonnull(strstr(brand.err, "brand.zone:3: Brand=nope is not installed"));

        p5 = verify_file(h, "dup.zone", "[Zone]\nTemplate=bb\nBrand=busybox\nBrand=busybox\n", &dup);
        g_assert_cmpint(dup.status, ==, 1);
        g_assert_nonnull(strstr(dup.err, "dup.zone:4: duplicate key Brand"));

        harness_zonectl(h, &missing, NULL, "verify", "/nonexistent/x.zone", NULL);
        g_assert_cmpint(missing.status, ==, 1);
        g_assert_nonnull(strstr(missing.err, "No such file or directory"));

        zones = g_build_filename(h->config_dir, "good.zone", NULL);
        g_assert_false(g_file_test(zones, G_FILE_TEST_EXISTS));
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/invalid/names", test_names, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/verify", test_verify, HARNESS_ZONECTL);
        HARNESS_TEST("/invalid/network-config", test_network_config, HARNESS_PRIVATE_SOCKET);
        HARNESS_TEST("/invalid/unknown", test_unknown, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/exists", test_exists, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/missing-init", test_missing_init, HARNESS_ZONECTL);
        HARNESS_TEST("/invalid/zone-files", test_zone_files, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/cannot-prepare", test_cannot_prepare, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/import-fs-store", test_import_fs_store, HARNESS_DEFAULT);
        HARNESS_TEST("/invalid/broken-file-of-running-zone", test_broken_file_of_running_zone,
                     HARNESS_DEFAULT);
        return g_test_run();
}
