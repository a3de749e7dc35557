/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets are resolved from files and the daemon's environment, staged 0400 in a directory
 * of their container, and never appear in an error message. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "oci-secret.h"
#include "tests.h"

static char base[] = "/tmp/test-oci-secret.XXXXXX";

static ContainerSecret secret(const char *name, const char *file, const char *env, const char *mount) {
        return (ContainerSecret) {
                .name = (char *) name, .from_file = (char *) file, .from_env = (char *) env, .mount_path = (char *) mount,
        };
}

static void test_stage(void) {
        _cleanup_free_ char *src = NULL, *stage = NULL;
        ASSERT_TRUE(asprintf(&src, "%s/tls.key", base) >= 0);
        ASSERT_TRUE(asprintf(&stage, "%s/stage", base) >= 0);
        ASSERT_OK(write_file_atomic(src, "KEY\nDATA\0BIN", 12, 0600));
        ASSERT_EQ(setenv("KT_SECRET_TOKEN", "tok-value", 1), 0);

        ContainerSecret s[] = {
                secret("TOKEN", NULL, "KT_SECRET_TOKEN", NULL),
                secret("tls.key", src, NULL, "/run/secrets/tls.key"),
                secret("FROM_FILE", src, NULL, NULL), /* holds a NUL: refused below */
                secret("token-file", NULL, "KT_SECRET_TOKEN", "/run/secrets/token"),
        };
        ContainerSpec c = { .containerd_id = (char *) "default_default_web_app", .secrets = s, .n_secrets = 2 };
        OciSecrets out = {};
        _cleanup_free_ char *error = NULL;

        uid_t uid = getuid();
        gid_t gid = getgid();
        ASSERT_OK(oci_secret_stage(&c, stage, uid, gid, &out, &error));
        ASSERT_EQ(out.n, 2);
        ASSERT_STREQ(out.items[0].name, "TOKEN");
        ASSERT_STREQ(out.items[0].env_value, "tok-value");
        ASSERT_NULL(out.items[0].staged_path);
        ASSERT_NULL(out.items[0].mount_path);
        ASSERT_NULL(out.items[1].env_value);
        ASSERT_STREQ(out.items[1].mount_path, "/run/secrets/tls.key");

        _cleanup_free_ char *expect = NULL, *dir = NULL;
        ASSERT_TRUE(asprintf(&dir, "%s/default_default_web_app", stage) >= 0);
        ASSERT_TRUE(asprintf(&expect, "%s/tls.key", dir) >= 0);
        ASSERT_STREQ(out.items[1].staged_path, expect);

        struct stat st;
        ASSERT_EQ(stat(expect, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0400);
        ASSERT_EQ(st.st_uid, uid);
        ASSERT_EQ(st.st_size, 12);
        ASSERT_EQ(stat(dir, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0700);
        _cleanup_free_ char *content = NULL;
        size_t size = 0;
        if (getuid() == 0) { /* 0400: only the owner (or root) reads it back */
                ASSERT_OK(read_file_full(expect, 100, &content, &size));
                ASSERT_EQ(size, 12);
                ASSERT_TRUE(memcmp(content, "KEY\nDATA\0BIN", 12) == 0);
        }
        oci_secrets_done(&out);
        oci_secrets_done(&out);

        /* staging again replaces the file; an env secret with a mountPath is staged as well */
        s[1].mount_path = (char *) "/run/secrets/tls.key";
        c.secrets = s + 1;
        c.n_secrets = 1;
        ASSERT_OK(oci_secret_stage(&c, stage, uid, gid, &out, NULL));
        oci_secrets_done(&out);
        c.secrets = s + 3;
        ASSERT_OK(oci_secret_stage(&c, stage, uid, gid, &out, NULL));
        ASSERT_NOT_NULL(strstr(out.items[0].staged_path, "/default_default_web_app/token-file"));
        oci_secrets_done(&out);

        /* a failure after a file was staged removes the container's directory again */
        ContainerSecret partial[] = { secret("ok", NULL, "KT_SECRET_TOKEN", "/run/ok"),
                                      secret("missing", NULL, "KT_SECRET_NOT_SET_ANYWHERE", NULL) };
        (void) unsetenv("KT_SECRET_NOT_SET_ANYWHERE");
        c.secrets = partial;
        c.n_secrets = 2;
        ASSERT_ERROR(oci_secret_stage(&c, stage, uid, gid, &out, &error), ENOENT);
        ASSERT_TRUE(access(dir, F_OK) < 0 && errno == ENOENT);
        error = mfree(error);
        c.n_secrets = 1;

        /* a file holding a NUL cannot be an environment variable */
        c.secrets = s + 2;
        ASSERT_ERROR(oci_secret_stage(&c, stage, uid, gid, &out, &error), EINVAL);
        ASSERT_NOT_NULL(strstr(error, "spec.secrets[0] (\"FROM_FILE\"): the value holds a NUL byte"));
        ASSERT_NULL(strstr(error, "KEY"));
        error = mfree(error);

        ASSERT_OK(oci_secret_unstage(stage, "default_default_web_app"));
        ASSERT_TRUE(access(dir, F_OK) < 0 && errno == ENOENT);
        ASSERT_OK(oci_secret_unstage(stage, "default_default_web_app")); /* already gone */
        ASSERT_ERROR(oci_secret_unstage(stage, ".."), EINVAL);
        ASSERT_ERROR(oci_secret_unstage(stage, "a/b"), EINVAL);
        (void) unlink(src);
        (void) rmdir(stage);
}

static void test_errors(void) {
        _cleanup_free_ char *stage = NULL, *error = NULL;
        ASSERT_TRUE(asprintf(&stage, "%s/stage2", base) >= 0);
        (void) unsetenv("KT_SECRET_UNSET");
        ASSERT_EQ(setenv("KT_SECRET_SET", "the-value", 1), 0);
        OciSecrets out = {};

        ContainerSecret s1[] = { secret("A", NULL, "KT_SECRET_SET", NULL), secret("B", NULL, "KT_SECRET_UNSET", NULL) };
        ContainerSpec c = { .containerd_id = (char *) "x_y_z_w", .secrets = s1, .n_secrets = 2 };
        ASSERT_ERROR(oci_secret_stage(&c, stage, 0, 0, &out, &error), ENOENT);
        ASSERT_STREQ(error, "spec.secrets[1] (\"B\"): fromEnv variable KT_SECRET_UNSET is not set in kukeond's environment");
        ASSERT_EQ(out.n, 0);
        ASSERT_NULL(out.items);
        error = mfree(error);

        ContainerSecret s2[] = { secret("C", "/nonexistent/secret", NULL, "/run/c") };
        c.secrets = s2;
        c.n_secrets = 1;
        ASSERT_ERROR(oci_secret_stage(&c, stage, 0, 0, &out, &error), ENOENT);
        ASSERT_STREQ(error, "spec.secrets[0] (\"C\"): cannot read fromFile /nonexistent/secret: No such file or directory");
        error = mfree(error);

        ContainerSecret s3[] = { secret("../x", NULL, "KT_SECRET_SET", "/run/x") };
        c.secrets = s3;
        ASSERT_ERROR(oci_secret_stage(&c, stage, 0, 0, &out, &error), EINVAL);
        ASSERT_STREQ(error, "spec.secrets[0].name: \"../x\" is not a valid secret name");
        error = mfree(error);

        ContainerSecret s4[] = { secret("D", NULL, "KT_SECRET_SET", "relative") };
        c.secrets = s4;
        ASSERT_ERROR(oci_secret_stage(&c, stage, 0, 0, &out, &error), EINVAL);
        ASSERT_NULL(strstr(error, "the-value"));
        error = mfree(error);

        ContainerSecret s5[] = { secret("E", NULL, NULL, NULL) };
        c.secrets = s5;
        ASSERT_ERROR(oci_secret_stage(&c, stage, 0, 0, &out, &error), EINVAL);
        error = mfree(error);

        ContainerSecret s6[] = { secret("F", NULL, "KT_SECRET_SET", "/run/f") };
        c.secrets = s6;
        c.containerd_id = (char *) "../escape";
        ASSERT_ERROR(oci_secret_stage(&c, stage, 0, 0, &out, &error), EINVAL);
        ASSERT_NOT_NULL(strstr(error, "spec.containerdId"));

        /* nothing was staged by the failures */
        ASSERT_TRUE(access(stage, F_OK) < 0);

        c.n_secrets = 0;
        ASSERT_OK(oci_secret_stage(&c, stage, 0, 0, &out, NULL));
        ASSERT_EQ(out.n, 0);
}

static void test_big(void) {
        _cleanup_free_ char *big = NULL, *error = NULL;
        ASSERT_TRUE(asprintf(&big, "%s/big", base) >= 0);
        size_t n = OCI_SECRET_SIZE_MAX + 1;
        char *data = calloc(1, n);
        ASSERT_NOT_NULL(data);
        ASSERT_OK(write_file_atomic(big, data, n, 0600));
        free(data);
        ContainerSecret s[] = { secret("BIG", big, NULL, NULL) };
        ContainerSpec c = { .containerd_id = (char *) "x", .secrets = s, .n_secrets = 1 };
        OciSecrets out = {};
        ASSERT_ERROR(oci_secret_stage(&c, base, 0, 0, &out, &error), EFBIG);
        ASSERT_NOT_NULL(strstr(error, "is larger than"));
        (void) unlink(big);
}

int main(void) {
        ASSERT_NOT_NULL(mkdtemp(base));
        test_stage();
        test_errors();
        test_big();
        ASSERT_EQ(rmdir(base), 0);
        printf("3 tests passed\n");
        return 0;
}
