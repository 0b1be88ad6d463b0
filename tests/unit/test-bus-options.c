/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bus_read_options() on real sd-bus messages, built as a client would send them. */

#include <glib.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus-options.h"
#include "macro.h"

typedef struct Options {
        const char *brand;
        bool force;
        uint32_t timeout;
        uint64_t max_bytes;
} Options;

/* A sealed call whose body is one a{sv} built by append, rewound for reading. */
typedef int (*append_func)(sd_bus_message *m);

static sd_bus_message *make_call(sd_bus *bus, append_func append) {
        sd_bus_message *m = NULL;

        g_assert_cmpint(sd_bus_message_new_method_call(bus, &m, "org.zoned1", "/org/zoned1",
                                                       "org.zoned1.Manager", "Test"),
                        >=, 0);
        g_assert_cmpint(sd_bus_message_open_container(m, 'a', "{sv}"), >=, 0);
        g_assert_cmpint(append(m), >=, 0);
        g_assert_cmpint(sd_bus_message_close_container(m), >=, 0);
        g_assert_cmpint(sd_bus_message_seal(m, 1, 0), >=, 0);
        g_assert_cmpint(sd_bus_message_rewind(m, true), >=, 0);
        return m;
}

static int read_all(sd_bus_message *m, Options *o, sd_bus_error *error) {
        return bus_read_options(m, error, { "brand", "s", &o->brand }, { "force", "b", &o->force },
                                { "timeout-sec", "u", &o->timeout }, { "max-bytes", "t", &o->max_bytes });
}

/* sd-bus makes messages only for a bus that is open: one end of a socketpair whose
 * authentication has begun (nothing is ever sent; the other end is closed with the bus). */
static sd_bus *new_bus(void) {
        sd_bus *bus = NULL;
        int sv[2];

        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        g_assert_cmpint(sd_bus_new(&bus), >=, 0);
        g_assert_cmpint(sd_bus_set_fd(bus, sv[0], sv[0]), >=, 0);
        g_assert_cmpint(sd_bus_start(bus), >=, 0);
        close(sv[1]);
        return bus;
}

static int append_good(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}{sv}{sv}", "brand", "s", "busybox", "force", "b", 1,
                                     "timeout-sec", "u", (uint32_t) 7, "max-bytes", "t", UINT64_C(1) << 40);
}

static int append_none(sd_bus_message *m) {
        return 0;
}

static int append_unknown(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}", "brandx", "s", "busybox");
}

static int append_wrong_type(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}", "force", "s", "yes");
}

static int append_narrow_type(sd_bus_message *m) {
        /* u where t is asked for: D-Bus does not widen. */
        return sd_bus_message_append(m, "{sv}", "max-bytes", "u", (uint32_t) 5);
}

static int append_twice(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "brand", "s", "a", "brand", "s", "b");
}

static void test_good(void) {
        sd_bus *bus = new_bus();
        sd_bus_message *m = make_call(bus, append_good);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        Options o = {};

        g_assert_cmpint(read_all(m, &o, &error), ==, 0);
        g_assert_false(sd_bus_error_is_set(&error));
        g_assert_cmpstr(o.brand, ==, "busybox");
        g_assert_true(o.force);
        g_assert_cmpuint(o.timeout, ==, 7);
        g_assert_cmpuint(o.max_bytes, ==, UINT64_C(1) << 40);
        /* The whole argument was read: the message is at its end. */
        g_assert_cmpint(sd_bus_message_at_end(m, true), >, 0);
        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
}

static void test_none(void) {
        sd_bus *bus = new_bus();
        sd_bus_message *m = make_call(bus, append_none);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        Options o = { .brand = "kept", .timeout = 3 };

        g_assert_cmpint(read_all(m, &o, &error), ==, 0);
        g_assert_cmpstr(o.brand, ==, "kept");
        g_assert_cmpuint(o.timeout, ==, 3);
        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
}

static void assert_refused(append_func append, const char *words) {
        sd_bus *bus = new_bus();
        sd_bus_message *m = make_call(bus, append);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        Options o = {};

        g_assert_cmpint(read_all(m, &o, &error), <, 0);
        g_assert_cmpstr(error.name, ==, SD_BUS_ERROR_INVALID_ARGS);
        g_assert_nonnull(strstr(error.message, words));
        sd_bus_error_free(&error);
        sd_bus_message_unref(m);
        sd_bus_flush_close_unref(bus);
}

static void test_refused(void) {
        assert_refused(append_unknown, "Unknown option \"brandx\"");
        assert_refused(append_wrong_type, "force must be a boolean");
        assert_refused(append_narrow_type, "max-bytes must be a 64-bit unsigned integer");
        assert_refused(append_twice, "\"brand\" is given twice");
}

/* Keys outside the table go to the caller's function, which may take them or refuse them. */
static int take_limits(sd_bus_message *m, const char *key, void *userdata, sd_bus_error *error) {
        uint64_t *v = userdata;

        if (!g_str_has_prefix(key, "Limit"))
                return -ENOENT;
        return sd_bus_message_read(m, "v", "t", v);
}

static int append_limit(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "brand", "s", "x", "LimitFoo", "t", UINT64_C(42));
}

static void test_unknown_func(void) {
        sd_bus *bus = new_bus();
        sd_bus_message *m = make_call(bus, append_limit), *m2 = make_call(bus, append_unknown);
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *brand = NULL;
        uint64_t limit = 0;
        const BusOption table[] = { { "brand", "s", &brand } };

        g_assert_cmpint(bus_read_options_full(m, table, 1, take_limits, &limit, &error), ==, 0);
        g_assert_cmpstr(brand, ==, "x");
        g_assert_cmpuint(limit, ==, 42);
        g_assert_cmpint(bus_read_options_full(m2, table, 1, take_limits, &limit, &error), <, 0);
        g_assert_cmpstr(error.name, ==, SD_BUS_ERROR_INVALID_ARGS);
        sd_bus_error_free(&error);
        sd_bus_message_unref(m);
        sd_bus_message_unref(m2);
        sd_bus_flush_close_unref(bus);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/bus-options/good", test_good);
        g_test_add_func("/bus-options/none", test_none);
        g_test_add_func("/bus-options/refused", test_refused);
        g_test_add_func("/bus-options/unknown-func", test_unknown_func);
        return g_test_run();
}
