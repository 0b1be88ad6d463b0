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

        g_assert_cmpint(brand_load(p, NULL, &b, &error), ==, 0);
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

        g_assert_cmpint(brand_load(p, NULL, &b, &error), <, 0);
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

        g_assert_cmpint(brand_load(p, NULL, &b, &error), ==, 0);
        g_assert_true(b->capabilities.replace);
        g_assert_cmphex(b->capabilities.set, ==, (1 << 0) | (1 << 21) | (1 << 13));
        g_assert_true(b->capabilities.drop_given);
        g_assert_cmphex(b->capabilities.drop, ==, 1 << 13);
        g_assert_cmphex(capability_change_apply(&b->capabilities, ~UINT64_C(0)), ==, (1 << 0) | (1 << 21));
}

/* A tree under tmpdir/NAME with /sbin/init a symlink to target (none when NULL). */
static char *make_tree(const char *name, const char *init_target) {
        char *root = g_build_filename(tmpdir, name, NULL);
        g_autofree char *sbin = g_build_filename(root, "sbin", NULL),
                        *bin = g_build_filename(root, "bin", NULL);
        g_autofree char *init = g_build_filename(sbin, "init", NULL);

        g_assert_cmpint(g_mkdir_with_parents(sbin, 0755), ==, 0);
        g_assert_cmpint(g_mkdir_with_parents(bin, 0755), ==, 0);
        if (init_target)
                g_assert_cmpint(symlink(init_target, init), ==, 0);
        return root;
}

static void put_file(const char *root, const char *rel, const void *data, gssize len) {
        g_autofree char *p = g_build_filename(root, rel, NULL), *dir = g_path_get_dirname(p);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(p, data, len, NULL));
}

/* The first 20 bytes of an ELF file: e_ident, e_type, e_machine (little-endian). */
static void put_elf(const char *root, const char *rel, unsigned char class, uint16_t machine) {
        unsigned char h[64] = { 0x7f, 'E', 'L', 'F', class, 1 /* LSB */, 1 };

        h[16] = 2; /* ET_EXEC */
        h[18] = (unsigned char) (machine & 0xff);
        h[19] = (unsigned char) (machine >> 8);
        put_file(root, rel, h, sizeof(h));
}

static GHashTable *load_brands(const char *dir, GPtrArray *errors) {
        GHashTable *brands = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                   (GDestroyNotify) (void (*)(void)) brand_free);

        g_assert_cmpint(brand_load_dir(dir, brands, errors), ==, 0);
        return brands;
}

