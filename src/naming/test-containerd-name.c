/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "containerd-name.h"
#include "macro.h"
#include "tests.h"

static void test_identifier(void) {
        static const char *const valid[] = {
                "a", "A", "0", "kukeon-main", "main.kukeon.io", "a_b_c_d", "a-b.c_d", "K8s",
                /* 76 */
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdef",
        };
        static const char *const invalid[] = {
                "", "-a", "a-", "a--b", "a-.b", "_a", "a_", ".a", "a.", "a b", "a/b", "a:b",
                "caf\xc3\xa9",
                /* 77 */
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefg",
        };

        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                ASSERT_TRUE(containerd_identifier_is_valid(valid[i]));
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                ASSERT_FALSE(containerd_identifier_is_valid(invalid[i]));
        ASSERT_FALSE(containerd_identifier_is_valid(NULL));
}

static void check_namespace(const char *realm, const char *spec, const char *suffix, const char *expected) {
        _cleanup_free_ char *ns = NULL;

        ASSERT_OK(containerd_namespace_build(realm, spec, suffix, &ns));
        ASSERT_STREQ(ns, expected);
}

static void test_namespace(void) {
        check_namespace("main", NULL, NULL, "kukeon-main");
        check_namespace("my-tenant", NULL, NULL, "kukeon-my-tenant");
        check_namespace("main", "", "", "kukeon-main");
        check_namespace("main", "custom-ns", NULL, "custom-ns");
        check_namespace("main", "custom-ns", "kukeon.io", "custom-ns");
        check_namespace("main", NULL, "kukeon.io", "main.kukeon.io");
        check_namespace("main", "", "dev.kukeon.io", "main.dev.kukeon.io");
        /* seed 003: the system realm's namespace is its own name */
        check_namespace("kukeon-system", NULL, NULL, "kukeon-system");
        check_namespace("kukeon-system", NULL, "kukeon.io", "kukeon-system.kukeon.io");
        check_namespace("kukeon-system", "sys", NULL, "sys");
}

static void test_namespace_errors(void) {
        char *ns = NULL;

        ASSERT_ERROR(containerd_namespace_build("", NULL, NULL, &ns), EINVAL);
        ASSERT_ERROR(containerd_namespace_build(NULL, NULL, NULL, &ns), EINVAL);
        ASSERT_ERROR(containerd_namespace_build("main", NULL, NULL, NULL), EINVAL);
        /* results containerd would refuse */
        ASSERT_ERROR(containerd_namespace_build("main", "bad ns", NULL, &ns), EINVAL);
        ASSERT_ERROR(containerd_namespace_build("main", NULL, ".kukeon.io", &ns), EINVAL);
        ASSERT_ERROR(containerd_namespace_build("main", NULL, "kukeon.io.", &ns), EINVAL);
        ASSERT_ERROR(containerd_namespace_build("a--b", NULL, NULL, &ns), EINVAL);
        /* "kukeon-" + 63 = 70 fits, a suffix can overflow */
        const char *l63 = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij012";
        ASSERT_OK(containerd_namespace_build(l63, NULL, NULL, &ns));
        ASSERT_EQ(strlen(ns), 70);
        ns = mfree(ns);
        ASSERT_ERROR(containerd_namespace_build(l63, NULL, "kukeon.io.example", &ns), ENAMETOOLONG);
        ASSERT_NULL(ns);
}

static void test_container_id(void) {
        _cleanup_free_ char *id = NULL, *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        ASSERT_OK(containerd_container_id_build("default", "web", "nginx", "app", &id));
        ASSERT_STREQ(id, "default_web_nginx_app");
        ASSERT_OK(containerd_container_id_parse(id, &a, &b, &c, &d));
        ASSERT_STREQ(a, "default");
        ASSERT_STREQ(b, "web");
        ASSERT_STREQ(c, "nginx");
        ASSERT_STREQ(d, "app");

        _cleanup_free_ char *id2 = NULL, *c2 = NULL;
        ASSERT_OK(containerd_container_id_build("my-space", "s-1", "c-2", "n-3", &id2));
        ASSERT_STREQ(id2, "my-space_s-1_c-2_n-3");
        ASSERT_OK(containerd_container_id_parse(id2, NULL, NULL, &c2, NULL));
        ASSERT_STREQ(c2, "c-2");
}

static void test_container_id_errors(void) {
        char *id = NULL, *p = NULL;

        ASSERT_ERROR(containerd_container_id_build("", "b", "c", "d", &id), EINVAL);
        ASSERT_ERROR(containerd_container_id_build("a", NULL, "c", "d", &id), EINVAL);
        ASSERT_ERROR(containerd_container_id_build("a", "b", "c", "", &id), EINVAL);
        ASSERT_ERROR(containerd_container_id_build("a", "b", "c", "d", NULL), EINVAL);
        ASSERT_ERROR(containerd_container_id_build("a--x", "b", "c", "d", &id), EINVAL);
        ASSERT_ERROR(containerd_container_id_build("a", "b", "c", "d-", &id), EINVAL);
        /* 4 x 19 + 3 = 79 > 76 */
        const char *l19 = "abcdefghijabcdefghi";
        ASSERT_ERROR(containerd_container_id_build(l19, l19, l19, l19, &id), ENAMETOOLONG);
        /* 4 x 18 + 3 = 75 fits */
        const char *l18 = "abcdefghijabcdefgh";
        ASSERT_OK(containerd_container_id_build(l18, l18, l18, l18, &id));
        ASSERT_EQ(strlen(id), 75);
        id = mfree(id);

        static const char *const bad[] = {
                "", "a", "a_b", "a_b_c", "a_b_c_d_e", "_b_c_d", "a__c_d", "a_b_c_", "a_b_c_d_",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERROR(containerd_container_id_parse(bad[i], &p, NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(containerd_container_id_parse(NULL, &p, NULL, NULL, NULL), EINVAL);
        ASSERT_NULL(p);
        ASSERT_NULL(id);
}

TEST_MAIN(test_identifier,
          test_namespace,
          test_namespace_errors,
          test_container_id,
          test_container_id_errors);
