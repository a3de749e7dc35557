/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger-uri.h"
#include "macro.h"
#include "strv.h"
#include "tests.h"

static const LoggerTarget web = {
        .realm = "main",
        .space = "default",
        .stack = "default",
        .cell = "web-1",
        .container = "app",
};

static void test_build_exact(void) {
        _cleanup_free_ char *uri = NULL;

        ASSERT_OK(logger_uri_build("/usr/libexec/kukeon/kukeon-logger", &web, &uri));
        /* the scope's "\x2d" escape is percent-encoded: a raw backslash is not a URI character */
        ASSERT_STREQ(uri, "binary:///usr/libexec/kukeon/kukeon-logger?realm=main&space=default&stack=default"
                          "&cell=web-1&container=app&unit=kukeon-main-default-default-web%5Cx2d1.scope");
}

static void test_build_default_driver_and_unit(void) {
        _cleanup_free_ char *uri = NULL, *with_unit = NULL;
        LoggerTarget t = web;

        ASSERT_OK(logger_uri_build(NULL, &web, &uri));
        ASSERT_TRUE(strncmp(uri, "binary://" LOGGER_DRIVER_PATH "?", strlen("binary://" LOGGER_DRIVER_PATH "?")) == 0);
        ASSERT_TRUE(LOGGER_DRIVER_PATH[0] == '/');

        /* the unit given explicitly makes the same URI */
        t.unit = "kukeon-main-default-default-web\\x2d1.scope";
        ASSERT_OK(logger_uri_build(NULL, &t, &with_unit));
        ASSERT_STREQ(uri, with_unit);
}

static void test_build_encodes_path(void) {
        _cleanup_free_ char *uri = NULL;

        /* everything but unreserved characters and '/' in the path; '+' too, which Go's
         * query parser would read as a space */
        ASSERT_OK(logger_uri_build("/opt/my dir/a+b%c?/kukeon-logger~x", &web, &uri));
        ASSERT_TRUE(strncmp(uri, "binary:///opt/my%20dir/a%2Bb%25c%3F/kukeon-logger~x?realm=main&",
                            strlen("binary:///opt/my%20dir/a%2Bb%25c%3F/kukeon-logger~x?realm=main&")) == 0);
}

static void test_build_refuses(void) {
        char *uri = NULL;
        LoggerTarget t;

        ASSERT_ERROR(logger_uri_build(NULL, NULL, &uri), EINVAL);
        ASSERT_ERROR(logger_uri_build(NULL, &web, NULL), EINVAL);
        ASSERT_ERROR(logger_uri_build("relative/kukeon-logger", &web, &uri), EINVAL);
        ASSERT_ERROR(logger_uri_build("", &web, &uri), EINVAL);
        ASSERT_ERROR(logger_uri_build("/", &web, &uri), EINVAL);

        t = web, t.realm = NULL;
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.realm = "run"; /* reserved */
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.space = "Bad";
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.stack = "";
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.cell = "a&b=c";
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.container = "x_y";
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.unit = "kukeon-main-default-default-other.scope";
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        t = web, t.unit = "kukeon-main-default-default-web-1.scope"; /* unescaped dash */
        ASSERT_ERROR(logger_uri_build(NULL, &t, &uri), EINVAL);
        ASSERT_NULL(uri);

        /* the system realm has cells too */
        t = web, t.realm = "kukeon-system";
        ASSERT_OK(logger_uri_build(NULL, &t, &uri));
        free(uri);
}

static int unhex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Go's url.QueryUnescape: %XX and '+' as a space. */
static char *query_unescape(const char *s, size_t n) {
        char *r = malloc(n + 1), *t = r;

        ASSERT_NOT_NULL(r);
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '%') {
                        ASSERT_TRUE(i + 2 < n + 1 && unhex(s[i + 1]) >= 0 && unhex(s[i + 2]) >= 0);
                        *t++ = (char) (unhex(s[i + 1]) * 16 + unhex(s[i + 2]));
                        i += 2;
                } else
                        *t++ = s[i] == '+' ? ' ' : s[i];
        }
        *t = 0;
        return r;
}

/* What containerd's NewBinaryCmd() does with the URI: the unescaped path, then KEY VALUE for
 * each query parameter, in an order of its choosing ('reverse' stands in for Go's map order). */
