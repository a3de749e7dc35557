/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd namespaces (the realm's namespace, seed 003). READY and stable: create, delete,
 * list, get labels — async and _sync. Create and delete send the namespace itself as the
 * containerd-namespace header (containerd publishes an event, which needs one). */

#include "containerd-client.h"

/* 'labels': key, value, key, value, ..., NULL (or NULL). -EEXIST when it exists. */
int containerd_namespace_create(ContainerdClient *c, const char *name, char *const *labels, ContainerdHandler h, void *userdata);
int containerd_namespace_create_sync(ContainerdClient *c, const char *name, char *const *labels);

/* -ENOENT when missing; -ENOTEMPTY when containers, images, content, snapshots or leases are
 * still in it (containerd's message says which). */
int containerd_namespace_delete(ContainerdClient *c, const char *name, ContainerdHandler h, void *userdata);
int containerd_namespace_delete_sync(ContainerdClient *c, const char *name);

/* reply: char ** (strv of names, sorted as containerd returns them) */
int containerd_namespace_list(ContainerdClient *c, ContainerdHandler h, void *userdata);
int containerd_namespace_list_sync(ContainerdClient *c, char ***ret);

/* reply: char ** (labels of the namespace, key/value pairs) */
int containerd_namespace_get_labels(ContainerdClient *c, const char *name, ContainerdHandler h, void *userdata);
int containerd_namespace_get_labels_sync(ContainerdClient *c, const char *name, char ***ret);
