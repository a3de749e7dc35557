/* SPDX-License-Identifier: Apache-2.0 */
#include "unit-name.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define LEVELS_MAX 4
#define SLICE_SUFFIX ".slice"
#define SCOPE_SUFFIX ".scope"

/* systemd's VALID_CHARS for unit names, without '-' and '\\', which the escaper always
 * escapes because they carry meaning (hierarchy, escape start). */
static bool char_is_plain(unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == ':' || c == '_' || c == '.';
}

static int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

static char *escape_byte(char *t, unsigned char c) {
        static const char hex[] = "0123456789abcdef";

        *t++ = '\\';
        *t++ = 'x';
        *t++ = hex[c >> 4];
        *t++ = hex[c & 15];
        return t;
}

/* Append the escaped form of 's' at 't' (which must have room for 4 bytes per input byte) and
 * return the new end. Mirrors systemd's do_escape(). */
static char *escape_to(char *t, const char *s) {
        const unsigned char *f = (const unsigned char *) s;

        /* A leading '.' would make a hidden-looking unit ("/.dotdir" mount points in systemd's
         * words), so systemd escapes it even though '.' is otherwise plain. */
        if (*f == '.')
                t = escape_byte(t, *f++);

        for (; *f; f++) {
                if (*f == '/')
                        *t++ = '-';
                else if (char_is_plain(*f))
                        *t++ = (char) *f;
                else
                        t = escape_byte(t, *f);
        }
        return t;
}

int unit_name_escape(const char *s, char **ret) {
        char *r;

        if (!ret)
                return -EINVAL;
        if (isempty(s))
                return -EINVAL;

        r = malloc(strlen(s) * 4 + 1);
        if (!r)
                return -ENOMEM;

        *escape_to(r, s) = 0;
        *ret = r;
        return 0;
}

int unit_name_unescape(const char *s, char **ret) {
        _cleanup_free_ char *r = NULL;
        char *t;

        if (!ret)
                return -EINVAL;
        if (isempty(s))
                return -EINVAL;

        r = malloc(strlen(s) + 1);
        if (!r)
                return -ENOMEM;

        t = r;
        for (const char *f = s; *f; f++) {
                if (*f == '-') {
                        *t++ = '/';
                        continue;
                }
                if (*f != '\\') {
                        *t++ = *f;
                        continue;
                }

                /* The escaper only ever writes \xNN, so anything else is not one of our names. */
                if (f[1] != 'x')
                        return -EINVAL;
                int a = unhexchar(f[2]);
                if (a < 0)
                        return -EINVAL;
                int b = unhexchar(f[3]);
                if (b < 0)
                        return -EINVAL;
                /* A NUL would silently truncate the name. */
                if (a == 0 && b == 0)
                        return -EINVAL;
                *t++ = (char) ((a << 4) | b);
                f += 3;
        }
        *t = 0;

        *ret = TAKE_PTR(r);
        return 0;
}

/* Count the leading non-NULL levels. A level after a NULL one would be silently dropped, which
 * is always a caller bug, and an empty name has no unit. */
static int levels_depth(const char *const levels[static LEVELS_MAX], size_t *ret_depth) {
        size_t depth = 0;

        while (depth < LEVELS_MAX && levels[depth]) {
                if (!*levels[depth])
                        return -EINVAL;
                depth++;
        }
        for (size_t i = depth; i < LEVELS_MAX; i++)
                if (levels[i])
                        return -EINVAL;

        *ret_depth = depth;
        return 0;
}

/* Build the unit for the first 'depth' levels, as a scope when 'scope', else a slice. */
static int build_unit(const char *const levels[], size_t depth, bool scope, char **ret) {
        size_t size = strlen(UNIT_NAME_PREFIX) + strlen(SLICE_SUFFIX) + 1;
        char *r, *t;

        for (size_t i = 0; i < depth; i++)
                size += 1 + strlen(levels[i]) * 4;

        r = malloc(size);
        if (!r)
                return -ENOMEM;

        t = stpcpy(r, UNIT_NAME_PREFIX);
        for (size_t i = 0; i < depth; i++) {
                *t++ = '-';
                t = escape_to(t, levels[i]);
        }
        t = stpcpy(t, scope ? SCOPE_SUFFIX : SLICE_SUFFIX);

        if ((size_t) (t - r) > UNIT_NAME_LENGTH_MAX) {
                free(r);
                return -ENAMETOOLONG;
        }

        *ret = r;
        return 0;
}

