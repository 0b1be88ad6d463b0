/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The integration test fixture: temp dirs, a private dbus-daemon, zoned from
 * the build tree, and a teardown that leaves the host as it found it. */

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness-internal.h"

static const char *const required_env[] = {
        "ZONED_TEST_ZONED",
        "ZONED_TEST_SUPERVISOR",
        "ZONED_TEST_BRANDS_DIR",
        "ZONED_TEST_DBUS_DIR",
        "ZONED_TEST_DBUS_CONFIG",
        "ZONED_TEST_ROOTFS_SCRIPT",
        NULL,
};

/* ---- process-wide ---- */

static gboolean on_sigchld(int fd, GIOCondition cond, gpointer data) {
        struct signalfd_siginfo si;

        while (read(fd, &si, sizeof si) == sizeof si)
                ;
        harness_reap_orphans();
        return G_SOURCE_CONTINUE;
}

/* The guardian: the process that harness_init() forks the tests from. If the
 * test process dies without its teardown (a failed assertion aborts it), its
 * zones, cgroups, mounts and temp dirs would stay on the host: the guardian,
 * a subreaper too, inherits the orphans and removes all of it. */
static _Noreturn void guardian(pid_t child) {
        g_autofree char *cgroup_root = g_strdup_printf("zoned-test-%d", (int) child);
        g_autofree char *prefix = g_strdup_printf(HARNESS_TMPDIR_PREFIX "%d-", (int) child);
        g_autoptr(GString) left = g_string_new(NULL);
        g_autoptr(GDir) d = NULL;
        const char *de;
        char *s;
        int status;

        (void) signal(SIGINT, SIG_IGN);
        (void) signal(SIGTERM, SIG_IGN);
        (void) signal(SIGHUP, SIG_IGN);
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(1);

        if ((s = harness_kill_descendants()))
                g_string_append(left, s), g_free(s);
        d = g_dir_open(g_get_tmp_dir(), 0, NULL);
        while (d && (de = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(g_get_tmp_dir(), de, NULL);

                if (!g_str_has_prefix(de, prefix))
                        continue;
                if ((s = harness_clean_mounts(p)))
                        g_string_append(left, s), g_free(s);
                (void) harness_rm_rf(p);
                g_string_append_printf(left, "temp dir %s; ", p);
        }
        if ((s = harness_clean_cgroup_root(cgroup_root)))
                g_string_append(left, s), g_free(s);
        if (left->len)
                fprintf(stderr, "harness: the test process left behind, now cleaned: %s\n", left->str);

        if (WIFSIGNALED(status))
                _exit(128 + WTERMSIG(status));
        _exit(WEXITSTATUS(status) != 0 ? WEXITSTATUS(status) : (left->len ? 1 : 0));
}

void harness_private_network(void) {
        struct ifreq ifr = { .ifr_name = "lo" };
        int fd;

        g_assert_cmpint(unshare(CLONE_NEWNET), ==, 0);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(ioctl(fd, SIOCGIFFLAGS, &ifr), ==, 0);
        ifr.ifr_flags |= IFF_UP;
        g_assert_cmpint(ioctl(fd, SIOCSIFFLAGS, &ifr), ==, 0);
        close(fd);
}

void harness_init(int *argc, char ***argv) {
        sigset_t ss;
        pid_t child;
        int fd;

        (void) prctl(PR_SET_CHILD_SUBREAPER, 1);
        (void) signal(SIGPIPE, SIG_IGN);
        fflush(NULL);
        child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child > 0)
                guardian(child);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);

        g_test_init(argc, argv, NULL);
        /* Before any thread exists, so that every thread has SIGCHLD blocked. */
        sigemptyset(&ss);
        sigaddset(&ss, SIGCHLD);
        g_assert_no_errno(sigprocmask(SIG_BLOCK, &ss, NULL));
        fd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
        g_assert_cmpint(fd, >=, 0);
        g_unix_fd_add(fd, G_IO_IN, on_sigchld, NULL);
}

const char *harness_busybox_rootfs(void) {
        static char *rootfs;
        g_auto(HarnessRun) r = { 0 };

        if (rootfs)
                return rootfs;
        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/bin/bash",
                                                                      g_getenv("ZONED_TEST_ROOTFS_SCRIPT"),
                                                                      NULL },
                                      .timeout_ms = 600000 },
                    &r);
        harness_assert_run(&r, 0, "build-busybox-rootfs.sh");
        rootfs = g_strdup(g_strstrip(r.out));
        g_assert_true(g_file_test(rootfs, G_FILE_TEST_IS_DIR));
        return rootfs;
}

