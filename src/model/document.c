/* SPDX-License-Identifier: Apache-2.0 */
#include "document.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json-codec.h"
#include "macro.h"
#include "yaml-codec.h"

static void document_done(Document *d) {
        if (d->object)
                schema_free(kind_schema(d->kind), d->object);
        free(d->name);
        free(d->error);
        *d = (Document) {};
}

DocumentList *document_list_free(DocumentList *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n_documents; i++)
                document_done(&l->documents[i]);
        free(l->documents);
        free(l->text);
        free(l);
        return NULL;
}

int document_set_error(Document *d, const char *fmt, ...) {
        if (d->error)
                return 0;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&d->error, fmt, ap);
        va_end(ap);
        if (r < 0) {
                d->error = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* Walks "a.b[2].c" down the node tree; returns the deepest node reached. */
static yaml_node_t *locate_path(yaml_document_t *doc, yaml_node_t *n, const char *path) {
        const char *p = path;

        while (n && *p) {
                if (*p == '.')
                        p++;
                if (*p == '[') {
                        char *end;
                        unsigned long i = strtoul(p + 1, &end, 10);
                        if (*end != ']' || n->type != YAML_SEQUENCE_NODE)
                                return n;
                        if (i >= (unsigned long) (n->data.sequence.items.top - n->data.sequence.items.start))
                                return n;
                        n = yaml_document_get_node(doc, n->data.sequence.items.start[i]);
                        p = end + 1;
                        continue;
                }
                size_t len = strcspn(p, ".[");
                if (n->type != YAML_MAPPING_NODE)
                        return n;
                yaml_node_t *next = NULL;
                for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
                        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
                        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
                            memcmp(k->data.scalar.value, p, len) == 0) {
                                next = yaml_document_get_node(doc, pr->value);
                                break;
                        }
                }
                if (!next)
                        return n;
                n = next;
                p += len;
        }
        return n;
}

int document_set_field_error(const DocumentList *l, Document *d, const char *path, const char *fmt, ...) {
        unsigned line = d->line, column = 1;

        if (d->error)
                return 0;

        /* Find the field again in the source: errors are rare, so a second parse is cheap. */
        yaml_parser_t parser;
        if (l && l->text && yaml_parser_initialize(&parser)) {
                yaml_parser_set_input_string(&parser, (const unsigned char *) l->text, l->text_size);
                for (unsigned i = 1;; ) {
                        yaml_document_t doc;
                        if (!yaml_parser_load(&parser, &doc))
                                break;
                        yaml_node_t *root = yaml_document_get_root_node(&doc);
                        if (!root) {
                                yaml_document_delete(&doc);
                                break;
                        }
                        bool empty = root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
                                     root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                        if (!empty && i++ == d->index) {
                                yaml_node_t *n = locate_path(&doc, root, path);
                                if (n) {
                                        line = (unsigned) n->start_mark.line + 1;
                                        column = (unsigned) n->start_mark.column + 1;
                                }
                                yaml_document_delete(&doc);
                                break;
                        }
                        yaml_document_delete(&doc);
                }
                yaml_parser_delete(&parser);
        }

        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return document_set_error(d, "line %u, column %u: %s: %s", line, column, path, msg);
}

static Document *document_list_append(DocumentList *l) {
        Document *a = realloc(l->documents, sizeof(Document) * (l->n_documents + 1));
        if (!a)
                return NULL;
        l->documents = a;
        Document *d = &a[l->n_documents++];
        *d = (Document) { .index = (unsigned) l->n_documents, .kind = _KIND_INVALID };
        return d;
}

static yaml_node_t *mapping_get(yaml_document_t *doc, yaml_node_t *map, const char *key) {
        if (!map || map->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(doc, p->key);
                if (k && k->type == YAML_SCALAR_NODE && streq((const char *) k->data.scalar.value, key))
                        return yaml_document_get_node(doc, p->value);
        }
        return NULL;
}

static const char *mapping_get_string(yaml_document_t *doc, yaml_node_t *map, const char *key) {
        yaml_node_t *n = mapping_get(doc, map, key);
        if (!n || n->type != YAML_SCALAR_NODE)
                return NULL;
        return (const char *) n->data.scalar.value;
}

static int known_kinds(char **ret) {
        size_t len = 1;
        for (Kind k = 0; k < _KIND_MAX; k++)
                len += strlen(kind_to_string(k)) + 2;
        char *s = calloc(1, len);
        if (!s)
                return -ENOMEM;
        for (Kind k = 0; k < _KIND_MAX; k++) {
                if (k > 0)
                        strcat(s, ", ");
                strcat(s, kind_to_string(k));
        }
        *ret = s;
        return 0;
}

