/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two cgroup backends' conversions, written into a directory that stands for a zone's cgroup
 * (the real thing is measured in zones by tests/integration/test-limits.c and test-cgroup2-vm.c):
 * v1's memsw = memory + swap, cfs quota per 100 ms period, shares from weights, throttling on the
 * payload too; v2's files; what each refuses; and the usage readers. */

#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>

#include "cgroup-limits.h"
#include "macro.h"

static const char *const v1_files[] = {
        "memory.limit_in_bytes",
        "memory.memsw.limit_in_bytes",
        "cpu.cfs_period_us",
        "cpu.cfs_quota_us",
        "cpu.shares",
        "cpuset.cpus",
        "pids.max",
        "blkio.throttle.write_bps_device",
        "payload/blkio.throttle.write_bps_device",
        "memory.usage_in_bytes",
        "memory.max_usage_in_bytes",
        "memory.oom_control",
        "payload/memory.oom_control",
        "cpuacct.usage",
        "pids.current",
        "blkio.throttle.io_service_bytes_recursive",
};
static const char *const v2_files[] = {
        "memory.max",  "memory.high",   "memory.swap.max", "cpu.max",      "cpu.weight",
        "cpuset.cpus", "pids.max",      "io.weight",       "io.max",       "memory.current",
        "memory.peak", "memory.events", "cpu.stat",        "pids.current", "io.stat",
};

static char *make_tree(bool v2, CgroupLimitPaths *p) {
        g_autofree char *root = g_dir_make_tmp("test-cgroup-limits-XXXXXX", NULL);
        char *dir = g_build_filename(root, "zone", NULL);
        const char *const *files = v2 ? v2_files : v1_files;
        size_t n = v2 ? G_N_ELEMENTS(v2_files) : G_N_ELEMENTS(v1_files);

        g_assert_no_errno(g_mkdir_with_parents(dir, 0755));
        for (size_t i = 0; i < n; i++) {
                g_autofree char *f = g_build_filename(dir, files[i], NULL), *d = g_path_get_dirname(f);

                g_assert_no_errno(g_mkdir_with_parents(d, 0755));
                g_assert_true(g_file_set_contents(f, "", 0, NULL));
        }
        for (CgroupController c = 0; c < _CGROUP_CONTROLLER_MAX; c++) {
                p->dir[c] = g_strdup(dir);
                p->root[c] = g_strdup(dir); /* the hierarchy's root has the same files here */
                p->v2[c] = v2;
        }
        return dir;
}

static char *read_file(const char *dir, const char *name) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return text;
}

static void write_file(const char *dir, const char *name, const char *text) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void assert_file(const char *dir, const char *name, const char *want) {
        g_autofree char *text = read_file(dir, name);

        g_assert_cmpstr(text, ==, want);
}

static void set(ZoneLimits *l, const char *assignment) {
        g_assert_cmpint(zone_limits_parse_assignment(l, assignment), ==, 0);
}

static void remove_tree(char *dir) {
        g_autofree char *top = g_path_get_dirname(dir);
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", top);

        g_assert_cmpint(system(cmd), ==, 0);
        g_free(dir);
}

