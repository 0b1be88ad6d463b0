/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Disk quotas: a zone created with DiskQuota writes on a file system image of that size. Root in
 * the zone cannot write past it (ENOSPC), df in the zone shows it, DiskUsage follows what the zone
 * writes, and the host's file system is not filled. The image's loop device and mount live with
 * the zone: a poweroff, a removal, a killed supervisor leave none behind; a killed zoned leaves
 * the running zone its disk. A DiskQuota= changed in the zone file is applied at the next boot. */

#include <glib/gstdio.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "harness.h"

#define MIB (1024 * 1024)
#define QUOTA (64 * MIB)

static bool loops_gone(gpointer data) {
        g_autofree char *loops = harness_loops_under(data);
        return loops[0] == 0;
}

/* A zone's disk is mounted only in the zone's own mount namespace, and its file system holds its
 * loop device (autoclear): no loop device left means no mount left in any namespace. (Mounts in
 * the host's namespace the harness checks itself.) */
static void assert_no_loops(Harness *h, const char *what) {
        if (!harness_wait(loops_gone, h->state_dir, 20000)) {
                g_autofree char *loops = harness_loops_under(h->state_dir);
                g_error("%s: loop devices left behind:\n%s", what, loops);
        }
}

static char *zone_sh_status(Harness *h, const char *name, const char *script, int *ret_status) {
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/sh", "-c", script, NULL);
        *ret_status = r.status;
        return g_strconcat(r.out, r.err, NULL);
}

static char *zone_sh(Harness *h, const char *name, const char *script) {
        int status;
        char *out = zone_sh_status(h, name, script, &status);

        if (status != 0)
                g_error("zonectl shell %s -- sh -c '%s': exit %d\n%s", name, script, status, out);
        return g_strstrip(out);
}

static GVariant *create_zone(Harness *h, const char *name, GVariant *quota, bool copy, GError **error) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (quota)
                g_variant_builder_add(&options, "{sv}", "DiskQuota", quota);
        if (copy)
                g_variant_builder_add(&options, "{sv}", "copy", g_variant_new_boolean(true));
        return harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", name, "bb", &options), "(o)",
                                    error);
}

static void import_and_create(Harness *h, const char *name, guint64 quota, bool copy) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        harness_import_busybox(h);
        reply = create_zone(h, name, g_variant_new_uint64(quota), copy, &error);
        g_assert_no_error(error);
        /* Making the file system mounted it for a moment: nothing of that stays. */
        assert_no_loops(h, "after the creation");
}

static guint64 zone_u64(Harness *h, const char *name, const char *property) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, property);
        return g_variant_get_uint64(v);
}

/* "df -k /" in the zone: the size of its root file system in KiB. */
static guint64 zone_df_kib(Harness *h, const char *name) {
        g_autofree char *out = zone_sh(h, name, "df -k / | tail -n 1");
        g_auto(GStrv) fields = g_strsplit_set(out, " \t", -1);
        unsigned n = 0;

        for (char **f = fields; *f; f++)
                if (**f && ++n == 2)
                        return g_ascii_strtoull(*f, NULL, 10);
        g_error("cannot read df's output: %s", out);
}

static guint64 state_free(Harness *h) {
        struct statvfs sv;

        g_assert_no_errno(statvfs(h->state_dir, &sv));
        return (guint64) sv.f_bavail * sv.f_frsize;
}

/* Root in the zone fills its disk: dd stops at the quota with ENOSPC, the host lost no more than
 * the quota, DiskUsage went up and goes down again when the file goes. */
static void assert_quota_holds(Harness *h, const char *name, guint64 quota) {
        g_autofree char *image = g_build_filename(h->state_dir, name, "disk.img", NULL), *out = NULL;
        guint64 before = state_free(h), used0, used1, used2;
        struct stat st;
        int status;

        g_assert_cmpuint(zone_df_kib(h, name), ==, quota / 1024);
        g_assert_cmpuint(zone_u64(h, name, "DiskQuota"), ==, quota);
        used0 = zone_u64(h, name, "DiskUsage");
        g_assert_cmpuint(used0, <, quota / 2);

        out = zone_sh_status(h, name, "dd if=/dev/zero of=/fill bs=1M count=256 && sync", &status);
        g_assert_cmpint(status, !=, 0);
        if (!strstr(out, "No space left on device") && !strstr(out, "Disk quota exceeded"))
                g_error("dd past the quota did not fail with ENOSPC or EDQUOT:\n%s", out);
        used1 = zone_u64(h, name, "DiskUsage");
        g_assert_cmpuint(used1, >, used0 + quota / 2);
        g_assert_cmpuint(used1, <=, quota);

        g_assert_no_errno(stat(image, &st));
        g_assert_cmpuint((guint64) st.st_blocks * 512, <=, quota);
        g_assert_cmpuint(before - MIN(before, state_free(h)), <=, quota);

        g_free(zone_sh(h, name, "rm /fill && sync"));
        used2 = zone_u64(h, name, "DiskUsage");
        g_assert_cmpuint(used2, <, used0 + quota / 8);
}

