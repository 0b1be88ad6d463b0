/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* zone-config.c: write → read round trip, and bad files named with file:line. */

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capabilities.h"
#include "launch-plan.h"
#include "zone-config.h"

#include <netinet/in.h>

static char *tmpdir;

static char *write_tmp(const char *name, const char *text) {
        char *p = g_build_filename(tmpdir, name, NULL);
        g_assert_true(g_file_set_contents(p, text, -1, NULL));
        return p;
}

static void test_round_trip(void) {
        g_autofree char *p = g_build_filename(tmpdir, "rt.zone", NULL);
        ZoneConfig in = { .template_name = g_strdup("bb"),
                          .brand = g_strdup("busybox"),
                          .copy = true,
                          .autoboot = true,
                          .machine_id = g_strdup("0123456789abcdef0123456789abcdef"),
                          .private_users = true,
                          .uid_shift = 1879048192 - 65536,
                          .uid_range = 65536,
                          .capabilities = { .replace = true,
                                            .set = (1 << 0) | (1 << 21),
                                            .drop_given = true,
                                            .drop = 1 << 13 } };
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
        g_assert_true(out.private_users);
        g_assert_cmpuint(out.uid_shift, ==, 1879048192 - 65536);
        g_assert_cmpuint(out.uid_range, ==, 65536);
        g_assert_true(out.capabilities.replace);
        g_assert_cmphex(out.capabilities.set, ==, (1 << 0) | (1 << 21));
        g_assert_true(out.capabilities.drop_given);
        g_assert_cmphex(out.capabilities.drop, ==, 1 << 13);
        zone_config_done(&out);

        in.copy = false;
        in.autoboot = false;
        in.private_users = false;
        in.uid_shift = in.uid_range = 0;
        in.capabilities = (CapabilityChange) {};
        g_assert_cmpint(zone_config_save(p, &in), ==, 0);
        g_assert_cmpint(zone_config_load(p, &out, &error), ==, 0);
        g_assert_false(out.copy);
        g_assert_false(out.autoboot);
        g_assert_false(out.private_users);
        g_assert_cmpuint(out.uid_range, ==, 0);
        g_assert_false(capability_change_is_set(&out.capabilities));
        zone_config_done(&out);

        /* A range that is not one is not written. */
        in.uid_shift = 0;
        in.uid_range = 65536;
        g_assert_cmpint(zone_config_save(p, &in), ==, -EINVAL);
        zone_config_done(&in);
}

static void test_defaults(void) {
        g_autofree char *p = write_tmp("min.zone", "[Zone]\nTemplate=t\nBrand=b\n");
        g_autofree char *error = NULL;
        ZoneConfig c = {};

        g_assert_cmpint(zone_config_load(p, &c, &error), ==, 0);
        g_assert_false(c.copy);
        g_assert_false(c.autoboot);
        /* A zone of its own users by default; its range is not this file's to make up. */
        g_assert_true(c.private_users);
        g_assert_cmpuint(c.uid_range, ==, 0);
        g_assert_false(capability_change_is_set(&c.capabilities));
        zone_config_done(&c);
}

static ZoneConfig load_ok(const char *text) {
        g_autofree char *p = write_tmp("ok.zone", text);
        g_autofree char *error = NULL;
        ZoneConfig c = {};

        if (zone_config_load(p, &c, &error) < 0)
                g_error("%s", error);
        return c;
}

static void test_users(void) {
        ZoneConfig c;

        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nPrivateUsers=yes\nUIDShift=524288\nUIDRange=65536\n");
        g_assert_true(c.private_users);
        g_assert_cmpuint(c.uid_shift, ==, 524288);
        g_assert_cmpuint(c.uid_range, ==, 65536);
        zone_config_done(&c);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nPrivateUsers=no\n");
        g_assert_false(c.private_users);
        g_assert_cmpuint(c.uid_shift, ==, 0);
        g_assert_cmpuint(c.uid_range, ==, 0);
        zone_config_done(&c);
        /* The highest range there is: up to 4294967294. */
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nUIDShift=4294901759\nUIDRange=65536\n");
        g_assert_cmpuint(c.uid_shift, ==, 4294901759u);
        zone_config_done(&c);
}

