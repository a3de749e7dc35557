/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A space's CNI network configuration (design.md §1, §4; seed 000 "CNI conflists"): one
 * conflist per space, named "<realm>-<space>", with
 *   - the bridge plugin on the space's bridge "k-<8 hex>" (naming/bridge-name.h), as the
 *     gateway of the space's /24, with ipMasq off: kukeond masquerades traffic leaving the
 *     /24 with one rule per space (netpolicy/egress-rules.h "masquerade"), not one per cell;
 *   - host-local IPAM handing out .2-.254 of that /24 (naming/subnet.h);
 *   - the portmap plugin, when asked for (when the plugin is installed).
 * The authoritative file is <conf dir>/<realm>-<space>.conflist (default /etc/cni/net.d), which
 * CNI runtimes read; the run path keeps a copy (store_write_conflist()). */

#include <stdbool.h>
#include <stdint.h>

#define CNI_CONF_DIR_DEFAULT "/etc/cni/net.d"
#define CNI_BIN_DIR_DEFAULT "/usr/lib/cni"
#define CNI_VERSION "1.0.0"

/* The conflist as JSON text (newline-terminated). -EINVAL for an empty realm or space. */
int cni_conflist_build(const char *realm, const char *space, uint8_t subnet_index, bool portmap, char **ret);

/* "<conf_dir>/<realm>-<space>.conflist"; conf_dir NULL or "" means CNI_CONF_DIR_DEFAULT. */
int cni_conflist_path(const char *conf_dir, const char *realm, const char *space, char **ret);

/* Writes the conflist atomically (0644), making its directory (0755) when missing. */
int cni_conflist_write(const char *path, const char *text);

/* Removes the file; -ENOENT when it is not there. */
int cni_conflist_remove(const char *path);

/* Whether the plugin binary 'name' is an executable file in bin_dir (NULL: the default). */
bool cni_plugin_available(const char *bin_dir, const char *name);
