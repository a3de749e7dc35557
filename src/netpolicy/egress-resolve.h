/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Host names of egress allow rules, resolved with getaddrinfo() when the rules are applied
 * (seed 002: "the resulting iptables rules reflect the IPs known at that moment"). IPv4 only:
 * space networks have no IPv6. An egress_resolve_t for egress_rules_build(). */

/* *ret_addresses: the IPv4 addresses, dotted quads; -ENXIO for a name that does not exist
 * (or has no address), -EAGAIN for a temporary failure, with the resolver's message in
 * *ret_error. Blocks: kukeond calls it from a worker, never from its event loop. */
int egress_resolve_getaddrinfo(const char *host, char ***ret_addresses, char **ret_error, void *userdata);
