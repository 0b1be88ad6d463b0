/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ImportTemplateRaw and `zonectl import-raw`: an ext4 image made by
 * mkfs.ext4 -d from the busybox rootfs (as it is and xz-compressed)
 * becomes a template equal to the image's tree, and a
 * zone of it boots; junk fails with a reason; no mount or loop device stays.
 * `zonectl pull --force` of an image over a template replaces it in one
 * step: the template never vanishes, and a failed pull leaves it as it was. */

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "manifest.h"

static void run_ok(const char *const *argv, const char *what) {
        g_auto(HarnessRun) r = { 0 };

        harness_run(&(HarnessSpawn) { .argv = argv }, &r);
        harness_assert_run(&r, 0, what);
}

static char *make_image_of(Harness *h, const char *tree, const char *file) {
        char *image = g_build_filename(h->tmpdir, file, NULL);

        run_ok((const char *const[]) { "/sbin/mkfs.ext4", "-q", "-F", "-d", tree, image, "64M", NULL },
               "mkfs.ext4 -d");
        return image;
}

static char *make_image(Harness *h) {
        return make_image_of(h, harness_busybox_rootfs(), "bb.raw");
}

/* ImportTemplateRaw of file; returns the result. */
static char *import_raw(Harness *h, const char *file, const char *name) {
        return harness_import_file(h, "ImportTemplateRaw", file, name, NULL);
}

/* The manifest of the image's own tree, without the file system's lost+found. */
static char *image_manifest(Harness *h, const char *image) {
        g_autofree char *where = g_build_filename(h->tmpdir, "check", NULL), *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) kept = NULL;

        g_assert_no_errno(g_mkdir_with_parents(where, 0755));
        run_ok((const char *const[]) { "/bin/mount", "-o", "ro,loop", image, where, NULL }, "mount -o loop");
        text = manifest_of_tree(where);
        g_assert_no_errno(umount(where));
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
                if (!g_str_has_prefix(*l, "./lost+found "))
                        g_strv_builder_add(b, *l);
        kept = g_strv_builder_end(b);
        return g_strjoinv("\n", kept);
}

static void assert_same_text(const char *what, const char *want, const char *got) {
        g_auto(GStrv) la = g_strsplit(want, "\n", -1), lb = g_strsplit(got, "\n", -1);
        g_autoptr(GString) diff = g_string_new(NULL);

        for (char **l = la; *l; l++)
                if (!g_strv_contains((const char *const *) lb, *l))
                        g_string_append_printf(diff, "\n- %s", *l);
        for (char **l = lb; *l; l++)
                if (!g_strv_contains((const char *const *) la, *l))
                        g_string_append_printf(diff, "\n+ %s", *l);
        if (diff->len > 0)
                g_error("%s differs from the image:%s", what, diff->str);
}

static void assert_no_loop_device(const char *dir) {
        g_autoptr(GDir) d = g_dir_open("/sys/block", 0, NULL);
        const char *de;

        g_assert_nonnull(d);
        while ((de = g_dir_read_name(d))) {
                g_autofree char *p = g_strdup_printf("/sys/block/%s/loop/backing_file", de), *backing = NULL;

                if (g_file_get_contents(p, &backing, NULL, NULL) && strstr(backing, dir))
                        g_error("loop device %s still has %s", de, g_strstrip(backing));
        }
}

