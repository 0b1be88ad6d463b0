/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Everyone may read, only root may change: a client running as uid 65534
 * lists zones but is refused (org.freedesktop.DBus.Error.AccessDenied) every
 * mutating call, and nothing changes. The bus policy of the test bus lets
 * everything through, so the refusal can only come from zoned itself. */

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
/* More entries than a parser that is quadratic in them gets through in minutes. */
#define LONG_ARGV 1000000U

/* This program again, as the unprivileged client:
 *   test-access --as-client ADDRESS PATH INTERFACE METHOD [ARGS as GVariant text [FILE]]
 * prints "OK <reply>" or "ERROR <D-Bus error name>". FILE is opened (read-write, as that user) and
 * passed as handle 0. */
static int client_main(int argc, char *argv[]) {
        g_autoptr(GDBusConnection) c = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) params = NULL, reply = NULL;
        g_autoptr(GUnixFDList) fds = NULL;
        g_autofree char *name = NULL, *text = NULL;

        if (argc < 6 || argc > 8) {
                fprintf(stderr, "usage: %s --as-client ADDRESS PATH INTERFACE METHOD [ARGS [FILE]]\n",
                        argv[0]);
                return 2;
        }
        if (argc == 8) {
                int fd = open(argv[7], O_RDWR | O_CLOEXEC);

                if (fd < 0) {
                        fprintf(stderr, "cannot open %s as uid %d: %m\n", argv[7], (int) getuid());
                        return 2;
                }
                fds = g_unix_fd_list_new_from_array(&fd, 1);
        }
        c = g_dbus_connection_new_for_address_sync(argv[2],
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
        if (!c) {
                fprintf(stderr, "cannot connect to %s as uid %d: %s\n", argv[2], (int) getuid(),
                        error->message);
                return 2;
        }
        if (argc >= 7) {
                params = g_variant_parse(NULL, argv[6], NULL, NULL, &error);
                if (!params) {
                        fprintf(stderr, "bad arguments '%s': %s\n", argv[6], error->message);
                        return 2;
                }
        }
        reply = g_dbus_connection_call_with_unix_fd_list_sync(
                c, ZONED_BUS_NAME, argv[3], argv[4], argv[5], g_steal_pointer(&params), NULL,
                G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, fds, NULL, NULL, &error);
        if (reply) {
                text = g_variant_print(reply, FALSE);
                printf("OK %s\n", text);
        } else {
                name = g_dbus_error_get_remote_error(error);
                printf("ERROR %s\n", name ? name : error->message);
        }
        return 0;
}

static void on_long_argv_answer(GObject *source, GAsyncResult *res, gpointer data) {
        *(GAsyncResult **) data = g_object_ref(res);
}

/* OpenZoneShell(name, "", "", argv, []) with an argv of count entries. */
static GVariant *long_argv_params(const char *name, unsigned count) {
        g_autoptr(GVariantBuilder) argv = g_variant_builder_new(G_VARIANT_TYPE("as"));

        for (unsigned i = 0; i < count; i++)
                g_variant_builder_add(argv, "s", "x");
        return g_variant_new("(sssas@as)", name, "", "", argv, g_variant_new_strv(NULL, 0));
}

/*   test-access --long-argv ADDRESS NAME COUNT
 * calls OpenZoneShell of zone NAME, as it is (uid 65534), with an argv of COUNT entries; says
 * "sent" once the call is on its way and then "OK" or "ERROR <D-Bus error name>". */
static int long_argv_main(int argc, char *argv[]) {
        g_autoptr(GDBusConnection) c = NULL;
        g_autoptr(GDBusMessage) call = NULL, answer = NULL;
        g_autoptr(GError) error = NULL;
        GAsyncResult *result = NULL;

        if (argc != 5)
                return 2;
        c = g_dbus_connection_new_for_address_sync(argv[2],
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
        if (!c) {
                fprintf(stderr, "cannot connect to %s: %s\n", argv[2], error->message);
                return 2;
        }
        call = g_dbus_message_new_method_call(ZONED_BUS_NAME, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE,
                                              "OpenZoneShell");
        g_dbus_message_set_body(call,
                                long_argv_params(argv[3], (unsigned) g_ascii_strtoull(argv[4], NULL, 10)));
        g_dbus_connection_send_message_with_reply(c, call, G_DBUS_SEND_MESSAGE_FLAGS_NONE, 600000, NULL,
                                                  NULL, on_long_argv_answer, &result);
        g_assert_true(g_dbus_connection_flush_sync(c, NULL, NULL));
        printf("sent\n");
        fflush(stdout);
        while (!result)
                g_main_context_iteration(NULL, TRUE);
        answer = g_dbus_connection_send_message_with_reply_finish(c, result, &error);
        g_object_unref(result);
        if (!answer)
                printf("ERROR %s\n", error->message);
        else if (g_dbus_message_get_message_type(answer) == G_DBUS_MESSAGE_TYPE_ERROR)
                printf("ERROR %s\n", g_dbus_message_get_error_name(answer));
        else
                printf("OK\n");
        return 0;
}

/*   test-access --raw-long-argv SOCKET
 * sends, on a raw connection to zoned's private socket, OpenZoneShell of z1 with a long argv
 * whose last string is not UTF-8, which no parser can read; says "OK" or "ERROR <name>". */
static int loop_write_all(int fd, const guint8 *p, gsize n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k < 0)
                        return -errno;
                p += k;
                n -= k;
        }
        return 0;
}

