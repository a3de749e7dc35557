/* SPDX-License-Identifier: Apache-2.0 */
/* Golden files of the OCI runtime spec builder: each test-data/NAME.yaml (a Container
 * manifest, read with the model codec and validated) plus the context its case sets up must
 * give test-data/NAME.json byte for byte, in the canonical form of oci_spec_format().
 *
 *   KUKEON_UPDATE_GOLDEN=1 build/src/oci/test-oci-spec    rewrites the .json files (review
 *                                                          the diff by eye before committing)
 *
 * Then the errors: every refusal names the field. */

#include <stdio.h>

#include "document.h"
#include "fileio.h"
#include "manifest.h"
#include "oci-spec.h"
#include "oci-test-data.h"
#include "strv.h"
#include "tests.h"

#define CELL_CGROUP "/kukeon.slice/kukeon-main.slice/kukeon-main-default.slice/kukeon-main-default-default.slice/kukeon-main-default-default-web.scope"

static char *data_path(const char *name) {
        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/%s", OCI_TEST_DATA_DIR, name) >= 0);
        return p;
}

/* Reads and validates a Container manifest; the list owns the spec. */
static ContainerSpec *parse(const char *text, DocumentList **ret_list) {
        DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        (void) manifest_check_list(l, NULL);
        ASSERT_EQ(l->n_documents, 1);
        if (l->documents[0].error) {
                fprintf(stderr, "manifest error: %s\n", l->documents[0].error);
                abort();
        }
        ASSERT_EQ(l->documents[0].kind, KIND_CONTAINER);
        *ret_list = l;
        return &((ContainerDoc *) l->documents[0].object)->spec;
}

/* The busybox test image's config, with an Entrypoint added so fallbacks show. */
static char *image_entrypoint[] = { "/bin/entry", "--from-image", NULL };
static char *image_cmd[] = { "sh", NULL };
static char *image_env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "IMAGE_ONLY=1", "KUKEON_REALM=from-image", "not-a-variable", NULL };
static const OciImageConfig image_plain = { .cmd = image_cmd, .env = image_env };
static const OciImageConfig image_full = {
        .entrypoint = image_entrypoint, .cmd = image_cmd, .env = image_env, .working_dir = (char *) "/home/app",
        .user = (char *) "100:101",
};

static void base_context(OciSpecContext *ctx) {
        *ctx = (OciSpecContext) {
                .cgroups_path = CELL_CGROUP "/app",
                .net_ns_path = "/proc/4242/ns/net",
                .ipc_ns_path = "/proc/4242/ns/ipc",
                .uts_ns_path = "/proc/4242/ns/uts",
                .cell_ip = "10.88.0.2",
                .hosts_path = "/opt/kukeon/main/default/default/web/hosts",
                .hostname_path = "/opt/kukeon/main/default/default/web/hostname",
                .image = &image_plain,
        };
}

/* What each case changes in the spec or the context beyond the manifest. */
typedef struct Fixture {
        OciSecrets secrets;
        char *seccomp;
        char *passwd, *group;
} Fixture;

static void fixture_done(Fixture *f) {
        oci_secrets_done(&f->secrets);
        free(f->seccomp);
        free(f->passwd);
        free(f->group);
}

static void setup_image_full(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        ctx->image = &image_full;
}

static void setup_env(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        ctx->cell_profile_name = "dev-box";
}

static void setup_passwd(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        f->passwd = data_path("passwd");
        f->group = data_path("group");
        ctx->passwd_path = f->passwd;
        ctx->group_path = f->group;
}

static void setup_user_numeric(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        ctx->image = &image_full;
}

static void setup_mask(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        /* kukeond's bounding set without SYS_MODULE (16), SYS_TIME (25), WAKE_ALARM (35),
         * as in the test machine: ALL expands to what it holds. */
        ctx->capability_mask = ((UINT64_C(1) << 41) - 1) & ~(UINT64_C(1) << 16) & ~(UINT64_C(1) << 25) & ~(UINT64_C(1) << 35);
}

static void setup_seccomp(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        _cleanup_free_ char *p = data_path("seccomp.json");
        ASSERT_TRUE(asprintf(&f->seccomp, "seccomp=%s", p) >= 0);
        ASSERT_OK(strv_extend(&c->security_opts, f->seccomp));
}

