/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* macro.h first: glib.h then replaces its MIN/MAX with equivalent ones instead of clashing. */
#include "macro.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>

#include "launch-plan.h"

static char **strv_new(const char *const *l) {
        char **v = NULL;

        for (; l && *l; l++)
                g_assert_cmpint(strv_extend(&v, *l), ==, 0);
        return v;
}

static void set(char **field, const char *value) {
        free(*field);
        *field = value ? strdup(value) : NULL;
        g_assert_true(!value || *field);
}

/* A plan with every field set to something that is not its default. */
static LaunchPlan *overlay_plan(void) {
        static const char *const argv[] = { "/sbin/init", "--log-level=debug", "", "two words", NULL };
        static const char *const env[] = { "container=zoned", "A=b=c", "EMPTY=", NULL };
        LaunchPlan *p = launch_plan_new();

        g_assert_nonnull(p);
        set(&p->name, "web");
        set(&p->hostname, "web.example");
        p->root_mode = ROOT_OVERLAY;
        set(&p->rootfs, "/var/lib/zones/web/rootfs");
        set(&p->lower, "/var/lib/zones/.templates/bb/rootfs");
        set(&p->upper, "/var/lib/zones/web/upper");
        set(&p->work, "/var/lib/zones/web/work");
        p->init_argv = strv_new(argv);
        p->init_env = strv_new(env);
        p->poweroff_signal = SIGRTMIN + 4;
        p->reboot_signal = SIGINT;
        p->halt_signal = SIGRTMIN + 3;
        p->stop_timeout_usec = 7 * USEC_PER_SEC + 1;
        p->ready = READY_NOTIFY;
        set(&p->runtime_dir, "/run/zoned/zones/web");
        set(&p->console_log, "/var/log/zones/web/console.log");
        p->console_log_max = UINT64_MAX;
        set(&p->cgroup, "zoned/web");
        set(&p->machine_id, "0123456789abcdef0123456789abcdef");
        set(&p->seccomp_filter, "/run/zoned/seccomp-filter.bpf");
        set(&p->lxcfs, "/run/zoned/lxcfs");
        p->uid_shift = 1048576;
        p->uid_range = 65536;
        p->capabilities_set = true;
        p->capabilities = (UINT64_C(1) << 21) | 1;
        p->limits = strv_new(
                (const char *const[]) { "MemoryMax=536870912", "IOWriteBandwidthMax=254:0:1000", NULL });
        p->network_mode = NETWORK_BRIDGE;
        set(&p->network_link, "zbr0");
        set(&p->network_host_ifname, "vz-web");
        set(&p->network_mac, "02:11:22:33:44:55");
        p->network_addresses = strv_new((const char *const[]) { "10.42.0.5/24", "fd42::5/64", NULL });
        p->network_gateways = strv_new((const char *const[]) { "10.42.0.1", "fd42::1", NULL });
        p->network_mtu = 1400;
        p->network_ports = strv_new((const char *const[]) { "tcp:8080:80", "udp:5353:53", NULL });
        p->network_dns = strv_new((const char *const[]) { "10.42.0.1", NULL });
        return p;
}

static LaunchPlan *directory_plan(void) {
        static const char *const argv[] = { "/sbin/init", NULL };
        LaunchPlan *p = launch_plan_new();

        g_assert_nonnull(p);
        set(&p->name, "c");
        p->root_mode = ROOT_DIRECTORY;
        set(&p->rootfs, "/var/lib/zones/c/rootfs");
        p->init_argv = strv_new(argv);
        set(&p->runtime_dir, "/run/zoned/zones/c");
        set(&p->cgroup, "zoned/c");
        return p;
}

static void assert_strv_equal(char **a, char **b) {
        g_assert_cmpuint(strv_length(a), ==, strv_length(b));
        for (size_t i = 0; i < strv_length(a); i++)
                g_assert_cmpstr(a[i], ==, b[i]);
}

