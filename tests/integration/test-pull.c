/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PullTemplate and `zonectl pull` against a real HTTP server on 127.0.0.1
 * (tests/fixtures/http-server.py): every verify mode and compression;
 * tampered files and bad signatures fail with VerificationFailed; 404, 500,
 * a truncated body, a stalled server and a body longer than announced fail
 * with a clear error; a cancel, concurrent pulls, progress signals, --force;
 * and a corpus of hostile archives (tests/fixtures/make-hostile-archives.sh)
 * that must not write outside the template root; and the Debian fixture as
 * a 200 MB tarball, while zoned keeps answering. Every failure leaves
 * neither the template nor a temp dir; a failed --force pull leaves the old
 * template exactly as it was. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "manifest.h"

#define VERIFICATION_FAILED "org.zoned1.Error.VerificationFailed"

/* ---- the served files, made once per process ---- */

static char *serve_dir;  /* bb.tar{,.gz,.xz,.zst,.bz2}, SHA256SUMS{,.gpg}, tampered/, badsig/, hostile/ */
static char *keyring;    /* the public key that signed SHA256SUMS, exported */
static char *canary_dir; /* the hostile archives aim here */

static void run_ok(const char *what, const char *const *argv, const char *const *env) {
        g_auto(HarnessRun) r = { 0 };

        harness_run(&(HarnessSpawn) { .argv = argv, .env_set = env, .timeout_ms = 300000 }, &r);
        harness_assert_run(&r, 0, what);
}

static void sh(const char *what, const char *script, const char *const *env) {
        run_ok(what, (const char *const[]) { "/bin/bash", "-euc", script, NULL }, env);
}

/* A throw-away gpg home with a new key; the agent it started is stopped again. */
static void make_signing_key(const char *gnupg) {
        g_autofree char *env_home = g_strconcat("GNUPGHOME=", gnupg, NULL);
        const char *env[] = { env_home, NULL };

        g_assert_no_errno(mkdir(gnupg, 0700));
        sh("gpg --quick-gen-key",
           "gpg --batch --passphrase '' --quick-gen-key 'zoned test <test@zoned.invalid>' ed25519 sign never",
           env);
}

static void sign(const char *gnupg, const char *file) {
        g_autofree char *env_home = g_strconcat("GNUPGHOME=", gnupg, NULL),
                        *sig = g_strconcat(file, ".gpg", NULL);
        const char *env[] = { env_home, NULL };

        g_autofree char *gpg = g_find_program_in_path("gpg");

        run_ok("gpg --detach-sign",
               (const char *const[]) { gpg, "--batch", "--yes", "--detach-sign", "-o", sig, file, NULL },
               env);
}

static void make_served_files(void) {
        g_autoptr(GError) error = NULL;
        g_autofree char *gnupg = NULL, *script = NULL, *env_home = NULL, *sums = NULL;
        const char *env[3] = { NULL };
        const char *hostile = g_getenv("ZONED_TEST_HOSTILE_SCRIPT");

        if (serve_dir)
                return;
        serve_dir = g_dir_make_tmp("zoned-pull-XXXXXX", &error);
        g_assert_no_error(error);
        g_assert_no_errno(chmod(serve_dir, 0755));
        gnupg = g_build_filename(serve_dir, ".gnupg", NULL);
        make_signing_key(gnupg);
        env_home = g_strconcat("GNUPGHOME=", gnupg, NULL);
        env[0] = env_home;
        env[1] = g_strconcat("ROOTFS=", harness_busybox_rootfs(), NULL);
        script = g_strdup_printf(
                "cd '%s'\n"
                "tar -C \"$ROOTFS\" --numeric-owner -cf bb.tar .\n"
                "gzip -nc bb.tar > bb.tar.gz; xz -T0 -c bb.tar > bb.tar.xz\n"
                "zstd -q -c bb.tar > bb.tar.zst; bzip2 -c bb.tar > bb.tar.bz2\n"
                /* A raw ext4 image of the same tree, as it is and compressed. */
                "truncate -s 24M bb.raw; mkfs.ext4 -q -F -d \"$ROOTFS\" bb.raw; xz -T0 -c bb.raw > bb.img.xz\n"
                "sha256sum bb.tar bb.tar.gz bb.tar.xz bb.tar.zst bb.tar.bz2 bb.raw bb.img.xz > SHA256SUMS\n"
                "gpg --batch --export > keyring.gpg\n"
                /* tampered/: SHA256SUMS lists the true hash, the file has a byte more. */
                "mkdir tampered; cp bb.tar.gz tampered/; echo >> tampered/bb.tar.gz\n"
                "cp SHA256SUMS tampered/\n"
                /* unlisted/: SHA256SUMS does not name the file. */
                "mkdir unlisted; cp bb.tar.gz unlisted/; grep -v 'bb.tar.gz$' SHA256SUMS > unlisted/SHA256SUMS\n"
                /* badsig/: a signature of another SHA256SUMS. */
                "mkdir badsig; cp bb.tar.gz badsig/; cp SHA256SUMS badsig/\n"
                /* junk.raw: no file system in it (pulled with verify=no), and not zeros either
                 * (a body of zeros stops at its first MiB, see test_zeros()). */
                "yes junk | head -c 4M > junk.raw\n",
                serve_dir);
        sh("making the served tarballs", script, env);
        sums = g_build_filename(serve_dir, "SHA256SUMS", NULL);
        sign(gnupg, sums);
        g_free(sums);
        sums = g_build_filename(serve_dir, "tampered", "SHA256SUMS", NULL);
        sign(gnupg, sums);
        g_free(sums);
        sums = g_build_filename(serve_dir, "badsig", "SHA256SUMS", NULL);
        sign(gnupg, sums);
        g_free(env_home);
        env_home = g_strconcat("SUMS=", sums, NULL);
        sh("changing badsig/SHA256SUMS after signing", "echo '# changed' >> \"$SUMS\"",
           (const char *const[]) { env_home, NULL });
        g_free(env_home);
        env_home = g_strconcat("GNUPGHOME=", gnupg, NULL);
        env[0] = env_home;
        sh("gpgconf --kill all", "gpgconf --kill all", env);
        harness_reap_orphans();
        keyring = g_build_filename(serve_dir, "keyring.gpg", NULL);

        canary_dir = g_build_filename(serve_dir, "canary", NULL);
        g_assert_no_errno(mkdir(canary_dir, 0755));
        g_assert_nonnull(hostile);
        g_free(script);
        script = g_build_filename(serve_dir, "hostile", NULL);
        run_ok("make-hostile-archives.sh",
               (const char *const[]) { "/bin/bash", hostile, script, canary_dir, NULL }, NULL);
        g_free((char *) env[1]);
}