const char *harness_debian_rootfs(void) {
        static char *rootfs;
        static bool tried;
        g_auto(HarnessRun) r = { 0 };
        const char *script = g_getenv("ZONED_TEST_DEBIAN_SCRIPT");

        if (tried)
                return rootfs;
        tried = true;
        if (!script)
                return NULL;
        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { "/bin/bash", script, "bookworm",
                                                                      "amd64", NULL },
                                      .timeout_ms = 900000 },
                    &r);
        if (r.status != 0) {
                g_test_message("build-debian-rootfs.sh failed (%d): %s", r.status, r.err);
                return NULL;
        }
        rootfs = g_strdup(g_strstrip(r.out));
        return rootfs;
}

const char *harness_debian_rootfs_or_skip(void) {
        const char *rootfs = harness_debian_rootfs();

        if (!rootfs)
                g_test_skip("no Debian bookworm rootfs: tests/fixtures/build-debian-rootfs.sh failed "
                            "(needs mmdebstrap and the host's Debian mirror)");
        return rootfs;
}

typedef struct Deadline {
        bool expired;
} Deadline;

static gboolean on_deadline(gpointer data) {
        ((Deadline *) data)->expired = true;
        return G_SOURCE_REMOVE;
}

bool harness_wait(HarnessPredicate pred, gpointer data, guint timeout_ms) {
        Deadline d = { false };
        guint id;

        if (pred(data))
                return true;
        id = g_timeout_add(timeout_ms, on_deadline, &d);
        while (!pred(data) && !d.expired)
                g_main_context_iteration(NULL, TRUE);
        if (!d.expired)
                g_source_remove(id);
        return pred(data);
}

/* ---- the bus ---- */

static void on_manager_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                              const char *signal, GVariant *params, gpointer data) {
        Harness *h = data;
        g_autofree char *text = NULL;

        if (g_str_equal(signal, "ZoneNew") || g_str_equal(signal, "ZoneRemoved")) {
                const char *name, *obj;
                g_variant_get(params, "(&s&o)", &name, &obj);
                text = g_strdup_printf("%s %s %s", signal, name, obj);
        } else if (g_str_equal(signal, "TransferNew")) {
                const char *obj;
                guint32 id;
                g_variant_get(params, "(u&o)", &id, &obj);
                text = g_strdup_printf("%s %u %s", signal, id, obj);
        } else if (g_str_equal(signal, "TransferRemoved")) {
                const char *obj, *result;
                guint32 id;
                g_variant_get(params, "(u&o&s)", &id, &obj, &result);
                text = g_strdup_printf("%s %u %s %s", signal, id, obj, result);
        } else
                return;
        g_ptr_array_add(h->events, g_steal_pointer(&text));
}

static void on_objman_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                             const char *signal, GVariant *params, gpointer data) {
        Harness *h = data;
        const char *obj;

        if (!g_str_equal(signal, "InterfacesAdded") && !g_str_equal(signal, "InterfacesRemoved"))
                return;
        g_variant_get_child(params, 0, "&o", &obj);
        g_ptr_array_add(h->events, g_strdup_printf("%s %s", signal, obj));
}

void harness_connect(Harness *h, const char *address, bool bus) {
        g_autoptr(GError) error = NULL;
        GDBusConnectionFlags flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT;

        if (bus)
                flags |= G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;
        h->conn = g_dbus_connection_new_for_address_sync(address, flags, NULL, NULL, &error);
        g_assert_no_error(error);
        g_dbus_connection_set_exit_on_close(h->conn, FALSE);
        h->manager_subscription = g_dbus_connection_signal_subscribe(
                h->conn, NULL, ZONED_MANAGER_IFACE, NULL, ZONED_MANAGER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                on_manager_signal, h, NULL);
        h->objman_subscription = g_dbus_connection_signal_subscribe(
                h->conn, NULL, "org.freedesktop.DBus.ObjectManager", NULL, ZONED_MANAGER_PATH, NULL,
                G_DBUS_SIGNAL_FLAGS_NONE, on_objman_signal, h, NULL);
}

void harness_disconnect(Harness *h) {
        if (!h->conn)
                return;
        g_dbus_connection_signal_unsubscribe(h->conn, h->manager_subscription);
        g_dbus_connection_signal_unsubscribe(h->conn, h->objman_subscription);
        (void) g_dbus_connection_close_sync(h->conn, NULL, NULL);
        g_clear_object(&h->conn);
}

