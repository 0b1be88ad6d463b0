/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's /proc tells its own limits and its own uptime through zoned's lxcfs: /proc/meminfo and
 * free show the memory limit of the zone's cgroup, /proc/cpuinfo and /sys/devices/system/cpu/online
 * its cpuset, /proc/uptime the time since its init started. The zone's root cannot unmount those
 * views. lxcfs outlives a killed zoned (the new one adopts it, never starts a second), is started
 * again for the next boot when it died, and is stopped with a zoned that has no zone running.
 * Without lxcfs (not installed, or LXCFS=no) a zone boots as before and sees the host's files.
 *
 * The limits are written to the zone's v1 cgroup by the test itself (the zone's group, above its
 * payload, where zoned puts limits), until SetZoneLimits can set them. */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define LXCFS_PROGRAM "/usr/bin/lxcfs"
#define MEMORY_LIMIT (G_GUINT64_CONSTANT(192) * 1024 * 1024)

static bool lxcfs_missing(void) {
        if (g_file_test(LXCFS_PROGRAM, G_FILE_TEST_IS_EXECUTABLE))
                return false;
        g_test_skip("lxcfs is not installed (tools/install-deps.sh installs it)");
        return true;
}

static void zone_sh_full(Harness *h, const char *name, const char *script, HarnessRun *r) {
        harness_zonectl(h, r, NULL, "shell", name, "--", "/bin/sh", "-c", script, NULL);
}

static char *zone_sh(Harness *h, const char *name, const char *script) {
        g_auto(HarnessRun) r = { 0 };

        zone_sh_full(h, name, script, &r);
        if (r.status != 0)
                g_error("zonectl shell %s -- sh -c '%s': exit %d\n%s%s", name, script, r.status, r.out,
                        r.err);
        return g_strdup(g_strstrip(r.out));
}

static guint64 zone_sh_u64(Harness *h, const char *name, const char *script) {
        g_autofree char *out = zone_sh(h, name, script);
        guint64 v = 0;

        if (!g_ascii_string_to_unsigned(out, 10, 0, G_MAXUINT64, &v, NULL))
                g_error("'%s' in zone %s printed '%s', not a number", script, name, out);
        return v;
}

/* The v1 hierarchy of controller: its mount point, from our mountinfo; NULL if there is none. */
static char *v1_mount_point(const char *controller) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) f = g_strsplit(*l, " ", -1);
                guint n = g_strv_length(f);

                for (guint i = 6; i + 3 < n; i++)
                        if (g_str_equal(f[i], "-") && g_str_equal(f[i + 1], "cgroup")) {
                                g_auto(GStrv) opts = g_strsplit(f[i + 3], ",", -1);

                                if (g_strv_contains((const char *const *) opts, controller) &&
                                    g_str_equal(f[3], "/"))
                                        return g_strdup(f[4]);
                        }
        }
        return NULL;
}

/* Whether the host has a v1 hierarchy with controller. */
static bool has_v1(const char *controller) {
        g_autofree char *mp = v1_mount_point(controller);

        return mp != NULL;
}

/* The zone's own cgroup of controller (the parent of its init's "payload"), from /proc/LEADER/cgroup. */
static char *zone_cgroup(guint32 leader, const char *controller) {
        g_autofree char *path = g_strdup_printf("/proc/%u/cgroup", leader), *text = NULL, *mp = NULL;
        g_auto(GStrv) lines = NULL;

        mp = v1_mount_point(controller);
        if (!mp)
                return NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) f = g_strsplit(*l, ":", 3);
                g_auto(GStrv) controllers = NULL;

                if (g_strv_length(f) != 3)
                        continue;
                controllers = g_strsplit(f[1], ",", -1);
                if (!g_strv_contains((const char *const *) controllers, controller))
                        continue;
                g_assert_true(g_str_has_suffix(f[2], "/payload"));
                f[2][strlen(f[2]) - strlen("/payload")] = 0;
                return g_build_filename(mp, f[2], NULL);
        }
        g_error("the init %u of the zone is in no %s cgroup", leader, controller);
}

