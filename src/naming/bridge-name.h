/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The Linux bridge of a space's CNI network: "k-" + 8 lower-case hex digits of the FNV-1a-32
 * hash of "<realm>-<space>" (design §1, the original's cni.SafeBridgeName). A hash keeps the
 * name at 10 bytes whatever the name lengths, well inside IFNAMSIZ (16 with the NUL), and free
 * of characters the kernel or iproute2 dislike.
 *
 * The input is not injective: realm "a-b" + space "c" and realm "a" + space "b-c" both hash
 * "a-b-c", and any two inputs may collide in 32 bits. Whoever creates the bridge must check
 * that an existing bridge of that name belongs to the same space. */

#include <stddef.h>
#include <stdint.h>

#define FNV1A32_OFFSET_BASIS UINT32_C(0x811c9dc5)
#define FNV1A32_PRIME UINT32_C(0x01000193)

/* Continue an FNV-1a-32 hash over n more bytes: start from FNV1A32_OFFSET_BASIS. Lets a caller
 * hash a concatenation without building it. */
uint32_t fnv1a32_update(uint32_t hash, const void *p, size_t n);

/* FNV-1a-32 of n bytes ("" gives 0x811c9dc5). p may be NULL when n is 0. */
uint32_t fnv1a32(const void *p, size_t n);

#define BRIDGE_NAME_LENGTH 10 /* strlen("k-") + 8 */

/* Write the bridge name into buf (NUL-terminated). -EINVAL when realm or space is NULL or
 * empty: the original kept "" for "unset", which here is the caller's business. */
int bridge_name_format(const char *realm, const char *space, char buf[static BRIDGE_NAME_LENGTH + 1]);

/* Same, allocated. */
int bridge_name_build(const char *realm, const char *space, char **ret);
