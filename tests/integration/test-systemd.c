/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd brand: a Debian bookworm rootfs (tests/fixtures/build-debian-rootfs.sh)
 * imported without --brand is detected as systemd; a zone of it boots to
 * multi-user, is "running" only once systemd said READY=1, has no unit that
 * failed because of the container, keeps its machine id, reboots with a new
 * init, and powers off through systemd's own shutdown, leaving nothing behind. */

#include <signal.h>
#include <stdarg.h>

#include "harness.h"

#define ZONE "deb"

/* Units that may fail in a zone, and why that is not the container's fault. Empty: in a
 * bookworm minbase tree nothing fails. A unit that fails and is not listed fails the test. */
static const struct {
        const char *unit;
        const char *reason;
} acceptable_failures[] = {
        { NULL, NULL },
};

/* zonectl shell ZONE -- ARGV...; returns the exit status, stdout in *ret_out. */
static int zone_run(Harness *h, char **ret_out, ...) G_GNUC_NULL_TERMINATED;
static int zone_run(Harness *h, char **ret_out, ...) {
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) args = NULL;
        g_auto(HarnessRun) r = { 0 };
        const char *a;
        va_list ap;

        g_strv_builder_add_many(b, "shell", ZONE, "--", NULL);
        va_start(ap, ret_out);
        while ((a = va_arg(ap, const char *)))
                g_strv_builder_add(b, a);
        va_end(ap);
        args = g_strv_builder_end(b);
        harness_zonectl_full(h, &r, &(HarnessSpawn) { .argv = (const char *const *) args });
        if (r.err && *r.err)
                g_test_message("zonectl shell %s: stderr: %s", args[3], r.err);
        if (ret_out)
                *ret_out = g_strdup(g_strstrip(r.out));
        return r.status;
}

static char *console_log(Harness *h) {
        g_autofree char *path = g_build_filename(h->log_dir, ZONE, "console.log", NULL);
        char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return g_strdup("");
        return text;
}

static bool unit_is_acceptable(const char *unit) {
        for (size_t i = 0; i < G_N_ELEMENTS(acceptable_failures); i++)
                if (acceptable_failures[i].unit && g_str_equal(acceptable_failures[i].unit, unit)) {
                        g_test_message("unit %s failed: accepted, %s", unit, acceptable_failures[i].reason);
                        return true;
                }
        return false;
}

/* systemctl is-system-running says running, or degraded with only acceptable failed units. */
static void assert_system_running(Harness *h) {
        g_autofree char *state = NULL, *failed = NULL;
        g_auto(GStrv) lines = NULL;
        int status;

        status = zone_run(h, &state, "systemctl", "is-system-running", "--wait", NULL);
        zone_run(h, &failed, "systemctl", "list-units", "--failed", "--plain", "--no-legend", "--no-pager",
                 NULL);
        g_test_message("is-system-running: %s (%d); failed units: %s", state, status, failed);
        lines = g_strsplit(failed, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) words = g_strsplit_set(g_strstrip(*l), " \t", 2);

                if (!words[0] || !*words[0])
                        continue;
                if (!unit_is_acceptable(words[0])) {
                        g_autofree char *why = NULL;

                        zone_run(h, &why, "systemctl", "status", "--no-pager", "-l", "-n", "20", words[0],
                                 NULL);
                        g_error("unit %s failed in the zone:\n%s", words[0], why);
                }
        }
        if (!g_str_equal(state, "running") && !g_str_equal(state, "degraded"))
                g_error("systemctl is-system-running says '%s' (exit %d)", state, status);
}

static char *config_machine_id(Harness *h) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, ZONE);
        g_autoptr(GKeyFile) kf = g_key_file_new();

        g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
        return g_key_file_get_string(kf, "Zone", "MachineID", NULL);
}