static void write_bus_config(Harness *h, const char *path) {
        g_autofree char *template_text = NULL, *text = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GString) s = NULL;

        g_assert_true(g_file_get_contents(g_getenv("ZONED_TEST_DBUS_CONFIG"), &template_text, NULL, &error));
        g_assert_no_error(error);
        s = g_string_new(template_text);
        g_assert_cmpuint(g_string_replace(s, "@LISTEN_ADDRESS@", h->bus_address, 0), ==, 1);
        g_assert_true(g_file_set_contents(path, s->str, -1, &error));
        g_assert_no_error(error);
}

static void start_bus(Harness *h) {
        g_autofree char *config = g_build_filename(h->tmpdir, "dbus.conf", NULL);
        g_autofree char *config_arg = g_strconcat("--config-file=", config, NULL);
        g_autofree char *socket_path = g_build_filename(h->tmpdir, "bus", NULL);
        g_auto(GStrv) envp = harness_child_env(NULL);
        g_autoptr(GString) line = g_string_new(NULL);
        const char *const argv[] = { "/usr/bin/dbus-daemon", "--nofork", "--nopidfile", config_arg,
                                     "--print-address=1",    NULL };
        gint64 deadline = g_get_monotonic_time() + HARNESS_START_TIMEOUT_MS * 1000LL;
        int p[2];

        h->bus_address = g_strconcat("unix:path=", socket_path, NULL);
        write_bus_config(h, config);
        g_assert_no_errno(pipe2(p, O_CLOEXEC));
        h->dbus_pid = harness_spawn_daemon(argv, envp, p[1]);
        g_assert_cmpint(h->dbus_pid, >, 0);
        close(p[1]);
        /* --print-address prints once it listens. */
        while (!strchr(line->str, '\n') && g_get_monotonic_time() < deadline) {
                char c;
                ssize_t n = read(p[0], &c, 1);
                if (n <= 0)
                        break;
                g_string_append_c(line, c);
        }
        close(p[0]);
        if (!strchr(line->str, '\n'))
                g_error("dbus-daemon did not start (it printed '%s')", line->str);
        harness_connect(h, h->bus_address, true);
}

static void stop_bus(Harness *h) {
        int status;

        harness_disconnect(h);
        if (h->dbus_pid <= 0)
                return;
        (void) kill(h->dbus_pid, SIGTERM);
        status = harness_wait_pid(h->dbus_pid, 10000);
        if (status == -ETIMEDOUT) {
                (void) kill(h->dbus_pid, SIGKILL);
                (void) waitpid(h->dbus_pid, &status, 0);
        }
        harness_forget_pid(h->dbus_pid);
        h->dbus_pid = 0;
}

/* ---- setup and teardown ---- */

bool harness_skipped(Harness *h) {
        return h->skip_reason != NULL;
}

static char *program_missing(const char *var) {
        const char *p = g_getenv(var);

        if (!p || !*p)
                return g_strdup_printf("%s is not set: not built yet, or not run through meson test", var);
        if (!g_file_test(p, G_FILE_TEST_EXISTS))
                return g_strdup_printf("%s does not exist (not built yet?)", p);
        return NULL;
}

static char *prerequisites_missing(HarnessFlags flags) {
        char *missing;

        if (geteuid() != 0)
                return g_strdup("needs root (namespaces, mounts, cgroups)");
        for (const char *const *e = required_env; *e; e++)
                if ((missing = program_missing(*e)))
                        return missing;
        if ((flags & HARNESS_ZONECTL) && (missing = program_missing("ZONED_TEST_ZONECTL")))
                return missing;
        if (!g_file_test("/usr/bin/dbus-daemon", G_FILE_TEST_IS_EXECUTABLE))
                return g_strdup("dbus-daemon is not installed");
        return NULL;
}

static char *make_dir(Harness *h, const char *name) {
        char *p = g_build_filename(h->tmpdir, name, NULL);

        g_assert_no_errno(mkdir(p, 0755));
        return p;
}

