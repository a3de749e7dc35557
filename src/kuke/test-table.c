/* SPDX-License-Identifier: Apache-2.0 */
#include "table.h"
#include "tests.h"

static void test_layout(void) {
        _cleanup_(table_freep) Table *t = table_new("NAME", "STATE", "UNIT", NULL);
        _cleanup_free_ char *s = NULL;

        ASSERT_NOT_NULL(t);
        ASSERT_EQ(table_get_rows(t), 0);
        ASSERT_OK(table_add_cells(t, "main", "Ready", "kukeon-main.slice"));
        ASSERT_OK(table_add_cells(t, "my-realm", "Pending", "kukeon-my\\x2drealm.slice"));
        ASSERT_EQ(table_get_rows(t), 2);
        ASSERT_OK(table_format(t, &s));
        ASSERT_STREQ(s,
                     "NAME       STATE     UNIT\n"
                     "main       Ready     kukeon-main.slice\n"
                     "my-realm   Pending   kukeon-my\\x2drealm.slice\n");
}

static void test_header_only(void) {
        _cleanup_(table_freep) Table *t = table_new("NAME", "STATE", NULL);
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(table_format(t, &s));
        ASSERT_STREQ(s, "NAME   STATE\n");
}

static void test_empty_and_hostile_cells(void) {
        _cleanup_(table_freep) Table *t = table_new("NAME", "SUBNET", NULL);
        _cleanup_free_ char *s = NULL;

        /* NULL and "" show as "-"; a line break or an escape sequence from the daemon cannot
         * break the table apart or drive the terminal. */
        ASSERT_OK(table_add_cells(t, "a", NULL));
        ASSERT_OK(table_add_cells(t, "b\nc", ""));
        ASSERT_OK(table_add_cells(t, "\x1b[31mred", "10.88.1.0/24"));
        ASSERT_OK(table_format(t, &s));
        ASSERT_STREQ(s,
                     "NAME          SUBNET\n"
                     "a             -\n"
                     "b\\x0ac        -\n"
                     "\\x1b[31mred   10.88.1.0/24\n");
}

static void test_utf8_width(void) {
        _cleanup_(table_freep) Table *t = table_new("NAME", "X", NULL);
        _cleanup_free_ char *s = NULL;

        /* Columns are counted in characters, not bytes. */
        ASSERT_OK(table_add_cells(t, "é", "1"));
        ASSERT_OK(table_format(t, &s));
        ASSERT_STREQ(s, "NAME   X\n"
                        "é      1\n");
}

TEST_MAIN(test_layout, test_header_only, test_empty_and_hostile_cells, test_utf8_width)
