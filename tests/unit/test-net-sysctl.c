/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sched.h>

#include "net-sysctl.h"

/* In a network namespace of this process's own (made in main()): its sysctls under
 * /proc/sys/net are that namespace's, and its bridge is gone with it. */
static bool have_netns;
static char *state_path;

static void run(const char *cmd) {
        g_autoptr(GError) error = NULL;
        int status;

        g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, &error));
        g_assert_no_error(error);
        g_assert_true(g_spawn_check_wait_status(status, NULL));
}

static void assert_sysctl(const char *key, const char *value) {
        _cleanup_free_ char *v = NULL;

        g_test_message("%s = %s?", key, value);
        g_assert_cmpint(net_sysctl_read(key, &v), ==, 0);
        g_assert_cmpstr(v, ==, value);
}

static bool skip(void) {
        if (have_netns)
                return false;
        g_test_skip("needs root (a network namespace of its own)");
        return true;
}

static void test_want(void) {
        _cleanup_strv_free_ char **w = NULL;

        g_assert_cmpint(net_sysctls_want_bridge("zbr0", false, &w), ==, 0);
        g_assert_cmpuint(strv_length(w), ==, 2);
        g_assert_cmpstr(w[0], ==, "net/ipv4/conf/zbr0/forwarding=1");
        g_assert_cmpstr(w[1], ==, "net/ipv4/conf/zbr0/route_localnet=1");
        g_assert_cmpint(net_sysctls_want_uplink("eth0", false, &w), ==, 0);
        g_assert_cmpstr(w[2], ==, "net/ipv4/conf/eth0/forwarding=1");
        g_assert_cmpint(net_sysctls_want_bridge("a/b", false, &w), ==, -EINVAL);
        g_assert_cmpint(net_sysctls_want_uplink("", false, &w), ==, -EINVAL);
}

/* Set, recorded with the values they had, then restored by another NetSysctls that only reads
 * the record: a zoned after a kill -9 of the one that set them. */
static void test_apply_restore(void) {
        _cleanup_(net_sysctls_freep) NetSysctls *s = NULL, *again = NULL;
        _cleanup_strv_free_ char **w = NULL;
        _cleanup_free_ char *record = NULL;
        bool ipv6 = g_file_test("/proc/sys/net/ipv6/conf/all/force_forwarding", G_FILE_TEST_EXISTS);
        size_t last;

        if (skip())
                return;
        run("ip link add zbt0 type bridge");
        assert_sysctl("net/ipv4/conf/zbt0/forwarding", "0");
        assert_sysctl("net/ipv4/conf/zbt0/route_localnet", "0");

        g_assert_cmpint(net_sysctls_new(state_path, &s), ==, 0);
        g_assert_cmpuint(s->n_entries, ==, 0);
        g_assert_cmpint(net_sysctls_want_bridge("zbt0", true, &w), ==, 0);
        g_assert_cmpuint(strv_length(w), ==, ipv6 ? 3 : 2);
        g_assert_cmpint(net_sysctls_apply(s, w), ==, 0);
        assert_sysctl("net/ipv4/conf/zbt0/forwarding", "1");
        assert_sysctl("net/ipv4/conf/zbt0/route_localnet", "1");
        if (ipv6)
                assert_sysctl("net/ipv6/conf/zbt0/force_forwarding", "1");
        else
                g_test_message("this kernel has no force_forwarding: IPv6 left alone");
        /* Only the bridge's own switches: not the host's global ones, nor another interface's. */
        assert_sysctl("net/ipv4/ip_forward", "0");
        assert_sysctl("net/ipv4/conf/all/forwarding", "0");
        assert_sysctl("net/ipv4/conf/lo/forwarding", "0");
        assert_sysctl("net/ipv6/conf/all/forwarding", "0");

        g_assert_cmpuint(s->n_entries, ==, ipv6 ? 3 : 2);
        g_assert_cmpstr(s->entries[0].key, ==, "net/ipv4/conf/zbt0/forwarding");
        g_assert_cmpstr(s->entries[0].original, ==, "0");
        g_assert_cmpstr(s->entries[0].value, ==, "1");
        g_assert_true(g_file_get_contents(state_path, &record, NULL, NULL));
        g_assert_nonnull(strstr(record, "net/ipv4/conf/zbt0/route_localnet 0 1\n"));
        /* Applying it again changes nothing. */
        g_assert_cmpint(net_sysctls_apply(s, w), ==, 0);
        g_assert_cmpuint(s->n_entries, ==, ipv6 ? 3 : 2);

        g_assert_cmpint(net_sysctls_new(state_path, &again), ==, 0);
        g_assert_cmpuint(again->n_entries, ==, s->n_entries);
        /* Still wanted: left as they are. One fewer wanted: that one goes back. */
        g_assert_cmpint(net_sysctls_apply(again, w), ==, 0);
        assert_sysctl("net/ipv4/conf/zbt0/route_localnet", "1");
        last = strv_length(w) - 1;
        g_assert_cmpstr(w[last], ==, "net/ipv4/conf/zbt0/route_localnet=1");
        free(w[last]);
        w[last] = strdup("net/ipv4/conf/lo/forwarding=1");
        g_assert_cmpint(net_sysctls_apply(again, w), ==, 0);
        assert_sysctl("net/ipv4/conf/zbt0/route_localnet", "0");
        assert_sysctl("net/ipv4/conf/lo/forwarding", "1");

        g_assert_cmpint(net_sysctls_restore_all(again), ==, 0);
        g_assert_cmpuint(again->n_entries, ==, 0);
        assert_sysctl("net/ipv4/conf/zbt0/forwarding", "0");
        assert_sysctl("net/ipv4/conf/lo/forwarding", "0");
        if (ipv6)
                assert_sysctl("net/ipv6/conf/zbt0/force_forwarding", "0");
        g_assert_false(g_file_test(state_path, G_FILE_TEST_EXISTS));
        run("ip link del zbt0");
}