static void test_v1(void) {
        CgroupLimitPaths p = {};
        char *dir = make_tree(false, &p);
        ZoneLimits l = {};
        const char *why = NULL;
        LimitKey k = 0;
        ZoneUsage u;

        set(&l, "MemoryMax=512M");
        set(&l, "MemorySwapMax=1G");
        set(&l, "CPUQuotaPerSecUSec=150%");
        set(&l, "CPUWeight=200");
        set(&l, "AllowedCPUs=0");
        set(&l, "TasksMax=256");
        set(&l, "IOWriteBandwidthMax=254:0:2M");
        g_assert_cmpint(cgroup_limits_check(&p, &l, zone_limits_cgroup_mask(&l), &k, &why), ==, 0);
        g_assert_cmpint(cgroup_limits_apply(&p, &l, zone_limits_cgroup_mask(&l), &k), ==, 0);
        assert_file(dir, "memory.limit_in_bytes", "536870912");
        assert_file(dir, "memory.memsw.limit_in_bytes", "1610612736");
        assert_file(dir, "cpu.cfs_period_us", "100000");
        assert_file(dir, "cpu.cfs_quota_us", "150000");
        assert_file(dir, "cpu.shares", "2048");
        assert_file(dir, "cpuset.cpus", "0");
        assert_file(dir, "pids.max", "256");
        assert_file(dir, "blkio.throttle.write_bps_device", "254:0 2000000");
        assert_file(dir, "payload/blkio.throttle.write_bps_device", "254:0 2000000");

        /* No limit: v1's spellings. */
        set(&l, "MemoryMax=infinity");
        set(&l, "CPUQuotaPerSecUSec=infinity");
        set(&l, "TasksMax=infinity");
        set(&l, "IOWriteBandwidthMax=254:0:infinity");
        g_assert_cmpint(cgroup_limits_apply(&p, &l, zone_limits_cgroup_mask(&l), &k), ==, 0);
        assert_file(dir, "memory.limit_in_bytes", "-1");
        assert_file(dir, "memory.memsw.limit_in_bytes", "-1");
        assert_file(dir, "cpu.cfs_quota_us", "-1");
        assert_file(dir, "pids.max", "max");
        assert_file(dir, "blkio.throttle.write_bps_device", "254:0 0");

        /* What v1 has no equivalent of. */
        zone_limits_done(&l);
        set(&l, "MemoryHigh=1G");
        g_assert_cmpint(cgroup_limits_check(&p, &l, zone_limits_cgroup_mask(&l), &k, &why), ==, -EOPNOTSUPP);
        g_assert_cmpint(k, ==, LIMIT_MEMORY_HIGH);
        g_assert_nonnull(strstr(why, "soft limit"));
        zone_limits_done(&l);
        set(&l, "IOWeight=500");
        g_assert_cmpint(cgroup_limits_check(&p, &l, zone_limits_cgroup_mask(&l), &k, &why), ==, -EOPNOTSUPP);
        g_assert_cmpint(k, ==, LIMIT_IO_WEIGHT);
        g_assert_nonnull(strstr(why, "BFQ"));
        /* An IO limit whose device was not resolved. */
        zone_limits_done(&l);
        set(&l, "IOWriteBandwidthMax=2M");
        g_assert_cmpint(cgroup_limits_check(&p, &l, zone_limits_cgroup_mask(&l), &k, &why), ==, -EOPNOTSUPP);
        /* DiskQuota is none of theirs. */
        zone_limits_done(&l);
        set(&l, "DiskQuota=2G");
        g_assert_cmpuint(zone_limits_cgroup_mask(&l), ==, 0);
        zone_limits_done(&l);

        write_file(dir, "memory.usage_in_bytes", "1048576\n");
        write_file(dir, "memory.max_usage_in_bytes", "2097152\n");
        write_file(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        write_file(dir, "payload/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        write_file(dir, "cpuacct.usage", "123456789\n");
        write_file(dir, "pids.current", "7\n");
        write_file(
                dir, "blkio.throttle.io_service_bytes_recursive",
                "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Total 12288\n7:0 Read 1\nTotal 12289\n");
        cgroup_usage_read(&p, &u);
        g_assert_cmpuint(u.memory_current, ==, 1048576);
        g_assert_cmpuint(u.memory_peak, ==, 2097152);
        g_assert_cmpuint(u.oom_kills, ==, 3); /* v1 counts in the killed process's cgroup: the sum below */
        g_assert_cmpuint(u.cpu_usage_nsec, ==, 123456789);
        g_assert_cmpuint(u.tasks_current, ==, 7);
        g_assert_cmpuint(u.io_read_bytes, ==, 4097);
        g_assert_cmpuint(u.io_write_bytes, ==, 8192);
        cgroup_limit_paths_done(&p);
        remove_tree(dir);
}

static void test_v2(void) {
        CgroupLimitPaths p = {};
        char *dir = make_tree(true, &p);
        ZoneLimits l = {};
        const char *why = NULL;
        LimitKey k = 0;
        ZoneUsage u;

        set(&l, "MemoryMax=512M");
        set(&l, "MemoryHigh=256M");
        set(&l, "MemorySwapMax=0");
        set(&l, "CPUQuotaPerSecUSec=50%");
        set(&l, "CPUWeight=200");
        set(&l, "AllowedCPUs=0-1");
        set(&l, "TasksMax=32");
        set(&l, "IOWeight=300");
        set(&l, "IOReadIOPSMax=254:0:100");
        g_assert_cmpint(cgroup_limits_check(&p, &l, zone_limits_cgroup_mask(&l), &k, &why), ==, 0);
        g_assert_cmpint(cgroup_limits_apply(&p, &l, zone_limits_cgroup_mask(&l), &k), ==, 0);
        assert_file(dir, "memory.max", "536870912");
        assert_file(dir, "memory.high", "268435456");
        assert_file(dir, "memory.swap.max", "0");
        assert_file(dir, "cpu.max", "50000 100000");
        assert_file(dir, "cpu.weight", "200");
        assert_file(dir, "cpuset.cpus", "0-1");
        assert_file(dir, "pids.max", "32");
        assert_file(dir, "io.weight", "default 300");
        assert_file(dir, "io.max", "254:0 riops=100");
        set(&l, "MemoryMax=infinity");
        set(&l, "CPUQuotaPerSecUSec=infinity");
        g_assert_cmpint(cgroup_limits_apply(&p, &l, zone_limits_cgroup_mask(&l), &k), ==, 0);
        assert_file(dir, "memory.max", "max");
        assert_file(dir, "cpu.max", "max 100000");
        zone_limits_done(&l);

        write_file(dir, "memory.current", "1048576\n");
        write_file(dir, "memory.peak", "2097152\n");
        write_file(dir, "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        write_file(dir, "cpu.stat", "usage_usec 1500\nuser_usec 1000\n");
        write_file(dir, "pids.current", "3\n");
        write_file(dir, "io.stat", "254:0 rbytes=100 wbytes=200 rios=1 wios=2\n7:0 rbytes=1 wbytes=2\n");
        cgroup_usage_read(&p, &u);
        g_assert_cmpuint(u.memory_current, ==, 1048576);
        g_assert_cmpuint(u.memory_peak, ==, 2097152);
        g_assert_cmpuint(u.oom_kills, ==, 1);
        g_assert_cmpuint(u.cpu_usage_nsec, ==, 1500000);
        g_assert_cmpuint(u.tasks_current, ==, 3);
        g_assert_cmpuint(u.io_read_bytes, ==, 101);
        g_assert_cmpuint(u.io_write_bytes, ==, 202);
        cgroup_limit_paths_done(&p);
        remove_tree(dir);
}

static void test_missing(void) {
        CgroupLimitPaths p = {};
        ZoneLimits l = {};
        const char *why = NULL;
        LimitKey k = 0;
        ZoneUsage u;

        set(&l, "TasksMax=10");
        g_assert_cmpint(cgroup_limits_check(&p, &l, zone_limits_cgroup_mask(&l), &k, &why), ==, -EOPNOTSUPP);
        g_assert_cmpint(k, ==, LIMIT_TASKS_MAX);
        g_assert_nonnull(strstr(why, "pids"));
        g_assert_cmpstr(cgroup_limit_paths_backend(&p, CGROUP_PIDS), ==, "none");
        cgroup_usage_read(&p, &u);
        g_assert_cmpuint(u.tasks_current, ==, UINT64_MAX);
        g_assert_cmpuint(u.oom_kills, ==, UINT64_MAX);
        zone_limits_done(&l);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cgroup-limits/v1", test_v1);
        g_test_add_func("/cgroup-limits/v2", test_v2);
        g_test_add_func("/cgroup-limits/missing", test_missing);
        return g_test_run();
}
