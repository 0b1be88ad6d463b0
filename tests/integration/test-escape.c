/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The escape suite: zone-escape (tests/escape/), a static program in the zone's tree, run as the
 * zone's root in real booted zones — a busybox zone and a Debian systemd zone in the default
 * (user-namespaced) mode, and a zone with PrivateUsers=no for what that mode keeps — tries every
 * way out it knows; every attempt must be refused for the reason expected, and the host is
 * checked unchanged outside: its sysctls and kernel knobs, its mounts, a process of its own,
 * another zone's file, the zone's cgroups above it. TIOCSTI is tried on the terminal of a
 * `zonectl shell` run from the host, as a user runs it. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define ESCAPE "/usr/bin/zone-escape"
#define HOST_MARK "zone-escape-host-mark"
#define OTHER_FILE "/etc/zone-escape-other"
#define OTHER_TEXT "the other zone's own file\n"
#define TYPED_MARK "TYPED-BY-THE-ZONE"

/* What a zone with PrivateUsers=no still refuses: what does not need a user namespace (the filter,
 * the capability bounding set, the device policy, the PID and mount namespaces, read-only /proc/sys
 * and /sys). zoned(8) lists the rest as what the opt-out gives up. */
static const char *const opt_out_kept[] = {
        "module",  "sysctl",       "sysrq",      "sysfs",          "kread",  "keyctl",
        "bpf",     "userfaultfd",  "perf",       "clock",          "reboot", "mknod-disk",
        "shocker", "host-process", "other-zone", "cgroup-devices", "userns", NULL,
};

/* The case names zone-escape knows, from "zone-escape list". */
static GStrv escape_cases(void) {
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(HarnessRun) r = { 0 };
        g_auto(GStrv) lines = NULL;

        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { g_getenv("ZONED_TEST_ESCAPE"), "list",
                                                                      NULL } },
                    &r);
        harness_assert_run(&r, 0, "zone-escape list");
        lines = g_strsplit(r.out, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) w = g_strsplit(*l, " ", 2);

                if (w[0] && *w[0])
                        g_strv_builder_add(b, w[0]);
        }
        return g_strv_builder_end(b);
}

/* ---- the zones ---- */

static void put_escape_into(const char *tree) {
        g_autofree char *dest = g_build_filename(tree, ESCAPE, NULL), *program = NULL;
        gsize size = 0;

        g_assert_true(g_file_get_contents(g_getenv("ZONED_TEST_ESCAPE"), &program, &size, NULL));
        g_assert_true(g_file_set_contents(dest, program, (gssize) size, NULL));
        g_assert_no_errno(chmod(dest, 0755));
}

/* Template name from rootfs, with zone-escape in its tree (the template's copy, never the fixture). */
static void import_with_escape(Harness *h, const char *rootfs, const char *name, const char *brand) {
        g_autofree char *result = harness_import_fs(h, rootfs, name, brand);
        g_autofree char *tree = g_build_filename(h->state_dir, ".templates", name, "rootfs", NULL);

        g_assert_cmpstr(result, ==, "done");
        put_escape_into(tree);
}

static void create_and_boot(Harness *h, const char *name, const char *template_name, bool private_users) {
        guint32 leader;

        harness_zonectl_ok(h, NULL, "zonectl create", "create", name, "-t", template_name,
                           private_users ? "--private-users=yes" : "--private-users=no", NULL);
        leader = harness_boot_zone(h, name);
        g_assert_true(harness_wait_init_started((pid_t) leader, HARNESS_BOOT_TIMEOUT_MS));
        g_assert_true(harness_leader_has_userns((pid_t) leader) == private_users);
}

/* The other zone, with a file of its own: its host path in *ret_host_path. */
static void boot_other_zone(Harness *h, char **ret_host_path) {
        g_autofree char *path = NULL, *text = NULL;

        create_and_boot(h, "other", "bb", true);
        harness_zonectl_ok(h, NULL, "write the other zone's file", "shell", "other", "--", "/bin/sh", "-c",
                           "printf \"the other zone's own file\\n\" > " OTHER_FILE, NULL);
        path = g_build_filename(h->state_dir, "other", "upper", OTHER_FILE, NULL);
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, OTHER_TEXT);
        *ret_host_path = g_steal_pointer(&path);
}

/* ---- the host, before and after ---- */

typedef struct Host {
        pid_t sleeper; /* a process of the host, HOST_MARK in its command line */
        bool nesting;  /* the zone attacked has Nesting=yes */
        char *other_path;
        unsigned disk_major, disk_minor;
        char *disk_fstype;
} Host;

static pid_t start_sleeper(void) {
        pid_t pid = fork();

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                /* A process group of its own: its sleep goes with it. */
                (void) setpgid(0, 0);
                execl("/bin/sh", "sh", "-c", "sleep 600; : " HOST_MARK, NULL);
                _exit(127);
        }
        return pid;
}

