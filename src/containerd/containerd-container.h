/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd container records (Containers service): create, get, list, update, delete. */

#include "containerd-client.h"

typedef struct ContainerdContainer {
        char *id;
        char **labels;       /* key, value, ..., NULL */
        char *image;         /* image name, may be NULL */
        char *runtime;       /* NULL on create: CONTAINERD_RUNTIME_RUNC_V2 */
        char *spec_json;     /* the OCI runtime spec as JSON (type_url CONTAINERD_SPEC_TYPE_URL) */
        char *snapshotter;   /* NULL on create: none */
        char *snapshot_key;
        uint64_t created_usec, updated_usec; /* replies only (CLOCK_REALTIME) */
} ContainerdContainer;

ContainerdContainer *containerd_container_free(ContainerdContainer *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdContainer *, containerd_container_free);
ContainerdContainer **containerd_container_array_free(ContainerdContainer **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdContainer **, containerd_container_array_free);

/* reply: ContainerdContainer * (as stored). -EEXIST when the id is taken. */
int containerd_container_create(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, ContainerdHandler h, void *userdata);
int containerd_container_create_sync(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, ContainerdContainer **ret);

/* reply: ContainerdContainer *. -ENOENT when missing. */
int containerd_container_get(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata);
int containerd_container_get_sync(ContainerdClient *c, const char *ns, const char *id, ContainerdContainer **ret);

/* 'filters': containerd filter expressions (e.g. "labels.\"kukeon.io/cell\"==web"), NULL for all.
 * reply: ContainerdContainer ** (NULL-terminated) */
int containerd_container_list(ContainerdClient *c, const char *ns, char *const *filters, ContainerdHandler h, void *userdata);
int containerd_container_list_sync(ContainerdClient *c, const char *ns, char *const *filters, ContainerdContainer ***ret);

/* 'fields': what to change ("labels", "labels.<key>", "spec", "image", "snapshotkey",
 * "runtime"), NULL for everything that is set. reply: ContainerdContainer * */
int containerd_container_update(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, char *const *fields, ContainerdHandler h, void *userdata);
int containerd_container_update_sync(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, char *const *fields, ContainerdContainer **ret);

int containerd_container_delete(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata);
int containerd_container_delete_sync(ContainerdClient *c, const char *ns, const char *id);
