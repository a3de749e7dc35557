/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The resources the CLI addresses by name (realm, space, stack, cell, container) and how a
 * command line names one: "kuke get space web --realm demo" is the ResourceRef {SPACE, "demo",
 * "web", NULL}; "kuke stop container side --cell site" is {CONTAINER, "main", "default",
 * "default", "site", "side"}. Pure
 * functions, so argument handling can be unit tested without a daemon. */

#include <stdbool.h>

#include "v1beta1.h"

typedef enum ResourceType {
        RESOURCE_REALM,
        RESOURCE_SPACE,
        RESOURCE_STACK,
        RESOURCE_CELL,
        RESOURCE_CONTAINER, /* a container of a cell: addressed with --cell, it has no other parent */
        _RESOURCE_TYPE_MAX,
        _RESOURCE_TYPE_INVALID = -EINVAL,
} ResourceType;

/* "realm" and "realms" (and so on) both parse; *ret_plural (optional) tells which was used.
 * -EINVAL for anything else. */
int resource_type_from_string(const char *s, ResourceType *ret, bool *ret_plural);
/* A set of types, for the verbs that take only some: RESOURCE_TYPE_BIT(RESOURCE_CELL) | … */
#define RESOURCE_TYPE_BIT(t) (1u << (t))
#define RESOURCE_TYPES_ALL ((1u << _RESOURCE_TYPE_MAX) - 1)
/* "realm|space|stack" for the set (usage lines), and "realm, space or stack" (messages). NULL
 * on ENOMEM or for an empty set. */
char *resource_types_to_usage(unsigned types);
char *resource_types_to_list(unsigned types);

/* "realm", "space", "stack": for messages */
const char *resource_type_to_noun(ResourceType t);
/* "realms", ... */
const char *resource_type_to_plural(ResourceType t);
/* "Realm", ... : the manifest kind */
const char *resource_type_to_kind_string(ResourceType t);
Kind resource_type_to_kind(ResourceType t);
/* The D-Bus method suffix is the kind: "Realm" → GetRealm, "Realms" → ListRealms. */

/* The names that locate a resource. For a realm only 'realm' is used, for a space 'realm' and
 * 'space', for a stack three, for a cell four, for a container all five. Strings are borrowed. */
typedef struct ResourceRef {
        ResourceType type;
        const char *realm;
        const char *space;
        const char *stack;
        const char *cell;
        const char *container;
} ResourceRef;

/* The name of the resource itself (the last level). */
const char *resource_ref_name(const ResourceRef *r);

/* Checks every name 'ref' uses with name_check()/realm_name_check(): -EINVAL with an allocated
 * message naming the kind and the value of the first bad one. 'allow_system_realm' lets the
 * realm be "kukeon-system" (reading and deleting it is the daemon's call to refuse; creating it
 * is `kuke init`'s job). A NULL name at a used level is -EINVAL too ("no realm name given").
 * Returns 0, -EINVAL or -ENOMEM. */
int resource_ref_check(const ResourceRef *r, bool allow_system_realm, char **ret_message);

/* 'realm "demo"', 'space "demo/web"', 'stack "demo/web/frontend"', 'cell "demo/web/frontend/site"',
 * 'container "demo/web/frontend/site/web"': the kind's noun and the path
 * of names (as Init reports them), escaped for messages. NULL on ENOMEM. */
char *resource_ref_describe(const ResourceRef *r);

/* The same reference cut to a level above (or at) its own: the realm of a stack is
 * resource_ref_parent(r, RESOURCE_REALM). */
ResourceRef resource_ref_at(const ResourceRef *r, ResourceType level);
