/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Durations as the schema writes them (Go's time.Duration strings): "500ms", "10s",
 * "1m30s", "2h". Negative values are accepted, since a zero or negative
 * reconcileInterval means "disabled". */

#include <stdint.h>

#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)

int duration_parse(const char *s, int64_t *ret_usec);