static char **uri_to_argv(const char *uri, char **ret_path, bool reverse) {
        const char *q, *p;
        char **argv = NULL;

        ASSERT_TRUE(strncmp(uri, "binary://", 9) == 0);
        q = strchr(uri, '?');
        ASSERT_NOT_NULL(q);
        *ret_path = query_unescape(uri + 9, (size_t) (q - uri - 9));

        for (p = q + 1; *p;) {
                const char *amp = strchrnul(p, '&'), *eq = memchr(p, '=', (size_t) (amp - p));
                char *pair[3] = {};

                ASSERT_NOT_NULL(eq);
                pair[0] = query_unescape(p, (size_t) (eq - p));
                pair[1] = query_unescape(eq + 1, (size_t) (amp - eq - 1));
                ASSERT_OK(strv_extend(&argv, pair[0]));
                ASSERT_OK(strv_extend(&argv, pair[1]));
                free(pair[0]);
                free(pair[1]);
                p = *amp ? amp + 1 : amp;
        }
        if (reverse) {
                size_t n = strv_length(argv) / 2;
                for (size_t i = 0; i < n / 2; i++)
                        for (size_t k = 0; k < 2; k++) {
                                char *x = argv[2 * i + k];
                                argv[2 * i + k] = argv[2 * (n - 1 - i) + k];
                                argv[2 * (n - 1 - i) + k] = x;
                        }
        }
        return argv;
}

static void test_round_trip(void) {
        const char *const drivers[] = { "/usr/libexec/kukeon/kukeon-logger", "/opt/a b+c/%d/kukeon-logger" };
        const LoggerTarget targets[] = {
                web,
                { "kukeon-system", "kukeon", "kukeon", "a-b-c", "x-1", NULL },
                { "r0", "s-0", "t--0", "c9", "z", NULL },
        };

        for (size_t d = 0; d < ELEMENTSOF(drivers); d++)
                for (size_t i = 0; i < ELEMENTSOF(targets); i++)
                        for (int reverse = 0; reverse <= 1; reverse++) {
                                _cleanup_free_ char *uri = NULL, *path = NULL, *error = NULL;
                                char **argv;
                                LoggerTarget t;

                                ASSERT_OK(logger_uri_build(drivers[d], &targets[i], &uri));
                                argv = uri_to_argv(uri, &path, reverse);
                                ASSERT_STREQ(path, drivers[d]);
                                ASSERT_EQ(strv_length(argv), 12);
                                ASSERT_OK(logger_args_parse(argv, strv_length(argv), &t, &error));
                                ASSERT_NULL(error);
                                ASSERT_STREQ(t.realm, targets[i].realm);
                                ASSERT_STREQ(t.space, targets[i].space);
                                ASSERT_STREQ(t.stack, targets[i].stack);
                                ASSERT_STREQ(t.cell, targets[i].cell);
                                ASSERT_STREQ(t.container, targets[i].container);
                                ASSERT_TRUE(strncmp(t.unit, "kukeon-", 7) == 0);
                                ASSERT_TRUE(strstr(t.unit, ".scope") != NULL);
                                strv_free(argv);
                        }
}

static void check_parse_error(char **args, size_t n, const char *needle) {
        _cleanup_free_ char *error = NULL;
        LoggerTarget t = {};

        ASSERT_ERROR(logger_args_parse(args, n, &t, &error), EINVAL);
        ASSERT_NOT_NULL(error);
        if (!strstr(error, needle)) {
                fprintf(stderr, "error \"%s\" does not mention \"%s\"\n", error, needle);
                abort();
        }
        ASSERT_NULL(t.realm);
}

static void test_parse_errors(void) {
        char *good[] = { "realm", "main", "space", "default", "stack", "default", "cell", "web-1",
                         "container", "app", "unit", "kukeon-main-default-default-web\\x2d1.scope" };
        char *a[14];
        LoggerTarget t;

        ASSERT_OK(logger_args_parse(good, ELEMENTSOF(good), &t, NULL));
        ASSERT_STREQ(t.cell, "web-1");
        ASSERT_ERROR(logger_args_parse(NULL, 1, &t, NULL), EINVAL);

        check_parse_error(good, 0, "argument \"realm\" is missing");
        check_parse_error(good, 11, "argument \"unit\" has no value");
        check_parse_error(good, 10, "argument \"unit\" is missing");

        memcpy(a, good, sizeof(good));
        a[12] = "color", a[13] = "red";
        check_parse_error(a, 14, "unknown argument \"color\"");
        a[12] = "--realm", a[13] = "x";
        check_parse_error(a, 14, "unknown argument \"--realm\"");
        a[12] = "cell", a[13] = "web-1";
        check_parse_error(a, 14, "argument \"cell\" given twice");

        memcpy(a, good, sizeof(good));
        a[5] = "Default";
        check_parse_error(a, 12, "invalid Stack name \"Default\"");
        memcpy(a, good, sizeof(good));
        a[1] = "run";
        check_parse_error(a, 12, "\"run\"");
        memcpy(a, good, sizeof(good));
        a[9] = "";
        check_parse_error(a, 12, "Container name");
        memcpy(a, good, sizeof(good));
        a[11] = "kukeon-main-default-default-web2.scope";
        check_parse_error(a, 12, "is not the cell's scope kukeon-main-default-default-web\\x2d1.scope");
        memcpy(a, good, sizeof(good));
        a[11] = "sshd.service\n";
        check_parse_error(a, 12, "is not the cell's scope");
}

TEST_MAIN(test_build_exact,
          test_build_default_driver_and_unit,
          test_build_encodes_path,
          test_build_refuses,
          test_round_trip,
          test_parse_errors)
