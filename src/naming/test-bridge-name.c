/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "bridge-name.h"
#include "macro.h"
#include "tests.h"

static void test_fnv1a32_vectors(void) {
        /* Reference vectors of FNV-1a, 32 bit (Fowler/Noll/Vo test suite). */
        ASSERT_EQ(fnv1a32("", 0), 0x811c9dc5);
        ASSERT_EQ(fnv1a32(NULL, 0), 0x811c9dc5);
        ASSERT_EQ(fnv1a32("a", 1), 0xe40c292c);
        ASSERT_EQ(fnv1a32("b", 1), 0xe70c2de5);
        ASSERT_EQ(fnv1a32("foo", 3), 0xa9f37ed7);
        ASSERT_EQ(fnv1a32("foobar", 6), 0xbf9cf968);
        /* bytes, not C strings: NUL and high bytes take part */
        ASSERT_EQ(fnv1a32("\0", 1), 0x050c5d1f);
        ASSERT_TRUE(fnv1a32("\xff", 1) != fnv1a32("\x7f", 1));
}

static void test_fnv1a32_update(void) {
        uint32_t h = FNV1A32_OFFSET_BASIS;

        h = fnv1a32_update(h, "foo", 3);
        h = fnv1a32_update(h, "", 0);
        h = fnv1a32_update(h, "bar", 3);
        ASSERT_EQ(h, fnv1a32("foobar", 6));
}

static void test_bridge_name(void) {
        char buf[BRIDGE_NAME_LENGTH + 1], expected[BRIDGE_NAME_LENGTH + 1];
        _cleanup_free_ char *b = NULL;

        ASSERT_OK(bridge_name_format("main", "default", buf));
        ASSERT_EQ(strlen(buf), BRIDGE_NAME_LENGTH);
        snprintf(expected, sizeof(expected), "k-%08x", (unsigned) fnv1a32("main-default", 12));
        ASSERT_STREQ(buf, expected);
        /* computed independently (Python): FNV-1a-32("main-default") */
        ASSERT_STREQ(buf, "k-37bf4fe8");

        ASSERT_OK(bridge_name_build("main", "default", &b));
        ASSERT_STREQ(b, buf);

        /* small hashes keep their leading zeros, always 10 characters */
        for (unsigned i = 0; i < 2000; i++) {
                char space[16];

                snprintf(space, sizeof(space), "s%u", i);
                ASSERT_OK(bridge_name_format("r", space, buf));
                ASSERT_EQ(strlen(buf), BRIDGE_NAME_LENGTH);
                ASSERT_TRUE(strncmp(buf, "k-", 2) == 0);
                ASSERT_EQ(strspn(buf + 2, "0123456789abcdef"), 8);
        }

        /* the documented ambiguity of "<realm>-<space>" */
        char x[BRIDGE_NAME_LENGTH + 1], y[BRIDGE_NAME_LENGTH + 1];
        ASSERT_OK(bridge_name_format("a-b", "c", x));
        ASSERT_OK(bridge_name_format("a", "b-c", y));
        ASSERT_STREQ(x, y);
        ASSERT_OK(bridge_name_format("a", "c", y));
        ASSERT_FALSE(streq(x, y));
}

static void test_bridge_name_errors(void) {
        char buf[BRIDGE_NAME_LENGTH + 1];
        char *b = NULL;

        ASSERT_ERROR(bridge_name_format("", "s", buf), EINVAL);
        ASSERT_ERROR(bridge_name_format("r", "", buf), EINVAL);
        ASSERT_ERROR(bridge_name_format(NULL, "s", buf), EINVAL);
        ASSERT_ERROR(bridge_name_format("r", NULL, buf), EINVAL);
        ASSERT_ERROR(bridge_name_build("r", NULL, &b), EINVAL);
        ASSERT_ERROR(bridge_name_build("r", "s", NULL), EINVAL);
        ASSERT_NULL(b);
}

TEST_MAIN(test_fnv1a32_vectors,
          test_fnv1a32_update,
          test_bridge_name,
          test_bridge_name_errors);
