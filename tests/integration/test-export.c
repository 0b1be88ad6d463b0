/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ExportZoneTar and `zonectl export-tar`: a stopped zone's tree (an overlay
 * zone's merged view, whiteouts included, or a copy zone's tree) written as
 * a tarball imports back into an equal template; bad calls fail by name. */

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "harness.h"
#include "manifest.h"

/* The busybox fixture with a setuid file, a file capability, an xattr, odd owners and a hardlink. */
static char *make_source(Harness *h) {
        g_autofree char *src = g_build_filename(h->tmpdir, "src", NULL), *p = NULL, *q = NULL;
        uint32_t cap[5] = { 0x02000001, 1u << 13, 0, 0, 0 };
        g_auto(HarnessRun) r = { 0 };

        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  src, NULL } },
                &r);
        harness_assert_run(&r, 0, "cp -a of the busybox rootfs");
        p = g_build_filename(src, "bin", "suid", NULL);
        harness_write_file(p, "#!/bin/sh\n", 04755);
        g_free(p);
        p = g_build_filename(src, "bin", "ping-cap", NULL);
        harness_write_file(p, "#!/bin/sh\n", 0755);
        g_assert_no_errno(setxattr(p, "security.capability", cap, sizeof(cap), 0));
        g_free(p);
        p = g_build_filename(src, "notes", NULL);
        harness_write_file(p, "hello\n", 0640);
        g_assert_no_errno(lchown(p, 1000, 1001));
        g_assert_no_errno(setxattr(p, "user.zoned.test", "some value", 10, 0));
        q = g_build_filename(src, "notes-link", NULL);
        g_assert_no_errno(link(p, q));
        return g_steal_pointer(&src);
}

static GVariant *export_call(Harness *h, const char *zone, int fd, const char *format, GError **error) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (format)
                g_variant_builder_add(&options, "{sv}", "format", g_variant_new_string(format));
        return harness_manager_call_passing_fd(
                h, "ExportZoneTar", g_variant_new("(sha{sv})", zone, 0, &options), fd, "(uo)", error);
}

/* ExportZoneTar into file, waits for the end; returns the result (and the transfer's path). */
static char *export_to_file(Harness *h, const char *zone, const char *file, const char *format,
                            char **ret_path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        const char *path;
        guint32 id;

        g_assert_cmpint(fd, >=, 0);
        reply = export_call(h, zone, fd, format, &error);
        close(fd);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        if (ret_path)
                *ret_path = g_strdup(path);
        return harness_wait_transfer_removed(h, id, path, HARNESS_TRANSFER_TIMEOUT_MS);
}

static char *import_tar(Harness *h, const char *file, const char *name) {
        return harness_import_file(h, "ImportTemplateTar", file, name, "busybox");
}

static char *template_rootfs(Harness *h, const char *name) {
        return g_build_filename(h->state_dir, ".templates", name, "rootfs", NULL);
}

/* Changes in an overlay zone's upper dir as the zone would make them: a new
 * file, a changed owner, and a removed file (a whiteout). */
static void change_upper(Harness *h, const char *zone) {
        g_autofree char *upper = g_build_filename(h->state_dir, zone, "upper", NULL), *p = NULL;

        p = g_build_filename(upper, "added", NULL);
        harness_write_file(p, "made in the zone\n", 0600);
        g_assert_no_errno(lchown(p, 1234, 1234));
        g_free(p);
        p = g_build_filename(upper, "bin", NULL);
        g_assert_no_errno(mkdir(p, 0755));
        g_free(p);
        p = g_build_filename(upper, "bin", "suid", NULL);
        g_assert_no_errno(mknod(p, S_IFCHR | 0000, makedev(0, 0)));
}

/* The zone's tree as the kernel merges it, in a mount of our own. */
static char *mount_merged(Harness *h, const char *zone, const char *template_name) {
        g_autofree char *upper = g_build_filename(h->state_dir, zone, "upper", NULL);
        g_autofree char *lower = template_rootfs(h, template_name);
        g_autofree char *options = g_strdup_printf("lowerdir=%s:%s", upper, lower);
        char *where = g_build_filename(h->tmpdir, "merged", NULL);

        g_assert_no_errno(mkdir(where, 0755));
        g_assert_no_errno(mount("overlay", where, "overlay", MS_RDONLY, options));
        return where;
}

