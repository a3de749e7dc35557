/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Image references as docker and containerd spell them: "busybox" and "busybox:latest" are
 * both "docker.io/library/busybox:latest"; "foo/bar" is "docker.io/foo/bar:latest"; a first
 * component with a '.' or ':' or "localhost" is a registry ("localhost:5000/x:1",
 * "ghcr.io/o/r"). The rules of github.com/distribution/reference (ParseNormalizedNamed). */

/* Normalize 'ref' into *ret. -EINVAL for a malformed reference (empty, bad characters,
 * upper case in the repository, a bad tag or digest), -ENAMETOOLONG beyond 255 characters of
 * name. */
int image_reference_normalize(const char *ref, char **ret);
