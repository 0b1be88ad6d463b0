/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib.h>
#include <math.h>

#include "table.h"

static void test_json_escape(void) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "", "\"\"" },
                { "web", "\"web\"" },
                { "a\"b", "\"a\\\"b\"" },
                { "back\\slash", "\"back\\\\slash\"" },
                { "tab\there", "\"tab\\there\"" },
                { "nl\ncr\r", "\"nl\\ncr\\r\"" },
                { "\b\f", "\"\\b\\f\"" },
                { "\x01\x1f", "\"\\u0001\\u001f\"" },
                { "\x7f", "\"\x7f\"" },
                { "z\xc3\xb6ne \xe2\x98\x83", "\"z\xc3\xb6ne \xe2\x98\x83\"" }, /* UTF-8 passes through */
                { "</script>", "\"</script>\"" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                char *e = json_escape(cases[i].in);
                g_assert_nonnull(e);
                g_assert_cmpstr(e, ==, cases[i].out);
                free(e);
        }
}

static const TableColumn columns[] = {
        { "NAME", "name", CELL_STRING },
        { "SIZE", "size", CELL_SIZE },
        { "PROGRESS", "progress", CELL_PERCENT },
        { "DESCRIPTION", "description", CELL_STRING },
};

static Table *make_table(void) {
        Table *t = table_new(columns, G_N_ELEMENTS(columns));

        g_assert_nonnull(t);
        g_assert_cmpint(table_add_string(t, "web"), ==, 0);
        g_assert_cmpint(table_add_size(t, 1536), ==, 0);
        g_assert_cmpint(table_add_percent(t, 0.5), ==, 0);
        g_assert_cmpint(table_add_string(t, "a \"quoted\"\tvalue"), ==, 0);
        g_assert_cmpint(table_add_string(t, "db"), ==, 0);
        g_assert_cmpint(table_add_size(t, 10), ==, 0);
        g_assert_cmpint(table_add_percent(t, NAN), ==, 0);
        g_assert_cmpint(table_add_string(t, "z\xc3\xb6ne"), ==, 0);
        return t;
}

static char *print_to_string(Table *t, bool json, bool legend, size_t width) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        g_assert_nonnull(f);
        if (json)
                g_assert_cmpint(table_print_json(t, f), ==, 0);
        else
                g_assert_cmpint(table_print(t, f, legend, width), ==, 0);
        fclose(f);
        return buf;
}

static void test_table_text(void) {
        Table *t = make_table();
        char *s;

        table_sort(t, 0);
        s = print_to_string(t, false, true, 0);
        g_assert_cmpstr(s, ==,
                        "NAME SIZE PROGRESS DESCRIPTION\n"
                        "db    10B        - z\xc3\xb6ne\n"
                        "web  1.5K      50% a \"quoted\"\tvalue\n");
        free(s);
        s = print_to_string(t, false, false, 0);
        g_assert_cmpstr(s, ==,
                        "db   10B   - z\xc3\xb6ne\n"
                        "web 1.5K 50% a \"quoted\"\tvalue\n");
        free(s);
        /* 30 columns: the header fits exactly, the last cell is cut, with "…" as its last column. */
        s = print_to_string(t, false, true, 30);
        g_assert_cmpstr(s, ==,
                        "NAME SIZE PROGRESS DESCRIPTION\n"
                        "db    10B        - z\xc3\xb6ne\n"
                        "web  1.5K      50% a \"quoted\"…\n");
        free(s);
        s = print_to_string(t, false, true, 29);
        g_assert_cmpstr(s, ==,
                        "NAME SIZE PROGRESS DESCRIPTI…\n"
                        "db    10B        - z\xc3\xb6ne\n"
                        "web  1.5K      50% a \"quoted…\n");
        free(s);
        table_free(t);
}

static void test_table_json(void) {
        Table *t = make_table();
        char *s = print_to_string(t, true, false, 0);

        g_assert_cmpstr(s, ==,
                        "[{\"name\":\"web\",\"size\":1536,\"progress\":0.5,"
                        "\"description\":\"a \\\"quoted\\\"\\tvalue\"},"
                        "{\"name\":\"db\",\"size\":10,\"progress\":null,"
                        "\"description\":\"z\xc3\xb6ne\"}]\n");
        free(s);
        table_free(t);

        t = table_new(columns, G_N_ELEMENTS(columns));
        s = print_to_string(t, true, false, 0);
        g_assert_cmpstr(s, ==, "[]\n");
        free(s);
        table_free(t);
}

static void test_table_types(void) {
        Table *t = table_new(columns, G_N_ELEMENTS(columns));

        /* A cell of the wrong type for its column is refused. */
        g_assert_cmpint(table_add_size(t, 1), ==, -EINVAL);
        g_assert_cmpint(table_add_string(t, "x"), ==, 0);
        g_assert_cmpint(table_add_string(t, "x"), ==, -EINVAL);
        table_free(t);
}

static void test_table_sort_numbers(void) {
        static const TableColumn cols[] = { { "ID", "id", CELL_UINT } };
        Table *t = table_new(cols, 1);
        char *s;

        g_assert_cmpint(table_add_uint(t, 10), ==, 0);
        g_assert_cmpint(table_add_uint(t, 9), ==, 0);
        g_assert_cmpint(table_add_uint(t, 100), ==, 0);
        table_sort(t, 0);
        s = print_to_string(t, false, false, 0);
        g_assert_cmpstr(s, ==, "  9\n 10\n100\n");
        free(s);
        table_free(t);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/zonectl/json-escape", test_json_escape);
        g_test_add_func("/zonectl/table/text", test_table_text);
        g_test_add_func("/zonectl/table/json", test_table_json);
        g_test_add_func("/zonectl/table/types", test_table_types);
        g_test_add_func("/zonectl/table/sort-numbers", test_table_sort_numbers);
        return g_test_run();
}
