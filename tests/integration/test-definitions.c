/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Template definitions (templates/NAME.template): zoned lists the shipped ones;
 * `PullTemplate NAME` of a bootstrap recipe builds the tree with mmdebstrap
 * from the host's mirror as a "bootstrap" transfer, fixes it up and makes a
 * template of the definition's brand that boots; a canceled build leaves no
 * process, mount or file behind. */

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define BOOTSTRAP_TIMEOUT_MS (600 * 1000)

static void test_list(Harness *h, gconstpointer data) {
        static const char *const want[][3] = {
                { "debian-bookworm", "systemd", "mmdebstrap bookworm/" },
                { "debian-bookworm-arm64", "arm64", "mmdebstrap bookworm/arm64" },
                { "debian-bookworm-i386", "linux32", "mmdebstrap bookworm/i386" },
                { "debian-bookworm-openrc", "openrc", "mmdebstrap bookworm/" },
                { "debian-bookworm-runit", "runit", "mmdebstrap bookworm/" },
                { "debian-bookworm-sysvinit", "sysvinit", "mmdebstrap bookworm/" },
                { "debian-trixie", "systemd", "mmdebstrap trixie/" },
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, list = NULL;
        const char *name, *description, *brand, *source;
        g_auto(HarnessRun) r = { 0 };
        GVariantIter it;
        size_t i = 0;

        if (harness_skipped(h))
                return;
        reply = harness_manager_call(h, "ListTemplateDefinitions", NULL, "(a(ssss))", &error);
        g_assert_no_error(error);
        list = g_variant_get_child_value(reply, 0);
        g_variant_iter_init(&it, list);
        while (g_variant_iter_next(&it, "(&s&s&s&s)", &name, &description, &brand, &source)) {
                g_assert_cmpuint(i, <, G_N_ELEMENTS(want));
                g_assert_cmpstr(name, ==, want[i][0]);
                g_assert_cmpstr(brand, ==, want[i][1]);
                g_assert_cmpstr(source, ==, want[i][2]);
                g_assert_cmpstr(description, !=, "");
                i++;
        }
        g_assert_cmpuint(i, ==, G_N_ELEMENTS(want));

        /* zonectl shows the same. */
        harness_zonectl(h, &r, NULL, "template-definitions", NULL);
        harness_assert_run(&r, 0, "zonectl template-definitions");
        for (i = 0; i < G_N_ELEMENTS(want); i++)
                if (!harness_table_has_row(r.out, (const char *const[]) { want[i][0], want[i][1], NULL }))
                        g_error("zonectl template-definitions does not list %s:\n%s", want[i][0], r.out);
}

/* The suite the bootstrap tests build (debian-bookworm, debian-bookworm-sysvinit). */
#define BOOTSTRAP_SUITE "bookworm"

static bool is_debian_uri(const char *uri) {
        return (g_str_has_prefix(uri, "http://") || g_str_has_prefix(uri, "https://") ||
                g_str_has_prefix(uri, "file:/")) &&
               !strstr(uri, "-security");
}

/* The first URI that pattern's group 1 (a list of words) gives in path. */
static char *first_uri_in(const char *path, const char *pattern) {
        g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE | G_REGEX_CASELESS, 0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_autofree char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return NULL;
        for (g_regex_match(re, text, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
                g_autofree char *words = g_match_info_fetch(m, 1);
                g_auto(GStrv) uris = g_strsplit_set(words, " \t", -1);

                for (char **u = uris; *u; u++)
                        if (is_debian_uri(*u))
                                return g_strdup(*u);
        }
        return NULL;
}

static int compare_paths(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static char *first_uri_in_dir(const char *dir, const char *suffix, const char *pattern) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *de;

        while (d && (de = g_dir_read_name(d)))
                if (g_str_has_suffix(de, suffix))
                        g_ptr_array_add(names, g_build_filename(dir, de, NULL));
        /* apt reads them in the order of their names. */
        g_ptr_array_sort(names, compare_paths);
        for (guint i = 0; i < names->len; i++) {
                char *uri = first_uri_in(names->pdata[i], pattern);

                if (uri)
                        return uri;
        }
        return NULL;
}

/* The mirror zoned bootstraps from, read from the host's apt configuration
 * at run time as zoned and tests/fixtures/build-debian-rootfs.sh read it:
 * deb822 *.sources first, then the one-line sources.list and *.list. */
static char *apt_mirror(void) {
        static const char *const deb822 = "^URIs:[ \t]*(.*)$";
        static const char *const one_line = "^[ \t]*deb[ \t]+(?:\\[[^]]*\\][ \t]+)?(\\S+)";
        char *uri = first_uri_in_dir("/etc/apt/sources.list.d", ".sources", deb822);

        if (!uri)
                uri = first_uri_in("/etc/apt/sources.list", one_line);
        if (!uri)
                uri = first_uri_in_dir("/etc/apt/sources.list.d", ".list", one_line);
        return uri;
}

/* Whether the mirror hands out the suite's release file, fetched by apt
 * itself (its proxies and transports). */
static bool mirror_answers(Harness *h, const char *mirror, const char *helper) {
        g_autofree char *base = g_strdup(mirror), *u = NULL, *dest = NULL;
        g_auto(HarnessRun) r = { 0 };

        while (g_str_has_suffix(base, "/"))
                base[strlen(base) - 1] = 0;
        u = g_strdup_printf("%s/dists/%s/InRelease", base, BOOTSTRAP_SUITE);
        dest = g_build_filename(h->tmpdir, "InRelease", NULL);
        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { helper, "-o", "Acquire::Retries=0",
                                                                      "download-file", u, dest, NULL },
                                      .timeout_ms = 180000 },
                    &r);
        return r.status == 0 && g_file_test(dest, G_FILE_TEST_IS_REGULAR);
}