static void setup_own_namespaces(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        ctx->net_ns_path = ctx->ipc_ns_path = ctx->uts_ns_path = NULL;
        ctx->resolv_conf_path = "/opt/kukeon/main/default/default/web/resolv.conf";
}

static void setup_secrets(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        f->secrets.items = new0(OciSecret, 2);
        ASSERT_NOT_NULL(f->secrets.items);
        f->secrets.n = 2;
        f->secrets.items[0] = (OciSecret) { .name = strdup("API_TOKEN"), .env_value = strdup("s3cr3t value") };
        f->secrets.items[1] = (OciSecret) {
                .name = strdup("tls.key"),
                .staged_path = strdup("/run/kukeon/secrets/default_default_web_app/tls.key"),
                .mount_path = strdup("/run/secrets/tls.key"),
        };
        ctx->secrets = &f->secrets;
}

static void setup_tty(ContainerSpec *c, OciSpecContext *ctx, Fixture *f) {
        ctx->terminal = true;
}

typedef struct GoldenCase {
        const char *name;
        void (*setup)(ContainerSpec *c, OciSpecContext *ctx, Fixture *f);
} GoldenCase;

static const GoldenCase golden_cases[] = {
        { "minimal", NULL },
        { "process-command", setup_image_full },
        { "process-image-fallback", setup_image_full },
        { "process-args-only", setup_image_full },
        { "env", setup_env },
        { "user-name", setup_passwd },
        { "user-numeric", setup_user_numeric },
        { "working-dir", setup_image_full },
        { "capabilities", NULL },
        { "capabilities-add-all", setup_mask },
        { "capabilities-drop-all", NULL },
        { "privileged", setup_mask },
        { "security", setup_seccomp },
        { "security-unconfined", NULL },
        { "volumes", NULL },
        { "mounts-override", NULL },
        { "resources", NULL },
        { "namespaces-host", NULL },
        { "namespaces-own", setup_own_namespaces },
        { "secrets", setup_secrets },
        { "tty", setup_tty },
};

static void test_golden(void) {
        bool update = streq_ptr(getenv("KUKEON_UPDATE_GOLDEN"), "1");
        unsigned failed = 0;

        for (size_t i = 0; i < ELEMENTSOF(golden_cases); i++) {
                const GoldenCase *g = &golden_cases[i];
                _cleanup_free_ char *yaml_name = NULL, *json_name = NULL, *yaml_path = NULL, *json_path = NULL,
                                    *yaml = NULL, *expected = NULL, *actual = NULL, *error = NULL;
                ASSERT_TRUE(asprintf(&yaml_name, "%s.yaml", g->name) >= 0);
                ASSERT_TRUE(asprintf(&json_name, "%s.json", g->name) >= 0);
                yaml_path = data_path(yaml_name);
                json_path = data_path(json_name);
                ASSERT_OK(read_file_full(yaml_path, 1 << 20, &yaml, NULL));

                _cleanup_(document_list_freep) DocumentList *l = NULL;
                ContainerSpec *c = parse(yaml, &l);
                OciSpecContext ctx;
                base_context(&ctx);
                _cleanup_(fixture_done) Fixture f = {};
                if (g->setup)
                        g->setup(c, &ctx, &f);

                json_t *j = NULL;
                int r = oci_spec_build(c, &ctx, &j, &error);
                if (r < 0) {
                        fprintf(stderr, "%s: oci_spec_build failed: %s (%s)\n", g->name, strna(error), strerror(-r));
                        abort();
                }
                ASSERT_OK(oci_spec_format(j, &actual));
                json_decref(j);

                if (update) {
                        ASSERT_OK(write_file_atomic(json_path, actual, strlen(actual), 0644));
                        printf("updated %s\n", json_path);
                        continue;
                }
                r = read_file_full(json_path, 1 << 20, &expected, NULL);
                if (r < 0) {
                        fprintf(stderr, "%s: no golden file %s (%s); KUKEON_UPDATE_GOLDEN=1 writes it\n", g->name, json_path,
                                strerror(-r));
                        failed++;
                        continue;
                }
                if (!streq(expected, actual)) {
                        fprintf(stderr, "%s: output differs from %s; it is:\n%s\n(KUKEON_UPDATE_GOLDEN=1 rewrites it)\n",
                                g->name, json_path, actual);
                        failed++;
                } else
                        printf("golden %s: ok\n", g->name);
        }
        ASSERT_EQ(failed, 0);
}

