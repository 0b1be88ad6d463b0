/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <math.h>

#include "format-util.h"
#include "macro.h"
#include "table.h"

typedef struct Cell {
        char *text; /* what a human sees */
        uint64_t u;
        double d;
} Cell;

struct Table {
        const TableColumn *columns;
        size_t n_columns;
        Cell *cells;
        size_t n_cells;
        size_t allocated;
};

Table *table_new(const TableColumn *columns, size_t n_columns) {
        Table *t;

        if (n_columns == 0)
                return NULL;
        t = new0(Table, 1);
        if (!t)
                return NULL;
        t->columns = columns;
        t->n_columns = n_columns;
        return t;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i].text);
        free(t->cells);
        free(t);
        return NULL;
}

static int table_add_cell(Table *t, CellType type, char *text, uint64_t u, double d) {
        if (!text)
                return -ENOMEM;
        if (t->columns[t->n_cells % t->n_columns].type != type) {
                free(text);
                return -EINVAL;
        }
        if (t->n_cells >= t->allocated) {
                size_t n = MAX(t->allocated * 2, (size_t) 16);
                Cell *c = realloc(t->cells, n * sizeof(Cell));

                if (!c) {
                        free(text);
                        return -ENOMEM;
                }
                t->cells = c;
                t->allocated = n;
        }
        t->cells[t->n_cells++] = (Cell) { .text = text, .u = u, .d = d };
        return 0;
}

int table_add_string(Table *t, const char *s) {
        return table_add_cell(t, CELL_STRING, strdup(strempty(s)), 0, 0);
}

int table_add_uint(Table *t, uint64_t v) {
        char *s = NULL;

        if (asprintf(&s, "%" PRIu64, v) < 0)
                s = NULL;
        return table_add_cell(t, CELL_UINT, s, v, 0);
}

int table_add_size(Table *t, uint64_t bytes) {
        char buf[FORMAT_BYTES_MAX];

        return table_add_cell(t, CELL_SIZE, strdup(format_bytes(buf, bytes)), bytes, 0);
}

int table_add_percent(Table *t, double fraction) {
        char *s = NULL;

        if (!(fraction >= 0) || isinf(fraction))
                s = strdup("-");
        else if (asprintf(&s, "%u%%", (unsigned) MIN(floor(fraction * 100.0), 100.0)) < 0)
                s = NULL;
        return table_add_cell(t, CELL_PERCENT, s, 0, fraction);
}

size_t table_get_rows(const Table *t) {
        return t->n_cells / t->n_columns;
}

static int cell_compare(CellType type, const Cell *a, const Cell *b) {
        switch (type) {
        case CELL_UINT:
        case CELL_SIZE:
                return a->u < b->u ? -1 : a->u > b->u;
        case CELL_PERCENT:
                return a->d < b->d ? -1 : a->d > b->d;
        default:
                return strcmp(a->text, b->text);
        }
}

void table_sort(Table *t, size_t column) {
        table_sort_full(t, column, false);
}

void table_sort_full(Table *t, size_t column, bool descending) {
        size_t rows = table_get_rows(t), n = t->n_columns;
        CellType type = t->columns[column].type;

        /* Insertion sort: stable, and listings are short. */
        for (size_t i = 1; i < rows; i++)
                for (size_t j = i; j > 0; j--) {
                        Cell *a = t->cells + (j - 1) * n, *b = t->cells + j * n;

                        int c = cell_compare(type, a + column, b + column);

                        if (descending ? c >= 0 : c <= 0)
                                break;
                        for (size_t k = 0; k < n; k++) {
                                Cell tmp = a[k];
                                a[k] = b[k];
                                b[k] = tmp;
                        }
                }
}

static void print_cell(FILE *f, const char *text, size_t width, bool right, bool last) {
        size_t w = utf8_width(text);

        if (right)
                fprintf(f, "%*s%s", (int) (width > w ? width - w : 0), "", text);
        else if (last)
                fputs(text, f);
        else
                fprintf(f, "%s%*s", text, (int) (width > w ? width - w : 0), "");
}

/* Cuts text to at most width columns, with "…" as the last one. */
static char *ellipsize(const char *text, size_t width) {
        size_t cols = 0;
        const char *p;
        char *s;

        if (utf8_width(text) <= width)
                return strdup(text);
        if (width == 0)
                return strdup("");
        for (p = text; *p; p++) {
                if (((unsigned char) *p & 0xC0) == 0x80)
                        continue;
                if (cols == width - 1)
                        break;
                cols++;
        }
        s = malloc((size_t) (p - text) + sizeof("…"));
        if (!s)
                return NULL;
        memcpy(s, text, (size_t) (p - text));
        strcpy(s + (p - text), "…");
        return s;
}

