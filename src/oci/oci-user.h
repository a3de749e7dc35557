/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The user a container process runs as: "uid[:gid]" numerically, or "name[:group]" looked
 * up in the image's /etc/passwd and /etc/group when the caller has them (an unpacked
 * rootfs). kukeond does not look names up on the host: a name means nothing outside the
 * image. */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct OciUser {
        uint32_t uid;
        uint32_t gid;
        uint32_t *additional_gids; /* groups of /etc/group listing the user, primary gid excluded */
        size_t n_additional_gids;
} OciUser;

void oci_user_done(OciUser *u);

/* Resolves 'spec' (NULL or "" is root, 0:0). Numbers are taken as they are; a name needs
 * 'passwd_path' (for the user) or 'group_path' (for the group), else -EINVAL with a message
 * saying so. When the user is found in passwd its primary group is the default gid and
 * group_path (if given) supplies additional groups; a uid not found there gets gid 0.
 * Errors: -EINVAL (bad syntax, a name without a file to look it up in), -ESRCH (no such
 * user or group), or the error reading the file; *ret_error says what, starting with the
 * user string. */
int oci_user_resolve(const char *spec, const char *passwd_path, const char *group_path, OciUser *ret, char **ret_error);
