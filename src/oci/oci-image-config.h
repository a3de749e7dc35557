/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The part of an OCI image configuration (image-spec config.md, "config" object) that the
 * runtime spec falls back to when a ContainerSpec leaves a field empty. The image code fills
 * it from the image's config blob; oci_image_config_from_json() reads such a blob. */

#include <stddef.h>

#include "macro.h"

typedef struct OciImageConfig {
        char **entrypoint; /* Entrypoint */
        char **cmd;        /* Cmd */
        char **env;        /* Env: KEY=VALUE */
        char *working_dir; /* WorkingDir */
        char *user;        /* User: "uid[:gid]" or "name[:group]" */
} OciImageConfig;

void oci_image_config_done(OciImageConfig *c);

/* Reads an image config blob ({"architecture": …, "config": {"Entrypoint": […], …}}).
 * A blob without "config", or with null fields, gives empty fields. -EINVAL (with
 * *ret_error saying what) when the text is not JSON or a field has the wrong type. */
int oci_image_config_from_json(const char *text, size_t size, OciImageConfig *ret, char **ret_error);