static double read_uptime(const char *text) {
        return g_ascii_strtod(text, NULL);
}

static double host_uptime(void) {
        g_autofree char *text = NULL;

        g_assert_true(g_file_get_contents("/proc/uptime", &text, NULL, NULL));
        return read_uptime(text);
}

/* When the zone's init started, in seconds since the host booted (field 22 of its stat). */
static double init_start(guint32 leader) {
        g_autofree char *path = g_strdup_printf("/proc/%u/stat", leader), *text = NULL;
        g_auto(GStrv) f = NULL;
        char *close_paren;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        close_paren = strrchr(text, ')');
        g_assert_nonnull(close_paren);
        f = g_strsplit(close_paren + 2, " ", -1);
        g_assert_cmpuint(g_strv_length(f), >, 19);
        return (double) g_ascii_strtoull(f[19], NULL, 10) / (double) sysconf(_SC_CLK_TCK);
}

/* The zone's /proc/uptime counts from its init's start, not from the host's boot. */
static void assert_zone_uptime(Harness *h, const char *name, guint32 leader) {
        double before = host_uptime(), start = init_start(leader), after, zone;
        g_autofree char *text = zone_sh(h, name, "cat /proc/uptime");

        after = host_uptime();
        zone = read_uptime(text);
        if (zone < before - start - 1 || zone > after - start + 1)
                g_error("zone %s: /proc/uptime says %.2f s, its init started %.2f-%.2f s ago (the host is "
                        "up %.2f s)",
                        name, zone, before - start, after - start, after);
}

static guint64 host_mem_total_kib(void) {
        g_autofree char *text = NULL;
        const char *p;

        g_assert_true(g_file_get_contents("/proc/meminfo", &text, NULL, NULL));
        p = strstr(text, "MemTotal:");
        g_assert_nonnull(p);
        return g_ascii_strtoull(p + strlen("MemTotal:"), NULL, 10);
}

#define MEM_TOTAL_SCRIPT "sed -n 's/^MemTotal: *\\([0-9]*\\) kB$/\\1/p' /proc/meminfo"
/* busybox free's "available" (KiB), the one figure it takes from /proc/meminfo: it asks sysinfo(2) for
 * the others, which the kernel answers for the host (procps' free reads them all from /proc/meminfo). */
#define FREE_AVAILABLE_SCRIPT "free | awk '/^Mem:/ { print $7 }'"

static guint32 boot_busybox_zone(Harness *h, const char *name) {
        if (harness_find_event(h, "TransferRemoved") < 0) {
                g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");

                g_assert_cmpstr(result, ==, "done");
        }
        g_free(harness_create_zone(h, name, "bb", false));
        return harness_boot_zone(h, name);
}

/* The zone's memory limit (zonectl set, live) is what its /proc/meminfo and free say. */
static void limit_memory(Harness *h, const char *name) {
        g_autofree char *assignment = g_strdup_printf("memory=%" G_GUINT64_FORMAT, MEMORY_LIMIT);

        harness_zonectl_ok(h, NULL, "zonectl set memory=", "set", name, assignment, NULL);
}

static void assert_memory_view(Harness *h, const char *name) {
        g_assert_cmpuint(zone_sh_u64(h, name, MEM_TOTAL_SCRIPT), ==, MEMORY_LIMIT / 1024);
        g_assert_cmpuint(zone_sh_u64(h, name, FREE_AVAILABLE_SCRIPT), <=, MEMORY_LIMIT / 1024);
}

