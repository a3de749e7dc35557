/* SPDX-License-Identifier: Apache-2.0 */
#include "oci-user.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "fileio.h"
#include "strv.h"

/* passwd and group files of an image are small; refuse anything that is not. */
#define ACCOUNT_FILE_MAX (4U * 1024U * 1024U)

void oci_user_done(OciUser *u) {
        if (!u)
                return;
        u->additional_gids = mfree(u->additional_gids);
        u->n_additional_gids = 0;
}

_printf_(3, 4) static int fail(char **ret_error, int error, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                int k = vasprintf(ret_error, fmt, ap);
                va_end(ap);
                if (k < 0) {
                        *ret_error = NULL;
                        return -ENOMEM;
                }
        }
        return error;
}

/* A decimal id in 0 … 2^32-2 (-1 is "no id" to the kernel). */
static int parse_id(const char *s, uint32_t *ret) {
        if (isempty(s) || s[0] == '-' || s[0] == '+' || strlen(s) > 10)
                return -EINVAL;
        uint64_t v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        if (v >= UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

static bool is_number(const char *s) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* Splits one line of a colon-separated account file into at most 'max' fields (in place). */
static size_t split_fields(char *line, char **fields, size_t max) {
        size_t n = 0;
        char *p = line;
        while (n < max) {
                fields[n++] = p;
                p = strchr(p, ':');
                if (!p)
                        break;
                *p++ = '\0';
        }
        return n;
}

typedef struct Account {
        bool found;
        uint32_t id;
        uint32_t gid;  /* passwd: primary group */
        char *name;
} Account;

static void account_done(Account *a) {
        a->name = mfree(a->name);
}

/* Finds a passwd entry by name (when 'name') or uid. */
static int passwd_lookup(const char *path, const char *name, uint32_t uid, Account *ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_full(path, ACCOUNT_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;

        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[7];
                if (line[0] == '#' || split_fields(line, f, ELEMENTSOF(f)) < 4)
                        continue;
                uint32_t id, gid;
                if (parse_id(f[2], &id) < 0 || parse_id(f[3], &gid) < 0)
                        continue;
                if (name ? streq(f[0], name) : id == uid) {
                        ret->found = true;
                        ret->id = id;
                        ret->gid = gid;
                        ret->name = strdup(f[0]);
                        return ret->name ? 0 : -ENOMEM;
                }
        }
        return 0;
}

/* Finds a group by name into 'ret'; or, with 'member', collects the gids of every group
 * listing that user (but 'exclude', the primary group). */
static int group_lookup(const char *path, const char *name, Account *ret, const char *member, uint32_t exclude,
                        uint32_t **gids, size_t *n_gids) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_full(path, ACCOUNT_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;

        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[4];
                size_t n = split_fields(line, f, ELEMENTSOF(f));
                uint32_t gid;
                if (line[0] == '#' || n < 3 || parse_id(f[2], &gid) < 0)
                        continue;
                if (name) {
                        if (streq(f[0], name)) {
                                ret->found = true;
                                ret->id = gid;
                                return 0;
                        }
                        continue;
                }
                if (!member || n < 4 || gid == exclude)
                        continue;
                char *msave = NULL;
                for (char *m = strtok_r(f[3], ",", &msave); m; m = strtok_r(NULL, ",", &msave)) {
                        if (!streq(m, member))
                                continue;
                        bool dup = false;
                        for (size_t i = 0; i < *n_gids; i++)
                                dup = dup || (*gids)[i] == gid;
                        if (dup)
                                break;
                        uint32_t *a = realloc(*gids, (*n_gids + 1) * sizeof(uint32_t));
                        if (!a)
                                return -ENOMEM;
                        *gids = a;
                        a[(*n_gids)++] = gid;
                        break;
                }
        }
        return 0;
}

int oci_user_resolve(const char *spec, const char *passwd_path, const char *group_path, OciUser *ret, char **ret_error) {
        const char *shown = strempty(spec);
        _cleanup_free_ char *copy = strdup(shown);
        if (!copy)
                return -ENOMEM;

        char *user = copy, *group = strchr(copy, ':');
        if (group)
                *group++ = '\0';
        if (isempty(user) && !isempty(spec))
                return fail(ret_error, -EINVAL, "user \"%s\": the user part before ':' is empty", shown);
        if (group && isempty(group))
                return fail(ret_error, -EINVAL, "user \"%s\": the group part after ':' is empty", shown);
        if (group && strchr(group, ':'))
                return fail(ret_error, -EINVAL, "user \"%s\": expected uid[:gid] or name[:group]", shown);

        OciUser u = {};
        _cleanup_(account_done) Account pw = {};
        int r;

        if (isempty(user))
                u.uid = 0;
        else if (is_number(user)) {
                r = parse_id(user, &u.uid);
                if (r < 0)
                        return fail(ret_error, -EINVAL, "user \"%s\": uid %s is out of range", shown, user);
        } else if (!passwd_path)
                return fail(ret_error, -EINVAL,
                            "user \"%s\": \"%s\" is a user name, which needs the image's /etc/passwd to resolve; use a numeric uid[:gid]",
                            shown, user);
        else {
                r = passwd_lookup(passwd_path, user, 0, &pw);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return fail(ret_error, r, "user \"%s\": cannot read %s to resolve \"%s\": %s", shown, passwd_path, user,
                                    strerror(-r));
                if (!pw.found)
                        return fail(ret_error, -ESRCH, "user \"%s\": no user \"%s\" in %s", shown, user, passwd_path);
                u.uid = pw.id;
        }

        /* A numeric uid still gets its primary group from passwd when the image has one. */
        if (!pw.found && passwd_path) {
                r = passwd_lookup(passwd_path, NULL, u.uid, &pw);
                if (r == -ENOMEM)
                        return r;
                /* an image without /etc/passwd is fine for a numeric user */
        }
        u.gid = pw.found ? pw.gid : 0;

        if (group) {
                if (is_number(group)) {
                        r = parse_id(group, &u.gid);
                        if (r < 0)
                                return fail(ret_error, -EINVAL, "user \"%s\": gid %s is out of range", shown, group);
                } else if (!group_path)
                        return fail(ret_error, -EINVAL,
                                    "user \"%s\": \"%s\" is a group name, which needs the image's /etc/group to resolve; use a numeric gid",
                                    shown, group);
                else {
                        _cleanup_(account_done) Account gr = {};
                        r = group_lookup(group_path, group, &gr, NULL, 0, NULL, NULL);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return fail(ret_error, r, "user \"%s\": cannot read %s to resolve group \"%s\": %s", shown,
                                            group_path, group, strerror(-r));
                        if (!gr.found)
                                return fail(ret_error, -ESRCH, "user \"%s\": no group \"%s\" in %s", shown, group, group_path);
                        u.gid = gr.id;
                }
        } else if (pw.found && group_path) {
                r = group_lookup(group_path, NULL, NULL, pw.name, u.gid, &u.additional_gids, &u.n_additional_gids);
                if (r == -ENOMEM) {
                        oci_user_done(&u);
                        return r;
                }
                /* a missing /etc/group only means no additional groups */
        }

        *ret = u;
        return 0;
}
