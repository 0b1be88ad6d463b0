/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A zone's limits, measured inside real busybox zones (user-namespaced, the default), never by
 * reading back what zoned wrote: a process allocating past MemoryMax is OOM-killed inside while
 * the zone and its supervisor live on (OOMKills goes up, with PropertiesChanged), and raising the
 * limit live lets the same allocation through; a fork loop stops at TasksMax while zoned answers;
 * limits set for good survive a zoned restart and a reboot, runtime ones do not survive a reboot;
 * bad input is refused by name and changes nothing. */

#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>

#include "harness.h"
#include "json.h"

#define MiB (UINT64_C(1) << 20)
/* dd's buffer: a 64 MiB allocation, all of it touched (read from /dev/zero). */
#define ALLOCATE_64M "dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null"

static void setup_template(Harness *h) {
        g_autofree char *result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");

        g_assert_cmpstr(result, ==, "done");
}

/* CreateZone with options (a{sv}); returns the error or NULL. */
static GError *create_zone(Harness *h, const char *name, GVariant *options) {
        g_autoptr(GVariant) reply = NULL;
        GError *error = NULL;

        reply = harness_manager_call(h, "CreateZone", g_variant_new("(ss@a{sv})", name, "bb", options),
                                     "(o)", &error);
        return error;
}

static GError *set_limits(Harness *h, const char *name, GVariant *limits, bool runtime) {
        g_autoptr(GVariant) reply = NULL;
        GError *error = NULL;

        reply = harness_manager_call(h, "SetZoneLimits", g_variant_new("(s@a{sv}b)", name, limits, runtime),
                                     NULL, &error);
        return error;
}

static GVariant *one_limit(const char *key, GVariant *value) {
        GVariantBuilder b;

        g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
        g_variant_builder_add(&b, "{sv}", key, value);
        return g_variant_builder_end(&b);
}

static void set_limit_ok(Harness *h, const char *name, const char *key, GVariant *value, bool runtime) {
        g_autoptr(GError) error = set_limits(h, name, one_limit(key, value), runtime);

        g_assert_no_error(error);
}

static guint64 zone_u64(Harness *h, const char *name, const char *property) {
        g_autoptr(GVariant) v = harness_zone_property(h, name, property);

        return g_variant_get_uint64(v);
}

/* sh -c script in the zone: its exit status, its output in *ret_out (if not NULL). */
static int zone_sh(Harness *h, const char *name, const char *script, char **ret_out) {
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/sh", "-c", script, NULL);
        if (ret_out)
                *ret_out = g_strdup(g_strstrip(r.out));
        return r.status;
}

static guint32 boot(Harness *h, const char *name) {
        guint32 leader = harness_boot_zone(h, name);

        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        return leader;
}

static char *zone_file(Harness *h, const char *name) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        char *text = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        return text;
}

static void assert_running(Harness *h, const char *zone) {
        g_autofree char *state = harness_zone_state(h, zone);

        g_assert_cmpstr(state, ==, "running");
}

/* ---- memory ---- */

typedef struct OOMWatch {
        char *path;
        unsigned announced; /* PropertiesChanged naming OOMKills */
        guint64 memory_max; /* the last MemoryMax announced */
} OOMWatch;

static void on_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                       const char *signal, GVariant *params, gpointer userdata) {
        OOMWatch *w = userdata;
        g_autoptr(GVariant) changed = NULL;
        g_autofree const char **invalidated = NULL;
        const char *interface;

        if (!g_str_equal(path, w->path))
                return;
        g_variant_get(params, "(&s@a{sv}^a&s)", &interface, &changed, &invalidated);
        (void) g_variant_lookup(changed, "MemoryMax", "t", &w->memory_max);
        if (g_variant_lookup_value(changed, "OOMKills", NULL) ||
            (invalidated && g_strv_contains(invalidated, "OOMKills")))
                w->announced++;
}

static bool oom_announced(gpointer data) {
        return ((OOMWatch *) data)->announced > 0;
}