/* Down to the first CPU of the zone's cpuset: nproc, /proc/cpuinfo and cpu/online say 1. */
static void assert_cpu_view(Harness *h, const char *name, guint32 leader) {
        g_autofree char *cg = zone_cgroup(leader, "cpuset"), *cpus = NULL, *path = NULL, *first = NULL;
        g_autofree char *online = NULL, *assignment = NULL;

        if (!cg) {
                g_test_message("no v1 cpuset hierarchy: the cpuset view is not checked");
                return;
        }
        path = g_build_filename(cg, "cpuset.cpus", NULL);
        g_assert_true(g_file_get_contents(path, &cpus, NULL, NULL));
        first = g_strdup_printf("%u", (unsigned) g_ascii_strtoull(cpus, NULL, 10));
        assignment = g_strdup_printf("cpus=%s", first);
        harness_zonectl_ok(h, NULL, "zonectl set cpus=", "set", name, assignment, NULL);

        g_assert_cmpuint(zone_sh_u64(h, name, "nproc"), ==, 1);
        g_assert_cmpuint(zone_sh_u64(h, name, "grep -c ^processor /proc/cpuinfo"), ==, 1);
        online = zone_sh(h, name, "cat /sys/devices/system/cpu/online");
        g_assert_cmpstr(online, ==, "0");
}

/* The zone's root can neither unmount the views nor mount or bind a proc of its own beside them. */
static void assert_views_locked(Harness *h, const char *name) {
        g_auto(HarnessRun) r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 };

        zone_sh_full(h, name, "umount /proc/meminfo", &r1);
        g_assert_cmpint(r1.status, !=, 0);
        zone_sh_full(h, name, "umount -l /proc/uptime", &r2);
        g_assert_cmpint(r2.status, !=, 0);
        zone_sh_full(h, name, "mkdir -p /tmp/p && mount -t proc proc /tmp/p && cat /tmp/p/meminfo", &r3);
        g_assert_cmpint(r3.status, !=, 0);
        /* A non-recursive bind of /proc would drop the binds on it: the kernel refuses it. */
        zone_sh_full(h, name, "mkdir -p /tmp/q && mount --bind /proc /tmp/q && cat /tmp/q/meminfo", &r4);
        g_assert_cmpint(r4.status, !=, 0);
        assert_memory_view(h, name);
        g_assert_cmpuint(zone_sh_u64(h, name, "grep -c ' /proc/meminfo ' /proc/self/mountinfo"), ==, 1);
}

/* Every view is lxcfs' and reads, also those whose figures the test does not check. */
static void assert_all_bound(Harness *h, const char *name) {
        static const char script[] =
                "for f in /proc/cpuinfo /proc/diskstats /proc/loadavg /proc/meminfo /proc/stat /proc/swaps "
                "/proc/uptime /sys/devices/system/cpu/online; do "
                "grep \" $f \" /proc/self/mountinfo | grep -q ' - fuse.lxcfs ' && cat $f >/dev/null || "
                "echo $f; done";
        g_autofree char *missing = zone_sh(h, name, script);

        g_assert_cmpstr(missing, ==, "");
}

static void test_views(Harness *h, gconstpointer data) {
        guint32 leader;

        if (harness_skipped(h) || lxcfs_missing())
                return;
        leader = boot_busybox_zone(h, "z1");
        if (!has_v1("memory")) {
                g_test_skip("no v1 memory hierarchy (the cgroup2 view comes with SetZoneLimits)");
                return;
        }
        assert_all_bound(h, "z1");
        assert_zone_uptime(h, "z1", leader);
        limit_memory(h, "z1");
        assert_memory_view(h, "z1");
        assert_cpu_view(h, "z1", leader);
        assert_views_locked(h, "z1");
        harness_poweroff_zone(h, "z1");
}

/* The pid in zoned's lxcfs pid file, 0 without one. */
static pid_t lxcfs_pid(Harness *h) {
        g_autofree char *path = g_build_filename(h->runtime_dir, "lxcfs.pid", NULL), *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return 0;
        return (pid_t) g_ascii_strtoll(text, NULL, 10);
}

/* Live processes whose command line names the fixture's lxcfs mount point. */
/* The lxcfs daemons serving zoned's mount point. lxcfs forks short-lived helpers of itself (to
 * read a pid in a zone's pid namespace) that carry the same command line: a process whose parent
 * is one of them is such a helper, not a second daemon. */