static void assert_plans_equal(const LaunchPlan *a, const LaunchPlan *b) {
        g_assert_cmpstr(a->name, ==, b->name);
        g_assert_cmpstr(a->hostname, ==, b->hostname);
        g_assert_cmpint(a->root_mode, ==, b->root_mode);
        g_assert_cmpstr(a->rootfs, ==, b->rootfs);
        g_assert_cmpstr(a->lower, ==, b->lower);
        g_assert_cmpstr(a->upper, ==, b->upper);
        g_assert_cmpstr(a->work, ==, b->work);
        assert_strv_equal(a->init_argv, b->init_argv);
        assert_strv_equal(a->init_env, b->init_env);
        assert_strv_equal(a->limits, b->limits);
        g_assert_cmpint(a->poweroff_signal, ==, b->poweroff_signal);
        g_assert_cmpint(a->reboot_signal, ==, b->reboot_signal);
        g_assert_cmpint(a->halt_signal, ==, b->halt_signal);
        g_assert_cmpuint(a->stop_timeout_usec, ==, b->stop_timeout_usec);
        g_assert_cmpint(a->ready, ==, b->ready);
        g_assert_cmpstr(a->runtime_dir, ==, b->runtime_dir);
        g_assert_cmpstr(a->console_log, ==, b->console_log);
        g_assert_cmpuint(a->console_log_max, ==, b->console_log_max);
        g_assert_cmpstr(a->cgroup, ==, b->cgroup);
        g_assert_cmpstr(a->machine_id, ==, b->machine_id);
        g_assert_cmpstr(a->seccomp_filter, ==, b->seccomp_filter);
        g_assert_cmpstr(a->lxcfs, ==, b->lxcfs);
        g_assert_cmpuint(a->uid_shift, ==, b->uid_shift);
        g_assert_cmpuint(a->uid_range, ==, b->uid_range);
        g_assert_cmpint(a->capabilities_set, ==, b->capabilities_set);
        g_assert_cmpuint(a->capabilities, ==, b->capabilities);
        g_assert_cmpint(a->network_mode, ==, b->network_mode);
        g_assert_cmpstr(a->network_link, ==, b->network_link);
        g_assert_cmpstr(a->network_host_ifname, ==, b->network_host_ifname);
        g_assert_cmpstr(a->network_mac, ==, b->network_mac);
        g_assert_cmpint(a->network_dhcp, ==, b->network_dhcp);
        assert_strv_equal(a->network_addresses, b->network_addresses);
        assert_strv_equal(a->network_gateways, b->network_gateways);
        g_assert_cmpuint(a->network_mtu, ==, b->network_mtu);
        assert_strv_equal(a->network_ports, b->network_ports);
        assert_strv_equal(a->network_dns, b->network_dns);
}

static void round_trip(LaunchPlan *p) {
        _cleanup_(launch_plan_freep) LaunchPlan *q = NULL;
        _cleanup_free_ char *text = NULL, *again = NULL;
        unsigned line = 12345;

        g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
        g_test_message("%s", text);
        g_assert_cmpint(launch_plan_parse(text, &q, &line), ==, 0);
        g_assert_cmpuint(line, ==, 12345); /* untouched on success */
        assert_plans_equal(p, q);

        /* Serialising the parsed plan gives the same text: nothing is lost or reordered. */
        g_assert_cmpint(launch_plan_serialize(q, &again), ==, 0);
        g_assert_cmpstr(text, ==, again);
}

static void test_round_trip_overlay(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = overlay_plan();

        round_trip(p);
}

static void test_round_trip_directory(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = directory_plan();

        round_trip(p);
}

static void test_defaults(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = NULL;
        const char *text =
                "name=x\nroot_mode=directory\nrootfs=/r\ninit_arg=/sbin/init\nruntime_dir=/run/x\n"
                "cgroup=zoned/x\n";

        g_assert_cmpint(launch_plan_parse(text, &p, NULL), ==, 0);
        g_assert_null(p->hostname);
        g_assert_null(p->init_env);
        g_assert_null(p->console_log);
        g_assert_cmpint(p->ready, ==, READY_EXEC);
        g_assert_cmpint(p->poweroff_signal, ==, 0);
        g_assert_cmpuint(p->stop_timeout_usec, ==, 30 * USEC_PER_SEC);
        g_assert_cmpuint(p->console_log_max, ==, 1024 * 1024);
        g_assert_null(p->machine_id);
}

