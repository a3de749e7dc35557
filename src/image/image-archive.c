/* SPDX-License-Identifier: Apache-2.0 */

#include <errno.h>
#include <stdio.h>

#include "image-archive.h"
#include "image-digest.h"
#include "macro.h"

static const char *const kind_table[_ARCHIVE_ENTRY_KIND_MAX] = {
        [ARCHIVE_ENTRY_IGNORE] = "ignore",
        [ARCHIVE_ENTRY_OCI_LAYOUT] = "oci-layout",
        [ARCHIVE_ENTRY_OCI_INDEX] = "oci-index",
        [ARCHIVE_ENTRY_BLOB] = "blob",
        [ARCHIVE_ENTRY_DOCKER_MANIFEST] = "docker-manifest",
        [ARCHIVE_ENTRY_DOCKER_CONFIG] = "docker-config",
        [ARCHIVE_ENTRY_DOCKER_LAYER] = "docker-layer",
};

const char *archive_entry_kind_to_string(ArchiveEntryKind k) {
        if (k < 0 || k >= _ARCHIVE_ENTRY_KIND_MAX)
                return NULL;
        return kind_table[k];
}

static bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

static int path_normalize(const char *path, char **ret) {
        _cleanup_free_ char *n = NULL;
        char *o;

        if (isempty(path) || path[0] == '/')
                return -EINVAL;
        n = new0(char, strlen(path) + 1);
        if (!n)
                return -ENOMEM;
        o = n;
        for (const char *p = path; *p;) {
                const char *e = strchr(p, '/');
                size_t len = e ? (size_t) (e - p) : strlen(p);

                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (len > 0 && !(len == 1 && p[0] == '.')) {
                        if (o != n)
                                *o++ = '/';
                        memcpy(o, p, len);
                        o += len;
                }
                p += len;
                while (*p == '/')
                        p++;
        }
        *o = 0;
        if (!*n)
                return -EINVAL;
        *ret = TAKE_PTR(n);
        return 0;
}

int archive_entry_classify(const char *path, ArchiveEntryKind *ret_kind, char **ret_path, char **ret_digest) {
        _cleanup_free_ char *p = NULL, *digest = NULL;
        ArchiveEntryKind k;
        int r;

        r = path_normalize(path, &p);
        if (r < 0)
                return r;

        if (streq(p, "oci-layout"))
                k = ARCHIVE_ENTRY_OCI_LAYOUT;
        else if (streq(p, "index.json"))
                k = ARCHIVE_ENTRY_OCI_INDEX;
        else if (streq(p, "manifest.json"))
                k = ARCHIVE_ENTRY_DOCKER_MANIFEST;
        else if (strncmp(p, "blobs/", 6) == 0) {
                const char *rest = p + 6, *slash = strchr(rest, '/');

                if (!slash || strchr(slash + 1, '/'))
                        return -EINVAL;
                if (strncmp(rest, "sha256/", 7) != 0)
                        return -EOPNOTSUPP;
                if (!digest_hex_is_valid(slash + 1))
                        return -EINVAL;
                if (asprintf(&digest, DIGEST_SHA256_PREFIX "%s", slash + 1) < 0)
                        return -ENOMEM;
                k = ARCHIVE_ENTRY_BLOB;
        } else if (!strchr(p, '/') && endswith(p, ".json"))
                k = ARCHIVE_ENTRY_DOCKER_CONFIG;
        else if (endswith(p, "/layer.tar") || endswith(p, ".tar") || endswith(p, ".tar.gz"))
                k = ARCHIVE_ENTRY_DOCKER_LAYER;
        else
                k = ARCHIVE_ENTRY_IGNORE;

        *ret_kind = k;
        if (ret_path)
                *ret_path = TAKE_PTR(p);
        if (ret_digest)
                *ret_digest = TAKE_PTR(digest);
        return 0;
}
