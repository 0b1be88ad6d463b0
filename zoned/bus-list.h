/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <systemd/sd-bus.h>

/* Appends one element of a list reply (its D-Bus signature is the caller's). */
typedef int (*BusListAppend)(sd_bus_message *reply, gconstpointer item);

/* Answers call with an array of items, in their order, each appended by append as one element of
 * signature element (e.g. "(ss)"). */
int bus_reply_list(sd_bus_message *call, GPtrArray *items, const char *element, BusListAppend append);
/* Answers call with an array of the values of table, sorted by compare (which gets pointers to
 * the values, as g_ptr_array_sort() passes them), each appended by append as one element of
 * signature element (e.g. "(ss)"). The List* methods of the manager all look like this. */
int bus_reply_sorted_list(sd_bus_message *call, GHashTable *table, GCompareFunc compare, const char *element,
                          BusListAppend append);

/* Reads an "as" argument of a call into a NULL-terminated list (freed with strv_free()), in time
 * linear in its length: sd_bus_message_read_strv() appends each string by walking the list. */
int bus_read_strv(sd_bus_message *m, char ***ret);