/* True (and the test skipped) when the tools of these tests are missing. */
static bool pull_skipped(Harness *h) {
        if (harness_skipped(h))
                return true;
        static const char *const tools[] = { "gpg", "gpgv", "gpgconf", "python3", "zstd", "mkfs.ext4" };

        if (!g_getenv("ZONED_TEST_HTTP_SERVER") || !g_getenv("ZONED_TEST_HOSTILE_SCRIPT")) {
                g_test_skip("ZONED_TEST_HTTP_SERVER or ZONED_TEST_HOSTILE_SCRIPT not set");
                return true;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(tools); i++) {
                g_autofree char *path = g_find_program_in_path(tools[i]);

                if (!path) {
                        g_autofree char *why = g_strdup_printf("needs %s (tools/install-deps.sh)", tools[i]);

                        g_test_skip(why);
                        return true;
                }
        }
        return false;
}

/* ---- the server ---- */

typedef struct Server {
        pid_t pid;
        guint port;
} Server;

static void server_start(Server *s) {
        const char *script = g_getenv("ZONED_TEST_HTTP_SERVER");
        char buf[32] = { 0 };
        int p[2];
        ssize_t n;

        g_assert_nonnull(script);
        make_served_files();
        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        s->pid = fork();
        g_assert_cmpint(s->pid, >=, 0);
        if (s->pid == 0) {
                sigset_t ss;

                sigemptyset(&ss);
                (void) sigprocmask(SIG_SETMASK, &ss, NULL);
                if (dup2(p[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execlp("python3", "python3", script, serve_dir, NULL);
                _exit(127);
        }
        close(p[1]);
        /* It prints its port and a newline once it listens (maybe in more than one write). */
        for (size_t len = 0; len < sizeof(buf) - 1 && !strchr(buf, '\n'); len += (size_t) n) {
                n = read(p[0], buf + len, sizeof(buf) - 1 - len);
                if (n <= 0)
                        g_error("the HTTP server did not say its port");
        }
        close(p[0]);
        s->port = (guint) g_ascii_strtoull(buf, NULL, 10);
        g_assert_cmpuint(s->port, >, 0);
}

static void server_stop(Server *s) {
        if (s->pid <= 0)
                return;
        (void) kill(s->pid, SIGKILL);
        (void) waitpid(s->pid, NULL, 0);
        s->pid = 0;
}

static char *url(Server *s, const char *path) {
        return g_strdup_printf("http://127.0.0.1:%u/%s", s->port, path);
}

/* ---- D-Bus ---- */

typedef struct Watch {
        Harness *h;
        GHashTable *props; /* path → TransferProps */
        guint subscription;
        Server server;
} Watch;

static void watch_init(Watch *w, Harness *h) {
        w->h = h;
        w->props = harness_transfer_props_new();
        w->subscription = harness_transfer_props_subscribe(h, w->props);
        server_start(&w->server);
}

static void watch_clear(Watch *w) {
        server_stop(&w->server);
        g_dbus_connection_signal_unsubscribe(w->h->conn, w->subscription);
        g_hash_table_unref(w->props);
}

typedef struct Pull {
        guint32 id;
        char *path;
} Pull;

/* PullTemplate of path on the server ("raw:SOURCE": of SOURCE as it is), with
 * options as "key", GVariant*, ..., NULL. */
static GVariant *pull_call(Watch *w, const char *path, const char *name, GError **error, ...) {
        g_autofree char *u = g_str_has_prefix(path, "raw:") ? g_strdup(path + 4) : url(&w->server, path);
        GVariantBuilder options;
        const char *key;
        va_list ap;

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        va_start(ap, error);
        while ((key = va_arg(ap, const char *)))
                g_variant_builder_add(&options, "{sv}", key, va_arg(ap, GVariant *));
        va_end(ap);
        return g_dbus_connection_call_sync(
                w->h->conn, harness_destination(w->h), ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE,
                "PullTemplate", g_variant_new("(ssa{sv})", u, name, &options), G_VARIANT_TYPE("(uo)"),
                G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, error);
}

static Pull pull_start(GVariant *reply) {
        Pull p = { 0 };

        g_variant_get(reply, "(uo)", &p.id, &p.path);
        g_variant_unref(reply);
        return p;
}

/* Waits for the end of the pull; returns its result and its last properties. */
static char *pull_wait(Watch *w, Pull *p, TransferProps **ret_props) {
        char *result = harness_wait_transfer_removed(w->h, p->id, p->path, HARNESS_TRANSFER_TIMEOUT_MS);

        if (ret_props) {
                *ret_props = g_hash_table_lookup(w->props, p->path);
                g_assert_nonnull(*ret_props);
        }
        g_free(p->path);
        return result;
}

#define PULL(w, path, name, ...)                                                         \
        ({                                                                               \
                g_autoptr(GError) _e = NULL;                                             \
                GVariant *_r = pull_call((w), (path), (name), &_e, ##__VA_ARGS__, NULL); \
                g_assert_no_error(_e);                                                   \
                pull_start(_r);                                                          \
        })

/* Pulls and waits; returns the result ("done", "failed", ...). */
static char *pull_sync(Watch *w, const char *path, const char *name, TransferProps **ret_props,
                       GVariant *verify) {
        g_autoptr(GError) error = NULL;
        GVariant *reply = verify ? pull_call(w, path, name, &error, "verify", verify, NULL)
                                 : pull_call(w, path, name, &error, NULL);
        Pull p;

        g_assert_no_error(error);
        p = pull_start(reply);
        return pull_wait(w, &p, ret_props);
}

/* ---- the store ---- */

static char *templates_dir(Harness *h) {
        return g_build_filename(h->state_dir, ".templates", NULL);
}

/* The first staging (".tmp-*") or trash (".trash-*") entry of the store, or NULL. */
static char *store_leftover(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        g_assert_nonnull(d);
        while ((de = g_dir_read_name(d)))
                if (g_str_has_prefix(de, ".tmp-") || g_str_has_prefix(de, ".trash-"))
                        return g_strdup(de);
        return NULL;
}

static bool store_clean(gpointer data) {
        g_autofree char *left = store_leftover(data);
        return !left;
}

static gboolean tick(gpointer data) {
        return G_SOURCE_CONTINUE;
}

/* zoned moves what a failed transfer left to a trash name and removes it in
 * a worker of its own: waits for that to end (the store changes without an
 * event, so it is looked at every 20 ms). */
static void assert_store_cleaned(Harness *h) {
        g_autofree char *dir = templates_dir(h), *left = NULL;
        guint id = g_timeout_add(20, tick, NULL);

        if (!harness_wait(store_clean, dir, HARNESS_TRANSFER_TIMEOUT_MS))
                left = store_leftover(dir);
        g_source_remove(id);
        if (left)
                g_error("%s is left in the template store", left);
}

static void assert_no_template(Harness *h, const char *name) {
        g_autofree char *dir = templates_dir(h), *t = g_build_filename(dir, name, NULL), *left = NULL;

        if (g_file_test(t, G_FILE_TEST_EXISTS))
                g_error("template %s exists after a failed pull", name);
        /* transfer_done() renamed the worker's temp dir before TransferRemoved. */
        left = store_leftover(dir);
        if (left && g_str_has_prefix(left, ".tmp-"))
                g_error("a temp dir of a pull is left: %s", left);
        assert_store_cleaned(h);
}

static gint64 served_size(const char *file) {
        g_autofree char *path = g_build_filename(serve_dir, file, NULL);
        struct stat st;

        g_assert_no_errno(stat(path, &st));
        return st.st_size;
}

/* The template is the busybox fixture: same busybox binary, brand busybox. */
static void assert_busybox_template(Harness *h, const char *name) {
        g_autofree char *bin = g_build_filename(h->state_dir, ".templates", name, "rootfs", "bin", "busybox",
                                                NULL);
        g_autofree char *want = g_build_filename(harness_busybox_rootfs(), "bin", "busybox", NULL);
        g_autofree char *ini = g_build_filename(h->state_dir, ".templates", name, "template.ini", NULL);
        g_autoptr(GKeyFile) f = g_key_file_new();
        g_autofree char *brand = NULL, *origin = NULL;
        struct stat a, b;

        g_assert_no_errno(stat(bin, &a));
        g_assert_no_errno(stat(want, &b));
        g_assert_cmpint(a.st_size, ==, b.st_size);
        g_assert_cmpint(a.st_mode, ==, b.st_mode);
        g_assert_true(g_key_file_load_from_file(f, ini, G_KEY_FILE_NONE, NULL));
        brand = g_key_file_get_string(f, "Template", "Brand", NULL);
        g_assert_cmpstr(brand, ==, "busybox");
        origin = g_key_file_get_string(f, "Template", "Origin", NULL);
        if (!g_str_has_prefix(origin, "pull-tar:") && !g_str_has_prefix(origin, "pull-raw:"))
                g_error("template %s has origin %s", name, origin);
}

static void install_keyring(Harness *h) {
        g_autofree char *keys = g_build_filename(h->config_dir, "keys", NULL), *dst = NULL, *text = NULL;
        gsize len;

        make_served_files();
        g_assert_no_errno(g_mkdir_with_parents(keys, 0755));
        g_assert_true(g_file_get_contents(keyring, &text, &len, NULL));
        dst = g_build_filename(keys, "test.gpg", NULL);
        g_assert_true(g_file_set_contents(dst, text, (gssize) len, NULL));
}

/* ---- tests ---- */

static void test_verify_modes(Harness *h, gconstpointer data) {
        static const char *const files[] = { "bb.tar", "bb.tar.gz", "bb.tar.xz", "bb.tar.zst",
                                             "bb.tar.bz2" };
        Watch w;

        if (pull_skipped(h))
                return;
        install_keyring(h);
        watch_init(&w, h);
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
                g_autofree char *name = g_strdup_printf("c%zu", i), *result = NULL;
                TransferProps *p;

                /* The default: checksum. */
                result = pull_sync(&w, files[i], name, &p, NULL);
                if (!g_str_equal(result, "done"))
                        g_error("pull of %s: %s: %s", files[i], result, p->error);
                assert_busybox_template(h, name);
        }
        {
                g_autofree char *r1 = pull_sync(&w, "bb.tar.xz", "sig", NULL,
                                                g_variant_new_string("signature"));
                g_autofree char *r2 = pull_sync(&w, "tampered/bb.tar.gz", "nover", NULL,
                                                g_variant_new_string("no"));
                g_autofree char *r3 = pull_sync(&w, "redirect/bb.tar.zst", "redir", NULL, NULL);

                g_assert_cmpstr(r1, ==, "done");
                assert_busybox_template(h, "sig");
                /* verify=no takes even a tampered file: the gzip stream ends before the extra byte. */
                g_assert_cmpstr(r2, ==, "done");
                g_assert_cmpstr(r3, ==, "done");
        }
        watch_clear(&w);
}

static void assert_verification_failed(Watch *w, const char *path, const char *verify, const char *what) {
        g_autofree char *result = NULL;
        TransferProps *p;

        result = pull_sync(w, path, "bad", &p, verify ? g_variant_new_string(verify) : NULL);
        g_assert_cmpstr(result, ==, "failed");
        if (g_strcmp0(p->error_name, VERIFICATION_FAILED) != 0)
                g_error("pull of %s failed with \"%s\" (%s), not %s", path, p->error, p->error_name,
                        VERIFICATION_FAILED);
        if (!p->error || !strstr(p->error, what))
                g_error("pull of %s: error \"%s\" does not say \"%s\"", path, p->error, what);
        assert_no_template(w->h, "bad");
}

static void test_verification_failures(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) r = { 0 };
        g_autofree char *u = NULL;
        Watch w;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        /* No keyring installed yet: a signature cannot be checked. */
        assert_verification_failed(&w, "bb.tar.gz", "signature", "No keyring");
        install_keyring(h);
        assert_verification_failed(&w, "tampered/bb.tar.gz", NULL,
                                   "SHA256 of bb.tar.gz does not match SHA256SUMS");
        assert_verification_failed(&w, "tampered/bb.tar.gz", "signature", "does not match SHA256SUMS");
        assert_verification_failed(&w, "unlisted/bb.tar.gz", NULL, "bb.tar.gz is not listed in SHA256SUMS");
        assert_verification_failed(&w, "badsig/bb.tar.gz", "signature", "not a good signature");
        assert_verification_failed(&w, "hostile/device.tar", NULL,
                                   "Cannot fetch SHA256SUMS: The server answered HTTP 404");
        /* SHA256SUMS and its signature are held to their Content-Length as the file is. */
        {
                g_autofree char *sums = url(&w.server, "only/SHA256SUMS/overlong/10/SHA256SUMS");
                g_autofree char *sig = url(&w.server, "only/SHA256SUMS.gpg/overlong/10/SHA256SUMS.gpg");
                g_autofree char *sums_error = g_strdup_printf(
                        "Cannot fetch SHA256SUMS: %s: the server sent more than the %" G_GINT64_FORMAT
                        " bytes it announced",
                        sums, served_size("SHA256SUMS"));
                g_autofree char *sig_error = g_strdup_printf(
                        "Cannot fetch SHA256SUMS.gpg: %s: the server sent more than the %" G_GINT64_FORMAT
                        " bytes it announced",
                        sig, served_size("SHA256SUMS.gpg"));

                assert_verification_failed(&w, "only/SHA256SUMS/overlong/10/bb.tar.gz", NULL, sums_error);
                assert_verification_failed(&w, "only/SHA256SUMS.gpg/overlong/10/bb.tar.gz", "signature",
                                           sig_error);
        }

        /* zonectl names the error and exits non-zero. */
        u = url(&w.server, "tampered/bb.tar.gz");
        harness_zonectl(h, &r, NULL, "pull", u, "bad", NULL);
        harness_assert_run(&r, 1, "zonectl pull of a tampered file");
        if (!strstr(r.err, "zonectl: verification failed: SHA256 of bb.tar.gz does not match SHA256SUMS"))
                g_error("zonectl pull said: %s", r.err);
        assert_no_template(h, "bad");
        watch_clear(&w);
}

static void assert_pull_fails(Watch *w, const char *path, const char *what, ...) {
        g_autoptr(GError) error = NULL;
        g_autofree char *result = NULL;
        TransferProps *p;
        GVariant *reply;
        Pull pull;
        va_list ap;
        const char *key;
        GVariantBuilder options;
        g_autofree char *u = url(&w->server, path);

        g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
        va_start(ap, what);
        while ((key = va_arg(ap, const char *)))
                g_variant_builder_add(&options, "{sv}", key, va_arg(ap, GVariant *));
        va_end(ap);
        reply = g_dbus_connection_call_sync(
                w->h->conn, harness_destination(w->h), ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE,
                "PullTemplate", g_variant_new("(ssa{sv})", u, "bad", &options), G_VARIANT_TYPE("(uo)"),
                G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, &error);
        g_assert_no_error(error);
        pull = pull_start(reply);
        result = pull_wait(w, &pull, &p);
        g_assert_cmpstr(result, ==, "failed");
        if (!p->error || !strstr(p->error, what))
                g_error("pull of %s: error \"%s\" does not say \"%s\"", path, p->error, what);
        assert_no_template(w->h, "bad");
}

static void test_server_faults(Harness *h, gconstpointer data) {
        g_autofree char *what = NULL;
        Watch w;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        assert_pull_fails(&w, "404/bb.tar.gz", "answered HTTP 404", NULL);
        assert_pull_fails(&w, "500/bb.tar.gz", "answered HTTP 500", NULL);
        assert_pull_fails(&w, "nonexistent.tar.gz", "answered HTTP 404", NULL);
        what = g_strdup_printf(
                "ended early: the server closed the connection after 100000 of the %" G_GINT64_FORMAT
                " bytes it announced",
                served_size("bb.tar.gz"));
        assert_pull_fails(&w, "close/100000/bb.tar.gz", what, NULL);
        assert_pull_fails(&w, "stall/100000/bb.tar.gz", "stalled: nothing arrived for 2 s", "timeout-sec",
                          g_variant_new_uint32(2), NULL);
        /* More bytes than the Content-Length: a clear error, whether the
         * announced length is half the body (more/), or the extra bytes come
         * after all of it before the server closes (overlong/) or on a
         * connection the server then keeps open (overlong-open/: an error at
         * once, not a stall). Cut at the announced length, the tar and the
         * raw image would unpack well and match their checksums. */
        assert_pull_fails(&w, "more/bb.tar.gz", "the server sent more than the", "verify",
                          g_variant_new_string("no"), NULL);
        g_free(what);
        what = g_strdup_printf("the server sent more than the %" G_GINT64_FORMAT " bytes it announced "
                               "(Content-Length)",
                               served_size("bb.tar.gz"));
        assert_pull_fails(&w, "overlong/1/bb.tar.gz", what, NULL);
        assert_pull_fails(&w, "overlong-open/100000/bb.tar.gz", what, NULL);
        g_free(what);
        what = g_strdup_printf("the server sent more than the %" G_GINT64_FORMAT " bytes it announced",
                               served_size("bb.tar"));
        assert_pull_fails(&w, "overlong/512/bb.tar", what, NULL);
        g_free(what);
        what = g_strdup_printf("the server sent more than the %" G_GINT64_FORMAT " bytes it announced",
                               served_size("bb.raw"));
        assert_pull_fails(&w, "overlong/4096/bb.raw", what, NULL);
        /* A server that keeps the connection open after exactly the announced
         * bytes (it ignores "Connection: close"): the body is complete, once
         * timeout-sec has passed. */
        {
                Pull p = PULL(&w, "open/bb.tar.gz", "open", "timeout-sec", g_variant_new_uint32(2));
                g_autofree char *result = pull_wait(&w, &p, NULL);

                g_assert_cmpstr(result, ==, "done");
                assert_busybox_template(h, "open");
        }
        /* Caps. */
        assert_pull_fails(&w, "bb.tar.gz", "more than 10 entries (max-files)", "max-files",
                          g_variant_new_uint64(10), NULL);
        assert_pull_fails(&w, "bb.tar.gz", "(max-bytes)", "max-bytes", g_variant_new_uint64(100000), NULL);
        watch_clear(&w);
}

static void test_bad_calls(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        Watch w;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        reply = pull_call(&w, "bb.tar.gz", "../x", &error, NULL);
        harness_assert_dbus_error(error, "org.zoned1.Error.InvalidName");
        g_clear_error(&error);
        reply = pull_call(&w, "bb.tar.gz", "x", &error, "verify", g_variant_new_string("maybe"), NULL);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        g_clear_error(&error);
        reply = pull_call(&w, "bb.tar.gz", "x", &error, "bogus", g_variant_new_string("1"), NULL);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        g_clear_error(&error);
        reply = pull_call(&w, "raw:ftp://127.0.0.1/x.tar", "x", &error, NULL);
        harness_assert_dbus_error(error, "org.freedesktop.DBus.Error.InvalidArgs");
        g_clear_error(&error);
        reply = pull_call(&w, "raw:no-such-definition", "x", &error, NULL);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchTemplate");
        g_clear_error(&error);
        reply = pull_call(&w, "bb.tar.gz", "x", &error, "brand", g_variant_new_string("nosuchbrand"), NULL);
        harness_assert_dbus_error(error, "org.zoned1.Error.NoSuchBrand");
        g_clear_error(&error);
        assert_no_template(h, "x");
        watch_clear(&w);
}

/* ---- credentials in the URL ---- */

#define PULL_USER "puller"
#define PULL_PASSWORD "pw-5ecret-7x"

/* http://USER:PASSWORD@127.0.0.1:PORT/auth/SHA256/PATH: the server answers only to the request
 * that carries PULL_USER and PULL_PASSWORD (SHA256 is that of "PULL_USER:PULL_PASSWORD"). */
static char *url_with_credentials(Server *s, const char *user_password, const char *path) {
        g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, PULL_USER ":" PULL_PASSWORD,
                                                              -1);

        return g_strdup_printf("raw:http://%s@127.0.0.1:%u/auth/%s/%s", user_password, s->port, hash, path);
}

static void assert_no_password(const char *what, const char *text) {
        if (text && strstr(text, PULL_PASSWORD))
                g_error("%s shows the password: %s", what, text);
}

static char *transfer_source(Harness *h, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL, v = NULL;

        reply = harness_call(h, path, "org.freedesktop.DBus.Properties", "Get",
                             g_variant_new("(ss)", ZONED_TRANSFER_IFACE, "Source"), "(v)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(v)", &v);
        return g_variant_dup_string(v, NULL);
}

/* The request carries the URL's user and password (the server checks them, for SHA256SUMS too);
 * nothing that other local users can read does: the Source and Error of the transfer, the
 * template's Origin, ListTemplates, zoned's log. */
static void test_credentials(Harness *h, gconstpointer data) {
        g_autofree char *good = NULL, *wrong = NULL, *missing = NULL, *source = NULL, *result = NULL,
                        *ini = NULL, *text = NULL, *log = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) list = NULL;
        TransferProps *props;
        Watch w;
        Pull p;

        if (pull_skipped(h))
                return;
        harness_capture_zoned_log(h);
        watch_init(&w, h);
        /* Slow, so that the transfer is still there to be asked for its Source. */
        good = url_with_credentials(&w.server, PULL_USER ":" PULL_PASSWORD, "slow/20/bb.tar.gz");
        p = PULL(&w, good, "cred");
        source = transfer_source(h, p.path);
        assert_no_password("the transfer's Source", source);
        if (!strstr(source, "127.0.0.1") || !strstr(source, "bb.tar.gz"))
                g_error("the transfer's Source is %s", source);
        result = pull_wait(&w, &p, &props);
        if (!g_str_equal(result, "done"))
                g_error("pull with credentials: %s: %s", result, props->error);
        assert_busybox_template(h, "cred");
        ini = g_build_filename(h->state_dir, ".templates", "cred", "template.ini", NULL);
        g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
        assert_no_password("template.ini", text);
        g_assert_nonnull(strstr(text, "Origin=pull-tar:http://127.0.0.1:"));
        list = harness_manager_call(h, "ListTemplates", NULL, "(a(ssst))", &error);
        g_assert_no_error(error);
        {
                g_autofree char *printed = g_variant_print(list, FALSE);
                assert_no_password("ListTemplates", printed);
        }

        /* A wrong password is refused by the server: the request is what carries them. */
        wrong = url_with_credentials(&w.server, PULL_USER ":not-" PULL_PASSWORD, "bb.tar.gz");
        g_free(result);
        p = PULL(&w, wrong, "bad");
        result = pull_wait(&w, &p, &props);
        g_assert_cmpstr(result, ==, "failed");
        if (!props->error || !strstr(props->error, "answered HTTP 401"))
                g_error("pull with a wrong password failed with: %s", props->error);
        assert_no_template(h, "bad");

        /* A failure's Error names the URL, without the password. */
        missing = url_with_credentials(&w.server, PULL_USER ":" PULL_PASSWORD, "404/bb.tar.gz");
        g_free(result);
        p = PULL(&w, missing, "bad");
        result = pull_wait(&w, &p, &props);
        g_assert_cmpstr(result, ==, "failed");
        if (!props->error || !strstr(props->error, "answered HTTP 404 for http://127.0.0.1:"))
                g_error("pull of a missing file failed with: %s", props->error);
        assert_no_password("the transfer's Error", props->error);
        assert_no_template(h, "bad");
        watch_clear(&w);

        log = harness_zoned_log(h);
        assert_no_password("zoned's log", log);
        /* The log was captured, and tells of the pulls. */
        if (!strstr(log, "pulling http://127.0.0.1:"))
                g_error("zoned's log does not tell of the pulls: %s", log);
}