static int raw_long_argv_main(int argc, char *argv[]) {
        g_autoptr(GDBusMessage) call = g_dbus_message_new_method_call(NULL, ZONED_MANAGER_PATH,
                                                                      ZONED_MANAGER_IFACE, "OpenZoneShell");
        g_autoptr(GVariantBuilder) args = g_variant_builder_new(G_VARIANT_TYPE("as"));
        g_autoptr(GByteArray) out = g_byte_array_new(), in = g_byte_array_new();
        g_autoptr(GDBusMessage) reply = NULL;
        static const char mark[] = "NOT-UTF-8";
        guint8 *bad;
        int fd;

        if (argc != 3)
                return 2;
        for (unsigned i = 0; i < LONG_ARGV; i++)
                g_variant_builder_add(args, "s", "x");
        g_variant_builder_add(args, "s", mark);
        g_dbus_message_set_body(
                call, g_variant_new("(sssas@as)", "z1", "", "", args, g_variant_new_strv(NULL, 0)));
        harness_raw_auth(out);
        harness_raw_append(out, call, 1);
        bad = memmem(out->data, out->len, mark, strlen(mark));
        g_assert_nonnull(bad);
        memset(bad, 0xff, strlen(mark));
        fd = harness_raw_connect(argv[2]);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(loop_write_all(fd, out->data, out->len), ==, 0);
        while (!reply) {
                guint8 buf[4096];
                ssize_t k = read(fd, buf, sizeof(buf));

                if (k <= 0) {
                        printf("CLOSED\n");
                        return 0;
                }
                g_byte_array_append(in, buf, k);
                reply = harness_raw_reply(in);
        }
        close(fd);
        if (g_dbus_message_get_message_type(reply) == G_DBUS_MESSAGE_TYPE_ERROR)
                printf("ERROR %s\n", g_dbus_message_get_error_name(reply));
        else
                printf("OK\n");
        return 0;
}

static char *self_exe(void) {
        char *p = g_file_read_link("/proc/self/exe", NULL);

        g_assert_nonnull(p);
        return p;
}

/* Calls a method as uid 65534 (with file as handle 0, if not NULL); returns the client's answer
 * line. */
static char *call_as_nobody_fd(Harness *h, const char *path, const char *iface, const char *method,
                               const char *args, const char *file) {
        g_autofree char *exe = self_exe();
        g_auto(HarnessRun) r = { 0 };

        g_assert_true(args || !file);
        harness_run(
                &(HarnessSpawn) {
                        .argv = (const char *const[]) { exe, "--as-client", h->bus_address, path, iface,
                                                        method, args, file, NULL },
                        .env_set = (const char *const[]) { "HOME=/nonexistent", "XDG_RUNTIME_DIR", NULL },
                        .as_nobody = true,
                },
                &r);
        harness_assert_run(&r, 0, "unprivileged D-Bus client");
        return g_strdup(g_strstrip(r.out));
}

static char *call_as_nobody(Harness *h, const char *path, const char *iface, const char *method,
                            const char *args) {
        return call_as_nobody_fd(h, path, iface, method, args, NULL);
}

static void assert_denied_fd(Harness *h, const char *path, const char *iface, const char *method,
                             const char *args, const char *file) {
        g_autofree char *answer = call_as_nobody_fd(h, path, iface, method, args, file);

        if (!g_str_equal(answer, "ERROR " ACCESS_DENIED))
                g_error("%s.%s%s as uid 65534: expected %s, got '%s'", iface, method, args ? args : "()",
                        ACCESS_DENIED, answer);
}