/* export-tar of the stopped zone reads its tree from its disk image. */
static void assert_export_has(Harness *h, const char *name, const char *file) {
        g_autofree char *tar = g_build_filename(h->tmpdir, "export.tar", NULL);
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl_ok(h, NULL, "zonectl export-tar", "export-tar", name, tar, NULL);
        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/usr/bin/tar", "-tf", tar, file, NULL } },
                &r);
        harness_assert_run(&r, 0, "tar -tf the export");
        g_assert_no_errno(unlink(tar));
        assert_no_loops(h, "after the export");
}

static void test_overlay(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_create(h, "q1", QUOTA, false);
        harness_boot_zone(h, "q1");
        assert_quota_holds(h, "q1", QUOTA);
        g_free(zone_sh(h, "q1", "echo kept > /kept"));
        harness_poweroff_zone(h, "q1");
        assert_no_loops(h, "after the poweroff");
        assert_export_has(h, "q1", "./kept");
        /* Stopped: read from the image. */
        g_assert_cmpuint(zone_u64(h, "q1", "DiskUsage"), <, QUOTA / 4);

        /* Another boot mounts it again, and so does a reboot: the old boot's loop device is gone
         * by the time the supervisor attaches the image anew. */
        leader = harness_boot_zone(h, "q1");
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "q1");
                g_autoptr(GVariant)
                        r = harness_manager_call(h, "RebootZone", g_variant_new("(s)", "q1"), "()", &error);
                g_assert_no_error(error);
                if (!zone_watch_wait_new_leader(w, leader, HARNESS_BOOT_TIMEOUT_MS))
                        g_error("q1 not running with a new leader after RebootZone: State=%s StatusText=%s",
                                w->state, w->status_text);
        }
        g_assert_cmpuint(zone_df_kib(h, "q1"), ==, QUOTA / 1024);
        g_free(zone_sh(h, "q1", "test -f /kept"));
        harness_poweroff_zone(h, "q1");
        reply = harness_manager_call(h, "RemoveZone", g_variant_new("(s)", "q1"), "()", &error);
        g_assert_no_error(error);
        assert_no_loops(h, "after the removal");
}

static void test_copy(Harness *h, gconstpointer data) {
        if (harness_skipped(h))
                return;
        import_and_create(h, "q2", QUOTA, true);
        harness_boot_zone(h, "q2");
        g_free(zone_sh(h, "q2", "test -x /bin/busybox"));
        assert_quota_holds(h, "q2", QUOTA);
        g_free(zone_sh(h, "q2", "echo kept > /kept"));
        harness_poweroff_zone(h, "q2");
        assert_no_loops(h, "after the poweroff");
        assert_export_has(h, "q2", "./kept");
}

/* A zone with the host's users (PrivateUsers=no): its init mounts the disk itself, in the zone's
 * cgroup whose device policy is being set up meanwhile; the supervisor attached it before. */
static void test_host_users(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        GVariantBuilder options;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&options, "{sv}", "DiskQuota", g_variant_new_uint64(QUOTA));
        g_variant_builder_add(&options, "{sv}", "PrivateUsers", g_variant_new_boolean(false));
        reply = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "q9", "bb", &options),
                                     "(o)", &error);
        g_assert_no_error(error);
        harness_boot_zone(h, "q9");
        assert_quota_holds(h, "q9", QUOTA);
        harness_poweroff_zone(h, "q9");
        assert_no_loops(h, "after the poweroff");
}

