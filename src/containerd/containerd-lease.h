/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd leases (Leases service): content and snapshots made under a lease (see
 * containerd_client_set_lease()) survive garbage collection until the lease is deleted. */

#include "containerd-client.h"

/* 'labels' e.g. { "containerd.io/gc.expire", "<RFC 3339 time>", NULL } so a crashed loader's
 * lease does not keep things forever. -EEXIST when taken. */
int containerd_lease_create(ContainerdClient *c, const char *ns, const char *id, char *const *labels, ContainerdHandler h, void *userdata);
int containerd_lease_create_sync(ContainerdClient *c, const char *ns, const char *id, char *const *labels);

/* 'sync': wait for the garbage collection that follows */
int containerd_lease_delete(ContainerdClient *c, const char *ns, const char *id, bool sync, ContainerdHandler h, void *userdata);
int containerd_lease_delete_sync(ContainerdClient *c, const char *ns, const char *id, bool sync);

/* reply: char ** (lease ids) */
int containerd_lease_list(ContainerdClient *c, const char *ns, char *const *filters, ContainerdHandler h, void *userdata);
int containerd_lease_list_sync(ContainerdClient *c, const char *ns, char *const *filters, char ***ret);