/* A body of zeros is no template: a 10 GB sparse file as a tarball with a brand fails at once (no
 * 10 GB read to hash them), and as a raw image after its first MiB of zeros. */
static void test_zeros(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *what = NULL;
        TransferProps *props;
        Watch w;
        Pull p;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        p = PULL(&w, "zeros/10737418240/zeros.tar", "zeros", "brand", g_variant_new_string("busybox"),
                 "verify", g_variant_new_string("no"));
        result = pull_wait(&w, &p, &props);
        g_assert_cmpstr(result, ==, "failed");
        g_assert_cmpstr(props->error_name, ==, "org.zoned1.Error.EmptyArchive");
        /* Well before the end: what was read is what the unpacker needed to tell. */
        g_assert_cmpuint(props->bytes_done, <, 1024 * 1024 * 1024);
        assert_no_template(h, "zeros");

        g_free(result);
        p = PULL(&w, "zeros/67108864/zeros.raw", "zeros", "brand", g_variant_new_string("busybox"), "verify",
                 g_variant_new_string("no"));
        result = pull_wait(&w, &p, &props);
        g_assert_cmpstr(result, ==, "failed");
        g_assert_cmpstr(props->error_name, ==, "org.zoned1.Error.EmptyArchive");
        what = g_strdup_printf("zeros.raw begins with %u bytes of zeros", 1024 * 1024);
        if (!strstr(props->error, what))
                g_error("pull of a raw image of zeros failed with: %s", props->error);
        assert_no_template(h, "zeros");
        watch_clear(&w);
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

static pid_t spawn_zonectl(Harness *h, const char *err_file, const char *const *args) {
        g_auto(GStrv) env = g_environ_unsetenv(g_get_environ(), "ZONED_ADDRESS");
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        const char *zonectl = g_getenv("ZONED_TEST_ZONECTL");
        int err_fd = open(err_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        pid_t pid;

        g_assert_cmpint(err_fd, >=, 0);
        if (h->bus_address)
                env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
        g_ptr_array_add(argv, (char *) zonectl);
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                sigset_t ss;

                sigemptyset(&ss);
                (void) sigprocmask(SIG_SETMASK, &ss, NULL);
                if (dup2(err_fd, STDERR_FILENO) < 0)
                        _exit(127);
                execve(zonectl, (char **) argv->pdata, env);
                _exit(127);
        }
        close(err_fd);
        return pid;
}

static void test_cancel(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *result = NULL, *err_file = NULL, *err = NULL, *u = NULL;
        Watch w;
        Pull p;
        int status;
        pid_t pid;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        /* CancelTransfer mid-download (16 KiB every 200 ms: over a minute in all). */
        p = PULL(&w, "slow/200/bb.tar", "slow");
        if (!harness_wait_event(h, "TransferNew ", HARNESS_TRANSFER_TIMEOUT_MS))
                g_error("no TransferNew");
        reply = harness_manager_call(h, "CancelTransfer", g_variant_new("(u)", p.id), "()", &error);
        g_assert_no_error(error);
        result = pull_wait(&w, &p, NULL);
        g_assert_cmpstr(result, ==, "canceled");
        assert_no_template(h, "slow");

        /* Ctrl+C on `zonectl pull` cancels the transfer it started. */
        g_ptr_array_set_size(h->events, 0);
        err_file = g_build_filename(h->tmpdir, "zonectl.err", NULL);
        u = url(&w.server, "slow/200/bb.tar");
        pid = spawn_zonectl(h, err_file, (const char *const[]) { "pull", u, "slow", NULL });
        if (!harness_wait_event(h, "TransferNew ", HARNESS_TRANSFER_TIMEOUT_MS))
                g_error("zonectl pull started no transfer");
        g_assert_no_errno(kill(pid, SIGINT));
        status = wait_child(pid, 30000);
        g_assert_true(g_file_get_contents(err_file, &err, NULL, NULL));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || !strstr(err, "canceled"))
                g_error("zonectl after SIGINT: status 0x%x, stderr: %s", status, err);
        if (!harness_wait_event(h, "TransferRemoved ", HARNESS_TRANSFER_TIMEOUT_MS))
                g_error("no TransferRemoved after zonectl's cancel");
        g_assert_true(
                g_str_has_suffix(h->events->pdata[harness_find_event(h, "TransferRemoved ")], " canceled"));
        assert_no_template(h, "slow");
        watch_clear(&w);
}

