/* SPDX-License-Identifier: Apache-2.0 */

#include "image-reference.h"
#include "macro.h"
#include "tests.h"

static void check(const char *in, const char *want) {
        _cleanup_free_ char *out = NULL;
        ASSERT_OK(image_reference_normalize(in, &out));
        ASSERT_STREQ(out, want);
}

static void test_normalize(void) {
        check("busybox", "docker.io/library/busybox:latest");
        check("busybox:latest", "docker.io/library/busybox:latest");
        check("busybox:1.36.1", "docker.io/library/busybox:1.36.1");
        check("library/busybox", "docker.io/library/busybox:latest");
        check("docker.io/busybox", "docker.io/library/busybox:latest");
        check("index.docker.io/library/busybox:x", "docker.io/library/busybox:x");
        check("docker.io/library/busybox:latest", "docker.io/library/busybox:latest");
        check("foo/bar", "docker.io/foo/bar:latest");
        check("foo/bar/baz:v1", "docker.io/foo/bar/baz:v1");
        check("ghcr.io/org/repo", "ghcr.io/org/repo:latest");
        check("localhost/x", "localhost/x:latest");
        check("localhost:5000/x:1", "localhost:5000/x:1");
        check("127.0.0.1:5000/a/b:c", "127.0.0.1:5000/a/b:c");
        check("Registry.Example.com/a", "Registry.Example.com/a:latest");
        check("a.b-c/e", "a.b-c/e:latest"); /* a "." in the first part: a registry */
        check("my_image", "docker.io/library/my_image:latest");
        check("my__image", "docker.io/library/my__image:latest");
        check("my--image", "docker.io/library/my--image:latest");
        check("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
              "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        check("busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
              "docker.io/library/busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

static void test_invalid(void) {
        char *out = NULL;
        const char *bad[] = {
                "", ":", "busybox:", "Busybox", "foo/Bar", "foo//bar", "foo/bar/", "/foo",
                "busybox:-tag", "busybox:ta g", "a b", "_x", "x_", "x.", "x...y", "x___y",
                "busybox@sha256:123", "busybox@md5:0123456789abcdef0123456789abcdef",
                "busybox@", "-x/y", "a_b.c/d", /* no "_" in a registry host */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = image_reference_normalize(bad[i], &out);
                if (r != -EINVAL)
                        fprintf(stderr, "'%s' → %d (%s)\n", bad[i], r, out ?: "");
                ASSERT_ERROR(r, EINVAL);
        }
        ASSERT_ERROR(image_reference_normalize(NULL, &out), EINVAL);

        char tag[200];
        memset(tag, 'a', sizeof(tag));
        tag[0] = 'x', tag[1] = ':', tag[sizeof(tag) - 1] = 0; /* a 197-character tag */
        ASSERT_ERROR(image_reference_normalize(tag, &out), EINVAL);

        char longname[300];
        memset(longname, 'a', sizeof(longname));
        longname[sizeof(longname) - 1] = 0;
        ASSERT_ERROR(image_reference_normalize(longname, &out), ENAMETOOLONG);
}

TEST_MAIN(test_normalize, test_invalid)
