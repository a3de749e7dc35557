/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Runs iptables-save and iptables-restore: the only way in and out of the kernel's rules that
 * works the same on the nft and the legacy backends, and whose restore is one transaction.
 * Programs are started with posix_spawn(); restore reads its input from stdin. */

#include <stdint.h>

#define IPTABLES_TIMEOUT_USEC_DEFAULT (30 * UINT64_C(1000000))

typedef struct Iptables {
        const char *restore;    /* NULL: "iptables-restore", looked up in PATH */
        const char *save;       /* NULL: "iptables-save" */
        uint64_t timeout_usec;  /* per run; 0: IPTABLES_TIMEOUT_USEC_DEFAULT */
} Iptables;

/* The filter table as `iptables-save -t filter` prints it ("" when the table does not exist).
 * -ENOENT when the program is missing, -ETIMEDOUT, -EIO when it fails (*ret_error: its stderr). */
int iptables_save_filter(const Iptables *ipt, char **ret_saved, char **ret_error);

/* The same for another table ("nat"). */
int iptables_save_table(const Iptables *ipt, const char *table, char **ret_saved, char **ret_error);

/* Feeds 'input' to `iptables-restore --noflush`: all of it or nothing is applied. When the
 * program refuses a line, *ret_error quotes that line of the input and what it said, e.g.
 * "iptables-restore: line 5 \"-A KUKEON-EGRESS-k-… -j BOGUS\": Chain 'BOGUS' does not exist". */
int iptables_restore_noflush(const Iptables *ipt, const char *input, char **ret_error);
