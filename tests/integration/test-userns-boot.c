/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Zones booted in user namespaces of their own (the default): the init runs as the host uid of the zone's
 * range, the namespaces it was born with are its user namespace's, what it writes keeps on disk
 * the ids it sees (so that exports are unshifted) and the template is never changed; a file system
 * that cannot be idmapped fails the boot with a message that names it. */

#include <glib/gstdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "harness.h"

#define RANGE 65536

/* "Uid:\treal\teffective\tsaved\tfs" of /proc/PID/status: the real one. */
static guint32 host_uid_of(pid_t pid) {
        g_autofree char *uid = harness_proc_status_field(pid, "Uid");

        g_assert_nonnull(uid);
        return (guint32) g_ascii_strtoull(uid, NULL, 10);
}

static void stat_owner(const char *path, guint32 *uid, guint32 *gid) {
        struct stat st;

        if (lstat(path, &st) < 0)
                g_error("stat %s: %s", path, g_strerror(errno));
        *uid = st.st_uid;
        *gid = st.st_gid;
}

static void assert_owner(const char *path, guint32 uid, guint32 gid) {
        guint32 u, g;

        stat_owner(path, &u, &g);
        if (u != uid || g != gid)
                g_error("%s is owned by %u:%u on disk, expected %u:%u", path, u, g, uid, gid);
}

static char *zone_sh(Harness *h, const char *name, const char *script) {
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/sh", "-c", script, NULL);
        if (r.status != 0)
                g_error("zonectl shell %s -- sh -c '%s': exit %d\n%s%s", name, script, r.status, r.out,
                        r.err);
        return g_strdup(g_strstrip(r.out));
}

/* The init's ids and namespaces. */
static guint32 assert_init_is_zone_root(Harness *h, const char *name, guint32 leader) {
        static const char *const owned[] = { "pid", "net", "uts", "ipc", "mnt", "cgroup" };
        g_autofree char *id = NULL;
        guint32 shift = 0;

        if (!harness_pid_userns_shift((pid_t) leader, &shift))
                g_error("the init of zone %s runs in the host's user namespace", name);
        g_assert_cmpuint(shift, >=, 524288);
        g_assert_cmpuint(host_uid_of((pid_t) leader), ==, shift);
        for (size_t i = 0; i < G_N_ELEMENTS(owned); i++)
                if (!harness_ns_owned_by_own_userns((pid_t) leader, owned[i]))
                        g_error("the %s namespace of zone %s is not its user namespace's", owned[i], name);

        /* A command run in the zone is the zone's root, which is the same host uid. */
        id = zone_sh(h, name, "id -u; id -g; cat /proc/self/uid_map");
        {
                g_autofree char *want = g_strdup_printf("0\n0\n         0 %10u %10u", shift, RANGE);
                g_assert_cmpstr(id, ==, want);
        }
        return shift;
}

/* What the zone writes is owned on disk by the ids it sees; the template it wrote over is unchanged. */
static void assert_files_unshifted(Harness *h, const char *name) {
        g_autofree char *upper = g_build_filename(h->state_dir, name, "upper", NULL);
        g_autofree char *template_file = g_build_filename(h->state_dir, ".templates", "bb", "rootfs", "etc",
                                                          "zone-test", NULL);
        g_autofree char *new_file = g_build_filename(upper, "root-file", NULL);
        g_autofree char *chowned = g_build_filename(upper, "user-file", NULL);
        g_autofree char *copied_up = g_build_filename(upper, "etc", "zone-test", NULL);
        g_autofree char *text = NULL, *seen = NULL;

        seen = zone_sh(h, name,
                       "echo new > /root-file && echo user > /user-file && chown 1000:1001 /user-file && "
                       "echo zone > /etc/zone-test && stat -c '%u:%g' /etc/zone-test / /bin/busybox");
        g_assert_cmpstr(seen, ==, "0:0\n0:0\n0:0");
        assert_owner(new_file, 0, 0);
        assert_owner(chowned, 1000, 1001);
        assert_owner(copied_up, 0, 0);
        g_assert_true(g_file_get_contents(template_file, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "template\n");
        assert_owner(template_file, 0, 0);
}

/* export-tar reads the zone's layers as they are on disk: owners as the zone sees them. */
static void assert_export_unshifted(Harness *h, const char *name) {
        g_autofree char *tar = g_build_filename(h->tmpdir, "export.tar", NULL);
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl_ok(h, NULL, "zonectl export-tar", "export-tar", name, tar, NULL);
        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/usr/bin/tar", "--numeric-owner",
                                                                      "-tvf", tar, "./user-file",
                                                                      "./root-file", NULL } },
                    &r);
        harness_assert_run(&r, 0, "tar -tvf the export");
        if (!strstr(r.out, " 1000/1001 ") || !strstr(r.out, " 0/0 "))
                g_error("the export has shifted owners:\n%s", r.out);
}

