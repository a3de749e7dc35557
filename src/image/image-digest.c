/* SPDX-License-Identifier: Apache-2.0 */

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "image-digest.h"
#include "strv.h"

struct Sha256 {
        EVP_MD_CTX *ctx;
};

bool digest_hex_is_valid(const char *hex) {
        if (!hex || strlen(hex) != DIGEST_SHA256_HEX_LEN)
                return false;
        for (const char *p = hex; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

bool digest_is_valid(const char *d) {
        if (!d || strncmp(d, DIGEST_SHA256_PREFIX, strlen(DIGEST_SHA256_PREFIX)) != 0)
                return false;
        return digest_hex_is_valid(d + strlen(DIGEST_SHA256_PREFIX));
}

int sha256_new(Sha256 **ret) {
        Sha256 *h = new0(Sha256, 1);

        if (!h)
                return -ENOMEM;
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
                sha256_free(h);
                return -ENOMEM;
        }
        *ret = h;
        return 0;
}

Sha256 *sha256_free(Sha256 *h) {
        if (!h)
                return NULL;
        EVP_MD_CTX_free(h->ctx);
        return mfree(h);
}

int sha256_update(Sha256 *h, const void *data, size_t size) {
        if (size == 0)
                return 0;
        return EVP_DigestUpdate(h->ctx, data, size) == 1 ? 0 : -EIO;
}

int sha256_final(Sha256 *h, char ret[static DIGEST_SHA256_STRING_LEN + 1]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        char *p;

        if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != DIGEST_SHA256_HEX_LEN / 2)
                return -EIO;
        p = stpcpy(ret, DIGEST_SHA256_PREFIX);
        for (unsigned i = 0; i < n; i++)
                p += sprintf(p, "%02x", md[i]);
        return 0;
}

int digest_of(const void *data, size_t size, char ret[static DIGEST_SHA256_STRING_LEN + 1]) {
        _cleanup_(sha256_freep) Sha256 *h = NULL;
        int r;

        r = sha256_new(&h);
        if (r < 0)
                return r;
        r = sha256_update(h, data, size);
        if (r < 0)
                return r;
        return sha256_final(h, ret);
}

int digest_verify(const void *data, size_t size, const char *expected) {
        char d[DIGEST_SHA256_STRING_LEN + 1];
        int r;

        if (!digest_is_valid(expected))
                return -EINVAL;
        r = digest_of(data, size, d);
        if (r < 0)
                return r;
        return streq(d, expected) ? 0 : -EBADMSG;
}

int chain_ids_compute(char *const *diff_ids, char ***ret) {
        _cleanup_strv_free_ char **chain = NULL;
        size_t n = strv_length(diff_ids);
        int r;

        if (n == 0)
                return -EINVAL;
        chain = new0(char *, n + 1);
        if (!chain)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (!digest_is_valid(diff_ids[i]))
                        return -EINVAL;
                if (i == 0)
                        chain[i] = strdup(diff_ids[0]);
                else {
                        _cleanup_free_ char *s = NULL;
                        char d[DIGEST_SHA256_STRING_LEN + 1];

                        if (asprintf(&s, "%s %s", chain[i - 1], diff_ids[i]) < 0)
                                return -ENOMEM;
                        r = digest_of(s, strlen(s), d);
                        if (r < 0)
                                return r;
                        chain[i] = strdup(d);
                }
                if (!chain[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(chain);
        return 0;
}