/* LXCFS=: yes by default, written only when no, read back; anything else names the key. */
static void test_lxcfs(void) {
        g_autofree char *p = g_build_filename(tmpdir, "lxcfs.zone", NULL), *text = NULL;
        ZoneConfig c;

        c = load_ok("[Zone]\nTemplate=t\nBrand=b\n");
        g_assert_true(c.lxcfs);
        g_assert_cmpint(zone_config_save(p, &c), ==, 0);
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_null(strstr(text, "LXCFS"));
        zone_config_done(&c);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nLXCFS=no\n");
        g_assert_false(c.lxcfs);
        g_assert_cmpint(zone_config_save(p, &c), ==, 0);
        zone_config_done(&c);
        g_assert_cmpint(zone_config_load(p, &c, NULL), ==, 0);
        g_assert_false(c.lxcfs);
        zone_config_done(&c);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nLXCFS=true\n");
        g_assert_true(c.lxcfs);
        zone_config_done(&c);
}

/* Nesting=: no by default, written only when yes, read back; anything else names the key. */
static void test_nesting(void) {
        g_autofree char *p = g_build_filename(tmpdir, "nesting.zone", NULL), *text = NULL;
        ZoneConfig c;

        c = load_ok("[Zone]\nTemplate=t\nBrand=b\n");
        g_assert_false(c.nesting);
        g_assert_cmpint(zone_config_save(p, &c), ==, 0);
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_null(strstr(text, "Nesting"));
        zone_config_done(&c);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nNesting=yes\n");
        g_assert_true(c.nesting);
        g_assert_cmpint(zone_config_save(p, &c), ==, 0);
        zone_config_done(&c);
        g_assert_cmpint(zone_config_load(p, &c, NULL), ==, 0);
        g_assert_true(c.nesting);
        zone_config_done(&c);
}

static void test_capabilities(void) {
        ZoneConfig c;

        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nCapabilities=CAP_CHOWN  cap_kill\tCAP_Sys_Admin\n"
                    "DropCapabilities=CAP_NET_RAW\n");
        g_assert_true(c.capabilities.replace);
        g_assert_cmphex(c.capabilities.set, ==, (1 << 0) | (1 << 5) | (1 << 21));
        g_assert_true(c.capabilities.drop_given);
        g_assert_cmphex(c.capabilities.drop, ==, 1 << 13);
        g_assert_cmphex(capability_change_apply(&c.capabilities, ~UINT64_C(0)), ==,
                        (1 << 0) | (1 << 5) | (1 << 21));
        zone_config_done(&c);

        /* Dropping alone keeps the rest of what came before. */
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nDropCapabilities=CAP_SYS_ADMIN CAP_NET_ADMIN\n");
        g_assert_false(c.capabilities.replace);
        g_assert_cmphex(capability_change_apply(&c.capabilities, capabilities_default_mask()), ==,
                        capabilities_default_mask() & ~((UINT64_C(1) << 21) | (UINT64_C(1) << 12)));
        zone_config_done(&c);

        /* An empty Capabilities= is no capability at all, and says so. */
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nCapabilities=\n");
        g_assert_true(capability_change_is_set(&c.capabilities));
        g_assert_cmphex(capability_change_apply(&c.capabilities, capabilities_default_mask()), ==, 0);
        zone_config_done(&c);
}