static bool memory_max_announced(gpointer data) {
        return ((OOMWatch *) data)->memory_max == 256 * MiB;
}

static void test_memory(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        OOMWatch w = { 0 };
        guint64 kills;
        guint32 leader;
        guint sub;
        int status;

        if (harness_skipped(h))
                return;
        setup_template(h);
        error = create_zone(h, "m1", one_limit("MemoryMax", g_variant_new_uint64(32 * MiB)));
        g_assert_no_error(error);
        g_assert_cmpuint(zone_u64(h, "m1", "MemoryMax"), ==, 32 * MiB);
        leader = boot(h, "m1");
        g_assert_cmpuint(zone_u64(h, "m1", "OOMKills"), ==, 0);

        w.path = harness_zone_path(h, "m1");
        sub = g_dbus_connection_signal_subscribe(h->conn, NULL, "org.freedesktop.DBus.Properties",
                                                 "PropertiesChanged", w.path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                 on_changed, &w, NULL);
        /* Past the limit: the kernel kills the allocation, inside the zone. */
        status = zone_sh(h, "m1", ALLOCATE_64M, NULL);
        g_assert_cmpint(status, !=, 0);
        g_assert_true(harness_wait(oom_announced, &w, HARNESS_START_TIMEOUT_MS));
        g_assert_cmpuint(zone_u64(h, "m1", "OOMKills"), >=, 1);
        /* The zone and its supervisor live on. */
        assert_running(h, "m1");
        g_assert_cmpuint(harness_zone_leader(h, "m1"), ==, leader);
        g_assert_true(harness_pid_alive((pid_t) leader));
        g_assert_cmpuint(zone_u64(h, "m1", "MemoryCurrent"), <=, 32 * MiB);
        g_assert_cmpuint(zone_u64(h, "m1", "MemoryPeak"), >, 0);

        /* A restarted zoned learns the count from the supervisor. */
        g_dbus_connection_signal_unsubscribe(h->conn, sub);
        harness_stop_zoned(h, SIGKILL);
        harness_start_zoned(h);
        {
                g_autoptr(ZoneWatch) zw = zone_watch_new(h, "m1");

                g_assert_true(zone_watch_wait_state(zw, "running", HARNESS_START_TIMEOUT_MS));
        }
        kills = zone_u64(h, "m1", "OOMKills");
        g_assert_cmpuint(kills, >=, 1);
        g_assert_cmpuint(kills, !=, G_MAXUINT64);
        sub = g_dbus_connection_signal_subscribe(h->conn, NULL, "org.freedesktop.DBus.Properties",
                                                 "PropertiesChanged", w.path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                 on_changed, &w, NULL);

        /* Raised live: the same allocation goes through. */
        set_limit_ok(h, "m1", "MemoryMax", g_variant_new_string("256M"), false);
        g_assert_cmpuint(zone_u64(h, "m1", "MemoryMax"), ==, 256 * MiB);
        g_assert_true(harness_wait(memory_max_announced, &w, HARNESS_START_TIMEOUT_MS));
        g_assert_cmpint(zone_sh(h, "m1", ALLOCATE_64M, NULL), ==, 0);
        g_assert_cmpuint(zone_u64(h, "m1", "MemoryPeak"), >, 32 * MiB);

        g_dbus_connection_signal_unsubscribe(h->conn, sub);
        g_free(w.path);
        harness_poweroff_zone(h, "m1");
}

/* ---- tasks ---- */

/* Starts sleepers until fork fails (ash gives up the script there); prints how many it started. */
#define FORK_LOOP                                                                     \
        "i=0; trap 'echo $i' EXIT; while [ $i -lt 200 ]; do sleep 600 & i=$((i+1)); " \
        "done 2>/dev/null"