/* Decode one loaded YAML document into 'd'. Errors go into d->error; only ENOMEM fails. */
static int document_decode(Document *d, yaml_document_t *doc, yaml_node_t *root) {
        d->line = (unsigned) root->start_mark.line + 1;

        if (root->type != YAML_MAPPING_NODE)
                return document_set_error(d, "line %u, column %u: a document must be a mapping with apiVersion, kind, metadata and spec",
                                          d->line, (unsigned) root->start_mark.column + 1);

        /* Read kind and name first so every later message can say which document it is about. */
        yaml_node_t *meta = mapping_get(doc, root, "metadata");
        const char *name = mapping_get_string(doc, meta, "name");
        if (name && !(d->name = strdup(name)))
                return -ENOMEM;

        yaml_node_t *kind_node = mapping_get(doc, root, "kind");
        const char *kind = mapping_get_string(doc, root, "kind");
        if (!kind || !*kind)
                return document_set_error(d, "line %u, column %u: missing field \"kind\"", d->line,
                                          (unsigned) root->start_mark.column + 1);
        d->kind = kind_from_string(kind);
        if (d->kind < 0) {
                _cleanup_free_ char *kinds = NULL;
                if (known_kinds(&kinds) < 0)
                        return -ENOMEM;
                return document_set_error(d, "line %u, column %u: kind: unknown kind \"%s\" (expected one of %s)",
                                          (unsigned) kind_node->start_mark.line + 1,
                                          (unsigned) kind_node->start_mark.column + 1, kind, kinds);
        }

        yaml_node_t *api_node = mapping_get(doc, root, "apiVersion");
        const char *api = mapping_get_string(doc, root, "apiVersion");
        if (!api || !*api)
                return document_set_error(d, "line %u, column %u: missing field \"apiVersion\" (expected \"%s\")", d->line,
                                          (unsigned) root->start_mark.column + 1, API_VERSION_V1BETA1);
        if (!streq(api, API_VERSION_V1BETA1))
                return document_set_error(d, "line %u, column %u: apiVersion: unsupported version \"%s\" (expected \"%s\")",
                                          (unsigned) api_node->start_mark.line + 1,
                                          (unsigned) api_node->start_mark.column + 1, api, API_VERSION_V1BETA1);

        const Schema *s = kind_schema(d->kind);
        _cleanup_free_ void *obj = calloc(1, s->size);
        if (!obj)
                return -ENOMEM;

        YamlError e = {};
        int r = yaml_decode_object(s, doc, root, obj, &e);
        if (r == -ENOMEM) {
                yaml_error_done(&e);
                return r;
        }
        if (r < 0) {
                if (e.path)
                        r = document_set_error(d, "line %u, column %u: %s: %s", e.line, e.column, e.path, strna(e.message));
                else
                        r = document_set_error(d, "line %u, column %u: %s", e.line, e.column, strna(e.message));
                yaml_error_done(&e);
                return r;
        }

        d->object = TAKE_PTR(obj);
        return 0;
}

static const char *yaml_error_kind(const yaml_parser_t *p) {
        switch (p->error) {
        case YAML_MEMORY_ERROR:
                return "out of memory";
        case YAML_READER_ERROR:
                return "invalid input encoding";
        case YAML_SCANNER_ERROR:
        case YAML_PARSER_ERROR:
        case YAML_COMPOSER_ERROR:
        default:
                return "YAML syntax error";
        }
}

int document_list_parse(const char *text, size_t size, DocumentList **ret) {
        if (size > DOCUMENT_STREAM_MAX)
                return -EFBIG;

        _cleanup_(document_list_freep) DocumentList *l = calloc(1, sizeof(DocumentList));
        if (!l)
                return -ENOMEM;

        l->text = malloc(size + 1);
        if (!l->text)
                return -ENOMEM;
        memcpy(l->text, text, size);
        l->text[size] = 0;
        l->text_size = size;

        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) l->text, size);

        int r = 0;
        for (;;) {
                yaml_document_t doc;

                if (!yaml_parser_load(&parser, &doc)) {
                        if (parser.error == YAML_MEMORY_ERROR) {
                                r = -ENOMEM;
                                break;
                        }
                        Document *d = document_list_append(l);
                        if (!d) {
                                r = -ENOMEM;
                                break;
                        }
                        const yaml_mark_t *m = parser.problem ? &parser.problem_mark : &parser.context_mark;
                        d->line = (unsigned) m->line + 1;
                        r = document_set_error(d, "line %u, column %u: %s: %s%s%s", (unsigned) m->line + 1,
                                               (unsigned) m->column + 1, yaml_error_kind(&parser),
                                               strna(parser.problem), parser.context ? " " : "",
                                               parser.context ?: "");
                        break;
                }

                yaml_node_t *root = yaml_document_get_root_node(&doc);
                if (!root) {
                        /* libyaml signals the end of the stream with an empty document. */
                        yaml_document_delete(&doc);
                        break;
                }
                if (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
                    root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                        /* An empty document, as between two "---" or after a trailing one. */
                        yaml_document_delete(&doc);
                        continue;
                }

                Document *d = document_list_append(l);
                if (!d) {
                        yaml_document_delete(&doc);
                        r = -ENOMEM;
                        break;
                }
                r = document_decode(d, &doc, root);
                yaml_document_delete(&doc);
                if (r < 0)
                        break;
        }
        yaml_parser_delete(&parser);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(l);
        return 0;
}