/* A supervisor killed takes the zone with it, and the zone its disk. */
static void test_supervisor_killed(Harness *h, gconstpointer data) {
        g_autofree char *loops = NULL, *leftovers = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_create(h, "q3", QUOTA, false);
        leader = harness_boot_zone(h, "q3");
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        loops = harness_loops_under(h->state_dir);
        g_assert_cmpstr(loops, !=, "");
        {
                g_autoptr(ZoneWatch) w = zone_watch_new(h, "q3");
                g_assert_no_errno(kill(harness_parent_of((pid_t) leader), SIGKILL));
                g_assert_true(zone_watch_wait_state(w, "failed", HARNESS_STOP_TIMEOUT_MS));
        }
        harness_reap_orphans();
        assert_no_loops(h, "after SIGKILL of the supervisor");
        leftovers = harness_zone_leftovers(h, "q3");
        g_assert_null(leftovers);

        /* Nothing of the old boot is in the way of the next. */
        harness_boot_zone(h, "q3");
        g_assert_cmpuint(zone_df_kib(h, "q3"), ==, QUOTA / 1024);
        harness_poweroff_zone(h, "q3");
        assert_no_loops(h, "after the poweroff");
}

/* zoned killed: the running zone keeps its disk; the new zoned adopts it and reads its usage. */
static void test_zoned_killed(Harness *h, gconstpointer data) {
        g_autofree char *loops = NULL, *after = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_and_create(h, "q4", QUOTA, false);
        leader = harness_boot_zone(h, "q4");
        g_free(zone_sh(h, "q4", "dd if=/dev/zero of=/data bs=1M count=16 && sync"));
        loops = harness_loops_under(h->state_dir);
        harness_stop_zoned(h, SIGKILL);
        g_assert_true(harness_pid_alive((pid_t) leader));
        after = harness_loops_under(h->state_dir);
        g_assert_cmpstr(after, ==, loops);

        harness_start_zoned(h);
        g_assert_cmpuint(harness_zone_leader(h, "q4"), ==, leader);
        g_assert_cmpuint(zone_u64(h, "q4", "DiskUsage"), >=, 16 * MIB);
        g_assert_cmpuint(zone_df_kib(h, "q4"), ==, QUOTA / 1024);
        harness_poweroff_zone(h, "q4");
        assert_no_loops(h, "after the poweroff of the adopted zone");
}

static void rewrite_quota(Harness *h, const char *name, guint64 quota) {
        g_autofree char *cfg = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autoptr(GError) error = NULL;

        g_assert_true(g_key_file_load_from_file(f, cfg, G_KEY_FILE_NONE, &error));
        g_key_file_set_uint64(f, "Limits", "DiskQuota", quota);
        g_assert_true(g_key_file_save_to_file(f, cfg, &error));
}

/* DiskQuota= edited while zoned is stopped: the next boot grows the disk (offline), or shrinks
 * it, but never below what the zone uses. */
static void test_resize_at_boot(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *out = NULL;
        int status;

        if (harness_skipped(h))
                return;
        import_and_create(h, "q5", QUOTA, false);
        harness_boot_zone(h, "q5");
        out = zone_sh_status(h, "q5", "dd if=/dev/zero of=/fill bs=1M count=256; sync", &status);
        g_assert_nonnull(strstr(out, "No space left on device"));
        harness_poweroff_zone(h, "q5");

        harness_stop_zoned(h, SIGTERM);
        rewrite_quota(h, "q5", 2 * QUOTA);
        harness_start_zoned(h);
        g_assert_cmpuint(zone_u64(h, "q5", "DiskQuota"), ==, 2 * QUOTA);
        harness_boot_zone(h, "q5");
        g_assert_cmpuint(zone_df_kib(h, "q5"), ==, 2 * QUOTA / 1024);
        g_free(zone_sh(h, "q5", "dd if=/dev/zero of=/more bs=1M count=32 && sync"));
        harness_poweroff_zone(h, "q5");
        assert_no_loops(h, "after the grown zone's poweroff");

        /* Below what it uses (~96 MiB): the boot is refused, the image stays as it was. */
        harness_stop_zoned(h, SIGTERM);
        rewrite_quota(h, "q5", QUOTA);
        harness_start_zoned(h);
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "q5"), "()", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.QuotaExceeded");
        g_clear_error(&error);
        g_clear_pointer(&reply, g_variant_unref);
        assert_no_loops(h, "after the refused shrink");

        /* Room enough once the files are gone: shrunk offline. */
        harness_stop_zoned(h, SIGTERM);
        rewrite_quota(h, "q5", 2 * QUOTA);
        harness_start_zoned(h);
        harness_boot_zone(h, "q5");
        g_free(zone_sh(h, "q5", "rm /fill /more && sync"));
        harness_poweroff_zone(h, "q5");
        harness_stop_zoned(h, SIGTERM);
        rewrite_quota(h, "q5", QUOTA / 2 + QUOTA / 4);
        harness_start_zoned(h);
        harness_boot_zone(h, "q5");
        g_assert_cmpuint(zone_df_kib(h, "q5"), ==, (QUOTA / 2 + QUOTA / 4) / 1024);
        harness_poweroff_zone(h, "q5");
        assert_no_loops(h, "after the shrunk zone's poweroff");
}

