/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* YAML decode and encode of any schema'd object with libyaml. */

#include <yaml.h>

#include "schema.h"

/* Where and why a decode failed. 'path' is the field path (spec.containers[0].image). */
typedef struct YamlError {
        unsigned line;   /* from 1; 0 when unknown */
        unsigned column; /* from 1 */
        char *path;
        char *message;
} YamlError;

void yaml_error_done(YamlError *e);

/* Decodes 'node' of 'doc' into 'obj' (zeroed, of s->size bytes). Unknown and duplicate
 * keys, wrong types and out-of-range numbers are refused with the path of the field.
 * On error the object is left zeroed and 'err' says why: -EINVAL, or -E2BIG when the
 * document expands (through aliases) beyond what a manifest plausibly needs. */
int yaml_decode_object(const Schema *s, yaml_document_t *doc, yaml_node_t *node, void *obj, YamlError *err);

/* Emits the object as a block mapping into an emitter that is inside a document. */
int yaml_emit_object(yaml_emitter_t *e, const Schema *s, const void *obj);

/* One object as a complete YAML stream with a single document. */
int yaml_format_object(const Schema *s, const void *obj, char **ret);

/* Helpers for the stream writer in document.c. */
int yaml_emit_stream_start(yaml_emitter_t *e);
int yaml_emit_stream_end(yaml_emitter_t *e);
int yaml_emit_document_start(yaml_emitter_t *e, bool implicit);
int yaml_emit_document_end(yaml_emitter_t *e);

/* A growable buffer the emitter writes to. */
typedef struct YamlBuffer {
        char *data;
        size_t size;
        size_t allocated;
} YamlBuffer;
int yaml_buffer_write_handler(void *data, unsigned char *buffer, size_t size);
