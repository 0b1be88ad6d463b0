/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* When an init does not play along: one that ignores its poweroff signal is
 * killed once the brand's stop timeout has passed, and the zone's console log
 * says so; one that only ever reboots itself is given up on after a few
 * reboots, as failed, with the reason; one whose brand waits for a file it never makes is failed
 * after the brand's ready timeout, with the reason. All leave nothing behind. The inits
 * are shell scripts on the busybox fixture, under brands of the test's own. */

#include <signal.h>
#include <sys/stat.h>

#include "harness.h"

/* Ignores SIGUSR1, its brand's poweroff signal, and never ends by itself. */
static const char stubborn_init[] = "#!/bin/sh\n"
                                    "trap '' USR1\n"
                                    "echo stubborn init running\n"
                                    "while :; do sleep 1; done\n";
/* reboot(2) in a PID namespace ends its init with SIGHUP: the supervisor boots it again. */
static const char reboot_loop_init[] = "#!/bin/sh\n"
                                       "echo rebooting at once\n"
                                       "exec reboot -f\n";

/* Ready once it made /run/ready, a moment after it started; ends on SIGTERM. */
static const char late_init[] = "#!/bin/sh\n"
                                "trap 'exit 0' TERM\n"
                                "sleep 1\n"
                                "echo late init ready\n"
                                ": > /run/ready\n"
                                "while :; do sleep 1; done\n";

/* The same init, which never makes the file its brand waits for. */
static const char never_ready_brand[] = "[Brand]\n"
                                        "Description=never ready\n"
                                        "Init=/sbin/stubborn-init\n"
                                        "PoweroffSignal=SIGUSR1\n"
                                        "RebootSignal=SIGUSR1\n"
                                        "HaltSignal=SIGUSR1\n"
                                        "Ready=file:/run/never\n"
                                        "ReadyTimeoutSec=1\n";
static const char file_ready_brand[] = "[Brand]\n"
                                       "Description=ready with a file\n"
                                       "Init=/sbin/late-init\n"
                                       "PoweroffSignal=SIGTERM\n"
                                       "RebootSignal=SIGTERM\n"
                                       "HaltSignal=SIGTERM\n"
                                       "Ready=file:/run/ready\n"
                                       "ReadyTimeoutSec=30\n";

/* Its stop protocol sets modes in the zone's tree: the init points three of those files at a host
 * file (by its absolute path, through "..", and through /proc's magic link), and says what its own
 * file's mode was. */
static const char prepare_init_format[] =
        "#!/bin/sh\n"
        "ln -s %1$s /run/flag-absolute\n"
        "ln -s ../../../../../../..%1$s /run/flag-dotdot\n"
        "ln -s /proc/1/root%1$s /run/flag-proc\n"
        ": > /run/flag-own\n"
        "chmod 0 /run/flag-own\n"
        "trap 'echo \"own flag mode $(stat -c %%a /run/flag-own)\"; exit 0' USR2\n"
        "echo prepare init running\n"
        "while :; do sleep 1; done\n";
static const char prepare_brand[] = "[Brand]\n"
                                    "Description=prepares files before its stop signal\n"
                                    "Init=/sbin/prepare-init\n"
                                    "PoweroffSignal=SIGUSR2\n"
                                    "RebootSignal=SIGUSR2\n"
                                    "HaltSignal=SIGUSR2\n"
                                    "PoweroffPrepare=/run/flag-absolute:0777 /run/flag-dotdot:0777 "
                                    "/run/flag-proc:0777 /run/flag-own:0100\n"
                                    "Ready=exec\n"
                                    "StopTimeoutSec=10\n";

/* The same init, running once its console said so: the last resort of readiness. */
static const char console_ready_brand[] = "[Brand]\n"
                                          "Description=ready by a console line\n"
                                          "Init=/sbin/late-init\n"
                                          "PoweroffSignal=SIGTERM\n"
                                          "RebootSignal=SIGTERM\n"
                                          "HaltSignal=SIGTERM\n"
                                          "Ready=console:late init ready\n"
                                          "ReadyTimeoutSec=30\n";

