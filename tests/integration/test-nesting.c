/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Nesting=yes: what a container manager in a zone needs. In a Debian zone created with
 * --nesting=yes, a user namespace with a PID namespace of its own mounts its procfs
 * (`unshare -Urpf --mount-proc`), and one with a network namespace of its own mounts a read-only
 * sysfs, as podman, LXC or a nested zoned do; in the same zone without it both are refused with
 * the kernel's EPERM, as before. The escape suite runs against a nesting zone in test-escape. */

#include "harness.h"

static void create_and_boot(Harness *h, const char *name, bool nesting) {
        harness_zonectl_ok(h, NULL, "zonectl create", "create", name, "-t", "deb",
                           nesting ? "--nesting=yes" : "--nesting=no", NULL);
        harness_boot_zone(h, name);
}

/* The unshare(1) runs in zone name: exit status, and what it said. */
static int zone_unshare(Harness *h, const char *name, const char *script, char **ret_out) {
        int status;

        *ret_out = harness_zone_sh_status(h, name, script, &status);
        g_test_message("%s: %s: %d: %s", name, script, status, *ret_out);
        return status;
}

#define MOUNT_PROC "unshare -Urpf --mount-proc sh -c 'test -r /proc/self/status && echo pid=$$'"
#define MOUNT_SYS \
        "unshare -Urn --mount sh -c 'mount -t sysfs -o ro sysfs /mnt && ls /mnt/kernel >/dev/null && echo sysfs'"

/* overlayfs over a tmpfs of the zone's own, as a nested runtime stacks its layers. */
#define MOUNT_OVERLAY                                                                                 \
        "mount -t tmpfs layers /mnt && mkdir /mnt/l /mnt/u /mnt/w /mnt/m && echo lower >/mnt/l/f && " \
        "mount -t overlay ov -o lowerdir=/mnt/l,upperdir=/mnt/u,workdir=/mnt/w /mnt/m && "            \
        "echo upper >/mnt/m/g && cat /mnt/m/f /mnt/u/g && umount /mnt/m && umount /mnt"

static void test_nesting(Harness *h, gconstpointer data) {
        g_autofree char *out = NULL, *cfg = NULL, *text = NULL;
        g_autoptr(GVariant) nesting = NULL;
        g_auto(HarnessRun) status = { 0 };
        const char *rootfs;

        if (harness_skipped(h))
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;
        g_free(harness_import_fs(h, rootfs, "deb", NULL));

        create_and_boot(h, "nest", true);
        nesting = harness_zone_property(h, "nest", "Nesting");
        g_assert_true(g_variant_get_boolean(nesting));
        cfg = g_strdup_printf("%s/nest.zone", h->config_dir);
        g_assert_true(g_file_get_contents(cfg, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "Nesting=true\n"));
        harness_zonectl(h, &status, NULL, "status", "nest", NULL);
        harness_assert_run(&status, 0, "zonectl status nest");
        g_assert_nonnull(strstr(status.out, "Nesting: yes"));

        /* A PID namespace of its own shows itself in a procfs of its own: the first process is 1. */
        g_assert_cmpint(zone_unshare(h, "nest", MOUNT_PROC, &out), ==, 0);
        g_assert_nonnull(strstr(out, "pid=1"));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(zone_unshare(h, "nest", MOUNT_SYS, &out), ==, 0);
        g_assert_nonnull(strstr(out, "sysfs"));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(zone_unshare(h, "nest", MOUNT_OVERLAY, &out), ==, 0);
        g_assert_cmpstr(out, ==, "lower\nupper\n");
        g_clear_pointer(&out, g_free);
        harness_poweroff_zone(h, "nest");

        /* Without Nesting=yes the kernel refuses both: the zone's /proc and /sys are not fully
         * visible (its masks), and no other one is. */
        create_and_boot(h, "flat", false);
        g_clear_pointer(&nesting, g_variant_unref);
        nesting = harness_zone_property(h, "flat", "Nesting");
        g_assert_false(g_variant_get_boolean(nesting));
        g_assert_cmpint(zone_unshare(h, "flat", MOUNT_PROC, &out), !=, 0);
        g_assert_nonnull(strstr(out, "Operation not permitted"));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(zone_unshare(h, "flat", MOUNT_SYS, &out), !=, 0);
        g_assert_nonnull(strstr(out, "ermission denied"));
        harness_poweroff_zone(h, "flat");
}