static void test_detect(void) {
        g_autofree char *dir = g_build_filename(tmpdir, "detect-brands", NULL);
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) brands = NULL;
        g_autoptr(GPtrArray) rules = NULL;
        g_autofree char *none = NULL, *bb = NULL, *climb = NULL, *sd = NULL, *rc = NULL, *x86 = NULL,
                        *arm = NULL, *name = NULL, *arch = NULL;

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_free(write_brand("detect-brands/busybox.brand", "[Brand]\n" OK_BODY "DetectInit=busybox\n"));
        g_free(write_brand("detect-brands/sysv.brand", "[Brand]\n" OK_BODY "DetectInit=init\n"));
        g_free(write_brand("detect-brands/rc.brand",
                           "[Brand]\nInherits=sysv\nDetectPath=/sbin/openrc /etc/rc.conf\n"));
        g_free(write_brand("detect-brands/sd.brand", "[Brand]\n" OK_BODY "DetectInit=systemd\n"));
        g_free(write_brand("detect-brands/sd32.brand", "[Brand]\nInherits=sd\nArchitecture=i386\n"));
        g_free(write_brand("detect-brands/sdarm.brand", "[Brand]\nInherits=sd\nArchitecture=arm64\n"));
        /* Inherits the detection and clears it: never picked by itself. */
        g_free(write_brand("detect-brands/old.brand", "[Brand]\nInherits=sd32\nDetectInit=\n"));
        brands = load_brands(dir, errors);
        g_assert_cmpuint(errors->len, ==, 0);
        rules = brand_detect_rules(brands);

        none = make_tree("t-none", NULL);
        g_assert_null(brand_detect_tree(rules, none, &name, NULL));
        g_assert_null(name);

        /* An absolute link resolves inside the rootfs, not on the host. */
        bb = make_tree("t-bb", "/bin/busybox");
        put_file(bb, "bin/busybox", "#!/bin/sh\n", -1);
        g_assert_cmpstr(brand_detect_tree(rules, bb, NULL, NULL), ==, "busybox");
        /* ".." cannot climb out of the rootfs. */
        climb = make_tree("t-climb", "../../../../../bin/busybox");
        put_file(climb, "bin/busybox", "", 0);
        g_assert_cmpstr(brand_detect_tree(rules, climb, NULL, NULL), ==, "busybox");

        /* The host's architecture: sd, not sd32 or sdarm. */
        sd = make_tree("t-sd", "/lib/systemd/systemd");
        put_elf(sd, "lib/systemd/systemd", 2 /* ELFCLASS64 */, 62 /* EM_X86_64 */);
        g_assert_cmpstr(brand_detect_tree(rules, sd, &name, &arch), ==, "sd");
        g_assert_cmpstr(name, ==, "systemd");
        g_assert_cmpstr(arch, ==, "amd64");
        g_clear_pointer(&name, g_free);
        g_clear_pointer(&arch, g_free);

        /* A 32-bit x86 init: sd32; an arm64 one: sdarm. */
        x86 = make_tree("t-x86", "/lib/systemd/systemd");
        put_elf(x86, "lib/systemd/systemd", 1 /* ELFCLASS32 */, 3 /* EM_386 */);
        g_assert_cmpstr(brand_detect_tree(rules, x86, NULL, &arch), ==, "sd32");
        g_assert_cmpstr(arch, ==, "i386");
        g_clear_pointer(&arch, g_free);
        arm = make_tree("t-arm", "/lib/systemd/systemd");
        put_elf(arm, "lib/systemd/systemd", 2, 183 /* EM_AARCH64 */);
        g_assert_cmpstr(brand_detect_tree(rules, arm, NULL, &arch), ==, "sdarm");
        g_assert_cmpstr(arch, ==, "arm64");

        /* /sbin/init itself with /sbin/openrc and /etc/rc.conf: rc, the rule with the most files;
         * without rc.conf only sysv matches. */
        rc = make_tree("t-rc", NULL);
        put_file(rc, "sbin/init", "", 0);
        put_file(rc, "sbin/openrc", "", 0);
        g_assert_cmpstr(brand_detect_tree(rules, rc, NULL, NULL), ==, "sysv");
        put_file(rc, "etc/rc.conf", "", 0);
        g_assert_cmpstr(brand_detect_tree(rules, rc, NULL, NULL), ==, "rc");
}

