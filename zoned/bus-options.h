/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

/* The a{sv} options argument of a call, read against a table of the keys the call takes.
 *
 * Each BusOption names a key, the D-Bus type of its value and where the value goes:
 *     "s"  const char **   (points into the message)
 *     "b"  bool *
 *     "u"  uint32_t *
 *     "t"  uint64_t *
 * A key not in the table goes to unknown (when given): it reads the variant itself and returns 0,
 * or returns -ENOENT to let the key be refused. An unknown key, a value of another type or a key
 * given twice is InvalidArgs naming the key. Values read before a refusal stay where they were
 * put: callers act only on a 0 return. */
typedef struct BusOption {
        const char *key;
        const char *type;
        void *ret;
} BusOption;

typedef int (*bus_option_unknown_func)(sd_bus_message *msg, const char *key, void *userdata,
                                       sd_bus_error *error);

int bus_read_options_full(sd_bus_message *msg, const BusOption *options, size_t n_options,
                          bus_option_unknown_func unknown, void *userdata, sd_bus_error *error);

#define bus_read_options(msg, error, ...)                                                                  \
        bus_read_options_full((msg), (const BusOption[]) { __VA_ARGS__ },                                  \
                              sizeof((const BusOption[]) { __VA_ARGS__ }) / sizeof(BusOption), NULL, NULL, \
                              (error))
