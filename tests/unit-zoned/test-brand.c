/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brand.c: the shipped brands parse; bad files are named with file:line;
 * brand detection follows /sbin/init inside a rootfs and never outside. */

#include <glib.h>
#include <signal.h>
#include <unistd.h>

#include "brand.h"

static char *tmpdir;

static char *write_brand(const char *name, const char *text) {
        char *p = g_build_filename(tmpdir, name, NULL);
        g_assert_true(g_file_set_contents(p, text, -1, NULL));
        return p;
}

static void test_shipped(void) {
        const char *dir = g_getenv("ZONED_BRANDS_DIR");
        g_autoptr(GHashTable) brands = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify) (void (*)(void)) brand_free);
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        Brand *b;

        g_assert_nonnull(dir);
        g_assert_cmpint(brand_load_dir(dir, brands, errors), ==, 0);
        for (guint i = 0; i < errors->len; i++)
                g_test_message("%s", (char *) errors->pdata[i]);
        g_assert_cmpuint(errors->len, ==, 0);
        b = g_hash_table_lookup(brands, "busybox");
        g_assert_nonnull(b);
        g_assert_cmpstr(b->init_argv[0], ==, "/sbin/init");
        g_assert_cmpint(b->poweroff_signal, ==, SIGUSR2);
        g_assert_cmpint(b->reboot_signal, ==, SIGTERM);
        g_assert_cmpint(b->halt_signal, ==, SIGUSR1);
        g_assert_cmpint(b->ready, ==, READY_EXEC);
        /* The shipped brands keep the default capability set. */
        g_assert_false(capability_change_is_set(&b->capabilities));
}

static void test_full(void) {
        g_autofree char *p = write_brand(
                "full.brand", "[Brand]\nDescription=Full\nInit=/lib/systemd/systemd\n"
                              "InitArguments=--log-level=info  --unit=multi-user.target\n"
                              "Environment=A=1 B=two\nPoweroffSignal=SIGRTMIN+4\nRebootSignal=INT\n"
                              "HaltSignal=SIGRTMIN+3\nReady=notify\nStopTimeoutSec=90\n"
                              "DetectInit=systemd\n");
        g_autoptr(Brand) b = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(brand_load(p, &b, &error), ==, 0);
        g_assert_cmpstr(b->name, ==, "full");
        g_assert_cmpuint(g_strv_length(b->init_argv), ==, 3);
        g_assert_cmpstr(b->init_argv[2], ==, "--unit=multi-user.target");
        g_assert_cmpuint(g_strv_length(b->environment), ==, 2);
        g_assert_cmpint(b->poweroff_signal, ==, SIGRTMIN + 4);
        g_assert_cmpint(b->reboot_signal, ==, SIGINT);
        g_assert_cmpint(b->ready, ==, READY_NOTIFY);
        g_assert_cmpuint(b->stop_timeout_usec, ==, 90 * 1000000ULL);
        g_assert_true(g_strv_contains((const char *const *) b->detect_init, "systemd"));
}

static void check_bad(const char *text, const char *expect) {
        g_autofree char *p = write_brand("bad.brand", text);
        g_autoptr(Brand) b = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(brand_load(p, &b, &error), <, 0);
        g_assert_null(b);
        g_assert_nonnull(error);
        g_test_message("error: %s", error);
        g_assert_true(g_str_has_prefix(error, p));
        g_assert_nonnull(strstr(error, expect));
}

#define OK_BODY "Init=/sbin/init\nPoweroffSignal=SIGUSR2\nRebootSignal=SIGTERM\nHaltSignal=SIGUSR1\n"

