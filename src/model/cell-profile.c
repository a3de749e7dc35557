/* SPDX-License-Identifier: Apache-2.0 */
#include "cell-profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "macro.h"
#include "strv.h"

#define PROFILE_LABEL "kukeon.io/cell-profile"

typedef struct Resolved {
        char **keys;
        char **values;
} Resolved;

static const CellProfileParameter *find_parameter(const CellProfileDoc *p, const char *key, size_t len) {
        for (size_t i = 0; i < p->spec.n_parameters; i++) {
                const char *n = p->spec.parameters[i].name;
                if (n && strlen(n) == len && strncmp(n, key, len) == 0)
                        return &p->spec.parameters[i];
        }
        return NULL;
}

typedef struct RefCheck {
        const CellProfileDoc *profile;
        char *error;
} RefCheck;

static int check_refs(char **value, const char *path, void *userdata) {
        RefCheck *c = userdata;
        for (const char *s = *value; (s = strstr(s, "${")); ) {
                const char *end = strchr(s + 2, '}');
                if (!end) {
                        if (asprintf(&c->error, "spec.cell.%s: unterminated \"${\" in \"%s\"", path, *value) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }
                size_t len = (size_t) (end - s - 2);
                if (!find_parameter(c->profile, s + 2, len)) {
                        if (asprintf(&c->error, "spec.cell.%s: ${%.*s} is not a declared parameter (declare it under spec.parameters)",
                                     path, (int) len, s + 2) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }
                s = end + 1;
        }
        return 0;
}

int cell_profile_check_references(const CellProfileDoc *p, char **ret_error) {
        RefCheck c = { .profile = p };
        /* The visitor may replace strings; this one only reads, so the cast is safe. */
        int r = schema_visit_strings(&cell_spec_schema, (void *) &p->spec.cell, check_refs, &c);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(c.error);
                free(c.error);
        }
        return r;
}

static const char *lookup_env(char **env, const char *key) {
        size_t n = strlen(key);
        STRV_FOREACH(e, env)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

typedef struct Substitute {
        const CellProfileDoc *profile;
        char *const *values; /* parallel to profile->spec.parameters */
} Substitute;

static int substitute(char **value, const char *path, void *userdata) {
        Substitute *s = userdata;
        if (!strstr(*value, "${"))
                return 0;

        _cleanup_free_ char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return -ENOMEM;
        for (const char *p = *value; *p; ) {
                const char *start = strstr(p, "${");
                if (!start) {
                        fputs(p, f);
                        break;
                }
                fwrite(p, 1, (size_t) (start - p), f);
                const char *end = strchr(start + 2, '}');
                /* References were checked when the profile was loaded. */
                const CellProfileParameter *param = end ? find_parameter(s->profile, start + 2, (size_t) (end - start - 2)) : NULL;
                if (!param) {
                        fclose(f);
                        return -EINVAL;
                }
                fputs(s->values[param - s->profile->spec.parameters], f);
                p = end + 1;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        free(*value);
        *value = TAKE_PTR(out);
        return 0;
}

int cell_profile_generate_name(const char *prefix, char **ret) {
        uint8_t b[3];
        if (getrandom(b, sizeof b, 0) != (ssize_t) sizeof b)
                return -errno ?: -EIO;
        return asprintf(ret, "%s-%02x%02x%02x", prefix, b[0], b[1], b[2]) < 0 ? -ENOMEM : 0;
}

static int set_string(char **field, const char *value) {
        char *s = strdup(value);
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

int cell_profile_materialize(const CellProfileDoc *p, const ProfileInputs *in, CellDoc **ret, char **ret_error) {
        size_t n = p->spec.n_parameters;
        _cleanup_strv_free_ char **values = new0(char *, n + 1);
        /* Declared before the first goto: cleanup runs on every path out. */
        _cleanup_free_ CellDoc *c = NULL;
        _cleanup_free_ char *name = NULL;
        char *msg = NULL;
        int r;

        if (!values)
                return -ENOMEM;

        r = cell_profile_check_references(p, &msg);
        if (r < 0)
                goto fail;

        /* A --param for an undeclared key is a typo, not something to ignore. */
        STRV_FOREACH(kv, in ? in->params : NULL) {
                const char *eq = strchr(*kv, '=');
                if (!eq || eq == *kv) {
                        r = asprintf(&msg, "--param %s: expected KEY=VALUE", *kv) < 0 ? -ENOMEM : -EINVAL;
                        goto fail;
                }
                if (!find_parameter(p, *kv, (size_t) (eq - *kv))) {
                        r = asprintf(&msg, "--param %.*s: profile \"%s\" declares no such parameter", (int) (eq - *kv), *kv,
                                     strempty(p->metadata.name)) < 0 ? -ENOMEM : -EINVAL;
                        goto fail;
                }
        }

        for (size_t i = 0; i < n; i++) {
                const CellProfileParameter *param = &p->spec.parameters[i];
                const char *v = lookup_env(in ? in->params : NULL, param->name);
                /* An explicit default, even "", stops the search before the environment. */
                if (!v)
                        v = param->default_;
                if (!v)
                        v = lookup_env(in ? in->environment : NULL, param->name);
                if (!v && param->required) {
                        r = asprintf(&msg, "parameter %s of profile \"%s\" is required: pass --param %s=VALUE", param->name,
                                     strempty(p->metadata.name), param->name) < 0 ? -ENOMEM : -EINVAL;
                        goto fail;
                }
                if (!(values[i] = strdup(v ?: ""))) {
                        r = -ENOMEM;
                        goto fail;
                }
        }

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        r = schema_copy(&cell_spec_schema, &c->spec, &p->spec.cell);
        if (r < 0)
                return r;

        Substitute s = { .profile = p, .values = values };
        r = schema_visit_strings(&cell_spec_schema, &c->spec, substitute, &s);

        if (r >= 0) {
                if (in && in->name)
                        r = (name = strdup(in->name)) ? 0 : -ENOMEM;
                else
                        r = cell_profile_generate_name(!isempty(p->spec.prefix) ? p->spec.prefix : strempty(p->metadata.name), &name);
        }
        if (r >= 0)
                r = set_string(&c->api_version, API_VERSION_V1BETA1);
        if (r >= 0)
                r = set_string(&c->kind, "Cell");
        if (r >= 0) {
                c->metadata.name = TAKE_PTR(name);
                r = strv_extend(&c->metadata.labels, PROFILE_LABEL);
                if (r >= 0)
                        r = strv_extend(&c->metadata.labels, strempty(p->metadata.name));
        }
        /* The location comes from the profile unless the body names it. */
        const struct {
                char **field;
                const char *value, *fallback;
        } loc[] = {
                { &c->spec.realm_id, p->spec.realm, "main" },
                { &c->spec.space_id, p->spec.space, "default" },
                { &c->spec.stack_id, p->spec.stack, "default" },
        };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(loc); i++)
                if (isempty(*loc[i].field))
                        r = set_string(loc[i].field, !isempty(loc[i].value) ? loc[i].value : loc[i].fallback);
        if (r < 0) {
                schema_done(&cell_doc_schema, c);
                return r;
        }

        *ret = TAKE_PTR(c);
        if (ret_error)
                *ret_error = NULL;
        return 0;

fail:
        if (ret_error)
                *ret_error = msg;
        else
                free(msg);
        return r;
}