static void test_inherits(void) {
        g_autofree char *dir = g_build_filename(tmpdir, "inherit-brands", NULL);
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) brands = NULL;
        Brand *base, *child, *grand;

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_free(write_brand("inherit-brands/base.brand",
                           "[Brand]\nDescription=Base\nInit=/sbin/init /bin/init\nInitArguments=-a\n"
                           "PoweroffSignal=SIGUSR2\nRebootSignal=SIGTERM\nHaltSignal=SIGUSR1\n"
                           "Ready=process:getty\nReadyTimeoutSec=20\nCapabilities=CAP_CHOWN\n"
                           "[FixUps]\nAppendLine=/etc/inittab one\nAppendLine=/etc/inittab two\n"));
        g_free(write_brand("inherit-brands/child.brand",
                           "[Brand]\nInherits=base\nDescription=Child\nPersonality=linux32\n"
                           "PoweroffSignal=SIGCONT\nPoweroffPrepare=/run/stopit:0100 /run/reboot:0\n"
                           "[FixUps]\nRemove=/etc/service/getty-tty*\n"));
        g_free(write_brand("inherit-brands/grand.brand",
                           "[Brand]\nInherits=child\nPersonality=linux32 uname26\nInit=/lib/x\n"));
        /* Circles, a missing parent, and a child of a bad brand: each named, none loaded. */
        g_free(write_brand("inherit-brands/loop1.brand", "[Brand]\nInherits=loop2\n"));
        g_free(write_brand("inherit-brands/loop2.brand", "[Brand]\nInherits=loop1\n"));
        g_free(write_brand("inherit-brands/orphan.brand", "[Brand]\nInherits=nobody\n"));
        g_free(write_brand("inherit-brands/broken.brand", "[Brand]\nInit=/x\n"));
        g_free(write_brand("inherit-brands/heir.brand", "[Brand]\nInherits=broken\n"));
        brands = load_brands(dir, errors);
        for (guint i = 0; i < errors->len; i++)
                g_test_message("%s", (char *) errors->pdata[i]);
        g_assert_cmpuint(g_hash_table_size(brands), ==, 3);
        /* loop1 and loop2 (the circle, and the one on it whose parent failed), orphan, broken, heir. */
        g_assert_cmpuint(errors->len, ==, 5);

        base = g_hash_table_lookup(brands, "base");
        child = g_hash_table_lookup(brands, "child");
        grand = g_hash_table_lookup(brands, "grand");
        g_assert_nonnull(base);
        g_assert_nonnull(child);
        g_assert_nonnull(grand);
        g_assert_cmpstr(base->init_argv[0], ==, "/sbin/init");
        g_assert_cmpstr(base->init_argv[1], ==, "-a");
        g_assert_cmpstr(base->init_search[0], ==, "/bin/init");
        g_assert_cmpint(base->ready, ==, READY_PROCESS);
        g_assert_cmpstr(base->ready_target, ==, "getty");
        g_assert_cmpuint(base->ready_timeout_usec, ==, 20 * G_USEC_PER_SEC);
        g_assert_cmpuint(g_strv_length(base->fixups), ==, 2);
        g_assert_cmpstr(base->fixups[1], ==, "AppendLine=/etc/inittab two");

        /* What the child does not say, it has from its parent; its fix-ups come after. */
        g_assert_cmpstr(child->description, ==, "Child");
        g_assert_cmpstr(child->init_argv[0], ==, "/sbin/init");
        g_assert_cmpstr(child->init_argv[1], ==, "-a");
        g_assert_cmpint(child->poweroff_signal, ==, SIGCONT);
        g_assert_cmpint(child->reboot_signal, ==, SIGTERM);
        g_assert_cmpstr(child->poweroff_prepare[1], ==, "/run/reboot:0");
        g_assert_cmpstr(child->ready_target, ==, "getty");
        g_assert_true(child->capabilities.replace);
        g_assert_cmpuint(child->personality, ==, 0x0008);
        g_assert_cmpuint(g_strv_length(child->fixups), ==, 3);
        g_assert_cmpstr(child->fixups[2], ==, "Remove=/etc/service/getty-tty*");

        /* A new Init= replaces the path and the search list, and keeps the arguments. */
        g_assert_cmpstr(grand->init_argv[0], ==, "/lib/x");
        g_assert_cmpstr(grand->init_argv[1], ==, "-a");
        g_assert_cmpuint(g_strv_length(grand->init_search), ==, 0);
        g_assert_cmpuint(grand->personality, ==, 0x0008 | 0x0020000);
        g_assert_cmpuint(g_strv_length(grand->fixups), ==, 3);
}

static void test_ready(void) {
        g_autofree char *p = write_brand("ready.brand", "[Brand]\n" OK_BODY "Ready=file:/run/ready\n");
        g_autofree char *q = write_brand("notify.brand",
                                         "[Brand]\n" OK_BODY "Ready=notify\nReadyTimeoutSec=5\n");
        g_autoptr(Brand) b = NULL, n = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(brand_load(p, NULL, &b, &error), ==, 0);
        g_assert_cmpint(b->ready, ==, READY_FILE);
        g_assert_cmpstr(b->ready_target, ==, "/run/ready");
        g_assert_cmpuint(b->ready_timeout_usec, ==, 0);
        g_assert_cmpint(brand_load(q, NULL, &n, &error), ==, 0);
        g_assert_cmpint(n->ready, ==, READY_NOTIFY);
        g_assert_null(n->ready_target);
        g_assert_cmpuint(n->ready_timeout_usec, ==, 5 * G_USEC_PER_SEC);
        check_bad("[Brand]\n" OK_BODY "Ready=notify:x\n", "bad.brand:6: Ready=notify:x");
        check_bad("[Brand]\n" OK_BODY "Ready=exec:\n", "bad.brand:6: Ready=exec:");
        check_bad("[Brand]\n" OK_BODY "Proven=debian@v3\n", "bad.brand:6: Proven= entry \"debian@v3\"");
        check_bad("[Brand]\n" OK_BODY "RealtimeSignalOffset=9\n", "bad.brand:6: RealtimeSignalOffset=9");
}

