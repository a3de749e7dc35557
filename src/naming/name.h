/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Resource names. Every realm, space, stack, cell and container name is a DNS label
 * ([a-z0-9]([-a-z0-9]*[a-z0-9])?, 1-63 characters), because names end up in unit names,
 * containerd identifiers, CNI network names, file names and D-Bus object paths, and the
 * DNS label is the one alphabet all of them accept (after escaping where needed).
 *
 * Kinds ("Realm", "Cell", ...) belong to the model layer; here a kind is only a string
 * used to word messages. */

#include <stdbool.h>
#include <stddef.h>

#define NAME_LENGTH_MAX 63

/* The system realm created by `kuke init`; a valid name, but only the product creates it. */
#define REALM_NAME_SYSTEM "kukeon-system"
/* Reserved by the run path layout (seed 000: <run path>/run/ is reserved). */
#define REALM_NAME_RESERVED_RUN "run"

typedef enum NameError {
        NAME_VALID = 0,
        NAME_EMPTY,
        NAME_TOO_LONG,
        NAME_LEADING_DASH,
        NAME_TRAILING_DASH,
        NAME_UPPERCASE,
        NAME_BAD_CHARACTER,
        _NAME_ERROR_MAX,
} NameError;

/* Classify a name. On an error tied to one character (leading/trailing dash, uppercase, bad
 * character) the 0-based byte offset of that character is stored in *ret_position (optional);
 * otherwise *ret_position is set to 0. Problems are reported in order of position, the length
 * check last, so a user fixing one message at a time walks the name from left to right. NULL is
 * treated as empty. */
NameError name_validate(const char *s, size_t *ret_position);

bool name_is_valid(const char *s);

/* A static, human sentence for an error class ("name is empty", ...); NULL for NAME_VALID and
 * out-of-range values. */
const char *name_error_to_string(NameError e);

/* The static reason why 's' is not a valid name, or NULL when it is valid. For the detailed
 * message (the offending character, its position, the length) use name_check(). */
const char *name_invalid_reason(const char *s);

/* Check 'name' and, when invalid, return -EINVAL with an allocated message naming the kind and
 * the (escaped) name, e.g.
 *   invalid Cell name "bad_name": character '_' at position 4 is not allowed (names are DNS
 *   labels: lowercase letters, digits and '-', 1-63 characters, starting and ending with a
 *   letter or digit)
 * Positions in messages count from 1. 'kind' may be NULL ("invalid name ..."); 'ret_message'
 * may be NULL. Returns 0 when valid (and sets *ret_message to NULL), -ENOMEM when the message
 * cannot be allocated. */
int name_check(const char *kind, const char *name, char **ret_message);

/* Realm names no realm may ever have ("run"). */
bool realm_name_is_reserved(const char *s);
/* The system realm, "kukeon-system": valid, created by the product, refused from users. */
bool realm_name_is_system(const char *s);

/* name_check("Realm", ...) plus the reserved names: "run" is always refused, "kukeon-system"
 * unless 'allow_system' (set by `kuke init` and the daemon's own bootstrap). Same return and
 * message conventions as name_check(). */
int realm_name_check(const char *name, bool allow_system, char **ret_message);

/* Quote-safe copy of an untrusted string for use inside double quotes in messages: '\\',
 * '"', control characters and every byte outside printable ASCII become \xNN, so a name read
 * from YAML cannot inject terminal escapes, forge line breaks in logs or hide behind bidi
 * characters. At most 'max_bytes' input bytes are rendered; longer input ends in "...".
 * NULL renders as "". Returns NULL on OOM. */
char *name_escape_for_message(const char *s, size_t max_bytes);
