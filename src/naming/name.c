/* SPDX-License-Identifier: Apache-2.0 */
#include "name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* How many bytes of an untrusted name a message shows: a whole DNS label and then some, so a
 * 10 MiB "name" from a broken YAML file does not become a 40 MiB error message. */
#define MESSAGE_NAME_BYTES_MAX 80

#define NAME_RULES                                                                          \
        "names are DNS labels: lowercase letters, digits and '-', 1-63 characters, starting " \
        "and ending with a letter or digit"

static bool char_is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

NameError name_validate(const char *s, size_t *ret_position) {
        size_t n;
        NameError e = NAME_VALID;
        size_t pos = 0;

        if (isempty(s)) {
                e = NAME_EMPTY;
                goto finish;
        }

        for (n = 0; s[n]; n++) {
                char c = s[n];

                if (char_is_lower_alnum(c))
                        continue;
                if (c == '-') {
                        if (n == 0) {
                                e = NAME_LEADING_DASH;
                                pos = n;
                                goto finish;
                        }
                        continue;
                }

                e = (c >= 'A' && c <= 'Z') ? NAME_UPPERCASE : NAME_BAD_CHARACTER;
                pos = n;
                goto finish;
        }

        if (s[n - 1] == '-') {
                e = NAME_TRAILING_DASH;
                pos = n - 1;
                goto finish;
        }

        if (n > NAME_LENGTH_MAX)
                e = NAME_TOO_LONG;

finish:
        if (ret_position)
                *ret_position = pos;
        return e;
}

bool name_is_valid(const char *s) {
        return name_validate(s, NULL) == NAME_VALID;
}

static const char *const name_error_table[_NAME_ERROR_MAX] = {
        [NAME_EMPTY] = "name is empty",
        [NAME_TOO_LONG] = "name is longer than 63 characters",
        [NAME_LEADING_DASH] = "name starts with '-'",
        [NAME_TRAILING_DASH] = "name ends with '-'",
        [NAME_UPPERCASE] = "name contains an uppercase letter",
        [NAME_BAD_CHARACTER] = "name contains a character other than lowercase letters, digits and '-'",
};

const char *name_error_to_string(NameError e) {
        if ((unsigned) e >= _NAME_ERROR_MAX)
                return NULL;
        return name_error_table[e];
}

const char *name_invalid_reason(const char *s) {
        return name_error_to_string(name_validate(s, NULL));
}

static bool byte_needs_escape(unsigned char c) {
        /* Everything outside printable ASCII: control characters could rewrite a terminal or
         * forge log lines, and non-ASCII bytes may be bidi overrides or C1 controls, which
         * would take a Unicode table to tell apart. Names are ASCII anyway. */
        return c < 0x20 || c >= 0x7f;
}

static char *append_escaped_byte(char *t, unsigned char c) {
        static const char hex[] = "0123456789abcdef";

        *t++ = '\\';
        *t++ = 'x';
        *t++ = hex[c >> 4];
        *t++ = hex[c & 15];
        return t;
}

char *name_escape_for_message(const char *s, size_t max_bytes) {
        size_t n = strlen(strempty(s));
        bool truncated = n > max_bytes;
        char *r, *t;

        if (truncated)
                n = max_bytes;

        /* Worst case every byte becomes \xNN, plus "..." and NUL. */
        r = malloc(n * 4 + 4);
        if (!r)
                return NULL;

        t = r;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];

                if (byte_needs_escape(c) || c == '"' || c == '\\')
                        t = append_escaped_byte(t, c);
                else
                        *t++ = (char) c;
        }
        if (truncated)
                t = stpcpy(t, "...");
        *t = 0;
        return r;
}

/* The length of the UTF-8 sequence starting at s, or 1 when s does not start a well-formed
 * one: an offending non-ASCII character is then shown whole ('\xc3\xa9' for 'é') rather than
 * as a lone lead byte, which would look like a broken name. */
static size_t utf8_sequence_length(const char *s) {
        unsigned char c = (unsigned char) s[0];
        size_t len;

        if (c >= 0xc2 && c <= 0xdf)
                len = 2;
        else if (c >= 0xe0 && c <= 0xef)
                len = 3;
        else if (c >= 0xf0 && c <= 0xf4)
                len = 4;
        else
                return 1;

        for (size_t i = 1; i < len; i++)
                if (((unsigned char) s[i] & 0xc0) != 0x80)
                        return 1;
        return len;
}

/* Render the offending character for use inside single quotes. */
static void format_character(const char *s, char buf[static 4 * 4 + 1]) {
        size_t len = utf8_sequence_length(s);
        char *t = buf;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (byte_needs_escape(c) || c == '\'' || c == '\\')
                        t = append_escaped_byte(t, c);
                else
                        *t++ = (char) c;
        }
        *t = 0;
}

int name_check(const char *kind, const char *name, char **ret_message) {
        _cleanup_free_ char *escaped = NULL, *detail = NULL;
        char character[4 * 4 + 1];
        size_t pos;
        NameError e;
        int r;

        e = name_validate(name, &pos);
        if (e == NAME_VALID) {
                if (ret_message)
                        *ret_message = NULL;
                return 0;
        }
        if (!ret_message)
                return -EINVAL;

        switch (e) {
        case NAME_EMPTY:
                r = asprintf(&detail, "names must not be empty");
                break;
        case NAME_TOO_LONG:
                r = asprintf(&detail, "%zu characters long, at most %d are allowed", strlen(name),
                             NAME_LENGTH_MAX);
                break;
        case NAME_LEADING_DASH:
                r = asprintf(&detail, "names must start with a letter or digit, not '-'");
                break;
        case NAME_TRAILING_DASH:
                r = asprintf(&detail, "names must end with a letter or digit, not '-'");
                break;
        case NAME_UPPERCASE:
                format_character(name + pos, character);
                r = asprintf(&detail, "uppercase letter '%s' at position %zu is not allowed, use lowercase",
                             character, pos + 1);
                break;
        case NAME_BAD_CHARACTER:
                format_character(name + pos, character);
                r = asprintf(&detail, "character '%s' at position %zu is not allowed", character,
                             pos + 1);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return -ENOMEM;

        escaped = name_escape_for_message(name, MESSAGE_NAME_BYTES_MAX);
        if (!escaped)
                return -ENOMEM;

        if (asprintf(ret_message, "invalid %s%sname \"%s\": %s (" NAME_RULES ")", strempty(kind),
                     isempty(kind) ? "" : " ", escaped, detail) < 0) {
                *ret_message = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

bool realm_name_is_reserved(const char *s) {
        return streq_ptr(s, REALM_NAME_RESERVED_RUN);
}

bool realm_name_is_system(const char *s) {
        return streq_ptr(s, REALM_NAME_SYSTEM);
}

int realm_name_check(const char *name, bool allow_system, char **ret_message) {
        const char *why;
        int r;

        r = name_check("Realm", name, ret_message);
        if (r != 0)
                return r;

        if (realm_name_is_reserved(name))
                why = "invalid Realm name \"" REALM_NAME_RESERVED_RUN "\": the name is reserved";
        else if (realm_name_is_system(name) && !allow_system)
                why = "invalid Realm name \"" REALM_NAME_SYSTEM "\": the name is reserved for the "
                      "system realm, which kuke init creates";
        else
                return 0;

        if (ret_message) {
                *ret_message = strdup(why);
                if (!*ret_message)
                        return -ENOMEM;
        }
        return -EINVAL;
}