/* The block device and file system under the zones' state: the host's disk. */
static void find_host_disk(Harness *h, Host *host) {
        g_autofree char *mountinfo = NULL;
        g_auto(GStrv) lines = NULL;
        struct stat st;

        g_assert_no_errno(stat(h->state_dir, &st));
        host->disk_major = major(st.st_dev);
        host->disk_minor = minor(st.st_dev);
        g_assert_true(g_file_get_contents("/proc/self/mountinfo", &mountinfo, NULL, NULL));
        lines = g_strsplit(mountinfo, "\n", -1);
        for (char **l = lines; *l && !host->disk_fstype; l++) {
                g_autofree char *devno = g_strdup_printf(" %u:%u ", host->disk_major, host->disk_minor);
                const char *sep = strstr(*l, " - ");
                char fstype[64];

                if (strstr(*l, devno) && sep && sscanf(sep + 3, "%63s", fstype) == 1)
                        host->disk_fstype = g_strdup(fstype);
        }
        g_assert_nonnull(host->disk_fstype);
}

static void append_file(GString *s, const char *path) {
        g_autofree char *text = NULL;

        if (g_file_get_contents(path, &text, NULL, NULL))
                g_string_append_printf(s, "%s: %s\n", path, g_strchomp(text));
}

/* The zone's cgroups in every hierarchy, and the one above each (the limits and the device list). */
static void append_zone_cgroups(GString *s, pid_t leader) {
        static const char *const files[] = {
                "devices.list",
                "memory.limit_in_bytes",
                "memory.memsw.limit_in_bytes",
                "pids.max",
                "cpu.cfs_quota_us",
                "memory.max",
                "memory.swap.max",
                "pids.max",
                "cpu.max",
        };
        g_autofree char *path = g_strdup_printf("/proc/%d/cgroup", (int) leader), *cgroups = NULL;
        g_autoptr(GPtrArray) hierarchies = harness_cgroup_hierarchies();
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents(path, &cgroups, NULL, NULL));
        lines = g_strsplit(cgroups, "\n", -1);
        for (char **l = lines; *l; l++) {
                const char *rel = strchr(*l, '/');

                for (guint i = 0; rel && i < hierarchies->len; i++) {
                        g_autofree char *dir = g_build_filename(g_ptr_array_index(hierarchies, i), rel,
                                                                NULL);
                        g_autofree char *parent = g_path_get_dirname(dir);

                        if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
                                continue;
                        for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
                                g_autofree char *a = g_build_filename(dir, files[f], NULL);
                                g_autofree char *b = g_build_filename(parent, files[f], NULL);

                                append_file(s, a);
                                append_file(s, b);
                        }
                }
        }
}

/* What the zone must not change on the host. */
static char *host_state(Host *host, const pid_t *leaders) {
        static const char *const knobs[] = {
                "/proc/sys/kernel/hostname",
                "/proc/sys/kernel/core_pattern",
                "/proc/sys/kernel/panic",
                "/proc/sys/kernel/modprobe",
                "/proc/sys/kernel/ctrl-alt-del",
                "/proc/sys/kernel/domainname",
                "/sys/kernel/mm/transparent_hugepage/enabled",
                "/sys/kernel/uevent_helper",
                "/sys/kernel/profiling",
                "/sys/module/loop/parameters/max_part",
        };
        g_autofree char *mountinfo = NULL;
        g_auto(GStrv) lines = NULL;
        GString *s = g_string_new(NULL);

        for (size_t i = 0; i < G_N_ELEMENTS(knobs); i++)
                append_file(s, knobs[i]);
        append_file(s, host->other_path);
        for (const pid_t *l = leaders; *l; l++)
                append_zone_cgroups(s, *l);
        /* Nothing the zone mounted shows up in the host's mount table. */
        g_assert_true(g_file_get_contents("/proc/self/mountinfo", &mountinfo, NULL, NULL));
        lines = g_strsplit(mountinfo, "\n", -1);
        for (char **l = lines; *l; l++)
                if (strstr(*l, "zone-escape"))
                        g_string_append_printf(s, "mount: %s\n", *l);
        return g_string_free(s, FALSE);
}

static void assert_sleeper_untouched(const Host *host) {
        g_autofree char *tracer = NULL;

        g_assert_true(harness_pid_alive(host->sleeper));
        tracer = harness_proc_status_field(host->sleeper, "TracerPid");
        if (g_strcmp0(tracer, "0") != 0)
                g_error("the host's process %d is traced by %s", (int) host->sleeper, tracer);
}

/* ---- the attempts ---- */

/* One message per line: TAP takes only a message's first line as a comment. */
static void log_lines(const char *zone, const char *what, const char *text) {
        g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);

        for (char **l = lines; *l; l++)
                if (**l)
                        g_test_message("zone %s: %s: %s", zone, what, *l);
}

