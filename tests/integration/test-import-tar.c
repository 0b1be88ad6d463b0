/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ImportTemplateTar and `zonectl import-tar`: every compression, from a file
 * and from a pipe, keeps the tree as it was (ownership, modes, setuid,
 * symlinks, hardlinks, xattrs, ACLs, file capabilities); bad archives and
 * bad calls fail with a reason and leave nothing; a cancel leaves nothing. */

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "harness.h"
#include "manifest.h"

/* ---- the source tree and its tarballs ---- */

/* A POSIX ACL as the kernel stores it: user::rw- user:1234:r-- group::r-- mask::r-- other::r--. */
static void set_acl(const char *path) {
        struct {
                uint32_t version;
                struct {
                        uint16_t tag, perm;
                        uint32_t id;
                } e[5];
        } acl = { 2,
                  { { 0x01, 6, UINT32_MAX },
                    { 0x02, 4, 1234 },
                    { 0x04, 4, UINT32_MAX },
                    { 0x10, 4, UINT32_MAX },
                    { 0x20, 4, UINT32_MAX } } };

        g_assert_no_errno(setxattr(path, "system.posix_acl_access", &acl, sizeof(acl), 0));
}

/* cap_net_raw=ep, as setcap(8) writes it (VFS_CAP_REVISION_2). */
static void set_file_capability(const char *path) {
        uint32_t cap[5] = { 0x02000001, 1u << 13, 0, 0, 0 };

        g_assert_no_errno(setxattr(path, "security.capability", cap, sizeof(cap), 0));
}

/* A copy of the busybox fixture with everything an OS tree may carry. */
static char *make_source(Harness *h) {
        g_autofree char *src = g_build_filename(h->tmpdir, "src", NULL), *p = NULL, *q = NULL;
        g_auto(HarnessRun) r = { 0 };

        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/cp", "-a", harness_busybox_rootfs(),
                                                                  src, NULL } },
                &r);
        harness_assert_run(&r, 0, "cp -a of the busybox rootfs");

        p = g_build_filename(src, "bin", "suid", NULL);
        harness_write_file(p, "#!/bin/sh\n", 04755);
        g_free(p);
        p = g_build_filename(src, "bin", "ping-cap", NULL);
        harness_write_file(p, "#!/bin/sh\n", 0755);
        set_file_capability(p);
        g_free(p);
        p = g_build_filename(src, "home", "user", NULL);
        g_assert_no_errno(mkdir(p, 02750));
        g_assert_no_errno(chmod(p, 02750));
        g_assert_no_errno(lchown(p, 1000, 1001));
        g_free(p);
        p = g_build_filename(src, "home", "user", "notes", NULL);
        harness_write_file(p, "hello\n", 0640);
        g_assert_no_errno(lchown(p, 1000, 1001));
        g_assert_no_errno(setxattr(p, "user.zoned.test", "some value", 10, 0));
        set_acl(p);
        g_free(p);
        p = g_build_filename(src, "bin", "dangling", NULL);
        g_assert_no_errno(symlink("../does/not/exist", p));
        g_free(p);
        p = g_build_filename(src, "home", "user", "notes", NULL);
        q = g_build_filename(src, "home", "user", "notes-link", NULL);
        g_assert_no_errno(link(p, q));
        return g_steal_pointer(&src);
}

/* GNU tar with everything kept; compress is a tar option or NULL. */
static void make_tar(const char *dir, const char *compress, const char *out, const char *const *members) {
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) argv = NULL;
        g_auto(HarnessRun) r = { 0 };

        g_strv_builder_add_many(b, "/bin/tar", "--xattrs", "--xattrs-include=*", "--acls", "--numeric-owner",
                                "-C", dir, "-cf", out, NULL);
        if (compress)
                g_strv_builder_add(b, compress);
        if (members)
                g_strv_builder_addv(b, (const char **) members);
        else
                g_strv_builder_add(b, ".");
        argv = g_strv_builder_end(b);
        harness_run(&(HarnessSpawn) { .argv = (const char *const *) argv }, &r);
        harness_assert_run(&r, 0, "tar");
}

static char *templates_dir(Harness *h) {
        return g_build_filename(h->state_dir, ".templates", NULL);
}

static char *template_rootfs(Harness *h, const char *name) {
        return g_build_filename(h->state_dir, ".templates", name, "rootfs", NULL);
}