static guint count_lxcfs(Harness *h) {
        g_autofree char *mp = g_build_filename(h->runtime_dir, "lxcfs", NULL);
        g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
        g_autoptr(GHashTable) pids = g_hash_table_new(g_direct_hash, g_direct_equal);
        GHashTableIter it;
        gpointer key;
        const char *de;
        guint n = 0;

        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *path = NULL, *cmdline = NULL;
                pid_t pid = (pid_t) g_ascii_strtoll(de, NULL, 10);
                gsize len = 0;

                if (!g_ascii_isdigit(de[0]))
                        continue;
                path = g_strdup_printf("/proc/%s/cmdline", de);
                if (!g_file_get_contents(path, &cmdline, &len, NULL) || len == 0 || !harness_pid_alive(pid))
                        continue;
                for (gsize i = 0; i < len; i += strlen(cmdline + i) + 1)
                        if (g_str_equal(cmdline + i, mp))
                                g_hash_table_add(pids, GINT_TO_POINTER(pid));
        }
        g_hash_table_iter_init(&it, pids);
        while (g_hash_table_iter_next(&it, &key, NULL))
                if (!g_hash_table_contains(pids, GINT_TO_POINTER(harness_parent_of(GPOINTER_TO_INT(key)))))
                        n++;
        return n;
}

static void assert_no_lxcfs_left(Harness *h) {
        g_autofree char *mp = g_build_filename(h->runtime_dir, "lxcfs", NULL);
        g_autoptr(GPtrArray) mounts = harness_mounts_under(mp);

        harness_reap_orphans();
        g_assert_cmpuint(count_lxcfs(h), ==, 0);
        g_assert_cmpuint(mounts->len, ==, 0);
        g_assert_cmpint(lxcfs_pid(h), ==, 0);
}

/* Waits (bounded) until the zone reads /proc/meminfo again: zoned binds a new lxcfs' files into
 * running zones once it started it. */
static void wait_views_back(Harness *h, const char *name) {
        gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

        for (;;) {
                g_auto(HarnessRun) r = { 0 };

                zone_sh_full(h, name, "cat /proc/meminfo >/dev/null", &r);
                if (r.status == 0)
                        return;
                if (g_get_monotonic_time() > deadline)
                        g_error("zone %s still cannot read /proc/meminfo: %s", name, r.err);
                g_usleep(100 * 1000);
        }
}

static void assert_dead_below(Harness *h, const char *name) {
        g_auto(HarnessRun) r = { 0 };

        zone_sh_full(h, name, "for i in 1 2 3 4; do umount /proc/meminfo; done; cat /proc/meminfo", &r);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_null(strstr(r.out, "MemTotal"));
        g_assert_nonnull(strstr(r.err, "not connected"));
}

