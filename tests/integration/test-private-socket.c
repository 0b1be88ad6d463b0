/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Without a system bus, zoned serves the same objects on its private socket
 * <runtime>/bus, and zonectl finds it there: by --address, or by
 * ZONED_RUNTIME_DIR. */

#include <poll.h>
#include <unistd.h>

#include "harness.h"

/* Generous: the machine runs other jobs. */
#define ANSWER_TIMEOUT_MS 30000

static bool has_zone_row(const char *out, const char *name, const char *state) {
        return harness_table_has_row(out, (const char *const[]) { name, state, NULL });
}

static void zonectl_address(Harness *h, HarnessRun *r, const char *const *args) {
        g_autofree char *address = g_strconcat("--address=", h->private_address, NULL);
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) argv = NULL;

        g_strv_builder_add(b, address);
        g_strv_builder_addv(b, (const char **) args);
        argv = g_strv_builder_end(b);
        harness_zonectl_full(h, r, &(HarnessSpawn) { .argv = (const char *const *) argv });
}

static void zonectl_runtime_dir(Harness *h, HarnessRun *r, const char *const *args) {
        g_autofree char *env = g_strconcat("ZONED_RUNTIME_DIR=", h->runtime_dir, NULL);

        harness_zonectl_full(
                h, r, &(HarnessSpawn) { .argv = args, .env_set = (const char *const[]) { env, NULL } });
}

static void setup_zone(Harness *h) {
        g_autofree char *path = NULL;

        g_assert_null(h->bus_address);
        /* The harness itself talks to the private socket here. */
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
}

static void test_list(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) a = { 0 }, b = { 0 };
        const char *const list[] = { "list", NULL };

        if (harness_skipped(h))
                return;
        setup_zone(h);
        zonectl_address(h, &a, list);
        harness_assert_run(&a, 0, "zonectl --address=unix:path=RUNTIME/bus list");
        if (!has_zone_row(a.out, "z1", "stopped"))
                g_error("zonectl --address list does not show z1 stopped:\n%s", a.out);
        zonectl_runtime_dir(h, &b, list);
        harness_assert_run(&b, 0, "ZONED_RUNTIME_DIR=RUNTIME zonectl list");
        if (!has_zone_row(b.out, "z1", "stopped"))
                g_error("ZONED_RUNTIME_DIR zonectl list does not show z1 stopped:\n%s", b.out);
}

/* boot and poweroff wait for State through the private socket's signals. */
static void test_boot(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) boot = { 0 }, list = { 0 }, off = { 0 };
        g_autofree char *state = NULL, *leftovers = NULL;

        if (harness_skipped(h))
                return;
        setup_zone(h);
        zonectl_address(h, &boot, (const char *const[]) { "boot", "z1", NULL });
        harness_assert_run(&boot, 0, "zonectl --address boot z1");
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "running");
        zonectl_runtime_dir(h, &list, (const char *const[]) { "list", NULL });
        harness_assert_run(&list, 0, "ZONED_RUNTIME_DIR=RUNTIME zonectl list");
        g_assert_true(has_zone_row(list.out, "z1", "running"));
        zonectl_runtime_dir(h, &off, (const char *const[]) { "poweroff", "z1", NULL });
        harness_assert_run(&off, 0, "ZONED_RUNTIME_DIR=RUNTIME zonectl poweroff z1");
        g_free(state);
        state = harness_zone_state(h, "z1");
        g_assert_cmpstr(state, ==, "stopped");
        leftovers = harness_zone_leftovers(h, "z1");
        g_assert_null(leftovers);
}

/* A raw client of <runtime>/bus: the authentication (EXTERNAL as root), BEGIN and one call,
 * all in one write(), as sd-bus and libdbus clients send them. */
static int connect_pipelined(Harness *h, guint32 serial) {
        g_autofree char *path = g_build_filename(h->runtime_dir, "bus", NULL);
        g_autoptr(GByteArray) out = g_byte_array_new();
        int fd;

        harness_raw_auth(out);
        harness_raw_append_call(out, serial, ZONED_MANAGER_IFACE, "ListBrands");
        fd = harness_raw_connect(path);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(write(fd, out->data, out->len), ==, (gssize) out->len);
        return fd;
}

