/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A space's Linux bridge ("k-<8 hex>", naming/bridge-name.h) as a network link, through
 * rtnetlink (libnl-route-3). The CNI bridge plugin creates the bridge on the first cell's ADD
 * but no plugin ever deletes it: kukeond does, when the space goes. */

/* Deletes the link 'name' when it is a bridge: 1 when it was deleted, 0 when there is no link
 * of that name. -EMEDIUMTYPE when the link exists but is not a bridge (left alone: not ours),
 * -EINVAL for a bad name, -EPERM without CAP_NET_ADMIN, -EIO for other netlink failures; on
 * failure *ret_error (optional) says what rtnetlink answered. */
int bridge_link_delete(const char *name, char **ret_error);

/* 1 when a bridge of that name exists, 0 when no link does, -EMEDIUMTYPE when the link is
 * something else, negative on netlink failure. */
int bridge_link_exists(const char *name, char **ret_error);
