/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The read loop of kukeon-logger: a container's stdout and stderr pipes, read side by side
 * until both reach EOF, cut into lines (line-splitter.h) and handed to a sink. Kept apart from
 * the journal so that tests drive it with pipes of their own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum LogStream {
        LOG_STREAM_STDOUT,
        LOG_STREAM_STDERR,
        _LOG_STREAM_MAX,
} LogStream;

/* After a stop request, how long the pump waits for more bytes before it gives up on EOF,
 * and how long it reads at most (a writer that never stops; the shim sends SIGKILL at 12 s). */
#define LOG_PUMP_DRAIN_IDLE_MSEC 250
#define LOG_PUMP_DRAIN_MAX_MSEC 5000

typedef int (*log_line_sink_t)(LogStream stream, const char *line, size_t len, bool partial, void *userdata);

typedef struct LogPumpStats {
        uint64_t lines[_LOG_STREAM_MAX];
        uint64_t bytes[_LOG_STREAM_MAX];
} LogPumpStats;

/* Read fds[LOG_STREAM_STDOUT] and fds[LOG_STREAM_STDERR] (either may be -1: no such stream)
 * until both are at EOF, passing every line to 'sink'; an unterminated last line is passed
 * at EOF. 'max_line' as for line_splitter_new(). When 'stop_fd' (optional, -1 for none)
 * becomes readable — the driver's signalfd for SIGTERM, which the shim sends after closing
 * its ends of the pipes — reading goes on until EOF, until no byte came for
 * LOG_PUMP_DRAIN_IDLE_MSEC or for LOG_PUMP_DRAIN_MAX_MSEC in all, so what the container wrote
 * last is not lost; then the buffered
 * partial lines are passed and the pump returns. 'stats' (optional) counts lines and bytes.
 * Returns 0 (EOF, or drained after a stop request), the sink's negative return, or a negative
 * errno from poll()/read(). */
int log_pump_run(const int fds[_LOG_STREAM_MAX], int stop_fd, size_t max_line, log_line_sink_t sink, void *userdata, LogPumpStats *stats);