/* ---- errors ---- */

#define HEAD                                                                                   \
        "apiVersion: v1beta1\nkind: Container\nmetadata: {name: app}\nspec:\n  realmId: main\n" \
        "  spaceId: default\n  stackId: default\n  cellId: web\n  image: busybox\n"

static void expect_error_ctx(const char *yaml, void (*tweak)(ContainerSpec *c, OciSpecContext *ctx), int err,
                             const char *needle) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ContainerSpec *c = parse(yaml, &l);
        OciSpecContext ctx;
        base_context(&ctx);
        if (tweak)
                tweak(c, &ctx);
        json_t *j = NULL;
        _cleanup_free_ char *error = NULL;
        int r = oci_spec_build(c, &ctx, &j, &error);
        if (r != -err || !error || !strstr(error, needle)) {
                fprintf(stderr, "manifest:\n%s\nexpected -%d with \"%s\", got %d: \"%s\"\n", yaml, err, needle, r,
                        strna(error));
                abort();
        }
        ASSERT_NULL(j);
}

static void expect_error(const char *yaml, int err, const char *needle) {
        expect_error_ctx(yaml, NULL, err, needle);
}

static void add_bad_security_opt(ContainerSpec *c, OciSpecContext *ctx) {
        /* the manifest check refuses it already; the builder must too (state files, D-Bus) */
        ASSERT_OK(strv_extend(&c->security_opts, "apparmor=unconfined"));
}
static void add_missing_seccomp(ContainerSpec *c, OciSpecContext *ctx) {
        ASSERT_OK(strv_extend(&c->security_opts, "seccomp=/nonexistent/profile.json"));
}
static char *docker_profile_opt;
static void add_docker_seccomp(ContainerSpec *c, OciSpecContext *ctx) {
        ASSERT_OK(strv_extend(&c->security_opts, docker_profile_opt));
}
static void add_bad_capability(ContainerSpec *c, OciSpecContext *ctx) {
        ASSERT_OK(strv_extend(&c->capabilities->add, "CAP_FLY"));
}
static void no_cgroups_path(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->cgroups_path = NULL;
}
static void relative_cgroups_path(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->cgroups_path = "kukeon.slice/app";
}
static void no_image(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->image = NULL;
}
static void relative_image_workdir(ContainerSpec *c, OciSpecContext *ctx) {
        static const OciImageConfig img = { .cmd = image_cmd, .working_dir = (char *) "app" };
        ctx->image = &img;
}
static void image_user_name(ContainerSpec *c, OciSpecContext *ctx) {
        static const OciImageConfig img = { .cmd = image_cmd, .user = (char *) "daemon" };
        ctx->image = &img;
}
static char *passwd_file, *group_file;
static void with_passwd(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->passwd_path = passwd_file;
        ctx->group_path = group_file;
}
static void mask_without_sys_admin(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->capability_mask = ((UINT64_C(1) << 41) - 1) & ~(UINT64_C(1) << 21);
}
static void bad_env_entry(ContainerSpec *c, OciSpecContext *ctx) {
        ASSERT_OK(strv_extend(&c->env, "NOEQUALS"));
}
static void relative_netns(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->net_ns_path = "proc/1/ns/net";
}
static void dotdot_tmpfs(ContainerSpec *c, OciSpecContext *ctx) {
        /* the manifest check refuses it already; the builder must too */
        free(c->tmpfs[0].path);
        c->tmpfs[0].path = strdup("/a/../etc");
        ASSERT_NOT_NULL(c->tmpfs[0].path);
}
static OciSecrets env_secret;
static void with_env_secret(ContainerSpec *c, OciSpecContext *ctx) {
        ctx->secrets = &env_secret;
}

