/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bus-list.h"
#include "macro.h"

int bus_reply_list(sd_bus_message *call, GPtrArray *items, const char *element, BusListAppend append) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', element);
        if (r < 0)
                return r;
        for (guint i = 0; i < items->len; i++) {
                r = append(reply, items->pdata[i]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

int bus_reply_sorted_list(sd_bus_message *call, GHashTable *table, GCompareFunc compare, const char *element,
                          BusListAppend append) {
        g_autoptr(GPtrArray) items = g_ptr_array_new();
        GHashTableIter it;
        gpointer v;

        g_hash_table_iter_init(&it, table);
        while (g_hash_table_iter_next(&it, NULL, &v))
                g_ptr_array_add(items, v);
        g_ptr_array_sort(items, compare);
        return bus_reply_list(call, items, element, append);
}

int bus_read_strv(sd_bus_message *m, char ***ret) {
        _cleanup_strv_free_ char **l = new0(char *, 1);
        size_t n = 0, allocated = 1;
        const char *s;
        int r;

        if (!l)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read_basic(m, 's', &s)) > 0) {
                char *c;

                if (n + 1 >= allocated) {
                        char **nl = reallocarray(l, allocated * 2, sizeof(char *));

                        if (!nl)
                                return -ENOMEM;
                        l = nl;
                        allocated *= 2;
                }
                c = strdup(s);
                if (!c)
                        return -ENOMEM;
                l[n++] = c;
                l[n] = NULL;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}
