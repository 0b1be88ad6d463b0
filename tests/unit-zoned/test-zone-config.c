/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zone-config.c: write → read round trip, and bad files named with file:line. */

#include <glib.h>
#include <glib/gstdio.h>

#include "launch-plan.h"
#include "zone-config.h"

static char *tmpdir;

static char *write_tmp(const char *name, const char *text) {
        char *p = g_build_filename(tmpdir, name, NULL);
        g_assert_true(g_file_set_contents(p, text, -1, NULL));
        return p;
}

static void test_round_trip(void) {
        g_autofree char *p = g_build_filename(tmpdir, "rt.zone", NULL);
        ZoneConfig in = { .template_name = g_strdup("bb"), .brand = g_strdup("busybox"), .copy = true,
                          .autoboot = true, .machine_id = g_strdup("0123456789abcdef0123456789abcdef") };
        ZoneConfig out = {};
        g_autofree char *error = NULL;

        g_assert_cmpint(zone_config_save(p, &in), ==, 0);
        g_assert_cmpint(zone_config_load(p, &out, &error), ==, 0);
        g_assert_null(error);
        g_assert_cmpstr(out.template_name, ==, "bb");
        g_assert_cmpstr(out.brand, ==, "busybox");
        g_assert_true(out.copy);
        g_assert_true(out.autoboot);
        g_assert_cmpstr(out.machine_id, ==, "0123456789abcdef0123456789abcdef");
        zone_config_done(&out);

        in.copy = false;
        in.autoboot = false;
        g_assert_cmpint(zone_config_save(p, &in), ==, 0);
        g_assert_cmpint(zone_config_load(p, &out, &error), ==, 0);
        g_assert_false(out.copy);
        g_assert_false(out.autoboot);
        zone_config_done(&out);
        zone_config_done(&in);
}

static void test_defaults(void) {
        g_autofree char *p = write_tmp("min.zone", "[Zone]\nTemplate=t\nBrand=b\n");
        g_autofree char *error = NULL;
        ZoneConfig c = {};

        g_assert_cmpint(zone_config_load(p, &c, &error), ==, 0);
        g_assert_false(c.copy);
        g_assert_false(c.autoboot);
        zone_config_done(&c);
}

static void check_bad(const char *text, const char *expect_in_error) {
        g_autofree char *p = write_tmp("bad.zone", text);
        g_autofree char *error = NULL, *prefix = NULL;
        ZoneConfig c = {};

        g_assert_cmpint(zone_config_load(p, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(error);
        g_assert_true(g_str_has_prefix(error, p));
        g_assert_nonnull(strstr(error, expect_in_error));
        g_assert_null(c.template_name);
}

static void test_bad(void) {
        check_bad("[Zone]\nTemplate=t\nBrand=b\nColour=blue\n", ":4: unknown key Colour");
        check_bad("# c\n[Zone]\nTemplate=t\nBrand=b\nStorage=zfs\n", ":5: Storage=zfs");
        check_bad("[Zone]\nBrand=b\n", "Template=");
        check_bad("[Zone]\nTemplate=../x\nBrand=b\n", ":2: Template=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nAutoboot=maybe\n", ":4: Autoboot=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n[Other]\nX=1\n", ":4: unknown section [Other]");
        check_bad("[Zone\nTemplate=t\n", "");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nMachineID=00000000000000000000000000000000\n", ":4: MachineID=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nMachineID=0123\n", ":4: MachineID=");
}

static void test_machine_id(void) {
        g_autofree char *p = write_tmp("mid.zone", "[Zone]\nTemplate=t\nBrand=b\n");
        g_autofree char *error = NULL, *first = NULL, *a = NULL, *b = NULL;
        ZoneConfig c = {};

        /* A zone without one gets one at load, and it stays. */
        g_assert_cmpint(zone_config_load(p, &c, &error), ==, 0);
        g_assert_true(machine_id_is_valid(c.machine_id));
        g_assert_cmpint(c.machine_id[12], ==, '4'); /* UUID version 4 */
        first = g_strdup(c.machine_id);
        zone_config_done(&c);
        g_assert_cmpint(zone_config_load(p, &c, &error), ==, 0);
        g_assert_cmpstr(c.machine_id, ==, first);
        zone_config_done(&c);

        /* New ones differ. */
        g_assert_cmpint(zone_config_new_machine_id(&a), ==, 0);
        g_assert_cmpint(zone_config_new_machine_id(&b), ==, 0);
        g_assert_true(machine_id_is_valid(a));
        g_assert_cmpstr(a, !=, b);
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/zone-config/round-trip", test_round_trip);
        g_test_add_func("/zone-config/defaults", test_defaults);
        g_test_add_func("/zone-config/bad", test_bad);
        g_test_add_func("/zone-config/machine-id", test_machine_id);
        r = g_test_run();
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