static void assert_denied(Harness *h, const char *path, const char *iface, const char *method,
                          const char *args) {
        assert_denied_fd(h, path, iface, method, args, NULL);
}

static void assert_manager_denied(Harness *h, const char *method, const char *args) {
        assert_denied(h, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, method, args);
}

static void assert_reads_allowed(Harness *h, const char *zone_path) {
        g_autofree char *list = call_as_nobody(h, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, "ListZones",
                                               NULL);
        g_autofree char *state = call_as_nobody(h, zone_path, "org.freedesktop.DBus.Properties", "Get",
                                                "('org.zoned1.Zone', 'State')");

        g_assert_true(g_str_has_prefix(list, "OK "));
        g_assert_nonnull(strstr(list, "'z1'"));
        g_assert_true(g_str_has_prefix(state, "OK "));
}

static int compare_lines(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void assert_nothing_changed(Harness *h, ZoneWatch *w, const char *state, guint32 leader) {
        g_autofree char *z2 = g_strdup_printf("%s/z2.zone", h->config_dir);
        g_autofree char *z1 = g_strdup_printf("%s/z1.zone", h->config_dir);
        g_autofree char *bb2 = g_build_filename(h->state_dir, ".templates", "bb2", NULL);

        harness_flush(h);
        g_assert_cmpuint(w->states->len, ==, 0);
        g_assert_cmpstr(w->state, ==, state);
        g_assert_cmpuint(w->leader, ==, leader);
        g_assert_false(g_file_test(z2, G_FILE_TEST_EXISTS));
        g_assert_true(g_file_test(z1, G_FILE_TEST_EXISTS));
        g_assert_false(g_file_test(bb2, G_FILE_TEST_EXISTS));
        g_assert_cmpint(harness_find_event(h, "ZoneNew z2 "), <, 0);
        g_assert_cmpint(harness_find_event(h, "ZoneRemoved "), <, 0);
}

static void test_stopped_zone(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *import_args = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        guint transfers;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        w = zone_watch_new(h, "z1");
        transfers = h->events->len;

        assert_reads_allowed(h, path);
        assert_manager_denied(h, "CreateZone", "('z2', 'bb', @a{sv} {})");
        assert_manager_denied(h, "BootZone", "('z1',)");
        assert_manager_denied(h, "RemoveZone", "('z1',)");
        import_args = g_strdup_printf("('%s', 'bb2', @a{sv} {})", harness_busybox_rootfs());
        assert_manager_denied(h, "ImportTemplateFs", import_args);
        assert_manager_denied(h, "RemoveTemplate", "('bb',)");
        assert_denied(h, path, ZONED_ZONE_IFACE, "Boot", NULL);
        assert_denied(h, path, ZONED_ZONE_IFACE, "Remove", NULL);
        assert_manager_denied(h, "SetZoneAutoboot", "('z1', true)");
        assert_denied(h, path, ZONED_ZONE_IFACE, "SetAutoboot", "(true,)");
        {
                g_autoptr(GVariant) autoboot = harness_zone_property(h, "z1", "Autoboot");
                g_assert_false(g_variant_get_boolean(autoboot));
        }

        assert_nothing_changed(h, w, "stopped", 0);
        /* No transfer was started either. */
        for (guint i = transfers; i < h->events->len; i++)
                g_assert_false(g_str_has_prefix(h->events->pdata[i], "Transfer"));
}

static void test_running_zone(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *kill_args = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        leader = harness_boot_zone(h, "z1");
        w = zone_watch_new(h, "z1");

        assert_manager_denied(h, "PoweroffZone", "('z1',)");
        assert_manager_denied(h, "RebootZone", "('z1',)");
        assert_manager_denied(h, "TerminateZone", "('z1',)");
        kill_args = g_strdup_printf("('z1', 'all', %d)", SIGKILL);
        assert_manager_denied(h, "KillZone", kill_args);
        assert_denied(h, path, ZONED_ZONE_IFACE, "Poweroff", NULL);
        assert_denied(h, path, ZONED_ZONE_IFACE, "Terminate", NULL);
        g_free(kill_args);
        kill_args = g_strdup_printf("('all', %d)", SIGKILL);
        assert_denied(h, path, ZONED_ZONE_IFACE, "Kill", kill_args);
        assert_denied(h, path, ZONED_ZONE_IFACE, "Reboot", NULL);

        assert_nothing_changed(h, w, "running", leader);
        g_assert_true(harness_pid_alive((pid_t) leader));
        harness_poweroff_zone(h, "z1");
}

/* The processes of the zone below its init, as text ("PID COMM" lines, sorted). */
static char *zone_processes(guint32 leader) {
        g_autofree char *path = g_strdup_printf("/proc/%u/task/%u/children", leader, leader), *text = NULL;
        g_auto(GStrv) pids = NULL;
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        pids = g_strsplit(g_strstrip(text), " ", -1);
        for (char **p = pids; *p; p++) {
                g_autofree char *comm_path = g_strdup_printf("/proc/%s/comm", *p), *comm = NULL;

                if (**p && g_file_get_contents(comm_path, &comm, NULL, NULL))
                        g_ptr_array_add(lines, g_strdup_printf("%s %s", *p, g_strstrip(comm)));
        }
        g_ptr_array_sort(lines, compare_lines);
        g_ptr_array_add(lines, NULL);
        return g_strjoinv("\n", (char **) lines->pdata);
}

/* Waits until busybox init ran its sysinit step (/bin/true) and started the shell of its inittab,
 * and nothing else; returns zone_processes() then. */
static char *zone_shell_started(guint32 leader) {
        gint64 deadline = g_get_monotonic_time() + HARNESS_BOOT_TIMEOUT_MS * 1000LL;

        for (;;) {
                g_autofree char *p = zone_processes(leader);

                if (g_str_has_suffix(p, " sh") && !strchr(p, '\n'))
                        return g_steal_pointer(&p);
                if (g_get_monotonic_time() > deadline)
                        g_error("the zone's init did not settle on its shell: %s", p);
                g_usleep(20 * 1000);
        }
}

/* Consoles, logins and shells are for root: nothing starts in the zone, no terminal is handed out. */
static void test_terminals(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *before = NULL, *after = NULL, *mark = NULL;
        const char *shell = "'root', '/bin/sh', ['sh', '-c', 'touch /pwned'], @as []";
        g_autofree char *manager_shell = g_strdup_printf("('z1', %s)", shell);
        g_autofree char *zone_shell = g_strdup_printf("(%s)", shell);
        g_autoptr(ZoneWatch) w = NULL;
        guint32 leader;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        leader = harness_boot_zone(h, "z1");
        w = zone_watch_new(h, "z1");
        before = zone_shell_started(leader);

        assert_manager_denied(h, "OpenZoneConsole", "('z1',)");
        assert_manager_denied(h, "OpenZoneLogin", "('z1',)");
        assert_manager_denied(h, "OpenZoneShell", manager_shell);
        assert_denied(h, path, ZONED_ZONE_IFACE, "OpenConsole", NULL);
        assert_denied(h, path, ZONED_ZONE_IFACE, "OpenLogin", NULL);
        assert_denied(h, path, ZONED_ZONE_IFACE, "OpenShell", zone_shell);

        assert_nothing_changed(h, w, "running", leader);
        after = zone_processes(leader);
        g_assert_cmpstr(after, ==, before);
        mark = g_strdup_printf("/proc/%u/root/pwned", leader);
        g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));
        harness_poweroff_zone(h, "z1");
}

