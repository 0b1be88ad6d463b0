/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spare supervisor (zoned/supervisor-spare.h): zoned keeps one supervisor
 * started ahead of the next boot; a boot hands it its plan, and a new spare
 * follows. Checked on the processes themselves: their command lines, parents,
 * network namespaces and plan files. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define SPARE_WAIT_MS 10000

static char **cmdline_of(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int) pid), *text = NULL;
        GPtrArray *a = g_ptr_array_new();
        gsize len = 0;

        if (g_file_get_contents(path, &text, &len, NULL))
                for (gsize i = 0; i < len; i += strlen(text + i) + 1)
                        g_ptr_array_add(a, g_strdup(text + i));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(a, FALSE);
}

static bool has_arg(char **argv, const char *arg) {
        return argv && g_strv_contains((const char *const *) argv, arg);
}

/* The value of --plan= on a supervisor's command line, or NULL. */
static char *plan_of(pid_t pid) {
        g_auto(GStrv) argv = cmdline_of(pid);

        for (char **a = argv; a && *a; a++)
                if (g_str_has_prefix(*a, "--plan="))
                        return g_strdup(*a + strlen("--plan="));
        return NULL;
}

static char *netns_of(const char *pid) {
        g_autofree char *path = g_strdup_printf("/proc/%s/ns/net", pid);
        char *link = g_file_read_link(path, NULL);

        g_assert_nonnull(link);
        return link;
}

/* The live spare supervisor of this fixture's zoned (plan under <runtime>/supervisors/), or 0. */
static pid_t find_spare(Harness *h) {
        g_autofree char *prefix = g_strconcat("--plan=", h->runtime_dir, "/supervisors/", NULL);
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        const char *name;
        pid_t found = 0;

        g_assert_nonnull(proc);
        while ((name = g_dir_read_name(proc))) {
                g_auto(GStrv) argv = NULL;
                pid_t pid;

                if (!g_ascii_isdigit(name[0]))
                        continue;
                pid = (pid_t) atoi(name);
                argv = cmdline_of(pid);
                if (!has_arg(argv, "--spare") || !harness_pid_alive(pid))
                        continue;
                for (char **a = argv; *a; a++)
                        if (g_str_has_prefix(*a, prefix)) {
                                /* Only an unused spare has no plan yet. */
                                g_autofree char *plan = plan_of(pid);
                                if (!g_file_test(plan, G_FILE_TEST_EXISTS)) {
                                        g_assert_cmpint(found, ==, 0);
                                        found = pid;
                                }
                        }
        }
        return found;
}

/* Polls /proc (nothing announces a spare) until a spare other than not_this runs. */
static pid_t wait_for_spare(Harness *h, pid_t not_this) {
        gint64 deadline = g_get_monotonic_time() + SPARE_WAIT_MS * 1000;

        for (;;) {
                pid_t pid = find_spare(h);

                if (pid > 0 && pid != not_this)
                        return pid;
                if (g_get_monotonic_time() > deadline)
                        return 0;
                harness_reap_orphans();
                g_usleep(10 * 1000);
        }
}

static bool wait_gone(pid_t pid) {
        gint64 deadline = g_get_monotonic_time() + SPARE_WAIT_MS * 1000;

        while (harness_pid_alive(pid)) {
                if (g_get_monotonic_time() > deadline)
                        return false;
                harness_reap_orphans();
                g_usleep(10 * 1000);
        }
        return true;
}