static void print_row(const Table *t, FILE *f, const char *const *texts, const size_t *widths,
                      size_t width) {
        size_t used = 0;

        for (size_t k = 0; k < t->n_columns; k++) {
                bool last = k == t->n_columns - 1;
                bool right = t->columns[k].type != CELL_STRING;
                _cleanup_free_ char *cut = NULL;
                const char *text = texts[k];

                if (k > 0)
                        fputc(' ', f);
                if (last && width > 0 && !right) {
                        cut = ellipsize(text, width > used ? width - used : 1);
                        if (cut)
                                text = cut;
                }
                print_cell(f, text, widths[k], right, last);
                used += widths[k] + 1;
        }
        fputc('\n', f);
}

int table_print(const Table *t, FILE *f, bool legend, size_t width) {
        size_t rows = table_get_rows(t), n = t->n_columns;
        _cleanup_free_ size_t *widths = new0(size_t, n);
        _cleanup_free_ const char **texts = new0(const char *, n);

        if (!widths || !texts)
                return -ENOMEM;
        for (size_t k = 0; k < n; k++) {
                widths[k] = legend ? utf8_width(t->columns[k].header) : 0;
                for (size_t i = 0; i < rows; i++)
                        widths[k] = MAX(widths[k], utf8_width(t->cells[i * n + k].text));
        }
        if (legend) {
                for (size_t k = 0; k < n; k++)
                        texts[k] = t->columns[k].header;
                print_row(t, f, texts, widths, width);
        }
        for (size_t i = 0; i < rows; i++) {
                for (size_t k = 0; k < n; k++)
                        texts[k] = t->cells[i * n + k].text;
                print_row(t, f, texts, widths, width);
        }
        return fflush(f) == 0 ? 0 : -errno;
}

char *json_escape(const char *s) {
        size_t n = 2;
        char *r, *q;

        for (const char *p = s; *p; p++)
                n += (unsigned char) *p < 0x20 ? 6 : (*p == '"' || *p == '\\') ? 2 : 1;
        r = malloc(n + 1);
        if (!r)
                return NULL;
        q = r;
        *q++ = '"';
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                const char *short_form = NULL;

                switch (*p) {
                case '"':
                        short_form = "\\\"";
                        break;
                case '\\':
                        short_form = "\\\\";
                        break;
                case '\b':
                        short_form = "\\b";
                        break;
                case '\f':
                        short_form = "\\f";
                        break;
                case '\n':
                        short_form = "\\n";
                        break;
                case '\r':
                        short_form = "\\r";
                        break;
                case '\t':
                        short_form = "\\t";
                        break;
                }
                if (short_form) {
                        *q++ = short_form[0];
                        *q++ = short_form[1];
                } else if (*p < 0x20)
                        q += sprintf(q, "\\u%04x", *p);
                else
                        *q++ = (char) *p;
        }
        *q++ = '"';
        *q = 0;
        return r;
}

static int print_json_value(FILE *f, CellType type, const Cell *c) {
        _cleanup_free_ char *e = NULL;

        switch (type) {
        case CELL_STRING:
                e = json_escape(c->text);
                if (!e)
                        return -ENOMEM;
                fputs(e, f);
                break;
        case CELL_UINT:
        case CELL_SIZE:
                fprintf(f, "%" PRIu64, c->u);
                break;
        case CELL_PERCENT:
                /* JSON has no NaN or infinity. */
                if (isfinite(c->d))
                        fprintf(f, "%.15g", c->d);
                else
                        fputs("null", f);
                break;
        }
        return 0;
}

int table_print_json(const Table *t, FILE *f) {
        size_t rows = table_get_rows(t), n = t->n_columns;
        int r;

        fputc('[', f);
        for (size_t i = 0; i < rows; i++) {
                fputs(i > 0 ? ",{" : "{", f);
                for (size_t k = 0; k < n; k++) {
                        _cleanup_free_ char *key = json_escape(t->columns[k].json_key);

                        if (!key)
                                return -ENOMEM;
                        fprintf(f, "%s%s:", k > 0 ? "," : "", key);
                        r = print_json_value(f, t->columns[k].type, t->cells + i * n + k);
                        if (r < 0)
                                return r;
                }
                fputc('}', f);
        }
        fputs("]\n", f);
        return fflush(f) == 0 ? 0 : -errno;
}