/* zone-escape's verdicts on case, as the zone's root of zone. */
static void assert_refused(const char *zone, const char *out, const char *const *cases) {
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);

        for (char **l = lines; *l; l++)
                if (g_str_has_prefix(*l, "ESCAPED ") || g_str_has_prefix(*l, "UNCLEAR "))
                        g_error("zone %s: %s\nall it said:\n%s", zone, *l, out);
        for (const char *const *c = cases; *c; c++) {
                g_autofree char *key = g_strdup_printf("refused %s: ", *c);

                if (!strstr(out, key))
                        g_error("zone %s: case %s said nothing refused:\n%s", zone, *c, out);
        }
}

static void run_escape(Harness *h, const char *zone, const Host *host, const char *const *cases) {
        g_autofree char *disk = g_strdup_printf("--disk=%u:%u", host->disk_major, host->disk_minor);
        g_autofree char *fstype = g_strdup_printf("--fstype=%s", host->disk_fstype);
        g_autofree char *pid = g_strdup_printf("--host-pid=%d", (int) host->sleeper);
        g_autofree char *other = g_strdup_printf("--other-path=%s", host->other_path);
        g_autofree char *private = g_strdup_printf("--socket=%s/bus", h->runtime_dir);
        g_autofree char *control = g_strdup_printf("--socket=%s/zones/%s/control", h->runtime_dir, zone);
        g_autofree char *bus = h->bus_address && g_str_has_prefix(h->bus_address, "unix:path=")
                                       ? g_strconcat("--socket=", h->bus_address + strlen("unix:path="),
                                                     NULL)
                                       : NULL;
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) argv = NULL;
        g_auto(HarnessRun) r = { 0 };

        /* The sockets the zone tries are there on the host. */
        g_assert_true(g_file_test(private + strlen("--socket="), G_FILE_TEST_EXISTS));
        g_assert_true(g_file_test(control + strlen("--socket="), G_FILE_TEST_EXISTS));
        g_strv_builder_add_many(b, "shell", zone, "--", ESCAPE, disk, fstype, pid, "--host-mark=" HOST_MARK,
                                other, "--other-inside=" OTHER_FILE, private, control, NULL);
        if (bus)
                g_strv_builder_add(b, bus);
        if (host->nesting)
                g_strv_builder_add(b, "--nesting");
        g_strv_builder_addv(b, (const char **) cases);
        argv = g_strv_builder_end(b);
        harness_zonectl_full(h, &r, &(HarnessSpawn) { .argv = (const char *const *) argv });
        log_lines(zone, "zone-escape", r.out);
        log_lines(zone, "zone-escape (stderr)", r.err);
        assert_refused(zone, r.out, cases);
        if (r.status != 0)
                g_error("zone %s: zone-escape exited with %d:\n%s%s", zone, r.status, r.out, r.err);
}

/* TIOCSTI into the terminal of `zonectl shell` run from the host: with its stdout to a file (the
 * command gets no terminal at all), and all on the terminal (a pty of the zone's own). */
static void run_tiocsti(Harness *h, const char *zone) {
        g_autofree char *out_path = g_build_filename(h->tmpdir, "tiocsti.out", NULL), *report = NULL;
        g_auto(HarnessTtyRun) to_file = { 0 }, on_tty = { 0 };
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        g_assert_cmpint(out, >=, 0);
        harness_zonectl_on_tty(h, out, &to_file, "shell", zone, "--", ESCAPE, "tiocsti",
                               "echo " TYPED_MARK "\n", NULL);
        close(out);
        g_assert_true(g_file_get_contents(out_path, &report, NULL, NULL));
        log_lines(zone, "tiocsti, stdout to a file", report);
        if (to_file.status != 0)
                g_error("zonectl shell > file: exit status %d; the terminal showed:\n%s", to_file.status,
                        to_file.shown->str);
        harness_assert_not_typed(&to_file, report, TYPED_MARK, "zonectl shell > file");

        harness_zonectl_on_tty(h, -1, &on_tty, "shell", zone, "--", ESCAPE, "tiocsti",
                               "echo " TYPED_MARK "\n", NULL);
        log_lines(zone, "tiocsti on a terminal", on_tty.shown->str);
        g_assert_cmpint(on_tty.status, ==, 0);
        harness_assert_not_typed(&on_tty, on_tty.shown->str, TYPED_MARK, "zonectl shell on a terminal");
        /* The command's own terminal is the zone's pty, where the filter denies TIOCSTI. */
        g_assert_nonnull(strstr(on_tty.shown->str, "fd0 tty=1"));
        g_assert_nonnull(strstr(on_tty.shown->str, "tiocsti fd0 Operation not permitted"));
}

