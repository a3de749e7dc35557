/* SPDX-License-Identifier: Apache-2.0 */
#include "resource.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "name.h"

static const char *const nouns[_RESOURCE_TYPE_MAX] = {
        [RESOURCE_REALM] = "realm",
        [RESOURCE_SPACE] = "space",
        [RESOURCE_STACK] = "stack",
        [RESOURCE_CELL] = "cell",
        [RESOURCE_CONTAINER] = "container",
};

static const char *const plurals[_RESOURCE_TYPE_MAX] = {
        [RESOURCE_REALM] = "realms",
        [RESOURCE_SPACE] = "spaces",
        [RESOURCE_STACK] = "stacks",
        [RESOURCE_CELL] = "cells",
        [RESOURCE_CONTAINER] = "containers",
};

static const char *const kinds[_RESOURCE_TYPE_MAX] = {
        [RESOURCE_REALM] = "Realm",
        [RESOURCE_SPACE] = "Space",
        [RESOURCE_STACK] = "Stack",
        [RESOURCE_CELL] = "Cell",
        [RESOURCE_CONTAINER] = "Container",
};

int resource_type_from_string(const char *s, ResourceType *ret, bool *ret_plural) {
        if (!s)
                return -EINVAL;
        for (ResourceType t = 0; t < _RESOURCE_TYPE_MAX; t++) {
                bool plural = streq(s, plurals[t]);
                if (plural || streq(s, nouns[t])) {
                        *ret = t;
                        if (ret_plural)
                                *ret_plural = plural;
                        return 0;
                }
        }
        return -EINVAL;
}

static char *types_join(unsigned types, const char *sep, const char *last_sep) {
        size_t n = 0, total = 0, seen = 0;
        char *s, *p;

        for (ResourceType t = 0; t < _RESOURCE_TYPE_MAX; t++)
                if (types & RESOURCE_TYPE_BIT(t)) {
                        n++;
                        total += strlen(nouns[t]) + MAX(strlen(sep), strlen(last_sep));
                }
        if (n == 0)
                return NULL;
        s = p = malloc(total + 1);
        if (!s)
                return NULL;
        for (ResourceType t = 0; t < _RESOURCE_TYPE_MAX; t++) {
                if (!(types & RESOURCE_TYPE_BIT(t)))
                        continue;
                if (seen > 0)
                        p = stpcpy(p, seen + 1 == n ? last_sep : sep);
                p = stpcpy(p, nouns[t]);
                seen++;
        }
        *p = 0;
        return s;
}

char *resource_types_to_usage(unsigned types) {
        return types_join(types, "|", "|");
}

char *resource_types_to_list(unsigned types) {
        return types_join(types, ", ", " or ");
}

const char *resource_type_to_noun(ResourceType t) {
        return t >= 0 && t < _RESOURCE_TYPE_MAX ? nouns[t] : NULL;
}

const char *resource_type_to_plural(ResourceType t) {
        return t >= 0 && t < _RESOURCE_TYPE_MAX ? plurals[t] : NULL;
}

const char *resource_type_to_kind_string(ResourceType t) {
        return t >= 0 && t < _RESOURCE_TYPE_MAX ? kinds[t] : NULL;
}

Kind resource_type_to_kind(ResourceType t) {
        switch (t) {
        case RESOURCE_REALM:
                return KIND_REALM;
        case RESOURCE_SPACE:
                return KIND_SPACE;
        case RESOURCE_STACK:
                return KIND_STACK;
        case RESOURCE_CELL:
                return KIND_CELL;
        case RESOURCE_CONTAINER:
                return KIND_CONTAINER;
        default:
                return _KIND_INVALID;
        }
}

const char *resource_ref_name(const ResourceRef *r) {
        switch (r->type) {
        case RESOURCE_REALM:
                return r->realm;
        case RESOURCE_SPACE:
                return r->space;
        case RESOURCE_STACK:
                return r->stack;
        case RESOURCE_CELL:
                return r->cell;
        case RESOURCE_CONTAINER:
                return r->container;
        default:
                return NULL;
        }
}

ResourceRef resource_ref_at(const ResourceRef *r, ResourceType level) {
        ResourceRef p = { .type = MIN(level, r->type), .realm = r->realm };
        if (p.type >= RESOURCE_SPACE)
                p.space = r->space;
        if (p.type >= RESOURCE_STACK)
                p.stack = r->stack;
        if (p.type >= RESOURCE_CELL)
                p.cell = r->cell;
        if (p.type >= RESOURCE_CONTAINER)
                p.container = r->container;
        return p;
}

static int check_level(const char *kind, const char *name, char **ret_message) {
        if (!name)
                return asprintf(ret_message, "no %s name given", kind) < 0 ? -ENOMEM : -EINVAL;
        return name_check(kind, name, ret_message);
}

int resource_ref_check(const ResourceRef *r, bool allow_system_realm, char **ret_message) {
        char *msg = NULL;
        int k;

        if (r->type < 0 || r->type >= _RESOURCE_TYPE_MAX)
                return -EINVAL;

        /* Left to right, the order the user reads the path of names in. */
        if (!r->realm)
                k = check_level("Realm", NULL, &msg);
        else
                k = realm_name_check(r->realm, allow_system_realm, &msg);
        if (k == 0 && r->type >= RESOURCE_SPACE)
                k = check_level("Space", r->space, &msg);
        if (k == 0 && r->type >= RESOURCE_STACK)
                k = check_level("Stack", r->stack, &msg);
        if (k == 0 && r->type >= RESOURCE_CELL)
                k = check_level("Cell", r->cell, &msg);
        if (k == 0 && r->type >= RESOURCE_CONTAINER)
                k = check_level("Container", r->container, &msg);

        if (ret_message)
                *ret_message = msg;
        else
                free(msg);
        return k;
}

char *resource_ref_describe(const ResourceRef *r) {
        _cleanup_free_ char *realm = name_escape_for_message(r->realm, 80),
                            *space = r->type >= RESOURCE_SPACE ? name_escape_for_message(r->space, 80) : NULL,
                            *stack = r->type >= RESOURCE_STACK ? name_escape_for_message(r->stack, 80) : NULL,
                            *cell = r->type >= RESOURCE_CELL ? name_escape_for_message(r->cell, 80) : NULL,
                            *container = r->type >= RESOURCE_CONTAINER ? name_escape_for_message(r->container, 80) : NULL;
        const char *noun = resource_type_to_noun(r->type);
        char *s = NULL;
        int k;

        if (!noun || !realm || (r->type >= RESOURCE_SPACE && !space) || (r->type >= RESOURCE_STACK && !stack) ||
            (r->type >= RESOURCE_CELL && !cell) || (r->type >= RESOURCE_CONTAINER && !container))
                return NULL;
        if (r->type == RESOURCE_REALM)
                k = asprintf(&s, "%s \"%s\"", noun, realm);
        else if (r->type == RESOURCE_SPACE)
                k = asprintf(&s, "%s \"%s/%s\"", noun, realm, space);
        else if (r->type == RESOURCE_STACK)
                k = asprintf(&s, "%s \"%s/%s/%s\"", noun, realm, space, stack);
        else if (r->type == RESOURCE_CELL)
                k = asprintf(&s, "%s \"%s/%s/%s/%s\"", noun, realm, space, stack, cell);
        else
                k = asprintf(&s, "%s \"%s/%s/%s/%s/%s\"", noun, realm, space, stack, cell, container);
        return k < 0 ? NULL : s;
}
