/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* sha256 digests of the OCI image spec ("sha256:<64 lowercase hex>"), computed with
 * OpenSSL's EVP (a well-kept hasher; libarchive reads archives but hashes nothing), and the
 * chain ids that name unpacked layer snapshots. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

#define DIGEST_SHA256_PREFIX "sha256:"
#define DIGEST_SHA256_HEX_LEN 64
#define DIGEST_SHA256_STRING_LEN (sizeof(DIGEST_SHA256_PREFIX) - 1 + DIGEST_SHA256_HEX_LEN)

/* "sha256:" followed by exactly 64 lowercase hex digits. Other algorithms are refused:
 * containerd 1.6 and every registry use sha256. */
bool digest_is_valid(const char *d);
/* "<64 hex>" alone (an OCI layout's blobs/sha256/<hex> file name) */
bool digest_hex_is_valid(const char *hex);

typedef struct Sha256 Sha256;
int sha256_new(Sha256 **ret);
Sha256 *sha256_free(Sha256 *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Sha256 *, sha256_free);
int sha256_update(Sha256 *h, const void *data, size_t size);
/* "sha256:<hex>" into 'ret' (DIGEST_SHA256_STRING_LEN + 1 bytes); the hasher is done after */
int sha256_final(Sha256 *h, char ret[static DIGEST_SHA256_STRING_LEN + 1]);

int digest_of(const void *data, size_t size, char ret[static DIGEST_SHA256_STRING_LEN + 1]);
/* 0 when 'data' has digest 'expected', -EBADMSG when not, -EINVAL for a malformed digest */
int digest_verify(const void *data, size_t size, const char *expected);

/* The chain ids of a layer stack (OCI image spec, "ChainID"): chain[0] = diff_ids[0],
 * chain[i] = sha256(chain[i-1] + " " + diff_ids[i]). 'diff_ids' NULL-terminated; returns a
 * strv of the same length. -EINVAL for an empty list or a malformed diff id. */
int chain_ids_compute(char *const *diff_ids, char ***ret);
