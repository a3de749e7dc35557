/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The OCI runtime spec (config.json, runtime-spec 1.0.2) of a container: built with jansson
 * from its ContainerSpec and the context kukeond knows at start time — where the container
 * sits (names, cgroup), the cell anchor's namespaces it joins, the managed /etc files, the
 * staged secrets and the image's config. Nothing here changes the host; it reads only what the
 * caller or the spec names: the image's passwd/group files, a seccomp profile, and the host's
 * device nodes for a privileged container.
 *
 * What each field becomes is described in docs/oci-spec.md. */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "oci-image-config.h"
#include "oci-secret.h"
#include "v1beta1.h"

#define OCI_VERSION "1.0.2"
#define OCI_DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct OciSpecContext {
        /* Identity, for KUKEON_* variables and annotations. NULL: the spec's realmId,
         * spaceId, stackId, cellId, id and containerdId. */
        const char *realm;
        const char *space;
        const char *stack;
        const char *cell;
        const char *container;
        const char *containerd_id;
        const char *cell_profile_name; /* KUKEON_CELL_PROFILE_NAME, when the cell came from one */

        /* linux.cgroupsPath, required and absolute: <cell scope cgroup>/<container>. */
        const char *cgroups_path;
        /* KUKEON_CGROUP_PATH, the cell's cgroup. NULL: the parent of cgroups_path. */
        const char *cell_cgroup_path;

        /* Namespaces of the cell anchor to join (/proc/<pid>/ns/net …). NULL: the container
         * gets a new one of its own. hostNetwork overrides net_ns_path. */
        const char *net_ns_path;
        const char *ipc_ns_path;
        const char *uts_ns_path;

        /* The hostname, set when the container has its own UTS namespace. NULL: the cell name. */
        const char *hostname;
        const char *cell_ip; /* annotation org.kukeon.cell.ip, when known */

        /* Host paths of the files kukeond manages, bind-mounted over the image's. NULL: not
         * mounted. hosts_path is ignored for hostNetwork containers: they see the host's. */
        const char *hosts_path;
        const char *hostname_path;
        const char *resolv_conf_path;

        /* The resolved secrets, one per spec.secrets entry (oci_secret_stage()). Required when
         * the spec has secrets. */
        const OciSecrets *secrets;

        /* The image's config: fallback for command, args, env, workingDir and user. NULL: none. */
        const OciImageConfig *image;
        /* The image's /etc/passwd and /etc/group (in an unpacked rootfs), to resolve user and
         * group names. NULL: names are refused. */
        const char *passwd_path;
        const char *group_path;

        /* root.path, relative to the bundle or absolute. NULL: "rootfs". */
        const char *root_path;
        /* process.terminal: the process gets a pty (an interactive attach). */
        bool terminal;
        /* The capabilities kukeond can hand out (its bounding set, bit n = capability n), which
         * "ALL" and privileged expand to; explicit ones outside it are refused. 0: every
         * capability this code knows. */
        uint64_t capability_mask;
        /* Where a privileged container's device nodes come from: "/dev" in kukeond, so it sees
         * the host's devices as docker run --privileged does. NULL: none beyond runc's
         * defaults (what the golden tests use). */
        const char *host_devices_dir;
} OciSpecContext;

/* Builds the runtime spec. On a problem with the spec, the context or the image config,
 * returns a negative errno (-EINVAL mostly; -ESRCH for an unknown user name, the file
 * system's error for an unreadable profile) and sets *ret_error to a message naming the
 * field (spec.securityOpts[1]: …). */
int oci_spec_build(const ContainerSpec *c, const OciSpecContext *ctx, json_t **ret, char **ret_error);

/* config.json text: keys sorted, indented by two, with a final newline — the canonical form
 * golden files are compared in. */
int oci_spec_format(const json_t *spec, char **ret);

/* Capability names, as the runtime spec spells them ("CAP_NET_ADMIN"): the canonical form of
 * a manifest's name ("net_admin", "CAP_NET_ADMIN"), or -EINVAL. Returns the number. */
int oci_capability_from_name(const char *name);
const char *oci_capability_to_name(int cap);

/* The calling process's bounding set, from /proc/self/status, as a capability_mask. */
int oci_capability_bounding_current(uint64_t *ret);
