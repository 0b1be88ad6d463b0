/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One table for every listing: aligned columns for humans (with an optional
 * header and "N <things> listed." footer), or a JSON array of objects for
 * scripts, from the same rows. */

typedef enum CellType {
        CELL_STRING,
        CELL_UINT,    /* right-aligned number; a JSON number */
        CELL_SIZE,    /* bytes: "1.5M" for humans, a JSON number */
        CELL_PERCENT, /* a fraction 0…1: "42%" for humans, a JSON number; negative = unknown */
} CellType;

typedef struct TableColumn {
        const char *header;   /* "NAME" */
        const char *json_key; /* "name" */
        CellType type;
} TableColumn;

typedef struct Table Table;

Table *table_new(const TableColumn *columns, size_t n_columns);
Table *table_free(Table *t);
static inline void table_freep(Table **t) {
        table_free(*t);
}
#define _cleanup_table_ _cleanup_(table_freep)

/* Cells are added row by row, left to right, each with the type of its column. */
int table_add_string(Table *t, const char *s);
int table_add_uint(Table *t, uint64_t v);
int table_add_size(Table *t, uint64_t bytes);
int table_add_percent(Table *t, double fraction);

size_t table_get_rows(const Table *t);
/* Sorts the rows by a column (text in byte order, numbers by value), stable. */
void table_sort(Table *t, size_t column);
/* The same, largest first if descending (zonectl top). */
void table_sort_full(Table *t, size_t column, bool descending);
/* width: terminal columns (0: unlimited); the last column is shortened with "…" to fit. */
int table_print(const Table *t, FILE *f, bool legend, size_t width);
int table_print_json(const Table *t, FILE *f);

/* JSON string escaping: returns a malloc'ed JSON string literal, quotes included. */
char *json_escape(const char *s);
