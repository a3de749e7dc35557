/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Runs a helper program to completion and collects what it prints: the one way the project
 * runs short-lived external programs (CNI plugins, iptables-save/-restore).
 *
 * The program is started with posix_spawn(), no shell: the argv and the environment are
 * exactly what the caller gives. Its stdin is a sealed memfd holding the input (or
 * /dev/null), so the program reads at its own pace, there is no writer to deadlock against
 * a full stdout and no SIGPIPE can reach the caller. stdout and stderr are collected apart,
 * each up to a cap. The child starts with every signal at its default and none blocked
 * (kukeond blocks signals for sd-event), and with no file descriptor of ours beyond 0, 1, 2,
 * even one that lacks O_CLOEXEC. At the deadline, or when an output goes past its cap, the
 * program is killed with SIGKILL and reaped: no zombie is left either way. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* What a program may print on each of stdout and stderr when the caller sets no cap. */
#define PROCESS_RUN_OUTPUT_MAX_DEFAULT (16U * 1024U * 1024U)

typedef struct ProcessRun {
        /* The program. With 'search_path', a name without '/' is looked up in the caller's
         * $PATH as execvp() does; otherwise it is a path. NULL: argv[0]. */
        const char *path;
        bool search_path;
        char *const *argv;              /* NULL-terminated, argv[0] included; required */
        char *const *envp;              /* the whole environment, NULL-terminated; NULL: empty */
        const void *input;              /* stdin; NULL: /dev/null */
        size_t input_size;
        uint64_t timeout_usec;          /* from the start, CLOCK_MONOTONIC; required, > 0 */
        size_t output_max;              /* per stream; 0: PROCESS_RUN_OUTPUT_MAX_DEFAULT */
} ProcessRun;

typedef struct ProcessRunResult {
        int status;                     /* exit status; 128+N when killed by signal N */
        char *out;                      /* stdout, NUL-terminated, never NULL */
        size_t out_size;                /* without the NUL */
        char *err;                      /* stderr, likewise */
        size_t err_size;
} ProcessRunResult;

ProcessRunResult *process_run_result_free(ProcessRunResult *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(ProcessRunResult *, process_run_result_free);

/* Runs the program and waits for it to exit and to close stdout and stderr. Returns its exit
 * status (>= 0, as ProcessRunResult.status) and, when 'ret' is not NULL, sets *ret to what it
 * printed. Errors: -EINVAL for a bad ProcessRun; what posix_spawn() says, e.g. -ENOENT for a
 * missing program or -EACCES; -ETIMEDOUT when the deadline passed (also when the program
 * exited but something it left behind keeps its stdout or stderr open); -EFBIG when an output
 * went past its cap; -ENOMEM. *ret is set only on success. */
int process_run(const ProcessRun *p, ProcessRunResult **ret);
