/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Validation and defaulting of manifest documents: everything that can be said about a
 * document without looking at the host. Every message names the field path, the kind
 * and the offending value, so a user can fix the file without guessing. */

#include "document.h"

typedef struct ManifestContext {
        /* `kuke init` creates the system realm; a user's manifest may not. */
        bool allow_system_realm;
        /* ServerConfiguration containerdNamespaceSuffix, for the realm namespace default. */
        const char *namespace_suffix;
} ManifestContext;

/* Validates one decoded document of the list and fills in its defaults (ids from names,
 * inherited realm/space/stack/cell ids of embedded containers, root container
 * resolution, containerd ids, the realm's namespace). On a problem sets d->error — with
 * the line and column of the offending field — and returns -EINVAL. */
int manifest_check_document(DocumentList *l, Document *d, const ManifestContext *ctx);

/* Checks every document of the stream, then applies cross-document defaults: a Space's
 * defaults.container flows into the Cells and Containers of that space in the same
 * stream. Returns the number of documents with errors. */
int manifest_check_list(DocumentList *l, const ManifestContext *ctx);

/* Space container defaults: each field is applied only where the container leaves it
 * empty; inheritance is shallow (a container's capabilities replace the default's). */
int container_apply_space_defaults(ContainerSpec *c, const SpaceContainerDefaults *d);

/* Individual checks, exported for the CLI (flags that build specs) and tests. Each
 * returns 0 or -EINVAL with an allocated message. */
int capability_check(const char *name, char **ret_message);
int security_opt_check(const char *opt, char **ret_message);
int env_name_is_valid(const char *s);
