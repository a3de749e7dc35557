/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Minimal assertion helpers for unit tests: a failed check prints where and what, then
 * aborts, so meson reports the test as failed and ASan still gets to print leaks of the
 * passing ones. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT_TRUE(expr)                                                               \
        do {                                                                            \
                if (!(expr)) {                                                          \
                        fprintf(stderr, "%s:%d: %s: assertion failed: %s\n", __FILE__,  \
                                __LINE__, __func__, #expr);                             \
                        abort();                                                        \
                }                                                                       \
        } while (0)

#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))

#define ASSERT_EQ(a, b)                                                                         \
        do {                                                                                    \
                long long _a = (long long) (a), _b = (long long) (b);                           \
                if (_a != _b) {                                                                 \
                        fprintf(stderr, "%s:%d: %s: %s == %s failed: %lld != %lld\n", __FILE__, \
                                __LINE__, __func__, #a, #b, _a, _b);                            \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define ASSERT_OK(expr)                                                                         \
        do {                                                                                    \
                long long _r = (long long) (expr);                                              \
                if (_r < 0) {                                                                   \
                        fprintf(stderr, "%s:%d: %s: %s failed: %s\n", __FILE__, __LINE__,       \
                                __func__, #expr, strerror((int) -_r));                          \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define ASSERT_ERROR(expr, err)                                                                 \
        do {                                                                                    \
                long long _r = (long long) (expr);                                              \
                if (_r != -(err)) {                                                             \
                        fprintf(stderr, "%s:%d: %s: %s returned %lld, expected -%s\n",          \
                                __FILE__, __LINE__, __func__, #expr, _r, #err);                 \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                      \
        do {                                                                                    \
                const char *_a = (a), *_b = (b);                                                \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                        \
                        fprintf(stderr, "%s:%d: %s: %s == %s failed: \"%s\" != \"%s\"\n",       \
                                __FILE__, __LINE__, __func__, #a, #b, _a ?: "(null)",           \
                                _b ?: "(null)");                                                \
                        abort();                                                                \
                }                                                                               \
        } while (0)

#define ASSERT_NULL(p) ASSERT_TRUE((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)

/* Each test file defines TESTS as a list of functions and uses TEST_MAIN(). */
#define TEST_MAIN(...)                                                                  \
        int main(void) {                                                                \
                void (*const tests[])(void) = { __VA_ARGS__ };                          \
                for (size_t _i = 0; _i < sizeof(tests) / sizeof(tests[0]); _i++)       \
                        tests[_i]();                                                    \
                printf("%zu tests passed\n", sizeof(tests) / sizeof(tests[0]));          \
                return 0;                                                               \
        }