/* What the admin set already is not zoned's: not recorded, not restored. A recorded sysctl whose
 * interface went away is dropped. */
static void test_not_ours(void) {
        _cleanup_(net_sysctls_freep) NetSysctls *s = NULL, *again = NULL;
        _cleanup_strv_free_ char **w = NULL;

        if (skip())
                return;
        run("ip link add zbt1 type bridge");
        g_assert_cmpint(net_sysctl_write("net/ipv4/conf/zbt1/route_localnet", "1"), ==, 0);
        g_assert_cmpint(net_sysctls_new(state_path, &s), ==, 0);
        g_assert_cmpint(net_sysctls_want_bridge("zbt1", false, &w), ==, 0);
        g_assert_cmpint(net_sysctls_apply(s, w), ==, 0);
        g_assert_cmpuint(s->n_entries, ==, 1);
        g_assert_cmpstr(s->entries[0].key, ==, "net/ipv4/conf/zbt1/forwarding");
        g_assert_cmpint(net_sysctls_restore_all(s), ==, 0);
        assert_sysctl("net/ipv4/conf/zbt1/route_localnet", "1");
        assert_sysctl("net/ipv4/conf/zbt1/forwarding", "0");

        g_assert_cmpint(net_sysctls_apply(s, w), ==, 0);
        run("ip link del zbt1");
        g_assert_cmpint(net_sysctls_new(state_path, &again), ==, 0);
        g_assert_cmpuint(again->n_entries, ==, 1);
        g_assert_cmpint(net_sysctls_restore_all(again), ==, 0);
        g_assert_false(g_file_test(state_path, G_FILE_TEST_EXISTS));
}

static void test_invalid(void) {
        _cleanup_(net_sysctls_freep) NetSysctls *s = NULL;
        char *v = NULL;
        char *bad_value[] = { (char *) "net/ipv4/conf/lo/forwarding=1 2", NULL };
        char *no_value[] = { (char *) "net/ipv4/conf/lo/forwarding", NULL };
        char *outside[] = { (char *) "kernel/sysrq=1", NULL };

        g_assert_cmpint(net_sysctl_read("net/../kernel/hostname", &v), ==, -EINVAL);
        g_assert_cmpint(net_sysctl_read("/net/ipv4/ip_forward", &v), ==, -EINVAL);
        g_assert_cmpint(net_sysctl_read("net/ipv4/", &v), ==, -EINVAL);
        g_assert_cmpint(net_sysctl_write("kernel/hostname", "x"), ==, -EINVAL);
        g_assert_null(v);

        g_assert_cmpint(net_sysctls_new(state_path, &s), ==, 0);
        g_assert_cmpint(net_sysctls_apply(s, bad_value), ==, -EINVAL);
        g_assert_cmpint(net_sysctls_apply(s, no_value), ==, -EINVAL);
        g_assert_cmpint(net_sysctls_apply(s, outside), ==, -EINVAL);
        g_assert_cmpuint(s->n_entries, ==, 0);

        /* A record that is not one of ours is refused whole, not half read. */
        g_assert_true(g_file_set_contents(state_path, "kernel/sysrq 0 1\n", -1, NULL));
        s = net_sysctls_free(s);
        g_assert_cmpint(net_sysctls_new(state_path, &s), ==, -EBADMSG);
        g_assert_null(s);
        g_assert_cmpint(g_unlink(state_path), ==, 0);
}

int main(int argc, char *argv[]) {
        g_autofree char *dir = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        have_netns = geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
        dir = g_dir_make_tmp("test-net-sysctl-XXXXXX", NULL);
        g_assert_nonnull(dir);
        state_path = g_build_filename(dir, "network-sysctls", NULL);
        g_test_add_func("/net-sysctl/want", test_want);
        g_test_add_func("/net-sysctl/apply-restore", test_apply_restore);
        g_test_add_func("/net-sysctl/not-ours", test_not_ours);
        g_test_add_func("/net-sysctl/invalid", test_invalid);
        r = g_test_run();
        (void) g_unlink(state_path);
        (void) g_rmdir(dir);
        g_free(state_path);
        return r;
}
