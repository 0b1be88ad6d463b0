/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>

#include "bus-print.h"
#include "macro.h"

static int basic_to_string(sd_bus_message *m, char type, char **ret) {
        union {
                uint8_t y;
                int b;
                int16_t n;
                uint16_t q;
                int32_t i;
                uint32_t u;
                int64_t x;
                uint64_t t;
                double d;
                const char *s;
                int h;
        } v;
        int r;

        r = sd_bus_message_read_basic(m, type, &v);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        switch (type) {
        case 'y':
                r = asprintf(ret, "%u", (unsigned) v.y);
                break;
        case 'b':
                *ret = strdup(v.b ? "yes" : "no");
                return *ret ? 0 : -ENOMEM;
        case 'n':
                r = asprintf(ret, "%" PRIi16, v.n);
                break;
        case 'q':
                r = asprintf(ret, "%" PRIu16, v.q);
                break;
        case 'i':
                r = asprintf(ret, "%" PRIi32, v.i);
                break;
        case 'u':
                r = asprintf(ret, "%" PRIu32, v.u);
                break;
        case 'x':
                r = asprintf(ret, "%" PRIi64, v.x);
                break;
        case 't':
                r = asprintf(ret, "%" PRIu64, v.t);
                break;
        case 'd':
                r = asprintf(ret, "%g", v.d);
                break;
        case 's':
        case 'o':
        case 'g':
                *ret = strdup(v.s);
                return *ret ? 0 : -ENOMEM;
        default:
                return -EOPNOTSUPP;
        }
        return r < 0 ? -ENOMEM : 0;
}

static bool type_is_printable(char t) {
        return t && strchr("ybnqiuxtdsog", t);
}

/* A struct of basic types, "(sqq)": its fields joined with ':' ("tcp:8080:80"). */
static bool struct_is_printable(const char *sig) {
        size_t n = strlen(sig);

        if (n < 3 || sig[0] != '(' || sig[n - 1] != ')')
                return false;
        for (size_t i = 1; i < n - 1; i++)
                if (!type_is_printable(sig[i]))
                        return false;
        return true;
}

static int struct_to_string(sd_bus_message *m, const char *sig, char **ret) {
        _cleanup_free_ char *inner = strndup(sig + 1, strlen(sig) - 2), *joined = strdup("");
        int r;

        if (!inner || !joined)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, 'r', inner);
        if (r < 0)
                return r;
        for (const char *t = inner; *t; t++) {
                _cleanup_free_ char *field = NULL;
                char *n;

                r = basic_to_string(m, *t, &field);
                if (r < 0)
                        return r;
                if (asprintf(&n, "%s%s%s", joined, t == inner ? "" : ":", field) < 0)
                        return -ENOMEM;
                free(joined);
                joined = n;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(joined);
        return 0;
}

/* An array of a basic type or of printable structs: its items joined with ' '. */
static int array_to_string(sd_bus_message *m, const char *sig, char **ret) {
        _cleanup_free_ char *joined = strdup("");
        int r;

        if (!joined)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, 'a', sig);
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_free_ char *item = NULL;
                char *n;

                r = sd_bus_message_at_end(m, false);
                if (r < 0)
                        return r;
                if (r > 0)
                        break;
                r = sig[0] == '(' ? struct_to_string(m, sig, &item) : basic_to_string(m, sig[0], &item);
                if (r < 0)
                        return r;
                if (asprintf(&n, "%s%s%s", joined, *joined ? " " : "", item) < 0)
                        return -ENOMEM;
                free(joined);
                joined = n;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(joined);
        return 0;
}

int bus_variant_to_string(sd_bus_message *m, char **ret) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;
        if (type_is_printable(contents[0]) && contents[1] == 0)
                type = contents[0];
        else if (contents[0] == 'a' &&
                 ((type_is_printable(contents[1]) && contents[2] == 0) || struct_is_printable(contents + 1)))
                type = 'a';
        else {
                r = sd_bus_message_skip(m, "v");
                return r < 0 ? r : -EOPNOTSUPP;
        }

        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        if (type == 'a')
                r = array_to_string(m, contents + 1, ret);
        else
                r = basic_to_string(m, type, ret);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}
