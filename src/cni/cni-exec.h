/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Runs CNI plugins (the reference plugins of containernetworking-plugins) on a network
 * namespace, as the CNI spec 1.0 runtime does for a network configuration list:
 *
 *   ADD: each plugin in order; plugin N gets plugin N-1's result as "prevResult"; the last
 *        result is the list's result (interfaces, IPs, routes, DNS).
 *   DEL: each plugin in reverse order, with the result of ADD as "prevResult" when the caller
 *        kept it. A plugin that finds nothing to delete succeeds, so DEL is idempotent.
 *
 * Plugins are found by their "type" in the colon-separated plugin path and run with
 * posix_spawn(); the config goes to stdin, the result comes from stdout. Each plugin gets a
 * deadline, after which it is killed. Nothing here writes files: caching a result across
 * daemon restarts is the caller's business (kukeond keeps it in the cell's status). */

#include <jansson.h>
#include <stdint.h>

#define CNI_PLUGIN_PATH_DEFAULT "/usr/lib/cni:/opt/cni/bin"
#define CNI_IFNAME_DEFAULT "eth0"
#define CNI_PLUGIN_TIMEOUT_USEC_DEFAULT (30 * UINT64_C(1000000))

typedef struct CniRuntime {
        const char *container_id;       /* CNI_CONTAINERID: unique per attachment */
        const char *netns;              /* CNI_NETNS: path, e.g. /proc/<anchor>/ns/net */
        const char *ifname;             /* CNI_IFNAME; NULL: eth0 */
        const char *plugin_path;        /* CNI_PATH; NULL: CNI_PLUGIN_PATH_DEFAULT */
        uint64_t timeout_usec;          /* per plugin; 0: CNI_PLUGIN_TIMEOUT_USEC_DEFAULT */
} CniRuntime;

/* Runs ADD over the conflist (a JSON text). On success *ret_result holds the final result.
 * On failure *ret_error (optional) says which plugin failed and what it said, e.g.
 * "plugin bridge (ADD): failed to set bridge addr: …" and the plugins that had succeeded are
 * not undone: run cni_conflist_del() to clean up, as the spec asks. Errors: -EINVAL for a
 * conflist that is not one, -ENOENT for a plugin that is not in the path, -ETIMEDOUT, -EIO
 * for a plugin that failed or printed something that is not a result. */
int cni_conflist_add(const char *conflist, const CniRuntime *rt, json_t **ret_result, char **ret_error);

/* Runs DEL over the conflist. 'prev_result' may be NULL. Every plugin is run even when an
 * earlier one failed; the first error is returned. */
int cni_conflist_del(const char *conflist, const CniRuntime *rt, json_t *prev_result, char **ret_error);

/* The first IPv4 address of a result without its prefix length ("10.88.3.2"), and its
 * gateway when the result names one (else NULL). -ENODATA when there is none. */
int cni_result_ipv4(json_t *result, char **ret_address, char **ret_gateway);