static const char stubborn_brand[] = "[Brand]\n"
                                     "Description=ignores its poweroff signal\n"
                                     "Init=/sbin/stubborn-init\n"
                                     "PoweroffSignal=SIGUSR1\n"
                                     "RebootSignal=SIGUSR1\n"
                                     "HaltSignal=SIGUSR1\n"
                                     "Ready=exec\n"
                                     "StopTimeoutSec=1\n";
static const char reboot_loop_brand[] = "[Brand]\n"
                                        "Description=reboots itself for ever\n"
                                        "Init=/sbin/reboot-loop-init\n"
                                        "PoweroffSignal=SIGKILL\n"
                                        "RebootSignal=SIGKILL\n"
                                        "HaltSignal=SIGKILL\n"
                                        "Ready=exec\n";

static void write_file(const char *dir, const char *name, const char *text, mode_t mode) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        harness_write_file(path, text, mode);
}

/* The busybox fixture with the two inits, imported once per brand; zoned restarted with the
 * test's brands. */
static void prepare(Harness *h) {
        g_autofree char *rootfs = g_build_filename(h->tmpdir, "rootfs", NULL),
                        *sbin = g_build_filename(rootfs, "sbin", NULL);
        g_auto(HarnessRun) copy = { 0 };

        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  rootfs, NULL } },
                &copy);
        harness_assert_run(&copy, 0, "cp -a the busybox rootfs");
        write_file(sbin, "stubborn-init", stubborn_init, 0755);
        write_file(sbin, "reboot-loop-init", reboot_loop_init, 0755);
        write_file(sbin, "late-init", late_init, 0755);
        {
                g_autofree char *victim = g_build_filename(h->tmpdir, "victim", NULL);
                g_autofree char *init = g_strdup_printf(prepare_init_format, victim);

                harness_write_file(victim, "the host's\n", 0600);
                write_file(sbin, "prepare-init", init, 0755);
        }

        h->brands_dir = g_build_filename(h->tmpdir, "brands", NULL);
        g_assert_no_errno(mkdir(h->brands_dir, 0755));
        write_file(h->brands_dir, "stubborn.brand", stubborn_brand, 0644);
        write_file(h->brands_dir, "reboot-loop.brand", reboot_loop_brand, 0644);
        write_file(h->brands_dir, "never-ready.brand", never_ready_brand, 0644);
        write_file(h->brands_dir, "file-ready.brand", file_ready_brand, 0644);
        write_file(h->brands_dir, "prepare.brand", prepare_brand, 0644);
        write_file(h->brands_dir, "console-ready.brand", console_ready_brand, 0644);
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);

        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=stubborn", "import-fs", rootfs, "stubborn",
                           "--brand=stubborn", NULL);
        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=reboot-loop", "import-fs", rootfs, "loop",
                           "--brand=reboot-loop", NULL);
        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=never-ready", "import-fs", rootfs, "never",
                           "--brand=never-ready", NULL);
        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=file-ready", "import-fs", rootfs, "late",
                           "--brand=file-ready", NULL);
        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=prepare", "import-fs", rootfs, "prep",
                           "--brand=prepare", NULL);
        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=console-ready", "import-fs", rootfs, "cons",
                           "--brand=console-ready", NULL);
}

static void assert_nothing_left(Harness *h, const char *name, guint32 leader) {
        g_autofree char *leftovers = NULL;

        harness_reap_orphans();
        if (leader)
                g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, name);
        if (leftovers)
                g_error("zone %s left behind: %s", name, leftovers);
}