static void test_errors(void) {
        /* security options */
        expect_error_ctx(HEAD "  command: /bin/sh\n  securityOpts: [no-new-privileges]\n", add_bad_security_opt, EINVAL,
                         "spec.securityOpts[1]: unsupported security option \"apparmor=unconfined\"");
        expect_error_ctx(HEAD "  command: /bin/sh\n", add_missing_seccomp, ENOENT,
                         "spec.securityOpts[0]: \"seccomp=/nonexistent/profile.json\": cannot read the profile");
        {
                _cleanup_free_ char *dir = data_path("."), *p = NULL;
                char tmpl[] = "/tmp/test-oci-spec.XXXXXX";
                int fd = mkstemp(tmpl);
                ASSERT_TRUE(fd >= 0);
                const char *docker = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [], \"syscalls\": []}";
                ASSERT_EQ(write(fd, docker, strlen(docker)), (long long) strlen(docker));
                close(fd);
                ASSERT_TRUE(asprintf(&docker_profile_opt, "seccomp=%s", tmpl) >= 0);
                expect_error_ctx(HEAD "  command: /bin/sh\n", add_docker_seccomp, EINVAL, "a Docker-format profile");
                (void) unlink(tmpl);
                docker_profile_opt = mfree(docker_profile_opt);

                /* not JSON at all */
                _cleanup_free_ char *passwd = data_path("passwd");
                ASSERT_TRUE(asprintf(&docker_profile_opt, "seccomp=%s", passwd) >= 0);
                expect_error_ctx(HEAD "  command: /bin/sh\n", add_docker_seccomp, EINVAL, "spec.securityOpts[0]: \"seccomp=");
                docker_profile_opt = mfree(docker_profile_opt);
        }

        /* capabilities */
        expect_error_ctx(HEAD "  command: /bin/sh\n  capabilities: {add: [NET_ADMIN]}\n", add_bad_capability, EINVAL,
                         "spec.capabilities.add[1]: unknown capability \"CAP_FLY\"");
        expect_error_ctx(HEAD "  command: /bin/sh\n  capabilities: {add: [sys_admin]}\n", mask_without_sys_admin, EPERM,
                         "spec.capabilities.add[0]: CAP_SYS_ADMIN is not in kukeond's own bounding set");

        /* process */
        expect_error_ctx(HEAD, no_image, EINVAL, "spec.command: container \"app\" has no command");
        expect_error_ctx(HEAD, relative_image_workdir, EINVAL, "image config WorkingDir: \"app\" is not an absolute path");
        expect_error_ctx(HEAD "  command: /bin/sh\n", bad_env_entry, EINVAL, "spec.env[0]: \"NOEQUALS\" is not KEY=VALUE");

        /* user */
        expect_error(HEAD "  command: /bin/sh\n  user: www\n", EINVAL,
                     "spec.user: user \"www\": \"www\" is a user name, which needs the image's /etc/passwd to resolve");
        expect_error(HEAD "  command: /bin/sh\n  user: \"0:wheel\"\n", EINVAL, "\"wheel\" is a group name");
        expect_error(HEAD "  command: /bin/sh\n  user: \"99999999999\"\n", EINVAL, "uid 99999999999 is out of range");
        expect_error(HEAD "  command: /bin/sh\n  user: \"1:\"\n", EINVAL, "the group part after ':' is empty");
        expect_error_ctx(HEAD "  command: /bin/sh\n", image_user_name, EINVAL, "image config User: user \"daemon\"");
        passwd_file = data_path("passwd");
        group_file = data_path("group");
        expect_error_ctx(HEAD "  command: /bin/sh\n  user: ghost\n", with_passwd, ESRCH, "spec.user: user \"ghost\": no user \"ghost\" in");
        expect_error_ctx(HEAD "  command: /bin/sh\n  user: \"www:ghosts\"\n", with_passwd, ESRCH, "no group \"ghosts\" in");
        passwd_file = mfree(passwd_file);
        group_file = mfree(group_file);

        /* mounts: one destination, two sources */
        expect_error(HEAD "  command: /bin/sh\n  volumes: [{source: /srv, target: /data}]\n  tmpfs: [{path: /data/}]\n",
                     EINVAL, "spec.tmpfs[0]: /data is already mounted by spec.volumes[0]");
        expect_error(HEAD "  command: /bin/sh\n  tmpfs: [{path: /t, options: [\"size=1,mode=0\"]}]\n", EINVAL,
                     "spec.tmpfs[0].options[0]: \"size=1,mode=0\" is not one mount option");
        expect_error(HEAD "  command: /bin/sh\n  tmpfs: [{path: /}]\n", EINVAL,
                     "spec.tmpfs[0]: cannot mount over the container's root directory");
        expect_error_ctx(HEAD "  command: /bin/sh\n  tmpfs: [{path: /a}]\n", dotdot_tmpfs, EINVAL,
                         "spec.tmpfs[0]: \"/a/../etc\" is not an absolute path");

        /* context */
        expect_error_ctx(HEAD "  command: /bin/sh\n", no_cgroups_path, EINVAL, "context: cgroupsPath must be an absolute");
        expect_error_ctx(HEAD "  command: /bin/sh\n", relative_cgroups_path, EINVAL, "\"kukeon.slice/app\"");
        expect_error_ctx(HEAD "  command: /bin/sh\n", relative_netns, EINVAL, "the network namespace path must be absolute");

        /* secrets: resolved ones required, and no silent clash with spec.env */
        const char *secret_yaml = HEAD "  command: /bin/sh\n  env: [TOKEN=plain]\n  secrets: [{name: TOKEN, fromEnv: X}]\n";
        expect_error(secret_yaml, EINVAL, "spec.secrets: 1 secrets declared but 0 resolved");
        env_secret.items = new0(OciSecret, 1);
        env_secret.n = 1;
        env_secret.items[0] = (OciSecret) { .name = strdup("TOKEN"), .env_value = strdup("v") };
        expect_error_ctx(secret_yaml, with_env_secret, EINVAL, "spec.secrets[0].name: \"TOKEN\" is also set by spec.env[0]");
        expect_error_ctx(HEAD "  command: /bin/sh\n  secrets: [{name: TOKEN, fromEnv: X, mountPath: /run/t}]\n",
                         with_env_secret, EINVAL, "spec.secrets[0]: the resolved secret does not match \"TOKEN\"");
        oci_secrets_done(&env_secret);

        env_secret.items = new0(OciSecret, 1);
        env_secret.n = 1;
        env_secret.items[0] = (OciSecret) { .name = strdup("TOKEN"), .env_value = strdup("\xff\xfe binary") };
        expect_error_ctx(HEAD "  command: /bin/sh\n  secrets: [{name: TOKEN, fromEnv: X}]\n", with_env_secret, EINVAL,
                         "spec.secrets[0] (\"TOKEN\"): the value is not UTF-8 text");
        oci_secrets_done(&env_secret);
}

