/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The user story, told through zonectl as a script would: import a busybox
 * rootfs as a template, create a zone, boot it, look at it, run commands in
 * it, power it off, remove it; then check the host holds nothing of it. */

#include <signal.h>
#include <stdarg.h>

#include "harness.h"
#include "json.h"

/* Output from a pty has \r\n line ends. */
static char **output_lines(const char *out) {
        g_autofree char *s = g_strdup(out);

        g_strdelimit(s, "\r", '\n');
        return g_strsplit(s, "\n", -1);
}

static void assert_config(Harness *h, const char *name, const char *template_name, const char *storage) {
        g_autofree char *path = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        g_autofree char *t = NULL, *b = NULL, *s = NULL;

        g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error));
        g_assert_no_error(error);
        t = g_key_file_get_string(kf, "Zone", "Template", NULL);
        b = g_key_file_get_string(kf, "Zone", "Brand", NULL);
        s = g_key_file_get_string(kf, "Zone", "Storage", NULL);
        g_assert_cmpstr(t, ==, template_name);
        g_assert_cmpstr(b, ==, "busybox");
        /* Storage may be left out for the default, overlay. */
        if (s || !g_str_equal(storage, "overlay"))
                g_assert_cmpstr(s, ==, storage);
}

/* Every hierarchy puts the zone's init into <cgroup root>/<name>. */
static void assert_in_zone_cgroup(Harness *h, pid_t pid, const char *name) {
        g_autofree char *path = g_strdup_printf("/proc/%d/cgroup", (int) pid), *text = NULL;
        g_autofree char *want = g_strdup_printf("/%s/%s", h->cgroup_root, name);
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l && **l; l++) {
                const char *cg = strchr(strchr(*l, ':') + 1, ':') + 1;

                if (!g_str_equal(cg, want) && !(g_str_has_prefix(cg, want) && cg[strlen(want)] == '/'))
                        g_error("zone init %d is in cgroup '%s', expected %s (line '%s')", (int) pid, cg,
                                want, *l);
        }
}

static void assert_json_list(Harness *h, const char *name) {
        g_auto(HarnessRun) r = { 0 };
        g_autoptr(GVariant) v = NULL;
        g_autofree char *error = NULL;
        GVariantIter it;
        GVariant *item;
        bool found = false;

        harness_zonectl(h, &r, NULL, "list", "--json", NULL);
        harness_assert_run(&r, 0, "zonectl list --json");
        v = json_parse(r.out, &error);
        if (!v)
                g_error("zonectl list --json printed no valid JSON (%s):\n%s", error, r.out);
        g_assert_cmpstr(g_variant_get_type_string(v), ==, "av");
        g_variant_iter_init(&it, v);
        while (g_variant_iter_loop(&it, "v", &item)) {
                const char *n = NULL, *state = NULL, *brand = NULL, *template_name = NULL;

                g_assert_cmpstr(g_variant_get_type_string(item), ==, "a{sv}");
                g_assert_true(g_variant_lookup(item, "name", "&s", &n));
                g_assert_true(g_variant_lookup(item, "state", "&s", &state));
                g_assert_true(g_variant_lookup(item, "brand", "&s", &brand));
                g_assert_true(g_variant_lookup(item, "template", "&s", &template_name));
                if (!g_str_equal(n, name))
                        continue;
                found = true;
                g_assert_cmpstr(state, ==, "running");
                g_assert_cmpstr(brand, ==, "busybox");
                g_assert_cmpstr(template_name, ==, "bb");
        }
        g_assert_true(found);
}

static void assert_shell(Harness *h, const char *name) {
        g_auto(HarnessRun) r = { 0 }, c = { 0 };
        g_auto(GStrv) lines = NULL;
        bool saw_name = false;

        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/sh", "-c", "hostname; exit 7", NULL);
        harness_assert_run(&r, 7, "zonectl shell NAME -- /bin/sh -c 'hostname; exit 7'");
        lines = output_lines(r.out);
        for (char **l = lines; *l; l++)
                saw_name = saw_name || g_str_equal(g_strstrip(*l), name);
        if (!saw_name)
                g_error("zonectl shell: 'hostname' did not print %s; stdout:\n%s", name, r.out);

        harness_zonectl(h, &c, "hello from the host\nsecond line\n", "shell", name, "--", "/bin/cat", NULL);
        harness_assert_run(&c, 0, "zonectl shell NAME -- /bin/cat < input");
        g_assert_nonnull(strstr(c.out, "hello from the host"));
        g_assert_nonnull(strstr(c.out, "second line"));
}