int unit_name_build(const char *realm, const char *space, const char *stack, const char *cell, char **ret) {
        const char *const levels[LEVELS_MAX] = { realm, space, stack, cell };
        size_t depth;
        int r;

        if (!ret)
                return -EINVAL;

        r = levels_depth(levels, &depth);
        if (r < 0)
                return r;

        return build_unit(levels, depth, depth == LEVELS_MAX, ret);
}

/* _cleanup_free_ on an array would free only its first element. */
static void levels_free(char *(*l)[LEVELS_MAX]) {
        for (size_t i = 0; i < LEVELS_MAX; i++)
                free((*l)[i]);
}

static const char *endswith(const char *s, const char *suffix) {
        size_t sl = strlen(s), xl = strlen(suffix);

        if (xl > sl || !streq(s + sl - xl, suffix))
                return NULL;
        return s + sl - xl;
}

int unit_name_parse(const char *unit, char **ret_realm, char **ret_space, char **ret_stack, char **ret_cell) {
        _cleanup_free_ char *prefix = NULL, *rebuilt = NULL;
        _cleanup_(levels_free) char *names[LEVELS_MAX] = {};
        char **const rets[LEVELS_MAX] = { ret_realm, ret_space, ret_stack, ret_cell };
        const char *suffix;
        size_t depth = 0;
        bool scope;
        int r;

        if (isempty(unit))
                return -EINVAL;

        if (!streq(unit, UNIT_NAME_ROOT_SLICE)) {
                if (strncmp(unit, UNIT_NAME_PREFIX "-", strlen(UNIT_NAME_PREFIX "-")) != 0)
                        return -EINVAL;

                suffix = endswith(unit, SLICE_SUFFIX);
                scope = !suffix;
                if (scope)
                        suffix = endswith(unit, SCOPE_SUFFIX);
                if (!suffix)
                        return -EINVAL;

                const char *p = unit + strlen(UNIT_NAME_PREFIX "-");
                if (p > suffix)
                        return -EINVAL;
                prefix = strndup(p, (size_t) (suffix - p));
                if (!prefix)
                        return -ENOMEM;

                /* Segments are separated by '-': escaped names never contain one. */
                char *state = prefix;
                for (;;) {
                        char *dash = strchr(state, '-');

                        if (dash)
                                *dash = 0;
                        if (depth >= LEVELS_MAX)
                                return -EINVAL;
                        r = unit_name_unescape(state, &names[depth]);
                        if (r < 0)
                                return r;
                        depth++;
                        if (!dash)
                                break;
                        state = dash + 1;
                }

                /* Only cells are scopes, and cells are only scopes. */
                if (scope != (depth == LEVELS_MAX))
                        return -EINVAL;

                /* Accept only the canonical spelling: "\x2D", a raw byte the escaper would have
                 * escaped, and the like would otherwise map two unit names to one resource. */
                r = build_unit((const char *const *) names, depth, scope, &rebuilt);
                if (r < 0)
                        return r == -ENAMETOOLONG ? -EINVAL : r;
                if (!streq(rebuilt, unit))
                        return -EINVAL;
        }

        for (size_t i = 0; i < LEVELS_MAX; i++)
                if (rets[i])
                        *rets[i] = TAKE_PTR(names[i]);

        return (int) depth;
}

/* Controller names as systemd 252 knows them: a cgroup called "<controller>.<anything>" could
 * clash with the controller's attribute files, so systemd prefixes it with '_'. */
static const char *const cgroup_controllers[] = {
        "cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
        "bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind",
        "bpf-restrict-network-interfaces",
};

