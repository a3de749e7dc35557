/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line-splitter.h"
#include "macro.h"
#include "tests.h"

typedef struct Piece {
        char *data;
        size_t len;
        bool partial;
} Piece;

typedef struct Collector {
        Piece pieces[4096];
        size_t n;
        int fail_at; /* return -EIO for this piece (1-based), 0: never */
} Collector;

static int collect(const char *line, size_t len, bool partial, void *userdata) {
        Collector *c = userdata;

        ASSERT_TRUE(c->n < ELEMENTSOF(c->pieces));
        if (c->fail_at > 0 && (size_t) c->fail_at == c->n + 1)
                return -EIO;
        c->pieces[c->n].data = malloc(len + 1);
        ASSERT_NOT_NULL(c->pieces[c->n].data);
        memcpy(c->pieces[c->n].data, line, len);
        c->pieces[c->n].data[len] = 0;
        c->pieces[c->n].len = len;
        c->pieces[c->n].partial = partial;
        c->n++;
        return 0;
}

static void collector_reset(Collector *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->pieces[i].data);
        *c = (Collector) {};
}

static void check_piece(const Collector *c, size_t i, const char *data, bool partial) {
        ASSERT_TRUE(i < c->n);
        ASSERT_EQ(c->pieces[i].len, strlen(data));
        ASSERT_STREQ(c->pieces[i].data, data);
        ASSERT_EQ(c->pieces[i].partial, partial);
}

/* Feed 's' in chunks of 'chunk' bytes (0: all at once), then flush. */
static void run(Collector *c, size_t max, const char *s, size_t len, size_t chunk) {
        _cleanup_(line_splitter_freep) LineSplitter *sp = NULL;

        collector_reset(c);
        ASSERT_OK(line_splitter_new(max, collect, c, &sp));
        if (chunk == 0)
                chunk = len ?: 1;
        for (size_t i = 0; i < len; i += chunk)
                ASSERT_OK(line_splitter_feed(sp, s + i, MIN(chunk, len - i)));
        ASSERT_OK(line_splitter_flush(sp));
        ASSERT_EQ(line_splitter_pending(sp), 0);
}

static void test_lines(void) {
        static Collector c;
        const char *s = "a\nbc\n\nd";

        for (size_t chunk = 0; chunk <= 3; chunk++) {
                run(&c, 0, s, strlen(s), chunk);
                ASSERT_EQ(c.n, 4);
                check_piece(&c, 0, "a", false);
                check_piece(&c, 1, "bc", false);
                check_piece(&c, 2, "", false);
                check_piece(&c, 3, "d", false); /* the unterminated last line, at flush */
        }

        /* a stream ending in '\n' has nothing left at EOF */
        run(&c, 0, "x\n", 2, 0);
        ASSERT_EQ(c.n, 1);
        run(&c, 0, "", 0, 0);
        ASSERT_EQ(c.n, 0);
        collector_reset(&c);
}

static void test_pending(void) {
        static Collector c;
        _cleanup_(line_splitter_freep) LineSplitter *sp = NULL;

        ASSERT_OK(line_splitter_new(0, collect, &c, &sp));
        ASSERT_OK(line_splitter_feed(sp, "par", 3));
        ASSERT_EQ(c.n, 0);
        ASSERT_EQ(line_splitter_pending(sp), 3);
        ASSERT_OK(line_splitter_feed(sp, "tial\nnext", 9));
        ASSERT_EQ(c.n, 1);
        check_piece(&c, 0, "partial", false);
        ASSERT_EQ(line_splitter_pending(sp), 4);
        ASSERT_OK(line_splitter_flush(sp));
        check_piece(&c, 1, "next", false);
        ASSERT_OK(line_splitter_flush(sp)); /* twice: nothing more */
        ASSERT_EQ(c.n, 2);
        collector_reset(&c);
}

static void test_long_lines(void) {
        static Collector c;

        for (size_t chunk = 0; chunk <= 5; chunk++) {
                run(&c, 8, "0123456789ABCDEFGHIJ\n", 21, chunk);
                ASSERT_EQ(c.n, 3);
                check_piece(&c, 0, "01234567", true);
                check_piece(&c, 1, "89ABCDEF", true);
                check_piece(&c, 2, "GHIJ", false);

                /* exactly the limit is one whole line, with or without its '\n' */
                run(&c, 8, "01234567\nab", 11, chunk);
                ASSERT_EQ(c.n, 2);
                check_piece(&c, 0, "01234567", false);
                check_piece(&c, 1, "ab", false);
                run(&c, 8, "01234567", 8, chunk);
                ASSERT_EQ(c.n, 1);
                check_piece(&c, 0, "01234567", false);

                /* one byte over, unterminated */
                run(&c, 8, "012345678", 9, chunk);
                ASSERT_EQ(c.n, 2);
                check_piece(&c, 0, "01234567", true);
                check_piece(&c, 1, "8", false);
        }
        collector_reset(&c);
}