/* Two slow pulls at once both finish; meanwhile zoned answers, refuses the
 * same name, lists both (zonectl transfers --json), and signals progress. */
static void test_concurrent(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL;
        g_auto(HarnessRun) r = { 0 };
        TransferProps *p1, *p2;
        Watch w;
        Pull a, b;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        /* ~120 pieces of 16 KiB, 30 ms apart: a few seconds each. */
        a = PULL(&w, "slow/30/bb.tar.gz", "one", "verify", g_variant_new_string("no"));
        b = PULL(&w, "slow/30/bb.tar.xz", "two");

        /* zoned answers while both pulls run: the calls are answered in
         * order, and the second still sees both transfers. */
        reply = harness_manager_call(h, "ListTemplates", NULL, "(a(ssst))", &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        reply = harness_manager_call(h, "ListTransfers", NULL, "(a(ussdo))", &error);
        g_assert_no_error(error);
        {
                g_autoptr(GVariant) list = g_variant_get_child_value(reply, 0);
                g_assert_cmpuint(g_variant_n_children(list), ==, 2);
        }
        g_clear_pointer(&reply, g_variant_unref);

        reply = pull_call(&w, "bb.tar.gz", "one", &error, NULL);
        harness_assert_dbus_error(error, "org.zoned1.Error.TemplateExists");
        g_clear_error(&error);

        harness_zonectl(h, &r, NULL, "transfers", "--json", NULL);
        harness_assert_run(&r, 0, "zonectl transfers --json");
        if (!strstr(r.out, "\"name\":\"one\"") && !strstr(r.out, "\"name\": \"one\""))
                g_error("zonectl transfers --json: %s", r.out);
        g_assert_nonnull(strstr(r.out, "\"type\""));
        g_assert_nonnull(strstr(r.out, "\"progress\""));
        g_assert_nonnull(strstr(r.out, "pull-tar"));

        r1 = pull_wait(&w, &a, &p1);
        r2 = pull_wait(&w, &b, &p2);
        g_assert_cmpstr(r1, ==, "done");
        g_assert_cmpstr(r2, ==, "done");
        assert_busybox_template(h, "one");
        assert_busybox_template(h, "two");
        /* Progress came as PropertiesChanged, with the announced size. */
        g_assert_cmpuint(p1->n_progress, >=, 2);
        g_assert_cmpuint(p2->n_progress, >=, 2);
        g_assert_cmpuint(p1->bytes_total, ==, served_size("bb.tar.gz"));
        g_assert_cmpuint(p2->bytes_total, ==, served_size("bb.tar.xz"));
        g_assert_cmpfloat(p1->progress, ==, 1.0);

        /* An existing name: TemplateExists, unless force, which replaces it. */
        reply = pull_call(&w, "bb.tar.xz", "one", &error, NULL);
        harness_assert_dbus_error(error, "org.zoned1.Error.TemplateExists");
        g_clear_error(&error);
        {
                g_autoptr(GError) e = NULL;
                Pull c = pull_start(
                        pull_call(&w, "bb.tar.xz", "one", &e, "force", g_variant_new_boolean(TRUE), NULL));

                g_assert_no_error(e);
                r3 = pull_wait(&w, &c, NULL);
        }
        g_assert_cmpstr(r3, ==, "done");
        assert_busybox_template(h, "one");
        {
                g_autofree char *ini = g_build_filename(h->state_dir, ".templates", "one", "template.ini",
                                                        NULL),
                                *text = NULL;

                g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
                g_assert_nonnull(strstr(text, "bb.tar.xz"));
        }
        watch_clear(&w);
}

/* The whole template as text: the manifest of its directory (rootfs/ and
 * template.ini) and template.ini's content. */
static char *template_state(Harness *h, const char *name) {
        g_autofree char *dir = templates_dir(h), *t = g_build_filename(dir, name, NULL), *m = NULL,
                        *ini = g_build_filename(t, "template.ini", NULL), *text = NULL;

        m = manifest_of_tree(t);
        g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
        return g_strconcat(m, "\n", text, NULL);
}

static char *template_origin(Harness *h, const char *name) {
        g_autofree char *ini = g_build_filename(h->state_dir, ".templates", name, "template.ini", NULL);
        g_autoptr(GKeyFile) f = g_key_file_new();

        g_assert_true(g_key_file_load_from_file(f, ini, G_KEY_FILE_NONE, NULL));
        return g_key_file_get_string(f, "Template", "Origin", NULL);
}

/* A forced pull of path into template f; asserts its result. */
static void pull_forced(Watch *w, const char *path, const char *verify, const char *want,
                        const char *error) {
        Pull p = PULL(w, path, "f", "force", g_variant_new_boolean(TRUE), "verify",
                      g_variant_new_string(verify));
        TransferProps *props;
        g_autofree char *result = pull_wait(w, &p, &props);

        if (!g_str_equal(result, want) || (error && !strstr(props->error ?: "", error)))
                g_error("forced pull of %s: %s (%s), not %s (%s)", path, result, props->error, want, error);
}

/* --force replaces a template in one step once the new one is complete: a
 * forced pull that fails, before or after the download ended, leaves the old
 * template as it was; one that works replaces it; neither leaves a staging
 * or trash dir behind. */
static void test_force(Harness *h, gconstpointer data) {
        static const struct {
                const char *path;
                const char *verify;
                const char *error;
        } failing[] = {
                { "tampered/bb.tar.gz", "checksum", "does not match SHA256SUMS" },
                { "close/100000/bb.tar.xz", "checksum", "ended early" },
                { "overlong/10/bb.tar.zst", "checksum", "the server sent more than the" },
                { "hostile/dotdot.tar", "no", "Path contains '..'" },
                { "overlong/10/bb.raw", "checksum", "the server sent more than the" },
                /* Taken whole (verify=no), then no file system in it: a failure late in the import. */
                { "junk.raw", "no", "no file system" },
        };
        g_autofree char *before = NULL, *dir = NULL, *left = NULL, *origin = NULL;
        Watch w;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        dir = templates_dir(h);
        pull_forced(&w, "bb.tar.gz", "checksum", "done", NULL);
        assert_busybox_template(h, "f");
        before = template_state(h, "f");
        for (size_t i = 0; i < G_N_ELEMENTS(failing); i++) {
                g_autofree char *after = NULL;

                pull_forced(&w, failing[i].path, failing[i].verify, "failed", failing[i].error);
                assert_store_cleaned(h);
                after = template_state(h, "f");
                if (!g_str_equal(before, after))
                        g_error("a failed forced pull of %s changed template f", failing[i].path);
        }

        /* A raw image replaces the tar's tree, and a tarball the image's; the
         * worker removed the old tree before the transfer ended. */
        pull_forced(&w, "bb.raw", "checksum", "done", NULL);
        left = store_leftover(dir);
        g_assert_null(left);
        origin = template_origin(h, "f");
        g_assert_true(g_str_has_suffix(origin, "/bb.raw"));
        assert_busybox_template(h, "f");
        /* Fails once the tree is unpacked and the checksum matched. */
        g_free(before);
        before = template_state(h, "f");
        pull_forced(&w, "bb.tar.xz", "signature", "failed", "No keyring");
        assert_store_cleaned(h);
        {
                g_autofree char *after = template_state(h, "f");
                g_assert_cmpstr(after, ==, before);
        }
        install_keyring(h);
        pull_forced(&w, "bb.tar.xz", "signature", "done", NULL);
        left = store_leftover(dir);
        g_assert_null(left);
        g_free(origin);
        origin = template_origin(h, "f");
        g_assert_true(g_str_has_suffix(origin, "/bb.tar.xz"));
        assert_busybox_template(h, "f");

        /* While a forced pull makes f, no zone may start over it: the swap would remove its lower layer. */
        {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL, cancel = NULL;
                g_autofree char *result = NULL, *after = NULL;
                Pull slow = PULL(&w, "slow/200/bb.tar", "f", "force", g_variant_new_boolean(TRUE), "verify",
                                 g_variant_new_string("no"));

                g_free(before);
                before = template_state(h, "f");
                reply = harness_manager_call(h, "CreateZone", g_variant_new("(ssa{sv})", "zf", "f", NULL),
                                             "(o)", &error);
                harness_assert_dbus_error(error, "org.zoned1.Error.Busy");
                cancel = harness_manager_call(h, "CancelTransfer", g_variant_new("(u)", slow.id), "()",
                                              NULL);
                result = pull_wait(&w, &slow, NULL);
                g_assert_cmpstr(result, ==, "canceled");
                assert_store_cleaned(h);
                after = template_state(h, "f");
                g_assert_cmpstr(after, ==, before);
        }
        watch_clear(&w);
}

/* `zonectl pull` on a pipe: plain progress lines, exit 0, the template listed. */
static void test_zonectl(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) r = { 0 };
        g_autofree char *u = NULL;
        Watch w;

        if (pull_skipped(h))
                return;
        install_keyring(h);
        watch_init(&w, h);
        u = url(&w.server, "slow/10/bb.tar.gz");
        harness_zonectl(h, &r, NULL, "pull", "--verify=signature", u, "bb", NULL);
        harness_assert_run(&r, 0, "zonectl pull --verify=signature");
        g_assert_nonnull(strstr(r.err, "Pulling template bb: "));
        g_assert_null(strchr(r.err, '\r'));
        harness_run_clear(&r);
        harness_zonectl(h, &r, NULL, "templates", NULL);
        harness_assert_run(&r, 0, "zonectl templates");
        g_assert_true(harness_table_has_row(r.out, (const char *const[]) { "bb", "busybox", NULL }));
        harness_run_clear(&r);
        /* The name defaults to the file name without its suffixes. */
        g_free(u);
        u = url(&w.server, "bb.tar.zst");
        harness_zonectl(h, &r, NULL, "pull", u, NULL);
        harness_assert_run(&r, 1, "zonectl pull URL of an existing name");
        g_assert_nonnull(strstr(r.err, "exists already"));
        harness_run_clear(&r);
        harness_zonectl(h, &r, NULL, "pull", "--force", u, NULL);
        harness_assert_run(&r, 0, "zonectl pull --force URL");
        assert_busybox_template(h, "bb");
        watch_clear(&w);
}

