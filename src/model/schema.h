/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Field descriptors for the v1beta1 model.
 *
 * Every model struct has one Schema: a table naming each field, its type and its offset.
 * One table drives everything generic about a type — YAML decode and encode, JSON output,
 * equality, deep copy, freeing and zero checks — so that adding a field to the schema is
 * one line and the codecs cannot drift apart. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t usec_t;

/* An optional scalar: Go's *bool / *int64 in the original schema. "Not set" and "set to
 * the zero value" are different things for space defaults and resource limits. */
typedef struct OptBool {
        bool set;
        bool value;
} OptBool;

typedef struct OptInt {
        bool set;
        int64_t value;
} OptInt;

typedef enum FieldType {
        FIELD_STRING,      /* char *, NULL when absent */
        FIELD_BOOL,        /* bool */
        FIELD_OPT_BOOL,    /* OptBool */
        FIELD_INT,         /* int64_t */
        FIELD_OPT_INT,     /* OptInt */
        FIELD_MODE,        /* uint32_t file mode: octal in YAML (0755) */
        FIELD_TIME,        /* usec_t since the epoch, 0 when unset; RFC 3339 in YAML */
        FIELD_ENUM,        /* int, serialized by name; legacy integers accepted on input */
        FIELD_STRV,        /* char **, NULL-terminated */
        FIELD_MAP,         /* char **, key/value pairs in order, NULL-terminated */
        FIELD_INT_LIST,    /* int64_t * plus a size_t count */
        FIELD_OBJECT,      /* an embedded struct */
        FIELD_OBJECT_PTR,  /* a pointer to a struct, NULL when absent */
        FIELD_OBJECT_LIST, /* an array of structs plus a size_t count */
        _FIELD_TYPE_MAX,
} FieldType;

typedef enum FieldFlags {
        /* Left out on output when zero, as Go's ",omitempty". Fields without it are
         * always written, so a document shows the full shape of its kind. */
        FIELD_OMITEMPTY = 1 << 0,
        /* A string written whenever it is set, even when empty: "" and absent mean
         * different things (CellProfile parameter defaults). */
        FIELD_NULLABLE = 1 << 1,
        /* Never written on output nor accepted on input where secrets could leak; reserved. */
        FIELD_SECRET = 1 << 2,
} FieldFlags;

typedef struct Schema Schema;

typedef struct EnumType {
        const char *const *names;
        size_t n_names;
} EnumType;

typedef struct Field {
        const char *name;
        FieldType type;
        size_t offset;
        FieldFlags flags;
        const Schema *schema;     /* FIELD_OBJECT, FIELD_OBJECT_PTR, FIELD_OBJECT_LIST */
        size_t count_offset;      /* FIELD_INT_LIST, FIELD_OBJECT_LIST */
        const EnumType *enum_type; /* FIELD_ENUM */
} Field;

struct Schema {
        const char *name;
        size_t size;
        const Field *fields; /* terminated by an entry with name == NULL */
};

#define SCHEMA_FIELD(st, f, json, t, fl) \
        { .name = (json), .type = (t), .offset = offsetof(st, f), .flags = (fl) }
#define SCHEMA_OBJECT(st, f, json, t, s, fl) \
        { .name = (json), .type = (t), .offset = offsetof(st, f), .flags = (fl), .schema = (s) }
#define SCHEMA_LIST(st, f, n, json, s, fl)                                              \
        { .name = (json), .type = FIELD_OBJECT_LIST, .offset = offsetof(st, f),         \
          .count_offset = offsetof(st, n), .flags = (fl), .schema = (s) }
#define SCHEMA_INT_LIST(st, f, n, json, fl)                                             \
        { .name = (json), .type = FIELD_INT_LIST, .offset = offsetof(st, f),            \
          .count_offset = offsetof(st, n), .flags = (fl) }
#define SCHEMA_ENUM(st, f, json, e, fl) \
        { .name = (json), .type = FIELD_ENUM, .offset = offsetof(st, f), .flags = (fl), .enum_type = (e) }
#define SCHEMA_END { .name = NULL }

#define SCHEMA_FOREACH(fld, s) for (const Field *fld = (s)->fields; fld->name; fld++)

/* Frees what the object owns, not the object itself; leaves it zeroed. */
void schema_done(const Schema *s, void *obj);
/* Frees the object's contents and the object. NULL-safe. */
void schema_free(const Schema *s, void *obj);

/* Whether output (YAML or JSON) writes the field: the omitempty rules. */
bool field_is_emitted(const Field *f, const void *obj);

bool schema_is_zero(const Schema *s, const void *obj);
bool schema_equal(const Schema *s, const void *a, const void *b);
/* Deep copy into 'dst', which must be zero. On failure 'dst' is left zero. */
int schema_copy(const Schema *s, void *dst, const void *src);

/* Calls 'f' for every string field in the object tree, letting it replace the string:
 * the hook for CellProfile parameter substitution. 'path' is the field path. */
typedef int (*schema_string_visitor)(char **value, const char *path, void *userdata);
int schema_visit_strings(const Schema *s, void *obj, schema_string_visitor f, void *userdata);

const char *enum_to_string(const EnumType *e, int v);
/* The index of 'name' in the enum, or the legacy integer spelled as a number; -EINVAL if neither. */
int enum_from_string(const EnumType *e, const char *name);

/* RFC 3339 timestamps. format writes into a buffer of at least TIME_RFC3339_MAX bytes. */
#define TIME_RFC3339_MAX 40
char *time_format_rfc3339(char buf[static TIME_RFC3339_MAX], usec_t t);
int time_parse_rfc3339(const char *s, usec_t *ret);
usec_t now_realtime(void);
