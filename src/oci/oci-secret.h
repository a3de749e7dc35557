/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Secrets of a container (seed 004, ContainerSecret): resolved by kukeond at start time from
 * a host file (fromFile) or an environment variable of the daemon (fromEnv), and handed to
 * the container either as an environment variable or — with mountPath — as a file staged
 * with mode 0400 under <dir>/<containerd id>/<name> and bind-mounted read-only.
 *
 * A secret's value is never written to a manifest, a status, a log or an error message: the
 * messages here name the secret and where it comes from, never what it holds. Values kept in
 * memory are wiped when freed. */

#include <stddef.h>
#include <sys/types.h>

#include "macro.h"
#include "v1beta1.h"

/* Where file secrets are staged by default: a tmpfs, so they never reach a disk. */
#define OCI_SECRETS_DIR_DEFAULT KUKEON_SOCKET_DIR "/secrets"

/* Values larger than this are refused: a credential, not a data set. */
#define OCI_SECRET_SIZE_MAX (1024U * 1024U)

typedef struct OciSecret {
        char *name;        /* the secret's name: the variable, or the staged file's basename */
        char *env_value;   /* env mode: the value (NUL-terminated, no NUL inside); else NULL */
        char *staged_path; /* file mode: the host path of the staged 0400 file; else NULL */
        char *mount_path;  /* file mode: where the container sees it */
} OciSecret;

typedef struct OciSecrets {
        OciSecret *items; /* one per spec.secrets entry, same order */
        size_t n;
} OciSecrets;

/* Wipes the values and frees everything. NULL-safe; leaves *s zeroed. */
void oci_secrets_done(OciSecrets *s);

/* Resolves every secret of 'c'. Secrets with a mountPath are written to
 * <dir>/<c->containerd_id>/<name> (dir NULL: OCI_SECRETS_DIR_DEFAULT), the per-container
 * directory made with mode 0700, each file with mode 0400 owned by uid:gid (the container's
 * user, so it can read its own secret) and replaced atomically. Others are kept as values for
 * the environment. Errors (-ENOENT for a missing file or variable, -EFBIG, -EINVAL for a
 * value that cannot be an environment variable, or the error of the file system) come with
 * *ret_error naming the secret's field path (spec.secrets[1]) and source; on failure *ret is
 * untouched and the container's staging directory, if this call got as far as making it, is
 * removed. */
int oci_secret_stage(const ContainerSpec *c, const char *dir, uid_t uid, gid_t gid, OciSecrets *ret, char **ret_error);

/* Removes <dir>/<containerd_id> and the staged files in it (dir NULL: the default). A
 * missing directory is fine. */
int oci_secret_unstage(const char *dir, const char *containerd_id);