/* Neither the template nor a temp dir of any import is there. */
static void assert_no_template(Harness *h, const char *name) {
        g_autofree char *dir = templates_dir(h), *t = g_build_filename(dir, name, NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        g_assert_false(g_file_test(t, G_FILE_TEST_EXISTS));
        g_assert_nonnull(d);
        while ((de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-"))
                        g_error("a temp dir of an import is left: %s", de);
}

static char *template_ini_value(Harness *h, const char *name, const char *key) {
        g_autofree char *ini = g_build_filename(h->state_dir, ".templates", name, "template.ini", NULL);
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autoptr(GError) error = NULL;

        g_key_file_load_from_file(f, ini, G_KEY_FILE_NONE, &error);
        g_assert_no_error(error);
        return g_key_file_get_string(f, "Template", key, NULL);
}

/* ---- the D-Bus side ---- */

typedef struct Watch {
        Harness *h;
        GHashTable *props; /* path → TransferProps */
        guint subscription;
} Watch;

static void watch_init(Watch *w, Harness *h) {
        w->h = h;
        w->props = harness_transfer_props_new();
        w->subscription = harness_transfer_props_subscribe(h, w->props);
}

static void watch_clear(Watch *w) {
        g_dbus_connection_signal_unsubscribe(w->h->conn, w->subscription);
        g_hash_table_unref(w->props);
}

/* ImportTemplateTar with fd; returns the reply (u id, o path) or NULL with error set. */
static GVariant *import_tar_call(Harness *h, int fd, const char *name, const char *brand, GError **error) {
        return harness_import_stream_call(h, "ImportTemplateTar", fd, name, brand, error);
}

/* Imports the open file fd (closed here) and waits; returns the result, and the transfer's last properties.
 */
static char *import_tar_fd(Watch *w, int fd, const char *name, const char *brand,
                           TransferProps **ret_props) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = import_tar_call(w->h, fd, name, brand, &error);
        const char *path;
        char *result;
        guint32 id;

        close(fd);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        result = harness_wait_transfer_removed(w->h, id, path, HARNESS_TRANSFER_TIMEOUT_MS);
        if (ret_props) {
                *ret_props = g_hash_table_lookup(w->props, path);
                g_assert_nonnull(*ret_props);
        }
        return result;
}

static char *import_tar_file(Watch *w, const char *file, const char *name, const char *brand,
                             TransferProps **ret_props) {
        int fd = open(file, O_RDONLY | O_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        return import_tar_fd(w, fd, name, brand, ret_props);
}

typedef struct Feeder {
        char *file;
        int fd;
} Feeder;

static gpointer feed(gpointer data) {
        Feeder *f = data;
        g_autofree char *text = NULL;
        gsize len, done = 0;

        g_assert_true(g_file_get_contents(f->file, &text, &len, NULL));
        while (done < len) {
                ssize_t n = write(f->fd, text + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break; /* zoned stopped reading: the test sees the result */
                done += (gsize) n;
        }
        close(f->fd);
        return NULL;
}

/* Imports file through a pipe that a thread fills: the size is not known to zoned. */
static char *import_tar_pipe(Watch *w, const char *file, const char *name, const char *brand,
                             TransferProps **ret_props) {
        Feeder f = { .file = (char *) file };
        int p[2];
        GThread *t;
        char *result;

        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        f.fd = p[1];
        t = g_thread_new("feeder", feed, &f);
        result = import_tar_fd(w, p[0], name, brand, ret_props);
        g_thread_join(t);
        return result;
}

/* ---- zonectl ---- */

static char **zonectl_env(Harness *h) {
        char **env = g_get_environ();

        env = g_environ_unsetenv(env, "ZONED_ADDRESS");
        env = g_environ_unsetenv(env, "ZONED_RUNTIME_DIR");
        env = g_environ_unsetenv(env, "TERM");
        if (h->bus_address)
                env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
        return env;
}

/* `cat FILE | zonectl import-tar - NAME [extra]` */
static void zonectl_import_piped(Harness *h, HarnessRun *r, const char *file, const char *name,
                                 const char *extra) {
        g_auto(GStrv) env = zonectl_env(h);
        g_autoptr(GStrvBuilder) set = g_strv_builder_new();
        g_auto(GStrv) env_set = NULL;

        for (char **e = env; *e; e++)
                if (g_str_has_prefix(*e, "DBUS_SYSTEM_BUS_ADDRESS="))
                        g_strv_builder_add(set, *e);
        g_strv_builder_add_many(set, "ZONED_ADDRESS", "ZONED_RUNTIME_DIR", NULL);
        env_set = g_strv_builder_end(set);
        harness_run(
                &(HarnessSpawn) {
                        .argv = (const char *const[]) { "/bin/sh", "-c",
                                                        "cat \"$1\" | \"$0\" import-tar - \"$2\" $3",
                                                        g_getenv("ZONED_TEST_ZONECTL"), file, name,
                                                        extra ? extra : "", NULL },
                        .env_set = (const char *const *) env_set },
                r);
}

/* ---- the tests ---- */

typedef struct Format {
        const char *name;     /* of the template */
        const char *compress; /* tar option */
        const char *suffix;
        enum {
                VIA_FILE,
                VIA_PIPE,
                VIA_ZONECTL_FILE,
                VIA_ZONECTL_PIPE
        } via;
} Format;

static const Format formats[] = {
        { "t-gz", "-z", ".tar.gz", VIA_FILE },
        { "t-xz", "-J", ".tar.xz", VIA_PIPE },
        { "t-zst", "--zstd", ".tar.zst", VIA_ZONECTL_FILE },
        { "t-bz2", "-j", ".tar.bz2", VIA_ZONECTL_PIPE },
        { "t-plain", NULL, ".tar", VIA_FILE },
};

static void import_format(Harness *h, Watch *w, const char *src, const Format *f) {
        g_autofree char *file = g_strdup_printf("%s/src%s", h->tmpdir, f->suffix), *rootfs = NULL;
        g_autofree char *result = NULL, *brand = NULL, *origin = NULL;
        g_auto(HarnessRun) r = { 0 };
        TransferProps *props = NULL;
        struct stat st;

        g_test_message("import-tar %s (%s)", f->suffix, f->name);
        make_tar(src, f->compress, file, NULL);
        g_assert_no_errno(stat(file, &st));
        switch (f->via) {
        case VIA_FILE: /* brand detected from /sbin/init */
                result = import_tar_file(w, file, f->name, NULL, &props);
                break;
        case VIA_PIPE:
                result = import_tar_pipe(w, file, f->name, "busybox", &props);
                break;
        case VIA_ZONECTL_FILE:
                harness_zonectl(h, &r, NULL, "import-tar", file, f->name, NULL);
                harness_assert_run(&r, 0, "zonectl import-tar FILE");
                break;
        case VIA_ZONECTL_PIPE:
                zonectl_import_piped(h, &r, file, f->name, "--brand=busybox");
                harness_assert_run(&r, 0, "cat FILE | zonectl import-tar -");
                break;
        }
        if (props) {
                g_assert_cmpstr(result, ==, "done");
                /* Everything was read, and the end was announced before TransferRemoved. */
                g_assert_cmpuint(props->bytes_done, ==, (guint64) st.st_size);
                g_assert_cmpfloat(props->progress, ==, 1.0);
                g_assert_cmpstr(props->error, ==, "");
        }
        rootfs = template_rootfs(h, f->name);
        manifest_assert_same(src, rootfs);
        brand = template_ini_value(h, f->name, "Brand");
        g_assert_cmpstr(brand, ==, "busybox");
        origin = template_ini_value(h, f->name, "Origin");
        g_assert_true(g_str_has_prefix(origin, "import-tar:"));
        assert_no_template(h, "no-such-template");
}

static void test_formats(Harness *h, gconstpointer data) {
        g_autofree char *src = NULL, *path = NULL;
        Watch w = {};

        if (harness_skipped(h))
                return;
        src = make_source(h);
        watch_init(&w, h);
        for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
                import_format(h, &w, src, &formats[i]);
        watch_clear(&w);

        /* A zone made of an imported template boots and stops cleanly. */
        path = harness_create_zone(h, "z1", "t-xz", false);
        g_assert_cmpuint(harness_boot_zone(h, "z1"), >, 0);
        harness_poweroff_zone(h, "z1");
}

/* Imports file and asserts that it failed with a reason containing want (any if NULL) and left nothing. */
static void assert_import_fails(Harness *h, Watch *w, const char *file, const char *brand,
                                const char *want) {
        g_autofree char *result = NULL;
        TransferProps *props = NULL;

        g_test_message("import-tar of %s must fail", file);
        result = import_tar_file(w, file, "bad", brand, &props);
        g_assert_cmpstr(result, ==, "failed");
        g_assert_nonnull(props->error);
        g_assert_cmpstr(props->error, !=, "");
        if (want && !strstr(props->error, want))
                g_error("the reason \"%s\" does not say \"%s\"", props->error, want);
        assert_no_template(h, "bad");
}

static void assert_dir_empty(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        g_assert_nonnull(d);
        if ((de = g_dir_read_name(d)))
                g_error("%s/%s was written by an import", dir, de);
}

/* A hardlink whose target is outside: "a" links to "../../../../canary/b". */
static char *make_hardlink_tar(Harness *h, const char *st) {
        g_autofree char *p = g_build_filename(st, "b", NULL), *q = g_build_filename(st, "a", NULL);
        char *out = g_build_filename(h->tmpdir, "hardlink.tar", NULL);
        g_auto(HarnessRun) r = { 0 };

        harness_write_file(p, "evil\n", 0644);
        g_assert_no_errno(link(p, q));
        harness_run(
                &(HarnessSpawn) {
                        .argv = (const char *const[]) { "/bin/tar", "-P",
                                                        "--transform=s,^b$,../../../../canary/b,RSh", "-C",
                                                        st, "-cf", out, "good", "b", "a", NULL } },
                &r);
        harness_assert_run(&r, 0, "tar of a hardlink to outside");
        return out;
}

/* Tarballs with an entry outside the tree, each after a good entry. */
static void make_escaping_tars(Harness *h, const char *canary, GPtrArray *files) {
        g_autofree char *st = g_build_filename(h->tmpdir, "evil", NULL), *st2 = NULL, *p = NULL;
        g_autofree char *dotdot = NULL, *abs = NULL, *sym = NULL;
        g_autofree char *dotdot_tf = g_strdup("--transform=s,^escaped,../../../../canary/escaped,");
        g_autofree char *abs_tf = g_strdup_printf("--transform=s,^escaped,%s/escaped,", canary);
        g_auto(HarnessRun) r = { 0 };

        g_assert_no_errno(mkdir(st, 0755));
        p = g_build_filename(st, "good", NULL);
        harness_write_file(p, "good\n", 0644);
        g_free(p);
        p = g_build_filename(st, "escaped", NULL);
        harness_write_file(p, "evil\n", 0644);
        g_free(p);

        dotdot = g_build_filename(h->tmpdir, "dotdot.tar", NULL);
        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/tar", "-P", dotdot_tf, "-C", st,
                                                                  "-cf", dotdot, "good", "escaped", NULL } },
                &r);
        harness_assert_run(&r, 0, "tar of ../ entries");
        harness_run_clear(&r);
        abs = g_build_filename(h->tmpdir, "absolute.tar", NULL);
        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/tar", "-P", abs_tf, "-C", st, "-cf",
                                                                  abs, "good", "escaped", NULL } },
                &r);
        harness_assert_run(&r, 0, "tar of absolute entries");
        harness_run_clear(&r);

        /* "link" → the canary dir, then "link/x": written through the symlink unless refused. */
        p = g_build_filename(st, "link", NULL);
        g_assert_no_errno(symlink(canary, p));
        st2 = g_build_filename(h->tmpdir, "evil2", NULL);
        g_free(p);
        p = g_build_filename(st2, "link", NULL);
        g_assert_no_errno(g_mkdir_with_parents(p, 0755));
        g_free(p);
        p = g_build_filename(st2, "link", "x", NULL);
        harness_write_file(p, "evil\n", 0644);
        sym = g_build_filename(h->tmpdir, "symlink.tar", NULL);
        harness_run(
                &(HarnessSpawn) { .argv = (const char *const[]) { "/bin/tar", "-cf", sym, "-C", st, "good",
                                                                  "link", "-C", st2, "link/x", NULL } },
                &r);
        harness_assert_run(&r, 0, "tar through a symlink");
        g_ptr_array_add(files, make_hardlink_tar(h, st));
        g_ptr_array_add(files, g_steal_pointer(&dotdot));
        g_ptr_array_add(files, g_steal_pointer(&abs));
        g_ptr_array_add(files, g_steal_pointer(&sym));
}

