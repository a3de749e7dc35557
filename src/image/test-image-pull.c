/* SPDX-License-Identifier: Apache-2.0 */
/* The pure parts of registry pull; the protocol itself is tests/integration/image-pull. */

#include "image-pull.h"
#include "tests.h"

static void split(const char *in, const char *host, const char *repo, const char *ref) {
        _cleanup_free_ char *h = NULL, *r = NULL, *f = NULL;
        ASSERT_OK(registry_reference_split(in, &h, &r, &f));
        ASSERT_STREQ(h, host);
        ASSERT_STREQ(r, repo);
        ASSERT_STREQ(f, ref);
}

#define DG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_split(void) {
        split("docker.io/library/busybox:latest", "registry-1.docker.io", "library/busybox", "latest");
        split("127.0.0.1:5000/kukeon/busybox:v1", "127.0.0.1:5000", "kukeon/busybox", "v1");
        split("localhost:5000/a/b/c:1.0", "localhost:5000", "a/b/c", "1.0");
        split("ghcr.io/o/r@" DG, "ghcr.io", "o/r", DG);
        split("ghcr.io/o/r:tag@" DG, "ghcr.io", "o/r", DG);

        char *x = NULL;
        ASSERT_ERROR(registry_reference_split("busybox", &x, NULL, NULL), EINVAL);
        ASSERT_ERROR(registry_reference_split("docker.io/library/busybox", &x, NULL, NULL), EINVAL);
        ASSERT_ERROR(registry_reference_split("", &x, NULL, NULL), EINVAL);
        ASSERT_NULL(x);
}

static void test_local(void) {
        ASSERT_TRUE(registry_host_is_local("localhost"));
        ASSERT_TRUE(registry_host_is_local("localhost:5000"));
        ASSERT_TRUE(registry_host_is_local("127.0.0.1:5000"));
        ASSERT_TRUE(registry_host_is_local("127.1.2.3"));
        ASSERT_TRUE(registry_host_is_local("[::1]:5000"));
        ASSERT_FALSE(registry_host_is_local("localhost.example.com"));
        ASSERT_FALSE(registry_host_is_local("registry-1.docker.io"));
        ASSERT_FALSE(registry_host_is_local("10.0.0.1:5000"));
        ASSERT_FALSE(registry_host_is_local(NULL));
}

static void test_www_authenticate(void) {
        _cleanup_free_ char *scheme = NULL, *realm = NULL, *service = NULL, *scope = NULL;

        ASSERT_OK(www_authenticate_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                                         "scope=\"repository:library/busybox:pull,push\"",
                                         &scheme, &realm, &service, &scope));
        ASSERT_STREQ(scheme, "Bearer");
        ASSERT_STREQ(realm, "https://auth.docker.io/token");
        ASSERT_STREQ(service, "registry.docker.io");
        ASSERT_STREQ(scope, "repository:library/busybox:pull,push");
        scheme = mfree(scheme), realm = mfree(realm), service = mfree(service), scope = mfree(scope);

        ASSERT_OK(www_authenticate_parse("  Basic realm=\"kukeon test\"", &scheme, &realm, &service, &scope));
        ASSERT_STREQ(scheme, "Basic");
        ASSERT_STREQ(realm, "kukeon test");
        ASSERT_NULL(service);
        ASSERT_NULL(scope);
        scheme = mfree(scheme), realm = mfree(realm);

        ASSERT_OK(www_authenticate_parse("Bearer realm=https://a/t, service=s", &scheme, &realm, &service, NULL));
        ASSERT_STREQ(realm, "https://a/t");
        ASSERT_STREQ(service, "s");

        char *s = NULL;
        ASSERT_ERROR(www_authenticate_parse("", &s, NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(www_authenticate_parse(NULL, &s, NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(www_authenticate_parse("Bearer realm", &s, NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(www_authenticate_parse("Bearer realm=\"unterminated", &s, NULL, NULL, NULL), EINVAL);
        ASSERT_NULL(s);
}

TEST_MAIN(test_split, test_local, test_www_authenticate)
