/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* binfmt-check.c against handler files as binfmt_misc shows them: a foreign brand boots only with
 * an enabled handler for its ELF machine that has the F flag; each other case is named. */

#include <errno.h>
#include <glib.h>
#include <stdlib.h>

#include "binfmt-check.h"

/* /proc/sys/fs/binfmt_misc/qemu-aarch64 as update-binfmts registers it (Debian 12), and variants. */
static const char aarch64_handler[] = "enabled\n"
                                      "interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
                                      "flags: PF\n"
                                      "offset 0\n"
                                      "magic 7f454c460201010000000000000000000200b700\n"
                                      "mask ffffffffffffff00fffffffffffffffffeffffff\n";
static const char aarch64_no_f[] = "enabled\n"
                                   "interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
                                   "flags: P\n"
                                   "offset 0\n"
                                   "magic 7f454c460201010000000000000000000200b700\n"
                                   "mask ffffffffffffff00fffffffffffffffffeffffff\n";
static const char aarch64_disabled[] = "disabled\n"
                                       "interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
                                       "flags: PF\n"
                                       "offset 0\n"
                                       "magic 7f454c460201010000000000000000000200b700\n"
                                       "mask ffffffffffffff00fffffffffffffffffeffffff\n";
static const char arm_handler[] = "enabled\n"
                                  "interpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\n"
                                  "flags: PF\n"
                                  "offset 0\n"
                                  "magic 7f454c4601010100000000000000000002002800\n"
                                  "mask ffffffffffffff00fffffffffffffffffeffffff\n";

static char *tmpdir;

static char *handlers(const char *name, const char *const *files) {
        char *dir = g_build_filename(tmpdir, name, NULL);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        for (const char *const *f = files; f && *f; f += 2) {
                g_autofree char *p = g_build_filename(dir, f[0], NULL);
                g_assert_true(g_file_set_contents(p, f[1], -1, NULL));
        }
        return dir;
}

static void expect(const char *dir, const char *arch, int want, const char *why) {
        g_autofree char *got = NULL;

        g_assert_cmpint(binfmt_check_architecture(dir, arch, &got), ==, want);
        if (why) {
                g_assert_nonnull(got);
                if (!strstr(got, why))
                        g_error("%s: \"%s\" does not say \"%s\"", arch, got, why);
        }
}

static void test_binfmt(void) {
        g_autofree char *none = g_build_filename(tmpdir, "not-mounted", NULL);
        g_autofree char *good = handlers(
                "good", (const char *const[]) { "status", "enabled\n", "register", "", "qemu-arm",
                                                arm_handler, "qemu-aarch64", aarch64_handler, NULL });
        g_autofree char *no_f = handlers("no-f",
                                         (const char *const[]) { "qemu-aarch64", aarch64_no_f, NULL });
        g_autofree char *off = handlers("off",
                                        (const char *const[]) { "qemu-aarch64", aarch64_disabled, NULL });
        g_autofree char *arm_only = handlers("arm-only",
                                             (const char *const[]) { "qemu-arm", arm_handler, NULL });

        /* The host's own binaries, and 32-bit x86 on x86-64, need no handler. */
#if defined(__x86_64__)
        expect(none, "amd64", 0, NULL);
        expect(none, "i386", 0, NULL);
#endif
        expect(none, "arm64", -ENOEXEC, "binfmt_misc is not mounted");
        expect(good, "arm64", 0, NULL);
        expect(good, "armhf", 0, NULL);
        expect(no_f, "arm64", -ENOEXEC, "lacks the F flag");
        expect(off, "arm64", -ENOEXEC, "is disabled");
        /* The 32-bit Arm handler does not run 64-bit Arm binaries. */
        expect(arm_only, "arm64", -ENOEXEC, "no handler is registered");
        expect(good, "riscv64", -ENOEXEC, "no handler is registered");
        expect(good, "vax", -EINVAL, NULL);
}

int main(int argc, char *argv[]) {
        g_autofree char *cmd = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-binfmt-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/binfmt-check/architectures", test_binfmt);
        r = g_test_run();
        cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        g_assert_cmpint(system(cmd), ==, 0);
        g_free(tmpdir);
        return r;
}
