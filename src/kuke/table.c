/* SPDX-License-Identifier: Apache-2.0 */
#include "table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strv.h"

#define COLUMN_GAP 3

struct Table {
        size_t n_columns;
        char **cells; /* row-major, header first; NULL-terminated for strv_free() */
        size_t n_cells;
};

/* Control characters would break the lines and columns apart (or drive the terminal):
 * \xNN them. Everything else, UTF-8 included, stays as it is. */
static char *cell_escape(const char *s) {
        if (isempty(s))
                return strdup("-");
        char *out = malloc(strlen(s) * 4 + 1), *p = out;
        if (!out)
                return NULL;
        for (const unsigned char *c = (const unsigned char *) s; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        p += sprintf(p, "\\x%02x", *c);
                else
                        *p++ = (char) *c;
        *p = 0;
        return out;
}

/* Columns on a terminal: count code points, not bytes (no UTF-8 continuation bytes). */
static size_t cell_width(const char *s) {
        size_t w = 0;
        for (const unsigned char *c = (const unsigned char *) s; *c; c++)
                if ((*c & 0xc0) != 0x80)
                        w++;
        return w;
}

static int push_cell(Table *t, const char *s) {
        char *e = cell_escape(s);
        if (!e)
                return -ENOMEM;
        char **n = realloc(t->cells, (t->n_cells + 2) * sizeof(char *));
        if (!n) {
                free(e);
                return -ENOMEM;
        }
        t->cells = n;
        t->cells[t->n_cells++] = e;
        t->cells[t->n_cells] = NULL;
        return 0;
}

Table *table_new(const char *header, ...) {
        _cleanup_(table_freep) Table *t = new0(Table, 1);
        va_list ap;
        int r = 0;

        if (!t)
                return NULL;
        va_start(ap, header);
        for (const char *h = header; h && r >= 0; h = va_arg(ap, const char *)) {
                r = push_cell(t, h);
                t->n_columns++;
        }
        va_end(ap);
        if (r < 0 || t->n_columns == 0)
                return NULL;
        return TAKE_PTR(t);
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        strv_free(t->cells);
        return mfree(t);
}

size_t table_get_rows(const Table *t) {
        return t->n_cells / t->n_columns - 1;
}

int table_add_row(Table *t, const char *const *cells) {
        size_t before = t->n_cells;
        for (size_t i = 0; i < t->n_columns; i++) {
                int r = push_cell(t, cells[i]);
                if (r < 0) {
                        /* Leave the table as it was: no half rows. */
                        while (t->n_cells > before) {
                                free(t->cells[--t->n_cells]);
                                t->cells[t->n_cells] = NULL;
                        }
                        return r;
                }
        }
        return 0;
}

int table_add_cells(Table *t, ...) {
        _cleanup_free_ const char **cells = new0(const char *, t->n_columns);
        va_list ap;

        if (!cells)
                return -ENOMEM;
        va_start(ap, t);
        for (size_t i = 0; i < t->n_columns; i++)
                cells[i] = va_arg(ap, const char *);
        va_end(ap);
        return table_add_row(t, cells);
}

int table_format(const Table *t, char **ret) {
        _cleanup_free_ size_t *widths = new0(size_t, t->n_columns);
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!widths)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_cells; i++)
                widths[i % t->n_columns] = MAX(widths[i % t->n_columns], cell_width(t->cells[i]));

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t col = i % t->n_columns;
                fputs(t->cells[i], f);
                if (col + 1 == t->n_columns)
                        fputc('\n', f);
                else
                        fprintf(f, "%*s", (int) (widths[col] - cell_width(t->cells[i]) + COLUMN_GAP), "");
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}