static char *write_bytes(Harness *h, const char *name, const char *data, gsize len) {
        char *p = g_build_filename(h->tmpdir, name, NULL);
        g_autoptr(GError) error = NULL;

        g_file_set_contents(p, data, (gssize) len, &error);
        g_assert_no_error(error);
        return p;
}

static void test_bad_archives(Harness *h, gconstpointer data) {
        g_autofree char *src = NULL, *good = NULL, *text = NULL, *truncated = NULL, *junk = NULL;
        g_autofree char *canary = NULL, *noinit = NULL, *init = NULL;
        g_autoptr(GPtrArray) evil = g_ptr_array_new_with_free_func(g_free);
        g_auto(HarnessRun) r = { 0 };
        guint8 random[65536];
        gsize len;
        Watch w = {};

        if (harness_skipped(h))
                return;
        src = make_source(h);
        good = g_build_filename(h->tmpdir, "good.tar.gz", NULL);
        make_tar(src, "-z", good, NULL);
        g_assert_true(g_file_get_contents(good, &text, &len, NULL));
        truncated = write_bytes(h, "truncated.tar.gz", text, len / 2);
        for (size_t i = 0; i < sizeof(random); i++)
                random[i] = (guint8) g_random_int();
        junk = write_bytes(h, "junk.tar", (const char *) random, sizeof(random));
        canary = g_build_filename(h->tmpdir, "canary", NULL);
        g_assert_no_errno(mkdir(canary, 0755));
        make_escaping_tars(h, canary, evil);
        /* A tree without an init no brand claims, and no brand option. */
        init = g_build_filename(src, "sbin", "init", NULL);
        g_assert_no_errno(unlink(init));
        noinit = g_build_filename(h->tmpdir, "noinit.tar", NULL);
        make_tar(src, NULL, noinit, NULL);

        watch_init(&w, h);
        assert_import_fails(h, &w, truncated, "busybox", NULL);
        assert_import_fails(h, &w, junk, "busybox", NULL);
        for (guint i = 0; i < evil->len; i++) {
                assert_import_fails(h, &w, evil->pdata[i], "busybox", NULL);
                assert_dir_empty(canary);
        }
        assert_import_fails(h, &w, noinit, NULL, "brand");
        watch_clear(&w);

        /* zonectl says why, and fails. */
        harness_zonectl(h, &r, NULL, "import-tar", truncated, "bad", "--brand=busybox", NULL);
        if (r.status == 0 || !strstr(r.err, "failed:"))
                g_error("zonectl import-tar of a truncated archive: status %d, stderr: %s", r.status, r.err);
        assert_no_template(h, "bad");
}