static void test_tasks(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) list = NULL;
        g_autofree char *out = NULL;
        guint64 current;

        if (harness_skipped(h))
                return;
        setup_template(h);
        error = create_zone(h, "t1", one_limit("TasksMax", g_variant_new_uint64(32)));
        g_assert_no_error(error);
        boot(h, "t1");

        (void) zone_sh(h, "t1", FORK_LOOP, &out);
        g_test_message("the fork loop started %s sleepers", out);
        g_assert_cmpint(atoi(out), <, 32);
        g_assert_cmpint(atoi(out), >, 0);
        /* At its limit, the zone has what it may have, and zoned answers. */
        current = zone_u64(h, "t1", "TasksCurrent");
        g_assert_cmpuint(current, <=, 32);
        g_assert_cmpuint(current, >=, (guint64) atoi(out));
        list = harness_manager_call(h, "ListZones", NULL, "(a(sssso))", &error);
        g_assert_no_error(error);
        assert_running(h, "t1");

        /* Raised live: the zone can fork again and clean up. */
        set_limit_ok(h, "t1", "TasksMax", g_variant_new_uint64(512), true);
        g_assert_cmpint(zone_sh(h, "t1", "killall sleep; true", NULL), ==, 0);
        harness_poweroff_zone(h, "t1");
}

/* ---- persistence ---- */

static void test_persistence(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *text = NULL;
        ZoneWatch *w;
        guint32 leader;

        if (harness_skipped(h))
                return;
        setup_template(h);
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "p1", "-t", "bb", NULL);
        leader = boot(h, "p1");

        /* For good: in the file, through a restart of zoned and a reboot. */
        harness_zonectl_ok(h, NULL, "zonectl set", "set", "p1", "memory=32M", NULL);
        text = zone_file(h, "p1");
        g_assert_nonnull(strstr(text, "[Limits]\nMemoryMax=33554432\n"));
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
        g_assert_cmpuint(zone_u64(h, "p1", "MemoryMax"), ==, 32 * MiB);
        g_assert_cmpint(zone_sh(h, "p1", ALLOCATE_64M, NULL), !=, 0);

        /* Runtime: live, known to a restarted zoned, gone at the reboot. */
        harness_zonectl_ok(h, NULL, "zonectl set --runtime", "set", "p1", "--runtime", "memory=256M", NULL);
        g_assert_cmpint(zone_sh(h, "p1", ALLOCATE_64M, NULL), ==, 0);
        g_assert_cmpuint(zone_u64(h, "p1", "MemoryMax"), ==, 256 * MiB);
        harness_stop_zoned(h, SIGKILL);
        harness_start_zoned(h);
        g_assert_cmpuint(zone_u64(h, "p1", "MemoryMax"), ==, 256 * MiB);
        g_free(text);
        text = zone_file(h, "p1");
        g_assert_nonnull(strstr(text, "MemoryMax=33554432\n"));

        w = zone_watch_new(h, "p1");
        reply = harness_manager_call(h, "RebootZone", g_variant_new("(s)", "p1"), NULL, &error);
        g_assert_no_error(error);
        g_assert_true(zone_watch_wait_new_leader(w, leader, HARNESS_BOOT_TIMEOUT_MS));
        zone_watch_free(w);
        g_assert_true(
                harness_wait_init_started((pid_t) harness_zone_leader(h, "p1"), HARNESS_BOOT_TIMEOUT_MS));
        g_assert_cmpuint(zone_u64(h, "p1", "MemoryMax"), ==, 32 * MiB);
        g_assert_cmpint(zone_sh(h, "p1", ALLOCATE_64M, NULL), !=, 0);

        /* For good again, then a poweroff and a boot. */
        harness_zonectl_ok(h, NULL, "zonectl set", "set", "p1", "memory=256M", NULL);
        harness_poweroff_zone(h, "p1");
        boot(h, "p1");
        g_assert_cmpint(zone_sh(h, "p1", ALLOCATE_64M, NULL), ==, 0);
        harness_poweroff_zone(h, "p1");
}

/* ---- zonectl ---- */

/* show --json and status --json: one object of every property with its D-Bus type mapped (a
 * uint64 of no limit as null, an empty list as []); show -p narrows it. */