static void test_stop_timeout(Harness *h, gconstpointer data) {
        g_autofree char *state = NULL, *log = NULL, *log_path = NULL;
        g_auto(HarnessRun) off = { 0 };
        guint32 leader;

        if (harness_skipped(h))
                return;
        prepare(h);
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "s1", "-t", "stubborn", NULL);
        harness_zonectl_ok(h, NULL, "zonectl boot", "boot", "s1", NULL);
        leader = harness_zone_leader(h, "s1");
        g_assert_cmpuint(leader, !=, 0);

        /* Returns once the zone is down: after the timeout, by SIGKILL, which is no clean stop:
         * zonectl fails saying so, and the zone is "failed" with the reason. */
        harness_zonectl(h, &off, NULL, "poweroff", "s1", NULL);
        harness_assert_run(&off, 1, "zonectl poweroff of an init that ignores its signal");
        if (!strstr(off.err, "Did not stop within"))
                g_error("zonectl poweroff does not say the zone was killed: %s", off.err);
        state = harness_zone_state(h, "s1");
        g_assert_cmpstr(state, ==, "failed");
        {
                g_autoptr(GVariant) status = harness_zone_property(h, "s1", "StatusText");

                if (!strstr(g_variant_get_string(status, NULL), "Did not stop within"))
                        g_error("zone s1's StatusText: %s", g_variant_get_string(status, NULL));
        }
        log_path = g_build_filename(h->log_dir, "s1", "console.log", NULL);
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, "stubborn init running"));
        if (!strstr(log, "the zone did not stop in time, killing it"))
                g_error("the console log does not say the zone was killed:\n%s", log);
        assert_nothing_left(h, "s1", leader);
}

static void test_reboot_loop(Harness *h, gconstpointer data) {
        g_autoptr(ZoneWatch) w = NULL;
        g_auto(HarnessRun) boot = { 0 };
        g_autofree char *log = NULL, *log_path = NULL;
        const char *p;
        int reboots = 0;

        if (harness_skipped(h))
                return;
        prepare(h);
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "r1", "-t", "loop", NULL);
        w = zone_watch_new(h, "r1");
        /* --no-block: the zone may be running or already failed by the time zonectl would look. */
        harness_zonectl(h, &boot, NULL, "boot", "--no-block", "r1", NULL);
        harness_assert_run(&boot, 0, "zonectl boot --no-block");
        if (!zone_watch_wait_state(w, "failed", 60000))
                g_error("zone r1, whose init only reboots, is not failed after 60 s (it is %s)", w->state);
        if (!w->status_text || !strstr(w->status_text, "Rebooted more than 5 times within 10 s"))
                g_error("zone r1 failed without the reason: %s", w->status_text);

        /* It booted once, and again five times, before it was given up on (counted in its console
         * log: a boot this short may end before the supervisor has announced it running). */
        log_path = g_build_filename(h->log_dir, "r1", "console.log", NULL);
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        for (p = log; (p = strstr(p, "rebooting at once")); p++)
                reboots++;
        g_assert_cmpint(reboots, ==, 6);
        g_assert_cmpuint(harness_zone_leader(h, "r1"), ==, 0);
        assert_nothing_left(h, "r1", 0);
}

/* Ready=file: "starting" until the init made the file, then "running"; a file that never comes
 * fails the zone after ReadyTimeoutSec=, with the reason, and kills it. */
