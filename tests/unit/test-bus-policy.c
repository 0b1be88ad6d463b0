/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks dbus/org.zoned1.conf on a real dbus-daemon with a system-bus-like
 * default policy: root may own org.zoned1; an unprivileged user may not, but
 * may call it and receive its signals. The unprivileged side is this same
 * program, re-executed as "nobody". */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUS_NAME "org.zoned1"
#define TEST_IFACE "org.zoned1.PolicyTest"
#define TEST_PATH "/org/zoned1"
#define NOBODY 65534

/* The default policy of Debian's system.conf: deny owning and calling unless a
 * policy file punches a hole; replies and signals pass. */
static const char bus_config[] =
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig>\n"
        "  <type>system</type>\n"
        "  <listen>unix:path=%s</listen>\n"
        "  <auth>EXTERNAL</auth>\n"
        "  <policy context=\"default\">\n"
        "    <allow user=\"*\"/>\n"
        "    <deny own=\"*\"/>\n"
        "    <deny send_type=\"method_call\"/>\n"
        "    <allow send_type=\"signal\"/>\n"
        "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
        "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
        "    <allow receive_type=\"method_call\"/>\n"
        "    <allow receive_type=\"method_return\"/>\n"
        "    <allow receive_type=\"error\"/>\n"
        "    <allow receive_type=\"signal\"/>\n"
        "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
        "  </policy>\n"
        "  <include>%s</include>\n"
        "</busconfig>\n";

static const char test_xml[] = "<node><interface name='" TEST_IFACE "'>"
                               "<method name='Ping'><arg type='s' direction='out'/></method>"
                               "<method name='Emit'/>"
                               "<signal name='Hello'/>"
                               "</interface></node>";

static GDBusConnection *connect_to(const char *address) {
        g_autoptr(GError) error = NULL;
        GDBusConnection *c = g_dbus_connection_new_for_address_sync(
                address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, &error);

        g_assert_no_error(error);
        return c;
}

static GVariant *request_name(GDBusConnection *c, GError **error) {
        return g_dbus_connection_call_sync(c, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "RequestName",
                                           g_variant_new("(su)", BUS_NAME, 0), G_VARIANT_TYPE("(u)"),
                                           G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);
}

/* ---- the unprivileged side ---- */

static void on_hello(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                     const char *member, GVariant *params, gpointer userdata) {
        *(gboolean *) userdata = TRUE;
}

static gboolean on_timeout(gpointer userdata) {
        *(gboolean *) userdata = TRUE;
        return G_SOURCE_REMOVE;
}

static int child_main(const char *address) {
        g_autoptr(GDBusConnection) c = NULL;
        g_autoptr(GVariant) reply = NULL, pong = NULL, emitted = NULL;
        g_autoptr(GError) error = NULL;
        gboolean got_signal = FALSE, timed_out = FALSE;
        const char *s;

        if (geteuid() != NOBODY)
                return 20;
        c = connect_to(address);

        reply = request_name(c, &error);
        if (reply || !g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED)) {
                g_printerr("child: RequestName(%s) was not denied: %s\n", BUS_NAME,
                           error ? error->message : "it succeeded");
                return 10;
        }
        g_clear_error(&error);

        pong = g_dbus_connection_call_sync(c, BUS_NAME, TEST_PATH, TEST_IFACE, "Ping", NULL,
                                           G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                                           &error);
        if (!pong) {
                g_printerr("child: calling %s failed: %s\n", BUS_NAME, error->message);
                return 11;
        }
        g_variant_get(pong, "(&s)", &s);
        if (!g_str_equal(s, "pong"))
                return 11;

        g_dbus_connection_signal_subscribe(c, BUS_NAME, TEST_IFACE, "Hello", TEST_PATH, NULL,
                                           G_DBUS_SIGNAL_FLAGS_NONE, on_hello, &got_signal, NULL);
        emitted = g_dbus_connection_call_sync(c, BUS_NAME, TEST_PATH, TEST_IFACE, "Emit", NULL, NULL,
                                              G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
        if (!emitted) {
                g_printerr("child: Emit failed: %s\n", error->message);
                return 12;
        }
        g_timeout_add_seconds(10, on_timeout, &timed_out);
        while (!got_signal && !timed_out)
                g_main_context_iteration(NULL, TRUE);
        if (!got_signal) {
                g_printerr("child: no signal from %s\n", BUS_NAME);
                return 13;
        }
        return 0;
}

/* ---- the owner (root) side ---- */

static void on_method(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                      const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer userdata) {
        if (g_str_equal(method, "Ping")) {
                g_dbus_method_invocation_return_value(inv, g_variant_new("(s)", "pong"));
                return;
        }
        g_assert_true(g_dbus_connection_emit_signal(c, NULL, TEST_PATH, TEST_IFACE, "Hello", NULL, NULL));
        g_dbus_method_invocation_return_value(inv, NULL);
}