static void assert_show_json(Harness *h, const char *verb) {
        g_auto(HarnessRun) r = { 0 }, narrow = { 0 };
        g_autoptr(GVariant) v = NULL, n = NULL, value = NULL;
        g_autofree char *why = NULL;
        const char *s;
        double d;
        gboolean b;

        harness_zonectl(h, &r, NULL, verb, "z1", "--json", NULL);
        harness_assert_run(&r, 0, verb);
        v = json_parse(r.out, &why);
        if (!v)
                g_error("zonectl %s --json is no JSON (%s): %s", verb, why, r.out);
        g_assert_true(g_variant_lookup(v, "Name", "&s", &s));
        g_assert_cmpstr(s, ==, "z1");
        g_assert_true(g_variant_lookup(v, "State", "&s", &s));
        g_assert_cmpstr(s, ==, "running");
        g_assert_true(g_variant_lookup(v, "MemoryMax", "d", &d));
        g_assert_cmpfloat(d, ==, 1073741824.0);
        g_assert_true(g_variant_lookup(v, "CPUWeight", "d", &d));
        g_assert_cmpfloat(d, ==, 300.0);
        g_assert_true(g_variant_lookup(v, "PrivateUsers", "b", &b));
        g_assert_true(b);
        /* No disk of its own: DiskQuota is uint64 max, null. */
        value = g_variant_lookup_value(v, "DiskQuota", NULL);
        g_assert_nonnull(value);
        g_assert_true(g_variant_is_of_type(value, G_VARIANT_TYPE_MAYBE));
        g_assert_null(g_variant_get_maybe(value));
        g_clear_pointer(&value, g_variant_unref);
        value = g_variant_lookup_value(v, "DeviceAllow", G_VARIANT_TYPE("av"));
        g_assert_nonnull(value);
        g_assert_cmpuint(g_variant_n_children(value), ==, 0);

        if (!g_str_equal(verb, "show"))
                return;
        harness_zonectl(h, &narrow, NULL, "show", "z1", "--json", "-p", "Name,MemoryMax", NULL);
        harness_assert_run(&narrow, 0, "show -p --json");
        g_assert_cmpstr(narrow.out, ==, "{\"Name\":\"z1\",\"MemoryMax\":1073741824}\n");
        n = json_parse(narrow.out, NULL);
        g_assert_nonnull(n);
        g_assert_cmpuint(g_variant_n_children(n), ==, 2);
}