/* Templates, exports and transfers are for root: no transfer starts, none is canceled, nothing is
 * written. */
static void test_transfers(Harness *h, gconstpointer data) {
        g_autofree char *result = NULL, *zone = NULL, *transfer = NULL, *export_file = NULL, *out = NULL;
        g_autofree char *cancel_args = NULL, *templates = NULL, *state = NULL, *listed = NULL,
                        *held_new = NULL;
        g_autoptr(GVariant) reply = NULL, list = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) d = NULL;
        g_autoptr(ZoneWatch) w = NULL;
        const char *name;
        gsize len = 1;
        guint events;
        guint32 id;
        int write_end;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        zone = harness_create_zone(h, "z1", "bb", false);
        w = zone_watch_new(h, "z1");
        id = harness_held_transfer(h, "held", &write_end, &transfer);
        held_new = g_strdup_printf("TransferNew %u %s", id, transfer);
        g_assert_true(harness_wait_event(h, held_new, HARNESS_TRANSFER_TIMEOUT_MS));
        export_file = g_build_filename(h->tmpdir, "export.tar", NULL);
        harness_write_file(export_file, "", 0666);
        events = h->events->len;

        assert_manager_denied(h, "PullTemplate", "('http://127.0.0.1:9/bb.tar.gz', 'pulled', @a{sv} {})");
        assert_denied_fd(h, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, "ImportTemplateTar",
                         "(handle 0, 'tarred', @a{sv} {})", "/dev/null");
        assert_denied_fd(h, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, "ImportTemplateRaw",
                         "(handle 0, 'raw', @a{sv} {})", "/dev/null");
        assert_denied_fd(h, ZONED_MANAGER_PATH, ZONED_MANAGER_IFACE, "ExportZoneTar",
                         "('z1', handle 0, @a{sv} {})", export_file);
        cancel_args = g_strdup_printf("(uint32 %u,)", id);
        assert_manager_denied(h, "CancelTransfer", cancel_args);
        assert_denied(h, transfer, ZONED_TRANSFER_IFACE, "Cancel", NULL);

        /* No transfer came or went, the held one goes on, nothing was exported or made. */
        assert_nothing_changed(h, w, "stopped", 0);
        for (guint i = events; i < h->events->len; i++)
                if (g_str_has_prefix(h->events->pdata[i], "Transfer"))
                        g_error("after refused calls: %s", (const char *) h->events->pdata[i]);
        list = harness_manager_call(h, "ListTransfers", NULL, "(a(ussdo))", &error);
        g_assert_no_error(error);
        listed = g_variant_print(list, FALSE);
        g_assert_nonnull(strstr(listed, transfer));
        g_variant_unref(g_steal_pointer(&list));
        list = harness_call(h, transfer, "org.freedesktop.DBus.Properties", "Get",
                            g_variant_new("(ss)", ZONED_TRANSFER_IFACE, "State"), "(v)", &error);
        g_assert_no_error(error);
        state = g_variant_print(list, FALSE);
        g_assert_cmpstr(state, ==, "(<'running'>,)");
        g_assert_true(g_file_get_contents(export_file, &out, &len, NULL));
        g_assert_cmpuint(len, ==, 0);
        templates = g_build_filename(h->state_dir, ".templates", NULL);
        d = g_dir_open(templates, 0, NULL);
        g_assert_nonnull(d);
        while ((name = g_dir_read_name(d)))
                if (strstr(name, "pulled") || strstr(name, "tarred") || strstr(name, "raw"))
                        g_error("a refused call left %s/%s", templates, name);

        reply = harness_manager_call(h, "CancelTransfer", g_variant_new("(u)", id), "()", &error);
        g_assert_no_error(error);
        g_free(result);
        result = harness_wait_transfer_removed(h, id, transfer, HARNESS_TRANSFER_TIMEOUT_MS);
        g_assert_cmpstr(result, ==, "canceled");
        close(write_end);
}