static void test_machine_id(void) {
        static const char *const bad[] = {
                "",
                "00000000000000000000000000000000",  /* all zero */
                "0123456789ABCDEF0123456789abcdef",  /* upper case */
                "0123456789abcdef0123456789abcde",   /* 31 digits */
                "0123456789abcdef0123456789abcdef0", /* 33 digits */
                "0123456789abcdef-123456789abcdef",
        };

        g_assert_true(machine_id_is_valid("0123456789abcdef0123456789abcdef"));
        g_assert_false(machine_id_is_valid(NULL));
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                _cleanup_(launch_plan_freep) LaunchPlan *p = directory_plan();
                _cleanup_(launch_plan_freep) LaunchPlan *q = NULL;
                _cleanup_free_ char *text = NULL;
                g_autofree char *with = NULL;

                g_assert_false(machine_id_is_valid(bad[i]));
                g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
                with = g_strdup_printf("%smachine_id=%s\n", text, bad[i]);
                g_assert_cmpint(launch_plan_parse(with, &q, NULL), ==, -EBADMSG);
                set(&p->machine_id, bad[i]);
                g_free(TAKE_PTR(text));
                g_assert_cmpint(launch_plan_serialize(p, &text), ==, -EINVAL);
        }
}

static void test_signal_names_in_text(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = overlay_plan();
        _cleanup_free_ char *text = NULL;

        g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
        g_assert_nonnull(strstr(text, "\npoweroff_signal=SIGRTMIN+4\n"));
        g_assert_nonnull(strstr(text, "\nreboot_signal=SIGINT\n"));
        g_assert_nonnull(strstr(text, "\nhalt_signal=SIGRTMIN+3\n"));
        g_assert_nonnull(strstr(text, "\nready=notify\n"));
        g_assert_nonnull(strstr(text, "\nroot_mode=overlay\n"));
}

static void assert_bad_line(const char *text, unsigned expected_line) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = NULL;
        unsigned line = 0;

        g_test_message("expecting line %u in:\n%s", expected_line, text);
        g_assert_cmpint(launch_plan_parse(text, &p, &line), ==, -EBADMSG);
        g_assert_null(p);
        g_assert_cmpuint(line, ==, expected_line);
}

static void test_bad_lines(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = directory_plan();
        _cleanup_free_ char *text = NULL;
        static const char *const bad[] = {
                "colour=blue",
                "no equals sign",
                "Name=x",
                "root_mode=btrfs",
                "ready=maybe",
                "poweroff_signal=SIGFOO",
                "reboot_signal=0",
                "stop_timeout_usec=-1",
                "stop_timeout_usec=1s",
                "console_log_max=",
                "init_env=NOEQUALS",
                "=value",
                " name=x",
                "seccomp_filter=relative/path",
                "lxcfs=lxcfs",
                "uid_range=4294967296",
                "uid_shift=-1",
                "uid_shift=0x10",
                "capabilities=12",
                "capabilities=0x",
                "capabilities=0xzz",
                "network_mode=wifi",
                "network_dhcp=no",
                "network_mtu=-5",
        };

        g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *first = g_strdup_printf("%s\n%s", bad[i], text);
                g_autofree char *after_blank = g_strdup_printf("name=y\n\n\n%s\n%s", bad[i], text);
                g_autofree char *last = g_strdup_printf("%s%s", text, bad[i]);
                unsigned n = 0;

                for (const char *c = text; *c; c++)
                        n += *c == '\n';
                assert_bad_line(first, 1);
                assert_bad_line(after_blank, 4); /* blank lines count */
                assert_bad_line(last, n + 1);    /* and the last line needs no newline */
        }
}