static void test_zonectl(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) status = { 0 }, top = { 0 }, show = { 0 }, bad = { 0 }, unknown = { 0 };
        g_auto(HarnessTtyRun) tty = { 0 };
        g_autofree char *text = NULL;
        const char *shown;

        if (harness_skipped(h))
                return;
        setup_template(h);
        harness_zonectl_ok(h, NULL, "zonectl create with limits", "create", "z1", "-t", "bb",
                           "--memory=512M", "--cpu-quota=150%", "--tasks=256", "--cpus=0",
                           "--cpu-weight=200", NULL);
        text = zone_file(h, "z1");
        g_assert_nonnull(strstr(text, "MemoryMax=536870912\n"));
        g_assert_nonnull(strstr(text, "CPUQuotaPerSecUSec=150%\n"));
        g_assert_nonnull(strstr(text, "TasksMax=256\n"));
        g_assert_nonnull(strstr(text, "AllowedCPUs=0\n"));
        g_assert_nonnull(strstr(text, "CPUWeight=200\n"));
        boot(h, "z1");
        harness_zonectl_ok(h, NULL, "zonectl set", "set", "z1", "memory=1G", "cpu-weight=300",
                           "io-write-bandwidth=50M", NULL);

        harness_zonectl(h, &show, NULL, "show", "z1", "-p",
                        "MemoryMax,CPUWeight,AllowedCPUs,IOWriteBandwidthMax", NULL);
        harness_assert_run(&show, 0, "zonectl show");
        g_assert_nonnull(strstr(show.out, "MemoryMax=1073741824\n"));
        g_assert_nonnull(strstr(show.out, "CPUWeight=300\n"));
        g_assert_nonnull(strstr(show.out, "AllowedCPUs=0\n"));
        g_assert_nonnull(strstr(show.out, "IOWriteBandwidthMax=50000000\n"));

        harness_zonectl(h, &status, NULL, "status", "z1", NULL);
        harness_assert_run(&status, 0, "zonectl status");
        g_assert_nonnull(strstr(status.out, "Memory: "));
        g_assert_nonnull(strstr(status.out, "(limit 1G, peak "));
        g_assert_nonnull(strstr(status.out, "(quota 150%, CPUs 0)"));
        g_assert_nonnull(strstr(status.out, "(limit 256)"));
        assert_show_json(h, "show");
        assert_show_json(h, "status");

        /* On a pipe: one snapshot. */
        harness_zonectl(h, &top, NULL, "top", "--json", NULL);
        harness_assert_run(&top, 0, "zonectl top --json");
        g_assert_nonnull(strstr(top.out, "\"name\":\"z1\""));
        g_assert_nonnull(strstr(top.out, "\"memory_max\":1073741824"));

        /* On a terminal: a table refreshed in place. */
        harness_zonectl_on_tty(h, -1, &tty, "top", "--iterations=2", NULL);
        g_assert_cmpint(tty.status, ==, 0);
        shown = tty.shown->str;
        g_assert_nonnull(strstr(shown, "\033[H\033[2J"));
        g_assert_nonnull(strstr(strstr(shown, "\033[H\033[2J") + 1, "\033[H\033[2J"));
        g_assert_nonnull(strstr(shown, "z1"));
        g_assert_nonnull(strstr(shown, "MEMORY"));

        harness_zonectl(h, &bad, NULL, "set", "z1", "memory=lots", NULL);
        g_assert_cmpint(bad.status, !=, 0);
        g_assert_nonnull(strstr(bad.err, "invalid value \"lots\" for memory"));
        harness_zonectl(h, &unknown, NULL, "set", "z1", "memroy=1G", NULL);
        g_assert_cmpint(unknown.status, !=, 0);
        g_assert_nonnull(strstr(unknown.err, "unknown key \"memroy\""));
        g_free(text);
        text = zone_file(h, "z1");
        g_assert_nonnull(strstr(text, "MemoryMax=1073741824\n"));
        harness_poweroff_zone(h, "z1");
}

/* ---- bad input ---- */

/* The zone's memory limit as the kernel has it (v1 or cgroup2), to see that nothing changed. */
static char *cgroup_memory_limit(Harness *h, const char *name) {
        g_autoptr(GPtrArray) roots = harness_cgroup_hierarchies();

        for (guint i = 0; i < roots->len; i++) {
                const char *files[] = { "memory.limit_in_bytes", "memory.max" };

                for (size_t j = 0; j < G_N_ELEMENTS(files); j++) {
                        g_autofree char *path = g_strdup_printf("%s/%s/%s/%s", (char *) roots->pdata[i],
                                                                h->cgroup_root, name, files[j]);
                        char *text = NULL;

                        if (g_file_get_contents(path, &text, NULL, NULL))
                                return text;
                }
        }
        return NULL;
}

static void assert_refused(Harness *h, GVariant *limits, const char *error_name, const char *mentions) {
        g_autofree char *printed = g_variant_print(limits, TRUE);
        g_autoptr(GError) error = NULL;

        g_variant_ref_sink(limits);
        error = set_limits(h, "b1", limits, false);
        g_variant_unref(limits);
        if (!error)
                g_error("SetZoneLimits %s was accepted", printed);
        harness_assert_dbus_error(error, error_name);
        if (mentions && !strstr(error->message, mentions))
                g_error("the error of %s does not name %s: %s", printed, mentions, error->message);
}

