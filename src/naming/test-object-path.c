/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "object-path.h"
#include "tests.h"

static void check_path(const char *realm, const char *space, const char *stack, const char *cell,
                       const char *container, const char *expected) {
        _cleanup_free_ char *p = NULL, *r = NULL, *s = NULL, *t = NULL, *c = NULL, *n = NULL;
        int depth = !!realm + !!space + !!stack + !!cell + !!container;

        ASSERT_OK(object_path_build(realm, space, stack, cell, container, &p));
        ASSERT_STREQ(p, expected);

        ASSERT_EQ(object_path_parse(p, &r, &s, &t, &c, &n), depth);
        ASSERT_TRUE(streq_ptr(r, realm));
        ASSERT_TRUE(streq_ptr(s, space));
        ASSERT_TRUE(streq_ptr(t, stack));
        ASSERT_TRUE(streq_ptr(c, cell));
        ASSERT_TRUE(streq_ptr(n, container));
}

static void test_build_and_parse(void) {
        check_path(NULL, NULL, NULL, NULL, NULL, "/org/kukeon1");
        check_path("main", NULL, NULL, NULL, NULL, "/org/kukeon1/realm/main");
        check_path("my-realm", NULL, NULL, NULL, NULL, "/org/kukeon1/realm/my_2drealm");
        check_path("main", "default", NULL, NULL, NULL, "/org/kukeon1/realm/main/space/default");
        check_path("main", "default", "web", NULL, NULL, "/org/kukeon1/realm/main/space/default/stack/web");
        check_path("main", "default", "web", "nginx", NULL,
                   "/org/kukeon1/realm/main/space/default/stack/web/cell/nginx");
        check_path("main", "default", "web", "nginx", "app",
                   "/org/kukeon1/realm/main/space/default/stack/web/cell/nginx/container/app");
        check_path("kukeon-system", "kukeon", "kukeon", "kukeond", "kukeond",
                   "/org/kukeon1/realm/kukeon_2dsystem/space/kukeon/stack/kukeon/cell/kukeond/container/kukeond");
        /* a leading digit is escaped, later ones are not */
        check_path("0web", "a0", NULL, NULL, NULL, "/org/kukeon1/realm/_30web/space/a0");
        /* arbitrary bytes round-trip (names are validated elsewhere) */
        check_path("a_b/c.d", "\xc3\xa9", NULL, NULL, NULL, "/org/kukeon1/realm/a_5fb_2fc_2ed/space/_c3_a9");
}

static void test_build_errors(void) {
        char *p = NULL;

        ASSERT_ERROR(object_path_build(NULL, "s", NULL, NULL, NULL, &p), EINVAL);
        ASSERT_ERROR(object_path_build("r", "s", NULL, "c", NULL, &p), EINVAL);
        ASSERT_ERROR(object_path_build("r", "s", "t", "c", NULL, NULL), EINVAL);
        ASSERT_ERROR(object_path_build("r", "s", "t", NULL, "n", &p), EINVAL);
        ASSERT_ERROR(object_path_build("", NULL, NULL, NULL, NULL, &p), EINVAL);
        ASSERT_ERROR(object_path_build("r", "s", "t", "c", "", &p), EINVAL);
        ASSERT_NULL(p);
}

static void test_parse_errors(void) {
        static const char *const bad[] = {
                "",
                "/",
                "org/kukeon1",
                "/org/kukeon1/",
                "/org/kukeon",
                "/org/kukeon2",
                "/org/kukeon1/realm",
                "/org/kukeon1/realm/",
                "/org/kukeon1/realm//space/s",
                "/org/kukeon1/space/s",
                "/org/kukeon1/realm/r/stack/t",
                "/org/kukeon1/realm/r/space/s/cell/c",
                "/org/kukeon1/realm/r/space/s/stack/t/container/n",
                "/org/kukeon1/realm/r/space/s/stack/t/cell/c/container/n/extra/x",
                "/org/kukeon1/realm/r/space/s/stack/t/cell/c/container",
                "/org/kukeon1/Realm/r",
                "/org/kukeon1/realm/_",              /* empty name */
                "/org/kukeon1/realm/r/space/_",
                "/org/kukeon1/realm/my_2Drealm",     /* upper-case escape */
                "/org/kukeon1/realm/a_zz",           /* broken escape sd-bus keeps literally */
                "/org/kukeon1/realm/a_2",
                "/org/kukeon1/realm/a_00b",          /* NUL would truncate */
                "/org/kukeon1/realm/0web",           /* leading digit must be escaped */
                "/org/kukeon1/realm/r-s",            /* not a valid object path */
                "/org/kukeon1/realm/r.s",
                "/org/other/realm/r",
                "/x/org/kukeon1/realm/r",
        };
        char *r = NULL;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int k = object_path_parse(bad[i], &r, NULL, NULL, NULL, NULL);
                if (k != -EINVAL)
                        fprintf(stderr, "unexpectedly parsed \"%s\": %d\n", bad[i], k);
                ASSERT_ERROR(k, EINVAL);
                ASSERT_NULL(r);
        }
        ASSERT_ERROR(object_path_parse(NULL, NULL, NULL, NULL, NULL, NULL), EINVAL);
}

static void test_parse_optional_outputs(void) {
        _cleanup_free_ char *c = NULL;
        char *n = (char *) "sentinel", *s = (char *) "sentinel";

        ASSERT_EQ(object_path_parse("/org/kukeon1/realm/main/space/default/stack/web/cell/nginx",
                                    NULL, NULL, NULL, &c, &n), 4);
        ASSERT_STREQ(c, "nginx");
        ASSERT_NULL(n);
        ASSERT_EQ(object_path_parse("/org/kukeon1", NULL, &s, NULL, NULL, NULL), 0);
        ASSERT_NULL(s);
}

TEST_MAIN(test_build_and_parse,
          test_build_errors,
          test_parse_errors,
          test_parse_optional_outputs);