static void assert_nothing_created(Harness *h, const char *name) {
        g_autofree char *state = g_build_filename(h->state_dir, name, NULL);
        g_autofree char *cfg = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        g_assert_false(g_file_test(state, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(cfg, G_FILE_TEST_EXISTS));
        reply = harness_manager_call(h, "GetZone", g_variant_new("(s)", name), "(o)", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchZone");
}

static void assert_create_fails(Harness *h, GVariant *quota, bool copy, const char *error_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = create_zone(h, "bad", quota, copy, &error);

        harness_assert_dbus_error(error, error_name);
        assert_nothing_created(h, "bad");
}

/* The busybox tree with a file of hole_mib MiB (sparse: a hole) and one of data_mib MiB (data). */
static char *big_template(Harness *h, const char *name, unsigned hole_mib, unsigned data_mib) {
        g_autofree char *big = NULL, *data = NULL, *bytes = g_malloc(data_mib * MIB + 1);
        char *dir = g_build_filename(h->tmpdir, name, NULL);
        g_auto(HarnessRun) r = { 0 };
        int fd;

        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  dir, NULL } },
                &r);
        harness_assert_run(&r, 0, "cp -a the busybox tree");
        big = g_build_filename(dir, "hole", NULL);
        fd = open(big, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        g_assert_cmpint(fd, >=, 0);
        g_assert_no_errno(ftruncate(fd, (off_t) hole_mib * MIB));
        g_assert_no_errno(close(fd));
        data = g_build_filename(dir, "data", NULL);
        memset(bytes, 'x', data_mib * MIB);
        g_assert_true(g_file_set_contents(data, bytes, (gssize) data_mib * MIB, NULL));
        return dir;
}

static bool path_gone(gpointer path) {
        return !g_file_test(path, G_FILE_TEST_EXISTS);
}

static void test_bad_input(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *big = NULL, *dense = NULL;
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        big = big_template(h, "big-tree", 40, 0);
        dense = big_template(h, "dense-tree", 0, 60);
        result = harness_import_fs(h, big, "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        g_clear_pointer(&result, g_free);
        assert_create_fails(h, g_variant_new_uint64(0), false, "org.freedesktop.DBus.Error.InvalidArgs");
        assert_create_fails(h, g_variant_new_uint64(MIB), false, "org.freedesktop.DBus.Error.InvalidArgs");
        /* A string is read as zonectl set reads it ("2G" is good), a value of another type is not. */
        assert_create_fails(h, g_variant_new_string("lots"), false,
                            "org.freedesktop.DBus.Error.InvalidArgs");
        assert_create_fails(h, g_variant_new_boolean(TRUE), false, "org.freedesktop.DBus.Error.InvalidArgs");
        assert_create_fails(h, g_variant_new_uint64(G_GUINT64_CONSTANT(1) << 60), false,
                            "org.zoned1.Error.NotEnoughSpace");
        /* A copy of a template of 40 MiB (a hole, but counted) does not fit 32 MiB: refused at once. */
        assert_create_fails(h, g_variant_new_uint64(32 * MIB), true, "org.zoned1.Error.QuotaExceeded");
        /* 60 MiB of data fit 64 MiB by the count, but not with the file system's own blocks: the
         * copy fails, and what it made goes. */
        g_free(result);
        result = harness_import_fs(h, dense, "dense", "busybox");
        g_assert_cmpstr(result, ==, "done");
        {
                g_autofree char *state = g_build_filename(h->state_dir, "bad", NULL);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;
                GVariantBuilder options;

                g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
                g_variant_builder_add(&options, "{sv}", "DiskQuota", g_variant_new_uint64(64 * MIB));
                g_variant_builder_add(&options, "{sv}", "copy", g_variant_new_boolean(true));
                reply = harness_manager_call(h, "CreateZone",
                                             g_variant_new("(ssa{sv})", "bad", "dense", &options), "(o)",
                                             &error);

                harness_assert_dbus_error(error, "org.zoned1.Error.QuotaExceeded");
                g_assert_true(harness_wait(path_gone, state, 20000));
                assert_nothing_created(h, "bad");
        }
        assert_no_loops(h, "after the refused creations");

        harness_zonectl(h, &r, NULL, "create", "bad", "-t", "bb", "--disk=lots", NULL);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, "--disk"));
        assert_nothing_created(h, "bad");
}