/* A user namespace range that would map the host's root, or reach (uid_t) -1, is refused both ways. */
static void test_uid_range(void) {
        static const struct {
                uint32_t shift, range;
                bool valid;
        } cases[] = {
                { 0, 0, true },  { 524288, 65536, true },      { 0, 65536, false },
                { 1, 0, false }, { 4294901759U, 65536, true }, { 4294901760U, 65536, false },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                _cleanup_(launch_plan_freep) LaunchPlan *p = directory_plan(), *q = NULL;
                _cleanup_free_ char *text = NULL;
                g_autofree char *hand = NULL;
                unsigned line = 0;

                g_assert_cmpint(uid_range_is_valid(cases[i].shift, cases[i].range), ==, cases[i].valid);
                p->uid_shift = cases[i].shift;
                p->uid_range = cases[i].range;
                g_assert_cmpint(launch_plan_serialize(p, &text), ==, cases[i].valid ? 0 : -EINVAL);
                g_assert_cmpint(launch_plan_private_users(p), ==, cases[i].range > 0);

                p->uid_shift = p->uid_range = 0;
                free(text);
                text = NULL;
                g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
                hand = g_strdup_printf("%suid_shift=%u\nuid_range=%u\n", text, cases[i].shift,
                                       cases[i].range);
                g_assert_cmpint(launch_plan_parse(hand, &q, &line), ==, cases[i].valid ? 0 : -EBADMSG);
                if (q)
                        g_assert_cmpuint(q->uid_shift, ==, cases[i].shift);
        }
}

static void test_newline_in_value(void) {
        for (int which = 0; which < 5; which++) {
                _cleanup_(launch_plan_freep) LaunchPlan *p = overlay_plan();
                char *text = NULL;

                switch (which) {
                case 0:
                        set(&p->hostname, "web\nname=evil");
                        break;
                case 1:
                        set(&p->rootfs, "/x\n");
                        break;
                case 2:
                        set(&p->init_argv[1], "a\nb");
                        break;
                case 3:
                        set(&p->init_env[0], "A=\n");
                        break;
                case 4:
                        set(&p->cgroup, "\n");
                        break;
                }
                g_assert_cmpint(launch_plan_serialize(p, &text), ==, -EINVAL);
                g_assert_null(text);
        }
}

static void test_missing_required(void) {
        static const char *const required[] = { "name",     "rootfs", "runtime_dir", "cgroup",
                                                "init_arg", "lower",  "upper",       "work" };

        for (size_t i = 0; i < G_N_ELEMENTS(required); i++) {
                _cleanup_(launch_plan_freep) LaunchPlan *p = overlay_plan();
                _cleanup_(launch_plan_freep) LaunchPlan *q = NULL;
                _cleanup_free_ char *text = NULL, *out = NULL;
                g_autoptr(GString) without = g_string_new(NULL);
                g_autofree char *prefix = g_strdup_printf("%s=", required[i]);
                g_auto(GStrv) lines = NULL;
                unsigned line = 999;

                g_test_message("missing: %s", required[i]);
                g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
                lines = g_strsplit(text, "\n", -1);
                for (char **l = lines; *l; l++)
                        if (**l && !g_str_has_prefix(*l, prefix))
                                g_string_append_printf(without, "%s\n", *l);
                g_assert_cmpuint(without->len, <, strlen(text));

                /* A plan without it does not parse; no line is to blame, so the line is 0. */
                g_assert_cmpint(launch_plan_parse(without->str, &q, &line), ==, -EBADMSG);
                g_assert_null(q);
                g_assert_cmpuint(line, ==, 0);

                /* Nor can a plan without it be written. */
                if (streq(required[i], "init_arg")) {
                        p->init_argv = strv_free(p->init_argv);
                } else {
                        char **field = streq(required[i], "name")          ? &p->name
                                       : streq(required[i], "rootfs")      ? &p->rootfs
                                       : streq(required[i], "runtime_dir") ? &p->runtime_dir
                                       : streq(required[i], "cgroup")      ? &p->cgroup
                                       : streq(required[i], "lower")       ? &p->lower
                                       : streq(required[i], "upper")       ? &p->upper
                                                                           : &p->work;
                        set(field, NULL);
                }
                g_assert_cmpint(launch_plan_serialize(p, &out), ==, -EINVAL);
                g_assert_null(out);
        }
}