/* A raw disk image (ext4) is downloaded, verified and its tree imported;
 * a file:// URL works as well. */
static void test_raw_and_file(Harness *h, gconstpointer data) {
        g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *file_url = NULL;
        TransferProps *p;
        Watch w;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        r1 = pull_sync(&w, "bb.raw", "raw", &p, NULL);
        if (!g_str_equal(r1, "done"))
                g_error("pull of bb.raw: %s: %s", r1, p->error);
        assert_busybox_template(h, "raw");
        r2 = pull_sync(&w, "bb.img.xz", "img", &p, NULL);
        if (!g_str_equal(r2, "done"))
                g_error("pull of bb.img.xz: %s: %s", r2, p->error);
        assert_busybox_template(h, "img");
        file_url = g_strconcat("raw:file://", serve_dir, "/bb.tar.gz", NULL);
        r3 = pull_sync(&w, file_url, "file", &p, NULL);
        if (!g_str_equal(r3, "done"))
                g_error("pull of %s: %s: %s", file_url, r3, p->error);
        assert_busybox_template(h, "file");
        watch_clear(&w);
}

static void assert_dir_empty(const char *dir) {
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *de;

        g_assert_nonnull(d);
        if ((de = g_dir_read_name(d)))
                g_error("%s got %s from a hostile archive", dir, de);
}

