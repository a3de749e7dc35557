/* SPDX-License-Identifier: Apache-2.0 */
#include "json-codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"

static json_t *json_from_field(const Field *f, const void *obj) {
        const void *p = (const uint8_t *) obj + f->offset;

        switch (f->type) {
        case FIELD_STRING:
                return json_string(strempty(*(char *const *) p));
        case FIELD_BOOL:
                return json_boolean(*(const bool *) p);
        case FIELD_OPT_BOOL:
                return json_boolean(((const OptBool *) p)->value);
        case FIELD_INT:
                return json_integer(*(const int64_t *) p);
        case FIELD_OPT_INT:
                return json_integer(((const OptInt *) p)->value);
        case FIELD_MODE:
                return json_integer(*(const uint32_t *) p);
        case FIELD_TIME: {
                char buf[TIME_RFC3339_MAX];
                if (!time_format_rfc3339(buf, *(const usec_t *) p))
                        return NULL;
                return json_string(buf);
        }
        case FIELD_ENUM: {
                const char *n = enum_to_string(f->enum_type, *(const int *) p);
                return n ? json_string(n) : NULL;
        }
        case FIELD_STRV: {
                json_t *a = json_array();
                STRV_FOREACH(s, *(char **const *) p)
                        if (!a || json_array_append_new(a, json_string(*s)) < 0) {
                                json_decref(a);
                                return NULL;
                        }
                return a;
        }
        case FIELD_MAP: {
                json_t *m = json_object();
                char **l = *(char **const *) p;
                for (size_t i = 0; m && l && l[i] && l[i + 1]; i += 2)
                        if (json_object_set_new(m, l[i], json_string(l[i + 1])) < 0) {
                                json_decref(m);
                                return NULL;
                        }
                return m;
        }
        case FIELD_INT_LIST: {
                json_t *a = json_array();
                const int64_t *v = *(int64_t *const *) p;
                size_t n = *(const size_t *) ((const uint8_t *) obj + f->count_offset);
                for (size_t i = 0; a && i < n; i++)
                        if (json_array_append_new(a, json_integer(v[i])) < 0) {
                                json_decref(a);
                                return NULL;
                        }
                return a;
        }
        case FIELD_OBJECT:
                return json_from_object(f->schema, p);
        case FIELD_OBJECT_PTR: {
                const void *o = *(void *const *) p;
                return o ? json_from_object(f->schema, o) : json_object();
        }
        case FIELD_OBJECT_LIST: {
                json_t *a = json_array();
                const uint8_t *v = *(uint8_t *const *) p;
                size_t n = *(const size_t *) ((const uint8_t *) obj + f->count_offset);
                for (size_t i = 0; a && i < n; i++)
                        if (json_array_append_new(a, json_from_object(f->schema, v + i * f->schema->size)) < 0) {
                                json_decref(a);
                                return NULL;
                        }
                return a;
        }
        default:
                return NULL;
        }
}

json_t *json_from_object(const Schema *s, const void *obj) {
        json_t *o = json_object();
        if (!o)
                return NULL;

        SCHEMA_FOREACH(f, s) {
                if (!field_is_emitted(f, obj))
                        continue;
                /* json_object_set_new() takes the value even on failure, NULL included. */
                if (json_object_set_new(o, f->name, json_from_field(f, obj)) < 0) {
                        json_decref(o);
                        return NULL;
                }
        }
        return o;
}

int json_format(json_t *j, char **ret) {
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!s)
                return -ENOMEM;
        size_t n = strlen(s);
        char *t = realloc(s, n + 2);
        if (!t) {
                free(s);
                return -ENOMEM;
        }
        t[n] = '\n';
        t[n + 1] = 0;
        *ret = t;
        return 0;
}
