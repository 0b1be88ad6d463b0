/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting and stopping the zoned under test. Readiness is what zoned
 * promises: READY=1 on NOTIFY_SOCKET, and on a bus the name org.zoned1. */

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness-internal.h"

typedef struct StartWait {
        Harness *h;
        bool ready; /* READY=1 seen */
        bool owned; /* org.zoned1 has an owner */
        bool died;
} StartWait;

static int open_notify_socket(Harness *h) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, one = 1;

        g_clear_pointer(&h->notify_path, g_free);
        h->notify_path = g_build_filename(h->tmpdir, "notify", NULL);
        g_assert_cmpuint(strlen(h->notify_path), <, sizeof sa.sun_path);
        strcpy(sa.sun_path, h->notify_path);
        (void) unlink(h->notify_path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_no_errno(bind(fd, (struct sockaddr *) &sa, sizeof sa));
        g_assert_no_errno(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
        return fd;
}

static gboolean on_notify(int fd, GIOCondition cond, gpointer data) {
        StartWait *s = data;
        char buf[4096];
        ssize_t n;

        while ((n = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
                g_auto(GStrv) lines = NULL;

                buf[n] = 0;
                lines = g_strsplit(buf, "\n", -1);
                for (char **l = lines; *l; l++)
                        if (g_str_equal(*l, "READY=1"))
                                s->ready = true;
        }
        return G_SOURCE_CONTINUE;
}

static gboolean on_zoned_exit(int fd, GIOCondition cond, gpointer data) {
        ((StartWait *) data)->died = true;
        return G_SOURCE_REMOVE;
}

static void on_name_owner_changed(GDBusConnection *c, const char *sender, const char *path,
                                  const char *iface, const char *signal, GVariant *params, gpointer data) {
        StartWait *s = data;
        const char *name, *old_owner, *new_owner;

        g_variant_get(params, "(&s&s&s)", &name, &old_owner, &new_owner);
        if (g_str_equal(name, ZONED_BUS_NAME))
                s->owned = new_owner[0] != 0;
}

static bool start_done(gpointer data) {
        StartWait *s = data;
        return s->died || (s->ready && (s->owned || (s->h->flags & HARNESS_PRIVATE_SOCKET)));
}

static char **zoned_argv(Harness *h) {
        GPtrArray *a = g_ptr_array_new();

        g_ptr_array_add(a, g_strdup(g_getenv("ZONED_TEST_ZONED")));
        g_ptr_array_add(a, g_strconcat("--config-dir=", h->config_dir, NULL));
        g_ptr_array_add(a, g_strconcat("--state-dir=", h->state_dir, NULL));
        g_ptr_array_add(a, g_strconcat("--runtime-dir=", h->runtime_dir, NULL));
        g_ptr_array_add(a, g_strconcat("--log-dir=", h->log_dir, NULL));
        g_ptr_array_add(
                a, g_strconcat("--brands-dir=", h->brands_dir ?: g_getenv("ZONED_TEST_BRANDS_DIR"), NULL));
        if (g_getenv("ZONED_TEST_DEFINITIONS_DIR"))
                g_ptr_array_add(
                        a, g_strconcat("--definitions-dir=", g_getenv("ZONED_TEST_DEFINITIONS_DIR"), NULL));
        g_ptr_array_add(a, g_strconcat("--supervisor=", g_getenv("ZONED_TEST_SUPERVISOR"), NULL));
        g_ptr_array_add(a, g_strconcat("--cgroup-root=", h->cgroup_root, NULL));
        /* Never the host's: missing (the defaults) unless the test writes it. */
        g_ptr_array_add(a, g_strconcat("--network-config=", h->tmpdir, "/network.conf", NULL));
        if ((h->flags & HARNESS_PRIVATE_SOCKET) && !(h->flags & HARNESS_BUS_MISSING))
                g_ptr_array_add(a, g_strdup("--no-system-bus"));
        if (g_getenv("ZONED_TEST_DEBUG"))
                g_ptr_array_add(a, g_strdup("--debug"));
        for (char **o = h->zoned_options; o && *o; o++)
                g_ptr_array_add(a, g_strdup(*o));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(a, FALSE);
}

static char **zoned_env(Harness *h) {
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) set = NULL;

        harness_env_add(b, "DBUS_SESSION_BUS_ADDRESS", NULL);
        harness_env_add(b, "ZONED_RUNTIME_DIR", NULL);
        if (h->flags & HARNESS_BUS_MISSING) {
                g_autofree char *nowhere = g_strdup_printf("unix:path=%s/no-such-bus", h->tmpdir);
                harness_env_add(b, "DBUS_SYSTEM_BUS_ADDRESS", nowhere);
        } else
                harness_env_add(b, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address);
        harness_env_add(b, "NOTIFY_SOCKET", h->notify_path);
        set = g_strv_builder_end(b);
        return harness_child_env((const char *const *) set);
}

static bool name_has_owner(Harness *h) {
        g_autoptr(GVariant) reply = NULL;
        gboolean owned = FALSE;

        reply = g_dbus_connection_call_sync(h->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "NameHasOwner",
                                            g_variant_new("(s)", ZONED_BUS_NAME), G_VARIANT_TYPE("(b)"),
                                            G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
        if (reply)
                g_variant_get(reply, "(b)", &owned);
        return owned;
}

void harness_start_zoned(Harness *h) {
        g_auto(GStrv) argv = NULL, envp = NULL;
        StartWait s = { .h = h };
        guint notify_source, exit_source, sub = 0;
        bool in_bus = !(h->flags & HARNESS_PRIVATE_SOCKET);

        g_assert_cmpint(h->zoned_pid, <=, 0);
        h->notify_fd = open_notify_socket(h);
        argv = zoned_argv(h);
        envp = zoned_env(h);
        if (in_bus)
                sub = g_dbus_connection_signal_subscribe(
                        h->conn, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                        "/org/freedesktop/DBus", ZONED_BUS_NAME, G_DBUS_SIGNAL_FLAGS_NONE,
                        on_name_owner_changed, &s, NULL);

        if (h->zoned_log) {
                int log_fd = open(h->zoned_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

                g_assert_cmpint(log_fd, >=, 0);
                h->zoned_pid = harness_spawn_daemon_full((const char *const *) argv, envp, -1, log_fd);
                close(log_fd);
        } else
                h->zoned_pid = harness_spawn_daemon((const char *const *) argv, envp, -1);
        g_assert_cmpint(h->zoned_pid, >, 0);
        h->zoned_pidfd = harness_pidfd_open(h->zoned_pid);
        g_assert_cmpint(h->zoned_pidfd, >=, 0);
        notify_source = g_unix_fd_add(h->notify_fd, G_IO_IN, on_notify, &s);
        exit_source = g_unix_fd_add(h->zoned_pidfd, G_IO_IN, on_zoned_exit, &s);
        if (in_bus)
                s.owned = name_has_owner(h);

        (void) harness_wait(start_done, &s, HARNESS_START_TIMEOUT_MS);
        g_source_remove(notify_source);
        if (!s.died)
                g_source_remove(exit_source);
        if (sub)
                g_dbus_connection_signal_unsubscribe(h->conn, sub);

        if (s.died) {
                int status = harness_wait_pid(h->zoned_pid, 1000);
                harness_forget_pid(h->zoned_pid);
                h->zoned_pid = 0;
                g_error("zoned exited during startup (wait status 0x%x)", status);
        }
        if (!start_done(&s))
                g_error("zoned not ready within %d ms: READY=1 %s, %s %s", HARNESS_START_TIMEOUT_MS,
                        s.ready ? "received" : "never received", ZONED_BUS_NAME,
                        in_bus ? (s.owned ? "owned" : "never owned") : "(no bus)");
        if (!in_bus)
                harness_connect(h, h->private_address, false);
}

void harness_stop_zoned(Harness *h, int sig) {
        int status;

        g_assert_cmpint(h->zoned_pid, >, 0);
        if (h->flags & HARNESS_PRIVATE_SOCKET)
                harness_disconnect(h);
        g_assert_no_errno(kill(h->zoned_pid, sig));
        status = harness_wait_pid(h->zoned_pid, 20000);
        if (status == -ETIMEDOUT) {
                g_string_append_printf(h->leaks, "zoned did not exit within 20 s of signal %d\n", sig);
                (void) kill(h->zoned_pid, SIGKILL);
                (void) waitpid(h->zoned_pid, &status, 0);
        } else if (sig == SIGTERM && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                g_string_append_printf(h->leaks,
                                       "zoned did not exit cleanly on SIGTERM (wait status 0x%x)\n", status);
        harness_forget_pid(h->zoned_pid);
        h->zoned_pid = 0;
        h->zoned_pidfd = safe_close_fd(h->zoned_pidfd);
        h->notify_fd = safe_close_fd(h->notify_fd);
}

void harness_restart_zoned_as_self(Harness *h, const char *program_env, const char *real_env) {
        g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
        g_autofree char *real = g_strdup(g_getenv(program_env));

        g_assert_nonnull(self);
        g_assert_nonnull(real);
        harness_stop_zoned(h, SIGTERM);
        g_setenv(real_env, real, TRUE);
        g_setenv(program_env, self, TRUE);
        harness_start_zoned(h);
        g_setenv(program_env, real, TRUE);
        g_unsetenv(real_env);
}

void harness_capture_zoned_log(Harness *h) {
        g_free(h->zoned_log);
        h->zoned_log = g_build_filename(h->tmpdir, "zoned.log", NULL);
        harness_stop_zoned(h, SIGTERM);
        harness_start_zoned(h);
}

char *harness_zoned_log(Harness *h) {
        char *text = NULL;

        g_assert_nonnull(h->zoned_log);
        if (!g_file_get_contents(h->zoned_log, &text, NULL, NULL))
                text = g_strdup("");
        return text;
}
