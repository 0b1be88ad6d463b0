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

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/nesting/mounts", test_nesting, HARNESS_ZONECTL);
        return g_test_run();
}
