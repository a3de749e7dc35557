/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The image configuration (OCI image-spec config / docker image JSON): what the OCI runtime
 * spec builder falls back to (ENTRYPOINT, CMD, ENV, WORKDIR, USER), and the layers' diff
 * ids with their chain ids (the top one names the snapshot to prepare a rootfs on). */

#include "containerd-client.h"
#include "macro.h"

typedef struct ImageConfig {
        char **entrypoint;   /* NULL when unset (not the same as empty) */
        char **cmd;          /* NULL when unset */
        char **env;          /* "KEY=value" strings; never NULL */
        char *working_dir;   /* NULL when unset or "" */
        char *user;          /* NULL when unset or "" */
        char *os, *architecture;
        char **diff_ids;     /* never empty */
        char **chain_ids;    /* same length */
        char *config_digest; /* when loaded from containerd */
} ImageConfig;

ImageConfig *image_config_free(ImageConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageConfig *, image_config_free);

/* -EBADMSG for a document that is not an image config (no rootfs.diff_ids, wrong types). */
int image_config_parse(const char *json, size_t size, ImageConfig **ret);

/* The config of image 'name' in namespace 'ns': image record → manifest (the host's platform
 * from an index) → config blob. Sync: runs the client's loop. -ENOENT: no such image. */
int image_config_load(ContainerdClient *c, const char *ns, const char *name, ImageConfig **ret);
