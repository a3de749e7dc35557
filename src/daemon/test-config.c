/* SPDX-License-Identifier: Apache-2.0 */
/* kukeond's configuration: flag > environment > file > default, field by field. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "duration.h"
#include "macro.h"
#include "tests.h"

static char file[] = "test-kukeond-config-XXXXXX"; /* in the build dir, where meson runs tests */

static void write_config(const char *text) {
        FILE *f = fopen(file, "we");
        ASSERT_NOT_NULL(f);
        fputs(text, f);
        fclose(f);
}

static int load(Config *c, char **error, int argc, char **argv) {
        return config_load(c, argc, argv, error);
}

static void test_defaults(void) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *error = NULL;
        char *argv[] = { (char *) "kukeond", NULL };
        ASSERT_OK(setenv("KUKEOND_CONFIG", "", 1));
        ASSERT_OK(load(&c, &error, 1, argv));
        ASSERT_STREQ(c.run_path, KUKEON_RUN_PATH);
        ASSERT_STREQ(c.socket, KUKEON_SOCKET_DIR "/kukeond.sock");
        ASSERT_STREQ(c.containerd_socket, CONTAINERD_SOCKET_DEFAULT);
        ASSERT_STREQ(c.log_level, "info");
        ASSERT_STREQ(c.cni_conf_dir, "/etc/cni/net.d");
        ASSERT_NULL(c.namespace_suffix);
        ASSERT_EQ(c.peer_fd, -1);
        ASSERT_EQ(c.reconcile_interval_usec, 30 * USEC_PER_SEC);
}

static void test_reconcile_interval(void) {
        _cleanup_free_ char *e1 = NULL;
        char *argv[] = { (char *) "kukeond", NULL };
        Config c = {};
        write_config("apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: t}\nspec:\n  reconcileInterval: 1m30s\n");
        ASSERT_OK(setenv("KUKEOND_CONFIG", file, 1));
        ASSERT_OK(load(&c, &e1, 1, argv));
        ASSERT_EQ(c.reconcile_interval_usec, 90 * USEC_PER_SEC); /* file > default */
        config_done(&c);
        ASSERT_OK(setenv("KUKEON_RECONCILE_INTERVAL", "0", 1)); /* env > file; 0: off */
        ASSERT_OK(load(&c, &e1, 1, argv));
        ASSERT_EQ(c.reconcile_interval_usec, 0U);
        config_done(&c);
        ASSERT_OK(setenv("KUKEON_RECONCILE_INTERVAL", "-5s", 1)); /* negative: off as well */
        ASSERT_OK(load(&c, &e1, 1, argv));
        ASSERT_EQ(c.reconcile_interval_usec, 0U);
        config_done(&c);
        ASSERT_OK(setenv("KUKEON_RECONCILE_INTERVAL", "often", 1));
        ASSERT_ERROR(load(&c, &e1, 1, argv), EINVAL);
        ASSERT_NOT_NULL(strstr(e1, "often"));
        config_done(&c);
        unsetenv("KUKEON_RECONCILE_INTERVAL");
        unsetenv("KUKEOND_CONFIG");
}

static void test_precedence(void) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *error = NULL;
        write_config("apiVersion: v1beta1\n"
                     "kind: ServerConfiguration\n"
                     "metadata: {name: test}\n"
                     "spec:\n"
                     "  runPath: /from/file\n"
                     "  containerdSocket: /file/containerd.sock\n"
                     "  logLevel: warn\n"
                     "  cniConfDir: /file/cni\n"
                     "  containerdNamespaceSuffix: file.example\n");
        ASSERT_OK(setenv("KUKEOND_CONFIG", file, 1));
        ASSERT_OK(setenv("KUKEON_CONTAINERD_SOCKET", "/env/containerd.sock", 1));
        ASSERT_OK(setenv("KUKEON_LOG_LEVEL", "debug", 1));
        char *argv[] = { (char *) "kukeond", (char *) "--log-level=error", (char *) "--peer-fd", (char *) "5", NULL };
        ASSERT_OK(load(&c, &error, 4, argv));
        ASSERT_STREQ(c.run_path, "/from/file");                  /* file > default */
        ASSERT_STREQ(c.containerd_socket, "/env/containerd.sock"); /* env > file */
        ASSERT_STREQ(c.log_level, "error");                      /* flag > env > file */
        ASSERT_STREQ(c.cni_conf_dir, "/file/cni");
        ASSERT_STREQ(c.namespace_suffix, "file.example");
        ASSERT_EQ(c.peer_fd, 5);
        unsetenv("KUKEON_CONTAINERD_SOCKET");
        unsetenv("KUKEON_LOG_LEVEL");
}

static void test_errors(void) {
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;
        Config c = {};

        /* a file that does not parse: line, column, field */
        write_config("apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: t}\nspec:\n  runPth: /x\n");
        ASSERT_OK(setenv("KUKEOND_CONFIG", file, 1));
        char *argv[] = { (char *) "kukeond", NULL };
        ASSERT_ERROR(load(&c, &e1, 1, argv), EINVAL);
        ASSERT_NOT_NULL(strstr(e1, "runPth"));
        config_done(&c);

        /* a file named explicitly must exist */
        char *argv2[] = { (char *) "kukeond", (char *) "--config=/nonexistent/kukeond.yaml", NULL };
        ASSERT_ERROR(load(&c, &e2, 2, argv2), EINVAL);
        ASSERT_NOT_NULL(strstr(e2, "/nonexistent/kukeond.yaml"));
        config_done(&c);

        unsetenv("KUKEOND_CONFIG");
        char *argv3[] = { (char *) "kukeond", (char *) "--log-level=loud", (char *) "--config=/dev/null", NULL };
        ASSERT_ERROR(load(&c, &e3, 3, argv3), EINVAL);
        config_done(&c);

        char *argv4[] = { (char *) "kukeond", (char *) "--peer-fd=x", NULL };
        ASSERT_ERROR(load(&c, &e4, 2, argv4), EINVAL);
        ASSERT_NOT_NULL(strstr(e4, "--peer-fd"));
        config_done(&c);

        char *argv5[] = { (char *) "kukeond", (char *) "--bogus", NULL };
        ASSERT_ERROR(load(&c, &e5, 2, argv5), EINVAL);
        ASSERT_NOT_NULL(strstr(e5, "--bogus"));
        config_done(&c);
}

int main(void) {
        int fd = mkstemp(file);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        test_defaults();
        test_precedence();
        test_errors();
        test_reconcile_interval();
        unlink(file);
        printf("4 tests passed\n");
        return 0;
}