void harness_setup(Harness *h, gconstpointer flags) {
        g_autoptr(GError) error = NULL;
        g_autofree char *template_name = g_strdup_printf(HARNESS_TMPDIR_PREFIX "%d-XXXXXX", (int) getpid());

        h->flags = (HarnessFlags) GPOINTER_TO_INT(flags);
        h->zoned_pidfd = h->notify_fd = -1;
        h->events = g_ptr_array_new_with_free_func(g_free);
        h->leaks = g_string_new(NULL);
        h->skip_reason = prerequisites_missing(h->flags);
        if (h->skip_reason) {
                g_test_skip(h->skip_reason);
                return;
        }

        h->tmpdir = g_dir_make_tmp(template_name, &error);
        g_assert_no_error(error);
        /* uid 65534 must reach the bus socket. */
        g_assert_no_errno(chmod(h->tmpdir, 0755));
        h->config_dir = make_dir(h, "config");
        h->state_dir = make_dir(h, "state");
        h->runtime_dir = make_dir(h, "runtime");
        h->log_dir = make_dir(h, "log");
        h->cgroup_root = g_strdup_printf("zoned-test-%d", (int) getpid());
        h->private_address = g_strdup_printf("unix:path=%s/bus", h->runtime_dir);

        if (!(h->flags & HARNESS_PRIVATE_SOCKET))
                start_bus(h);
        harness_start_zoned(h);
}

static void note_leak(Harness *h, const char *what, char *text) {
        if (!text)
                return;
        g_string_append_printf(h->leaks, "%s: %s\n", what, text);
        g_free(text);
}

/* Terminates every zone that is not stopped, through the API, and waits for it. */
static void terminate_zones(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariantIter) it = NULL;
        const char *name, *state;

        reply = harness_manager_call(h, "ListZones", NULL, "(a(sssso))", &error);
        if (!reply) {
                g_string_append_printf(h->leaks, "ListZones failed at teardown: %s\n", error->message);
                return;
        }
        g_variant_get(reply, "(a(sssso))", &it);
        while (g_variant_iter_loop(it, "(&s&s&s&s&o)", &name, &state, NULL, NULL, NULL)) {
                g_autoptr(ZoneWatch) w = NULL;
                g_autoptr(GVariant) r = NULL;
                g_autoptr(GError) e = NULL;

                if (g_str_equal(state, "stopped") || g_str_equal(state, "failed"))
                        continue;
                w = zone_watch_new(h, name);
                r = harness_manager_call(h, "TerminateZone", g_variant_new("(s)", name), NULL, &e);
                if (e)
                        g_test_message("TerminateZone %s at teardown: %s", name, e->message);
                if (!zone_watch_wait_settled(w, HARNESS_STOP_TIMEOUT_MS))
                        g_string_append_printf(h->leaks, "zone %s still %s after TerminateZone\n", name,
                                               w->state);
        }
}

void harness_teardown(Harness *h, gconstpointer flags) {
        if (!h->skip_reason) {
                if (h->zoned_pid > 0 && h->conn)
                        terminate_zones(h);
                if (h->zoned_pid > 0)
                        harness_stop_zoned(h, SIGTERM);
                stop_bus(h);
                note_leak(h, "processes", harness_kill_descendants());
                note_leak(h, "cgroups", harness_clean_cgroup_root(h->cgroup_root));
                note_leak(h, "mounts", harness_clean_mounts(h->tmpdir));
                note_leak(h, "loop devices", harness_clean_loop_devices(h->tmpdir));
                if (harness_rm_rf(h->tmpdir) < 0 || g_file_test(h->tmpdir, G_FILE_TEST_EXISTS))
                        g_string_append_printf(h->leaks, "could not remove %s\n", h->tmpdir);
        }
        if (h->leaks->len) {
                g_test_message("teardown found problems (leftovers were removed):\n%s", h->leaks->str);
                g_test_fail();
        }
        g_clear_pointer(&h->notify_path, g_free);
        g_free(h->skip_reason);
        g_free(h->tmpdir);
        g_free(h->config_dir);
        g_free(h->state_dir);
        g_free(h->runtime_dir);
        g_free(h->log_dir);
        g_free(h->cgroup_root);
        g_free(h->brands_dir);
        g_strfreev(h->zoned_options);
        g_free(h->zoned_log);
        g_free(h->bus_address);
        g_free(h->private_address);
        g_ptr_array_unref(h->events);
        g_string_free(h->leaks, TRUE);
}

void harness_write_file(const char *path, const char *text, mode_t mode) {
        g_autoptr(GError) error = NULL;

        g_file_set_contents(path, text, -1, &error);
        g_assert_no_error(error);
        g_assert_no_errno(chmod(path, mode));
}

void harness_assert_template_brand(Harness *h, const char *template_name, const char *want) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariantIter) it = NULL;
        const char *name, *brand;
        bool found = false;

        reply = harness_manager_call(h, "ListTemplates", NULL, "(a(ssst))", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(a(ssst))", &it);
        while (g_variant_iter_loop(it, "(&s&sst)", &name, &brand, NULL, NULL))
                if (g_str_equal(name, template_name)) {
                        found = true;
                        g_assert_cmpstr(brand, ==, want);
                }
        g_assert_true(found);
}
