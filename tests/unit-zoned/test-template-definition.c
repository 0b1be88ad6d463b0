/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* template-definition.c and bootstrap.c: the shipped definitions parse; bad
 * files are named with file:line; the host's mirror is read from apt's
 * files; the tool's argv; the fix-ups of a bootstrapped tree. */

#include <fcntl.h>
#include <glib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootstrap.h"
#include "macro.h"
#include "template-definition.h"

static char *tmpdir;

static char *write_in(const char *dir, const char *name, const char *text) {
        char *p = g_build_filename(dir, name, NULL);
        g_autofree char *parent = g_path_get_dirname(p);

        g_assert_no_errno(g_mkdir_with_parents(parent, 0755));
        g_assert_true(g_file_set_contents(p, text, -1, NULL));
        return p;
}

static void definition_destroy(gpointer d) {
        template_definition_free(d);
}

static void test_shipped(void) {
        const char *dir = g_getenv("ZONED_DEFINITIONS_DIR");
        g_autoptr(GHashTable)
                defs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, definition_destroy);
        g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
        const TemplateDefinition *d;

        g_assert_nonnull(dir);
        g_assert_cmpint(template_definition_load_dir(dir, defs, errors), ==, 0);
        for (guint i = 0; i < errors->len; i++)
                g_test_message("%s", (char *) errors->pdata[i]);
        g_assert_cmpuint(errors->len, ==, 0);
        g_assert_cmpuint(g_hash_table_size(defs), ==, 7);
        d = g_hash_table_lookup(defs, "debian-bookworm-sysvinit");
        g_assert_nonnull(d);
        g_assert_cmpstr(d->brand, ==, "sysvinit");
        g_assert_cmpint(d->tool, ==, BOOTSTRAP_TOOL_MMDEBSTRAP);
        g_assert_true(g_strv_contains((const char *const *) d->packages, "sysvinit-core"));
        d = g_hash_table_lookup(defs, "debian-bookworm-i386");
        g_assert_nonnull(d);
        g_assert_cmpstr(d->architecture, ==, "i386");
        g_assert_cmpstr(d->brand, ==, "linux32");
        d = g_hash_table_lookup(defs, "debian-bookworm-runit");
        g_assert_nonnull(d);
        g_assert_cmpstr(d->brand, ==, "runit");
        g_assert_true(g_strv_contains((const char *const *) d->packages, "runit-init"));
        d = g_hash_table_lookup(defs, "debian-bookworm-openrc");
        g_assert_nonnull(d);
        g_assert_cmpstr(d->brand, ==, "openrc");
}

static void test_full(void) {
        g_autofree char *p = write_in(tmpdir, "full.template",
                                      "[Template]\nDescription=D\nBrand=systemd\n\n[Bootstrap]\n"
                                      "Tool=debootstrap\nSuite=trixie\nArchitecture=arm64\nVariant=minbase\n"
                                      "Packages=a, b  c+d\n");
        g_autoptr(TemplateDefinition) d = NULL;
        g_autofree char *error = NULL;
        g_auto(GStrv) argv = NULL;
        g_autofree char *joined = NULL;

        g_assert_cmpint(template_definition_load(p, &d, &error), ==, 0);
        g_assert_cmpstr(d->name, ==, "full");
        g_assert_null(d->url);
        g_assert_cmpint(d->tool, ==, BOOTSTRAP_TOOL_DEBOOTSTRAP);
        g_assert_cmpuint(g_strv_length(d->packages), ==, 3);
        argv = bootstrap_argv(d, "/t", "http://m/debian");
        joined = g_strjoinv(" ", argv);
        g_assert_cmpstr(
                joined, ==,
                "debootstrap --variant=minbase --arch=arm64 --include=a,b,c+d trixie /t http://m/debian");
}

static void test_url(void) {
        g_autofree char *p = write_in(tmpdir, "u.template",
                                      "[Template]\nBrand=busybox\nSource=https://example.org/x.tar.xz\n");
        g_autoptr(TemplateDefinition) d = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(template_definition_load(p, &d, &error), ==, 0);
        g_assert_cmpstr(d->url, ==, "https://example.org/x.tar.xz");
        g_assert_cmpstr(d->verify, ==, "checksum");
        g_assert_cmpint(d->tool, ==, BOOTSTRAP_TOOL_NONE);
}

static void assert_bad(const char *name, const char *text, const char *want) {
        g_autofree char *p = write_in(tmpdir, name, text);
        g_autoptr(TemplateDefinition) d = NULL;
        g_autofree char *error = NULL;

        g_assert_cmpint(template_definition_load(p, &d, &error), <, 0);
        g_assert_null(d);
        if (!strstr(error, want))
                g_error("error \"%s\" does not say \"%s\"", error, want);
}

