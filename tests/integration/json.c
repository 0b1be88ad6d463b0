/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small recursive-descent JSON reader, only for the tests. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH 64

typedef struct Parser {
        const char *p;
        char *error;
        unsigned depth;
} Parser;

static GVariant *parse_value(Parser *ps);

static void fail(Parser *ps, const char *what) {
        if (!ps->error)
                ps->error = g_strdup_printf("%s at \"%.20s\"", what, ps->p);
}

static void skip_ws(Parser *ps) {
        while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
                ps->p++;
}

static bool literal(Parser *ps, const char *word) {
        size_t n = strlen(word);

        if (strncmp(ps->p, word, n) != 0)
                return false;
        ps->p += n;
        return true;
}

static int hex4(const char *s) {
        int v = 0;

        for (int i = 0; i < 4; i++) {
                int d = g_ascii_xdigit_value(s[i]);
                if (d < 0)
                        return -1;
                v = v * 16 + d;
        }
        return v;
}

static bool parse_escape(Parser *ps, GString *s) {
        const char *map = "\"\"\\\\//b\bf\fn\nr\rt\t";
        int cp, lo;

        for (const char *m = map; *m; m += 2)
                if (*ps->p == m[0]) {
                        g_string_append_c(s, m[1]);
                        ps->p++;
                        return true;
                }
        if (*ps->p != 'u' || (cp = hex4(ps->p + 1)) < 0)
                return false;
        ps->p += 5;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (ps->p[0] != '\\' || ps->p[1] != 'u' || (lo = hex4(ps->p + 2)) < 0xDC00 || lo > 0xDFFF)
                        return false;
                ps->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                return false;
        g_string_append_unichar(s, (gunichar) cp);
        return true;
}

static char *parse_string(Parser *ps) {
        g_autoptr(GString) s = g_string_new(NULL);

        if (*ps->p != '"')
                return fail(ps, "expected a string"), NULL;
        ps->p++;
        while (*ps->p != '"') {
                if ((unsigned char) *ps->p < 0x20)
                        return fail(ps, "control character or end of input in a string"), NULL;
                if (*ps->p == '\\') {
                        ps->p++;
                        if (!parse_escape(ps, s))
                                return fail(ps, "bad escape"), NULL;
                } else
                        g_string_append_c(s, *ps->p++);
        }
        ps->p++;
        if (!g_utf8_validate(s->str, s->len, NULL))
                return fail(ps, "string is not UTF-8"), NULL;
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static GVariant *parse_number(Parser *ps) {
        const char *start = ps->p;
        g_autofree char *text = NULL;

        if (*ps->p == '-')
                ps->p++;
        if (*ps->p == '0')
                ps->p++;
        else if (g_ascii_isdigit(*ps->p))
                while (g_ascii_isdigit(*ps->p))
                        ps->p++;
        else
                return fail(ps, "bad number"), NULL;
        if (*ps->p == '.') {
                ps->p++;
                if (!g_ascii_isdigit(*ps->p))
                        return fail(ps, "bad fraction"), NULL;
                while (g_ascii_isdigit(*ps->p))
                        ps->p++;
        }
        if (*ps->p == 'e' || *ps->p == 'E') {
                ps->p++;
                if (*ps->p == '+' || *ps->p == '-')
                        ps->p++;
                if (!g_ascii_isdigit(*ps->p))
                        return fail(ps, "bad exponent"), NULL;
                while (g_ascii_isdigit(*ps->p))
                        ps->p++;
        }
        text = g_strndup(start, ps->p - start);
        return g_variant_new_double(g_ascii_strtod(text, NULL));
}

static GVariant *parse_object(Parser *ps) {
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{sv}"));

        ps->p++; /* { */
        skip_ws(ps);
        if (*ps->p == '}') {
                ps->p++;
                return g_variant_builder_end(&b);
        }
        for (;;) {
                g_autofree char *key = NULL;
                GVariant *v;

                skip_ws(ps);
                key = parse_string(ps);
                if (!key)
                        return NULL;
                skip_ws(ps);
                if (*ps->p++ != ':')
                        return fail(ps, "expected ':'"), NULL;
                v = parse_value(ps);
                if (!v)
                        return NULL;
                g_variant_builder_add(&b, "{sv}", key, v);
                skip_ws(ps);
                if (*ps->p == '}') {
                        ps->p++;
                        return g_variant_builder_end(&b);
                }
                if (*ps->p++ != ',')
                        return fail(ps, "expected ',' or '}'"), NULL;
        }
}

static GVariant *parse_array(Parser *ps) {
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("av"));

        ps->p++; /* [ */
        skip_ws(ps);
        if (*ps->p == ']') {
                ps->p++;
                return g_variant_builder_end(&b);
        }
        for (;;) {
                GVariant *v = parse_value(ps);

                if (!v)
                        return NULL;
                g_variant_builder_add(&b, "v", v);
                skip_ws(ps);
                if (*ps->p == ']') {
                        ps->p++;
                        return g_variant_builder_end(&b);
                }
                if (*ps->p++ != ',')
                        return fail(ps, "expected ',' or ']'"), NULL;
        }
}

static GVariant *parse_value(Parser *ps) {
        GVariant *v = NULL;

        if (++ps->depth > JSON_MAX_DEPTH)
                return fail(ps, "nested too deep"), NULL;
        skip_ws(ps);
        if (*ps->p == '{')
                v = parse_object(ps);
        else if (*ps->p == '[')
                v = parse_array(ps);
        else if (*ps->p == '"') {
                char *s = parse_string(ps);
                v = s ? g_variant_new_take_string(s) : NULL;
        } else if (literal(ps, "true"))
                v = g_variant_new_boolean(TRUE);
        else if (literal(ps, "false"))
                v = g_variant_new_boolean(FALSE);
        else if (literal(ps, "null"))
                v = g_variant_new_maybe(G_VARIANT_TYPE_VARIANT, NULL);
        else
                v = parse_number(ps);
        ps->depth--;
        return v;
}

GVariant *json_parse(const char *text, char **ret_error) {
        Parser ps = { .p = text };
        g_autoptr(GVariant) v = parse_value(&ps);

        if (v) {
                g_variant_ref_sink(v);
                skip_ws(&ps);
                if (*ps.p)
                        fail(&ps, "trailing data");
        }
        if (ps.error) {
                if (ret_error)
                        *ret_error = g_steal_pointer(&ps.error);
                g_free(ps.error);
                return NULL;
        }
        return g_steal_pointer(&v);
}
