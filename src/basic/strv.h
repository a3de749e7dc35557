/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* NULL-terminated string vectors ("strv"), as systemd uses them. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
char **strv_copy(char *const *l);
bool strv_equal(char *const *a, char *const *b);

/* Append a copy of 's'. On failure the vector is left untouched. */
int strv_extend(char ***l, const char *s);
/* Append 's' itself, taking ownership only on success. */
int strv_push(char ***l, char *s);
/* Append a formatted string. On failure the vector is left untouched. */
_printf_(2, 3) int strv_extendf(char ***l, const char *fmt, ...);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