static void test_bad(void) {
        assert_bad("a.template", "[Template]\nBrand=systemd\n", "neither Source= nor");
        assert_bad("b.template", "[Template]\nBrand=systemd\nColour=red\n",
                   "b.template:3: unknown key Colour");
        assert_bad("c.template", "[Template]\nBrand=systemd\n[Bootstrap]\nSuite=--evil\n",
                   "c.template:4: Suite=");
        assert_bad("d.template", "[Template]\nBrand=systemd\n[Bootstrap]\nTool=yum\nSuite=x\n",
                   "d.template:4:");
        assert_bad("e.template", "[Template]\nBrand=systemd\n[Bootstrap]\nSuite=x\nPackages=ok -o=x\n",
                   "e.template:5: Packages= has an invalid package name \"-o=x\"");
        assert_bad("f.template", "[Template]\nBrand=systemd\nSource=ftp://x/y\n", "f.template:3:");
        assert_bad("g.template", "[Template]\nBrand=systemd\nSource=http://x/y\nVerify=maybe\n",
                   "g.template:4:");
        assert_bad("h.template", "[Template]\nBrand=systemd\nSource=http://x/y\n[Bootstrap]\nSuite=x\n",
                   "exclude each other");
        assert_bad("i.template", "[Other]\n", "i.template:1: unknown section [Other]");
        assert_bad(".bad.template", "[Template]\nBrand=x\nSource=http://x/y\n", "not a valid template name");
        assert_bad("j.template", "[Template]\n[Bootstrap]\nSuite=x\n", "Brand=");
}

static void test_mirror(void) {
        g_autofree char *dir = g_build_filename(tmpdir, "apt", NULL),
                        *list_d = g_build_filename(dir, "d", NULL);
        g_autofree char *list = g_build_filename(dir, "sources.list", NULL), *uri = NULL;
        g_autofree char *a = NULL, *b = NULL;

        g_assert_cmpint(bootstrap_host_mirror(list, list_d, &uri), ==, -ENOENT);
        g_free(write_in(
                dir, "sources.list",
                "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main\n"));
        g_assert_cmpint(bootstrap_host_mirror(list, list_d, &uri), ==, 0);
        g_assert_cmpstr(uri, ==, "http://one.example/debian");
        g_clear_pointer(&uri, g_free);
        /* deb822 files first, -security skipped. */
        a = write_in(list_d, "a.sources",
                     "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\n\n"
                     "Types: deb\nURIs: https://two.example/debian\nSuites: bookworm\n");
        g_assert_cmpint(bootstrap_host_mirror(list, list_d, &uri), ==, 0);
        g_assert_cmpstr(uri, ==, "https://two.example/debian");
        g_clear_pointer(&uri, g_free);
        b = write_in(list_d, "0.list", "deb http://three.example/debian bookworm main\n");
        g_assert_no_errno(unlink(a));
        g_assert_no_errno(unlink(list));
        g_assert_cmpint(bootstrap_host_mirror(list, list_d, &uri), ==, 0);
        g_assert_cmpstr(uri, ==, "http://three.example/debian");
}

static void test_fixup(void) {
        g_autofree char *root = g_build_filename(tmpdir, "tree", NULL), *text = NULL, *p = NULL;
        g_autofree char *outside = g_build_filename(tmpdir, "outside", NULL);
        int fd;

        g_free(write_in(root, "etc/hostname", "builder\n"));
        g_free(write_in(root, "etc/machine-id", "0123\n"));
        g_free(write_in(root, "etc/apt/sources.list", "deb http://mirror.example/debian bookworm main\n"));
        g_free(write_in(root, "etc/apt/sources.list.d/debian.sources",
                        "URIs: http://mirror.example/debian\n"));
        g_free(write_in(
                root, "etc/inittab",
                "id:2:initdefault:\n1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
                "6:23:respawn:/sbin/getty 38400 tty6\n#T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n"));
        /* resolv.conf pointing outside must be replaced, not written through. */
        g_assert_true(g_file_set_contents(outside, "host's\n", -1, NULL));
        p = g_build_filename(root, "etc", "resolv.conf", NULL);
        g_assert_no_errno(symlink(outside, p));

        fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(bootstrap_fixup_tree(fd), ==, 0);
        close(fd);

        g_assert_true(g_file_get_contents(outside, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "host's\n");
        g_clear_pointer(&text, g_free);
        for (const char *const *f = (const char *const[]) { "hostname", "machine-id", "resolv.conf",
                                                            "apt/sources.list", NULL };
             *f; f++) {
                g_autofree char *q = g_build_filename(root, "etc", *f, NULL);
                struct stat st;
                g_assert_no_errno(lstat(q, &st));
                g_assert_true(S_ISREG(st.st_mode));
                g_assert_cmpint(st.st_size, ==, 0);
        }
        g_free(p);
        p = g_build_filename(root, "etc/apt/sources.list.d/debian.sources", NULL);
        g_assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
        g_free(p);
        p = g_build_filename(root, "etc/inittab", NULL);
        /* The init's own files are its brand's to fix up, at each boot (test-fixup-rule). */
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_cmpstr(
                text, ==,
                "id:2:initdefault:\n1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
                "6:23:respawn:/sbin/getty 38400 tty6\n#T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n");
}

int main(int argc, char *argv[]) {
        int r;

        g_test_init(&argc, &argv, NULL);
        tmpdir = g_dir_make_tmp("zoned-test-definition-XXXXXX", NULL);
        g_assert_nonnull(tmpdir);
        g_test_add_func("/template-definition/shipped", test_shipped);
        g_test_add_func("/template-definition/full", test_full);
        g_test_add_func("/template-definition/url", test_url);
        g_test_add_func("/template-definition/bad", test_bad);
        g_test_add_func("/template-definition/mirror", test_mirror);
        g_test_add_func("/template-definition/fixup", test_fixup);
        r = g_test_run();
        (void) rm_rf(tmpdir);
        g_free(tmpdir);
        return r;
}
