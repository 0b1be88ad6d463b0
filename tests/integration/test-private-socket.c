/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Without a system bus, zoned serves the same objects on its private socket
 * <runtime>/bus, and zonectl finds it there: by --address, or by
 * ZONED_RUNTIME_DIR. */

#include "harness.h"

static bool has_zone_row(const char *out, const char *name, const char *state) {
        return harness_table_has_row(out, (const char *const[]) { name, state, NULL });
}

static void zonectl_address(Harness *h, HarnessRun *r, const char *const *args) {
        g_autofree char *address = g_strconcat("--address=", h->private_address, NULL);
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) argv = NULL;

        g_strv_builder_add(b, address);
        g_strv_builder_addv(b, (const char **) args);
        argv = g_strv_builder_end(b);
        harness_zonectl_full(h, r, &(HarnessSpawn) { .argv = (const char *const *) argv });
}

static void zonectl_runtime_dir(Harness *h, HarnessRun *r, const char *const *args) {
        g_autofree char *env = g_strconcat("ZONED_RUNTIME_DIR=", h->runtime_dir, NULL);

        harness_zonectl_full(
                h, r, &(HarnessSpawn) { .argv = args, .env_set = (const char *const[]) { env, NULL } });
}

static void setup_zone(Harness *h) {
        g_autofree char *result = NULL, *path = NULL;

        g_assert_null(h->bus_address);
        /* The harness itself talks to the private socket here. */
        result = harness_import_fs(h, harness_busybox_rootfs(), "bb", "busybox");
        g_assert_cmpstr(result, ==, "done");
        path = harness_create_zone(h, "z1", "bb", false);
}

static void test_list(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) a = { 0 }, b = { 0 };
        const char *const list[] = { "list", NULL };

        if (harness_skipped(h))
                return;
        setup_zone(h);
        zonectl_address(h, &a, list);
        harness_assert_run(&a, 0, "zonectl --address=unix:path=RUNTIME/bus list");
        if (!has_zone_row(a.out, "z1", "stopped"))
                g_error("zonectl --address list does not show z1 stopped:\n%s", a.out);
        zonectl_runtime_dir(h, &b, list);
        harness_assert_run(&b, 0, "ZONED_RUNTIME_DIR=RUNTIME zonectl list");
        if (!has_zone_row(b.out, "z1", "stopped"))
                g_error("ZONED_RUNTIME_DIR zonectl list does not show z1 stopped:\n%s", b.out);
}

/* boot and poweroff wait for State through the private socket's signals. */
static void test_boot(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) boot = { 0 }, list = { 0 }, off = { 0 };
        g_autofree char *state = NULL, *leftovers = NULL;

        if (harness_skipped(h))
                return;
        setup_zone(h);
        zonectl_address(h, &boot, (const char *const[]) { "boot", "z1", NULL });
        harness_assert_run(&boot, 0, "zonectl --address boot z1");
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        zonectl_runtime_dir(h, &list, (const char *const[]) { "list", NULL });
        harness_assert_run(&list, 0, "ZONED_RUNTIME_DIR=RUNTIME zonectl list");
        g_assert_true(has_zone_row(list.out, "z1", "running"));
        zonectl_runtime_dir(h, &off, (const char *const[]) { "poweroff", "z1", NULL });
        harness_assert_run(&off, 0, "ZONED_RUNTIME_DIR=RUNTIME zonectl poweroff z1");
        g_free(state);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/private-socket/list", test_list, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        HARNESS_TEST("/private-socket/boot", test_boot, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        /* No --no-system-bus, but the configured system bus is not there. */
        HARNESS_TEST("/private-socket/bus-missing", test_list,
                     HARNESS_PRIVATE_SOCKET | HARNESS_BUS_MISSING | HARNESS_ZONECTL);
        return g_test_run();
}
