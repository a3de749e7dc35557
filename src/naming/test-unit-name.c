/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "tests.h"
#include "unit-name.h"

extern char **environ;

static void check_escape(const char *in, const char *expected) {
        _cleanup_free_ char *e = NULL, *u = NULL;

        ASSERT_OK(unit_name_escape(in, &e));
        ASSERT_STREQ(e, expected);
        ASSERT_OK(unit_name_unescape(e, &u));
        ASSERT_STREQ(u, in);
}

static void test_escape(void) {
        check_escape("my-realm", "my\\x2drealm");
        check_escape("web", "web");
        check_escape("a/b", "a-b");
        check_escape(".hidden", "\\x2ehidden");
        check_escape("..", "\\x2e.");
        check_escape("a.b", "a.b");
        check_escape("A_b:c", "A_b:c");
        check_escape(" sp", "\\x20sp");
        check_escape("x\\y", "x\\x5cy");
        check_escape("caf\xc3\xa9", "caf\\xc3\\xa9");
        check_escape("tab\there", "tab\\x09here");
        check_escape("~", "\\x7e");
        check_escape("\xff", "\\xff");
        check_escape("-", "\\x2d");
        check_escape("---", "\\x2d\\x2d\\x2d");

        char *e = NULL;
        ASSERT_ERROR(unit_name_escape("", &e), EINVAL);
        ASSERT_ERROR(unit_name_escape(NULL, &e), EINVAL);
        ASSERT_ERROR(unit_name_escape("a", NULL), EINVAL);
        ASSERT_NULL(e);
}