static void test_utf8_cuts(void) {
        static Collector c;

        for (size_t chunk = 0; chunk <= 3; chunk++) {
                /* é (2 bytes) ends exactly at the limit: kept in the first piece */
                run(&c, 8, "aaaaaa\xc3\xa9x\n", 10, chunk);
                ASSERT_EQ(c.n, 2);
                check_piece(&c, 0, "aaaaaa\xc3\xa9", true);
                check_piece(&c, 1, "x", false);

                /* é straddles the limit: moved whole to the next piece */
                run(&c, 8, "aaaaaaa\xc3\xa9\n", 10, chunk);
                ASSERT_EQ(c.n, 2);
                check_piece(&c, 0, "aaaaaaa", true);
                check_piece(&c, 1, "\xc3\xa9", false);

                /* a 4-byte sequence with two bytes inside the limit */
                run(&c, 8, "aaaaaa\xf0\x9f\x98\x80z", 11, chunk);
                ASSERT_EQ(c.n, 2);
                check_piece(&c, 0, "aaaaaa", true);
                check_piece(&c, 1, "\xf0\x9f\x98\x80z", false);

                /* a 3-byte sequence with one byte inside */
                run(&c, 8, "aaaaaaa\xe2\x82\xac", 10, chunk);
                ASSERT_EQ(c.n, 2);
                check_piece(&c, 0, "aaaaaaa", true);
                check_piece(&c, 1, "\xe2\x82\xac", false);

                /* not UTF-8: continuation bytes only, cut at the limit */
                run(&c, 8, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80", 10, chunk);
                ASSERT_EQ(c.n, 2);
                ASSERT_EQ(c.pieces[0].len, 8);
                ASSERT_EQ(c.pieces[1].len, 2);
        }
        collector_reset(&c);
}

static void test_binary(void) {
        static Collector c;
        const char s[] = "a\0b\r\nc\0";

        run(&c, 0, s, sizeof(s) - 1, 0);
        ASSERT_EQ(c.n, 2);
        ASSERT_EQ(c.pieces[0].len, 4);
        ASSERT_TRUE(memcmp(c.pieces[0].data, "a\0b\r", 4) == 0);
        ASSERT_EQ(c.pieces[1].len, 2);
        ASSERT_TRUE(memcmp(c.pieces[1].data, "c\0", 2) == 0);
        collector_reset(&c);
}

static void test_errors(void) {
        static Collector c;
        _cleanup_(line_splitter_freep) LineSplitter *sp = NULL;
        LineSplitter *x = NULL;

        ASSERT_ERROR(line_splitter_new(3, collect, &c, &x), EINVAL);
        ASSERT_ERROR(line_splitter_new(8, NULL, &c, &x), EINVAL);
        ASSERT_ERROR(line_splitter_new(8, collect, &c, NULL), EINVAL);
        ASSERT_NULL(x);
        ASSERT_ERROR(line_splitter_feed(NULL, "a", 1), EINVAL);
        ASSERT_ERROR(line_splitter_flush(NULL), EINVAL);
        line_splitter_free(NULL);

        /* the handler's error stops feeding and comes back */
        c.fail_at = 2;
        ASSERT_OK(line_splitter_new(8, collect, &c, &sp));
        ASSERT_ERROR(line_splitter_feed(sp, "a\nb\nc\n", 6), EIO);
        ASSERT_EQ(c.n, 1);
        collector_reset(&c);
}

/* Random bytes (newlines and multi-byte UTF-8 included), random chunks, random limits: the
 * pieces put back together (a '\n' after each non-partial piece but an unterminated last
 * one) give the input back, and no piece is longer than the limit. */
static void test_random(void) {
        static Collector c;
        static const char alphabet[][4] = { "a", "b", "\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80", "\0" };
        char in[600], out[1200];

        srand(12345);
        for (int round = 0; round < 400; round++) {
                size_t len = 0, max = 4 + (size_t) (rand() % 20), chunk = (size_t) (rand() % 13), o = 0;

                while (len < sizeof(in) - 4) {
                        size_t k = (size_t) (rand() % (int) ELEMENTSOF(alphabet));
                        size_t l = k == 7 ? 1 : strlen(alphabet[k]);
                        memcpy(in + len, alphabet[k], l);
                        len += l;
                        if (rand() % 50 == 0)
                                break;
                }

                run(&c, max, in, len, chunk);
                for (size_t i = 0; i < c.n; i++) {
                        ASSERT_TRUE(c.pieces[i].len <= max);
                        memcpy(out + o, c.pieces[i].data, c.pieces[i].len);
                        o += c.pieces[i].len;
                        if (!c.pieces[i].partial && (i + 1 < c.n || in[len - 1] == '\n'))
                                out[o++] = '\n';
                }
                ASSERT_EQ(o, len);
                ASSERT_TRUE(memcmp(in, out, len) == 0);
        }
        collector_reset(&c);
}

TEST_MAIN(test_lines, test_pending, test_long_lines, test_utf8_cuts, test_binary, test_errors, test_random)
