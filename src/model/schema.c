/* SPDX-License-Identifier: Apache-2.0 */
#include "schema.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "strv.h"

#define FIELD_PTR(obj, f) ((uint8_t *) (obj) + (f)->offset)
#define FIELD_CPTR(obj, f) ((const uint8_t *) (obj) + (f)->offset)

static size_t *field_count(void *obj, const Field *f) {
        return (size_t *) ((uint8_t *) obj + f->count_offset);
}

static size_t field_ccount(const void *obj, const Field *f) {
        return *(const size_t *) ((const uint8_t *) obj + f->count_offset);
}

void schema_done(const Schema *s, void *obj) {
        if (!obj)
                return;

        SCHEMA_FOREACH(f, s) {
                void *p = FIELD_PTR(obj, f);

                switch (f->type) {
                case FIELD_STRING:
                        *(char **) p = mfree(*(char **) p);
                        break;
                case FIELD_STRV:
                case FIELD_MAP:
                        *(char ***) p = strv_free(*(char ***) p);
                        break;
                case FIELD_INT_LIST:
                        *(int64_t **) p = mfree(*(int64_t **) p);
                        *field_count(obj, f) = 0;
                        break;
                case FIELD_OBJECT:
                        schema_done(f->schema, p);
                        break;
                case FIELD_OBJECT_PTR:
                        schema_free(f->schema, *(void **) p);
                        *(void **) p = NULL;
                        break;
                case FIELD_OBJECT_LIST: {
                        uint8_t *a = *(uint8_t **) p;
                        size_t n = *field_count(obj, f);
                        for (size_t i = 0; i < n; i++)
                                schema_done(f->schema, a + i * f->schema->size);
                        free(a);
                        *(void **) p = NULL;
                        *field_count(obj, f) = 0;
                        break;
                }
                default:
                        break;
                }
        }
        memset(obj, 0, s->size);
}

void schema_free(const Schema *s, void *obj) {
        if (!obj)
                return;
        schema_done(s, obj);
        free(obj);
}

static bool field_is_zero(const Field *f, const void *obj) {
        const void *p = FIELD_CPTR(obj, f);

        switch (f->type) {
        case FIELD_STRING:
                /* "" and absent are the same value, except where the schema says they differ. */
                if (f->flags & FIELD_NULLABLE)
                        return !*(char *const *) p;
                return isempty(*(char *const *) p);
        case FIELD_BOOL:
                return !*(const bool *) p;
        case FIELD_OPT_BOOL:
                return !((const OptBool *) p)->set;
        case FIELD_INT:
                return *(const int64_t *) p == 0;
        case FIELD_OPT_INT:
                return !((const OptInt *) p)->set;
        case FIELD_MODE:
                return *(const uint32_t *) p == 0;
        case FIELD_TIME:
                return *(const usec_t *) p == 0;
        case FIELD_ENUM:
                return *(const int *) p == 0;
        case FIELD_STRV:
        case FIELD_MAP:
                return strv_length(*(char **const *) p) == 0;
        case FIELD_INT_LIST:
        case FIELD_OBJECT_LIST:
                return field_ccount(obj, f) == 0;
        case FIELD_OBJECT:
                return schema_is_zero(f->schema, p);
        case FIELD_OBJECT_PTR:
                return !*(void *const *) p;
        default:
                return true;
        }
}

bool field_is_emitted(const Field *f, const void *obj) {
        const void *p = (const uint8_t *) obj + f->offset;

        if (f->type == FIELD_STRING && (f->flags & FIELD_NULLABLE))
                return *(char *const *) p != NULL;
        if (f->type == FIELD_TIME)
                /* A zero timestamp means "never": written as nothing rather than year 1. */
                return *(const usec_t *) p != 0;
        if (!(f->flags & FIELD_OMITEMPTY))
                return true;

        switch (f->type) {
        case FIELD_STRING:
                return !isempty(*(char *const *) p);
        case FIELD_OBJECT:
                return !schema_is_zero(f->schema, p);
        default:
                return !field_is_zero(f, obj);
        }
}

