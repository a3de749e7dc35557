/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd image records (Images service): list, get, create, update, delete. The record
 * names a target descriptor (a manifest or an index) in the content store; loading the blobs
 * is src/image/'s job. */

#include "containerd-client.h"

typedef struct ContainerdImage {
        char *name;                   /* "docker.io/library/busybox:latest" */
        char **labels;
        ContainerdDescriptor target;
        uint64_t created_usec, updated_usec;
} ContainerdImage;

ContainerdImage *containerd_image_free(ContainerdImage *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdImage *, containerd_image_free);
ContainerdImage **containerd_image_array_free(ContainerdImage **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdImage **, containerd_image_array_free);

/* reply: ContainerdImage ** (NULL-terminated) */
int containerd_image_list(ContainerdClient *c, const char *ns, char *const *filters, ContainerdHandler h, void *userdata);
int containerd_image_list_sync(ContainerdClient *c, const char *ns, char *const *filters, ContainerdImage ***ret);

/* reply: ContainerdImage *; -ENOENT when missing */
int containerd_image_get(ContainerdClient *c, const char *ns, const char *name, ContainerdHandler h, void *userdata);
int containerd_image_get_sync(ContainerdClient *c, const char *ns, const char *name, ContainerdImage **ret);

/* reply: ContainerdImage *; -EEXIST when the name is taken (then update) */
int containerd_image_create(ContainerdClient *c, const char *ns, const ContainerdImage *image, ContainerdHandler h, void *userdata);
int containerd_image_create_sync(ContainerdClient *c, const char *ns, const ContainerdImage *image, ContainerdImage **ret);

/* 'fields': "target", "labels", ...; NULL: all. reply: ContainerdImage * */
int containerd_image_update(ContainerdClient *c, const char *ns, const ContainerdImage *image, char *const *fields, ContainerdHandler h, void *userdata);
int containerd_image_update_sync(ContainerdClient *c, const char *ns, const ContainerdImage *image, char *const *fields, ContainerdImage **ret);

/* 'sync': wait for the garbage collection of what only this image held */
int containerd_image_delete(ContainerdClient *c, const char *ns, const char *name, bool sync, ContainerdHandler h, void *userdata);
int containerd_image_delete_sync(ContainerdClient *c, const char *ns, const char *name, bool sync);
