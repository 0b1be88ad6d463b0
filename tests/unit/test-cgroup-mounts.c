/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one mountinfo parser for cgroup mounts (common/cgroup-mounts.c). */

#include <glib.h>
#include <glib/gstdio.h>

#include "cgroup-mounts.h"

/* A hybrid host's lines, one hierarchy mounted twice, a mount point with a space, a bind of a
 * sub-cgroup, other file systems and a line without its separator. */
static const char mountinfo[] =
        "22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        "30 24 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
        "31 24 0:27 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
        "35 24 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:15 - cgroup cgroup rw,cpu,cpuacct\n"
        "36 24 0:31 / /mnt/cpu\\040again rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
        "37 24 0:32 /zoned/web /srv/web\\040cg rw shared:16 - cgroup cgroup rw,memory\n"
        "38 24 0:33 / /broken rw\n"
        "39 24 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";

static void test_load(void) {
        g_autofree char *dir = g_dir_make_tmp("cgroup-mounts-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "mountinfo", NULL);
        CgroupMount *m = NULL;
        size_t n = 0;
        char *d;

        g_assert_true(g_file_set_contents(path, mountinfo, -1, NULL));
        g_assert_cmpint(cgroup_mounts_load(path, &m, &n), ==, 0);
        g_assert_cmpuint(n, ==, 5);

        g_assert_true(m[0].v2);
        g_assert_cmpstr(m[0].where, ==, "/sys/fs/cgroup/unified");
        g_assert_cmpstr(m[0].dev, ==, "0:26");
        g_assert_false(m[1].v2);
        g_assert_true(cgroup_mount_has_controllers(&m[1], "name=systemd"));
        g_assert_true(cgroup_mount_has_controllers(&m[2], "cpu,cpuacct"));
        g_assert_false(cgroup_mount_has_controllers(&m[2], "cpu,memory"));
        g_assert_false(cgroup_mount_has_controllers(&m[2], "cpuset"));
        /* The same hierarchy again (same dev), at a path with an escaped space. */
        g_assert_cmpstr(m[3].dev, ==, m[2].dev);
        g_assert_cmpstr(m[3].where, ==, "/mnt/cpu again");

        /* A cgroup under a mount of the hierarchy's root, and under a mount of a sub-cgroup. */
        d = cgroup_mount_dir(&m[2], "/zoned/web");
        g_assert_cmpstr(d, ==, "/sys/fs/cgroup/cpu,cpuacct/zoned/web");
        g_free(d);
        g_assert_cmpstr(m[4].root, ==, "/zoned/web");
        d = cgroup_mount_dir(&m[4], "/zoned/web/payload");
        g_assert_cmpstr(d, ==, "/srv/web cg/payload");
        g_free(d);
        g_assert_null(cgroup_mount_dir(&m[4], "/zoned/webby"));
        g_assert_null(cgroup_mount_dir(&m[4], "/other"));

        cgroup_mounts_free(m, n);
        g_assert_cmpint(g_unlink(path), ==, 0);
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void test_missing(void) {
        CgroupMount *m = NULL;
        size_t n = 0;

        g_assert_cmpint(cgroup_mounts_load("/nonexistent/mountinfo", &m, &n), ==, -ENOENT);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cgroup-mounts/load", test_load);
        g_test_add_func("/cgroup-mounts/missing", test_missing);
        return g_test_run();
}