static void test_bad_calls(Harness *h, gconstpointer data) {
        static const char *const bad_names[] = { "", ".x", "a/b", "../x", "a b", NULL };
        g_autofree char *file = NULL, *result = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        Watch w = {};
        int fd;

        if (harness_skipped(h))
                return;
        file = g_build_filename(h->tmpdir, "bb.tar", NULL);
        make_tar(harness_busybox_rootfs(), NULL, file, NULL);
        watch_init(&w, h);
        result = import_tar_file(&w, file, "bb", "busybox", NULL);
        g_assert_cmpstr(result, ==, "done");

        fd = open(file, O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        for (const char *const *n = bad_names; *n; n++) {
                reply = import_tar_call(h, fd, *n, "busybox", &error);
                harness_assert_dbus_error(error, "org.zoned1.Error.InvalidName");
                g_clear_error(&error);
        }
        reply = import_tar_call(h, fd, "bb", "busybox", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.TemplateExists");
        g_clear_error(&error);
        reply = import_tar_call(h, fd, "bb2", "no-such-brand", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchBrand");
        g_clear_error(&error);
        close(fd);
        /* A file open only for writing is no stream to read. */
        fd = open(file, O_WRONLY | O_CLOEXEC);
        g_assert_cmpint(fd, >=, 0);
        reply = import_tar_call(h, fd, "bb2", "busybox", &error);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        close(fd);
        watch_clear(&w);
        assert_no_template(h, "bb2");
}

/* A pipe that has the first 64 KiB of a tarball and stays open: the import waits for more. */
static int stalled_stream(Harness *h, int *ret_write_end) {
        g_autofree char *file = g_build_filename(h->tmpdir, "stall.tar.gz", NULL), *text = NULL;
        gsize len;
        int p[2];

        make_tar(harness_busybox_rootfs(), "-z", file, NULL);
        g_assert_true(g_file_get_contents(file, &text, &len, NULL));
        g_assert_cmpuint(len, >, 65536);
        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        g_assert_cmpint(write(p[1], text, 65536), ==, 65536);
        *ret_write_end = p[1];
        return p[0];
}

static pid_t spawn_zonectl_import(Harness *h, int stdin_fd, const char *err_file, const char *name) {
        g_auto(GStrv) env = zonectl_env(h);
        const char *zonectl = g_getenv("ZONED_TEST_ZONECTL");
        int err_fd = open(err_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        pid_t pid;

        g_assert_cmpint(err_fd, >=, 0);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                sigset_t ss;

                sigemptyset(&ss);
                (void) sigprocmask(SIG_SETMASK, &ss, NULL);
                if (dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
                        _exit(127);
                execle(zonectl, zonectl, "import-tar", "-", name, "--brand=busybox", NULL, env);
                _exit(127);
        }
        close(err_fd);
        return pid;
}

static int wait_child(pid_t pid, int timeout_ms) {
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0), status;
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        g_assert_cmpint(pidfd, >=, 0);
        if (poll(&p, 1, timeout_ms) != 1) {
                (void) kill(pid, SIGKILL);
                g_error("zonectl did not exit after SIGINT");
        }
        close(pidfd);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        return status;
}

static void test_cancel(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *err_file = NULL, *err = NULL, *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint32 id;
        int in, out, status;
        pid_t pid;

        if (harness_skipped(h))
                return;
        /* CancelTransfer while the worker waits for the stream. */
        in = stalled_stream(h, &out);
        reply = import_tar_call(h, in, "slow", "busybox", &error);
        close(in);
        g_assert_no_error(error);
        g_variant_get(reply, "(uo)", &id, &path);
        g_clear_pointer(&reply, g_variant_unref);
        reply = harness_manager_call(h, "CancelTransfer", g_variant_new("(u)", id), "()", &error);
        g_assert_no_error(error);
        result = harness_wait_transfer_removed(h, id, path, HARNESS_TRANSFER_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "canceled");
        close(out);
        assert_no_template(h, "slow");

        /* Ctrl+C on `zonectl import-tar -` cancels the transfer it started. */
        g_ptr_array_set_size(h->events, 0);
        in = stalled_stream(h, &out);
        err_file = g_build_filename(h->tmpdir, "zonectl.err", NULL);
        pid = spawn_zonectl_import(h, in, err_file, "slow");
        close(in);
        if (!harness_wait_event(h, "TransferNew ", HARNESS_TRANSFER_TIMEOUT_MS))
                g_error("zonectl import-tar started no transfer");
        g_assert_no_errno(kill(pid, SIGINT));
        status = wait_child(pid, 30000);
        close(out);
        g_assert_true(g_file_get_contents(err_file, &err, NULL, NULL));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || !strstr(err, "canceled"))
                g_error("zonectl after SIGINT: status 0x%x, stderr: %s", status, err);
        if (!harness_wait_event(h, "TransferRemoved ", HARNESS_TRANSFER_TIMEOUT_MS))
                g_error("no TransferRemoved after zonectl's cancel");
        g_assert_true(
                g_str_has_suffix(h->events->pdata[harness_find_event(h, "TransferRemoved ")], " canceled"));
        assert_no_template(h, "slow");
}

/* The user story: a Debian systemd rootfs as a tarball, piped in without
 * --brand, becomes a template of the systemd brand, equal to the tree. */
static void test_debian(Harness *h, gconstpointer data) {
        const char *script = g_getenv("ZONED_TEST_DEBIAN_SCRIPT");
        g_autofree char *tarball = NULL, *brand = NULL, *rootfs = NULL, *tree = NULL, *cache = NULL;
        g_auto(HarnessRun) r = { 0 };

        if (harness_skipped(h))
                return;
        if (script)
                harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/bin/bash", script, "--tar",
                                                                              "bookworm", "amd64", NULL },
                                              .timeout_ms = 900000 },
                            &r);
        if (!script || r.status != 0) {
                g_test_skip("no Debian bookworm tarball: tests/fixtures/build-debian-rootfs.sh failed "
                            "(needs mmdebstrap and the host's Debian mirror)");
                return;
        }
        tarball = g_strdup(g_strstrip(r.out));
        harness_run_clear(&r);
        zonectl_import_piped(h, &r, tarball, "deb", NULL);
        harness_assert_run(&r, 0, "cat debian.tar | zonectl import-tar - deb");
        brand = template_ini_value(h, "deb", "Brand");
        g_assert_cmpstr(brand, ==, "systemd");
        /* The tarball is made from the cached tree, next to it. */
        cache = g_path_get_dirname(tarball);
        tree = g_build_filename(cache, "rootfs", NULL);
        g_assert_true(g_file_test(tree, G_FILE_TEST_IS_DIR));
        rootfs = template_rootfs(h, "deb");
        manifest_assert_same(tree, rootfs);
}