bool schema_is_zero(const Schema *s, const void *obj) {
        SCHEMA_FOREACH(f, s)
                if (!field_is_zero(f, obj))
                        return false;
        return true;
}

static bool field_equal(const Field *f, const void *a, const void *b) {
        const void *pa = FIELD_CPTR(a, f), *pb = FIELD_CPTR(b, f);

        switch (f->type) {
        case FIELD_STRING:
                if (f->flags & FIELD_NULLABLE)
                        return streq_ptr(*(char *const *) pa, *(char *const *) pb);
                return streq(strempty(*(char *const *) pa), strempty(*(char *const *) pb));
        case FIELD_BOOL:
                return *(const bool *) pa == *(const bool *) pb;
        case FIELD_OPT_BOOL: {
                const OptBool *x = pa, *y = pb;
                return x->set == y->set && (!x->set || x->value == y->value);
        }
        case FIELD_INT:
                return *(const int64_t *) pa == *(const int64_t *) pb;
        case FIELD_OPT_INT: {
                const OptInt *x = pa, *y = pb;
                return x->set == y->set && (!x->set || x->value == y->value);
        }
        case FIELD_MODE:
                return *(const uint32_t *) pa == *(const uint32_t *) pb;
        case FIELD_TIME:
                return *(const usec_t *) pa == *(const usec_t *) pb;
        case FIELD_ENUM:
                return *(const int *) pa == *(const int *) pb;
        case FIELD_STRV:
        case FIELD_MAP:
                return strv_equal(*(char **const *) pa, *(char **const *) pb);
        case FIELD_INT_LIST: {
                size_t n = field_ccount(a, f);
                if (n != field_ccount(b, f))
                        return false;
                return n == 0 || memcmp(*(int64_t *const *) pa, *(int64_t *const *) pb, n * sizeof(int64_t)) == 0;
        }
        case FIELD_OBJECT:
                return schema_equal(f->schema, pa, pb);
        case FIELD_OBJECT_PTR: {
                const void *x = *(void *const *) pa, *y = *(void *const *) pb;
                if (!x || !y)
                        return x == y;
                return schema_equal(f->schema, x, y);
        }
        case FIELD_OBJECT_LIST: {
                size_t n = field_ccount(a, f);
                if (n != field_ccount(b, f))
                        return false;
                const uint8_t *x = *(uint8_t *const *) pa, *y = *(uint8_t *const *) pb;
                for (size_t i = 0; i < n; i++)
                        if (!schema_equal(f->schema, x + i * f->schema->size, y + i * f->schema->size))
                                return false;
                return true;
        }
        default:
                return false;
        }
}

bool schema_equal(const Schema *s, const void *a, const void *b) {
        SCHEMA_FOREACH(f, s)
                if (!field_equal(f, a, b))
                        return false;
        return true;
}

