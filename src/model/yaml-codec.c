/* SPDX-License-Identifier: Apache-2.0 */
#include "yaml-codec.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

/* A manifest of a few thousand fields decodes in well under this many node visits; a
 * document that needs more is an alias bomb, not a manifest. */
#define DECODE_NODE_BUDGET 200000

typedef struct DecodeContext {
        yaml_document_t *doc;
        YamlError *err;
        unsigned budget;
} DecodeContext;

void yaml_error_done(YamlError *e) {
        if (!e)
                return;
        e->path = mfree(e->path);
        e->message = mfree(e->message);
        e->line = e->column = 0;
}

_printf_(4, 5)
static int decode_error(DecodeContext *c, const yaml_node_t *node, const char *path, const char *fmt, ...) {
        /* Keep the first, innermost error: it is the one that names the bad field. */
        if (c->err->message)
                return -EINVAL;

        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&c->err->message, fmt, ap) < 0)
                c->err->message = NULL;
        va_end(ap);
        c->err->path = strdup(path);
        if (node) {
                c->err->line = (unsigned) node->start_mark.line + 1;
                c->err->column = (unsigned) node->start_mark.column + 1;
        }
        return -EINVAL;
}

/* Field paths for messages: "spec.containers[0].image". NULL on ENOMEM. */
static char *path_index(const char *path, size_t i) {
        char *s;
        return asprintf(&s, "%s[%zu]", path, i) < 0 ? NULL : s;
}

static char *path_key(const char *path, const char *key) {
        char *s;
        return asprintf(&s, "%s%s%s", path, *path ? "." : "", key) < 0 ? NULL : s;
}

static const char *node_type_name(const yaml_node_t *n) {
        switch (n->type) {
        case YAML_SCALAR_NODE:
                return "a scalar";
        case YAML_SEQUENCE_NODE:
                return "a list";
        case YAML_MAPPING_NODE:
                return "a mapping";
        default:
                return "nothing";
        }
}

static const char *scalar(const yaml_node_t *n) {
        return (const char *) n->data.scalar.value;
}

static bool scalar_is_plain(const yaml_node_t *n) {
        return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || n->data.scalar.style == YAML_ANY_SCALAR_STYLE;
}

/* An explicit or implied null: "key:" or "key: null" or "key: ~". The field stays unset. */
static bool node_is_null(const yaml_node_t *n) {
        if (n->type != YAML_SCALAR_NODE || !scalar_is_plain(n))
                return false;
        if (n->tag && streq((const char *) n->tag, YAML_NULL_TAG))
                return true;
        return STR_IN_SET(scalar(n), "", "~", "null", "Null", "NULL");
}

static int expect_scalar(DecodeContext *c, const yaml_node_t *n, const char *path, const char *what) {
        if (n->type != YAML_SCALAR_NODE)
                return decode_error(c, n, path, "expected %s, got %s", what, node_type_name(n));
        /* A NUL inside a scalar would silently truncate the value everywhere downstream. */
        if (strlen(scalar(n)) != n->data.scalar.length)
                return decode_error(c, n, path, "value contains a NUL byte");
        return 0;
}

static int parse_bool(DecodeContext *c, const yaml_node_t *n, const char *path, bool *ret) {
        int r = expect_scalar(c, n, path, "true or false");
        if (r < 0)
                return r;
        const char *v = scalar(n);
        if (scalar_is_plain(n) && STR_IN_SET(v, "true", "True", "TRUE"))
                *ret = true;
        else if (scalar_is_plain(n) && STR_IN_SET(v, "false", "False", "FALSE"))
                *ret = false;
        else
                return decode_error(c, n, path, "expected true or false, got \"%s\"", v);
        return 0;
}

