/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "subnet.h"
#include "tests.h"

static void test_parse(void) {
        uint8_t n = 42;

        ASSERT_OK(subnet_parse("10.88.0.0/24", &n));
        ASSERT_EQ(n, 0);
        ASSERT_OK(subnet_parse("10.88.7.0/24", &n));
        ASSERT_EQ(n, 7);
        ASSERT_OK(subnet_parse("10.88.255.0/24", &n));
        ASSERT_EQ(n, 255);
        ASSERT_OK(subnet_parse("10.88.1.0/24", NULL));

        /* well-formed, outside the pool */
        static const char *const foreign[] = {
                "10.89.0.0/24", "192.168.1.0/24", "10.88.0.0/16", "10.88.0.0/23", "10.88.1.128/25",
                "0.0.0.0/0", "10.88.1.1/32", "11.88.1.0/24",
        };
        for (size_t i = 0; i < ELEMENTSOF(foreign); i++)
                ASSERT_ERROR(subnet_parse(foreign[i], &n), ERANGE);

        /* malformed */
        static const char *const bad[] = {
                "", "10.88.1.0", "10.88.1.0/", "/24", "10.88.1/24", "10.88.1.0/33",
                "10.88.1.0/024", "10.88.1.0/+24", "10.88.1.0/ 24", "10.88.1.0/24 ", " 10.88.1.0/24",
                "10.88.01.0/24", "10.88.1.1/24", "10.88.256.0/24", "10.88.1.0/24/24", "10.88.1.0/2x",
                "fd00::/64", "10.88.1.0/99999999999999999999", "10.88.1.0/-1",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/24",
        };
        n = 42;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = subnet_parse(bad[i], &n);
                if (r != -EINVAL)
                        fprintf(stderr, "unexpected result for \"%s\": %d\n", bad[i], r);
                ASSERT_ERROR(r, EINVAL);
        }
        ASSERT_ERROR(subnet_parse(NULL, &n), EINVAL);
        ASSERT_EQ(n, 42);
}

static void test_format(void) {
        char buf[SUBNET_STRING_MAX];
        uint8_t n;

        ASSERT_STREQ(subnet_format(0, buf), "10.88.0.0/24");
        ASSERT_STREQ(subnet_format(255, buf), "10.88.255.0/24");
        ASSERT_STREQ(subnet_format_host(3, SUBNET_HOST_GATEWAY, buf), "10.88.3.1");
        ASSERT_STREQ(subnet_format_host(3, SUBNET_HOST_RANGE_START, buf), "10.88.3.2");
        ASSERT_STREQ(subnet_format_host(3, SUBNET_HOST_RANGE_END, buf), "10.88.3.254");
        ASSERT_STREQ(subnet_format_host(255, 255, buf), "10.88.255.255");
        ASSERT_EQ(sizeof(buf), strlen("10.88.255.255/24") + 1);

        for (unsigned i = 0; i < SUBNET_COUNT; i++) {
                ASSERT_OK(subnet_parse(subnet_format((uint8_t) i, buf), &n));
                ASSERT_EQ(n, i);
        }
}

static void test_allocate(void) {
        uint8_t used[SUBNET_COUNT], n = 42;

        ASSERT_OK(subnet_allocate(NULL, 0, &n));
        ASSERT_EQ(n, 0);

        const uint8_t some[] = { 0, 1, 3, 1, 0 };
        ASSERT_OK(subnet_allocate(some, ELEMENTSOF(some), &n));
        ASSERT_EQ(n, 2);

        const uint8_t gap[] = { 5, 4, 0 };
        ASSERT_OK(subnet_allocate(gap, ELEMENTSOF(gap), &n));
        ASSERT_EQ(n, 1);

        for (unsigned i = 0; i < SUBNET_COUNT; i++)
                used[i] = (uint8_t) i;
        n = 42;
        ASSERT_ERROR(subnet_allocate(used, SUBNET_COUNT, &n), ENOSPC);
        ASSERT_EQ(n, 42);

        used[200] = 0; /* 200 freed (0 listed twice) */
        ASSERT_OK(subnet_allocate(used, SUBNET_COUNT, &n));
        ASSERT_EQ(n, 200);

        ASSERT_ERROR(subnet_allocate(NULL, 1, &n), EINVAL);
        ASSERT_ERROR(subnet_allocate(some, 1, NULL), EINVAL);
}

static void test_allocate_cidrs(void) {
        uint8_t n = 42;

        ASSERT_OK(subnet_allocate_cidrs(NULL, &n));
        ASSERT_EQ(n, 0);

        char *a[] = { (char *) "10.88.0.0/24", (char *) "10.88.2.0/24", (char *) "192.168.0.0/24", NULL };
        ASSERT_OK(subnet_allocate_cidrs(a, &n));
        ASSERT_EQ(n, 1);

        /* overlapping networks of other sizes take every /24 they touch */
        char *b[] = { (char *) "10.88.0.0/23", (char *) "10.88.2.128/25", NULL };
        ASSERT_OK(subnet_allocate_cidrs(b, &n));
        ASSERT_EQ(n, 3);

        char *c[] = { (char *) "10.88.0.0/16", NULL };
        ASSERT_ERROR(subnet_allocate_cidrs(c, &n), ENOSPC);
        char *d[] = { (char *) "0.0.0.0/0", NULL };
        ASSERT_ERROR(subnet_allocate_cidrs(d, &n), ENOSPC);
        char *e[] = { (char *) "10.0.0.0/8", (char *) "10.89.0.0/16", NULL };
        ASSERT_ERROR(subnet_allocate_cidrs(e, &n), ENOSPC);

        char *f[] = { (char *) "10.87.255.0/24", (char *) "10.89.0.0/24", (char *) "10.88.0.7/32", NULL };
        ASSERT_OK(subnet_allocate_cidrs(f, &n));
        ASSERT_EQ(n, 1);

        char *g[] = { (char *) "10.88.0.0/24", (char *) "garbage", NULL };
        ASSERT_ERROR(subnet_allocate_cidrs(g, &n), EINVAL);
        ASSERT_ERROR(subnet_allocate_cidrs(a, NULL), EINVAL);

        /* a full pool of /24s */
        char bufs[SUBNET_COUNT][SUBNET_STRING_MAX];
        char *full[SUBNET_COUNT + 1];
        for (unsigned i = 0; i < SUBNET_COUNT; i++)
                full[i] = subnet_format((uint8_t) i, bufs[i]);
        full[SUBNET_COUNT] = NULL;
        ASSERT_ERROR(subnet_allocate_cidrs(full, &n), ENOSPC);
        full[17] = (char *) "172.16.0.0/24";
        ASSERT_OK(subnet_allocate_cidrs(full, &n));
        ASSERT_EQ(n, 17);
}

TEST_MAIN(test_parse,
          test_format,
          test_allocate,
          test_allocate_cidrs);