static void test_hostile(Harness *h, gconstpointer data) {
        static const struct {
                const char *file;
                const char *error;
        } cases[] = {
                { "dotdot.tar", "Path contains '..'" },        { "absolute.tar", "Path is absolute" },
                { "symlink-file.tar", "through symlink" },     { "symlink-dir.tar", "through symlink" },
                { "hardlink-shadow.tar", "Path is absolute" }, { "sparse-huge.tar", "(max-bytes)" },
        };
        g_autofree char *result = NULL, *dev = NULL, *suid = NULL;
        struct stat st;
        Watch w;

        if (pull_skipped(h))
                return;
        watch_init(&w, h);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = g_strconcat("hostile/", cases[i].file, NULL);

                assert_pull_fails(&w, path, cases[i].error, "verify", g_variant_new_string("no"), "brand",
                                  g_variant_new_string("busybox"), NULL);
                assert_dir_empty(canary_dir);
        }
        /* Device nodes are skipped (a zone's /dev is made by its supervisor); setuid bits are kept. */
        {
                Pull p = PULL(&w, "hostile/device.tar", "dev", "verify", g_variant_new_string("no"), "brand",
                              g_variant_new_string("busybox"));

                result = pull_wait(&w, &p, NULL);
        }
        g_assert_cmpstr(result, ==, "done");
        dev = g_build_filename(h->state_dir, ".templates", "dev", "rootfs", "dev", "evil", NULL);
        g_assert_false(g_file_test(dev, G_FILE_TEST_EXISTS));
        suid = g_build_filename(h->state_dir, ".templates", "dev", "rootfs", "bin", "suid", NULL);
        g_assert_no_errno(stat(suid, &st));
        g_assert_cmpint(st.st_mode & 07777, ==, 04755);
        assert_dir_empty(canary_dir);
        watch_clear(&w);
}