#define PODMAN_RUN                                                              \
        "podman import /root/busybox.tar localhost/busybox >/dev/null 2>&1 && " \
        "podman run --rm localhost/busybox echo hi 2>&1"

/* The Debian tree of the nested managers (tests/fixtures/build-debian-rootfs.sh ...): podman, and
 * the libraries the zoned built here links to, so that it runs in the zone as it is. NULL: skipped. */
static char *nesting_rootfs(void) {
        g_auto(HarnessRun) r = { 0 };

        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/bin/bash",
                                                                      g_getenv("ZONED_TEST_DEBIAN_SCRIPT"),
                                                                      "bookworm", "amd64", "podman",
                                                                      "libarchive13", "libcurl4",
                                                                      "libglib2.0-0", "libnftables1",
                                                                      "libnl-route-3-200", "libmnl0", NULL },
                                      .timeout_ms = 900000 },
                    &r);
        if (r.status != 0) {
                g_test_skip_printf(
                        "no Debian bookworm tree with podman: build-debian-rootfs.sh failed (%d): %s",
                        r.status, r.err);
                return NULL;
        }
        return g_strdup(g_strstrip(r.out));
}

/* podman in a nesting zone runs a container from an image made here, of the busybox fixture:
 * nothing is fetched. */
static void test_podman(Harness *h, gconstpointer data) {
        g_autofree char *rootfs = NULL, *tree = NULL, *cmd = NULL, *out = NULL;
        int status;

        if (harness_skipped(h))
                return;
        if (g_getenv("ZONED_TEST_SANITIZED")) {
                g_test_skip("podman's work in the zone gains nothing from sanitizers; zoned boots the same "
                            "nesting zone in /nesting/mounts here, and the plain build runs podman");
                return;
        }
        rootfs = nesting_rootfs();
        if (!rootfs)
                return;
        g_free(harness_import_fs(h, rootfs, "pod", NULL));
        tree = g_build_filename(h->state_dir, ".templates", "pod", "rootfs", NULL);
        cmd = g_strdup_printf("tar --numeric-owner -C '%s' -cf '%s/root/busybox.tar' .",
                              harness_busybox_rootfs(), tree);
        g_assert_cmpint(system(cmd), ==, 0);
        /* The zone's root is an overlayfs, on which podman's overlay driver cannot put its layers. */
        g_free(cmd);
        cmd = g_build_filename(tree, "etc/containers/storage.conf", NULL);
        harness_write_file(cmd,
                           "[storage]\ndriver = \"vfs\"\nrunroot = \"/run/containers/storage\"\n"
                           "graphroot = \"/var/lib/containers/storage\"\n",
                           0644);
        /* On a cgroup v1 hybrid host the zone's cgroup2 has no controllers to give podman's
         * containers limits with (the zone's own limits hold from outside). */
        g_free(cmd);
        cmd = g_build_filename(tree, "etc/containers/containers.conf", NULL);
        harness_write_file(cmd, "[containers]\npids_limit = 0\n", 0644);
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "ci", "-t", "pod", "--nesting=yes", NULL);
        harness_boot_zone(h, "ci");
        out = harness_zone_sh_status(h, "ci", PODMAN_RUN, &status);
        g_test_message("podman in a nesting zone (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_assert_cmpstr(out, ==, "hi\n");
        harness_poweroff_zone(h, "ci");
        g_clear_pointer(&out, g_free);

        /* Without Nesting=yes the container's procfs is refused, and podman says so. */
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "flat", "-t", "pod", NULL);
        harness_boot_zone(h, "flat");
        out = harness_zone_sh_status(h, "flat", PODMAN_RUN, &status);
        g_test_message("podman in a zone without nesting (%d): %s", status, out);
        g_assert_cmpint(status, !=, 0);
        g_assert_nonnull(strstr(out, "proc"));
        g_assert_nonnull(strstr(out, "Operation not permitted"));
        harness_poweroff_zone(h, "flat");
}

