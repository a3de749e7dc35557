/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The kuke command line: main() in kuke.c dispatches to one function per verb, each in
 * its own verb-*.c file. Verbs return an exit status (0 ok, 1 error); they print
 * results to stdout and "Error: …" lines to stderr. */

#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

typedef struct Verb {
        const char *name;
        const char *summary;
        int (*run)(int argc, char *argv[]);
        void (*help)(FILE *f);
} Verb;

extern const Verb verb_apply, verb_version;

/* Prints "Error: <message>" to stderr and returns 1, for `return error(...)`. */
_printf_(1, 2) int error(const char *fmt, ...);

/* The output format of -o. */
typedef enum OutputFormat {
        OUTPUT_DEFAULT,
        OUTPUT_YAML,
        OUTPUT_JSON,
} OutputFormat;
int output_format_parse(const char *s, OutputFormat *ret);
