/* SPDX-License-Identifier: Apache-2.0 */
#include "containerd-name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "name.h"

#define CONTAINER_ID_PARTS 4

static bool char_is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool containerd_identifier_is_valid(const char *s) {
        size_t n;

        if (isempty(s))
                return false;

        for (n = 0; s[n]; n++) {
                if (char_is_alnum(s[n]))
                        continue;
                if (!strchr("._-", s[n]))
                        return false;
                /* A separator must sit between two alphanumeric runs. */
                if (n == 0 || !char_is_alnum(s[n - 1]) || !char_is_alnum(s[n + 1]))
                        return false;
        }
        return n <= CONTAINERD_IDENTIFIER_LENGTH_MAX;
}

/* Take ownership of a built identifier if containerd would accept it. */
static int identifier_return(char *s, char **ret) {
        _cleanup_free_ char *p = s;

        if (strlen(p) > CONTAINERD_IDENTIFIER_LENGTH_MAX)
                return -ENAMETOOLONG;
        if (!containerd_identifier_is_valid(p))
                return -EINVAL;
        *ret = TAKE_PTR(p);
        return 0;
}

int containerd_namespace_build(const char *realm, const char *spec_namespace, const char *namespace_suffix, char **ret) {
        char *r;
        int k;

        if (!ret || isempty(realm))
                return -EINVAL;

        if (!isempty(spec_namespace))
                k = (r = strdup(spec_namespace)) ? 0 : -1;
        else if (!isempty(namespace_suffix))
                k = asprintf(&r, "%s.%s", realm, namespace_suffix);
        else if (realm_name_is_system(realm))
                k = (r = strdup(realm)) ? 0 : -1;
        else
                k = asprintf(&r, CONTAINERD_NAMESPACE_PREFIX "%s", realm);
        if (k < 0)
                return -ENOMEM;

        return identifier_return(r, ret);
}

int containerd_container_id_build(const char *space, const char *stack, const char *cell, const char *container, char **ret) {
        char *r;

        if (!ret || isempty(space) || isempty(stack) || isempty(cell) || isempty(container))
                return -EINVAL;

        if (asprintf(&r, "%s_%s_%s_%s", space, stack, cell, container) < 0)
                return -ENOMEM;

        return identifier_return(r, ret);
}

/* _cleanup_free_ on an array would free only its first element. */
static void parts_free(char *(*p)[CONTAINER_ID_PARTS]) {
        for (size_t i = 0; i < CONTAINER_ID_PARTS; i++)
                free((*p)[i]);
}

int containerd_container_id_parse(const char *id, char **ret_space, char **ret_stack, char **ret_cell, char **ret_container) {
        _cleanup_(parts_free) char *parts[CONTAINER_ID_PARTS] = {};
        char **const rets[CONTAINER_ID_PARTS] = { ret_space, ret_stack, ret_cell, ret_container };
        const char *p = id;

        if (isempty(id))
                return -EINVAL;

        for (size_t i = 0; i < CONTAINER_ID_PARTS; i++) {
                const char *e = strchr(p, '_');

                if (i == CONTAINER_ID_PARTS - 1) {
                        if (e)
                                return -EINVAL;
                        e = p + strlen(p);
                } else if (!e)
                        return -EINVAL;
                if (e == p)
                        return -EINVAL;

                parts[i] = strndup(p, (size_t) (e - p));
                if (!parts[i])
                        return -ENOMEM;
                p = e + 1;
        }

        for (size_t i = 0; i < CONTAINER_ID_PARTS; i++)
                if (rets[i])
                        *rets[i] = TAKE_PTR(parts[i]);
        return 0;
}