/* Helpers die with the test, even when an assertion aborts it. */
static void die_with_parent(gpointer userdata) {
        (void) prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
}

static void become_nobody(gpointer userdata) {
        die_with_parent(NULL);
        if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
                _exit(99);
        /* Stay dumpable, so that sanitizer runtimes can still inspect the process. */
        (void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static void on_child_exit(GPid pid, int status, gpointer userdata) {
        int *ret = userdata;

        *ret = status;
}

typedef struct Bus {
        char *dir;
        char *socket;
        char *address;
        GPid pid;
} Bus;

static void bus_start(Bus *b, const char *policy, const char *daemon) {
        g_autoptr(GError) error = NULL;
        g_autofree char *conf = NULL, *conf_path = NULL;
        char *argv[] = { (char *) daemon, NULL, (char *) "--nofork", (char *) "--nopidfile", NULL };

        b->dir = g_dir_make_tmp("test-bus-policy-XXXXXX", &error);
        g_assert_no_error(error);
        /* nobody has to reach the socket. */
        g_assert_cmpint(g_chmod(b->dir, 0755), ==, 0);
        b->socket = g_build_filename(b->dir, "bus", NULL);
        b->address = g_strdup_printf("unix:path=%s", b->socket);
        conf = g_strdup_printf(bus_config, b->socket, policy);
        conf_path = g_build_filename(b->dir, "bus.conf", NULL);
        g_assert_true(g_file_set_contents(conf_path, conf, -1, &error));
        argv[1] = g_strdup_printf("--config-file=%s", conf_path);

        g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                                    &b->pid, &error));
        g_assert_no_error(error);
        g_free(argv[1]);
        for (int i = 0; i < 1000 && !g_file_test(b->socket, G_FILE_TEST_EXISTS); i++)
                g_usleep(10 * 1000);
        g_assert_true(g_file_test(b->socket, G_FILE_TEST_EXISTS));
}

static void bus_stop(Bus *b) {
        g_autofree char *conf = g_build_filename(b->dir, "bus.conf", NULL);
        int status;

        g_assert_cmpint(kill(b->pid, SIGTERM), ==, 0);
        g_assert_cmpint(waitpid(b->pid, &status, 0), ==, b->pid);
        g_spawn_close_pid(b->pid);
        (void) g_unlink(b->socket);
        g_assert_cmpint(g_unlink(conf), ==, 0);
        g_assert_cmpint(g_rmdir(b->dir), ==, 0);
        g_free(b->dir);
        g_free(b->socket);
        g_free(b->address);
}

static void test_policy(void) {
        static const GDBusInterfaceVTable vtable = { .method_call = on_method };
        const char *policy = g_getenv("ZONED_DBUS_POLICY");
        g_autofree char *daemon = g_find_program_in_path("dbus-daemon");
        g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
        g_autoptr(GDBusNodeInfo) info = NULL;
        g_autoptr(GDBusConnection) owner = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        char *argv[] = { self, (char *) "--child", NULL, NULL };
        Bus bus = {};
        GPid child;
        int status = -1;
        guint32 result;

        if (geteuid() != 0) {
                g_test_skip("needs root: the test switches to user nobody");
                return;
        }
        if (!daemon) {
                g_test_skip("dbus-daemon is not installed");
                return;
        }
        g_assert_nonnull(policy);
        g_assert_true(g_file_test(policy, G_FILE_TEST_IS_REGULAR));
        g_assert_nonnull(self);

        bus_start(&bus, policy, daemon);
        owner = connect_to(bus.address);
        reply = request_name(owner, &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(u)", &result);
        g_assert_cmpuint(result, ==, 1); /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */

        info = g_dbus_node_info_new_for_xml(test_xml, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_dbus_connection_register_object(owner, TEST_PATH, info->interfaces[0], &vtable,
                                                           NULL, NULL, &error),
                         >, 0);
        g_assert_no_error(error);

        argv[2] = bus.address;
        if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, become_nobody, NULL, &child,
                           &error)) {
                if (g_error_matches(error, G_SPAWN_ERROR, G_SPAWN_ERROR_ACCES) ||
                    g_error_matches(error, G_SPAWN_ERROR, G_SPAWN_ERROR_PERM))
                        g_test_skip("user nobody cannot run this test program from here");
                else
                        g_assert_no_error(error);
        } else {
                g_child_watch_add(child, on_child_exit, &status);
                while (status == -1)
                        g_main_context_iteration(NULL, TRUE);
                g_test_message("unprivileged client exited with status %i", status);
                g_assert_true(WIFEXITED(status));
                g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        }

        g_assert_true(g_dbus_connection_close_sync(owner, NULL, NULL));
        bus_stop(&bus);
}

int main(int argc, char *argv[]) {
        if (argc == 3 && g_str_equal(argv[1], "--child"))
                return child_main(argv[2]);

        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/bus-policy/root-owns-everyone-calls", test_policy);
        return g_test_run();
}