static void import_busybox_with_marker(Harness *h) {
        g_autofree char *marker = g_build_filename(h->state_dir, ".templates", "bb", "rootfs", "etc",
                                                   "zone-test", NULL);

        harness_zonectl_ok(h, NULL, "zonectl import-fs", "import-fs", harness_busybox_rootfs(), "bb",
                           "--brand=busybox", NULL);
        harness_write_file(marker, "template\n", 0644);
}

static void test_story(Harness *h, gconstpointer data) {
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_busybox_with_marker(h);
        g_free(harness_create_zone(h, "u1", "bb", false));
        leader = harness_boot_zone(h, "u1");
        assert_init_is_zone_root(h, "u1", leader);
        assert_files_unshifted(h, "u1");
        harness_poweroff_zone(h, "u1");
        assert_export_unshifted(h, "u1");
}

/* A copied zone's tree is idmapped as one: the zone's root writes 0:0 on disk. */
static void test_copy(Harness *h, gconstpointer data) {
        g_autofree char *file = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        import_busybox_with_marker(h);
        g_free(harness_create_zone(h, "c1", "bb", true));
        leader = harness_boot_zone(h, "c1");
        assert_init_is_zone_root(h, "c1", leader);
        g_free(zone_sh(h, "c1", "echo x > /copied-file"));
        file = g_build_filename(h->state_dir, "c1", "rootfs", "copied-file", NULL);
        assert_owner(file, 0, 0);
        harness_poweroff_zone(h, "c1");
}

/* A template on a file system that cannot be idmapped (ramfs): the boot fails and says which. */
static void test_unmappable(Harness *h, gconstpointer data) {
        g_autofree char *rootfs = NULL, *state = NULL, *status = NULL;
        g_autoptr(GVariant) text = NULL;
        g_auto(HarnessRun) r = { 0 }, copy = { 0 };

        if (harness_skipped(h))
                return;
        harness_zonectl_ok(h, NULL, "zonectl import-fs", "import-fs", harness_busybox_rootfs(), "bb",
                           "--brand=busybox", NULL);
        rootfs = g_build_filename(h->state_dir, ".templates", "bb", "rootfs", NULL);
        if (mount("ramfs", rootfs, "ramfs", 0, NULL) < 0)
                g_error("mount ramfs on %s: %s", rootfs, g_strerror(errno));
        {
                g_autofree char *src = g_strconcat(harness_busybox_rootfs(), "/.", NULL);

                harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/usr/bin/cp", "-a", src,
                                                                              rootfs, NULL } },
                            &copy);
        }
        harness_assert_run(&copy, 0, "cp -a the busybox tree into the ramfs");
        g_free(harness_create_zone(h, "r1", "bb", false));

        harness_zonectl(h, &r, NULL, "boot", "r1", NULL);
        (void) umount2(rootfs, MNT_DETACH);
        g_assert_cmpint(r.status, !=, 0);
        if (!strstr(r.err, "cannot be idmapped") || !strstr(r.err, rootfs))
                g_error("the failed boot does not say which file system cannot be idmapped:\n%s", r.err);
        state = harness_zone_state(h, "r1");
        g_assert_cmpstr(state, ==, "failed");
        text = harness_zone_property(h, "r1", "StatusText");
        g_assert_nonnull(strstr(g_variant_get_string(text, NULL), "cannot be idmapped"));
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/userns-boot/story", test_story, HARNESS_ZONECTL);
        HARNESS_TEST("/userns-boot/copy", test_copy, HARNESS_ZONECTL);
        HARNESS_TEST("/userns-boot/unmappable", test_unmappable, HARNESS_ZONECTL);
        return g_test_run();
}