/* What root in a zone must not reach: the system call filter is on the init and on what
 * zonectl shell starts (without no_new_privs, which would break setuid programs), host
 * devices cannot be opened even when created, and /sys/fs shows only the zone's cgroup. */
static void assert_confined(Harness *h, const char *name, guint32 leader) {
        g_autofree char *seccomp = harness_proc_status_field((pid_t) leader, "Seccomp"),
                        *nnp = harness_proc_status_field((pid_t) leader, "NoNewPrivs");
        g_auto(HarnessRun) shell = { 0 }, dev = { 0 }, null = { 0 }, sysfs = { 0 };

        g_assert_cmpstr(seccomp, ==, "2"); /* SECCOMP_MODE_FILTER */
        g_assert_cmpstr(nnp, ==, "0");

        harness_zonectl(h, &shell, NULL, "shell", name, "--", "/bin/sh", "-c",
                        "grep -E '^(Seccomp|NoNewPrivs|CapBnd|CapPrm|CapEff):' /proc/self/status", NULL);
        harness_assert_run(&shell, 0, "zonectl shell NAME -- grep Seccomp /proc/self/status");
        if (!strstr(shell.out, "Seccomp:\t2") || !strstr(shell.out, "NoNewPrivs:\t0"))
                g_error("a zonectl shell command runs without the zone's filter:\n%s", shell.out);
        /* Root's command in the zone has the zone's powers, not the host's: root in the zone can
         * ptrace it. */
        {
                g_autofree char *bounding = harness_proc_status_field((pid_t) leader, "CapBnd");
                g_autofree char *want_bnd = g_strdup_printf("CapBnd:\t%s", bounding),
                                *want_prm = g_strdup_printf("CapPrm:\t%s", bounding),
                                *want_eff = g_strdup_printf("CapEff:\t%s", bounding);

                if (!strstr(shell.out, want_bnd) || !strstr(shell.out, want_prm) ||
                    !strstr(shell.out, want_eff))
                        g_error("a zonectl shell command has other capabilities than the zone (%s):\n%s",
                                bounding, shell.out);
        }

        /* /dev/kmsg of the host, as a node the zone made itself in its /dev (not /tmp: nodev there
         * would refuse it for another reason): created, but not opened. In a user namespace the
         * kernel refuses to make it at all. */
        harness_zonectl(
                h, &dev, NULL, "shell", name, "--", "/bin/sh", "-c",
                "mknod /dev/host-kmsg c 1 11 || exit 10; head -c 0 /dev/host-kmsg; r=$?; rm /dev/host-kmsg; exit $r",
                NULL);
        if (dev.status != (harness_leader_has_userns((pid_t) leader) ? 10 : 1) ||
            !strstr(dev.err, "Operation not permitted"))
                g_error("zone %s could open a host device, or not create it (exit %d):\n%s%s", name,
                        dev.status, dev.out, dev.err);
        harness_zonectl(h, &null, NULL, "shell", name, "--", "/bin/sh", "-c", "echo x > /dev/null", NULL);
        harness_assert_run(&null, 0, "zonectl shell NAME -- echo x > /dev/null");

        harness_zonectl(h, &sysfs, NULL, "shell", name, "--", "/bin/ls", "/sys/fs", NULL);
        harness_assert_run(&sysfs, 0, "zonectl shell NAME -- ls /sys/fs");
        g_assert_cmpstr(g_strstrip(sysfs.out), ==, "cgroup");
}

/* The init lives in the zone's payload group in every hierarchy: /proc/PID/cgroup, read from the
 * host's cgroup namespace, ends each line with <cgroup root>/<zone>/payload. */