/* An archive without a file makes no template, even with a brand given: a stream of zeros (from
 * a file and a pipe), a tar of nothing, a tar of an empty directory. */
static void test_empty(Harness *h, gconstpointer data) {
        g_autofree char *zeros = g_build_filename(h->tmpdir, "zeros.tar", NULL),
                        *none = g_build_filename(h->tmpdir, "none.tar", NULL),
                        *empty_dir = g_build_filename(h->tmpdir, "empty", NULL),
                        *root_only = g_build_filename(h->tmpdir, "root-only.tar", NULL);
        g_auto(HarnessRun) r = { 0 };
        Watch w;
        int fd;

        if (harness_skipped(h))
                return;
        watch_init(&w, h);
        fd = open(zeros, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        g_assert_cmpint(fd, >=, 0);
        g_assert_no_errno(ftruncate(fd, 10 * 1024 * 1024));
        close(fd);
        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/bin/tar", "-cf", none, "-T",
                                                                      "/dev/null", NULL } },
                    &r);
        harness_assert_run(&r, 0, "tar of nothing");
        g_assert_no_errno(mkdir(empty_dir, 0755));
        make_tar(empty_dir, NULL, root_only, NULL);
        for (int i = 0; i < 4; i++) {
                g_autofree char *result = NULL;
                TransferProps *props;

                if (i == 0)
                        result = import_tar_file(&w, zeros, "empty", "busybox", &props);
                else if (i == 1)
                        result = import_tar_pipe(&w, zeros, "empty", "busybox", &props);
                else
                        result = import_tar_file(&w, i == 2 ? none : root_only, "empty", "busybox", &props);
                g_assert_cmpstr(result, ==, "failed");
                g_assert_cmpstr(props->error_name, ==, "org.zoned1.Error.EmptyArchive");
                if (!strstr(props->error, "The archive holds no file"))
                        g_error("import of an empty archive failed with: %s", props->error);
                assert_no_template(h, "empty");
        }
        watch_clear(&w);
}

