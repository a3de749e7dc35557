/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What `kuke get` prints: a table by default, the documents with their status as YAML or
 * JSON, or bare names. The daemon hands out each resource as a YAML document (GetRealm …);
 * these functions turn such documents into output, without a connection, so the shapes are
 * unit tested. */

#include <stdbool.h>
#include <stddef.h>

#include "resource.h"
#include "table.h"

/* The output format of -o. OUTPUT_NAME is the hidden "-o name" (alias "names"): names one per
 * line, for shell completion. */
typedef enum OutputFormat {
        OUTPUT_DEFAULT,
        OUTPUT_YAML,
        OUTPUT_JSON,
        OUTPUT_NAME,
} OutputFormat;

/* "yaml", "json", and the hidden "name" and "names". */
int output_format_parse(const char *s, OutputFormat *ret);

/* The default table of a type: NAME STATE UNIT, plus NAMESPACE for realms and SUBNET for
 * spaces; NAME STATE IP CONTAINERS UNIT for cells (CONTAINERS: "ready/all" of the spec);
 * NAME STATE IMAGE ROOT for containers (ROOT: yes or no). */
Table *output_table_new(ResourceType type);

/* The row of one container in a container table, as ListContainers reports it ((name, state,
 * image, root, path)). */
int output_table_add_container(Table *t, const char *name, const char *state, const char *image, bool root);

/* Adds the row of one resource document (the daemon's YAML of GetRealm …) to a table made by
 * output_table_new(). -EBADMSG with a message when 'yaml' is not one document of the type. */
int output_table_add_document(Table *t, ResourceType type, const char *yaml, char **ret_error);

/* Renders the documents 'texts[0..n)' (YAML, one resource each, all of 'type'):
 *   OUTPUT_YAML  a YAML stream, documents separated by "---" (nothing when n == 0);
 *   OUTPUT_JSON  one object when 'single', else an array ("[]" when n == 0);
 *   OUTPUT_NAME  metadata.name, one per line.
 * The documents go through the model's codec, so the output has the same shape as
 * `kuke apply --dry-run -o`. -EBADMSG with a message naming the document when one does not
 * decode as 'type'. */
int output_documents(OutputFormat format, ResourceType type, char *const *texts, size_t n, bool single,
                     char **ret, char **ret_error);