static void test_bad(void) {
        check_bad("[Brand]\n" OK_BODY "Colour=red\n", "bad.brand:6: unknown key Colour");
        check_bad(
                "[Brand]\nInit=/sbin/init\nPoweroffSignal=SIGFOO\nRebootSignal=SIGTERM\nHaltSignal=SIGUSR1\n",
                "bad.brand:3: PoweroffSignal=SIGFOO is not a signal name");
        check_bad("[Brand]\nInit=/sbin/init\nPoweroffSignal=SIGUSR2\nRebootSignal=SIGTERM\n",
                  "HaltSignal= is missing");
        check_bad("[Brand]\n" OK_BODY "Ready=soon\n", "bad.brand:6: Ready=soon");
        check_bad("[Brand]\n" OK_BODY "StopTimeoutSec=-1\n", "bad.brand:6: StopTimeoutSec=");
        check_bad(
                "[Brand]\nInit=sbin/init\nPoweroffSignal=SIGUSR2\nRebootSignal=SIGTERM\nHaltSignal=SIGUSR1\n",
                "bad.brand:2: Init=");
        check_bad("[Brand]\n" OK_BODY "Environment=NOEQUALS\n", "bad.brand:6: Environment=");
        check_bad("[Brand]\n" OK_BODY "[Extra]\nA=b\n", "bad.brand:6: unknown section [Extra]");
        check_bad("[Brand\n", "bad.brand");
        check_bad("[Brand]\n" OK_BODY "Capabilities=CAP_CHOWN CAP_TELEPORT\n",
                  "bad.brand:6: Capabilities= names an unknown capability \"CAP_TELEPORT\"");
        check_bad("[Brand]\n" OK_BODY "DropCapabilities=21\n",
                  "bad.brand:6: DropCapabilities= names an unknown");
        /* GKeyFile would keep the last of the two silently. */
        check_bad("[Brand]\n" OK_BODY "Init=/bin/sh\n",
                  "bad.brand:6: duplicate key Init in [Brand] (first at line 2)");
}

static void test_capabilities(void) {
        g_autofree char *p = write_brand("caps.brand",
                                         "[Brand]\n" OK_BODY "Capabilities=CAP_CHOWN CAP_SYS_ADMIN "
                                         "CAP_NET_RAW\nDropCapabilities=cap_net_raw\n");
        g_autoptr(Brand) b = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(brand_load(p, &b, &error), ==, 0);
        g_assert_true(b->capabilities.replace);
        g_assert_cmphex(b->capabilities.set, ==, (1 << 0) | (1 << 21) | (1 << 13));
        g_assert_true(b->capabilities.drop_given);
        g_assert_cmphex(b->capabilities.drop, ==, 1 << 13);
        g_assert_cmphex(capability_change_apply(&b->capabilities, ~UINT64_C(0)), ==, (1 << 0) | (1 << 21));
}

static void test_detect(void) {
        g_autoptr(GHashTable) brands = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify) (void (*)(void)) brand_free);
        g_autofree char *root = g_build_filename(tmpdir, "root", NULL),
                        *sbin = g_build_filename(root, "sbin", NULL);
        g_autofree char *bin = g_build_filename(root, "bin", NULL),
                        *init = g_build_filename(sbin, "init", NULL);
        g_autofree char *bb = g_build_filename(bin, "busybox", NULL), *p = NULL, *error = NULL, *name = NULL;
        Brand *b = NULL;

        p = write_brand("busybox.brand", "[Brand]\n" OK_BODY "DetectInit=busybox\n");
        g_assert_cmpint(brand_load(p, &b, &error), ==, 0);
        g_hash_table_insert(brands, b->name, b);

        g_assert_cmpint(g_mkdir_with_parents(sbin, 0755), ==, 0);
        g_assert_cmpint(g_mkdir_with_parents(bin, 0755), ==, 0);
        g_assert_null(brand_detect(brands, root, &name));
        g_assert_null(name);

        /* An absolute link resolves inside the rootfs, not on the host. */
        g_assert_cmpint(symlink("/bin/busybox", init), ==, 0);
        g_assert_true(g_file_set_contents(bb, "", 0, NULL));
        g_assert_true(brand_detect(brands, root, NULL) == b);

        /* ".." cannot climb out of the rootfs. */
        g_assert_cmpint(unlink(init), ==, 0);
        g_assert_cmpint(symlink("../../../../../bin/busybox", init), ==, 0);
        g_assert_true(brand_detect(brands, root, NULL) == b);

        g_assert_cmpint(unlink(init), ==, 0);
        g_assert_cmpint(symlink("/lib/systemd/systemd", init), ==, 0);
        g_assert_null(brand_detect(brands, root, &name));
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/brand/shipped", test_shipped);
        g_test_add_func("/brand/full", test_full);
        g_test_add_func("/brand/bad", test_bad);
        g_test_add_func("/brand/detect", test_detect);
        g_test_add_func("/brand/capabilities", test_capabilities);
        r = g_test_run();
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