/* Every case in zone, then the host as it was. */
static void attack_from(Harness *h, const char *zone, Host *host, const char *const *cases) {
        pid_t leaders[] = { (pid_t) harness_zone_leader(h, zone), (pid_t) harness_zone_leader(h, "other"),
                            0 };
        g_autofree char *before = NULL, *after = NULL;

        before = host_state(host, leaders);
        run_escape(h, zone, host, cases);
        run_tiocsti(h, zone);
        after = host_state(host, leaders);
        if (!g_str_equal(before, after))
                g_error("zone %s changed the host:\nbefore:\n%s\nafter:\n%s", zone, before, after);
        assert_sleeper_untouched(host);
        /* The zone is still what it was: its init runs, zonectl still gets in. */
        harness_zonectl_ok(h, NULL, "the zone after the attempts", "shell", zone, "--", "/bin/true", NULL);
}

static void host_setup(Harness *h, Host *host) {
        *host = (Host) { .sleeper = start_sleeper() };
        find_host_disk(h, host);
        import_with_escape(h, harness_busybox_rootfs(), "bb", "busybox");
        boot_other_zone(h, &host->other_path);
}

static void host_done(Harness *h, Host *host) {
        int status;

        assert_sleeper_untouched(host);
        g_assert_no_errno(kill(-host->sleeper, SIGKILL));
        g_assert_cmpint(waitpid(host->sleeper, &status, 0), ==, host->sleeper);
        harness_poweroff_zone(h, "other");
        g_free(host->other_path);
        g_free(host->disk_fstype);
}

static void test_busybox(Harness *h, gconstpointer data) {
        g_auto(GStrv) cases = NULL;
        Host host;

        if (harness_skipped(h))
                return;
        cases = escape_cases();
        host_setup(h, &host);
        create_and_boot(h, "bb1", "bb", true);
        attack_from(h, "bb1", &host, (const char *const *) cases);
        harness_poweroff_zone(h, "bb1");
        host_done(h, &host);
}

static void test_debian(Harness *h, gconstpointer data) {
        g_auto(GStrv) cases = NULL;
        const char *rootfs;
        Host host;

        if (harness_skipped(h))
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;
        cases = escape_cases();
        host_setup(h, &host);
        import_with_escape(h, rootfs, "deb", NULL);
        create_and_boot(h, "deb1", "deb", true);
        /* systemd is up, with everything it starts: the attempts run beside a whole system. */
        harness_zonectl_ok(h, NULL, "systemctl is-system-running --wait", "shell", "deb1", "--", "/bin/sh",
                           "-c", "systemctl is-system-running --wait >/dev/null; true", NULL);
        attack_from(h, "deb1", &host, (const char *const *) cases);
        harness_poweroff_zone(h, "deb1");
        host_done(h, &host);
}

/* A Debian zone with Nesting=yes: it may mount a fresh procfs, and has one without masks; what they
 * show of the host is refused all the same, and the host is unchanged. */
static void test_nesting(Harness *h, gconstpointer data) {
        g_auto(GStrv) cases = NULL;
        const char *rootfs;
        guint32 leader;
        Host host;

        if (harness_skipped(h))
                return;
        rootfs = harness_debian_rootfs_or_skip();
        if (!rootfs)
                return;
        cases = escape_cases();
        host_setup(h, &host);
        host.nesting = true;
        import_with_escape(h, rootfs, "deb", NULL);
        harness_zonectl_ok(h, NULL, "zonectl create --nesting=yes", "create", "nest1", "-t", "deb",
                           "--nesting=yes", NULL);
        leader = harness_boot_zone(h, "nest1");
        g_assert_true(harness_leader_has_userns((pid_t) leader));
        harness_zonectl_ok(h, NULL, "systemctl is-system-running --wait", "shell", "nest1", "--", "/bin/sh",
                           "-c", "systemctl is-system-running --wait >/dev/null; true", NULL);
        attack_from(h, "nest1", &host, (const char *const *) cases);
        harness_poweroff_zone(h, "nest1");
        host_done(h, &host);
}

static void test_opt_out(Harness *h, gconstpointer data) {
        Host host;

        if (harness_skipped(h))
                return;
        host_setup(h, &host);
        create_and_boot(h, "trusted", "bb", false);
        attack_from(h, "trusted", &host, opt_out_kept);
        harness_poweroff_zone(h, "trusted");
        host_done(h, &host);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/escape/busybox", test_busybox, HARNESS_ZONECTL);
        HARNESS_TEST("/escape/debian", test_debian, HARNESS_ZONECTL);
        HARNESS_TEST("/escape/opt-out", test_opt_out, HARNESS_ZONECTL);
        HARNESS_TEST("/escape/nesting", test_nesting, HARNESS_ZONECTL);
        return g_test_run();
}