/* The user story: the Debian fixture as a 200 MB tarball over HTTP becomes a
 * systemd template equal to the tree, and zoned answers meanwhile. */
static void test_debian(Harness *h, gconstpointer data) {
        const char *script = g_getenv("ZONED_TEST_DEBIAN_SCRIPT");
        g_autofree char *tarball = NULL, *dir = NULL, *link = NULL, *tree = NULL, *cache = NULL,
                        *rootfs = NULL, *result = NULL, *cmd = NULL;
        g_auto(HarnessRun) r = { 0 };
        guint answered_during = 0;
        Watch w;
        Pull p;

        if (pull_skipped(h))
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
        watch_init(&w, h);
        dir = g_build_filename(serve_dir, "debian", NULL);
        if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
                g_assert_no_errno(mkdir(dir, 0755));
                link = g_build_filename(dir, "debian.tar", NULL);
                /* A hard link when it can, else a copy. */
                cmd = g_strdup_printf(
                        "ln '%s' '%s' 2>/dev/null || cp '%s' '%s'; cd '%s' && sha256sum debian.tar > SHA256SUMS",
                        tarball, link, tarball, link, dir);
                sh("serving the Debian tarball", cmd, NULL);
        }
        p = PULL(&w, "debian/debian.tar", "deb");
        /* zoned answers while the worker pulls: a call every 100 ms until the
         * end. A reply that still lists the transfer was answered during the
         * pull (a loop blocked by the pull would answer only after it). */
        for (gint64 end = g_get_monotonic_time() + HARNESS_TRANSFER_TIMEOUT_MS * 1000LL;
             !harness_wait_event(h, "TransferRemoved ", 100);) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL, list = NULL;

                g_assert_cmpint(g_get_monotonic_time(), <, end);
                reply = harness_manager_call(h, "ListTransfers", NULL, "(a(ussdo))", &error);
                g_assert_no_error(error);
                list = g_variant_get_child_value(reply, 0);
                if (g_variant_n_children(list) > 0)
                        answered_during++;
        }
        result = pull_wait(&w, &p, NULL);
        g_assert_cmpstr(result, ==, "done");
        g_assert_cmpuint(answered_during, >, 0);
        cache = g_path_get_dirname(tarball);
        tree = g_build_filename(cache, "rootfs", NULL);
        rootfs = g_build_filename(h->state_dir, ".templates", "deb", "rootfs", NULL);
        /* Paths, types, modes, owners, times, sizes, hard links and xattrs. */
        manifest_assert_same(tree, rootfs);
        {
                g_autofree char *ini = g_build_filename(h->state_dir, ".templates", "deb", "template.ini",
                                                        NULL),
                                *text = NULL;

                g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
                g_assert_nonnull(strstr(text, "Brand=systemd"));
        }
        watch_clear(&w);
}

int main(int argc, char *argv[]) {
        int r;

        harness_init(&argc, &argv);
        HARNESS_TEST("/pull/verify-modes", test_verify_modes, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/verification-failures", test_verification_failures, HARNESS_ZONECTL);
        HARNESS_TEST("/pull/server-faults", test_server_faults, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/bad-calls", test_bad_calls, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/credentials", test_credentials, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/zeros", test_zeros, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/cancel", test_cancel, HARNESS_ZONECTL);
        HARNESS_TEST("/pull/concurrent", test_concurrent, HARNESS_ZONECTL);
        HARNESS_TEST("/pull/force", test_force, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/zonectl", test_zonectl, HARNESS_ZONECTL);
        HARNESS_TEST("/pull/hostile", test_hostile, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/raw-and-file", test_raw_and_file, HARNESS_DEFAULT);
        HARNESS_TEST("/pull/debian", test_debian, HARNESS_DEFAULT);
        r = g_test_run();
        if (serve_dir)
                run_ok("rm -rf of the served files",
                       (const char *const[]) { "/bin/rm", "-rf", serve_dir, NULL }, NULL);
        return r;
}