static void check_bad(const char *text, const char *expect_in_error) {
        g_autofree char *escaped = g_strescape(text, NULL);
        g_test_message("bad: %s", escaped);
        g_autofree char *p = write_tmp("bad.zone", text);
        g_autofree char *error = NULL, *prefix = NULL;
        ZoneConfig c = {};

        g_assert_cmpint(zone_config_load(p, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(error);
        g_assert_true(g_str_has_prefix(error, p));
        g_assert_nonnull(strstr(error, expect_in_error));
        g_assert_null(c.template_name);
}

/* DeviceAllow=: none by default and not written; the devices of the table in any order and
 * spacing, written in the table's order; anything else (a disk, a path around one) names the key. */
static void test_device_allow(void) {
        g_autofree char *p = g_build_filename(tmpdir, "devices.zone", NULL), *text = NULL;
        ZoneConfig c;

        c = load_ok("[Zone]\nTemplate=t\nBrand=b\n");
        g_assert_cmpuint(c.device_allow, ==, 0);
        g_assert_cmpint(zone_config_save(p, &c), ==, 0);
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_null(strstr(text, "DeviceAllow"));
        zone_config_done(&c);
        g_clear_pointer(&text, g_free);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nDeviceAllow=  /dev/net/tun\t /dev/fuse /dev/fuse \n");
        g_assert_cmpuint(c.device_allow, ==, 3);
        g_assert_cmpint(zone_config_save(p, &c), ==, 0);
        zone_config_done(&c);
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, "\nDeviceAllow=/dev/fuse /dev/net/tun\n"));
        g_assert_cmpint(zone_config_load(p, &c, NULL), ==, 0);
        g_assert_cmpuint(c.device_allow, ==, 3);
        zone_config_done(&c);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nDeviceAllow=/dev/net/tun\n");
        g_assert_cmpuint(c.device_allow, ==, 2);
        zone_config_done(&c);
        c = load_ok("[Zone]\nTemplate=t\nBrand=b\nDeviceAllow=\n");
        g_assert_cmpuint(c.device_allow, ==, 0);
        zone_config_done(&c);
        check_bad("[Zone]\nTemplate=t\nBrand=b\nDeviceAllow=/dev/fuse /dev/sda\n",
                  ":4: DeviceAllow=: /dev/sda is not a device a zone may be given (only /dev/fuse and "
                  "/dev/net/tun)");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nDeviceAllow=/dev/../dev/fuse\n",
                  ":4: DeviceAllow=: /dev/../dev/fuse");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nDeviceAllow=fuse\n", ":4: DeviceAllow=: fuse is not");
}

static void test_bad(void) {
        check_bad("[Zone]\nTemplate=t\nBrand=b\nColour=blue\n", ":4: unknown key Colour");
        check_bad("# c\n[Zone]\nTemplate=t\nBrand=b\nStorage=zfs\n", ":5: Storage=zfs");
        check_bad("[Zone]\nBrand=b\n", "Template=");
        check_bad("[Zone]\nTemplate=../x\nBrand=b\n", ":2: Template=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nAutoboot=maybe\n", ":4: Autoboot=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n[Other]\nX=1\n", ":4: unknown section [Other]");
        check_bad("[Zone\nTemplate=t\n", "");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nMachineID=00000000000000000000000000000000\n",
                  ":4: MachineID=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nMachineID=0123\n", ":4: MachineID=");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nPrivateUsers=perhaps\n",
                  ":4: PrivateUsers= is not a boolean");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nLXCFS=maybe\n", ":4: LXCFS= is not a boolean");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nNesting=sometimes\n", ":4: Nesting= is not a boolean");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=-5\nUIDRange=65536\n", ":4: UIDShift= is not");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=0x80000\nUIDRange=65536\n", ":4: UIDShift= is not");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=4294967296\nUIDRange=65536\n",
                  ":4: UIDShift= is not");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=524288\nUIDRange=1000\n",
                  ":5: UIDRange= is not a multiple of 65536");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=524288\nUIDRange=big\n",
                  ":5: UIDRange= is not a multiple of 65536");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=524288\nUIDRange=1073807360\n",
                  ":5: UIDRange= is not a multiple of 65536");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nStorage=shifted-copy\n", ":4: Storage=shifted-copy needs");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nStorage=chown\n", ":4: Storage=chown is not overlay");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=524288\n",
                  ":4: UIDShift= and UIDRange= go together");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDRange=65536\n",
                  ":4: UIDShift= and UIDRange= go together");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=0\nUIDRange=65536\n",
                  ":4: UIDShift=0: the range must start above 0");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nUIDShift=4294901760\nUIDRange=65536\n",
                  ":4: UIDShift=4294901760: the range must start above 0 and end below 4294967295");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nPrivateUsers=no\nUIDShift=524288\nUIDRange=65536\n",
                  ":5: UIDShift= goes with PrivateUsers=yes only");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nPrivateUsers=no\nUIDRange=65536\n",
                  ":5: UIDRange= goes with PrivateUsers=yes only");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nCapabilities=CAP_CHOWN CAP_FLY\n",
                  ":4: Capabilities= names an unknown capability \"CAP_FLY\"");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nCapabilities=12\n", ":4: Capabilities= names an unknown");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n\nDropCapabilities=CAP_CHOWN,CAP_KILL\n",
                  ":5: DropCapabilities= names an unknown capability \"CAP_CHOWN,CAP_KILL\"");
        check_bad("[Zone]\nTemplate=t\nBrand=b\nDropCapabilities=chown\n", ":4: DropCapabilities=");
        /* Said twice: GKeyFile would keep the last silently. */
        check_bad("[Zone]\nTemplate=t\nBrand=b\nTemplate=u\n",
                  ":4: duplicate key Template in [Zone] (first at line 2)");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n  Brand = c\n",
                  ":4: duplicate key Brand in [Zone] (first at line 3)");
        check_bad("[Zone]\nTemplate=t\n\n[Zone]\nBrand=b\n",
                  ":4: section [Zone] appears twice (first at line 1)");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n[Limits]\nDiskQuota=0\n", ":5: DiskQuota=0 is not");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n[Limits]\nDiskQuota=-1\n", ":5: DiskQuota=-1 is not");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n[Limits]\nDiskQuota=18446744073709551616\n",
                  ":5: DiskQuota=18446744073709551616 is not");
        check_bad("[Zone]\nTemplate=t\nBrand=b\n[Limits]\nDiskQuotta=1\n",
                  ":5: unknown key DiskQuotta in [Limits]");
        check_bad("[Limits]\nDiskQuota=1048576\n", "missing section [Zone]");
}

