/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd's Diff service: apply a layer blob from the content store onto mounts (an
 * active snapshot), decompressing by media type. */

#include "containerd-client.h"

/* 'diff': the layer blob's descriptor (media type, digest, size). reply: ContainerdDescriptor *
 * of what was applied: its digest is the uncompressed one, to check against the diff id. */
int containerd_diff_apply(ContainerdClient *c, const char *ns, const ContainerdDescriptor *diff, ContainerdMount *const *mounts,
                          ContainerdHandler h, void *userdata);
int containerd_diff_apply_sync(ContainerdClient *c, const char *ns, const ContainerdDescriptor *diff, ContainerdMount *const *mounts,
                               ContainerdDescriptor **ret);