static void test_bad_new_keys(void) {
        check_bad("[Brand]\n" OK_BODY "Ready=process:\n", "bad.brand:6: Ready=process:");
        check_bad("[Brand]\n" OK_BODY "Ready=file:run/x\n", "bad.brand:6: Ready=file:run/x");
        check_bad("[Brand]\n" OK_BODY "Ready=process:a-name-of-twenty-chars\n", "at most 15 characters");
        check_bad("[Brand]\n" OK_BODY "ReadyTimeoutSec=0\n", "bad.brand:6: ReadyTimeoutSec=0");
        check_bad("[Brand]\n" OK_BODY "Personality=linux64\n",
                  "bad.brand:6: Personality= entry \"linux64\"");
        check_bad("[Brand]\n" OK_BODY "PoweroffPrepare=/run/stopit:+x\n",
                  "bad.brand:6: PoweroffPrepare= entry \"/run/stopit:+x\"");
        check_bad("[Brand]\n" OK_BODY "RebootPrepare=run/stopit:0100\n", "bad.brand:6: RebootPrepare=");
        check_bad("[Brand]\n" OK_BODY "DetectPath=sbin/openrc\n", "bad.brand:6: DetectPath=");
        check_bad("[Brand]\n" OK_BODY "Architecture=x86 64\n", "bad.brand:6: Architecture=");
        check_bad("[Brand]\n" OK_BODY "Inherits=systemd\n", "bad.brand:6: Inherits=systemd");
        check_bad(
                "[Brand]\nInit=/a relative\nPoweroffSignal=SIGUSR2\nRebootSignal=SIGTERM\nHaltSignal=SIGUSR1\n",
                "bad.brand:2: Init= entry \"relative\"");
        /* Fix-ups: every rule checked, named by its line. */
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nPaint=/etc/x red\n", "bad.brand:7: unknown key Paint");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nAppendLine=etc/inittab x\n",
                  "bad.brand:7: [FixUps] AppendLine: the path is not absolute");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nAppendLine=/etc/../inittab x\n", "bad.brand:7:");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nAppendLine=/etc/inittab\n",
                  "bad.brand:7: [FixUps] AppendLine: AppendLine= needs the line");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nRemove=/etc/x\nCommentOut=/etc/inittab tty[1-6\n",
                  "bad.brand:8: [FixUps] CommentOut: the regular expression does not compile");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nSetVariable=/etc/rc.conf rc-sys lxc\n",
                  "bad.brand:7: [FixUps] SetVariable: SetVariable= needs a variable name");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nSetVariable=/etc/rc.conf rc_sys \"lxc\"\n", "cannot hold");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nWriteFile=/etc/x 0999 text\n", "needs an octal mode");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nWriteFile=/etc/x 0755 a\\qb\n", "only the escapes");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nRemove=/etc/*/getty\n",
                  "only in the path's last component");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nSymlink=/etc/x\n", "needs the link's target");
        check_bad("[Brand]\n" OK_BODY "[FixUps]\nRemove=/etc/x extra\n", "words after");
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
        g_test_add_func("/brand/inherits", test_inherits);
        g_test_add_func("/brand/bad-new-keys", test_bad_new_keys);
        g_test_add_func("/brand/ready", test_ready);
        g_test_add_func("/brand/capabilities", test_capabilities);
        r = g_test_run();
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