static int parse_int(DecodeContext *c, const yaml_node_t *n, const char *path, bool octal_default, int64_t min,
                     int64_t max, int64_t *ret) {
        int r = expect_scalar(c, n, path, "an integer");
        if (r < 0)
                return r;
        if (!scalar_is_plain(n))
                return decode_error(c, n, path, "expected an integer, got the string \"%s\"", scalar(n));

        const char *v = scalar(n), *p = v;
        bool neg = false;
        int base = 10;

        if (*p == '-' || *p == '+') {
                neg = *p == '-';
                p++;
        }
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
                base = 16, p += 2;
        else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
                base = 8, p += 2;
        else if (p[0] == '0' && p[1] != 0 && octal_default)
                /* File modes are written the way chmod takes them: 0755. */
                base = 8, p += 1;

        if (*p == 0 || *p == '-' || *p == '+' || *p == ' ')
                return decode_error(c, n, path, "expected an integer, got \"%s\"", v);

        char *end;
        errno = 0;
        unsigned long long u = strtoull(p, &end, base);
        if (*end != 0)
                return decode_error(c, n, path, "expected an integer, got \"%s\"", v);
        if (errno == ERANGE || u > (unsigned long long) INT64_MAX + (neg ? 1 : 0))
                return decode_error(c, n, path, "%s is out of range", v);

        int64_t x = neg ? (int64_t) (0 - u) : (int64_t) u;
        if (x < min || x > max)
                return decode_error(c, n, path, "%s is out of range (%" PRIi64 "..%" PRIi64 ")", v, min, max);
        *ret = x;
        return 0;
}

static int decode_string(DecodeContext *c, const yaml_node_t *n, const char *path, char **ret) {
        int r = expect_scalar(c, n, path, "a string");
        if (r < 0)
                return r;
        char *s = strdup(scalar(n));
        if (!s)
                return -ENOMEM;
        free(*ret);
        *ret = s;
        return 0;
}