static void test_bad_input(Harness *h, gconstpointer data) {
        static const struct {
                const char *key, *value;
        } bad[] = {
                { "MemoryMax", "lots" },        { "MemoryHigh", "-1" },   { "MemorySwapMax", "1.5.G" },
                { "CPUQuotaPerSecUSec", "0%" }, { "CPUWeight", "0" },     { "AllowedCPUs", "1-0" },
                { "TasksMax", "1.5" },          { "IOWeight", "10001" },  { "IOReadBandwidthMax", "vda:5M" },
                { "IOWriteBandwidthMax", "0" }, { "IOReadIOPSMax", "x" }, { "IOWriteIOPSMax", "/dev/vda:" },
                { "DiskQuota", "0" },
        };
        g_autofree char *before = NULL, *limit_before = NULL, *after = NULL, *limit_after = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        setup_template(h);
        error = create_zone(h, "b1", one_limit("MemoryMax", g_variant_new_uint64(64 * MiB)));
        g_assert_no_error(error);
        boot(h, "b1");
        before = zone_file(h, "b1");
        limit_before = cgroup_memory_limit(h, "b1");
        g_assert_nonnull(limit_before);

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                GVariantBuilder b;

                /* Each with a good one before it, which must not be applied either. */
                g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
                g_variant_builder_add(&b, "{sv}", "MemoryMax", g_variant_new_uint64(128 * MiB));
                g_variant_builder_add(&b, "{sv}", bad[i].key, g_variant_new_string(bad[i].value));
                assert_refused(h, g_variant_builder_end(&b), "org.freedesktop.DBus.Error.InvalidArgs",
                               bad[i].key);
        }
        assert_refused(h, one_limit("MemoryMax", g_variant_new_uint64(0)),
                       "org.freedesktop.DBus.Error.InvalidArgs", "MemoryMax");
        assert_refused(h, one_limit("CPUWeight", g_variant_new_uint64(20000)),
                       "org.freedesktop.DBus.Error.InvalidArgs", "CPUWeight");
        assert_refused(h, one_limit("MemoryMax", g_variant_new_boolean(TRUE)),
                       "org.freedesktop.DBus.Error.InvalidArgs", "MemoryMax");
        assert_refused(h, one_limit("AllowedCPUs", g_variant_new_uint64(1)),
                       "org.freedesktop.DBus.Error.InvalidArgs", "AllowedCPUs");
        assert_refused(h, one_limit("MemoryLimit", g_variant_new_uint64(MiB)),
                       "org.freedesktop.DBus.Error.InvalidArgs", "MemoryLimit");
        /* b1 was created without a disk image: there is nothing to resize. */
        assert_refused(h, one_limit("DiskQuota", g_variant_new_string("2G")), "org.zoned1.Error.NoDiskImage",
                       NULL);
        /* A CPU the host does not have: the kernel refuses, the rest stays. */
        assert_refused(h, one_limit("AllowedCPUs", g_variant_new_string("4000")),
                       "org.freedesktop.DBus.Error.InvalidArgs", "AllowedCPUs");
        if (g_file_test("/sys/fs/cgroup/memory", G_FILE_TEST_IS_DIR)) {
                /* This host's v1 controllers have no equivalent of these. */
                assert_refused(h, one_limit("MemoryHigh", g_variant_new_string("32M")),
                               "org.zoned1.Error.NotSupported", "MemoryHigh");
                if (!g_file_test("/sys/fs/cgroup/blkio/blkio.bfq.weight", G_FILE_TEST_EXISTS) &&
                    !g_file_test("/sys/fs/cgroup/blkio/blkio.weight", G_FILE_TEST_EXISTS))
                        assert_refused(h, one_limit("IOWeight", g_variant_new_uint64(200)),
                                       "org.zoned1.Error.NotSupported", "IOWeight");
        }
        if (g_file_test("/sys/fs/cgroup/memory/memory.limit_in_bytes", G_FILE_TEST_EXISTS)) {
                g_autofree char *swaps = NULL;

                g_assert_true(g_file_get_contents("/proc/swaps", &swaps, NULL, NULL));
                if (strchr(swaps, '\n') && strchr(swaps, '\n')[1])
                        g_test_message(
                                "the host has swap: no memory the kernel cannot reclaim for v1's EBUSY");
                else {
                        /* 40 MiB in a tmpfs of the zone's, which no reclaim can take back without swap:
                         * v1 refuses a limit below it (EBUSY), and nothing changes. */
                        g_assert_cmpint(zone_sh(h, "b1",
                                                "mkdir -p /mnt/fill && mount -t tmpfs fill /mnt/fill && "
                                                "dd if=/dev/zero of=/mnt/fill/f bs=1M count=40 2>/dev/null",
                                                NULL),
                                        ==, 0);
                        assert_refused(h, one_limit("MemoryMax", g_variant_new_string("16M")),
                                       "org.zoned1.Error.Busy", "MemoryMax");
                        g_assert_cmpint(zone_sh(h, "b1", "umount /mnt/fill", NULL), ==, 0);
                }
        }

        /* Not root: refused before anything is read. */
        harness_run(
                &(HarnessSpawn) {
                        .argv = (const char *const[]) { "/usr/bin/gdbus", "call", "--address",
                                                        h->bus_address, "--dest", "org.zoned1",
                                                        "--object-path", "/org/zoned1", "--method",
                                                        "org.zoned1.Manager.SetZoneLimits", "b1",
                                                        "{'MemoryMax': <uint64 1073741824>}", "false",
                                                        NULL },
                        .env_set = (const char *const[]) { "HOME=/nonexistent", "XDG_RUNTIME_DIR", NULL },
                        .as_nobody = true },
                &r);
        g_assert_cmpint(r.status, !=, 0);
        if (!strstr(r.err, "org.freedesktop.DBus.Error.AccessDenied"))
                g_error("SetZoneLimits as uid 65534: %s", r.err);

        after = zone_file(h, "b1");
        g_assert_cmpstr(after, ==, before);
        limit_after = cgroup_memory_limit(h, "b1");
        g_assert_cmpstr(limit_after, ==, limit_before);
        g_assert_cmpuint(zone_u64(h, "b1", "MemoryMax"), ==, 64 * MiB);
        harness_poweroff_zone(h, "b1");
}