static void assert_no_template(Harness *h, const char *name) {
        g_autofree char *dir = g_build_filename(h->state_dir, ".templates", NULL);
        g_autofree char *t = g_build_filename(dir, name, NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        g_assert_false(g_file_test(t, G_FILE_TEST_EXISTS));
        while (d && (de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-"))
                        g_error("a temp dir of an import is left: %s", de);
}

static void test_import_and_boot(Harness *h, gconstpointer data) {
        g_autofree char *image = NULL, *xz = NULL, *result = NULL, *want = NULL, *got = NULL, *rootfs = NULL;
        g_autofree char *brand = NULL, *ini = NULL;
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        if (!g_file_test("/sbin/mkfs.ext4", G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip("no mkfs.ext4");
                return;
        }
        image = make_image(h);
        want = image_manifest(h, image);

        result = import_raw(h, image, "raw");
        g_assert_cmpstr(result, ==, "done");
        rootfs = g_build_filename(h->state_dir, ".templates", "raw", "rootfs", NULL);
        got = manifest_of_tree(rootfs);
        assert_same_text("template raw", want, got);
        ini = g_build_filename(h->state_dir, ".templates", "raw", "template.ini", NULL);
        g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_NONE, NULL));
        brand = g_key_file_get_string(kf, "Template", "Brand", NULL);
        g_assert_cmpstr(brand, ==, "busybox");

        /* Compressed, with zonectl. */
        xz = g_strconcat(image, ".xz", NULL);
        run_ok((const char *const[]) { "/usr/bin/xz", "-k", "-T0", image, NULL }, "xz");
        harness_zonectl(h, &r, NULL, "import-raw", xz, "raw-xz", NULL);
        harness_assert_run(&r, 0, "zonectl import-raw FILE.raw.xz");
        g_free(rootfs);
        rootfs = g_build_filename(h->state_dir, ".templates", "raw-xz", "rootfs", NULL);
        g_free(got);
        got = manifest_of_tree(rootfs);
        assert_same_text("template raw-xz", want, got);
        assert_no_loop_device(h->state_dir);

        /* It boots. */
        g_free(harness_create_zone(h, "rz", "raw", false));
        harness_boot_zone(h, "rz");
        harness_poweroff_zone(h, "rz");
}

static void test_junk(Harness *h, gconstpointer data) {
        g_autofree char *junk = g_build_filename(h->tmpdir, "junk.raw", NULL), *result = NULL;
        g_autofree char *zeros = g_malloc0(4 * 1024 * 1024);
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        /* Zeros: no file system. */
        g_assert_true(g_file_set_contents(junk, zeros, 4 * 1024 * 1024, NULL));
        result = import_raw(h, junk, "junk");
        g_assert_cmpstr(result, ==, "failed");
        assert_no_template(h, "junk");
        harness_zonectl(h, &r, NULL, "import-raw", junk, "junk", NULL);
        if (r.status == 0 || !strstr(r.err, "no file system"))
                g_error("zonectl import-raw of zeros: status %d, stderr: %s", r.status, r.err);
        assert_no_template(h, "junk");
        assert_no_loop_device(h->state_dir);
}

/* Looks at a template's files from a thread of its own, as a zone being
 * created or booted would, until told to stop. */
typedef struct Looker {
        char *paths[2];
        GThread *thread;
        gint stop;
        guint64 looks;
        guint64 misses;
} Looker;

static gpointer looker_run(gpointer data) {
        Looker *l = data;
        struct stat st;

        while (!g_atomic_int_get(&l->stop)) {
                for (size_t i = 0; i < G_N_ELEMENTS(l->paths); i++)
                        if (stat(l->paths[i], &st) < 0)
                                l->misses++;
                l->looks++;
                g_usleep(200); /* leave the CPU to the pull */
        }
        return NULL;
}

static void looker_start(Looker *l, Harness *h, const char *name) {
        *l = (Looker) { 0 };
        l->paths[0] = g_build_filename(h->state_dir, ".templates", name, "template.ini", NULL);
        l->paths[1] = g_build_filename(h->state_dir, ".templates", name, "rootfs", "bin", "busybox", NULL);
        l->thread = g_thread_new("looker", looker_run, l);
}

/* Stops it; fails the test if the template was ever missing. */
static void looker_stop(Looker *l, const char *what) {
        g_atomic_int_set(&l->stop, 1);
        g_thread_join(l->thread);
        g_assert_cmpuint(l->looks, >, 0);
        if (l->misses > 0)
                g_error("%s: template files were missing %" G_GUINT64_FORMAT " times in %" G_GUINT64_FORMAT
                        " looks",
                        what, l->misses, l->looks);
        for (size_t i = 0; i < G_N_ELEMENTS(l->paths); i++)
                g_free(l->paths[i]);
}

/* A ".tmp-" (staging) or ".trash-" entry of the template store. */
static bool store_has_leftover(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        while (d && (de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-") || g_str_has_prefix(de, ".trash-"))
                        return true;
        return false;
}

static bool store_clean(gpointer data) {
        return !store_has_leftover(data);
}

static gboolean tick(gpointer data) {
        return G_SOURCE_CONTINUE;
}

static char *template_state(Harness *h, const char *name) {
        g_autofree char *dir = g_build_filename(h->state_dir, ".templates", name, NULL),
                        *m = manifest_of_tree(dir);
        g_autofree char *ini = g_build_filename(dir, "template.ini", NULL), *text = NULL;

        g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
        return g_strconcat(m, "\n", text, NULL);
}

/* `zonectl pull --force --verify=no file://IMAGE NAME`, watched by a looker. */
static void pull_forced(Harness *h, const char *image, const char *name, HarnessRun *r) {
        g_autofree char *u = g_strconcat("file://", image, NULL);
        Looker l;

        looker_start(&l, h, name);
        harness_zonectl(h, r, NULL, "pull", "--force", "--verify=no", u, name, NULL);
        looker_stop(&l, u);
}

static void test_force(Harness *h, gconstpointer data) {
        g_autofree char *image = NULL, *junk = NULL, *tree = NULL, *marker = NULL, *image2 = NULL;
        g_autofree char *want = NULL, *got = NULL, *before = NULL, *after = NULL, *rootfs = NULL,
                        *store = NULL;
        g_autofree char *zeros = g_malloc0(4 * 1024 * 1024), *result = NULL;
        g_auto(HarnessRun) r = { 0 };
        guint tick_id;

        if (harness_skipped(h))
                return;
        if (!g_file_test("/sbin/mkfs.ext4", G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip("no mkfs.ext4");
                return;
        }
        store = g_build_filename(h->state_dir, ".templates", NULL);
        image = make_image(h);
        result = import_raw(h, image, "r");
        g_assert_cmpstr(result, ==, "done");
        before = template_state(h, "r");

        /* Downloaded whole, then no file system in it: the import fails after
         * the old template would have had to make room. Not zeros: a download of
         * zeros stops at its first MiB. */
        memset(zeros, 'j', 4 * 1024 * 1024);
        junk = g_build_filename(h->tmpdir, "junk.raw", NULL);
        g_assert_true(g_file_set_contents(junk, zeros, 4 * 1024 * 1024, NULL));
        pull_forced(h, junk, "r", &r);
        if (r.status == 0 || !strstr(r.err, "no file system"))
                g_error("zonectl pull --force of zeros: status %d, stderr: %s", r.status, r.err);
        /* zoned removes the failed pull's temp dir in the background. */
        tick_id = g_timeout_add(20, tick, NULL);
        g_assert_true(harness_wait(store_clean, store, HARNESS_TRANSFER_TIMEOUT_MS));
        g_source_remove(tick_id);
        after = template_state(h, "r");
        g_assert_cmpstr(after, ==, before);
        harness_run_clear(&r);

        /* Another tree (one file more) replaces it; the old tree is gone when the pull ends. */
        tree = g_build_filename(h->tmpdir, "tree2", NULL);
        run_ok((const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(), tree, NULL }, "cp -a");
        marker = g_build_filename(tree, "etc", "zoned-marker", NULL);
        g_assert_true(g_file_set_contents(marker, "2\n", -1, NULL));
        image2 = make_image_of(h, tree, "bb2.raw");
        want = image_manifest(h, image2);
        pull_forced(h, image2, "r", &r);
        harness_assert_run(&r, 0, "zonectl pull --force of another image");
        g_assert_false(store_has_leftover(store));
        rootfs = g_build_filename(store, "r", "rootfs", NULL);
        got = manifest_of_tree(rootfs);
        assert_same_text("template r after a forced pull", want, got);
        assert_no_loop_device(h->state_dir);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/raw-image/import-and-boot", test_import_and_boot, HARNESS_ZONECTL);
        HARNESS_TEST("/raw-image/junk", test_junk, HARNESS_ZONECTL);
        HARNESS_TEST("/raw-image/force", test_force, HARNESS_ZONECTL);
        return g_test_run();
}