static void test_unescape(void) {
        char *u = NULL;

        /* accepted as systemd-escape --unescape accepts them */
        ASSERT_OK(unit_name_unescape("a\\x2Dc", &u));
        ASSERT_STREQ(u, "a-c");
        u = mfree(u);
        ASSERT_OK(unit_name_unescape("a-b\\x2dc", &u));
        ASSERT_STREQ(u, "a/b-c");
        u = mfree(u);

        /* refused */
        ASSERT_ERROR(unit_name_unescape("", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape(NULL, &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\xzz", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\x2", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\x", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\n", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\\\b", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a\\x00b", &u), EINVAL);
        ASSERT_ERROR(unit_name_unescape("a", NULL), EINVAL);
        ASSERT_NULL(u);
}

/* Run `systemd-escape -- <in>` and return its stdout without the newline, or NULL when the
 * binary cannot be run. */
static char *run_systemd_escape(const char *in) {
        char arg0[] = "systemd-escape", arg1[] = "--";
        _cleanup_free_ char *arg2 = strdup(in);
        char *argv[] = { arg0, arg1, arg2, NULL };
        posix_spawn_file_actions_t fa;
        char buf[4096];
        size_t n = 0;
        int pipefd[2], status;
        pid_t pid;

        ASSERT_NOT_NULL(arg2);
        ASSERT_OK(pipe(pipefd));
        ASSERT_OK(posix_spawn_file_actions_init(&fa));
        ASSERT_OK(posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO));
        ASSERT_OK(posix_spawn_file_actions_addclose(&fa, pipefd[0]));
        if (posix_spawnp(&pid, "systemd-escape", &fa, NULL, argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                close(pipefd[0]);
                close(pipefd[1]);
                return NULL;
        }
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);

        for (;;) {
                ssize_t k = read(pipefd[0], buf + n, sizeof(buf) - 1 - n);
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        close(pipefd[0]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return NULL;

        buf[n] = 0;
        if (n > 0 && buf[n - 1] == '\n')
                buf[n - 1] = 0;
        return strdup(buf);
}

static bool have_systemd_escape(void) {
        _cleanup_free_ char *p = run_systemd_escape("probe");
        return p && streq(p, "probe");
}

static void test_against_systemd_escape(void) {
        static const char *const inputs[] = {
                "my-realm", "a-b-c", "a/b", "/lead", "trail/", ".hidden", "..", "a..b",
                "a.b", "A_b:c", " sp", "x\\y", "caf\xc3\xa9", "tab\there", "~", "@at",
                "a%b", "kukeon-system", "0-9", "\x01\x7f\xff", "-", "_", ":", "a\"b'c",
                "x.", ".", "0abc", "UPPER-case",
        };

        if (!have_systemd_escape()) {
                printf("systemd-escape not found, skipping comparison\n");
                return;
        }

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
                _cleanup_free_ char *ours = NULL, *theirs = NULL;

                theirs = run_systemd_escape(inputs[i]);
                ASSERT_NOT_NULL(theirs);
                ASSERT_OK(unit_name_escape(inputs[i], &ours));
                ASSERT_STREQ(ours, theirs);
        }
}

static void check_build(const char *realm, const char *space, const char *stack, const char *cell,
                        const char *expected_unit, const char *expected_cgroup) {
        _cleanup_free_ char *u = NULL, *c = NULL, *r0 = NULL, *r1 = NULL, *r2 = NULL, *r3 = NULL;
        int depth = !!realm + !!space + !!stack + !!cell;

        ASSERT_OK(unit_name_build(realm, space, stack, cell, &u));
        ASSERT_STREQ(u, expected_unit);
        ASSERT_OK(unit_name_cgroup_path(realm, space, stack, cell, &c));
        ASSERT_STREQ(c, expected_cgroup);

        /* and back */
        ASSERT_EQ(unit_name_parse(u, &r0, &r1, &r2, &r3), depth);
        ASSERT_TRUE(streq_ptr(r0, realm));
        ASSERT_TRUE(streq_ptr(r1, space));
        ASSERT_TRUE(streq_ptr(r2, stack));
        ASSERT_TRUE(streq_ptr(r3, cell));
}

static void test_build(void) {
        check_build(NULL, NULL, NULL, NULL, "kukeon.slice", "/kukeon.slice");
        check_build("main", NULL, NULL, NULL, "kukeon-main.slice", "/kukeon.slice/kukeon-main.slice");
        check_build("my-realm", NULL, NULL, NULL, "kukeon-my\\x2drealm.slice",
                    "/kukeon.slice/kukeon-my\\x2drealm.slice");
        check_build("main", "default", NULL, NULL, "kukeon-main-default.slice",
                    "/kukeon.slice/kukeon-main.slice/kukeon-main-default.slice");
        check_build("main", "default", "web", NULL, "kukeon-main-default-web.slice",
                    "/kukeon.slice/kukeon-main.slice/kukeon-main-default.slice/kukeon-main-default-web.slice");
        check_build("main", "default", "web", "nginx", "kukeon-main-default-web-nginx.scope",
                    "/kukeon.slice/kukeon-main.slice/kukeon-main-default.slice/"
                    "kukeon-main-default-web.slice/kukeon-main-default-web-nginx.scope");
        check_build("kukeon-system", "kukeon", "kukeon", "kukeond",
                    "kukeon-kukeon\\x2dsystem-kukeon-kukeon-kukeond.scope",
                    "/kukeon.slice/kukeon-kukeon\\x2dsystem.slice/kukeon-kukeon\\x2dsystem-kukeon.slice/"
                    "kukeon-kukeon\\x2dsystem-kukeon-kukeon.slice/"
                    "kukeon-kukeon\\x2dsystem-kukeon-kukeon-kukeond.scope");
        check_build("a-b", "c-d", "e-f", "g-h", "kukeon-a\\x2db-c\\x2dd-e\\x2df-g\\x2dh.scope",
                    "/kukeon.slice/kukeon-a\\x2db.slice/kukeon-a\\x2db-c\\x2dd.slice/"
                    "kukeon-a\\x2db-c\\x2dd-e\\x2df.slice/kukeon-a\\x2db-c\\x2dd-e\\x2df-g\\x2dh.scope");
}

static void test_build_errors(void) {
        char *u = NULL;

        /* gaps */
        ASSERT_ERROR(unit_name_build(NULL, "s", NULL, NULL, &u), EINVAL);
        ASSERT_ERROR(unit_name_build("r", NULL, "t", NULL, &u), EINVAL);
        ASSERT_ERROR(unit_name_build("r", "s", NULL, "c", &u), EINVAL);
        ASSERT_ERROR(unit_name_cgroup_path("r", "s", NULL, "c", &u), EINVAL);
        /* empty */
        ASSERT_ERROR(unit_name_build("", NULL, NULL, NULL, &u), EINVAL);
        ASSERT_ERROR(unit_name_build("r", "s", "t", "", &u), EINVAL);
        ASSERT_ERROR(unit_name_build("r", NULL, NULL, NULL, NULL), EINVAL);
        ASSERT_NULL(u);

        /* 255 bytes is the most systemd takes: "kukeon-" + 242 + ".slice" = 255 fits */
        char name[300];
        memset(name, 'a', 242);
        name[242] = 0;
        ASSERT_OK(unit_name_build(name, NULL, NULL, NULL, &u));
        ASSERT_EQ(strlen(u), 255);
        u = mfree(u);
        name[242] = 'a';
        name[243] = 0;
        ASSERT_ERROR(unit_name_build(name, NULL, NULL, NULL, &u), ENAMETOOLONG);
        /* escaping counts: four DNS labels of 63 with dashes overflow */
        const char *dashy = "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-0-1-2-3-4-5";
        ASSERT_ERROR(unit_name_build(dashy, dashy, dashy, dashy, &u), ENAMETOOLONG);
        ASSERT_ERROR(unit_name_cgroup_path(dashy, dashy, dashy, dashy, &u), ENAMETOOLONG);
        ASSERT_NULL(u);
}

static void test_parse_errors(void) {
        static const char *const bad[] = {
                "",
                "kukeon",
                "kukeon-",
                "kukeon-.slice",
                "kukeon.scope",             /* root is a slice */
                "kukeon-a.scope",           /* only cells are scopes */
                "kukeon-a-b-c.scope",
                "kukeon-a-b-c-d.slice",     /* and cells are only scopes */
                "kukeon-a-b-c-d-e.scope",   /* too deep */
                "kukeon-a-b-c-d-e.slice",
                "kukeon-a--b.slice",        /* empty segment */
                "kukeon-a-.slice",
                "kukeon-a\\x2Db.slice",     /* non-canonical escape */
                "kukeon-a b.slice",         /* raw byte the escaper would escape */
                "kukeon-a\\x2fb.slice",     /* '/' is written as '-', never \x2f */
                "kukeon-\\x00.slice",
                "kukeon-a\\xzz.slice",
                "kukeon-a.service",
                "system.slice",
                "kukeonx-a.slice",
                "-.slice",
        };
        char *r = NULL;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int k = unit_name_parse(bad[i], &r, NULL, NULL, NULL);
                if (k != -EINVAL)
                        fprintf(stderr, "unexpectedly parsed \"%s\": %d\n", bad[i], k);
                ASSERT_ERROR(k, EINVAL);
                ASSERT_NULL(r);
        }
        ASSERT_ERROR(unit_name_parse(NULL, NULL, NULL, NULL, NULL), EINVAL);

        /* outputs are optional, and unset levels come back NULL */
        char *s = (char *) "sentinel";
        ASSERT_EQ(unit_name_parse("kukeon-a.slice", NULL, &s, NULL, NULL), 1);
        ASSERT_NULL(s);
        ASSERT_EQ(unit_name_parse("kukeon.slice", NULL, NULL, NULL, NULL), 0);
        /* dots are plain characters: this is realm "a.slice" */
        ASSERT_EQ(unit_name_parse("kukeon-a.slice.slice", &r, NULL, NULL, NULL), 1);
        ASSERT_STREQ(r, "a.slice");
        free(r);
}

