/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* JSON output (jansson) of any schema'd object: the same fields, names and omission
 * rules as the YAML codec, for `-o json` and for machine consumers. */

#include <jansson.h>

#include "schema.h"

/* A new reference, or NULL when out of memory. */
json_t *json_from_object(const Schema *s, const void *obj);

/* Formats with two-space indentation and sorted-as-declared keys, newline-terminated. */
int json_format(json_t *j, char **ret);
