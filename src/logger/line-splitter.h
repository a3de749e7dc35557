/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Cut a byte stream into log lines, for kukeon-logger: bytes go in as they come off a pipe,
 * whole lines come out through a callback, without their '\n'. A line longer than the limit
 * comes out in pieces of at most 'max_line' bytes, each but the last flagged 'partial'; a cut
 * never falls inside a UTF-8 sequence when it can be moved back to the sequence's start, so
 * each piece of valid UTF-8 stays valid (the journal shows a non-UTF-8 field as a blob).
 * At EOF, line_splitter_flush() hands over an unterminated last line. Bytes are passed through
 * as they are: NUL, '\r' and invalid UTF-8 included. */

#include <stdbool.h>
#include <stddef.h>

/* docker's and CRI's split size: a sane limit for one journal entry. */
#define LINE_SPLITTER_MAX_DEFAULT ((size_t) 16384)
/* The longest cut moved back to keep a UTF-8 sequence whole. */
#define LINE_SPLITTER_MIN ((size_t) 4)

typedef struct LineSplitter LineSplitter;

/* One line (or piece). 'line' is not NUL-terminated and is valid only during the call.
 * 'partial' is true for a piece cut at the limit that the next piece continues. A negative
 * return stops line_splitter_feed()/flush() and is returned by them. */
typedef int (*line_handler_t)(const char *line, size_t len, bool partial, void *userdata);

/* 'max_line' 0 means LINE_SPLITTER_MAX_DEFAULT; below LINE_SPLITTER_MIN it is -EINVAL. */
int line_splitter_new(size_t max_line, line_handler_t handler, void *userdata, LineSplitter **ret);
LineSplitter *line_splitter_free(LineSplitter *s);

static inline void line_splitter_freep(LineSplitter **s) {
        if (*s)
                line_splitter_free(*s);
}

/* Feed 'n' bytes. Calls the handler for every line they complete. */
int line_splitter_feed(LineSplitter *s, const void *data, size_t n);

/* End of stream: hand over what is buffered as a last, non-partial line (nothing when the
 * stream ended with '\n'). */
int line_splitter_flush(LineSplitter *s);

/* Bytes held back waiting for the rest of their line. */
size_t line_splitter_pending(const LineSplitter *s);