static void test_directory_needs_no_overlay_dirs(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = directory_plan();
        _cleanup_(launch_plan_freep) LaunchPlan *q = NULL;
        _cleanup_free_ char *text = NULL;

        g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
        g_assert_null(strstr(text, "lower="));
        g_assert_null(strstr(text, "upper="));
        g_assert_cmpint(launch_plan_parse(text, &q, NULL), ==, 0);
        g_assert_cmpint(q->root_mode, ==, ROOT_DIRECTORY);
}

static void test_load(void) {
        _cleanup_(launch_plan_freep) LaunchPlan *p = overlay_plan();
        _cleanup_(launch_plan_freep) LaunchPlan *q = NULL;
        _cleanup_free_ char *text = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_dir_make_tmp("test-launch-plan-XXXXXX", &error);
        g_autofree char *path = NULL, *missing = NULL;
        unsigned line = 0;

        g_assert_no_error(error);
        path = g_build_filename(dir, "plan", NULL);
        missing = g_build_filename(dir, "nonexistent", NULL);

        g_assert_cmpint(launch_plan_serialize(p, &text), ==, 0);
        g_assert_cmpint(write_file_atomic(path, text, 0600), ==, 0);
        g_assert_cmpint(launch_plan_load(path, &q, &line), ==, 0);
        assert_plans_equal(p, q);
        q = launch_plan_free(q);

        g_assert_cmpint(launch_plan_load(missing, &q, &line), ==, -ENOENT);
        g_assert_null(q);

        g_assert_cmpint(write_file_atomic(path, "name=a\nbogus=1\n", 0600), ==, 0);
        g_assert_cmpint(launch_plan_load(path, &q, &line), ==, -EBADMSG);
        g_assert_cmpuint(line, ==, 2);

        g_assert_cmpint(g_unlink(path), ==, 0);
        g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void test_mode_tables(void) {
        for (int i = 0; i < _ROOT_MODE_MAX; i++)
                g_assert_cmpint(root_mode_from_string(root_mode_to_string((RootMode) i)), ==, i);
        for (int i = 0; i < _READY_MODE_MAX; i++)
                g_assert_cmpint(ready_mode_from_string(ready_mode_to_string((ReadyMode) i)), ==, i);
        g_assert_cmpstr(ready_mode_to_string(READY_EXEC), ==, "exec");
        g_assert_cmpstr(ready_mode_to_string(READY_NOTIFY), ==, "notify");
        g_assert_null(root_mode_to_string(_ROOT_MODE_MAX));
        g_assert_null(ready_mode_to_string(_READY_MODE_INVALID));
        g_assert_cmpint(root_mode_from_string(NULL), ==, _ROOT_MODE_INVALID);
        g_assert_cmpint(ready_mode_from_string("Exec"), ==, _READY_MODE_INVALID);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/launch-plan/round-trip/overlay", test_round_trip_overlay);
        g_test_add_func("/launch-plan/round-trip/directory", test_round_trip_directory);
        g_test_add_func("/launch-plan/defaults", test_defaults);
        g_test_add_func("/launch-plan/machine-id", test_machine_id);
        g_test_add_func("/launch-plan/signal-names", test_signal_names_in_text);
        g_test_add_func("/launch-plan/bad-lines", test_bad_lines);
        g_test_add_func("/launch-plan/uid-range", test_uid_range);
        g_test_add_func("/launch-plan/newline-in-value", test_newline_in_value);
        g_test_add_func("/launch-plan/missing-required", test_missing_required);
        g_test_add_func("/launch-plan/directory-mode", test_directory_needs_no_overlay_dirs);
        g_test_add_func("/launch-plan/load", test_load);
        g_test_add_func("/launch-plan/mode-tables", test_mode_tables);
        return g_test_run();
}