static void test_zonectl(Harness *h, gconstpointer data) {
        g_auto(HarnessRun) list = { 0 }, create = { 0 }, shell = { 0 };
        g_autofree char *path = NULL, *z3 = NULL;
        const char *const nobody_env[] = { "HOME=/nonexistent", NULL };

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);

        harness_zonectl_full(h, &list,
                             &(HarnessSpawn) { .argv = (const char *const[]) { "list", NULL },
                                               .env_set = nobody_env,
                                               .as_nobody = true });
        harness_assert_run(&list, 0, "zonectl list as uid 65534");
        g_assert_nonnull(strstr(list.out, "z1"));

        harness_zonectl_full(
                h, &create,
                &(HarnessSpawn) { .argv = (const char *const[]) { "create", "z3", "-t", "bb", NULL },
                                  .env_set = nobody_env,
                                  .as_nobody = true });
        g_assert_cmpint(create.status, !=, 0);
        g_assert_cmpstr(create.err, !=, "");
        z3 = g_strdup_printf("%s/z3.zone", h->config_dir);
        g_assert_false(g_file_test(z3, G_FILE_TEST_EXISTS));

        /* shell enters the zone itself: a user other than root is told that, not about a file. */
        harness_boot_zone(h, "z1");
        harness_zonectl_full(
                h, &shell,
                &(HarnessSpawn) { .argv = (const char *const[]) { "shell", "z1", "--", "true", NULL },
                                  .env_set = nobody_env,
                                  .as_nobody = true });
        g_test_message("zonectl shell as uid 65534: %s", shell.err);
        g_assert_cmpint(shell.status, !=, 0);
        g_assert_nonnull(strstr(shell.err, "needs root"));
        g_assert_null(strstr(shell.err, "system call filter"));
        harness_poweroff_zone(h, "z1");
}