/* The value of a secret never appears in an error message. */
static void test_secret_value_not_in_errors(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ContainerSpec *c = parse(HEAD "  command: /bin/sh\n  env: [TOKEN=plain]\n  secrets: [{name: TOKEN, fromEnv: X}]\n", &l);
        OciSpecContext ctx;
        base_context(&ctx);
        OciSecrets s = { .items = new0(OciSecret, 1), .n = 1 };
        s.items[0] = (OciSecret) { .name = strdup("TOKEN"), .env_value = strdup("hunter2-value") };
        ctx.secrets = &s;
        json_t *j = NULL;
        _cleanup_free_ char *error = NULL;
        ASSERT_TRUE(oci_spec_build(c, &ctx, &j, &error) < 0);
        ASSERT_NOT_NULL(error);
        ASSERT_NULL(strstr(error, "hunter2"));
        oci_secrets_done(&s);
}

/* A privileged container gets the host's device nodes; others do not. */
static void test_host_devices(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ContainerSpec *c = parse(HEAD "  command: /bin/sh\n  privileged: true\n", &l);
        OciSpecContext ctx;
        base_context(&ctx);
        ctx.host_devices_dir = "/dev";
        json_t *j = NULL;
        ASSERT_OK(oci_spec_build(c, &ctx, &j, NULL));
        json_t *devices = json_object_get(json_object_get(j, "linux"), "devices");
        ASSERT_TRUE(json_is_array(devices));
        bool null_seen = false;
        size_t i;
        json_t *d;
        const char *prev = "";
        json_array_foreach(devices, i, d) {
                const char *path = json_string_value(json_object_get(d, "path"));
                ASSERT_NOT_NULL(path);
                ASSERT_TRUE(strncmp(path, "/dev/", 5) == 0);
                ASSERT_TRUE(strcmp(prev, path) < 0); /* sorted, no duplicates */
                ASSERT_NULL(strstr(path, "/dev/pts/"));
                ASSERT_FALSE(streq(path, "/dev/console"));
                prev = path;
                if (streq(path, "/dev/null")) {
                        null_seen = true;
                        ASSERT_STREQ(json_string_value(json_object_get(d, "type")), "c");
                        ASSERT_EQ(json_integer_value(json_object_get(d, "major")), 1);
                        ASSERT_EQ(json_integer_value(json_object_get(d, "minor")), 3);
                }
        }
        ASSERT_TRUE(null_seen);
        json_decref(j);

        c->privileged = false;
        ASSERT_OK(oci_spec_build(c, &ctx, &j, NULL));
        ASSERT_NULL(json_object_get(json_object_get(j, "linux"), "devices"));
        json_decref(j);

        c->privileged = true;
        ctx.host_devices_dir = "/nonexistent-dev";
        _cleanup_free_ char *error = NULL;
        ASSERT_ERROR(oci_spec_build(c, &ctx, &j, &error), ENOENT);
        ASSERT_NOT_NULL(strstr(error, "context: cannot open the host devices directory /nonexistent-dev"));
}

