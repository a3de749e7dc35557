/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd's version (READY). */

#include "containerd-client.h"

typedef struct ContainerdVersion {
        char *version;
        char *revision;
} ContainerdVersion;

ContainerdVersion *containerd_version_free(ContainerdVersion *v);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdVersion *, containerd_version_free);

/* reply: ContainerdVersion * */
int containerd_version(ContainerdClient *c, ContainerdHandler h, void *userdata);
int containerd_version_sync(ContainerdClient *c, ContainerdVersion **ret);