/* Root's own long argv is read in linear time: the zone is not running, and root is told so. */
static void test_long_argv_root(Harness *h, gconstpointer data) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *path = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        reply = harness_manager_call(h, "OpenZoneShell", long_argv_params("z1", LONG_ARGV), NULL, &error);
        harness_assert_dbus_error(error, "org.zoned1.Error.NotRunning");
}

/* The long argv of uid 65534 is refused before it is read, and root is answered meanwhile. */
static void test_long_argv_nobody(Harness *h, gconstpointer data) {
        g_autofree char *exe = self_exe(), *count = g_strdup_printf("%u", LONG_ARGV);
        g_autofree char *result = NULL, *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) list = NULL;
        const char *const argv[] = { exe, "--long-argv", h->bus_address, "z1", count, NULL };
        char line[256];
        int out[2], status;
        FILE *f;
        pid_t pid;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        g_assert_no_errno(pipe2(out, O_CLOEXEC));
        pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                /* Only async-signal-safe calls: the test has threads. */
                if (dup2(out[1], STDOUT_FILENO) < 0 || setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
                    setuid(65534) < 0)
                        _exit(126);
                execv(exe, (char **) argv);
                _exit(127);
        }
        close(out[1]);
        f = fdopen(out[0], "r");
        g_assert_nonnull(f);
        g_assert_nonnull(fgets(line, sizeof(line), f));
        g_assert_cmpstr(line, ==, "sent\n");
        list = harness_manager_call(h, "ListZones", NULL, "(a(sssso))", &error);
        g_assert_no_error(error);
        g_assert_nonnull(fgets(line, sizeof(line), f));
        g_assert_cmpstr(g_strstrip(line), ==, "ERROR " ACCESS_DENIED);
        fclose(f);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The unreadable argv through the private socket (no bus daemon checks it there). */
static char *raw_long_argv(Harness *h, bool as_nobody) {
        g_autofree char *exe = self_exe(), *socket = g_build_filename(h->runtime_dir, "bus", NULL);
        g_auto(HarnessRun) r = { 0 };

        harness_run(&(HarnessSpawn) { .argv = (const char *const[]) { exe, "--raw-long-argv", socket, NULL },
                                      .as_nobody = as_nobody },
                    &r);
        harness_assert_run(&r, 0, "raw client with an unreadable argv");
        return g_strdup(g_strstrip(r.out));
}

/* uid 65534 is refused before its arguments are read: it gets AccessDenied for an argv that
 * root, whose arguments are read, is told cannot be read. */
static void test_unread_argv(Harness *h, gconstpointer data) {
        g_autofree char *path = NULL, *nobody = NULL, *root = NULL;

        if (harness_skipped(h))
                return;
        harness_import_busybox(h);
        path = harness_create_zone(h, "z1", "bb", false);
        root = raw_long_argv(h, false);
        g_test_message("root's unreadable argv: %s", root);
        g_assert_true(g_str_has_prefix(root, "ERROR "));
        g_assert_cmpstr(root, !=, "ERROR " ACCESS_DENIED);
        g_assert_cmpstr(root, !=, "ERROR org.zoned1.Error.NotRunning");
        nobody = raw_long_argv(h, true);
        g_assert_cmpstr(nobody, ==, "ERROR " ACCESS_DENIED);
}

int main(int argc, char *argv[]) {
        if (argc > 1 && g_str_equal(argv[1], "--as-client"))
                return client_main(argc, argv);
        if (argc > 1 && g_str_equal(argv[1], "--long-argv"))
                return long_argv_main(argc, argv);
        if (argc > 1 && g_str_equal(argv[1], "--raw-long-argv"))
                return raw_long_argv_main(argc, argv);
        harness_init(&argc, &argv);
        HARNESS_TEST("/access/stopped-zone", test_stopped_zone, HARNESS_DEFAULT);
        HARNESS_TEST("/access/running-zone", test_running_zone, HARNESS_DEFAULT);
        HARNESS_TEST("/access/terminals", test_terminals, HARNESS_DEFAULT);
        HARNESS_TEST("/access/transfers", test_transfers, HARNESS_DEFAULT);
        HARNESS_TEST("/access/zonectl", test_zonectl, HARNESS_ZONECTL);
        HARNESS_TEST("/access/long-argv-root", test_long_argv_root, HARNESS_DEFAULT);
        HARNESS_TEST("/access/long-argv-nobody", test_long_argv_nobody, HARNESS_DEFAULT);
        HARNESS_TEST("/access/unread-argv", test_unread_argv, HARNESS_PRIVATE_SOCKET);
        return g_test_run();
}
