/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd names of kukeon resources (design §1, seed 003): the namespace of a realm and
 * the container id "<space>_<stack>_<cell>_<container>".
 *
 * containerd checks both with identifiers.Validate(): at most 76 characters matching
 * ^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$. DNS labels can fail that (a name with "--" inside), and
 * four 63-character labels are far longer than 76, so the builders check their result and
 * refuse early rather than let the first gRPC call fail. */

#include <stdbool.h>

#define CONTAINERD_IDENTIFIER_LENGTH_MAX 76
#define CONTAINERD_NAMESPACE_PREFIX "kukeon-"

/* containerd's identifiers.Validate(). */
bool containerd_identifier_is_valid(const char *s);

/* The containerd namespace of a realm:
 *   - 'spec_namespace' when set (the realm's spec.namespace);
 *   - else "<realm>.<suffix>" when 'namespace_suffix' is set (ServerConfiguration
 *     containerdNamespaceSuffix, given without a leading dot);
 *   - else "kukeon-<realm>", except for the system realm "kukeon-system", whose namespace is
 *     "kukeon-system" itself (seed 003), not "kukeon-kukeon-system".
 * NULL and "" both mean unset for the two optional arguments, as YAML writes either.
 * Returns -EINVAL for an empty realm or a result containerd would refuse, -ENAMETOOLONG for a
 * result longer than CONTAINERD_IDENTIFIER_LENGTH_MAX. */
int containerd_namespace_build(const char *realm, const char *spec_namespace, const char *namespace_suffix, char **ret);

/* "<space>_<stack>_<cell>_<container>". '_' never occurs in a name, so the id splits back
 * unambiguously. -EINVAL for a NULL or empty part or an invalid result, -ENAMETOOLONG when
 * longer than CONTAINERD_IDENTIFIER_LENGTH_MAX. */
int containerd_container_id_build(const char *space, const char *stack, const char *cell, const char *container, char **ret);

/* Split a container id back (e.g. from a containerd task exit event). Outputs are optional and
 * allocated. -EINVAL unless the id is exactly four non-empty '_'-separated parts. */
int containerd_container_id_parse(const char *id, char **ret_space, char **ret_stack, char **ret_cell, char **ret_container);