/* ---- CPU ---- */

/* The zone's CPU time per second of wall time while sh -c script runs in it. */
static double cpu_share_while(Harness *h, const char *name, const char *script) {
        guint64 cpu0, cpu1;
        gint64 t0, t1;

        cpu0 = zone_u64(h, name, "CPUUsageNSec");
        t0 = g_get_monotonic_time();
        (void) zone_sh(h, name, script, NULL);
        t1 = g_get_monotonic_time();
        cpu1 = zone_u64(h, name, "CPUUsageNSec");
        g_assert_cmpuint(cpu1, >, cpu0);
        return (double) (cpu1 - cpu0) / 1000.0 / (double) (t1 - t0);
}

#define BUSY_4S "timeout 4 sh -c 'while :; do :; done'"

static void test_cpu(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;
        double share;

        if (harness_skipped(h))
                return;
        setup_template(h);
        error = create_zone(h, "c1", one_limit("CPUQuotaPerSecUSec", g_variant_new_string("50%")));
        g_assert_no_error(error);
        g_assert_cmpuint(zone_u64(h, "c1", "CPUQuotaPerSecUSec"), ==, 500000);
        boot(h, "c1");

        /* A busy loop gets about half a CPU (measured: the cgroup's CPU time). */
        share = cpu_share_while(h, "c1", BUSY_4S);
        g_test_message("a busy loop at cpu-quota=50%% used %.2f CPUs", share);
        g_assert_cmpfloat(share, <, 0.8);
        g_assert_cmpfloat(share, >, 0.2);
        /* Two of them, at 150% on a host that may have only two CPUs: at most one and a half. */
        set_limit_ok(h, "c1", "CPUQuotaPerSecUSec", g_variant_new_uint64(1500000), true);
        share = cpu_share_while(h, "c1", BUSY_4S " & " BUSY_4S "; wait");
        g_test_message("two busy loops at cpu-quota=150%% used %.2f CPUs", share);
        g_assert_cmpfloat(share, <, 1.8);
        g_assert_cmpfloat(share, >, 0.5);

        /* cpus=: what the zone's processes may run on. */
        set_limit_ok(h, "c1", "AllowedCPUs", g_variant_new_string("0"), false);
        g_assert_cmpint(zone_sh(h, "c1", "grep Cpus_allowed_list /proc/self/status; nproc", &out), ==, 0);
        g_assert_cmpstr(out, ==, "Cpus_allowed_list:\t0\n1");
        if (g_get_num_processors() > 1) {
                g_autofree char *wide = NULL;

                set_limit_ok(h, "c1", "AllowedCPUs", g_variant_new_string("0-1"), false);
                g_assert_cmpint(zone_sh(h, "c1", "grep Cpus_allowed_list /proc/self/status; nproc", &wide),
                                ==, 0);
                g_assert_cmpstr(wide, ==, "Cpus_allowed_list:\t0-1\n2");
        }
        set_limit_ok(h, "c1", "CPUWeight", g_variant_new_uint64(200), false);
        g_assert_cmpuint(zone_u64(h, "c1", "CPUWeight"), ==, 200);
        harness_poweroff_zone(h, "c1");
}

