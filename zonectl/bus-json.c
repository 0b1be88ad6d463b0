/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <math.h>

#include "bus-json.h"
#include "macro.h"
#include "table.h"

static int write_string(FILE *f, const char *s) {
        _cleanup_free_ char *q = json_escape(s);

        if (!q)
                return -ENOMEM;
        fputs(q, f);
        return 0;
}

static int write_basic(sd_bus_message *m, char type, FILE *f) {
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
        int r = sd_bus_message_read_basic(m, type, &v);

        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        switch (type) {
        case 'y':
                fprintf(f, "%u", (unsigned) v.y);
                return 0;
        case 'b':
                fputs(v.b ? "true" : "false", f);
                return 0;
        case 'n':
                fprintf(f, "%" PRIi16, v.n);
                return 0;
        case 'q':
                fprintf(f, "%" PRIu16, v.q);
                return 0;
        case 'i':
                fprintf(f, "%" PRIi32, v.i);
                return 0;
        case 'u':
                fprintf(f, "%" PRIu32, v.u);
                return 0;
        case 'x':
                fprintf(f, "%" PRIi64, v.x);
                return 0;
        case 't':
                if (v.t == UINT64_MAX)
                        fputs("null", f);
                else
                        fprintf(f, "%" PRIu64, v.t);
                return 0;
        case 'd':
                if (isfinite(v.d))
                        fprintf(f, "%.17g", v.d);
                else
                        fputs("null", f);
                return 0;
        case 's':
        case 'o':
        case 'g':
                return write_string(f, v.s);
        default: /* 'h': no fd is a value to print */
                fputs("null", f);
                return 0;
        }
}

/* The key of a dict entry, as a JSON string whatever its type. */
static int write_key(sd_bus_message *m, char type, FILE *f) {
        _cleanup_free_ char *text = NULL;
        FILE *mem;
        size_t n;
        int r;

        if (type == 's' || type == 'o' || type == 'g')
                return write_basic(m, type, f);
        mem = open_memstream(&text, &n);
        if (!mem)
                return -ENOMEM;
        r = write_basic(m, type, mem);
        fclose(mem);
        if (r < 0)
                return r;
        return write_string(f, text);
}

/* The members of the container entered: values separated by commas. */
static int write_members(sd_bus_message *m, FILE *f) {
        bool first = true;
        int r;

        while ((r = sd_bus_message_at_end(m, false)) == 0) {
                if (!first)
                        fputc(',', f);
                first = false;
                r = bus_write_json_value(m, f);
                if (r < 0)
                        return r;
        }
        return r < 0 ? r : 0;
}

/* a{..}: an object. contents is "{KV}". */
static int write_dict(sd_bus_message *m, const char *contents, FILE *f) {
        _cleanup_free_ char *entry = strndup(contents + 1, strlen(contents) - 2);
        bool first = true;
        int r;

        if (!entry)
                return -ENOMEM;
        r = sd_bus_message_enter_container(m, 'a', contents);
        if (r < 0)
                return r;
        fputc('{', f);
        while ((r = sd_bus_message_enter_container(m, 'e', entry)) > 0) {
                if (!first)
                        fputc(',', f);
                first = false;
                r = write_key(m, entry[0], f);
                if (r >= 0) {
                        fputc(':', f);
                        r = bus_write_json_value(m, f);
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        fputc('}', f);
        return sd_bus_message_exit_container(m);
}

int bus_write_json_value(sd_bus_message *m, FILE *f) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -EBADMSG;
        if (type == 'a' && contents[0] == '{')
                return write_dict(m, contents, f);
        if (type == 'a' || type == 'r' || type == 'v') {
                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                if (type == 'v')
                        r = bus_write_json_value(m, f);
                else {
                        fputc('[', f);
                        r = write_members(m, f);
                        fputc(']', f);
                }
                if (r < 0)
                        return r;
                return sd_bus_message_exit_container(m);
        }
        return write_basic(m, type, f);
}