/* systemd's cg_needs_escape(), for the unit names that reach it (no '/', short enough). */
static bool cgroup_needs_escape(const char *p, size_t n) {
        static const char *const special[] = { "notify_on_release", "release_agent", "tasks" };

        if (n == 0 || p[0] == '_' || p[0] == '.')
                return true;
        for (size_t i = 0; i < ELEMENTSOF(special); i++)
                if (strlen(special[i]) == n && memcmp(p, special[i], n) == 0)
                        return true;
        if (n >= strlen("cgroup.") && memcmp(p, "cgroup.", strlen("cgroup.")) == 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(cgroup_controllers); i++) {
                size_t l = strlen(cgroup_controllers[i]);

                if (n > l && memcmp(p, cgroup_controllers[i], l) == 0 && p[l] == '.')
                        return true;
        }
        return false;
}

/* Append "/" + cg_escape(p[0..n) + suffix) at t, which must have room for the '_' systemd may
 * prepend. The escape decision is taken on the whole component, as cg_escape() sees
 * "a-b.slice" and not "a-b". */
static char *append_cgroup_component(char *t, const char *p, size_t n, const char *suffix) {
        char *start;

        *t++ = '/';
        start = t;
        memcpy(t, p, n);
        t = stpcpy(t + n, strempty(suffix));
        if (cgroup_needs_escape(start, (size_t) (t - start))) {
                memmove(start + 1, start, (size_t) (t - start));
                *start = '_';
                t++;
        }
        return t;
}

static bool unit_prefix_is_valid(const char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!char_is_plain((unsigned char) p[i]) && p[i] != '-' && p[i] != '\\')
                        return false;
        return n > 0;
}

int unit_name_slice_to_cgroup_path(const char *slice, char **ret) {
        const char *suffix;
        size_t n, size;
        char *r, *t;

        if (!ret || isempty(slice))
                return -EINVAL;

        if (streq(slice, "-.slice")) {
                r = strdup("/");
                if (!r)
                        return -ENOMEM;
                *ret = r;
                return 0;
        }

        if (strlen(slice) > UNIT_NAME_LENGTH_MAX)
                return -EINVAL;
        suffix = endswith(slice, SLICE_SUFFIX);
        if (!suffix)
                return -EINVAL;
        n = (size_t) (suffix - slice);
        if (!unit_prefix_is_valid(slice, n))
                return -EINVAL;
        /* systemd refuses leading, trailing and double dashes: they would name an empty
         * parent slice. */
        if (slice[0] == '-' || slice[n - 1] == '-' || memmem(slice, n, "--", 2))
                return -EINVAL;

        /* One component per dash-separated prefix, each "/" + optional "_" + prefix + ".slice". */
        size = 1;
        for (size_t i = 0; i <= n; i++)
                if (i == n || slice[i] == '-')
                        size += 2 + i + strlen(SLICE_SUFFIX);
        r = malloc(size);
        if (!r)
                return -ENOMEM;

        t = r;
        for (size_t i = 0; i <= n; i++)
                if (i == n || slice[i] == '-')
                        t = append_cgroup_component(t, slice, i, SLICE_SUFFIX);
        *t = 0;

        *ret = r;
        return 0;
}

int unit_name_cgroup_path(const char *realm, const char *space, const char *stack, const char *cell, char **ret) {
        _cleanup_free_ char *unit = NULL, *slice = NULL, *path = NULL;
        int r;

        if (!ret)
                return -EINVAL;

        r = unit_name_build(realm, space, stack, cell, &unit);
        if (r < 0)
                return r;

        if (!cell)
                return unit_name_slice_to_cgroup_path(unit, ret);

        /* A scope lives directly in its slice: the stack's. */
        r = unit_name_build(realm, space, stack, NULL, &slice);
        if (r < 0)
                return r;
        r = unit_name_slice_to_cgroup_path(slice, &path);
        if (r < 0)
                return r;

        size_t pl = strlen(path), ul = strlen(unit);
        char *p = malloc(pl + 2 + ul + 1);
        if (!p)
                return -ENOMEM;
        char *t = stpcpy(p, path);
        t = append_cgroup_component(t, unit, ul, NULL);
        *t = 0;

        *ret = p;
        return 0;
}