/* True (and the test skipped, with why) when nothing can be bootstrapped
 * here: no mmdebstrap, no Debian mirror in apt's configuration, or one that
 * does not answer. With a mirror that answers, a failing build fails the test. */
static bool bootstrap_skipped(Harness *h) {
        g_autofree char *tool = g_find_program_in_path("mmdebstrap"), *mirror = NULL;
        const char *helper = "/usr/lib/apt/apt-helper";

        if (!tool) {
                g_test_skip("no mmdebstrap");
                return true;
        }
        mirror = apt_mirror();
        if (!mirror) {
                g_test_skip("no Debian mirror in the apt configuration");
                return true;
        }
        if (!g_file_test(helper, G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip("no apt-helper to ask the apt mirror with");
                return true;
        }
        if (!mirror_answers(h, mirror, helper)) {
                g_test_skip("the apt mirror does not answer (dists/" BOOTSTRAP_SUITE "/InRelease)");
                return true;
        }
        return false;
}

static GVariant *pull_full(Harness *h, const char *source, const char *name, bool force, GError **error) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        if (force)
                g_variant_builder_add(&options, "{sv}", "force", g_variant_new_boolean(TRUE));
        return harness_manager_call(h, "PullTemplate", g_variant_new("(ssa{sv})", source, name, &options),
                                    "(uo)", error);
}

static GVariant *pull(Harness *h, const char *source, const char *name, GError **error) {
        return pull_full(h, source, name, false, error);
}

static char *transfer_string(Harness *h, const char *path, const char *property) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant)
                reply = harness_call(h, path, "org.freedesktop.DBus.Properties", "Get",
                                     g_variant_new("(ss)", "org.zoned1.Transfer", property), "(v)", &error);
        g_autoptr(GVariant) v = NULL;

        g_assert_no_error(error);
        g_variant_get(reply, "(v)", &v);
        return g_variant_dup_string(v, NULL);
}

static void assert_empty_file(const char *root, const char *rel) {
        g_autofree char *p = g_build_filename(root, rel, NULL);
        struct stat st;

        g_assert_no_errno(lstat(p, &st));
        if (!S_ISREG(st.st_mode) || st.st_size != 0)
                g_error("%s is not an empty file", p);
}

/* The tree carries no trace of the builder. */
static void assert_fixed_up(const char *rootfs) {
        g_autofree char *apt_d = g_build_filename(rootfs, "etc/apt/sources.list.d", NULL);
        g_autoptr(GDir) d = g_dir_open(apt_d, 0, NULL);

        assert_empty_file(rootfs, "etc/hostname");
        assert_empty_file(rootfs, "etc/resolv.conf");
        assert_empty_file(rootfs, "etc/machine-id");
        assert_empty_file(rootfs, "etc/apt/sources.list");
        g_assert_nonnull(d);
        g_assert_null(g_dir_read_name(d));
}