static void assert_init_in_payload(Harness *h, const char *name, guint32 leader) {
        g_autofree char *path = g_strdup_printf("/proc/%u/cgroup", leader), *text = NULL;
        g_autofree char *want = g_strdup_printf("/%s/%s/payload", h->cgroup_root, name);
        g_auto(GStrv) lines = NULL;
        guint n = 0;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        lines = g_strsplit(g_strstrip(text), "\n", -1);
        for (char **l = lines; *l; l++, n++)
                if (!g_str_has_suffix(*l, want))
                        g_error("the init of zone %s is not in %s in every hierarchy:\n%s", name, want,
                                text);
        g_assert_cmpuint(n, >, 0);
}

/* Whether the host has a cgroup v1 devices hierarchy (mountinfo: "... - cgroup SRC OPTS,devices"). */
static bool host_has_v1_devices(void) {
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents("/proc/self/mountinfo", &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                const char *tail = strstr(*l, " - cgroup ");
                g_auto(GStrv) fields = tail ? g_strsplit(tail + 3, " ", -1) : NULL;

                if (fields && g_strv_length(fields) >= 3) {
                        g_auto(GStrv) opts = g_strsplit(fields[2], ",", -1);
                        if (g_strv_contains((const char *const *) opts, "devices"))
                                return true;
                }
        }
        return false;
}

/* Root in the zone mounts the v1 devices hierarchy in its cgroup namespace (its own cgroup is the
 * root there) and tries to allow itself every device: the parent of the zones' cgroups allows
 * only the zones' devices, so the kernel refuses (EPERM), and the list stays the zone's. In a
 * user namespace the file is not even the zone's to write (EACCES). */
static void assert_v1_devices_not_widened(Harness *h, const char *name) {
        g_auto(HarnessRun) r = { 0 };

        if (!host_has_v1_devices()) {
                g_test_message("no cgroup v1 devices hierarchy on this host: v1 widening not tried");
                return;
        }
        harness_zonectl(h, &r, NULL, "shell", name, "--", "/bin/sh", "-c",
                        "mkdir -p /tmp/devcg && mount -t cgroup -o devices devices /tmp/devcg || exit 10; "
                        "echo a > /tmp/devcg/devices.allow; w=$?; head -n 1 /tmp/devcg/devices.list; "
                        "umount /tmp/devcg; exit $w",
                        NULL);
        if (r.status == 10 || r.status == 0 || g_str_has_prefix(r.out, "a *:* rwm") ||
            (!strstr(r.err, "Operation not permitted") && !strstr(r.err, "Permission denied")))
                g_error("zone %s widened its own v1 device list, or could not try (exit %d):\n%s%s", name,
                        r.status, r.out, r.err);
}

static void poweroff_and_check(Harness *h, const char *name, guint32 leader) {
        g_autofree char *state = NULL, *leftovers = NULL;
        g_auto(HarnessRun) r = { 0 };

        harness_zonectl(h, &r, NULL, "poweroff", name, NULL);
        harness_assert_run(&r, 0, "zonectl poweroff");
        state = harness_zone_state(h, name);
        g_assert_cmpstr(state, ==, "stopped");
        g_assert_cmpuint(harness_zone_leader(h, name), ==, 0);
        harness_reap_orphans();
        g_assert_false(harness_pid_alive((pid_t) leader));
        leftovers = harness_zone_leftovers(h, name);
        if (leftovers)
                g_error("zone %s is stopped but left: %s", name, leftovers);
}

