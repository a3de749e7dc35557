/* SPDX-License-Identifier: Apache-2.0 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "image-digest.h"
#include "image-reference.h"
#include "macro.h"

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static bool is_alnum_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* one path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool path_component_is_valid(const char *s, size_t n) {
        size_t i = 0;

        if (n == 0 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
                return false;
        while (i < n) {
                if (is_alnum_lower(s[i])) {
                        i++;
                        continue;
                }
                /* a separator: ".", "_", "__" or one or more "-" */
                size_t j = i;
                if (s[i] == '.')
                        j++;
                else if (s[i] == '_')
                        j += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
                else if (s[i] == '-')
                        while (j < n && s[j] == '-')
                                j++;
                else
                        return false;
                if (j >= n || !is_alnum_lower(s[j]))
                        return false;
                i = j;
        }
        return true;
}

/* a registry host: DNS-ish labels and an optional :port (upper case allowed, as docker does) */
static bool domain_is_valid(const char *s, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char) s[i]) || s[i] == '.' || s[i] == '-' || s[i] == ':'))
                        return false;
        return s[0] != '.' && s[0] != '-' && s[0] != ':';
}

static bool tag_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > TAG_MAX_LEN)
                return false;
        if (!(isalnum((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!(isalnum((unsigned char) s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
                        return false;
        return true;
}

int image_reference_normalize(const char *ref, char **ret) {
        _cleanup_free_ char *name = NULL, *domain = NULL, *path = NULL;
        const char *digest = NULL, *tag = NULL, *slash;
        char *at, *colon;
        size_t n;

        if (isempty(ref) || !ret)
                return -EINVAL;

        name = strdup(ref);
        if (!name)
                return -ENOMEM;

        at = strchr(name, '@');
        if (at) {
                *at = 0;
                digest = at + 1;
                if (!digest_is_valid(digest))
                        return -EINVAL;
        }
        /* a tag is after the last ':' that follows the last '/' (a ':' before is a port) */
        slash = strrchr(name, '/');
        colon = strrchr(slash ? slash : name, ':');
        if (colon) {
                *colon = 0;
                tag = colon + 1;
                if (!tag_is_valid(tag))
                        return -EINVAL;
        }
        if (isempty(name))
                return -EINVAL;

        slash = strchr(name, '/');
        if (slash && (memchr(name, '.', slash - name) || memchr(name, ':', slash - name) ||
                      ((size_t) (slash - name) == strlen("localhost") && strncmp(name, "localhost", slash - name) == 0))) {
                if (!domain_is_valid(name, slash - name))
                        return -EINVAL;
                domain = strndup(name, slash - name);
                path = strdup(slash + 1);
        } else {
                domain = strdup("docker.io");
                path = strdup(name);
        }
        if (!domain || !path)
                return -ENOMEM;
        if (streq(domain, "index.docker.io")) {
                free(domain);
                domain = strdup("docker.io");
                if (!domain)
                        return -ENOMEM;
        }
        if (streq(domain, "docker.io") && !strchr(path, '/')) {
                char *p;
                if (asprintf(&p, "library/%s", path) < 0)
                        return -ENOMEM;
                free(path);
                path = p;
        }

        /* every component of the repository path */
        for (const char *p = path;;) {
                const char *e = strchr(p, '/');
                n = e ? (size_t) (e - p) : strlen(p);
                if (!path_component_is_valid(p, n))
                        return -EINVAL;
                if (!e)
                        break;
                p = e + 1;
        }
        if (strlen(domain) + 1 + strlen(path) > NAME_MAX_LEN)
                return -ENAMETOOLONG;

        if (!tag && !digest)
                tag = "latest";
        if (asprintf(ret, "%s/%s%s%s%s%s", domain, path, tag ? ":" : "", strempty(tag), digest ? "@" : "", strempty(digest)) < 0)
                return -ENOMEM;
        return 0;
}
