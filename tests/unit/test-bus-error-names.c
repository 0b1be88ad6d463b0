/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one table of zoned's D-Bus error names: each under org.zoned1.Error., once, and each
 * read back by a client as its errno. */

#include <errno.h>
#include <glib.h>
#include <stdbool.h>

#include "bus-error-map.h"

static void test_table(void) {
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        unsigned n = 0;

        g_assert_cmpint(sd_bus_error_add_map(zoned_error_map), >=, 0);
        for (const sd_bus_error_map *m = zoned_error_map; m->code != 0; m++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;

                if (!m->name) /* SD_BUS_ERROR_MAP_END */
                        break;
                g_assert_true(g_str_has_prefix(m->name, ZONED_ERROR_PREFIX));
                g_assert_false(g_hash_table_contains(seen, m->name));
                g_hash_table_add(seen, (gpointer) m->name);
                g_assert_cmpint(m->code, >, 0);
                g_assert_cmpint(sd_bus_error_set(&e, m->name, "x"), ==, -m->code);
                g_assert_cmpint(sd_bus_error_get_errno(&e), ==, m->code);
                sd_bus_error_free(&e);
                n++;
        }
        g_assert_cmpuint(n, >=, 15);
}

/* The network's names, each read back by a client as the errno zoned's network code returns. */
static void test_network(void) {
        const struct {
                const char *name;
                int code;
        } names[] = {
                { ZONED_ERROR_ADDRESS_IN_USE, EADDRINUSE },
                { ZONED_ERROR_ADDRESS_NOT_IN_POOL, EADDRNOTAVAIL },
                { ZONED_ERROR_POOL_EXHAUSTED, ENOSPC },
                { ZONED_ERROR_POOL_OVERLAP, ENOTUNIQ },
                { ZONED_ERROR_PORT_IN_USE, EADDRINUSE },
                { ZONED_ERROR_NO_SUCH_INTERFACE, ENODEV },
                { ZONED_ERROR_NOT_SUPPORTED, EOPNOTSUPP },
        };

        g_assert_cmpint(sd_bus_error_add_map(zoned_error_map), >=, 0);
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                bool found = false;

                for (const sd_bus_error_map *m = zoned_error_map; m->name; m++)
                        found = found || g_str_equal(m->name, names[i].name);
                g_assert_true(found);
                g_assert_cmpint(sd_bus_error_set(&e, names[i].name, "x"), ==, -names[i].code);
                g_assert_cmpint(sd_bus_error_get_errno(&e), ==, names[i].code);
                sd_bus_error_free(&e);
        }
        g_assert_cmpstr(ZONED_ERROR_POOL_EXHAUSTED, ==, "org.zoned1.Error.PoolExhausted");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/bus-error-names/table", test_table);
        g_test_add_func("/bus-error-names/network", test_network);
        return g_test_run();
}