/* Every one of a number of such clients gets its answer, without sending anything more. */
static void test_pipelined(Harness *h, gconstpointer data) {
        enum {
                N = 20
        };
        GByteArray *in[N];
        struct pollfd p[N];
        gint64 deadline;
        unsigned answered = 0;

        if (harness_skipped(h))
                return;
        for (unsigned i = 0; i < N; i++) {
                p[i] = (struct pollfd) { .fd = connect_pipelined(h, i + 1), .events = POLLIN };
                in[i] = g_byte_array_new();
        }
        deadline = g_get_monotonic_time() + ANSWER_TIMEOUT_MS * 1000;
        while (answered < N && g_get_monotonic_time() < deadline) {
                int n = poll(p, N, (int) ((deadline - g_get_monotonic_time()) / 1000) + 1);

                g_assert_cmpint(n, >=, 0);
                for (unsigned i = 0; i < N && n > 0; i++) {
                        g_autoptr(GDBusMessage) reply = NULL;
                        guint8 buf[4096];
                        ssize_t k;

                        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        k = read(p[i].fd, buf, sizeof(buf));
                        if (k <= 0)
                                g_error("zoned closed pipelined connection %u without an answer", i);
                        g_byte_array_append(in[i], buf, k);
                        reply = harness_raw_reply(in[i]);
                        if (!reply)
                                continue;
                        g_assert_cmpint(g_dbus_message_get_message_type(reply), ==,
                                        G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
                        g_assert_cmpuint(g_dbus_message_get_reply_serial(reply), ==, i + 1);
                        p[i].fd = -p[i].fd - 1; /* poll() skips it now */
                        answered++;
                }
        }
        for (unsigned i = 0; i < N; i++) {
                close(p[i].fd < 0 ? -p[i].fd - 1 : p[i].fd);
                g_byte_array_unref(in[i]);
        }
        if (answered < N)
                g_error("%u of %u clients that sent their call with BEGIN got no answer in %d s",
                        N - answered, N, ANSWER_TIMEOUT_MS / 1000);
}

/* The same through libdbus' dbus-send --peer, many times. */
static void test_dbus_send(Harness *h, gconstpointer data) {
        g_autofree char *peer = NULL, *dbus_send = g_find_program_in_path("dbus-send");

        if (harness_skipped(h))
                return;
        if (!dbus_send) {
                g_test_skip("dbus-send is not installed");
                return;
        }
        peer = g_strconcat("--peer=", h->private_address, NULL);
        for (unsigned i = 0; i < 20; i++) {
                g_auto(HarnessRun) r = { 0 };

                harness_run(
                        &(HarnessSpawn) { .argv = (const char *const[]) { dbus_send, peer, "--print-reply",
                                                                          ZONED_MANAGER_PATH,
                                                                          ZONED_MANAGER_IFACE ".ListBrands",
                                                                          NULL },
                                          .timeout_ms = ANSWER_TIMEOUT_MS },
                        &r);
                harness_assert_run(&r, 0, "dbus-send --peer ListBrands");
                g_assert_nonnull(strstr(r.out, "busybox"));
        }
}

/* Runs a D-Bus tool from $PATH; false (and the test skipped) if it is not installed. */
static bool run_tool(const char *tool, const char *const *args, HarnessRun *r) {
        g_autofree char *path = g_find_program_in_path(tool);
        g_autoptr(GStrvBuilder) b = g_strv_builder_new();
        g_auto(GStrv) argv = NULL;

        if (!path) {
                g_autofree char *why = g_strdup_printf("%s is not installed", tool);
                g_test_skip(why);
                return false;
        }
        g_strv_builder_add(b, path);
        g_strv_builder_addv(b, (const char **) args);
        argv = g_strv_builder_end(b);
        harness_run(&(HarnessSpawn) { .argv = (const char *const *) argv, .timeout_ms = ANSWER_TIMEOUT_MS },
                    r);
        return true;
}

/* busctl (sd-bus) and gdbus (GDBus) connect as to a bus: Hello first, then the call. */
static void test_busctl(Harness *h, gconstpointer data) {
        g_autofree char *address = NULL;
        g_auto(HarnessRun) call = { 0 }, owner = { 0 };

        if (harness_skipped(h))
                return;
        setup_zone(h);
        address = g_strconcat("--address=", h->private_address, NULL);
        if (!run_tool("busctl",
                      (const char *const[]) { address, "call", ZONED_BUS_NAME, ZONED_MANAGER_PATH,
                                              ZONED_MANAGER_IFACE, "ListZones", NULL },
                      &call))
                return;
        harness_assert_run(&call, 0, "busctl --address call ListZones");
        g_assert_true(g_str_has_prefix(call.out, "a(sssso) 1 \"z1\" \"stopped\""));
        run_tool("busctl",
                 (const char *const[]) { address, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "GetNameOwner", "s", ZONED_BUS_NAME, NULL },
                 &owner);
        harness_assert_run(&owner, 0, "busctl --address call GetNameOwner org.zoned1");
        g_assert_cmpstr(owner.out, ==, "s \":1.0\"\n");
}

/* org.freedesktop.DBus.METHOD org.zoned1, through gdbus: its output must be want. */
static void assert_driver_answer(Harness *h, const char *method, const char *want) {
        g_autofree char *full = g_strconcat("org.freedesktop.DBus.", method, NULL);
        g_auto(HarnessRun) r = { 0 };

        run_tool("gdbus",
                 (const char *const[]) { "call", "--address", h->private_address, "--dest",
                                         "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                                         "--method", full, ZONED_BUS_NAME, NULL },
                 &r);
        harness_assert_run(&r, 0, full);
        g_assert_cmpstr(r.out, ==, want);
}

static void test_gdbus(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) call = { 0 }, get = { 0 };
        g_autofree char *want_pid = NULL, *want_creds = NULL;

        if (harness_skipped(h))
                return;
        setup_zone(h);
        if (!run_tool("gdbus",
                      (const char *const[]) { "call", "--address", h->private_address, "--dest",
                                              ZONED_BUS_NAME, "--object-path", ZONED_MANAGER_PATH,
                                              "--method", ZONED_MANAGER_IFACE ".ListZones", NULL },
                      &call))
                return;
        harness_assert_run(&call, 0, "gdbus call --address ListZones");
        g_assert_true(g_str_has_prefix(call.out, "([('z1', 'stopped',"));
        run_tool("gdbus",
                 (const char *const[]) { "call", "--address", h->private_address, "--dest", ZONED_BUS_NAME,
                                         "--object-path", ZONED_MANAGER_PATH, "--method",
                                         ZONED_MANAGER_IFACE ".GetZone", "z1", NULL },
                 &get);
        harness_assert_run(&get, 0, "gdbus call --address GetZone z1");
        g_assert_cmpstr(get.out, ==, "(objectpath '/org/zoned1/zone/z1',)\n");

        /* What the bus driver says of org.zoned1's owner: zoned itself, run by root. */
        assert_driver_answer(h, "GetConnectionUnixUser", "(uint32 0,)\n");
        want_pid = g_strdup_printf("(uint32 %d,)\n", (int) h->zoned_pid);
        assert_driver_answer(h, "GetConnectionUnixProcessID", want_pid);
        want_creds = g_strdup_printf("({'UnixUserID': <uint32 0>, 'ProcessID': <uint32 %d>},)\n",
                                     (int) h->zoned_pid);
        assert_driver_answer(h, "GetConnectionCredentials", want_creds);
}

static void on_zone_new(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                        const char *signal, GVariant *params, gpointer data) {
        g_free(*(char **) data);
        *(char **) data = g_strdup(sender);
}

static bool is_set(gpointer data) {
        return *(char **) data != NULL;
}

/* A GDBus client that takes the socket for a bus gets a unique name, and its signal
 * subscription on org.zoned1 (which GDBus resolves with GetNameOwner) gets zoned's signals. */
static void test_gdbus_bus_client(Harness *h, gconstpointer data) {
        g_autoptr(GDBusConnection) c = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) owner = NULL;
        g_autofree char *sender = NULL, *path = NULL;
        const char *owner_name;
        guint sub;

        if (harness_skipped(h))
                return;
        c = g_dbus_connection_new_for_address_sync(h->private_address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(g_str_has_prefix(g_dbus_connection_get_unique_name(c), ":1."));
        g_assert_cmpstr(g_dbus_connection_get_unique_name(c), !=, ":1.0");
        sub = g_dbus_connection_signal_subscribe(c, ZONED_BUS_NAME, ZONED_MANAGER_IFACE, "ZoneNew",
                                                 ZONED_MANAGER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                 on_zone_new, &sender, NULL);
        /* A round trip: the subscription's AddMatch (and GetNameOwner) are answered before this. */
        owner = g_dbus_connection_call_sync(c, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "GetNameOwner",
                                            g_variant_new("(s)", ZONED_BUS_NAME), G_VARIANT_TYPE("(s)"),
                                            G_DBUS_CALL_FLAGS_NONE, ANSWER_TIMEOUT_MS, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(owner, "(&s)", &owner_name);
        g_assert_cmpstr(owner_name, ==, ":1.0");
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        if (!harness_wait(is_set, &sender, ANSWER_TIMEOUT_MS))
                g_error("a GDBus bus client subscribed to org.zoned1 got no ZoneNew");
        g_assert_cmpstr(sender, ==, ":1.0");
        g_dbus_connection_signal_unsubscribe(c, sub);
}

int main(int argc, char *argv[]) {
        harness_init(&argc, &argv);
        HARNESS_TEST("/private-socket/list", test_list, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        HARNESS_TEST("/private-socket/boot", test_boot, HARNESS_PRIVATE_SOCKET | HARNESS_ZONECTL);
        /* No --no-system-bus, but the configured system bus is not there. */
        HARNESS_TEST("/private-socket/bus-missing", test_list,
                     HARNESS_PRIVATE_SOCKET | HARNESS_BUS_MISSING | HARNESS_ZONECTL);
        HARNESS_TEST("/private-socket/pipelined", test_pipelined, HARNESS_PRIVATE_SOCKET);
        HARNESS_TEST("/private-socket/dbus-send", test_dbus_send, HARNESS_PRIVATE_SOCKET);
        HARNESS_TEST("/private-socket/busctl", test_busctl, HARNESS_PRIVATE_SOCKET);
        HARNESS_TEST("/private-socket/gdbus", test_gdbus, HARNESS_PRIVATE_SOCKET);
        HARNESS_TEST("/private-socket/gdbus-bus-client", test_gdbus_bus_client, HARNESS_PRIVATE_SOCKET);
        return g_test_run();
}
