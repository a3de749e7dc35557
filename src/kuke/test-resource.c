/* SPDX-License-Identifier: Apache-2.0 */
#include "macro.h"
#include "resource.h"
#include "tests.h"

static void test_type(void) {
        ResourceType t;
        bool plural;

        ASSERT_OK(resource_type_from_string("realm", &t, &plural));
        ASSERT_EQ(t, RESOURCE_REALM);
        ASSERT_FALSE(plural);
        ASSERT_OK(resource_type_from_string("spaces", &t, &plural));
        ASSERT_EQ(t, RESOURCE_SPACE);
        ASSERT_TRUE(plural);
        ASSERT_OK(resource_type_from_string("stack", &t, NULL));
        ASSERT_EQ(t, RESOURCE_STACK);
        ASSERT_OK(resource_type_from_string("cells", &t, &plural));
        ASSERT_EQ(t, RESOURCE_CELL);
        ASSERT_TRUE(plural);
        ASSERT_OK(resource_type_from_string("container", &t, &plural));
        ASSERT_EQ(t, RESOURCE_CONTAINER);
        ASSERT_FALSE(plural);
        ASSERT_OK(resource_type_from_string("containers", &t, &plural));
        ASSERT_TRUE(plural);
        ASSERT_EQ(resource_type_to_kind(RESOURCE_CONTAINER), KIND_CONTAINER);
        ASSERT_STREQ(resource_type_to_kind_string(RESOURCE_CONTAINER), "Container");
        ASSERT_ERROR(resource_type_from_string("ctr", &t, NULL), EINVAL);
        ASSERT_ERROR(resource_type_from_string("Realm", &t, NULL), EINVAL);
        ASSERT_ERROR(resource_type_from_string("", &t, NULL), EINVAL);
        ASSERT_ERROR(resource_type_from_string(NULL, &t, NULL), EINVAL);

        ASSERT_STREQ(resource_type_to_noun(RESOURCE_SPACE), "space");
        ASSERT_STREQ(resource_type_to_plural(RESOURCE_STACK), "stacks");
        ASSERT_STREQ(resource_type_to_kind_string(RESOURCE_REALM), "Realm");
        ASSERT_EQ(resource_type_to_kind(RESOURCE_STACK), KIND_STACK);
        ASSERT_EQ(resource_type_to_kind(RESOURCE_CELL), KIND_CELL);
        ASSERT_STREQ(resource_type_to_kind_string(RESOURCE_CELL), "Cell");
        ASSERT_NULL(resource_type_to_noun(_RESOURCE_TYPE_MAX));
}

static void test_type_sets(void) {
        _cleanup_free_ char *all = resource_types_to_usage(RESOURCE_TYPES_ALL),
                            *all_list = resource_types_to_list(RESOURCE_TYPES_ALL),
                            *two = resource_types_to_usage(RESOURCE_TYPE_BIT(RESOURCE_CELL) | RESOURCE_TYPE_BIT(RESOURCE_CONTAINER)),
                            *two_list = resource_types_to_list(RESOURCE_TYPE_BIT(RESOURCE_CELL) | RESOURCE_TYPE_BIT(RESOURCE_CONTAINER)),
                            *one = resource_types_to_list(RESOURCE_TYPE_BIT(RESOURCE_STACK));
        ASSERT_STREQ(all, "realm|space|stack|cell|container");
        ASSERT_STREQ(all_list, "realm, space, stack, cell or container");
        ASSERT_STREQ(two, "cell|container");
        ASSERT_STREQ(two_list, "cell or container");
        ASSERT_STREQ(one, "stack");
        ASSERT_NULL(resource_types_to_usage(0));
}

