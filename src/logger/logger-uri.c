/* SPDX-License-Identifier: Apache-2.0 */
#include "logger-uri.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "name.h"
#include "unit-name.h"

#define URI_SCHEME "binary://"

/* RFC 3986 unreserved characters: the only ones Go's url.ParseQuery and url.Parse are sure
 * to take literally. Everything else is percent-encoded, '+' included (ParseQuery reads a
 * literal '+' as a space). */
static bool char_is_unreserved(unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == '~';
}

static int fputs_encoded(FILE *f, const char *s, bool keep_slash) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (char_is_unreserved(*p) || (keep_slash && *p == '/')) {
                        if (fputc(*p, f) == EOF)
                                return -ENOMEM;
                } else if (fprintf(f, "%%%02X", *p) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The checks both sides share. Returns -EINVAL with a message, or 0. */
static int target_check(const LoggerTarget *t, char **ret_error) {
        static const struct {
                const char *kind;
                size_t offset;
        } names[] = {
                { "Space", offsetof(LoggerTarget, space) },
                { "Stack", offsetof(LoggerTarget, stack) },
                { "Cell", offsetof(LoggerTarget, cell) },
                { "Container", offsetof(LoggerTarget, container) },
        };
        _cleanup_free_ char *message = NULL, *expected = NULL, *shown = NULL;
        int r;

        /* The system realm has cells too (design.md §4), so it is allowed here. */
        r = realm_name_check(t->realm, /* allow_system= */ true, &message);
        if (r < 0)
                goto fail;

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                const char *v = *(const char *const *) ((const char *) t + names[i].offset);

                r = name_check(names[i].kind, v, &message);
                if (r < 0)
                        goto fail;
        }

        r = unit_name_build(t->realm, t->space, t->stack, t->cell, &expected);
        if (r < 0) {
                /* Valid labels can still make a unit name systemd refuses as too long. */
                if (r == -ENAMETOOLONG && asprintf(&message, "the cell's scope name would be longer than %d bytes", UNIT_NAME_LENGTH_MAX) < 0)
                        return -ENOMEM;
                goto fail;
        }
        if (t->unit && !streq(t->unit, expected)) {
                shown = name_escape_for_message(t->unit, 256);
                if (!shown || asprintf(&message, "unit \"%s\" is not the cell's scope %s", shown, expected) < 0)
                        return -ENOMEM;
                r = -EINVAL;
                goto fail;
        }
        return 0;

fail:
        if (r == -ENOMEM)
                return r;
        if (ret_error)
                *ret_error = TAKE_PTR(message);
        return -EINVAL;
}

int logger_uri_build(const char *driver, const LoggerTarget *t, char **ret) {
        _cleanup_free_ char *unit = NULL, *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (!t || !ret)
                return -EINVAL;
        if (!driver)
                driver = LOGGER_DRIVER_PATH;
        if (driver[0] != '/' || driver[1] == 0)
                return -EINVAL;

        r = target_check(t, NULL);
        if (r < 0)
                return r;
        if (t->unit)
                unit = strdup(t->unit);
        else
                (void) unit_name_build(t->realm, t->space, t->stack, t->cell, &unit);
        if (!unit)
                return -ENOMEM;

        const char *const pairs[][2] = {
                { LOGGER_ARG_REALM, t->realm },
                { LOGGER_ARG_SPACE, t->space },
                { LOGGER_ARG_STACK, t->stack },
                { LOGGER_ARG_CELL, t->cell },
                { LOGGER_ARG_CONTAINER, t->container },
                { LOGGER_ARG_UNIT, unit },
        };

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        r = fputs(URI_SCHEME, f) == EOF ? -ENOMEM : 0;
        if (r >= 0)
                r = fputs_encoded(f, driver, /* keep_slash= */ true);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(pairs); i++) {
                /* keys are plain ASCII words: no encoding needed */
                if (fprintf(f, "%c%s=", i == 0 ? '?' : '&', pairs[i][0]) < 0)
                        r = -ENOMEM;
                else
                        r = fputs_encoded(f, pairs[i][1], /* keep_slash= */ false);
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;

        *ret = TAKE_PTR(buf);
        return 0;
}

int logger_args_parse(char *const *args, size_t n_args, LoggerTarget *t, char **ret_error) {
        static const char *const keys[] = {
                LOGGER_ARG_REALM, LOGGER_ARG_SPACE, LOGGER_ARG_STACK,
                LOGGER_ARG_CELL,  LOGGER_ARG_CONTAINER, LOGGER_ARG_UNIT,
        };
        _cleanup_free_ char *message = NULL, *shown = NULL;
        const char *values[ELEMENTSOF(keys)] = {};
        LoggerTarget parsed;
        int r;

        if (!t || (!args && n_args > 0))
                return -EINVAL;

        for (size_t i = 0; i < n_args; i += 2) {
                size_t k;

                for (k = 0; k < ELEMENTSOF(keys); k++)
                        if (streq(args[i], keys[k]))
                                break;

                shown = mfree(shown);
                shown = name_escape_for_message(args[i], 64);
                if (!shown)
                        return -ENOMEM;

                if (k >= ELEMENTSOF(keys)) {
                        r = asprintf(&message, "unknown argument \"%s\" (expected KEY VALUE pairs with keys "
                                     "realm, space, stack, cell, container, unit)", shown);
                        goto fail;
                }
                if (i + 1 >= n_args) {
                        r = asprintf(&message, "argument \"%s\" has no value", shown);
                        goto fail;
                }
                if (values[k]) {
                        r = asprintf(&message, "argument \"%s\" given twice", shown);
                        goto fail;
                }
                values[k] = args[i + 1];
        }

        for (size_t k = 0; k < ELEMENTSOF(keys); k++)
                if (!values[k]) {
                        r = asprintf(&message, "argument \"%s\" is missing", keys[k]);
                        goto fail;
                }

        parsed = (LoggerTarget) {
                .realm = values[0],
                .space = values[1],
                .stack = values[2],
                .cell = values[3],
                .container = values[4],
                .unit = values[5],
        };
        r = target_check(&parsed, ret_error);
        if (r < 0)
                return r;

        *t = parsed;
        return 0;

fail:
        if (r < 0)
                return -ENOMEM;
        if (ret_error)
                *ret_error = TAKE_PTR(message);
        return -EINVAL;
}