static void test_restarts(Harness *h, gconstpointer data) {
        g_autofree char *mp = g_build_filename(h->runtime_dir, "lxcfs", NULL);
        g_auto(HarnessRun) dead = { 0 };
        guint32 l1, l2;
        pid_t first, second, third;

        if (harness_skipped(h) || lxcfs_missing())
                return;
        l1 = boot_busybox_zone(h, "z1");
        first = lxcfs_pid(h);
        g_assert_cmpint(first, >, 0);
        g_assert_true(harness_pid_alive(first));
        if (has_v1("memory"))
                limit_memory(h, "z1");

        /* A killed zoned leaves it to the zone; the next one adopts it and starts no other. */
        harness_stop_zoned(h, SIGKILL);
        g_assert_true(harness_pid_alive(first));
        harness_start_zoned(h);
        if (has_v1("memory"))
                assert_memory_view(h, "z1");
        l2 = boot_busybox_zone(h, "z2");
        g_assert_cmpint(lxcfs_pid(h), ==, first);
        g_assert_cmpuint(count_lxcfs(h), ==, 1);
        assert_zone_uptime(h, "z2", l2);

        /* A zoned stopped while zones run leaves it to them. */
        harness_stop_zoned(h, SIGTERM);
        g_assert_true(harness_pid_alive(first));
        harness_start_zoned(h);

        /* lxcfs died: the running zones' views are gone (ENOTCONN) until the next boot starts a new
         * one, whose files zoned binds into them too. */
        g_assert_no_errno(kill(first, SIGKILL));
        while (harness_pid_alive(first))
                g_usleep(10 * 1000);
        zone_sh_full(h, "z1", "cat /proc/meminfo", &dead);
        g_assert_cmpint(dead.status, !=, 0);
        g_assert_nonnull(strstr(dead.err, "not connected"));
        harness_poweroff_zone(h, "z2");
        l2 = harness_boot_zone(h, "z2");
        second = lxcfs_pid(h);
        g_assert_cmpint(second, >, 0);
        g_assert_cmpint(second, !=, first);
        g_assert_cmpuint(count_lxcfs(h), ==, 1);
        assert_zone_uptime(h, "z2", l2);
        wait_views_back(h, "z1");
        assert_zone_uptime(h, "z1", l1);
        if (has_v1("memory"))
                assert_memory_view(h, "z1");

        /* lxcfs lost its mount (unmounted by hand): the next boot replaces it. */
        g_assert_no_errno(umount2(mp, MNT_DETACH));
        harness_poweroff_zone(h, "z2");
        l2 = harness_boot_zone(h, "z2");
        third = lxcfs_pid(h);
        g_assert_cmpint(third, >, 0);
        g_assert_cmpint(third, !=, second);
        g_assert_cmpuint(count_lxcfs(h), ==, 1);
        assert_zone_uptime(h, "z2", l2);
        wait_views_back(h, "z1");
        assert_zone_uptime(h, "z1", l1);
        /* Those binds are not locked: below them are the dead lxcfs' files, never the host's. */
        assert_dead_below(h, "z1");

        /* Killed while zoned was down: the next zoned brings the running zones a new one. */
        harness_stop_zoned(h, SIGKILL);
        g_assert_no_errno(kill(third, SIGKILL));
        while (harness_pid_alive(third))
                g_usleep(10 * 1000);
        harness_start_zoned(h);
        g_assert_cmpint(lxcfs_pid(h), >, 0);
        g_assert_cmpint(lxcfs_pid(h), !=, third);
        g_assert_cmpuint(count_lxcfs(h), ==, 1);
        wait_views_back(h, "z2");
        assert_zone_uptime(h, "z2", l2);

        /* Stopped with the last zone's zoned, leaving nothing. */
        harness_poweroff_zone(h, "z1");
        harness_poweroff_zone(h, "z2");
        harness_stop_zoned(h, SIGTERM);
        assert_no_lxcfs_left(h);
        harness_start_zoned(h);
}

static void set_zoned_options(Harness *h, const char *option) {
        g_strfreev(h->zoned_options);
        h->zoned_options = g_new0(char *, 2);
        h->zoned_options[0] = g_strdup(option);
}