static int decode_strv(DecodeContext *c, const yaml_node_t *n, const char *path, char ***ret) {
        if (n->type != YAML_SEQUENCE_NODE)
                return decode_error(c, n, path, "expected a list of strings, got %s", node_type_name(n));

        _cleanup_strv_free_ char **l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        size_t i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, i++) {
                yaml_node_t *item = yaml_document_get_node(c->doc, *it);
                _cleanup_free_ char *ip = path_index(path, i);
                if (!ip)
                        return -ENOMEM;
                if (!item || node_is_null(item))
                        return decode_error(c, item, ip, "expected a string, got null");
                int r = expect_scalar(c, item, ip, "a string");
                if (r < 0)
                        return r;
                r = strv_extend(&l, scalar(item));
                if (r < 0)
                        return r;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int decode_map(DecodeContext *c, const yaml_node_t *n, const char *path, char ***ret) {
        if (n->type != YAML_MAPPING_NODE)
                return decode_error(c, n, path, "expected a mapping of strings, got %s", node_type_name(n));

        _cleanup_strv_free_ char **l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
                if (!k || !v)
                        return decode_error(c, n, path, "malformed mapping");
                int r = expect_scalar(c, k, path, "a string key");
                if (r < 0)
                        return r;
                _cleanup_free_ char *kp = path_key(path, scalar(k));
                if (!kp)
                        return -ENOMEM;
                for (size_t i = 0; l[i]; i += 2)
                        if (streq(l[i], scalar(k)))
                                return decode_error(c, k, kp, "duplicate key");
                r = expect_scalar(c, v, kp, "a string value");
                if (r < 0)
                        return r;
                r = strv_extend(&l, scalar(k));
                if (r < 0)
                        return r;
                r = strv_extend(&l, node_is_null(v) ? "" : scalar(v));
                if (r < 0)
                        return r;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

static int decode_mapping_into(DecodeContext *c, const Schema *s, yaml_node_t *n, void *obj, const char *path);

static int decode_field(DecodeContext *c, const Field *f, yaml_node_t *n, void *obj, const char *path) {
        void *p = (uint8_t *) obj + f->offset;
        int64_t v;
        int r;

        if (c->budget-- == 0)
                return -E2BIG;

        if (node_is_null(n))
                return 0;

        switch (f->type) {
        case FIELD_STRING:
                return decode_string(c, n, path, (char **) p);

        case FIELD_BOOL:
                return parse_bool(c, n, path, (bool *) p);

        case FIELD_OPT_BOOL:
                r = parse_bool(c, n, path, &((OptBool *) p)->value);
                if (r < 0)
                        return r;
                ((OptBool *) p)->set = true;
                return 0;

        case FIELD_INT:
                return parse_int(c, n, path, false, INT64_MIN, INT64_MAX, (int64_t *) p);

        case FIELD_OPT_INT:
                r = parse_int(c, n, path, false, INT64_MIN, INT64_MAX, &((OptInt *) p)->value);
                if (r < 0)
                        return r;
                ((OptInt *) p)->set = true;
                return 0;

        case FIELD_MODE:
                r = parse_int(c, n, path, true, 0, 07777, &v);
                if (r < 0)
                        return r;
                *(uint32_t *) p = (uint32_t) v;
                return 0;

        case FIELD_TIME:
                r = expect_scalar(c, n, path, "an RFC 3339 timestamp");
                if (r < 0)
                        return r;
                if (time_parse_rfc3339(scalar(n), (usec_t *) p) < 0)
                        return decode_error(c, n, path, "expected an RFC 3339 timestamp (2006-01-02T15:04:05Z), got \"%s\"",
                                            scalar(n));
                return 0;

        case FIELD_ENUM:
                r = expect_scalar(c, n, path, "a state name");
                if (r < 0)
                        return r;
                r = enum_from_string(f->enum_type, scalar(n));
                if (r < 0) {
                        _cleanup_free_ char *names = NULL;
                        size_t len = 0;
                        for (size_t i = 0; i < f->enum_type->n_names; i++)
                                len += strlen(f->enum_type->names[i]) + 2;
                        names = calloc(1, len + 1);
                        if (!names)
                                return -ENOMEM;
                        for (size_t i = 0; i < f->enum_type->n_names; i++) {
                                if (i > 0)
                                        strcat(names, ", ");
                                strcat(names, f->enum_type->names[i]);
                        }
                        return decode_error(c, n, path, "unknown value \"%s\" (expected one of %s)", scalar(n), names);
                }
                *(int *) p = r;
                return 0;

        case FIELD_STRV:
                return decode_strv(c, n, path, (char ***) p);

        case FIELD_MAP:
                return decode_map(c, n, path, (char ***) p);

        case FIELD_INT_LIST: {
                if (n->type != YAML_SEQUENCE_NODE)
                        return decode_error(c, n, path, "expected a list of integers, got %s", node_type_name(n));
                size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
                int64_t *a = count > 0 ? calloc(count, sizeof(int64_t)) : NULL;
                if (count > 0 && !a)
                        return -ENOMEM;
                free(*(int64_t **) p);
                *(int64_t **) p = a;
                *(size_t *) ((uint8_t *) obj + f->count_offset) = count;
                for (size_t i = 0; i < count; i++) {
                        yaml_node_t *item = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
                        _cleanup_free_ char *ip = path_index(path, i);
                        if (!ip)
                                return -ENOMEM;
                        if (!item)
                                return decode_error(c, n, ip, "malformed list");
                        r = parse_int(c, item, ip, false, INT64_MIN, INT64_MAX, &a[i]);
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        case FIELD_OBJECT:
                return decode_mapping_into(c, f->schema, n, p, path);

        case FIELD_OBJECT_PTR: {
                void *o = *(void **) p;
                if (!o) {
                        o = calloc(1, f->schema->size);
                        if (!o)
                                return -ENOMEM;
                        *(void **) p = o;
                }
                return decode_mapping_into(c, f->schema, n, o, path);
        }

        case FIELD_OBJECT_LIST: {
                if (n->type != YAML_SEQUENCE_NODE)
                        return decode_error(c, n, path, "expected a list, got %s", node_type_name(n));

                size_t count = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
                size_t esz = f->schema->size;
                uint8_t *a = count > 0 ? calloc(count, esz) : NULL;
                if (count > 0 && !a)
                        return -ENOMEM;
                /* Hand the array to the object at once, so a failure half way is freed with it. */
                *(void **) p = a;
                *(size_t *) ((uint8_t *) obj + f->count_offset) = count;
                for (size_t i = 0; i < count; i++) {
                        yaml_node_t *item = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
                        _cleanup_free_ char *ip = path_index(path, i);
                        if (!ip)
                                return -ENOMEM;
                        if (!item || node_is_null(item))
                                return decode_error(c, item, ip, "expected a mapping, got null");
                        r = decode_mapping_into(c, f->schema, item, a + i * esz, ip);
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        default:
                return -EINVAL;
        }
}

static int decode_mapping_into(DecodeContext *c, const Schema *s, yaml_node_t *n, void *obj, const char *path) {
        if (n->type != YAML_MAPPING_NODE)
                return decode_error(c, n, *path ? path : "(document)", "expected a mapping, got %s", node_type_name(n));

        /* Which fields were given already, to refuse duplicate keys. No schema has more than 64. */
        uint64_t seen = 0;

        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
                if (!k || !v)
                        return decode_error(c, n, path, "malformed mapping");
                if (k->type != YAML_SCALAR_NODE)
                        return decode_error(c, k, *path ? path : "(document)", "expected a field name, got %s", node_type_name(k));

                const char *key = scalar(k);
                _cleanup_free_ char *fp = path_key(path, key);
                if (!fp)
                        return -ENOMEM;

                const Field *f = NULL;
                size_t idx = 0;
                SCHEMA_FOREACH(i, s) {
                        if (streq(i->name, key)) {
                                f = i;
                                break;
                        }
                        idx++;
                }
                if (!f)
                        return decode_error(c, k, fp, "unknown field \"%s\"", key);
                if (idx < 64 && (seen & (UINT64_C(1) << idx)))
                        return decode_error(c, k, fp, "duplicate field \"%s\"", key);
                if (idx < 64)
                        seen |= UINT64_C(1) << idx;

                int r = decode_field(c, f, v, obj, fp);
                if (r < 0)
                        return r;
        }
        return 0;
}

int yaml_decode_object(const Schema *s, yaml_document_t *doc, yaml_node_t *node, void *obj, YamlError *err) {
        YamlError dummy = {};
        DecodeContext c = {
                .doc = doc,
                .err = err ?: &dummy,
                .budget = DECODE_NODE_BUDGET,
        };

        int r = decode_mapping_into(&c, s, node, obj, "");
        if (r == -E2BIG && !c.err->message) {
                c.err->message = strdup("document is too large (too many nodes or aliases)");
                c.err->line = (unsigned) node->start_mark.line + 1;
                c.err->column = (unsigned) node->start_mark.column + 1;
        }
        if (r < 0)
                schema_done(s, obj);
        yaml_error_done(&dummy);
        return r;
}

/* ---- encoding ---- */

int yaml_buffer_write_handler(void *data, unsigned char *buffer, size_t size) {
        YamlBuffer *b = data;
        if (b->size + size + 1 > b->allocated) {
                size_t n = MAX(b->allocated * 2, b->size + size + 1);
                n = MAX(n, (size_t) 256);
                char *d = realloc(b->data, n);
                if (!d)
                        return 0;
                b->data = d;
                b->allocated = n;
        }
        memcpy(b->data + b->size, buffer, size);
        b->size += size;
        b->data[b->size] = 0;
        return 1;
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev, int ok) {
        if (!ok)
                return -ENOMEM;
        if (!yaml_emitter_emit(e, ev))
                return -EIO;
        return 0;
}

int yaml_emit_stream_start(yaml_emitter_t *e) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
}

int yaml_emit_stream_end(yaml_emitter_t *e) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_stream_end_event_initialize(&ev));
}

int yaml_emit_document_start(yaml_emitter_t *e, bool implicit) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, implicit));
}