static void test_ready_timeout(Harness *h, gconstpointer data) {
        g_autoptr(ZoneWatch) w = NULL;
        g_auto(HarnessRun) boot = { 0 };
        g_autofree char *log = NULL, *log_path = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        prepare(h);

        harness_zonectl_ok(h, NULL, "zonectl create", "create", "l1", "-t", "late", NULL);
        w = zone_watch_new(h, "l1");
        harness_zonectl_ok(h, NULL, "zonectl boot (Ready=file)", "boot", "l1", NULL);
        g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
        /* It was starting while the init had not made its file: its console said so first. */
        log_path = g_build_filename(h->log_dir, "l1", "console.log", NULL);
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, "late init ready"));
        g_assert_cmpuint(w->states->len, >=, 2);
        g_assert_cmpstr(g_ptr_array_index(w->states, 0), ==, "starting");
        leader = harness_zone_leader(h, "l1");
        harness_zonectl_ok(h, NULL, "zonectl poweroff", "poweroff", "l1", NULL);
        assert_nothing_left(h, "l1", leader);
        g_clear_pointer(&w, zone_watch_free);

        /* Ready=console: the same, by the line the init writes to its console. */
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "c1", "-t", "cons", NULL);
        w = zone_watch_new(h, "c1");
        harness_zonectl_ok(h, NULL, "zonectl boot (Ready=console)", "boot", "c1", NULL);
        g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
        g_assert_cmpstr(g_ptr_array_index(w->states, 0), ==, "starting");
        leader = harness_zone_leader(h, "c1");
        harness_zonectl_ok(h, NULL, "zonectl poweroff", "poweroff", "c1", NULL);
        assert_nothing_left(h, "c1", leader);
        g_clear_pointer(&w, zone_watch_free);
        g_clear_pointer(&log, g_free);
        g_clear_pointer(&log_path, g_free);

        harness_zonectl_ok(h, NULL, "zonectl create", "create", "n1", "-t", "never", NULL);
        w = zone_watch_new(h, "n1");
        harness_zonectl(h, &boot, NULL, "boot", "n1", NULL);
        harness_assert_run(&boot, 1, "zonectl boot of a zone that never becomes ready");
        if (!zone_watch_wait_state(w, "failed", 30000))
                g_error("zone n1 is not failed after 30 s (it is %s)", w->state);
        if (!w->status_text ||
            !strstr(w->status_text, "Did not become ready within 1 s (Ready=file:/run/never), killed"))
                g_error("zone n1 failed without the reason: %s", w->status_text);
        log_path = g_build_filename(h->log_dir, "n1", "console.log", NULL);
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        if (!strstr(log, "the zone did not become ready in time, killing it"))
                g_error("the console log does not say the zone was killed:\n%s", log);
        g_assert_cmpuint(harness_zone_leader(h, "n1"), ==, 0);
        assert_nothing_left(h, "n1", 0);
}

/* The stop protocol's files are set as the zone sees them, by the host's root: a symlink the zone
 * makes never leads it out of the zone (by an absolute path, "..", or /proc's magic links), and the
 * zone's own file gets its mode before the signal. */
static void test_prepare_confined(Harness *h, gconstpointer data) {
        g_autofree char *victim = NULL, *log = NULL, *log_path = NULL;
        struct stat st;
        guint32 leader;

        if (harness_skipped(h))
                return;
        prepare(h);
        victim = g_build_filename(h->tmpdir, "victim", NULL);
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "p1", "-t", "prep", NULL);
        harness_zonectl_ok(h, NULL, "zonectl boot", "boot", "p1", NULL);
        leader = harness_zone_leader(h, "p1");
        /* The init made its links before it said it runs. */
        log_path = g_build_filename(h->log_dir, "p1", "console.log", NULL);
        for (int i = 0; i < 100; i++) {
                g_clear_pointer(&log, g_free);
                if (g_file_get_contents(log_path, &log, NULL, NULL) && strstr(log, "prepare init running"))
                        break;
                g_usleep(50000);
        }
        harness_zonectl_ok(h, NULL, "zonectl poweroff", "poweroff", "p1", NULL);
        g_assert_no_errno(stat(victim, &st));
        g_assert_cmphex(st.st_mode & 07777, ==, 0600);
        g_clear_pointer(&log, g_free);
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        if (!strstr(log, "own flag mode 100"))
                g_error("the zone's own file did not get its mode before the signal:\n%s", log);
        assert_nothing_left(h, "p1", leader);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        g_test_add("/stop/timeout", Harness, NULL, harness_setup, test_stop_timeout, harness_teardown);
        g_test_add("/stop/reboot-loop", Harness, NULL, harness_setup, test_reboot_loop, harness_teardown);
        g_test_add("/stop/ready-timeout", Harness, NULL, harness_setup, test_ready_timeout,
                   harness_teardown);
        g_test_add("/stop/prepare-confined", Harness, NULL, harness_setup, test_prepare_confined,
                   harness_teardown);
        return g_test_run();
}
