/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "oci-test-data.h"
#include "oci-user.h"
#include "tests.h"

static const char *passwd = OCI_TEST_DATA_DIR "/passwd", *group = OCI_TEST_DATA_DIR "/group";

static void expect_user(const char *spec, const char *pw, const char *gr, uint32_t uid, uint32_t gid, size_t n_add) {
        OciUser u = {};
        _cleanup_free_ char *error = NULL;
        int r = oci_user_resolve(spec, pw, gr, &u, &error);
        if (r < 0) {
                fprintf(stderr, "\"%s\": %s\n", strna(spec), strna(error));
                abort();
        }
        ASSERT_EQ(u.uid, uid);
        ASSERT_EQ(u.gid, gid);
        ASSERT_EQ(u.n_additional_gids, n_add);
        oci_user_done(&u);
}

static void expect_fail(const char *spec, const char *pw, const char *gr, int err, const char *needle) {
        OciUser u = {};
        _cleanup_free_ char *error = NULL;
        int r = oci_user_resolve(spec, pw, gr, &u, &error);
        if (r != -err || !error || !strstr(error, needle)) {
                fprintf(stderr, "\"%s\": expected -%d with \"%s\", got %d \"%s\"\n", spec, err, needle, r, strna(error));
                abort();
        }
}

static void test_numeric(void) {
        expect_user(NULL, NULL, NULL, 0, 0, 0);
        expect_user("", NULL, NULL, 0, 0, 0);
        expect_user("1000", NULL, NULL, 1000, 0, 0);
        expect_user("1000:2000", NULL, NULL, 1000, 2000, 0);
        expect_user("0:0", NULL, NULL, 0, 0, 0);
        expect_user("4294967294:4294967294", NULL, NULL, 4294967294U, 4294967294U, 0);
        /* a numeric uid found in passwd takes its primary group and its additional groups */
        expect_user("33", passwd, group, 33, 33, 2);
        expect_user("33:7", passwd, group, 33, 7, 0);
        /* not in passwd: gid 0 */
        expect_user("4321", passwd, group, 4321, 0, 0);
        /* an image without /etc/passwd is fine for numbers */
        expect_user("5:6", "/nonexistent/passwd", "/nonexistent/group", 5, 6, 0);
        expect_user("5", "/nonexistent/passwd", "/nonexistent/group", 5, 0, 0);
}

static void test_names(void) {
        expect_user("www", passwd, group, 33, 33, 2);        /* log (4) and ssl (110) */
        expect_user("nobody", passwd, group, 65534, 65534, 1); /* ssl */
        expect_user("root", passwd, group, 0, 0, 1);          /* log */
        expect_user("www:empty", passwd, group, 33, 200, 0);  /* an explicit group: no additional ones */
        expect_user("www", passwd, NULL, 33, 33, 0);

        OciUser u = {};
        ASSERT_OK(oci_user_resolve("www", passwd, group, &u, NULL));
        ASSERT_EQ(u.additional_gids[0], 4);
        ASSERT_EQ(u.additional_gids[1], 110);
        oci_user_done(&u);
        oci_user_done(&u);
}

static void test_errors(void) {
        expect_fail("www", NULL, NULL, EINVAL, "user \"www\": \"www\" is a user name, which needs the image's /etc/passwd");
        expect_fail("0:wheel", NULL, NULL, EINVAL, "\"wheel\" is a group name, which needs the image's /etc/group");
        expect_fail("ghost", passwd, group, ESRCH, "no user \"ghost\" in " OCI_TEST_DATA_DIR "/passwd");
        expect_fail("www:ghosts", passwd, group, ESRCH, "no group \"ghosts\"");
        expect_fail("www", "/nonexistent/passwd", NULL, ENOENT, "cannot read /nonexistent/passwd to resolve \"www\"");
        expect_fail("4294967295", NULL, NULL, EINVAL, "uid 4294967295 is out of range");
        expect_fail("1:99999999999", NULL, NULL, EINVAL, "gid 99999999999 is out of range");
        expect_fail(":1", NULL, NULL, EINVAL, "the user part before ':' is empty");
        expect_fail("1:", NULL, NULL, EINVAL, "the group part after ':' is empty");
        expect_fail("1:2:3", NULL, NULL, EINVAL, "expected uid[:gid] or name[:group]");
        expect_fail("-1", NULL, NULL, EINVAL, "is a user name");
}

TEST_MAIN(test_numeric, test_names, test_errors)