static void test_ref_check(void) {
        char *msg = NULL;

        ResourceRef ok = { RESOURCE_STACK, "main", "default", "web-1" };
        ASSERT_OK(resource_ref_check(&ok, false, &msg));
        ASSERT_NULL(msg);

        /* The first bad level is named, with its kind and value. */
        ResourceRef bad_space = { RESOURCE_STACK, "main", "Web", "x_y" };
        ASSERT_ERROR(resource_ref_check(&bad_space, true, &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "invalid Space name \"Web\""));
        msg = mfree(msg);

        ResourceRef bad_stack = { RESOURCE_STACK, "main", "default", "x_y" };
        ASSERT_ERROR(resource_ref_check(&bad_stack, true, &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "invalid Stack name \"x_y\""));
        msg = mfree(msg);

        ResourceRef bad_cell = { RESOURCE_CELL, "main", "default", "default", "Web" };
        ASSERT_ERROR(resource_ref_check(&bad_cell, true, &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "invalid Cell name \"Web\""));
        msg = mfree(msg);
        /* a container: its cell is checked too, then its own name */
        ResourceRef ctr = { RESOURCE_CONTAINER, "main", "default", "default", "site", "side-1" };
        ASSERT_OK(resource_ref_check(&ctr, false, NULL));
        ResourceRef ctr_no_cell = { RESOURCE_CONTAINER, "main", "default", "default", NULL, "side" };
        ASSERT_ERROR(resource_ref_check(&ctr_no_cell, true, &msg), EINVAL);
        ASSERT_STREQ(msg, "no Cell name given");
        msg = mfree(msg);
        ResourceRef bad_ctr = { RESOURCE_CONTAINER, "main", "default", "default", "site", "Side" };
        ASSERT_ERROR(resource_ref_check(&bad_ctr, true, &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "invalid Container name \"Side\""));
        msg = mfree(msg);
        ResourceRef no_cell = { RESOURCE_CELL, "main", "default", "default", NULL };
        ASSERT_ERROR(resource_ref_check(&no_cell, true, &msg), EINVAL);
        ASSERT_STREQ(msg, "no Cell name given");
        msg = mfree(msg);

        /* Levels below the type are not looked at. */
        ResourceRef realm_only = { RESOURCE_REALM, "demo", "Not_Used", NULL };
        ASSERT_OK(resource_ref_check(&realm_only, false, NULL));

        /* "run" never, "kukeon-system" only where allowed. */
        ResourceRef run = { RESOURCE_REALM, "run", NULL, NULL };
        ASSERT_ERROR(resource_ref_check(&run, true, &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "reserved"));
        msg = mfree(msg);
        ResourceRef sys = { RESOURCE_SPACE, "kukeon-system", "kukeon", NULL };
        ASSERT_OK(resource_ref_check(&sys, true, NULL));
        ASSERT_ERROR(resource_ref_check(&sys, false, NULL), EINVAL);

        ResourceRef missing = { RESOURCE_SPACE, "main", NULL, NULL };
        ASSERT_ERROR(resource_ref_check(&missing, true, &msg), EINVAL);
        ASSERT_STREQ(msg, "no Space name given");
        msg = mfree(msg);

        /* A name too long for a DNS label */
        char long_name[80];
        memset(long_name, 'a', sizeof(long_name) - 1);
        long_name[sizeof(long_name) - 1] = 0;
        ResourceRef too_long = { RESOURCE_REALM, long_name, NULL, NULL };
        ASSERT_ERROR(resource_ref_check(&too_long, true, NULL), EINVAL);
}

static void test_describe(void) {
        ResourceRef r = { RESOURCE_STACK, "demo", "web", "frontend" };
        _cleanup_free_ char *a = resource_ref_describe(&r);
        ASSERT_STREQ(a, "stack \"demo/web/frontend\"");
        ASSERT_STREQ(resource_ref_name(&r), "frontend");

        ResourceRef realm = resource_ref_at(&r, RESOURCE_REALM);
        _cleanup_free_ char *b = resource_ref_describe(&realm);
        ASSERT_STREQ(b, "realm \"demo\"");
        ASSERT_STREQ(resource_ref_name(&realm), "demo");
        ASSERT_NULL(realm.space);

        ResourceRef space = resource_ref_at(&r, RESOURCE_SPACE);
        _cleanup_free_ char *c = resource_ref_describe(&space);
        ASSERT_STREQ(c, "space \"demo/web\"");

        /* Never above the reference's own level. */
        ResourceRef s = { RESOURCE_SPACE, "demo", "web", "ignored" };
        ResourceRef same = resource_ref_at(&s, RESOURCE_STACK);
        ASSERT_EQ(same.type, RESOURCE_SPACE);
        ASSERT_NULL(same.stack);

        ResourceRef cell = { RESOURCE_CELL, "demo", "web", "frontend", "site" };
        _cleanup_free_ char *e = resource_ref_describe(&cell);
        ASSERT_STREQ(e, "cell \"demo/web/frontend/site\"");
        ASSERT_STREQ(resource_ref_name(&cell), "site");
        ResourceRef cs = resource_ref_at(&cell, RESOURCE_STACK);
        ASSERT_EQ(cs.type, RESOURCE_STACK);
        ASSERT_NULL(cs.cell);
        ASSERT_STREQ(cs.stack, "frontend");

        ResourceRef ctr = { RESOURCE_CONTAINER, "demo", "web", "frontend", "site", "side" };
        _cleanup_free_ char *f = resource_ref_describe(&ctr);
        ASSERT_STREQ(f, "container \"demo/web/frontend/site/side\"");
        ASSERT_STREQ(resource_ref_name(&ctr), "side");
        ResourceRef cc = resource_ref_at(&ctr, RESOURCE_CELL);
        ASSERT_EQ(cc.type, RESOURCE_CELL);
        ASSERT_STREQ(cc.cell, "site");
        ASSERT_NULL(cc.container);
        _cleanup_free_ char *g = resource_ref_describe(&cc);
        ASSERT_STREQ(g, "cell \"demo/web/frontend/site\"");

        /* Hostile bytes are escaped in messages. */
        ResourceRef odd = { RESOURCE_REALM, "a\"b\n", NULL, NULL };
        _cleanup_free_ char *d = resource_ref_describe(&odd);
        ASSERT_STREQ(d, "realm \"a\\x22b\\x0a\"");
}

TEST_MAIN(test_type, test_type_sets, test_ref_check, test_describe)