/* The zone's inittab, as its brand's fix-ups left it: no getty on tty1-6, one on the console,
 * and SIGPWR powering off. */
static void assert_inittab_fixed_up(const char *inittab) {
        g_auto(GStrv) lines = g_strsplit(inittab, "\n", -1);
        bool console = false, powerfail = false;

        for (char **l = lines; *l; l++) {
                if (**l == '#')
                        continue;
                if (g_regex_match_simple("getty.*\\btty[1-6]\\b", *l, 0, 0))
                        g_error("a getty on a virtual terminal is left in inittab: %s", *l);
                console = console || (strstr(*l, "getty") && strstr(*l, " console"));
                powerfail = powerfail || g_str_equal(*l, "p0::powerfail:/sbin/init 0");
        }
        g_assert_true(console);
        g_assert_true(powerfail);
}

static ino_t inode_of(const char *path) {
        struct stat st;

        g_assert_no_errno(stat(path, &st));
        return st.st_ino;
}

static void rebuild_forced(Harness *h, const char *definition, const char *name) {
        g_autofree char *store = g_build_filename(h->state_dir, ".templates", NULL), *dir = NULL,
                        *result = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) d = NULL;
        const char *path, *de;
        ino_t before;
        guint32 id;

        dir = g_build_filename(store, name, NULL);
        before = inode_of(dir);
        reply = pull_full(h, definition, name, true, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        result = harness_wait_transfer_removed(h, id, path, BOOTSTRAP_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "done");
        g_assert_cmpuint(inode_of(dir), !=, before);
        d = g_dir_open(store, 0, NULL);
        g_assert_nonnull(d);
        while ((de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-") || g_str_has_prefix(de, ".trash-"))
                        g_error("%s is left in the template store after a forced build", de);
}

static void test_bootstrap(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *type = NULL, *result = NULL, *ini = NULL, *brand = NULL, *origin = NULL;
        g_autofree char *rootfs = NULL;
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(ZoneWatch) w = NULL;
        g_auto(HarnessRun) id_run = { 0 }, inittab_run = { 0 };
        const char *path;
        guint32 id, leader;

        if (harness_skipped(h) || bootstrap_skipped(h))
                return;
        reply = pull(h, "debian-bookworm-sysvinit", "sysv", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        type = transfer_string(h, path, "Type");
        g_assert_cmpstr(type, ==, "bootstrap");
        result = harness_wait_transfer_removed(h, id, path, BOOTSTRAP_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "done");

        ini = g_build_filename(h->state_dir, ".templates", "sysv", "template.ini", NULL);
        g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_NONE, NULL));
        brand = g_key_file_get_string(kf, "Template", "Brand", NULL);
        g_assert_cmpstr(brand, ==, "sysvinit");
        origin = g_key_file_get_string(kf, "Template", "Origin", NULL);
        g_assert_cmpstr(origin, ==, "bootstrap:debian-bookworm-sysvinit");
        rootfs = g_build_filename(h->state_dir, ".templates", "sysv", "rootfs", NULL);
        assert_fixed_up(rootfs);

        /* It exists now: a second build is refused. */
        g_clear_pointer(&reply, g_variant_unref);
        reply = pull(h, "debian-bookworm-sysvinit", "sysv", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.TemplateExists");
        g_clear_error(&error);

        /* Unless forced: a new tree takes the old one's place, which is gone when the build ends. */
        rebuild_forced(h, "debian-bookworm-sysvinit", "sysv");
        assert_fixed_up(rootfs);

        /* sysvinit boots, and SIGPWR powers it off. */
        g_free(harness_create_zone(h, "sv", "sysv", false));
        /* A zone overlays the template now: it cannot be replaced. */
        g_clear_pointer(&reply, g_variant_unref);
        reply = pull_full(h, "debian-bookworm-sysvinit", "sysv", true, &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.Busy");
        leader = harness_boot_zone(h, "sv");
        /* In its user namespace: the zone's root, a host uid of its range outside. */
        g_assert_true(harness_leader_has_userns((pid_t) leader));
        harness_zonectl(h, &id_run, NULL, "shell", "sv", "--", "/usr/bin/id", "-u", NULL);
        harness_assert_run(&id_run, 0, "zonectl shell sv -- id -u");
        g_assert_cmpstr(g_strstrip(id_run.out), ==, "0");
        harness_zonectl(h, &inittab_run, NULL, "shell", "sv", "--", "/bin/cat", "/etc/inittab", NULL);
        harness_assert_run(&inittab_run, 0, "zonectl shell sv -- cat /etc/inittab");
        assert_inittab_fixed_up(inittab_run.out);
        /* sysvinit's own reboot (SIGINT to init: ctrlaltdel), then a new init. */
        w = zone_watch_new(h, "sv");
        harness_zonectl_ok(h, NULL, "zonectl reboot sv", "reboot", "sv", NULL);
        g_assert_true(zone_watch_wait_new_leader(w, leader, HARNESS_BOOT_TIMEOUT_MS));
        harness_poweroff_zone(h, "sv");
}

/* Processes whose command line mentions s (the tool's temp dir). */
static guint count_processes_with(const char *s) {
        g_autoptr(GDir) d = g_dir_open("/proc", 0, NULL);
        const char *de;
        guint n = 0;

        while ((de = g_dir_read_name(d))) {
                g_autofree char *p = NULL, *cmdline = NULL;
                gsize len;

                if (!g_ascii_isdigit(de[0]))
                        continue;
                p = g_strdup_printf("/proc/%s/cmdline", de);
                if (!g_file_get_contents(p, &cmdline, &len, NULL))
                        continue;
                for (gsize i = 0; i + 1 < len; i++)
                        if (cmdline[i] == 0)
                                cmdline[i] = ' ';
                if (strstr(cmdline, s))
                        n++;
        }
        return n;
}

static bool tool_running(gpointer data) {
        return count_processes_with(data) > 0;
}

static bool tool_gone(gpointer data) {
        harness_reap_orphans();
        return count_processes_with(data) == 0;
}

static gboolean tick(gpointer data) {
        return G_SOURCE_CONTINUE;
}

/* /proc changes without an event: look again every 20 ms until pred or the timeout. */
static bool wait_proc(HarnessPredicate pred, gpointer data, guint timeout_ms) {
        guint id = g_timeout_add(20, tick, NULL);
        bool ok = harness_wait(pred, data, timeout_ms);

        g_source_remove(id);
        return ok;
}

static void test_cancel(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, cancel = NULL;
        g_autofree char *result = NULL, *tmp = NULL, *t = NULL;
        g_autoptr(GDir) d = NULL;
        const char *path, *de;
        guint32 id;

        if (harness_skipped(h) || bootstrap_skipped(h))
                return;
        reply = pull(h, "debian-bookworm", "c", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        tmp = g_strdup_printf("/.templates/.tmp-c-%u/", id);
        if (!wait_proc(tool_running, tmp, 60000))
                g_error("mmdebstrap did not start");
        cancel = harness_manager_call(h, "CancelTransfer", g_variant_new("(u)", id), "()", &error);
        g_assert_no_error(error);
        result = harness_wait_transfer_removed(h, id, path, BOOTSTRAP_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "canceled");
        /* Everything the tool started was in its PID namespace: all gone. */
        if (!wait_proc(tool_gone, tmp, 30000))
                g_error("processes of the canceled build are left");
        t = g_build_filename(h->state_dir, ".templates", "c", NULL);
        g_assert_false(g_file_test(t, G_FILE_TEST_EXISTS));
        g_free(t);
        t = g_build_filename(h->state_dir, ".templates", NULL);
        d = g_dir_open(t, 0, NULL);
        while (d && (de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-"))
                        g_error("the build's temp dir is left: %s", de);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/definitions/list", test_list, HARNESS_ZONECTL);
        HARNESS_TEST("/definitions/bootstrap", test_bootstrap, HARNESS_DEFAULT);
        HARNESS_TEST("/definitions/cancel", test_cancel, HARNESS_DEFAULT);
        return g_test_run();
}