int document_list_read_file(FILE *f, DocumentList **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        for (;;) {
                if (allocated - size < 4096) {
                        allocated = MAX(allocated * 2, (size_t) 16384);
                        char *b = realloc(buf, allocated);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                size_t n = fread(buf + size, 1, allocated - size, f);
                size += n;
                if (size > DOCUMENT_STREAM_MAX)
                        return -EFBIG;
                if (n == 0) {
                        if (ferror(f))
                                return -EIO;
                        break;
                }
        }
        return document_list_parse(buf ?: "", size, ret);
}

/* A document is written out when it decoded and passed validation: a document that decoded
 * but was then refused (a bad name, a missing field) has an object and an error. */
static bool document_is_emitted(const Document *d) {
        return d->object && !d->error;
}

size_t document_list_count_errors(const DocumentList *l) {
        size_t n = 0;
        for (size_t i = 0; l && i < l->n_documents; i++)
                if (l->documents[i].error)
                        n++;
        return n;
}

/* Names come from user input: show control characters escaped, never raw. */
static char *escape_for_display(const char *s) {
        size_t n = strlen(s);
        char *out = malloc(n * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
                        o += sprintf(o, "\\x%02x", *p);
                else
                        *o++ = (char) *p;
        }
        *o = 0;
        return out;
}

char *document_describe(const Document *d) {
        char *s = NULL;
        int r;

        if (d->kind >= 0 && d->name) {
                _cleanup_free_ char *n = escape_for_display(d->name);
                if (!n)
                        return NULL;
                r = asprintf(&s, "%s \"%s\"", kind_to_string(d->kind), n);
        } else if (d->kind >= 0)
                r = asprintf(&s, "%s (document %u, no name)", kind_to_string(d->kind), d->index);
        else
                r = asprintf(&s, "document %u", d->index);
        return r < 0 ? NULL : s;
}

int document_list_format_yaml(const DocumentList *l, char **ret) {
        yaml_emitter_t e;
        YamlBuffer b = {};
        int r;

        if (!yaml_emitter_initialize(&e))
                return -ENOMEM;
        yaml_emitter_set_output(&e, yaml_buffer_write_handler, &b);
        yaml_emitter_set_unicode(&e, 1);
        yaml_emitter_set_width(&e, -1);

        r = yaml_emit_stream_start(&e);
        bool first = true;
        for (size_t i = 0; r >= 0 && i < l->n_documents; i++) {
                const Document *d = &l->documents[i];
                if (!document_is_emitted(d))
                        continue;
                r = yaml_emit_document_start(&e, first);
                if (r >= 0)
                        r = yaml_emit_object(&e, kind_schema(d->kind), d->object);
                if (r >= 0)
                        r = yaml_emit_document_end(&e);
                first = false;
        }
        if (r >= 0)
                r = yaml_emit_stream_end(&e);
        if (r >= 0 && !yaml_emitter_flush(&e))
                r = -EIO;
        yaml_emitter_delete(&e);
        if (r < 0) {
                free(b.data);
                return r;
        }
        *ret = b.data ?: strdup("");
        return *ret ? 0 : -ENOMEM;
}

int document_list_format_json(const DocumentList *l, char **ret) {
        json_t *out = NULL;
        size_t n_emitted = 0;

        for (size_t i = 0; i < l->n_documents; i++)
                if (document_is_emitted(&l->documents[i]))
                        n_emitted++;

        /* One document prints as an object, any other number as an array, as kubectl does. */
        if (n_emitted == 1) {
                for (size_t i = 0; i < l->n_documents; i++)
                        if (document_is_emitted(&l->documents[i]))
                                out = json_from_object(kind_schema(l->documents[i].kind), l->documents[i].object);
        } else {
                out = json_array();
                for (size_t i = 0; out && i < l->n_documents; i++) {
                        const Document *d = &l->documents[i];
                        if (document_is_emitted(d) &&
                            json_array_append_new(out, json_from_object(kind_schema(d->kind), d->object)) < 0) {
                                json_decref(out);
                                out = NULL;
                        }
                }
        }
        if (!out)
                return -ENOMEM;
        int r = json_format(out, ret);
        json_decref(out);
        return r;
}

int document_parse_one(const char *text, size_t size, Kind expected, void **ret_object, char **ret_error) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        int r = document_list_parse(text, size, &l);
        if (r < 0)
                return r;

        char *msg = NULL;
        if (l->n_documents != 1)
                r = asprintf(&msg, "expected exactly one %s document, found %zu", kind_to_string(expected), l->n_documents);
        else if (l->documents[0].error)
                r = asprintf(&msg, "%s", l->documents[0].error);
        else if (l->documents[0].kind != expected)
                r = asprintf(&msg, "expected a %s document, found %s", kind_to_string(expected),
                             kind_to_string(l->documents[0].kind));
        else {
                *ret_object = TAKE_PTR(l->documents[0].object);
                if (ret_error)
                        *ret_error = NULL;
                return 0;
        }
        if (r < 0)
                return -ENOMEM;
        if (ret_error)
                *ret_error = msg;
        else
                free(msg);
        return -EBADMSG;
}