static void check_slice_path(const char *slice, const char *expected) {
        _cleanup_free_ char *p = NULL;

        ASSERT_OK(unit_name_slice_to_cgroup_path(slice, &p));
        ASSERT_STREQ(p, expected);
}

static void test_slice_to_cgroup_path(void) {
        check_slice_path("-.slice", "/");
        check_slice_path("a.slice", "/a.slice");
        check_slice_path("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
        check_slice_path("system-getty.slice", "/system.slice/system-getty.slice");
        check_slice_path("foo\\x2dbar.slice", "/foo\\x2dbar.slice");
        /* systemd's cg_escape(): names that could clash with cgroupfs files get a '_' */
        check_slice_path("cpu.slice", "/_cpu.slice");
        check_slice_path("cpu-x.slice", "/_cpu.slice/cpu-x.slice");
        check_slice_path("_a.slice", "/__a.slice");
        check_slice_path("cpux.slice", "/cpux.slice");

        static const char *const bad[] = {
                "", "a", "a.service", ".slice", "-a.slice", "a-.slice", "a--b.slice",
                "a b.slice", "a@b.slice", "a/b.slice",
        };
        char *p = NULL;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERROR(unit_name_slice_to_cgroup_path(bad[i], &p), EINVAL);
        ASSERT_ERROR(unit_name_slice_to_cgroup_path(NULL, &p), EINVAL);
        ASSERT_ERROR(unit_name_slice_to_cgroup_path("a.slice", NULL), EINVAL);
        ASSERT_NULL(p);

        char big[300];
        memset(big, 'a', 250);
        strcpy(big + 250, ".slice");
        ASSERT_ERROR(unit_name_slice_to_cgroup_path(big, &p), EINVAL);
}

TEST_MAIN(test_escape,
          test_unescape,
          test_against_systemd_escape,
          test_build,
          test_build_errors,
          test_parse_errors,
          test_slice_to_cgroup_path);