/* The network namespace a waiting spare holds open for its zone ("net:[INODE]"), or NULL. */
static char *prepared_netns_of(pid_t pid) {
        g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        g_assert_nonnull(d);
        while ((name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                g_autofree char *link = g_file_read_link(path, NULL);

                if (link && g_str_has_prefix(link, "net:["))
                        return g_steal_pointer(&link);
        }
        return NULL;
}

static void import_busybox(Harness *h, const char *const *zones) {
        harness_import_busybox(h);
        for (const char *const *z = zones; *z; z++)
                g_free(harness_create_zone(h, *z, "bb", false));
}

/* The zones from the busybox template, and the spare that zoned started: its child, no plan yet. */
static pid_t zones_and_spare(Harness *h, const char *const *zones) {
        g_autofree char *plan = NULL;
        pid_t spare;

        import_busybox(h, zones);
        spare = wait_for_spare(h, 0);
        g_assert_cmpint(spare, >, 0);
        g_assert_cmpint(harness_parent_of(spare), ==, h->zoned_pid);
        plan = plan_of(spare);
        g_assert_false(g_file_test(plan, G_FILE_TEST_EXISTS));
        return spare;
}

static void restart_zoned(Harness *h) {
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
}

/* A boot takes the spare: the init's parent is the spare, which runs the plan zoned wrote to the
 * path on its command line, and stays in the host's network namespace while the zone has its own
 * (the one the spare made ahead; a zone with a user namespace one that namespace owns). A new spare follows;
 * the used one cleans its plan up at the end. */
static void test_boot_takes_spare(Harness *h, gconstpointer data) {
        static const char *const zones[] = { "z1", NULL };
        g_autofree char *plan = NULL, *host_net = NULL, *sup_net = NULL, *zone_net = NULL, *sup = NULL,
                        *prepared_net = NULL, *leader_s = NULL;
        g_auto(GStrv) argv = NULL;
        g_auto(HarnessRun) r = { 0 };
        pid_t spare, next;
        guint32 leader;

        if (harness_skipped(h))
                return;
        spare = zones_and_spare(h, zones);
        plan = plan_of(spare);
        prepared_net = prepared_netns_of(spare);
        g_assert_nonnull(prepared_net);

        leader = harness_boot_zone(h, "z1");
        g_assert_cmpint(harness_parent_of((pid_t) leader), ==, spare);
        argv = cmdline_of(spare);
        g_assert_true(has_arg(argv, "--spare"));
        g_assert_true(g_file_test(plan, G_FILE_TEST_IS_REGULAR));

        host_net = netns_of("self");
        sup = g_strdup_printf("%d", (int) spare);
        leader_s = g_strdup_printf("%u", leader);
        sup_net = netns_of(sup);
        zone_net = netns_of(leader_s);
        g_assert_cmpstr(sup_net, ==, host_net);
        g_assert_cmpstr(zone_net, !=, host_net);
        if (harness_leader_has_userns((pid_t) leader)) {
                /* One made outside the zone's user namespace would not be the zone's to manage. */
                g_assert_cmpstr(zone_net, !=, prepared_net);
                g_assert_true(harness_ns_owned_by_own_userns((pid_t) leader, "net"));
        } else
                g_assert_cmpstr(zone_net, ==, prepared_net);
        /* The prepared namespace is a fresh one: nothing but lo, and lo up. */
        harness_zonectl(h, &r, NULL, "shell", "z1", "--", "/bin/sh", "-c",
                        "ls /sys/class/net; cat /sys/class/net/lo/operstate", NULL);
        harness_assert_run(&r, 0, "zonectl shell z1 -- ls /sys/class/net");
        g_assert_cmpstr(r.out, ==, "lo\nunknown\n");

        next = wait_for_spare(h, spare);
        g_assert_cmpint(next, >, 0);
        g_assert_cmpint(next, !=, spare);

        harness_poweroff_zone(h, "z1");
        g_assert_true(wait_gone(spare));
        g_assert_false(g_file_test(plan, G_FILE_TEST_EXISTS));
}

static void on_boot_reply(GObject *source, GAsyncResult *result, gpointer data) {
        GVariant **reply = data;
        g_autoptr(GError) error = NULL;

        *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
        g_assert_no_error(error);
}

static void boot_async(Harness *h, const char *zone, GVariant **reply) {
        g_dbus_connection_call(h->conn, harness_destination(h), ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE,
                               "BootZone", g_variant_new("(s)", zone), G_VARIANT_TYPE("()"),
                               G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_boot_reply, reply);
}

static bool both_answered(gpointer data) {
        GVariant ***replies = data;

        return *replies[0] && *replies[1];
}

/* Two boots at once: the first takes the spare, the second starts a supervisor of its own. */
static void test_two_boots_one_spare(Harness *h, gconstpointer data) {
        static const char *const zones[] = { "z1", "z2", NULL };
        g_autoptr(ZoneWatch) w1 = NULL, w2 = NULL;
        g_autoptr(GVariant) r1 = NULL, r2 = NULL;
        g_auto(GStrv) argv1 = NULL, argv2 = NULL;
        pid_t spare;

        if (harness_skipped(h))
                return;
        spare = zones_and_spare(h, zones);
        w1 = zone_watch_new(h, "z1");
        w2 = zone_watch_new(h, "z2");
        /* Both calls are on the wire before zoned answers the first: zoned handles them one after
         * the other, before its timer for the next spare (0.5 s, at idle priority) can fire. */
        boot_async(h, "z1", &r1);
        boot_async(h, "z2", &r2);
        g_assert_true(harness_wait(both_answered, (GVariant * *[]) { &r1, &r2 }, HARNESS_BOOT_TIMEOUT_MS));
        g_assert_true(zone_watch_wait_state(w1, "running", HARNESS_BOOT_TIMEOUT_MS));
        g_assert_true(zone_watch_wait_state(w2, "running", HARNESS_BOOT_TIMEOUT_MS));

        g_assert_cmpint(harness_parent_of((pid_t) w1->leader), ==, spare);
        argv1 = cmdline_of(harness_parent_of((pid_t) w1->leader));
        argv2 = cmdline_of(harness_parent_of((pid_t) w2->leader));
        g_assert_true(has_arg(argv1, "--spare"));
        g_assert_false(has_arg(argv2, "--spare"));
        g_assert_cmpint(harness_parent_of(harness_parent_of((pid_t) w2->leader)), ==, h->zoned_pid);

        harness_poweroff_zone(h, "z1");
        harness_poweroff_zone(h, "z2");
}

/* A spare that dies unused is forgotten: the next boot starts its own supervisor and schedules a
 * new spare. */
static void test_spare_killed(Harness *h, gconstpointer data) {
        static const char *const zones[] = { "z1", NULL };
        g_auto(GStrv) argv = NULL;
        pid_t spare, next;
        guint32 leader;

        if (harness_skipped(h))
                return;
        spare = zones_and_spare(h, zones);
        g_assert_no_errno(kill(spare, SIGKILL));
        g_assert_true(wait_gone(spare));
        harness_flush(h);

        leader = harness_boot_zone(h, "z1");
        argv = cmdline_of(harness_parent_of((pid_t) leader));
        g_assert_false(has_arg(argv, "--spare"));
        next = wait_for_spare(h, spare);
        g_assert_cmpint(next, >, 0);
        harness_poweroff_zone(h, "z1");
}

/* The spare ends with zoned; a new zoned removes the plans of supervisors that died without
 * cleaning up, keeps those of running zones, and still confines what enters a zone booted by a
 * spare (zonectl shell finds the zone's system call filter through the supervisor's plan). */
static void test_restart(Harness *h, gconstpointer data) {
        static const char *const zones[] = { "z1", NULL };
        g_autofree char *plan = NULL, *stale = NULL;
        g_auto(HarnessRun) r = { 0 };
        pid_t spare, next;
        guint32 leader;

        if (harness_skipped(h))
                return;
        spare = zones_and_spare(h, zones);
        leader = harness_boot_zone(h, "z1");
        g_assert_cmpint(harness_parent_of((pid_t) leader), ==, spare);
        plan = plan_of(spare);
        next = wait_for_spare(h, spare);
        g_assert_cmpint(next, >, 0);

        /* Stopped, the spare cannot exit by itself on EOF: only zoned's SIGKILL ends it, and zoned
         * waits for it before it exits. */
        g_assert_no_errno(kill(next, SIGSTOP));
        harness_stop_zoned(h, SIGTERM);
        g_assert_false(harness_pid_alive(next));
        stale = g_build_filename(h->runtime_dir, "supervisors", "0123456789abcdef0123456789abcdef.plan",
                                 NULL);
        g_assert_true(g_file_set_contents(stale, "name=gone\n", -1, NULL));
        harness_start_zoned(h);
        g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
        g_assert_true(g_file_test(plan, G_FILE_TEST_IS_REGULAR));
        g_assert_cmpuint(harness_zone_leader(h, "z1"), ==, leader);

        harness_zonectl(h, &r, NULL, "shell", "z1", "--", "/bin/sh", "-c",
                        "grep ^Seccomp: /proc/self/status", NULL);
        harness_assert_run(&r, 0, "zonectl shell z1 -- grep Seccomp");
        g_assert_cmpstr(r.out, ==, "Seccomp:\t2\n");
        harness_poweroff_zone(h, "z1");
}

/* A supervisor killed while its zone runs (its init dies with it) leaves its cgroups behind, and
 * its plan until zoned reaps it. zoned removes the plan; the next boot removes the empty cgroups
 * and boots the zone again. */
static void test_supervisor_killed(Harness *h, gconstpointer data) {
        static const char *const zones[] = { "z1", NULL };
        g_autoptr(ZoneWatch) w = NULL;
        g_autofree char *plan = NULL;
        gint64 deadline;
        pid_t spare;
        guint32 leader;

        if (harness_skipped(h))
                return;
        spare = zones_and_spare(h, zones);
        plan = plan_of(spare);
        leader = harness_boot_zone(h, "z1");
        g_assert_cmpint(harness_parent_of((pid_t) leader), ==, spare);
        w = zone_watch_new(h, "z1");
        g_assert_no_errno(kill(spare, SIGKILL));
        g_assert_true(zone_watch_wait_state(w, "failed", HARNESS_STOP_TIMEOUT_MS));
        g_assert_true(wait_gone((pid_t) leader));
        deadline = g_get_monotonic_time() + SPARE_WAIT_MS * 1000;
        while (g_file_test(plan, G_FILE_TEST_EXISTS) && g_get_monotonic_time() < deadline) {
                harness_flush(h);
                g_usleep(10 * 1000);
        }
        g_assert_false(g_file_test(plan, G_FILE_TEST_EXISTS));

        leader = harness_boot_zone(h, "z1");
        g_assert_cmpuint(leader, !=, 0);
        harness_poweroff_zone(h, "z1");
}

/* --no-spare-supervisor: no spare, and boots start their own supervisor. */
static void test_no_spare(Harness *h, gconstpointer data) {
        static const char *const zones[] = { "z1", NULL };
        g_auto(GStrv) argv = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        h->zoned_options = g_strdupv((char *[]) { (char *) "--no-spare-supervisor", NULL });
        restart_zoned(h);
        import_busybox(h, zones);
        leader = harness_boot_zone(h, "z1");
        argv = cmdline_of(harness_parent_of((pid_t) leader));
        g_assert_false(has_arg(argv, "--spare"));
        /* A spare would have been started right after startup, and again 0.5 s after this boot. */
        g_usleep(G_USEC_PER_SEC);
        g_assert_cmpint(find_spare(h), ==, 0);
        harness_poweroff_zone(h, "z1");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/spare/boot-takes-spare", test_boot_takes_spare, HARNESS_ZONECTL);
        HARNESS_TEST("/spare/two-boots-one-spare", test_two_boots_one_spare, HARNESS_DEFAULT);
        HARNESS_TEST("/spare/spare-killed", test_spare_killed, HARNESS_DEFAULT);
        HARNESS_TEST("/spare/restart", test_restart, HARNESS_ZONECTL);
        HARNESS_TEST("/spare/supervisor-killed", test_supervisor_killed, HARNESS_DEFAULT);
        HARNESS_TEST("/spare/no-spare", test_no_spare, HARNESS_DEFAULT);
        return g_test_run();
}