/* The zoned, supervisor, zonectl and brands of this build, and the busybox fixture as a tar, into
 * the template's tree: /usr/local as an install would put them. */
static void install_zoned(const char *tree) {
        g_autofree char *cmd = g_strdup_printf(
                "set -e; cd '%1$s'; mkdir -p usr/local/sbin usr/local/bin usr/local/libexec "
                "usr/local/share/zoned; cp '%2$s' usr/local/sbin/zoned; cp '%3$s' "
                "usr/local/libexec/zoned-supervisor; cp '%4$s' usr/local/bin/zonectl; cp -r '%5$s' "
                "usr/local/share/zoned/brands; tar --numeric-owner -C '%6$s' -cf root/busybox.tar .",
                tree, g_getenv("ZONED_TEST_ZONED"), g_getenv("ZONED_TEST_SUPERVISOR"),
                g_getenv("ZONED_TEST_ZONECTL"), g_getenv("ZONED_TEST_BRANDS_DIR"), harness_busybox_rootfs());
        g_assert_cmpint(system(cmd), ==, 0);
}

/* zoned in the zone, as a service of the zone's systemd, serving its private socket only; the
 * script waits until it answers. */
#define NESTED_ZONED_START                                                                                \
        "systemd-run --quiet --unit=zoned --property=Delegate=yes /usr/local/sbin/zoned --no-system-bus " \
        "--supervisor=/usr/local/libexec/zoned-supervisor --brands-dir=/usr/local/share/zoned/brands "    \
        "--no-lxcfs && for i in $(seq 100); do zonectl list >/dev/null 2>&1 && exit 0; sleep 0.1; done; " \
        "journalctl -u zoned --no-pager; exit 1"
#define NESTED_ZONE_BOOT                                                                \
        "zonectl import-tar /root/busybox.tar bb --brand=busybox 2>&1 && "              \
        "zonectl create inner -t bb --network=none 2>&1 && zonectl boot inner 2>&1 && " \
        "zonectl shell inner -- cat /proc/self/uid_map 2>&1 || "                        \
        "{ journalctl -u zoned --no-pager -o cat | tail -40; exit 1; }"
#define NESTED_ZONE_POWEROFF "zonectl poweroff inner 2>&1 && zonectl status inner 2>&1"
/* Its export carries the zone's own ids, not those its shifted copy has on disk. */
#define NESTED_ZONE_EXPORT                                                                             \
        "zonectl export-tar inner /root/inner.tar 2>&1 && tar --numeric-owner -tvf /root/inner.tar | " \
        "awk '{ split($2, o, \"/\"); if (o[1] + 0 >= 65536 || o[2] + 0 >= 65536) bad++; n++ } "        \
        "END { print \"entries=\" n, \"beyond=\" bad + 0 }'"
/* In a zone without Nesting=yes: the create is refused, and leaves no zone. */
#define FLAT_ZONE_CREATE                                                                                  \
        "zonectl import-tar /root/busybox.tar bb --brand=busybox 2>&1 || exit 2; "                        \
        "zonectl create inner -t bb --network=none 2>&1 && exit 3; zonectl status inner 2>&1 && exit 4; " \
        "ls /etc/zones /var/lib/zones 2>&1; exit 0"

static unsigned count_lines_with(const char *text, const char *what) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        unsigned n = 0;

        for (char **l = lines; *l; l++)
                n += strstr(*l, what) != NULL;
        return n;
}

static void assert_no_leftovers(Harness *h, const char *name) {
        g_autofree char *left = harness_zone_leftovers(h, name);

        if (left)
                g_test_message("zone %s left: %s", name, left);
        g_assert_null(left);
}

/* zoned built here, run in a nesting zone on its private socket, boots a busybox zone of its own
 * (ids from the nesting zone's range, its tree a shifted copy) and powers it off. */
