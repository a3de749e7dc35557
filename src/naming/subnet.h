/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Space subnets: each space gets its own /24 out of 10.88.0.0/16, the lowest free one first
 * (design §1). A /24 is named by its index N, the third octet: 10.88.N.0/24.
 *
 * All 256 /24s are usable, 10.88.0.0/24 included: the allocation is per bridge, and inside a
 * /24 the ".0" is just that network's address. (Podman's default CNI network also uses
 * 10.88.0.0/16; a host running it overlaps the whole pool whatever N we start at, so skipping
 * N=0 would buy nothing.)
 *
 * Inside a space's /24, for the host-local IPAM config of the bridge plugin:
 *   .1        gateway, the bridge's own address (isGateway)
 *   .2-.254   rangeStart/rangeEnd handed to cells. host-local would default rangeStart to .1
 *             and skip the gateway; stating .2 explicitly keeps .1 out of every plugin
 *             version's hands.
 *   .255      broadcast */

#include <stddef.h>
#include <stdint.h>

#define SUBNET_POOL "10.88.0.0/16"
#define SUBNET_POOL_OCTET1 10
#define SUBNET_POOL_OCTET2 88
#define SUBNET_COUNT 256
#define SUBNET_PREFIX_LENGTH 24

#define SUBNET_HOST_GATEWAY 1
#define SUBNET_HOST_RANGE_START 2
#define SUBNET_HOST_RANGE_END 254

/* Room for the longest string the formatters write, "10.88.255.255/24" and its NUL. */
#define SUBNET_STRING_MAX sizeof("10.88.255.255/24")

/* Parse "10.88.N.0/24" into N. Strict dotted decimal as inet_pton() reads it (no leading zeros,
 * no spaces) and a decimal prefix length. Returns -EINVAL for anything that is not an IPv4
 * network in CIDR notation (also when host bits are set, "10.88.3.7/24"), -ERANGE for a
 * well-formed network that is not one of the pool's /24s ("10.89.0.0/24", "10.88.0.0/16"),
 * so a caller collecting used subnets can skip foreign ones and still notice corrupt state. */
int subnet_parse(const char *cidr, uint8_t *ret_index);

/* "10.88.N.0/24" into buf; returns buf. */
char *subnet_format(uint8_t index, char buf[static SUBNET_STRING_MAX]);

/* The address "10.88.N.<host>" (no prefix length) into buf, e.g. with SUBNET_HOST_GATEWAY;
 * returns buf. */
char *subnet_format_host(uint8_t index, uint8_t host, char buf[static SUBNET_STRING_MAX]);

/* The lowest index not among the n_in_use entries of in_use (duplicates allowed, order
 * irrelevant; in_use may be NULL when n_in_use is 0). -ENOSPC when all 256 are taken. */
int subnet_allocate(const uint8_t *in_use, size_t n_in_use, uint8_t *ret_index);

/* Same over a NULL-terminated list of IPv4 networks in CIDR notation (the subnets recorded by
 * existing spaces, or anything else to stay clear of). Every /24 of the pool an entry overlaps
 * counts as used, so "10.88.0.0/16" fills the pool and "10.88.7.128/25" takes N=7; entries
 * outside the pool take nothing. A malformed entry fails with -EINVAL, since the state it came
 * from cannot be trusted to say which subnets are taken. */
int subnet_allocate_cidrs(char *const *in_use, uint8_t *ret_index);