/* ---- a full disk ---- */

static gboolean tick(gpointer data) {
        return G_SOURCE_CONTINUE;
}

static bool dir_has_no_leftovers(gpointer data) {
        g_autoptr(GDir) d = g_dir_open(data, 0, NULL);
        const char *de;

        while (d && (de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-") || g_str_has_prefix(de, ".trash-"))
                        return false;
        return true;
}

/* What a failure left is removed in the background: waits (looking every 20 ms) until it is gone. */
static void wait_no_leftovers(const char *dir) {
        guint id = g_timeout_add(20, tick, NULL);

        if (!harness_wait(dir_has_no_leftovers, (gpointer) dir, HARNESS_TRANSFER_TIMEOUT_MS))
                g_error("temp or trash directories stay in %s", dir);
        g_source_remove(id);
}

static char *import_fs_props(Watch *w, const char *dir, const char *name, TransferProps **ret_props) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        const char *path;
        char *result;
        guint32 id;

        reply = harness_manager_call(w->h, "ImportTemplateFs", g_variant_new("(ssa{sv})", dir, name, NULL),
                                     "(uo)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u&o)", &id, &path);
        result = harness_wait_transfer_removed(w->h, id, path, HARNESS_TRANSFER_TIMEOUT_MS);
        *ret_props = g_hash_table_lookup(w->props, path);
        g_assert_nonnull(*ret_props);
        return result;
}

static void assert_no_space(const char *what, const char *result, const char *error) {
        if (!g_str_equal(result, "failed") || !error || !strstr(error, "No space left on device"))
                g_error("%s on a full disk: %s, \"%s\"", what, result, error ? error : "");
}

/* Leaves about 512 KiB free on the file system of dir. */
static void fill(const char *dir) {
        g_autofree char *filler = g_build_filename(dir, "filler", NULL);
        struct statvfs sv;
        off_t size;
        int fd;

        g_assert_no_errno(statvfs(dir, &sv));
        size = (off_t) (sv.f_bavail * sv.f_frsize) - 512 * 1024;
        g_assert_cmpint(size, >, 0);
        fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(posix_fallocate(fd, 0, size), ==, 0);
        close(fd);
}

/* A full disk is told as one: "No space left on device", for import-fs, import-tar and a zone
 * created as a copy, never an "Input/output error"; and nothing of them stays. The state dir is
 * a small tmpfs of the test's (imports and copies boot nothing: no idmapping needed). */
static void test_full_disk(Harness *h, gconstpointer data) {
        g_autofree char *templates = NULL, *tarball = NULL, *result = NULL, *zone_state = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        TransferProps *props;
        Watch w;

        if (harness_skipped(h))
                return;
        harness_stop_zoned(h, SIGTERM);
        g_assert_no_errno(
                mount("zoned-test-full", h->state_dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0700"));
        harness_start_zoned(h);
        watch_init(&w, h);
        templates = templates_dir(h);
        tarball = g_build_filename(h->tmpdir, "bb.tar", NULL);
        make_tar(harness_busybox_rootfs(), NULL, tarball, NULL);

        harness_import_busybox(h);
        fill(h->state_dir);

        g_free(result);
        result = import_fs_props(&w, harness_busybox_rootfs(), "bb2", &props);
        assert_no_space("import-fs", result, props->error);
        assert_no_template(h, "bb2");
        wait_no_leftovers(templates);

        g_free(result);
        result = import_tar_file(&w, tarball, "bb3", "busybox", &props);
        assert_no_space("import-tar", result, props->error);
        if (!strstr(props->error, "Cannot write "))
                g_error("import-tar on a full disk does not say what it could not write: %s", props->error);
        assert_no_template(h, "bb3");
        wait_no_leftovers(templates);

        reply = harness_manager_call(h, "CreateZone",
                                     g_variant_new_parsed("(%s, %s, {'copy': <true>})", "z1", "bb"), "(o)",
                                     &error);
        g_assert_nonnull(error);
        assert_no_space("CreateZone with copy", "failed", error->message);
        g_clear_error(&error);
        /* The zone is gone with its storage. */
        reply = harness_manager_call(h, "GetZone", g_variant_new("(s)", "z1"), "(o)", &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchZone");
        zone_state = g_build_filename(h->state_dir, "z1", NULL);
        wait_no_leftovers(h->state_dir);
        g_assert_false(g_file_test(zone_state, G_FILE_TEST_EXISTS));

        watch_clear(&w);
        g_assert_no_errno(umount2(h->state_dir, MNT_DETACH));
}

/* What a zoned that died mid-transfer left is removed when zoned starts again, and the log says so. */
static void test_leftovers(Harness *h, gconstpointer data) {
        g_autofree char *templates = templates_dir(h), *tmp = NULL, *trash = NULL, *file = NULL, *log = NULL,
                        *said = NULL;

        if (harness_skipped(h))
                return;
        tmp = g_build_filename(templates, ".tmp-bb-7", "rootfs", NULL);
        g_assert_no_errno(g_mkdir_with_parents(tmp, 0755));
        file = g_build_filename(tmp, "file", NULL);
        harness_write_file(file, "half an import\n", 0644);
        trash = g_build_filename(h->state_dir, ".trash-z9-0badcafe", NULL);
        g_assert_no_errno(mkdir(trash, 0755));
        harness_capture_zoned_log(h);
        wait_no_leftovers(templates);
        wait_no_leftovers(h->state_dir);
        log = harness_zoned_log(h);
        said = g_strdup_printf("Removing %s/.tmp-bb-7, left by a transfer or removal that was cut short.",
                               templates);
        if (!strstr(log, said))
                g_error("zoned's log does not say \"%s\":\n%s", said, log);
        g_free(said);
        said = g_strdup_printf("Removing %s, left by", trash);
        if (!strstr(log, said))
                g_error("zoned's log does not say \"%s\":\n%s", said, log);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/import-tar/formats", test_formats, HARNESS_ZONECTL);
        HARNESS_TEST("/import-tar/bad-archives", test_bad_archives, HARNESS_ZONECTL);
        HARNESS_TEST("/import-tar/bad-calls", test_bad_calls, HARNESS_DEFAULT);
        HARNESS_TEST("/import-tar/cancel", test_cancel, HARNESS_ZONECTL);
        HARNESS_TEST("/import-tar/debian", test_debian, HARNESS_ZONECTL);
        HARNESS_TEST("/import-tar/empty", test_empty, HARNESS_DEFAULT);
        HARNESS_TEST("/import-tar/full-disk", test_full_disk, HARNESS_DEFAULT);
        HARNESS_TEST("/import-tar/leftovers", test_leftovers, HARNESS_DEFAULT);
        return g_test_run();
}