static guint count_lines_with(const char *text, const char *needle) {
        guint n = 0;

        for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* The host's files: MemTotal despite the zone's limit, the host's uptime. */
static void assert_host_view(Harness *h, const char *name, guint32 leader) {
        g_autofree char *uptime = NULL;
        double before;

        if (has_v1("memory"))
                limit_memory(h, name);
        g_assert_cmpuint(zone_sh_u64(h, name, MEM_TOTAL_SCRIPT), ==, host_mem_total_kib());
        before = host_uptime();
        uptime = zone_sh(h, name, "cat /proc/uptime");
        g_assert_cmpfloat(read_uptime(uptime), >=, before - 1);
}

/* Without lxcfs a zone boots as before, seeing the host's files; zoned says why once. */
static void test_without(Harness *h, gconstpointer data) {
        g_autofree char *missing = NULL, *log = NULL, *cfg = NULL;
        g_autoptr(GKeyFile) file = NULL;
        g_autoptr(GError) error = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        missing = g_strconcat("--lxcfs=", h->tmpdir, "/no-such-lxcfs", NULL);
        set_zoned_options(h, missing);
        harness_capture_zoned_log(h);
        leader = boot_busybox_zone(h, "z1");
        assert_host_view(h, "z1", leader);
        g_assert_cmpuint(count_lxcfs(h), ==, 0);
        harness_poweroff_zone(h, "z1");
        leader = harness_boot_zone(h, "z1");
        g_assert_cmpuint(leader, >, 0);
        log = harness_zoned_log(h);
        g_assert_cmpuint(count_lines_with(log, "lxcfs is not installed"), ==, 1);
        harness_poweroff_zone(h, "z1");

        /* LXCFS=no in the zone's file: the same, and no lxcfs is started for it. */
        if (lxcfs_missing())
                return;
        harness_stop_zoned(h, SIGTERM);
        g_clear_pointer(&h->zoned_options, g_strfreev);
        /* Into [Zone], whatever sections follow it (zonectl set wrote [Limits]). */
        cfg = g_build_filename(h->config_dir, "z1.zone", NULL);
        file = g_key_file_new();
        g_assert_true(g_key_file_load_from_file(file, cfg, G_KEY_FILE_KEEP_COMMENTS, &error));
        g_key_file_set_boolean(file, "Zone", "LXCFS", FALSE);
        g_assert_true(g_key_file_save_to_file(file, cfg, &error));
        g_assert_no_error(error);
        harness_start_zoned(h);
        leader = harness_boot_zone(h, "z1");
        assert_host_view(h, "z1", leader);
        g_assert_cmpint(lxcfs_pid(h), ==, 0);
        g_assert_cmpuint(count_lxcfs(h), ==, 0);
        harness_poweroff_zone(h, "z1");
}

/* What the customer runs: a Debian zone (procps, coreutils) created with limits and a disk
 * of its own tells them, not the host's 24 GiB and its CPUs and disk: free's total is the memory
 * limit (procps reads all of /proc/meminfo), nproc the CPUs of cpus=, df the disk's size; and a
 * live change shows at once. */
static void test_debian(Harness *h, gconstpointer data) {
        const char *rootfs;
        guint64 cpus;

        if (harness_skipped(h) || lxcfs_missing())
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;
        harness_zonectl_ok(h, NULL, "zonectl import-fs", "import-fs", rootfs, "deb", NULL);
        harness_zonectl_ok(h, NULL, "zonectl create with limits and a disk", "create", "vps1", "-t", "deb",
                           "--memory=256M", "--cpus=0", "--disk=512M", NULL);
        (void) harness_boot_zone(h, "vps1");
        g_assert_cmpuint(zone_sh_u64(h, "vps1", "free -m | awk '/^Mem:/ { print $2 }'"), ==, 256);
        g_assert_cmpuint(zone_sh_u64(h, "vps1", "nproc"), ==, 1);
        g_assert_cmpuint(zone_sh_u64(h, "vps1", "df -k --output=size / | tail -n 1"), ==, 512 * 1024);
        /* Changed live: the zone sees the new limit at its next read. */
        harness_zonectl_ok(h, NULL, "zonectl set memory=384M", "set", "vps1", "memory=384M", NULL);
        g_assert_cmpuint(zone_sh_u64(h, "vps1", "free -m | awk '/^Mem:/ { print $2 }'"), ==, 384);
        cpus = zone_sh_u64(h, "vps1", "getconf _NPROCESSORS_ONLN");
        g_assert_cmpuint(cpus, ==, 1);
        harness_poweroff_zone(h, "vps1");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/lxcfs/views", test_views, HARNESS_ZONECTL);
        HARNESS_TEST("/lxcfs/restarts", test_restarts, HARNESS_ZONECTL);
        HARNESS_TEST("/lxcfs/without", test_without, HARNESS_ZONECTL);
        HARNESS_TEST("/lxcfs/debian", test_debian, HARNESS_ZONECTL);
        return g_test_run();
}
