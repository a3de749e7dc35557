/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "name.h"
#include "tests.h"

static void test_valid_names(void) {
        static const char *const valid[] = {
                "a", "0", "web", "my-realm", "a-b-c", "a--b", "0abc", "abc0", "9-9",
                "kukeon-system", "run", "main", "default",
                /* exactly 63 */
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij012",
        };

        for (size_t i = 0; i < ELEMENTSOF(valid); i++) {
                size_t pos = 42;

                ASSERT_TRUE(name_is_valid(valid[i]));
                ASSERT_EQ(name_validate(valid[i], &pos), NAME_VALID);
                ASSERT_EQ(pos, 0);
                ASSERT_NULL(name_invalid_reason(valid[i]));
        }
        ASSERT_EQ(strlen(valid[ELEMENTSOF(valid) - 1]), NAME_LENGTH_MAX);
}

static void test_invalid_names(void) {
        static const struct {
                const char *name;
                NameError error;
                size_t position;
        } cases[] = {
                { "", NAME_EMPTY, 0 },
                { "-a", NAME_LEADING_DASH, 0 },
                { "-", NAME_LEADING_DASH, 0 },
                { "a-", NAME_TRAILING_DASH, 1 },
                { "ab--", NAME_TRAILING_DASH, 3 },
                { "Web", NAME_UPPERCASE, 0 },
                { "weB", NAME_UPPERCASE, 2 },
                { "bad_name", NAME_BAD_CHARACTER, 3 },
                { "a.b", NAME_BAD_CHARACTER, 1 },
                { "a b", NAME_BAD_CHARACTER, 1 },
                { "a/b", NAME_BAD_CHARACTER, 1 },
                { "caf\xc3\xa9", NAME_BAD_CHARACTER, 3 },
                { "a\nb", NAME_BAD_CHARACTER, 1 },
                /* first problem by position wins */
                { "-Web_", NAME_LEADING_DASH, 0 },
                { "wEb_", NAME_UPPERCASE, 1 },
                { "we_B", NAME_BAD_CHARACTER, 2 },
                /* 64 characters */
                { "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij0123", NAME_TOO_LONG, 0 },
                /* characters are reported before length */
                { "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij012_", NAME_BAD_CHARACTER, 63 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                size_t pos = 42;

                ASSERT_FALSE(name_is_valid(cases[i].name));
                ASSERT_EQ(name_validate(cases[i].name, &pos), cases[i].error);
                ASSERT_EQ(pos, cases[i].position);
                ASSERT_STREQ(name_invalid_reason(cases[i].name), name_error_to_string(cases[i].error));
        }

        ASSERT_FALSE(name_is_valid(NULL));
        ASSERT_EQ(name_validate(NULL, NULL), NAME_EMPTY);
}

static void test_error_strings(void) {
        ASSERT_NULL(name_error_to_string(NAME_VALID));
        ASSERT_NULL(name_error_to_string(_NAME_ERROR_MAX));
        ASSERT_NULL(name_error_to_string((NameError) -1));
        for (NameError e = NAME_EMPTY; e < _NAME_ERROR_MAX; e++)
                ASSERT_NOT_NULL(name_error_to_string(e));
        ASSERT_STREQ(name_invalid_reason(""), "name is empty");
        ASSERT_STREQ(name_invalid_reason("A"), "name contains an uppercase letter");
}

#define RULES                                                                               \
        " (names are DNS labels: lowercase letters, digits and '-', 1-63 characters, starting " \
        "and ending with a letter or digit)"

static void check_message(const char *kind, const char *name, const char *expected) {
        _cleanup_free_ char *m = NULL;

        ASSERT_ERROR(name_check(kind, name, &m), EINVAL);
        ASSERT_STREQ(m, expected);
}

static void test_check_messages(void) {
        /* not freed: name_check() must overwrite it with NULL on success */
        char *m = (char *) "sentinel";

        check_message("Cell", "bad_name",
                      "invalid Cell name \"bad_name\": character '_' at position 4 is not allowed" RULES);
        check_message("Space", "",
                      "invalid Space name \"\": names must not be empty" RULES);
        check_message("Stack", NULL,
                      "invalid Stack name \"\": names must not be empty" RULES);
        check_message("Realm", "-x",
                      "invalid Realm name \"-x\": names must start with a letter or digit, not '-'" RULES);
        check_message("Realm", "x-",
                      "invalid Realm name \"x-\": names must end with a letter or digit, not '-'" RULES);
        check_message("Container", "Web",
                      "invalid Container name \"Web\": uppercase letter 'W' at position 1 is not allowed, use lowercase" RULES);
        check_message(NULL, "a_b", "invalid name \"a_b\": character '_' at position 2 is not allowed" RULES);
        check_message("", "a_b", "invalid name \"a_b\": character '_' at position 2 is not allowed" RULES);
        check_message("Cell",
                      "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij0123",
                      "invalid Cell name \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij0123\": "
                      "64 characters long, at most 63 are allowed" RULES);

        /* valid: 0 and NULL message */
        ASSERT_EQ(name_check("Cell", "web", &m), 0);
        ASSERT_NULL(m);
        ASSERT_EQ(name_check("Cell", "web", NULL), 0);
        ASSERT_ERROR(name_check("Cell", "bad_name", NULL), EINVAL);
}

static void test_check_escaping(void) {
        /* Control characters, quotes, backslashes and non-ASCII bytes never reach a message raw. */
        check_message("Cell", "a\x1b[31mred",
                      "invalid Cell name \"a\\x1b[31mred\": character '\\x1b' at position 2 is not allowed" RULES);
        check_message("Cell", "a\nb", "invalid Cell name \"a\\x0ab\": character '\\x0a' at position 2 is not allowed" RULES);
        check_message("Cell", "a\"b", "invalid Cell name \"a\\x22b\": character '\"' at position 2 is not allowed" RULES);
        check_message("Cell", "a'b", "invalid Cell name \"a'b\": character '\\x27' at position 2 is not allowed" RULES);
        check_message("Cell", "a\\b", "invalid Cell name \"a\\x5cb\": character '\\x5c' at position 2 is not allowed" RULES);
        check_message("Cell", "a\x7f", "invalid Cell name \"a\\x7f\": character '\\x7f' at position 2 is not allowed" RULES);
        /* a whole UTF-8 sequence is shown as one character */
        check_message("Cell", "caf\xc3\xa9", "invalid Cell name \"caf\\xc3\\xa9\": character '\\xc3\\xa9' at position 4 is not allowed" RULES);
        /* a bidi override (U+202E) */
        check_message("Cell", "\xe2\x80\xaegnp", "invalid Cell name \"\\xe2\\x80\\xaegnp\": character '\\xe2\\x80\\xae' at position 1 is not allowed" RULES);
        /* a broken sequence is shown byte by byte */
        check_message("Cell", "a\xc3x", "invalid Cell name \"a\\xc3x\": character '\\xc3' at position 2 is not allowed" RULES);
        /* a lead byte at the very end must not read past the string */
        check_message("Cell", "a\xf0", "invalid Cell name \"a\\xf0\": character '\\xf0' at position 2 is not allowed" RULES);
}

static void test_check_long_name_truncated(void) {
        _cleanup_free_ char *m = NULL, *name = NULL;
        size_t n = 10000;

        name = malloc(n + 1);
        ASSERT_NOT_NULL(name);
        memset(name, 'a', n);
        name[n] = 0;
        ASSERT_ERROR(name_check("Cell", name, &m), EINVAL);
        ASSERT_TRUE(strlen(m) < 400);
        ASSERT_NOT_NULL(strstr(m, "10000 characters long, at most 63 are allowed"));
        ASSERT_NOT_NULL(strstr(m, "aaa...\""));
}

static void test_escape_for_message(void) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        a = name_escape_for_message("plain-name", 80);
        ASSERT_STREQ(a, "plain-name");
        b = name_escape_for_message(NULL, 80);
        ASSERT_STREQ(b, "");
        c = name_escape_for_message("abcdef", 3);
        ASSERT_STREQ(c, "abc...");
        d = name_escape_for_message("\t\"\\\xff", 80);
        ASSERT_STREQ(d, "\\x09\\x22\\x5c\\xff");
}