/* Boots through zonectl and checks that "running" came after "starting", with systemd's STATUS=. */
static guint32 boot(Harness *h) {
        g_autoptr(ZoneWatch) w = zone_watch_new(h, ZONE);
        g_autofree char *state = NULL;
        gint64 t0 = g_get_monotonic_time();

        harness_zonectl_ok(h, NULL, "zonectl boot", "boot", ZONE, NULL);
        g_test_message("zonectl boot took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time() - t0) / 1000);
        g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
        g_assert_cmpuint(w->states->len, >=, 2);
        g_assert_cmpstr(g_ptr_array_index(w->states, 0), ==, "starting");
        g_assert_cmpstr(g_ptr_array_index(w->states, w->states->len - 1), ==, "running");
        /* systemd sends STATUS= with its READY=1 ("Ready."); it becomes StatusText. */
        g_test_message("StatusText: %s", w->status_text);
        g_assert_nonnull(w->status_text);
        g_assert_cmpstr(w->status_text, !=, "");
        return w->leader;
}

static void test_boot(Harness *h, gconstpointer data) {
        g_autofree char *mid = NULL, *inside = NULL, *log = NULL, *leftovers = NULL, *out = NULL;
        g_autofree char *cgroup = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        const char *rootfs;
        guint32 leader, leader2;
        gint64 t0;

        if (harness_skipped(h))
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;

        harness_zonectl_ok(h, NULL, "zonectl import-fs (no --brand)", "import-fs", rootfs, "deb", NULL);
        harness_assert_template_brand(h, "deb", "systemd");
        harness_zonectl_ok(h, NULL, "zonectl create", "create", ZONE, "-t", "deb", NULL);
        mid = config_machine_id(h);
        g_assert_nonnull(mid);
        g_assert_cmpuint(strlen(mid), ==, 32);

        leader = boot(h);
        assert_system_running(h);

        /* The machine id of the zone's configuration, written into the zone's own tree. */
        g_assert_cmpint(zone_run(h, &inside, "cat", "/etc/machine-id", NULL), ==, 0);
        g_assert_cmpstr(inside, ==, mid);
        /* The zone's own cgroup2, with systemd's tree in it, writable. */
        g_assert_cmpint(zone_run(h, &cgroup, "cat", "/proc/1/cgroup", NULL), ==, 0);
        g_assert_nonnull(strstr(cgroup, "0::/init.scope"));
        g_assert_cmpint(zone_run(h, &out, "stat", "-f", "-c", "%T", "/sys/fs/cgroup", NULL), ==, 0);
        g_assert_cmpstr(out, ==, "cgroup2fs");
        g_clear_pointer(&out, g_free);
        /* systemd runs under the zone's system call filter, without no_new_privs. */
        g_assert_cmpint(
                zone_run(h, &out, "sh", "-c", "grep -E '^(Seccomp|NoNewPrivs):' /proc/1/status", NULL), ==,
                0);
        g_assert_cmpstr(out, ==, "NoNewPrivs:\t0\nSeccomp:\t2");
        g_clear_pointer(&out, g_free);
        /* /proc entries about the host are masked. */
        g_assert_cmpint(zone_run(h, &out, "sh", "-c", "wc -c < /proc/keys; wc -c < /proc/timer_list", NULL),
                        ==, 0);
        g_assert_cmpstr(out, ==, "0\n0");
        /* /proc/sys is read-only but for the zone's own network settings. */
        g_assert_cmpint(
                zone_run(h, NULL, "sh", "-c",
                         "if echo x > /proc/sys/kernel/domainname; then exit 1; fi; "
                         "if [ -e /proc/sysrq-trigger ] && echo h > /proc/sysrq-trigger; then exit 2; fi; "
                         "echo 1 > /proc/sys/net/ipv4/ip_forward || exit 3",
                         NULL),
                ==, 0);

        /* zonectl shell passes the exit status through. */
        g_assert_cmpint(zone_run(h, NULL, "sh", "-c", "exit 3", NULL), ==, 3);

        /* Reboot: systemd's own shutdown, then a new init. */
        w = zone_watch_new(h, ZONE);
        harness_zonectl_ok(h, NULL, "zonectl reboot", "reboot", ZONE, NULL);
        g_assert_true(zone_watch_wait_new_leader(w, leader, HARNESS_BOOT_TIMEOUT_MS));
        leader2 = w->leader;
        g_assert_cmpuint(leader2, !=, leader);
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        assert_system_running(h);
        g_clear_pointer(&inside, g_free);
        g_assert_cmpint(zone_run(h, &inside, "cat", "/etc/machine-id", NULL), ==, 0);
        g_assert_cmpstr(inside, ==, mid);

        /* A reboot from inside: systemd ends with reboot(2), which kills it with SIGHUP; the
         * supervisor boots the zone again. The shell may die with the zone: its status is moot. */
        /* Before it, the zone's /etc/hostname names another machine, as a rootfs built elsewhere
         * does: systemd would set that name; the zone comes back as itself. */
        g_assert_cmpint(zone_run(h, NULL, "sh", "-c", "echo builder > /etc/hostname", NULL), ==, 0);
        g_clear_pointer(&w, zone_watch_free);
        w = zone_watch_new(h, ZONE);
        (void) zone_run(h, NULL, "systemctl", "reboot", NULL);
        g_assert_true(zone_watch_wait_new_leader(w, leader2, HARNESS_BOOT_TIMEOUT_MS));
        g_assert_cmpuint(w->leader, !=, leader2);
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader2));
        leader2 = w->leader;
        assert_system_running(h);
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(zone_run(h, &out, "sh", "-c", "hostname; cat /etc/hostname", NULL), ==, 0);
        g_assert_cmpstr(out, ==, ZONE "\n" ZONE);

        /* Poweroff: through systemd's shutdown (its messages on the console), not the stop
         * timeout's SIGKILL (the supervisor would have logged it to the console). */
        t0 = g_get_monotonic_time();
        harness_zonectl_ok(h, NULL, "zonectl poweroff", "poweroff", ZONE, NULL);
        g_test_message("zonectl poweroff took %" G_GINT64_FORMAT " ms",
                       (g_get_monotonic_time() - t0) / 1000);
        g_assert_cmpuint(harness_zone_leader(h, ZONE), ==, 0);
        log = console_log(h);
        if (!strstr(log, "System Power Off") && !strstr(log, "Power-Off"))
                g_error("the console log shows no systemd shutdown:\n%s", log);
        /* The supervisor writes this line into the console log when its stop timeout fires. */
        g_assert_null(strstr(log, "did not stop in time"));
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader2));
        leftovers = harness_zone_leftovers(h, ZONE);
        if (leftovers)
                g_error("zone %s is stopped but left: %s", ZONE, leftovers);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/systemd/boot", test_boot, HARNESS_ZONECTL);
        return g_test_run();
}