/* zonectl create --disk=SIZE takes sizes as systemd writes them. */
static void test_zonectl(Harness *h, gconstpointer data) {
        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "zonectl create --disk=96M", "create", "q6", "-t", "bb", "--disk=96M",
                           NULL);
        g_assert_cmpuint(zone_u64(h, "q6", "DiskQuota"), ==, 96 * MIB);
        {
                g_auto(HarnessRun) status = { 0 };

                harness_zonectl(h, &status, NULL, "status", "q6", NULL);
                harness_assert_run(&status, 0, "zonectl status of a zone with a disk");
                if (!strstr(status.out, "Disk: ") || !strstr(status.out, " used of 96M"))
                        g_error("zonectl status does not show the disk:\n%s", status.out);
        }
        harness_zonectl_ok(h, NULL, "zonectl create --copy --disk=0.125G", "create", "q7", "-t", "bb",
                           "--copy", "--disk=0.125G", NULL);
        g_assert_cmpuint(zone_u64(h, "q7", "DiskQuota"), ==, 128 * MIB);
        harness_zonectl_ok(h, NULL, "zonectl create without --disk", "create", "q8", "-t", "bb", NULL);
        g_assert_cmpuint(zone_u64(h, "q8", "DiskQuota"), ==, G_MAXUINT64);
        g_assert_cmpuint(zone_u64(h, "q8", "DiskUsage"), ==, G_MAXUINT64);
        assert_no_loops(h, "after the creations");
}

/* zonectl set NAME disk=SIZE (SetLimits' DiskQuota): a stopped zone's disk grows offline, and the
 * zone sees it at its next boot; a running zone's grows online where zoned has CAP_SYS_RESOURCE,
 * and is refused by name where it has not; it never shrinks while the zone runs, nor below what
 * the zone uses; not with --runtime; a zone without a disk has nothing to resize. */
static void test_set(Harness *h, gconstpointer data) {
        g_autofree char *cfg = g_strdup_printf("%s/q9.zone", h->config_dir), *text = NULL;
        g_autofree char *size = g_strdup_printf("disk=%" G_GUINT64_FORMAT, (guint64) 2 * QUOTA);
        g_autofree char *small = g_strdup_printf("disk=%" G_GUINT64_FORMAT, (guint64) QUOTA / 2);
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        import_and_create(h, "q9", QUOTA, false);
        harness_zonectl_ok(h, NULL, "zonectl set disk= of a stopped zone", "set", "q9", size, NULL);
        g_assert_cmpuint(zone_u64(h, "q9", "DiskQuota"), ==, 2 * QUOTA);
        g_assert_true(g_file_get_contents(cfg, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "DiskQuota="));
        harness_boot_zone(h, "q9");
        g_assert_cmpuint(zone_df_kib(h, "q9"), ==, 2 * QUOTA / 1024);

        /* Running: no shrink, no --runtime, and a grow only with CAP_SYS_RESOURCE. */
        harness_zonectl(h, &r, NULL, "set", "q9", small, NULL);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, "cannot shrink while it runs"));
        harness_run_clear(&r);
        harness_zonectl(h, &r, NULL, "set", "q9", "--runtime", size, NULL);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, "not a runtime limit"));
        g_assert_cmpuint(zone_u64(h, "q9", "DiskQuota"), ==, 2 * QUOTA);
        harness_poweroff_zone(h, "q9");
        assert_no_loops(h, "after the resized zone's poweroff");

        /* A zone created without a disk. */
        harness_run_clear(&r);
        harness_zonectl_ok(h, NULL, "zonectl create without --disk", "create", "q10", "-t", "bb", NULL);
        harness_zonectl(h, &r, NULL, "set", "q10", size, NULL);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, "without a disk quota"));
        g_assert_cmpuint(zone_u64(h, "q10", "DiskQuota"), ==, G_MAXUINT64);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/disk-quota/overlay", test_overlay, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/copy", test_copy, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/host-users", test_host_users, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/supervisor-killed", test_supervisor_killed, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/zoned-killed", test_zoned_killed, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/resize-at-boot", test_resize_at_boot, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/bad-input", test_bad_input, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/zonectl", test_zonectl, HARNESS_ZONECTL);
        HARNESS_TEST("/disk-quota/set", test_set, HARNESS_ZONECTL);
        return g_test_run();
}