static void test_realm_names(void) {
        _cleanup_free_ char *m1 = NULL, *m2 = NULL, *m3 = NULL;
        char *m = NULL;

        ASSERT_TRUE(realm_name_is_reserved("run"));
        ASSERT_FALSE(realm_name_is_reserved("kukeon-system"));
        ASSERT_FALSE(realm_name_is_reserved("main"));
        ASSERT_FALSE(realm_name_is_reserved("runner"));
        ASSERT_FALSE(realm_name_is_reserved(NULL));
        ASSERT_TRUE(realm_name_is_system("kukeon-system"));
        ASSERT_FALSE(realm_name_is_system("kukeon-system2"));
        ASSERT_FALSE(realm_name_is_system("run"));
        ASSERT_FALSE(realm_name_is_system(NULL));
        /* the system realm is a valid name: the product creates it */
        ASSERT_TRUE(name_is_valid(REALM_NAME_SYSTEM));

        ASSERT_EQ(realm_name_check("main", false, &m), 0);
        ASSERT_NULL(m);
        ASSERT_EQ(realm_name_check("kukeon-system", true, &m), 0);
        ASSERT_NULL(m);

        ASSERT_ERROR(realm_name_check("kukeon-system", false, &m1), EINVAL);
        ASSERT_STREQ(m1, "invalid Realm name \"kukeon-system\": the name is reserved for the system realm, which kuke init creates");
        ASSERT_ERROR(realm_name_check("run", true, &m2), EINVAL);
        ASSERT_STREQ(m2, "invalid Realm name \"run\": the name is reserved");
        ASSERT_ERROR(realm_name_check("Main", true, &m3), EINVAL);
        ASSERT_NOT_NULL(strstr(m3, "invalid Realm name \"Main\": uppercase letter 'M' at position 1"));
        ASSERT_ERROR(realm_name_check("run", false, NULL), EINVAL);
}

TEST_MAIN(test_valid_names,
          test_invalid_names,
          test_error_strings,
          test_check_messages,
          test_check_escaping,
          test_check_long_name_truncated,
          test_escape_for_message,
          test_realm_names);