/* ---- I/O ---- */

#define WRITE_8M "dd if=/dev/zero of=/io-test bs=1M count=8 oflag=direct 2>/dev/null; rm -f /io-test"

static void test_io(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        guint64 written0, written1;
        gint64 t0, t1;
        double rate;

        if (harness_skipped(h))
                return;
        setup_template(h);
        /* 2 MB/s on the disk under the zone's storage (the state dir's file system). */
        error = create_zone(h, "i1", one_limit("IOWriteBandwidthMax", g_variant_new_string("2M")));
        g_assert_no_error(error);
        g_assert_cmpuint(zone_u64(h, "i1", "IOWriteBandwidthMax"), ==, 2000000);
        boot(h, "i1");

        written0 = zone_u64(h, "i1", "IOWriteBytes");
        t0 = g_get_monotonic_time();
        g_assert_cmpint(zone_sh(h, "i1", WRITE_8M, NULL), ==, 0);
        t1 = g_get_monotonic_time();
        written1 = zone_u64(h, "i1", "IOWriteBytes");
        rate = 8.0 * 1024 * 1024 / ((double) (t1 - t0) / 1e6);
        g_test_message("dd oflag=direct at io-write-bandwidth=2M: %.0f bytes/s, %" G_GUINT64_FORMAT
                       " bytes counted",
                       rate, written1 - written0);
        g_assert_cmpuint(written1 - written0, >=, 8 * MiB);
        g_assert_cmpfloat(rate, <, 4e6);

        /* No limit: the same write is faster than the limit was. */
        set_limit_ok(h, "i1", "IOWriteBandwidthMax", g_variant_new_string("infinity"), true);
        t0 = g_get_monotonic_time();
        g_assert_cmpint(zone_sh(h, "i1", WRITE_8M, NULL), ==, 0);
        t1 = g_get_monotonic_time();
        rate = 8.0 * 1024 * 1024 / ((double) (t1 - t0) / 1e6);
        g_test_message("without the limit: %.0f bytes/s", rate);
        harness_poweroff_zone(h, "i1");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/limits/memory", test_memory, HARNESS_ZONECTL);
        HARNESS_TEST("/limits/tasks", test_tasks, HARNESS_ZONECTL);
        HARNESS_TEST("/limits/cpu", test_cpu, HARNESS_ZONECTL);
        HARNESS_TEST("/limits/io", test_io, HARNESS_ZONECTL);
        HARNESS_TEST("/limits/persistence", test_persistence, HARNESS_ZONECTL);
        HARNESS_TEST("/limits/zonectl", test_zonectl, HARNESS_ZONECTL);
        HARNESS_TEST("/limits/bad-input", test_bad_input, HARNESS_ZONECTL);
        return g_test_run();
}