static void test_nested_zoned(Harness *h, gconstpointer data) {
        g_autofree char *rootfs = NULL, *tree = NULL, *out = NULL;
        g_autoptr(GPtrArray) mounts = NULL, after = NULL;
        int status;

        if (harness_skipped(h))
                return;
        if (g_getenv("ZONED_TEST_SANITIZED")) {
                g_test_skip("the zoned copied into the zone would be the sanitized build's, which needs "
                            "the sanitizer runtimes in the zone's tree: the plain build runs it (the unit "
                            "tests of its uid pool and shifted copies run sanitized)");
                return;
        }
        rootfs = nesting_rootfs();
        if (!rootfs)
                return;
        g_free(harness_import_fs(h, rootfs, "zd", NULL));
        tree = g_build_filename(h->state_dir, ".templates", "zd", "rootfs", NULL);
        install_zoned(tree);

        harness_zonectl_ok(h, NULL, "zonectl create", "create", "lab", "-t", "zd", "--nesting=yes", NULL);
        harness_boot_zone(h, "lab");
        out = harness_zone_sh_status(h, "lab", NESTED_ZONED_START, &status);
        g_test_message("zoned in a nesting zone (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh_status(h, "lab", NESTED_ZONE_BOOT, &status);
        g_test_message("a zone in the nesting zone (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh_status(h, "lab", NESTED_ZONE_POWEROFF, &status);
        g_test_message("its poweroff (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_assert_nonnull(strstr(out, "stopped"));
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh_status(h, "lab", NESTED_ZONE_EXPORT, &status);
        g_test_message("its export (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_assert_true(g_regex_match_simple("^entries=[1-9][0-9]* beyond=0$", out, G_REGEX_MULTILINE, 0));
        harness_poweroff_zone(h, "lab");
        g_clear_pointer(&out, g_free);
        assert_no_leftovers(h, "lab");

        /* The same zoned in a zone without Nesting=yes: its namespace maps the zone's own 65536
         * ids only, so zoned starts but refuses private zones, naming what is missing; the host
         * keeps the mounts it had. */
        mounts = harness_mounts_under("/");
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "flat", "-t", "zd", NULL);
        harness_boot_zone(h, "flat");
        out = harness_zone_sh_status(h, "flat", NESTED_ZONED_START, &status);
        g_test_message("zoned in a zone without nesting (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh_status(h, "flat", FLAT_ZONE_CREATE, &status);
        g_test_message("a zone in it (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_assert_nonnull(strstr(out, "no host ids for zone inner"));
        g_assert_nonnull(strstr(out, "give that zone Nesting=yes"));
        g_assert_null(strstr(out, "inner.zone"));
        harness_poweroff_zone(h, "flat");
        assert_no_leftovers(h, "flat");
        after = harness_mounts_under("/");
        g_assert_cmpuint(after->len, ==, mounts->len);
}

#define FUSE_MOUNT                                                                                      \
        "mkdir -p /tmp/f && mount -t fuse -o fd=3,rootmode=40000,user_id=0,group_id=0 zonefuse /tmp/f " \
        "3<>/dev/fuse 2>&1 && grep ' /tmp/f fuse' /proc/mounts && umount /tmp/f 2>&1"
#define TUN_LINK "tunctl -t ztun0 2>&1 && ip link show ztun0 2>&1 && tunctl -d ztun0 2>&1"

/* DeviceAllow=: a zone given /dev/fuse and /dev/net/tun has both nodes, mounts a FUSE file system
 * and makes a tun link; a zone without them has neither, cannot make them (its user namespace),
 * and a zone of the host's users that makes the nodes cannot open them (the device policy). A
 * device no zone may have is refused by name and leaves no zone. */
static void test_devices(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) r = { 0 }, bad = { 0 };
        g_autoptr(GVariant) allow = NULL;
        g_autofree char *out = NULL, *cfg = NULL, *text = NULL;
        int status;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        harness_zonectl_ok(h, NULL, "zonectl create --device", "create", "dev", "-t", "bb", "--network=none",
                           "--device=/dev/net/tun", "--device=/dev/fuse", NULL);
        allow = harness_zone_property(h, "dev", "DeviceAllow");
        g_assert_cmpuint(g_variant_n_children(allow), ==, 2);
        cfg = g_strdup_printf("%s/dev.zone", h->config_dir);
        g_assert_true(g_file_get_contents(cfg, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "\nDeviceAllow=/dev/fuse /dev/net/tun\n"));
        harness_boot_zone(h, "dev");
        harness_zonectl(h, &r, NULL, "status", "dev", NULL);
        harness_assert_run(&r, 0, "zonectl status dev");
        g_assert_nonnull(strstr(r.out, "Devices: /dev/fuse /dev/net/tun\n"));
        out = harness_zone_sh_status(h, "dev", "ls -l /dev/fuse /dev/net/tun", &status);
        g_test_message("%s", out);
        g_assert_cmpint(status, ==, 0);
        g_assert_true(
                g_regex_match_simple("^crw-rw-rw- .* 10, +229 .*/dev/fuse$", out, G_REGEX_MULTILINE, 0));
        g_assert_true(
                g_regex_match_simple("^crw-rw-rw- .* 10, +200 .*/dev/net/tun$", out, G_REGEX_MULTILINE, 0));
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh_status(h, "dev", FUSE_MOUNT, &status);
        g_test_message("fuse (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_assert_nonnull(strstr(out, "zonefuse /tmp/f fuse"));
        g_clear_pointer(&out, g_free);
        out = harness_zone_sh_status(h, "dev", TUN_LINK, &status);
        g_test_message("tun (%d): %s", status, out);
        g_assert_cmpint(status, ==, 0);
        g_assert_nonnull(strstr(out, "ztun0"));
        harness_poweroff_zone(h, "dev");
        g_clear_pointer(&out, g_free);

        /* Without DeviceAllow=: no nodes, and the zone's root cannot make them. */
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "plain", "-t", "bb", "--network=none", NULL);
        harness_boot_zone(h, "plain");
        out = harness_zone_sh_status(h, "plain",
                                     "test -e /dev/fuse && echo has-fuse; test -e /dev/net && echo has-net; "
                                     "mknod /tmp/fuse c 10 229 2>&1",
                                     &status);
        g_test_message("plain (%d): %s", status, out);
        g_assert_cmpint(status, !=, 0);
        g_assert_null(strstr(out, "has-"));
        g_assert_nonnull(strstr(out, "Operation not permitted"));
        harness_poweroff_zone(h, "plain");
        g_clear_pointer(&out, g_free);

        /* The host's users: mknod is the zone root's, opening what it made is not (in /dev: /tmp is nodev,
         * which would refuse it first). */
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "trusted", "-t", "bb", "--network=none",
                           "--private-users=no", NULL);
        harness_boot_zone(h, "trusted");
        out = harness_zone_sh_status(
                h, "trusted",
                "mknod /dev/zfuse c 10 229 && mknod /dev/ztun c 10 200 && echo made; "
                "cat /dev/zfuse 2>&1; cat /dev/ztun 2>&1; cat /dev/null && echo opened-null; exit 0",
                &status);
        g_test_message("trusted (%d): %s", status, out);
        g_assert_nonnull(strstr(out, "made"));
        g_assert_cmpuint(count_lines_with(out, "Operation not permitted"), ==, 2);
        g_assert_nonnull(strstr(out, "opened-null"));
        harness_poweroff_zone(h, "trusted");

        harness_zonectl(h, &bad, NULL, "create", "disk", "-t", "bb", "--device=/dev/sda", NULL);
        g_test_message("%s", bad.err);
        g_assert_cmpint(bad.status, !=, 0);
        g_assert_nonnull(strstr(bad.err, "/dev/sda is not a device a zone may be given"));
        g_free(cfg);
        cfg = g_strdup_printf("%s/disk.zone", h->config_dir);
        g_assert_false(g_file_test(cfg, G_FILE_TEST_EXISTS));
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/nesting/mounts", test_nesting, HARNESS_ZONECTL);
        HARNESS_TEST("/nesting/podman", test_podman, HARNESS_ZONECTL);
        HARNESS_TEST("/nesting/zoned", test_nested_zoned, HARNESS_ZONECTL);
        HARNESS_TEST("/nesting/devices", test_devices, HARNESS_ZONECTL);
        return g_test_run();
}