int yaml_emit_document_end(yaml_emitter_t *e) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_document_end_event_initialize(&ev, 1));
}

static int emit_mapping_start(yaml_emitter_t *e, bool flow) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                                flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

static int emit_mapping_end(yaml_emitter_t *e) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static int emit_sequence_start(yaml_emitter_t *e, bool flow) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                                 flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

static int emit_sequence_end(yaml_emitter_t *e) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Would a YAML 1.1 or 1.2 reader take this plain scalar for something other than a string?
 * Such strings are written quoted, so other tools read back what we meant. */
static bool string_needs_quotes(const char *s) {
        if (!*s)
                return true;
        if (STR_IN_SET(s, "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
                       "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
                       ".inf", ".Inf", ".INF", "-.inf", ".nan", ".NaN", ".NAN", "<<", "="))
                return true;
        /* Anything that starts like a number (or a date) is quoted: cheaper than a full resolver. */
        const char *p = s;
        if (*p == '+' || *p == '-' || *p == '.')
                p++;
        return *p >= '0' && *p <= '9';
}

static int emit_scalar_styled(yaml_emitter_t *e, const char *v, yaml_scalar_style_t style) {
        yaml_event_t ev;
        return emit(e, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) v, (int) strlen(v), 1, 1, style));
}

