/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A plain text table as kubectl and systemctl print them: an upper-case header line, columns
 * left-aligned and separated by three spaces, no trailing blanks. Cells that would break the
 * layout (control characters, line breaks) are escaped, since names and messages come from
 * the daemon. An empty cell prints as "-". */

#include <stddef.h>

#include "macro.h"

typedef struct Table Table;

/* A table with these column headers (NULL-terminated). NULL on ENOMEM. */
_sentinel_ Table *table_new(const char *header, ...);
Table *table_free(Table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);

size_t table_get_rows(const Table *t);

/* Adds a row of exactly as many cells as there are columns (NULL cells print as "-"). */
int table_add_row(Table *t, const char *const *cells);
/* The same, cells as arguments; their count must match the columns. */
int table_add_cells(Table *t, ...);

/* The whole table, header included, every line ending in '\n'. */
int table_format(const Table *t, char **ret);