/* [Limits] DiskQuota= is read and written back; without it a zone has no disk image. */
static void test_disk_quota(void) {
        g_autofree char *p = write_tmp("dq.zone",
                                       "[Zone]\nTemplate=t\nBrand=b\n[Limits]\nDiskQuota=2147483648\n");
        g_autofree char *q = write_tmp("nodq.zone", "[Zone]\nTemplate=t\nBrand=b\n");
        g_autofree char *error = NULL;
        ZoneConfig c = {}, d = {};

        g_assert_cmpint(zone_config_load(p, &c, &error), ==, 0);
        g_assert_cmpuint(c.disk_quota, ==, 2147483648ULL);
        /* It is one of the limits: written as a number, read as zonectl set reads it too. */
        g_assert_false(c.limits.v[LIMIT_DISK_QUOTA].set);
        zone_config_done(&c);
        g_assert_true(
                g_file_set_contents(p, "[Zone]\nTemplate=t\nBrand=b\n[Limits]\nDiskQuota=2G\n", -1, NULL));
        g_assert_cmpint(zone_config_load(p, &c, &error), ==, 0);
        g_assert_cmpuint(c.disk_quota, ==, 2147483648ULL);
        g_assert_cmpint(zone_config_save(q, &c), ==, 0);
        g_assert_cmpint(zone_config_load(q, &d, &error), ==, 0);
        g_assert_cmpuint(d.disk_quota, ==, 2147483648ULL);
        zone_config_done(&c);
        zone_config_done(&d);
        g_assert_true(g_file_set_contents(q, "[Zone]\nTemplate=t\nBrand=b\n", -1, NULL));
        g_assert_cmpint(zone_config_load(q, &c, &error), ==, 0);
        g_assert_cmpuint(c.disk_quota, ==, 0);
        zone_config_done(&c);
        zone_config_salvage(p, &c);
        g_assert_cmpuint(c.disk_quota, ==, 2147483648ULL);
        zone_config_done(&c);
}

/* Comments, blank lines and one key per line are not taken for duplicates. */
static void test_not_duplicates(void) {
        ZoneConfig c = load_ok("# Template=x\n[Zone]\n# Template=y\nTemplate=t\n\n  # Brand=z\nBrand=b\n");

        g_assert_cmpstr(c.template_name, ==, "t");
        g_assert_cmpstr(c.brand, ==, "b");
        zone_config_done(&c);
}

