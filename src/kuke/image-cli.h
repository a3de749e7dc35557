/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The pure parts of kuke's image verbs (verb-image.c), apart from any connection so they are
 * unit tested: how sizes and digests read in `kuke get images`. */

#include <stdbool.h>
#include <stdint.h>

/* Bytes as docker prints them (SI units, three significant digits): "0B", "999B", "1.23kB",
 * "12.3MB", "123MB", "1.5GB". NULL on ENOMEM. */
char *image_size_format(uint64_t bytes);

/* The digest as the table shows it: "sha256:" and the first 12 hex digits (all of it with
 * 'full', or when it is not "<algorithm>:<hex>" long enough to cut). "" for NULL. */
char *image_digest_format(const char *digest, bool full);
