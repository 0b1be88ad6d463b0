/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdint.h>

#include "bus-options.h"
#include "macro.h"

static int read_value(sd_bus_message *msg, const BusOption *o) {
        int b, r;

        switch (o->type[0]) {
        case 'b':
                r = sd_bus_message_read(msg, "v", "b", &b);
                if (r >= 0)
                        *(bool *) o->ret = b;
                return r;
        case 's':
                return sd_bus_message_read(msg, "v", "s", (const char **) o->ret);
        case 'u':
                return sd_bus_message_read(msg, "v", "u", (uint32_t *) o->ret);
        case 't':
                return sd_bus_message_read(msg, "v", "t", (uint64_t *) o->ret);
        default:
                return -EINVAL;
        }
}

static const char *type_name(const char *type) {
        switch (type[0]) {
        case 'b':
                return "a boolean (b)";
        case 's':
                return "a string (s)";
        case 'u':
                return "a 32-bit unsigned integer (u)";
        case 't':
                return "a 64-bit unsigned integer (t)";
        default:
                return type;
        }
}

static int read_option(sd_bus_message *msg, const char *key, const BusOption *options, size_t n_options,
                       bus_option_unknown_func unknown, void *userdata, sd_bus_error *error) {
        int r;

        for (size_t i = 0; i < n_options; i++) {
                if (!streq(options[i].key, key))
                        continue;
                r = read_value(msg, &options[i]);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option %s must be %s.",
                                                 key, type_name(options[i].type));
                return 0;
        }
        r = unknown ? unknown(msg, key, userdata, error) : -ENOENT;
        if (r == -ENOENT)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option \"%s\".", key);
        return r;
}

/* Whether key is among the n keys before it (a key given twice). Every key seen was accepted, so
 * n stays below the number of keys a call takes: the walk is short however long the list is. */
static bool seen_before(char **seen, size_t n, const char *key) {
        for (size_t i = 0; i < n; i++)
                if (streq(seen[i], key))
                        return true;
        return false;
}

int bus_read_options_full(sd_bus_message *msg, const BusOption *options, size_t n_options,
                          bus_option_unknown_func unknown, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char **seen = NULL;
        size_t n_seen = 0;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key;
                char **n;

                r = sd_bus_message_read(msg, "s", &key);
                if (r < 0)
                        return r;
                if (seen_before(seen, n_seen, key))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option \"%s\" is given twice.", key);
                r = read_option(msg, key, options, n_options, unknown, userdata, error);
                if (r < 0)
                        return r;
                n = realloc(seen, sizeof(char *) * (n_seen + 1));
                if (!n)
                        return -ENOMEM;
                seen = n;
                seen[n_seen++] = (char *) key; /* points into msg, which outlives this call */
                r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(msg);
        return r < 0 ? r : 0;
}