/* Anything but a regular file of its own is refused, without waiting on it or reading it. */
static void test_not_a_file(void) {
        g_autofree char *fifo = g_build_filename(tmpdir, "fifo.zone", NULL), *error = NULL;
        g_autofree char *target = write_tmp("secret", "[Zone]\nsecret-line-of-another-file\n");
        g_autofree char *link = g_build_filename(tmpdir, "link.zone", NULL), *dir = NULL;
        g_autofree char *good = write_tmp("good-target", "[Zone]\nTemplate=t\nBrand=b\n");
        g_autofree char *good_link = g_build_filename(tmpdir, "good-link.zone", NULL);
        ZoneConfig c = {};

        /* A FIFO nobody writes to: a blocking open would wait for ever, the alarm ends the test. */
        g_assert_no_errno(mkfifo(fifo, 0644));
        alarm(30);
        g_assert_cmpint(zone_config_load(fifo, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(strstr(error, "fifo.zone: not a regular file"));
        g_clear_pointer(&error, g_free);
        zone_config_peek_uid_range(fifo, &c.uid_shift, &c.uid_range);
        g_assert_cmpuint(c.uid_range, ==, 0);
        alarm(0);

        /* A symlink is not followed: what it points to is neither loaded nor quoted. */
        g_assert_no_errno(symlink(target, link));
        g_assert_cmpint(zone_config_load(link, &c, &error), ==, -ELOOP);
        g_assert_nonnull(strstr(error, "link.zone: is a symbolic link"));
        g_assert_null(strstr(error, "secret-line"));
        g_clear_pointer(&error, g_free);
        g_assert_no_errno(symlink(good, good_link));
        g_assert_cmpint(zone_config_load(good_link, &c, &error), ==, -ELOOP);
        g_assert_null(c.template_name);
        g_clear_pointer(&error, g_free);

        /* Zone files are small: a huge one is not read into memory. */
        {
                g_autofree char *big_text = g_strnfill(1024 * 1024 + 1, '#');
                g_autofree char *big = write_tmp("big.zone", big_text);

                g_assert_cmpint(zone_config_load(big, &c, &error), ==, -EFBIG);
                g_assert_nonnull(strstr(error, "big.zone: larger than 1048576 bytes"));
                g_clear_pointer(&error, g_free);
        }

        dir = g_build_filename(tmpdir, "dir.zone", NULL);
        g_assert_no_errno(mkdir(dir, 0755));
        g_assert_cmpint(zone_config_load(dir, &c, &error), ==, -EBADMSG);
        g_assert_nonnull(strstr(error, "not a regular file"));
}

/* What a zone that runs keeps of a file that does not load. */
static void test_salvage(void) {
        g_autofree char *p = write_tmp("broken.zone",
                                       "[Zone]\nTemplate=t\nBrand=b\nStorage=copy\nColour=red\n"
                                       "UIDShift=524288\nUIDRange=65536\nTemplate=u\n");
        g_autofree char *q = write_tmp("garbage.zone", "not an ini file\n");
        ZoneConfig c;

        zone_config_salvage(p, &c);
        g_assert_cmpstr(c.template_name, ==, "u");
        g_assert_cmpstr(c.brand, ==, "b");
        g_assert_true(c.copy);
        g_assert_cmpuint(c.uid_shift, ==, 524288);
        g_assert_cmpuint(c.uid_range, ==, 65536);
        zone_config_done(&c);
        zone_config_salvage(q, &c);
        g_assert_cmpstr(c.template_name, ==, "");
        g_assert_cmpstr(c.brand, ==, "");
        g_assert_cmpuint(c.uid_range, ==, 0);
        zone_config_done(&c);
}

/* What is written back is what was read, in capability names. */
static void test_capability_names(void) {
        g_autofree char *none = capability_mask_to_names(0),
                        *some = capability_mask_to_names((1 << 0) | (1 << 21));
        g_autofree char *bad = NULL;
        uint64_t mask = 1;

        g_assert_cmpstr(none, ==, "");
        g_assert_cmpstr(some, ==, "CAP_CHOWN CAP_SYS_ADMIN");
        g_assert_cmpint(capability_mask_from_names(some, &mask, &bad), ==, 0);
        g_assert_cmphex(mask, ==, (1 << 0) | (1 << 21));
        g_assert_cmpint(capability_mask_from_names("  ", &mask, &bad), ==, 0);
        g_assert_cmphex(mask, ==, 0);
        g_assert_cmpint(capability_mask_from_names("CAP_KILL CAP_NOPE", &mask, &bad), ==, -EINVAL);
        g_assert_cmpstr(bad, ==, "CAP_NOPE");
}

/* capabilities.h's default set is what the supervisor keeps. */
static void test_default_mask(void) {
        uint64_t mask = capabilities_default_mask();

        for (int cap = 0; cap < 64; cap++)
                g_assert_cmpint(!!(mask & (UINT64_C(1) << cap)), ==, capability_kept(cap));
        g_assert_true(capability_kept(21));  /* CAP_SYS_ADMIN */
        g_assert_false(capability_kept(16)); /* CAP_SYS_MODULE */
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

static void test_network(void) {
        g_autofree char *p = g_build_filename(tmpdir, "net.zone", NULL), *error = NULL, *text = NULL;
        ZoneConfig in = { .template_name = g_strdup("bb"), .brand = g_strdup("busybox") }, out = {};
        InetPrefix a[2];
        PortForward fw = { IPPROTO_TCP, 8080, 80 };
        char buf[INET_PREFIX_STRLEN];

        /* The default: no section at all. */
        g_assert_cmpint(zone_config_save(p, &in), ==, 0);
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_null(strstr(text, "[Network]"));
        g_assert_cmpint(zone_config_load(p, &out, &error), ==, 0);
        g_assert_cmpint(out.network.mode, ==, NETWORK_NONE);
        zone_config_done(&out);

        g_assert_cmpint(inet_prefix_parse("10.42.0.2/24", &a[0]), ==, 0);
        g_assert_cmpint(inet_prefix_parse("fd42:7a6f:6e65::2/64", &a[1]), ==, 0);
        in.network.mode = NETWORK_BRIDGE;
        in.network.link = g_strdup("lab0");
        in.network.addresses = g_memdup2(a, sizeof(a));
        in.network.n_addresses = 2;
        in.network.mac_set = true;
        g_assert_cmpint(mac_address_parse("02:00:00:00:00:05", in.network.mac), ==, 0);
        in.network.mtu = 1400;
        g_assert_cmpint(zone_network_set_port(&in.network, &fw), ==, 0);
        in.network.dns = g_memdup2(a, sizeof(a[0]));
        in.network.dns[0].prefixlen = 32;
        in.network.n_dns = 1;
        g_assert_cmpint(zone_config_save(p, &in), ==, 0);
        g_assert_cmpint(zone_config_load(p, &out, &error), ==, 0);
        g_assert_null(error);
        g_assert_cmpint(out.network.mode, ==, NETWORK_BRIDGE);
        g_assert_cmpstr(out.network.link, ==, "lab0");
        g_assert_cmpuint(out.network.n_addresses, ==, 2);
        g_assert_cmpstr(inet_prefix_format(&out.network.addresses[1], buf), ==, "fd42:7a6f:6e65::2/64");
        g_assert_true(out.network.mac_set);
        g_assert_cmphex(out.network.mac[5], ==, 5);
        g_assert_cmpuint(out.network.mtu, ==, 1400);
        g_assert_cmpuint(out.network.n_ports, ==, 1);
        g_assert_cmpuint(out.network.ports[0].zone_port, ==, 80);
        g_assert_cmpuint(out.network.n_dns, ==, 1);
        g_assert_cmpstr(inet_prefix_format(&out.network.dns[0], buf), ==, "10.42.0.2/32");
        g_assert_false(out.network.dhcp);
        /* Ports change and go. */
        fw.zone_port = 81;
        g_assert_cmpint(zone_network_set_port(&out.network, &fw), ==, 0);
        g_assert_cmpuint(out.network.n_ports, ==, 1);
        g_assert_cmpuint(out.network.ports[0].zone_port, ==, 81);
        g_assert_cmpint(zone_network_remove_port(&out.network, &fw), ==, 0);
        g_assert_cmpint(zone_network_remove_port(&out.network, &fw), ==, -ENOENT);
        zone_config_done(&out);
        zone_config_done(&in);

        g_clear_pointer(&p, g_free);
        p = write_tmp("dhcp.zone",
                      "[Zone]\nTemplate=t\nBrand=b\n[Network]\nMode=macvlan:eth1\nAddress=dhcp\n");
        g_assert_cmpint(zone_config_load(p, &out, &error), ==, 0);
        g_assert_cmpint(out.network.mode, ==, NETWORK_MACVLAN);
        g_assert_cmpstr(out.network.link, ==, "eth1");
        g_assert_true(out.network.dhcp);
        g_assert_cmpuint(out.network.n_addresses, ==, 0);
        zone_config_done(&out);
}

static void test_network_bad(void) {
#define Z "[Zone]\nTemplate=t\nBrand=b\n[Network]\n"
        check_bad(Z "Mode=wifi\n", ":5: Mode=wifi is not none, host, bridge[:NAME]");
        check_bad(Z "Mode=macvlan\n", ":5: Mode=macvlan is not");
        check_bad(Z "Mode=bridge:a/b\n", ":5: Mode=bridge:a/b is not");
        check_bad(Z "Mode=bridge\nAddress=10.42.0.300/24\n",
                  ":6: Address=: 10.42.0.300/24 is not an IP address");
        check_bad(Z "Mode=bridge\nAddress=10.42.0.2/24;10.42.0.2/24\n",
                  ":6: Address=: 10.42.0.2/24 is given twice");
        check_bad(Z "Address=10.42.0.2/24\n", ":5: Address= needs Mode=bridge, macvlan or ipvlan");
        check_bad(Z "Mode=host\nAddress=dhcp\n", ":6: Address= needs Mode=");
        check_bad(Z "Mode=bridge\nMACAddress=02:00:00:00:00\n",
                  ":6: MACAddress=02:00:00:00:00 is not a unicast");
        check_bad(Z "Mode=bridge\nMACAddress=03:00:00:00:00:01\n",
                  ":6: MACAddress=03:00:00:00:00:01 is not");
        check_bad(Z "Mode=none\nMACAddress=02:00:00:00:00:01\n", ":6: MACAddress= needs Mode=");
        check_bad(Z "Mode=ipvlan:eth0\nMACAddress=02:00:00:00:00:01\n", ":6: MACAddress= does not go with");
        check_bad(Z "Mode=bridge\nMTU=67\n", ":6: MTU=67 is not a number from 68 to 65535");
        check_bad(Z "Mode=bridge\nMTU=+1400\n", ":6: MTU=+1400 is not");
        check_bad(Z "Mode=bridge\nMTU=65536\n", ":6: MTU=65536 is not");
        check_bad(Z "MTU=1400\n", ":5: MTU= needs Mode=");
        check_bad(Z "Port=tcp:0:80\n", ":5: Port=: tcp:0:80 is not PROTOCOL:HOSTPORT[:ZONEPORT]");
        check_bad(Z "Port=sctp:80\n", ":5: Port=: sctp:80 is not");
        check_bad(Z "Port=tcp:80;tcp:80:81\n", ":5: Port=: host port tcp:80 is forwarded twice");
        check_bad(Z "Port=tcp:8080:80\n", ":5: Port= needs Mode=bridge");
        check_bad(Z "Mode=macvlan:eth0\nPort=tcp:8080:80\n", ":6: Port= needs Mode=bridge");
        check_bad(Z "Mode=bridge\nAddress=dhcp\nPort=tcp:8080:80\n",
                  ":7: Port= does not go with Address=dhcp");
        check_bad(Z "DNS=10.42.0.1/24\n", ":5: DNS=: 10.42.0.1/24 is not an IP address");
        check_bad(Z "DNS=nameserver\n", ":5: DNS=: nameserver is not");
        check_bad(Z "Gateway=10.42.0.1\n", ":5: unknown key Gateway in [Network]");
        check_bad(Z "Mode=bridge\nMode=host\n", ":6: duplicate key Mode in [Network]");
#undef Z
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/zone-config/round-trip", test_round_trip);
        g_test_add_func("/zone-config/defaults", test_defaults);
        g_test_add_func("/zone-config/bad", test_bad);
        g_test_add_func("/zone-config/disk-quota", test_disk_quota);
        g_test_add_func("/zone-config/not-duplicates", test_not_duplicates);
        g_test_add_func("/zone-config/not-a-file", test_not_a_file);
        g_test_add_func("/zone-config/salvage", test_salvage);
        g_test_add_func("/zone-config/machine-id", test_machine_id);
        g_test_add_func("/zone-config/users", test_users);
        g_test_add_func("/zone-config/lxcfs", test_lxcfs);
        g_test_add_func("/zone-config/nesting", test_nesting);
        g_test_add_func("/zone-config/device-allow", test_device_allow);
        g_test_add_func("/zone-config/capabilities", test_capabilities);
        g_test_add_func("/zone-config/capability-names", test_capability_names);
        g_test_add_func("/zone-config/default-mask", test_default_mask);
        g_test_add_func("/zone-config/network", test_network);
        g_test_add_func("/zone-config/network-bad", test_network_bad);
        r = g_test_run();
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
