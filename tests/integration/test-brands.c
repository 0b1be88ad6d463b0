/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every shipped brand on a real Debian userland (tests/fixtures/build-debian-rootfs.sh, from the
 * host's mirror), in the default user-namespaced mode: the tree comes in with `zonectl
 * import-tar` carrying the /etc/hostname of the machine that built it, and no --brand; zoned
 * detects the brand, the zone boots, is running by the brand's rule of readiness, its console
 * shows a login prompt with the zone's name, `zonectl shell` works, and it reboots and powers off
 * through its brand's own protocol, never the stop timeout's SIGKILL (which makes zonectl exit
 * non-zero), leaving nothing behind. The brand's fix-ups reach the imported tree because they are
 * applied at boot: before them, a sysvinit or openrc tree from import-tar never powered off. */

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* How long a getty may take to show its prompt once the zone is running. */
#define PROMPT_TIMEOUT_MS 20000

typedef struct BrandCase {
        const char *init; /* build-debian-rootfs.sh --init= */
        const char *arch;
        const char *brand; /* what zoned must detect */
        const char *suite; /* NULL: bookworm */
} BrandCase;

/* The fixture's tarball with a second /etc/hostname appended (tar keeps the last member of a
 * name): the name of the machine that built it, which the zone must not take. */
static char *fixture_tar(Harness *h, const BrandCase *c) {
        g_autofree char *init = g_strdup_printf("--init=%s", c->init), *extra = NULL, *etc = NULL,
                        *tar = NULL, *cmd = NULL;
        g_auto(HarnessRun) r = { 0 };
        const char *script = g_getenv("ZONED_TEST_DEBIAN_SCRIPT");

        if (!script) {
                g_test_skip("ZONED_TEST_DEBIAN_SCRIPT is not set");
                return NULL;
        }
        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/bash", script, "--tar", init,
                                                                  c->suite ?: "bookworm", c->arch, NULL },
                                  .timeout_ms = 900000 },
                &r);
        if (r.status != 0) {
                g_test_skip_printf("no Debian %s/%s tree with %s: build-debian-rootfs.sh failed (%d; needs "
                                   "mmdebstrap and the host's Debian mirror): %s",
                                   c->suite ?: "bookworm", c->arch, c->init, r.status, r.err);
                return NULL;
        }
        extra = g_build_filename(h->tmpdir, "extra", NULL);
        etc = g_build_filename(extra, "etc", NULL);
        g_assert_no_errno(g_mkdir_with_parents(etc, 0755));
        g_free(cmd);
        cmd = g_build_filename(etc, "hostname", NULL);
        harness_write_file(cmd, "builder\n", 0644);
        tar = g_build_filename(h->tmpdir, "rootfs.tar", NULL);
        g_free(cmd);
        cmd = g_strdup_printf("cp '%s' '%s' && tar --numeric-owner -rf '%s' -C '%s' ./etc/hostname",
                              g_strstrip(r.out), tar, tar, extra);
        g_assert_cmpint(system(cmd), ==, 0);
        return g_steal_pointer(&tar);
}

/* The zone's console log as text: what an init writes there may hold NUL bytes (runit's stage 3
 * does), which would end a C string early. */
static char *console_log(Harness *h, const char *zone) {
        g_autofree char *path = g_build_filename(h->log_dir, zone, "console.log", NULL);
        char *text = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &text, &len, NULL))
                return g_strdup("");
        for (gsize i = 0; i < len; i++)
                if (text[i] == 0)
                        text[i] = ' ';
        return text;
}

typedef struct PromptWait {
        Harness *h;
        const char *zone;
        char *prompt;
        unsigned n;
} PromptWait;

/* Whether the console log shows the prompt n times (one per boot). */
static bool prompts_seen(gpointer data) {
        PromptWait *p = data;
        g_autofree char *log = console_log(p->h, p->zone);
        unsigned seen = 0;

        for (const char *s = log; (s = strstr(s, p->prompt)); s++)
                seen++;
        return seen >= p->n;
}

static gboolean tick(gpointer data) {
        return G_SOURCE_CONTINUE;
}

/* The console shows "ZONE login:" (the getty's prompt, what `zonectl login` and `console` reach)
 * for the n-th time: the getty of the n-th boot. */
static void assert_login_prompt(Harness *h, const char *zone, unsigned n) {
        g_autofree char *prompt = g_strdup_printf("%s login:", zone);
        PromptWait p = { h, zone, prompt, n };
        guint id = g_timeout_add(50, tick, NULL);
        bool ok = harness_wait(prompts_seen, &p, PROMPT_TIMEOUT_MS);

        g_source_remove(id);
        if (!ok)
                g_error("zone %s's console shows \"%s\" fewer than %u times:\n%s", zone, prompt, n,
                        console_log(h, zone));
}

static char *zone_sh(Harness *h, const char *zone, const char *script) {
        return g_strstrip(harness_zone_sh(h, zone, script));
}

/* Boots zone, checks its readiness and prompt, its hostname, a reboot and a poweroff through the
 * brand's protocol; returns nothing, asserts all. */
static void boot_cycle(Harness *h, const char *zone, const char *extra_check, const char *extra_want) {
        g_autofree char *names = NULL, *log = NULL, *leftovers = NULL, *out = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        guint32 leader;

        leader = harness_boot_zone(h, zone);
        g_assert_true(harness_leader_has_userns((pid_t) leader));
        assert_login_prompt(h, zone, 1);
        /* The zone's name, not the builder's, in the kernel and in its file. */
        names = zone_sh(h, zone, "hostname; cat /etc/hostname; id -u");
        g_autofree char *want = g_strdup_printf("%s\n%s\n0", zone, zone);
        g_assert_cmpstr(names, ==, want);
        if (extra_check) {
                out = zone_sh(h, zone, extra_check);
                if (!g_regex_match_simple(extra_want, out, 0, 0))
                        g_error("zone %s: `%s` says \"%s\", not /%s/", zone, extra_check, out, extra_want);
        }

        /* The brand's reboot, a new init, ready again. */
        w = zone_watch_new(h, zone);
        harness_zonectl_ok(h, NULL, "zonectl reboot", "reboot", zone, NULL);
        g_assert_true(zone_watch_wait_new_leader(w, leader, HARNESS_BOOT_TIMEOUT_MS));
        g_assert_true(zone_watch_wait_state(w, "running", HARNESS_BOOT_TIMEOUT_MS));
        assert_login_prompt(h, zone, 2);

        /* The brand's poweroff: zonectl exits 0 only if the init stopped by itself. */
        harness_zonectl_ok(h, NULL, "zonectl poweroff", "poweroff", zone, NULL);
        g_assert_cmpuint(harness_zone_leader(h, zone), ==, 0);
        log = console_log(h, zone);
        g_assert_null(strstr(log, "did not stop in time"));
        g_assert_null(strstr(log, "did not become ready"));
        leftovers = harness_zone_leftovers(h, zone);
        if (leftovers)
                g_error("zone %s is stopped but left: %s", zone, leftovers);
}

static void run_case(Harness *h, const BrandCase *c, const char *extra_check, const char *extra_want) {
        g_autofree char *tar = NULL;

        if (harness_skipped(h))
                return;
        tar = fixture_tar(h, c);
        if (!tar)
                return;
        harness_zonectl_ok(h, NULL, "zonectl import-tar (no --brand)", "import-tar", tar, "t", NULL);
        harness_assert_template_brand(h, "t", c->brand);
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "web", "-t", "t", NULL);
        boot_cycle(h, "web", extra_check, extra_want);
}

static void test_sysvinit(Harness *h, gconstpointer data) {
        /* The brand's inittab: the getty on the console, none on tty1-6. */
        run_case(h, &(BrandCase) { "sysvinit", "amd64", "sysvinit" }, "pgrep -a getty | sed 's/^[0-9]* //'",
                 "^/sbin/getty --noclear 38400 console linux$");
}

static void test_openrc(Harness *h, gconstpointer data) {
        g_autofree char *log = NULL;
        const char *cgroup;

        /* OpenRC ran its default runlevel, told it is in a container. */
        run_case(h, &(BrandCase) { "openrc", "amd64", "openrc" },
                 "rc-status --runlevel; grep '^rc_sys=' /etc/rc.conf", "^default\nrc_sys=\"lxc\"$");
        if (harness_skipped(h) || g_test_failed())
                return;
        /* It found the zone's cgroup2 as it expects it: nothing to mount, no error about it. */
        log = console_log(h, "web");
        cgroup = strstr(log, "/sys/fs/cgroup");
        if (cgroup)
                g_error("OpenRC's console complains about the cgroups: %.200s",
                        cgroup > log + 100 ? cgroup - 100 : log);
}

static void test_runit(Harness *h, gconstpointer data) {
        /* runit's getty on the console runs as a service. */
        run_case(h, &(BrandCase) { "runit", "amd64", "runit" }, "sv status getty-console | cut -d: -f1",
                 "^run$");
}

/* systemd of other Debian releases under the same brand: 247 (bullseye), 257 (trixie), 26x (sid,
 * which refuses a host whose cgroups are v1: the zone's own /sys/fs/cgroup is a pure cgroup2). */
static void test_systemd_suite(Harness *h, gconstpointer data) {
        const char *suite = g_test_get_path() + strlen("/brands/systemd-");
        BrandCase c = { "systemd", "amd64", "systemd", suite };

        g_autofree char *log = NULL;
        const char *probe;

        run_case(h, &c, "systemctl is-system-running --wait; stat -f -c %T /sys/fs/cgroup",
                 "^(running|degraded)\ncgroup2fs$");
        if (harness_skipped(h) || g_test_failed())
                return;
        /* systemd 258 and later ask the console for its size at boot (CSI 18 t) and, unanswered,
         * fall back to moving the cursor to 32766;32766 and asking where it is, a third of a second
         * of waiting each: the supervisor answers the first, so the second never follows it. */
        log = console_log(h, "web");
        probe = strstr(log, "\033[18t\0337\033[32766;32766H");
        if (probe)
                g_error("systemd had to probe the console's size: %s",
                        g_strescape(probe > log + 200 ? probe - 200 : log, NULL));
}

/* zonectl set NAME brand=B: refused for a brand zoned does not have (naming those it has) and for
 * a running zone, changing nothing; for a stopped zone the next boot is the new brand's. */
static void assert_set_brand(Harness *h, const char *zone) {
        g_auto(HarnessRun) bad = { 0 }, busy = { 0 };
        g_autoptr(GVariant) brand = NULL;
        g_autofree char *release = NULL, *cfg = NULL, *text = NULL;

        harness_zonectl(h, &bad, NULL, "set", zone, "brand=solaris8", NULL);
        harness_assert_run(&bad, 1, "zonectl set brand=solaris8");
        if (!strstr(bad.err,
                    "\"solaris8\" is not installed (brands: arm64, busybox, legacy, linux32, openrc, "
                    "runit, systemd, sysvinit)"))
                g_error("zonectl set brand=solaris8 does not name the brands: %s", bad.err);
        brand = harness_zone_property(h, zone, "Brand");
        g_assert_cmpstr(g_variant_get_string(brand, NULL), ==, "legacy");

        harness_zonectl_ok(h, NULL, "zonectl set brand=linux32", "set", zone, "brand=linux32", NULL);
        g_clear_pointer(&brand, g_variant_unref);
        brand = harness_zone_property(h, zone, "Brand");
        g_assert_cmpstr(g_variant_get_string(brand, NULL), ==, "linux32");
        cfg = g_strdup_printf("%s/%s.zone", h->config_dir, zone);
        g_assert_true(g_file_get_contents(cfg, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "Brand=linux32\n"));

        harness_boot_zone(h, zone);
        harness_zonectl(h, &busy, NULL, "set", zone, "brand=legacy", NULL);
        harness_assert_run(&busy, 1, "zonectl set brand= of a running zone");
        g_assert_nonnull(strstr(busy.err, "only while it is stopped"));
        release = zone_sh(h, zone, "uname -r");
        g_assert_false(g_str_has_prefix(release, "2.6."));
        harness_zonectl_ok(h, NULL, "zonectl poweroff", "poweroff", zone, NULL);
}

static void test_linux32(Harness *h, gconstpointer data) {
        g_autofree char *tar = NULL;

        /* An i386 systemd tree: linux32, detected from its init's ELF header. */
        run_case(h, &(BrandCase) { "systemd", "i386", "linux32" }, "uname -m; dpkg --print-architecture",
                 "^i686\ni386$");
        if (harness_skipped(h) || g_test_failed())
                return;
        /* The same template as legacy: 2.6 says the kernel, systemd boots all the same. */
        harness_zonectl_ok(h, NULL, "zonectl create --brand=legacy", "create", "old", "-t", "t",
                           "--brand=legacy", NULL);
        boot_cycle(h, "old", "uname -r; uname -m", "^2\\.6\\.[0-9]+.*\ni686$");
        assert_set_brand(h, "old");
}

/* zonectl brands: every shipped brand, what it inherits, its architecture and what it was proven
 * with, as ListBrandDetails gives them. */
static void test_list(Harness *h, gconstpointer data) {
        static const char *const want[][4] = {
                { "arm64", "systemd", "arm64", "debian-12-arm64@v1-hybrid" },
                { "busybox", "", "", "busybox@v1-hybrid busybox@v2" },
                { "legacy", "linux32", "i386", "debian-12-i386@v1-hybrid" },
                { "linux32", "systemd", "i386", "debian-12-i386@v1-hybrid" },
                { "openrc", "sysvinit", "", "debian-12@v1-hybrid" },
                { "runit", "", "", "debian-12@v1-hybrid" },
                { "systemd", "", "",
                  "debian-11@v1-hybrid debian-12@v1-hybrid debian-12@v2 debian-13@v1-hybrid debian-sid@v1-hybrid" },
                { "sysvinit", "", "", "debian-12@v1-hybrid" },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, list = NULL;
        g_auto(HarnessRun) r = { 0 };
        const char *name, *description, *inherits, *arch, *proven;
        GVariantIter it;
        size_t i = 0;

        if (harness_skipped(h))
                return;
        reply = harness_manager_call(h, "ListBrandDetails", NULL, "(a(sssss))", &error);
        g_assert_no_error(error);
        list = g_variant_get_child_value(reply, 0);
        g_variant_iter_init(&it, list);
        while (g_variant_iter_next(&it, "(&s&s&s&s&s)", &name, &description, &inherits, &arch, &proven)) {
                g_assert_cmpuint(i, <, G_N_ELEMENTS(want));
                g_assert_cmpstr(name, ==, want[i][0]);
                g_assert_cmpstr(inherits, ==, want[i][1]);
                g_assert_cmpstr(arch, ==, want[i][2]);
                g_assert_cmpstr(proven, ==, want[i][3]);
                g_assert_cmpstr(description, !=, "");
                i++;
        }
        g_assert_cmpuint(i, ==, G_N_ELEMENTS(want));
        harness_zonectl(h, &r, NULL, "brands", NULL);
        harness_assert_run(&r, 0, "zonectl brands");
        if (!g_regex_match_simple("^NAME +DESCRIPTION +INHERITS +ARCH +PROVEN$", r.out, G_REGEX_MULTILINE,
                                  0) ||
            !g_regex_match_simple("^linux32 .* systemd +i386 +debian-12-i386@v1-hybrid$", r.out,
                                  G_REGEX_MULTILINE, 0) ||
            !g_regex_match_simple("^systemd .* debian-12@v2 debian-13@v1-hybrid debian-sid@v1-hybrid$",
                                  r.out, G_REGEX_MULTILINE, 0))
                g_error("zonectl brands does not show the brands' details:\n%s", r.out);
}

/* Registers the qemu handler for arch if the host has none (tests/fixtures/ensure-binfmt.sh, beside
 * the Debian script); false, with the test skipped, if that cannot be done here. */
static bool ensure_binfmt(const char *arch) {
        g_autofree char *dir = g_path_get_dirname(g_getenv("ZONED_TEST_DEBIAN_SCRIPT"));
        g_autofree char *script = g_build_filename(dir, "ensure-binfmt.sh", NULL);
        g_auto(HarnessRun) r = { 0 };

        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/bin/bash", script, arch, NULL },
                                      .timeout_ms = 300000 },
                    &r);
        if (r.status != 0) {
                g_test_skip_printf("the host cannot run %s binaries through qemu-user: %s", arch, r.err);
                return false;
        }
        return true;
}

static void restart_zoned(Harness *h, const char *option) {
        g_strfreev(h->zoned_options);
        h->zoned_options = option ? g_strsplit(option, "\n", -1) : NULL;
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
}

/* An arm64 userland through qemu-user's binfmt handler: refused without a handler, with a named
 * error; with it, detected from its init's ELF header, and booted, rebooted and powered off like
 * any other, the guest's own binfmt_misc mount kept away (it would hide the host's handler). */
static void test_arm64(Harness *h, gconstpointer data) {
        static const BrandCase c = { "systemd", "arm64", "arm64" };
        g_autofree char *tar = NULL, *empty = NULL, *option = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        if (harness_skipped(h))
                return;
        if (g_getenv("ZONED_TEST_SANITIZED")) {
                g_test_skip("an emulated guest gains nothing from sanitizers and takes minutes under them: "
                            "the plain build runs it");
                return;
        }
        if (!ensure_binfmt("arm64"))
                return;
        tar = fixture_tar(h, &c);
        if (!tar)
                return;
        harness_zonectl_ok(h, NULL, "zonectl import-tar (no --brand)", "import-tar", tar, "t", NULL);
        harness_assert_template_brand(h, "t", "arm64");
        harness_zonectl_ok(h, NULL, "zonectl create", "create", "arm", "-t", "t", NULL);

        /* A host without the handler (zoned looks into an empty binfmt_misc): refused, nothing runs. */
        empty = g_build_filename(h->tmpdir, "no-binfmt", NULL);
        g_assert_no_errno(g_mkdir_with_parents(empty, 0755));
        option = g_strconcat("--binfmt-dir=", empty, NULL);
        restart_zoned(h, option);
        reply = harness_manager_call(h, "BootZone", g_variant_new("(s)", "arm"), "()", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoEmulator");
        if (!strstr(error->message, "no handler is registered"))
                g_error("NoEmulator does not say what is missing: %s", error->message);
        g_assert_cmpuint(harness_zone_leader(h, "arm"), ==, 0);
        restart_zoned(h, NULL);

        boot_cycle(h, "arm",
                   "uname -m; grep -c binfmt_misc /proc/self/mounts; systemctl is-enabled "
                   "proc-sys-fs-binfmt_misc.automount || :",
                   "^aarch64\n0\nmasked$");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/brands/list", test_list, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/sysvinit", test_sysvinit, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/openrc", test_openrc, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/runit", test_runit, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/linux32", test_linux32, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/arm64", test_arm64, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/systemd-bullseye", test_systemd_suite, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/systemd-trixie", test_systemd_suite, HARNESS_ZONECTL);
        HARNESS_TEST("/brands/systemd-sid", test_systemd_suite, HARNESS_ZONECTL);
        return g_test_run();
}
