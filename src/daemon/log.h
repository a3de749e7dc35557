/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* kukeond's logging: to the journal with structured fields (KUKEON_REALM, KUKEON_SPACE,
 * KUKEON_STACK, OBJECT_SYSTEMD_UNIT) when running under systemd, to stderr otherwise. Only the
 * daemon logs; the libraries below it return errors. */

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/* journal: true when JOURNAL_STREAM says stderr is the journal (systemd service). */
void log_open(void);
void log_set_max_level(int level);
int log_get_max_level(void);
/* "debug", "info", "warn"/"warning", "error"; -EINVAL otherwise. */
int log_level_from_string(const char *s);

/* Logs and returns -abs(error) (or 0 when error is 0), for `return log_…_errno(r, …)`. The
 * resource names may be NULL; 'unit' too. */
_printf_(7, 8) int log_resource_errno(int level, int error, const char *realm, const char *space, const char *stack,
                                      const char *unit, const char *fmt, ...);

#define log_full_errno(level, error, ...) log_resource_errno(level, error, NULL, NULL, NULL, NULL, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, error, __VA_ARGS__)
#define log_oom() log_full_errno(LOG_ERR, ENOMEM, "Out of memory.")