static int emit_string(yaml_emitter_t *e, const char *v) {
        return emit_scalar_styled(e, v, string_needs_quotes(v) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

static int emit_plain(yaml_emitter_t *e, const char *v) {
        return emit_scalar_styled(e, v, YAML_PLAIN_SCALAR_STYLE);
}

static int emit_field_value(yaml_emitter_t *e, const Field *f, const void *obj) {
        const void *p = (const uint8_t *) obj + f->offset;
        char buf[64];
        int r;

        switch (f->type) {
        case FIELD_STRING:
                return emit_string(e, strempty(*(char *const *) p));
        case FIELD_BOOL:
                return emit_plain(e, *(const bool *) p ? "true" : "false");
        case FIELD_OPT_BOOL:
                return emit_plain(e, ((const OptBool *) p)->value ? "true" : "false");
        case FIELD_INT:
                snprintf(buf, sizeof buf, "%" PRIi64, *(const int64_t *) p);
                return emit_plain(e, buf);
        case FIELD_OPT_INT:
                snprintf(buf, sizeof buf, "%" PRIi64, ((const OptInt *) p)->value);
                return emit_plain(e, buf);
        case FIELD_MODE:
                snprintf(buf, sizeof buf, "0%o", *(const uint32_t *) p);
                return emit_plain(e, buf);
        case FIELD_TIME:
                if (!time_format_rfc3339(buf, *(const usec_t *) p))
                        return -ERANGE;
                return emit_scalar_styled(e, buf, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
        case FIELD_ENUM: {
                const char *n = enum_to_string(f->enum_type, *(const int *) p);
                if (!n)
                        return -EINVAL;
                return emit_plain(e, n);
        }
        case FIELD_STRV: {
                char **l = *(char **const *) p;
                r = emit_sequence_start(e, strv_length(l) == 0);
                if (r < 0)
                        return r;
                STRV_FOREACH(s, l) {
                        r = emit_string(e, *s);
                        if (r < 0)
                                return r;
                }
                return emit_sequence_end(e);
        }
        case FIELD_MAP: {
                char **l = *(char **const *) p;
                r = emit_mapping_start(e, strv_length(l) == 0);
                if (r < 0)
                        return r;
                for (size_t i = 0; l && l[i] && l[i + 1]; i += 2) {
                        r = emit_string(e, l[i]);
                        if (r < 0)
                                return r;
                        r = emit_string(e, l[i + 1]);
                        if (r < 0)
                                return r;
                }
                return emit_mapping_end(e);
        }
        case FIELD_INT_LIST: {
                const int64_t *a = *(int64_t *const *) p;
                size_t n = *(const size_t *) ((const uint8_t *) obj + f->count_offset);
                r = emit_sequence_start(e, true);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        snprintf(buf, sizeof buf, "%" PRIi64, a[i]);
                        r = emit_plain(e, buf);
                        if (r < 0)
                                return r;
                }
                return emit_sequence_end(e);
        }
        case FIELD_OBJECT:
                return yaml_emit_object(e, f->schema, p);
        case FIELD_OBJECT_PTR: {
                const void *o = *(void *const *) p;
                if (!o) {
                        r = emit_mapping_start(e, true);
                        return r < 0 ? r : emit_mapping_end(e);
                }
                return yaml_emit_object(e, f->schema, o);
        }
        case FIELD_OBJECT_LIST: {
                const uint8_t *a = *(uint8_t *const *) p;
                size_t n = *(const size_t *) ((const uint8_t *) obj + f->count_offset);
                r = emit_sequence_start(e, n == 0);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        r = yaml_emit_object(e, f->schema, a + i * f->schema->size);
                        if (r < 0)
                                return r;
                }
                return emit_sequence_end(e);
        }
        default:
                return -EINVAL;
        }
}

int yaml_emit_object(yaml_emitter_t *e, const Schema *s, const void *obj) {
        int r = emit_mapping_start(e, false);
        if (r < 0)
                return r;
        SCHEMA_FOREACH(f, s) {
                if (!field_is_emitted(f, obj))
                        continue;
                r = emit_plain(e, f->name);
                if (r < 0)
                        return r;
                r = emit_field_value(e, f, obj);
                if (r < 0)
                        return r;
        }
        return emit_mapping_end(e);
}

int yaml_format_object(const Schema *s, const void *obj, char **ret) {
        yaml_emitter_t e;
        YamlBuffer b = {};
        int r;

        if (!yaml_emitter_initialize(&e))
                return -ENOMEM;
        yaml_emitter_set_output(&e, yaml_buffer_write_handler, &b);
        yaml_emitter_set_unicode(&e, 1);
        yaml_emitter_set_width(&e, -1);

        r = yaml_emit_stream_start(&e);
        if (r >= 0)
                r = yaml_emit_document_start(&e, true);
        if (r >= 0)
                r = yaml_emit_object(&e, s, obj);
        if (r >= 0)
                r = yaml_emit_document_end(&e);
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
