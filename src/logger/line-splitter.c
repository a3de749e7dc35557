/* SPDX-License-Identifier: Apache-2.0 */
#include "line-splitter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

struct LineSplitter {
        line_handler_t handler;
        void *userdata;
        size_t max;
        size_t len;
        char buf[];
};

int line_splitter_new(size_t max_line, line_handler_t handler, void *userdata, LineSplitter **ret) {
        LineSplitter *s;

        if (!handler || !ret)
                return -EINVAL;
        if (max_line == 0)
                max_line = LINE_SPLITTER_MAX_DEFAULT;
        if (max_line < LINE_SPLITTER_MIN)
                return -EINVAL;

        s = malloc(sizeof(LineSplitter) + max_line);
        if (!s)
                return -ENOMEM;
        *s = (LineSplitter) {
                .handler = handler,
                .userdata = userdata,
                .max = max_line,
        };
        *ret = s;
        return 0;
}

LineSplitter *line_splitter_free(LineSplitter *s) {
        return mfree(s);
}

size_t line_splitter_pending(const LineSplitter *s) {
        return s ? s->len : 0;
}

/* The length of the first piece of a full buffer: all of it, unless its end holds the start
 * of a UTF-8 sequence whose continuation bytes did not fit, which then moves to the next piece. */
static size_t cut_point(const LineSplitter *s) {
        for (size_t i = 1; i <= 3; i++) {
                unsigned char b = (unsigned char) s->buf[s->max - i];
                size_t need;

                if ((b & 0xC0) == 0x80) /* continuation byte: look further back */
                        continue;
                if (b < 0xC0) /* ASCII, or a stray byte: nothing to keep whole */
                        break;
                need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                if (need > i)
                        return s->max - i;
                break;
        }
        return s->max;
}

/* Buffer full and more of the line coming: hand over a partial piece, keep the rest. */
static int emit_piece(LineSplitter *s) {
        size_t c = cut_point(s);
        int r;

        r = s->handler(s->buf, c, /* partial= */ true, s->userdata);
        memmove(s->buf, s->buf + c, s->max - c);
        s->len = s->max - c;
        return r;
}

/* Add 'len' bytes of one line (no '\n' among them); 'line_end' when the line ends after them. */
static int add(LineSplitter *s, const char *p, size_t len, bool line_end) {
        int r;

        /* The common case: a whole line in one read, handed over without a copy. */
        if (line_end && s->len == 0 && len <= s->max)
                return s->handler(p, len, false, s->userdata);

        while (len > 0) {
                size_t k;

                if (s->len == s->max) {
                        r = emit_piece(s);
                        if (r < 0)
                                return r;
                }
                k = MIN(len, s->max - s->len);
                memcpy(s->buf + s->len, p, k);
                s->len += k;
                p += k;
                len -= k;
        }

        if (line_end) {
                size_t n = s->len;

                s->len = 0;
                return s->handler(s->buf, n, false, s->userdata);
        }
        return 0;
}

int line_splitter_feed(LineSplitter *s, const void *data, size_t n) {
        const char *p = data, *end = p + n;
        int r;

        if (!s || (!data && n > 0))
                return -EINVAL;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));

                r = add(s, p, (size_t) ((nl ?: end) - p), /* line_end= */ nl != NULL);
                if (r < 0)
                        return r;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return 0;
}

int line_splitter_flush(LineSplitter *s) {
        size_t n;

        if (!s)
                return -EINVAL;
        if (s->len == 0)
                return 0;

        n = s->len;
        s->len = 0;
        return s->handler(s->buf, n, false, s->userdata);
}
