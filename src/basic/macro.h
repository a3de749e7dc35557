/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Small helpers in the style of systemd's macro.h: cleanup attributes, TAKE_PTR,
 * array sizes. Everything in the project builds on these. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _const_ __attribute__((const))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))
#define _likely_(x) (__builtin_expect(!!(x), 1))
#define _unlikely_(x) (__builtin_expect(!!(x), 0))
#define _public_ __attribute__((visibility("default")))
#define _sentinel_ __attribute__((sentinel))
#define _fallthrough_ __attribute__((fallthrough))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Hand over ownership of a pointer: returns it and sets the variable to NULL, so the
 * cleanup attribute on the variable no longer frees it. */
#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _p_ = (p);        \
                (p) = NULL;                     \
                _p_;                            \
        })

#define TAKE_FD(fd)                             \
        ({                                      \
                int _fd_ = (fd);                \
                (fd) = -EBADF;                  \
                _fd_;                           \
        })

/* Define a NULL-safe cleanup function for a pointer type: freep-style wrappers that call
 * the type's own destructor. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {                   \
                if (*p)                                         \
                        func(*p);                               \
        }

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

/* Negative errno from the current errno, never 0: for calls that failed but may not have set it. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool isempty(const char *s) {
        return !s || !*s;
}

static inline const char *strempty(const char *s) {
        return s ?: "";
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

#define STR_IN_SET(s, ...) strv_contains_const((const char *const[]) { __VA_ARGS__, NULL }, (s))

/* Replaces *p with a copy of s (NULL clears it); *p is untouched when the copy fails. */
static inline int free_and_strdup(char **p, const char *s) {
        char *c = s ? strdup(s) : NULL;
        if (s && !c)
                return -ENOMEM;
        free(*p);
        *p = c;
        return 0;
}

static inline bool strv_contains_const(const char *const *l, const char *s) {
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

#define new0(t, n) ((t *) calloc((n) ?: 1, sizeof(t)))