static int field_copy(const Field *f, void *dst, const void *src) {
        const void *ps = FIELD_CPTR(src, f);
        void *pd = FIELD_PTR(dst, f);

        switch (f->type) {
        case FIELD_STRING: {
                const char *v = *(char *const *) ps;
                if (v && !(*(char **) pd = strdup(v)))
                        return -ENOMEM;
                return 0;
        }
        case FIELD_STRV:
        case FIELD_MAP: {
                char **v = *(char **const *) ps;
                if (v && !(*(char ***) pd = strv_copy(v)))
                        return -ENOMEM;
                return 0;
        }
        case FIELD_INT_LIST: {
                size_t n = field_ccount(src, f);
                if (n == 0)
                        return 0;
                int64_t *a = malloc(n * sizeof(int64_t));
                if (!a)
                        return -ENOMEM;
                memcpy(a, *(int64_t *const *) ps, n * sizeof(int64_t));
                *(int64_t **) pd = a;
                *field_count(dst, f) = n;
                return 0;
        }
        case FIELD_OBJECT:
                return schema_copy(f->schema, pd, ps);
        case FIELD_OBJECT_PTR: {
                const void *v = *(void *const *) ps;
                if (!v)
                        return 0;
                void *c = calloc(1, f->schema->size);
                if (!c)
                        return -ENOMEM;
                int r = schema_copy(f->schema, c, v);
                if (r < 0) {
                        free(c);
                        return r;
                }
                *(void **) pd = c;
                return 0;
        }
        case FIELD_OBJECT_LIST: {
                size_t n = field_ccount(src, f);
                if (n == 0)
                        return 0;
                uint8_t *a = calloc(n, f->schema->size);
                if (!a)
                        return -ENOMEM;
                const uint8_t *from = *(uint8_t *const *) ps;
                /* Publish the array first so a failure half way is freed by the caller's
                 * schema_done() of the whole destination. */
                *(void **) pd = a;
                *field_count(dst, f) = n;
                for (size_t i = 0; i < n; i++) {
                        int r = schema_copy(f->schema, a + i * f->schema->size, from + i * f->schema->size);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        case FIELD_BOOL:
                *(bool *) pd = *(const bool *) ps;
                return 0;
        case FIELD_OPT_BOOL:
                *(OptBool *) pd = *(const OptBool *) ps;
                return 0;
        case FIELD_INT:
                *(int64_t *) pd = *(const int64_t *) ps;
                return 0;
        case FIELD_OPT_INT:
                *(OptInt *) pd = *(const OptInt *) ps;
                return 0;
        case FIELD_MODE:
                *(uint32_t *) pd = *(const uint32_t *) ps;
                return 0;
        case FIELD_TIME:
                *(usec_t *) pd = *(const usec_t *) ps;
                return 0;
        case FIELD_ENUM:
                *(int *) pd = *(const int *) ps;
                return 0;
        default:
                return -EINVAL;
        }
}

int schema_copy(const Schema *s, void *dst, const void *src) {
        SCHEMA_FOREACH(f, s) {
                int r = field_copy(f, dst, src);
                if (r < 0) {
                        schema_done(s, dst);
                        return r;
                }
        }
        return 0;
}

static int visit_strings(const Schema *s, void *obj, const char *prefix, schema_string_visitor fn, void *userdata) {
        SCHEMA_FOREACH(f, s) {
                void *p = FIELD_PTR(obj, f);
                _cleanup_free_ char *path = NULL;
                int r;

                if (asprintf(&path, "%s%s%s", prefix, *prefix ? "." : "", f->name) < 0)
                        return -ENOMEM;

                switch (f->type) {
                case FIELD_STRING:
                        if (*(char **) p) {
                                r = fn((char **) p, path, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                case FIELD_STRV:
                case FIELD_MAP: {
                        char **l = *(char ***) p;
                        for (size_t i = 0; l && l[i]; i++) {
                                _cleanup_free_ char *ip = NULL;
                                if (asprintf(&ip, "%s[%zu]", path, f->type == FIELD_MAP ? i / 2 : i) < 0)
                                        return -ENOMEM;
                                r = fn(&l[i], ip, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
                case FIELD_OBJECT:
                        r = visit_strings(f->schema, p, path, fn, userdata);
                        if (r < 0)
                                return r;
                        break;
                case FIELD_OBJECT_PTR:
                        if (*(void **) p) {
                                r = visit_strings(f->schema, *(void **) p, path, fn, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                case FIELD_OBJECT_LIST: {
                        uint8_t *a = *(uint8_t **) p;
                        size_t n = *field_count(obj, f);
                        for (size_t i = 0; i < n; i++) {
                                _cleanup_free_ char *ip = NULL;
                                if (asprintf(&ip, "%s[%zu]", path, i) < 0)
                                        return -ENOMEM;
                                r = visit_strings(f->schema, a + i * f->schema->size, ip, fn, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
                default:
                        break;
                }
        }
        return 0;
}

int schema_visit_strings(const Schema *s, void *obj, schema_string_visitor fn, void *userdata) {
        return visit_strings(s, obj, "", fn, userdata);
}

const char *enum_to_string(const EnumType *e, int v) {
        if (v < 0 || (size_t) v >= e->n_names)
                return NULL;
        return e->names[v];
}

int enum_from_string(const EnumType *e, const char *name) {
        for (size_t i = 0; i < e->n_names; i++)
                if (streq(e->names[i], name))
                        return (int) i;

        /* Older state files stored the Go iota value; keep reading them. */
        char *end;
        errno = 0;
        long v = strtol(name, &end, 10);
        if (errno == 0 && end != name && *end == 0 && v >= 0 && (size_t) v < e->n_names)
                return (int) v;

        return -EINVAL;
}

/* ---- time ---- */

usec_t now_realtime(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (usec_t) ts.tv_sec * 1000000ULL + (usec_t) ts.tv_nsec / 1000ULL;
}

char *time_format_rfc3339(char buf[static TIME_RFC3339_MAX], usec_t t) {
        time_t sec = (time_t) (t / 1000000ULL);
        unsigned usec = (unsigned) (t % 1000000ULL);
        struct tm tm;

        if (!gmtime_r(&sec, &tm))
                return NULL;
        size_t n = strftime(buf, TIME_RFC3339_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0)
                return NULL;
        if (usec != 0) {
                /* Fractional seconds only when there are some, trailing zeros dropped, as Go's RFC3339Nano. */
                char frac[8];
                snprintf(frac, sizeof frac, ".%06u", usec);
                size_t l = strlen(frac);
                while (frac[l - 1] == '0')
                        frac[--l] = 0;
                snprintf(buf + n, TIME_RFC3339_MAX - n, "%sZ", frac);
        } else
                snprintf(buf + n, TIME_RFC3339_MAX - n, "Z");
        return buf;
}

static int parse_digits(const char **p, unsigned n, int *ret) {
        int v = 0;
        for (unsigned i = 0; i < n; i++) {
                if ((*p)[i] < '0' || (*p)[i] > '9')
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

static int expect_char(const char **p, char c) {
        if (**p != c)
                return -EINVAL;
        (*p)++;
        return 0;
}

int time_parse_rfc3339(const char *s, usec_t *ret) {
        int year, mon, day, hour, min, sec, usec = 0;
        const char *p = s;

        if (parse_digits(&p, 4, &year) < 0 || expect_char(&p, '-') < 0 ||
            parse_digits(&p, 2, &mon) < 0 || expect_char(&p, '-') < 0 ||
            parse_digits(&p, 2, &day) < 0)
                return -EINVAL;
        if (*p != 'T' && *p != 't' && *p != ' ')
                return -EINVAL;
        p++;
        if (parse_digits(&p, 2, &hour) < 0 || expect_char(&p, ':') < 0 ||
            parse_digits(&p, 2, &min) < 0 || expect_char(&p, ':') < 0 ||
            parse_digits(&p, 2, &sec) < 0)
                return -EINVAL;
        if (*p == '.') {
                p++;
                unsigned digits = 0;
                while (*p >= '0' && *p <= '9') {
                        if (digits < 6)
                                usec = usec * 10 + (*p - '0');
                        digits++;
                        p++;
                }
                if (digits == 0)
                        return -EINVAL;
                for (; digits < 6; digits++)
                        usec *= 10;
        }

        int offset = 0;
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                int sign = *p == '-' ? -1 : 1, oh, om;
                p++;
                if (parse_digits(&p, 2, &oh) < 0 || expect_char(&p, ':') < 0 || parse_digits(&p, 2, &om) < 0)
                        return -EINVAL;
                if (oh > 23 || om > 59)
                        return -EINVAL;
                offset = sign * (oh * 3600 + om * 60);
        } else
                return -EINVAL;
        if (*p != 0)
                return -EINVAL;

        if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
                return -EINVAL;

        /* Go's zero time.Time, which the original wrote for "never". */
        if (year == 1 && mon == 1 && day == 1 && hour == 0 && min == 0 && sec == 0 && usec == 0 && offset == 0) {
                *ret = 0;
                return 0;
        }

        struct tm tm = {
                .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
                .tm_hour = hour, .tm_min = min, .tm_sec = sec,
        };
        time_t t = timegm(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        /* timegm normalizes 31 February into March: refuse dates that did not survive. */
        if (tm.tm_mday != day || tm.tm_mon != mon - 1)
                return -EINVAL;
        t -= offset;
        if (t < 0)
                return -ERANGE;

        *ret = (usec_t) t * 1000000ULL + (usec_t) usec;
        return 0;
}