static void test_round_trip(Harness *h, gconstpointer data) {
        g_autofree char *src = NULL, *result = NULL, *file = NULL, *merged = NULL, *back = NULL, *p = NULL;
        g_autofree char *copy_rootfs = NULL, *gz = NULL;
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        src = make_source(h);
        result = harness_import_fs(h, src, "base", "busybox");
        g_assert_cmpstr(result, ==, "done");
        g_free(harness_create_zone(h, "ov", "base", false));
        g_free(harness_create_zone(h, "cp", "base", true));
        change_upper(h, "ov");

        /* The overlay zone, through D-Bus, as zstd. */
        file = g_build_filename(h->tmpdir, "ov.tar.zst", NULL);
        g_free(result);
        result = export_to_file(h, "ov", file, "zstd", NULL);
        g_assert_cmpstr(result, ==, "done");
        g_free(result);
        result = import_tar(h, file, "ov-back");
        g_assert_cmpstr(result, ==, "done");
        back = template_rootfs(h, "ov-back");
        merged = mount_merged(h, "ov", "base");
        manifest_assert_same(merged, back);
        g_assert_no_errno(umount(merged));
        p = g_build_filename(back, "added", NULL);
        g_assert_true(g_file_test(p, G_FILE_TEST_IS_REGULAR));
        g_free(p);
        p = g_build_filename(back, "bin", "suid", NULL);
        g_assert_false(g_file_test(p, G_FILE_TEST_EXISTS));

        /* The copy zone, through zonectl, compression from the file name. */
        gz = g_build_filename(h->tmpdir, "cp.tar.gz", NULL);
        harness_zonectl(h, &r, NULL, "export-tar", "cp", gz, NULL);
        harness_assert_run(&r, 0, "zonectl export-tar cp FILE.tar.gz");
        harness_run_clear(&r);
        /* A failed export speaks of the zone, never of a template. */
        {
                const char *env[] = { NULL, NULL };
                g_autofree char *bus = g_strconcat("DBUS_SYSTEM_BUS_ADDRESS=", h->bus_address, NULL);

                env[0] = bus;
                harness_run(
                        &(HarnessSpawn) {
                                .argv = (const char *const[]) { "/bin/sh", "-c",
                                                                "exec \"$0\" export-tar cp - >/dev/full",
                                                                g_getenv("ZONED_TEST_ZONECTL"), NULL },
                                .env_set = env },
                        &r);
                g_test_message("export-tar onto /dev/full (%d): %s", r.status, r.err);
                g_assert_cmpint(r.status, !=, 0);
                g_assert_nonnull(strstr(r.err, "export of zone \"cp\" failed"));
                g_assert_nonnull(strstr(r.err, "No space left on device"));
                harness_run_clear(&r);
        }
        harness_zonectl(h, &r, NULL, "import-tar", gz, "cp-back", "--brand=busybox", NULL);
        harness_assert_run(&r, 0, "zonectl import-tar of the export");
        harness_run_clear(&r);
        copy_rootfs = g_build_filename(h->state_dir, "cp", "rootfs", NULL);
        g_free(back);
        back = template_rootfs(h, "cp-back");
        manifest_assert_same(copy_rootfs, back);

        /* zonectl never overwrites a file. */
        harness_zonectl(h, &r, NULL, "export-tar", "cp", gz, NULL);
        if (r.status == 0 || !strstr(r.err, "File exists"))
                g_error("zonectl export-tar onto an existing file: status %d, stderr: %s", r.status, r.err);
}

static void test_bad_calls(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *file = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        int fd;

        if (harness_skipped(h))
                return;
        result = harness_import_fs(h, harness_busybox_rootfs(), "base", "busybox");
        g_assert_cmpstr(result, ==, "done");
        g_free(harness_create_zone(h, "z", "base", false));
        file = g_build_filename(h->tmpdir, "out.tar", NULL);
        fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        g_assert_cmpint(fd, >=, 0);

        reply = export_call(h, "nope", fd, NULL, &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchZone");
        g_clear_error(&error);
        reply = export_call(h, "../z", fd, NULL, &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.InvalidName");
        g_clear_error(&error);
        reply = export_call(h, "z", fd, "rar", &error);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        g_clear_error(&error);
        close(fd);
        /* A file open only for reading is nowhere to write. */
        fd = open(file, O_RDONLY | O_CLOEXEC);
        reply = export_call(h, "z", fd, NULL, &error);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        g_clear_error(&error);
        close(fd);

        /* A running zone's tree changes under the reader. */
        harness_boot_zone(h, "z");
        fd = open(file, O_WRONLY | O_CLOEXEC);
        reply = export_call(h, "z", fd, NULL, &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.Busy");
        close(fd);
        harness_poweroff_zone(h, "z");

        /* Once stopped it exports. */
        g_free(result);
        result = export_to_file(h, "z", file, NULL, NULL);
        g_assert_cmpstr(result, ==, "done");
}

/* A full disk is told as one: an export into a file on a full file system fails with "No space
 * left on device" (libarchive's errno), never an "Input/output error". The file is on a 1 MiB
 * tmpfs of the test's; the zone's tree is about twice that. */
static void test_full_disk(Harness *h, gconstpointer data) {
        g_autoptr(GHashTable) props = harness_transfer_props_new();
        g_autofree char *result = NULL, *dir = NULL, *file = NULL, *path = NULL, *error = NULL;
        TransferProps *p;
        guint subscription;

        if (harness_skipped(h))
                return;
        result = harness_import_fs(h, harness_busybox_rootfs(), "base", "busybox");
        g_assert_cmpstr(result, ==, "done");
        g_free(harness_create_zone(h, "z", "base", false));
        dir = g_build_filename(h->tmpdir, "full", NULL);
        g_assert_no_errno(mkdir(dir, 0700));
        g_assert_no_errno(mount("zoned-test-full", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700"));
        file = g_build_filename(dir, "z.tar", NULL);
        subscription = harness_transfer_props_subscribe(h, props);
        g_free(result);
        result = export_to_file(h, "z", file, "tar", &path);
        g_dbus_connection_signal_unsubscribe(h->conn, subscription);
        p = g_hash_table_lookup(props, path);
        error = g_strdup(p ? p->error : NULL);
        g_assert_no_errno(umount2(dir, MNT_DETACH));
        if (!g_str_equal(result, "failed") || !error || !strstr(error, "No space left on device"))
                g_error("export-tar onto a full disk: %s, \"%s\"", result, error ? error : "");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/export/round-trip", test_round_trip, HARNESS_ZONECTL);
        HARNESS_TEST("/export/bad-calls", test_bad_calls, HARNESS_DEFAULT);
        HARNESS_TEST("/export/full-disk", test_full_disk, HARNESS_DEFAULT);
        return g_test_run();
}