static void test_capability_names(void) {
        ASSERT_EQ(oci_capability_from_name("CAP_CHOWN"), 0);
        ASSERT_EQ(oci_capability_from_name("net_admin"), 12);
        ASSERT_EQ(oci_capability_from_name("Cap_Sys_Admin"), 21);
        ASSERT_EQ(oci_capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
        ASSERT_ERROR(oci_capability_from_name("ALL"), EINVAL);
        ASSERT_ERROR(oci_capability_from_name(""), EINVAL);
        ASSERT_ERROR(oci_capability_from_name("CAP_"), EINVAL);
        ASSERT_STREQ(oci_capability_to_name(29), "CAP_AUDIT_WRITE");
        ASSERT_NULL(oci_capability_to_name(41));
        ASSERT_NULL(oci_capability_to_name(-1));

        uint64_t m = 0;
        ASSERT_OK(oci_capability_bounding_current(&m));
        ASSERT_TRUE(m != 0 || getuid() != 0);
}

static void test_image_config(void) {
        OciImageConfig c = {};
        _cleanup_free_ char *error = NULL;
        const char *blob = "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/e\"],\"Cmd\":null,"
                           "\"Env\":[\"A=1\"],\"WorkingDir\":\"/w\",\"User\":\"1:2\"}}";
        ASSERT_OK(oci_image_config_from_json(blob, strlen(blob), &c, &error));
        ASSERT_STREQ(c.entrypoint[0], "/e");
        ASSERT_NULL(c.entrypoint[1]);
        ASSERT_NULL(c.cmd);
        ASSERT_STREQ(c.env[0], "A=1");
        ASSERT_STREQ(c.working_dir, "/w");
        ASSERT_STREQ(c.user, "1:2");
        oci_image_config_done(&c);
        oci_image_config_done(&c); /* idempotent */

        ASSERT_OK(oci_image_config_from_json("{}", 2, &c, &error));
        ASSERT_NULL(c.entrypoint);

        const char *bad = "{\"config\":{\"Cmd\":\"sh\"}}";
        ASSERT_ERROR(oci_image_config_from_json(bad, strlen(bad), &c, &error), EINVAL);
        ASSERT_STREQ(error, "image config: config.Cmd: expected an array of strings");
        error = mfree(error);
        ASSERT_ERROR(oci_image_config_from_json("{", 1, &c, &error), EINVAL);
        ASSERT_NOT_NULL(strstr(error, "image config: line 1"));
}

TEST_MAIN(test_golden, test_errors, test_secret_value_not_in_errors, test_host_devices, test_capability_names,
          test_image_config)