static void remove_and_check(Harness *h, const char *name) {
        g_autofree char *config = g_strdup_printf("%s/%s.zone", h->config_dir, name);
        g_autofree char *state_dir = g_build_filename(h->state_dir, name, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        harness_zonectl_ok(h, NULL, "zonectl remove", "remove", name, NULL);
        g_assert_false(g_file_test(config, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(state_dir, G_FILE_TEST_EXISTS));
        reply = harness_manager_call(h, "GetZone", g_variant_new("(s)", name), "(o)", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchZone");
}

static void test_story(Harness *h, gconstpointer data) {
        g_autofree char *template_busybox = NULL, *state = NULL;
        g_auto(HarnessRun) list = { 0 };
        const char *rootfs;
        guint32 leader;

        if (harness_skipped(h))
                return;
        rootfs = harness_busybox_rootfs();

        harness_zonectl_ok(h, NULL, "zonectl import-fs --brand=busybox", "import-fs", rootfs, "bb",
                           "--brand=busybox", NULL);
        template_busybox = g_build_filename(h->state_dir, ".templates", "bb", "rootfs", "bin", "busybox",
                                            NULL);
        g_assert_true(g_file_test(template_busybox, G_FILE_TEST_IS_REGULAR));

        harness_zonectl_ok(h, NULL, "zonectl create", "create", "z1", "-t", "bb", NULL);
        assert_config(h, "z1", "bb", "overlay");
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");

        harness_zonectl_ok(h, NULL, "zonectl boot", "boot", "z1", NULL);
        g_clear_pointer(&state, g_free);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        leader = harness_zone_leader(h, "z1");
        g_assert_cmpuint(leader, !=, 0);
        g_assert_true(harness_pid_alive((pid_t) leader));
        assert_in_zone_cgroup(h, (pid_t) leader, "z1");

        harness_zonectl(h, &list, NULL, "list", NULL);
        harness_assert_run(&list, 0, "zonectl list");
        if (!harness_table_has_row(list.out,
                                   (const char *const[]) { "z1", "running", "busybox", "bb", NULL }))
                g_error("zonectl list has no row 'z1 running busybox bb':\n%s", list.out);
        assert_json_list(h, "z1");

        assert_shell(h, "z1");
        assert_confined(h, "z1", leader);
        assert_init_in_payload(h, "z1", leader);
        assert_v1_devices_not_widened(h, "z1");
        poweroff_and_check(h, "z1", leader);
        remove_and_check(h, "z1");
}

static void test_detect_brand(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariantIter) it = NULL;
        const char *name, *brand;
        bool found = false;

        if (harness_skipped(h))
                return;
        harness_zonectl_ok(h, NULL, "zonectl import-fs (no --brand)", "import-fs", harness_busybox_rootfs(),
                           "bb", NULL);
        reply = harness_manager_call(h, "ListTemplates", NULL, "(a(ssst))", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(a(ssst))", &it);
        while (g_variant_iter_loop(it, "(&s&sst)", &name, &brand, NULL, NULL))
                if (g_str_equal(name, "bb")) {
                        found = true;
                        g_assert_cmpstr(brand, ==, "busybox");
                }
        g_assert_true(found);
}

static void test_copy(Harness *h, gconstpointer data) {
        g_autofree char *copied = NULL, *state = NULL;
        g_autoptr(GVariant) storage = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        g_auto(HarnessRun) r = { 0 };
        guint32 leader;

        if (harness_skipped(h))
                return;
        harness_zonectl_ok(h, NULL, "zonectl import-fs", "import-fs", harness_busybox_rootfs(), "bb",
                           "--brand=busybox", NULL);
        harness_zonectl_ok(h, NULL, "zonectl create --copy", "create", "z2", "-t", "bb", "--copy", NULL);
        w = zone_watch_new(h, "z2");
        g_assert_cmpstr(zone_watch_wait_settled(w, HARNESS_TRANSFER_TIMEOUT_MS), ==, "stopped");
        assert_config(h, "z2", "bb", "copy");
        storage = harness_zone_property(h, "z2", "Storage");
        g_assert_cmpstr(g_variant_get_string(storage, NULL), ==, "copy");
        copied = g_build_filename(h->state_dir, "z2", "rootfs", "bin", "busybox", NULL);
        g_assert_true(g_file_test(copied, G_FILE_TEST_IS_REGULAR));

        harness_zonectl_ok(h, NULL, "zonectl boot (copy)", "boot", "z2", NULL);
        state = harness_zone_state(h, "z2");
        g_assert_cmpstr(state, ==, "running");
        leader = harness_zone_leader(h, "z2");
        harness_zonectl(h, &r, NULL, "shell", "z2", "--", "/bin/hostname", NULL);
        harness_assert_run(&r, 0, "zonectl shell z2 -- /bin/hostname");
        g_assert_nonnull(strstr(r.out, "z2"));
        poweroff_and_check(h, "z2", leader);
        remove_and_check(h, "z2");
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/lifecycle/story", test_story, HARNESS_ZONECTL);
        HARNESS_TEST("/lifecycle/detect-brand", test_detect_brand, HARNESS_ZONECTL);
        HARNESS_TEST("/lifecycle/copy", test_copy, HARNESS_ZONECTL);
        return g_test_run();
}
