/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cell-cli.h"
#include "document.h"
#include "manifest.h"
#include "schema.h"
#include "strv.h"
#include "tests.h"

static void test_kill_signal(void) {
        int s = 0;
        ASSERT_OK(kill_signal_parse("KILL", &s));
        ASSERT_EQ(s, SIGKILL);
        ASSERT_OK(kill_signal_parse("SIGKILL", &s));
        ASSERT_EQ(s, SIGKILL);
        ASSERT_OK(kill_signal_parse("sigterm", &s));
        ASSERT_EQ(s, SIGTERM);
        ASSERT_OK(kill_signal_parse("9", &s));
        ASSERT_EQ(s, 9);
        ASSERT_OK(kill_signal_parse("HUP", &s));
        ASSERT_EQ(s, SIGHUP);
        ASSERT_ERROR(kill_signal_parse("", &s), EINVAL);
        ASSERT_ERROR(kill_signal_parse(NULL, &s), EINVAL);
        ASSERT_ERROR(kill_signal_parse("0", &s), EINVAL);
        ASSERT_ERROR(kill_signal_parse("999", &s), EINVAL);
        ASSERT_ERROR(kill_signal_parse("9x", &s), EINVAL);
        ASSERT_ERROR(kill_signal_parse("SIG", &s), EINVAL);
        ASSERT_ERROR(kill_signal_parse("NOPE", &s), EINVAL);
}

static void test_logs_matches(void) {
        ResourceRef ref = { RESOURCE_CELL, "main", "default", "default", "web" };
        _cleanup_strv_free_ char **a = NULL, **b = NULL, **c = NULL;

        ASSERT_OK(logs_matches(&ref, NULL, &a));
        ASSERT_EQ(strv_length(a), 4u);
        ASSERT_STREQ(a[0], "KUKEON_REALM=main");
        ASSERT_STREQ(a[1], "KUKEON_SPACE=default");
        ASSERT_STREQ(a[2], "KUKEON_STACK=default");
        ASSERT_STREQ(a[3], "KUKEON_CELL=web");
        ASSERT_OK(logs_matches(&ref, "app", &b));
        ASSERT_EQ(strv_length(b), 5u);
        ASSERT_STREQ(b[4], "CONTAINER_NAME=app");
        ResourceRef stack = { RESOURCE_STACK, "main", "default", "default", NULL };
        ASSERT_ERROR(logs_matches(&stack, NULL, &c), EINVAL);
}

static void test_profile_path(void) {
        char dir[] = "/tmp/test-cell-cli-XXXXXX";
        _cleanup_free_ char *p = NULL, *d = NULL, *home_profiles = NULL, *f = NULL;

        ASSERT_NOT_NULL(mkdtemp(dir));
        /* not there: the directory searched is named */
        ASSERT_ERROR(profile_path_find("dev", dir, "/nonexistent", &p, &d), ENOENT);
        ASSERT_STREQ(d, dir);
        d = mfree(d);
        /* $KUKE_PROFILES_DIR unset: ~/.kuke/profiles.d */
        ASSERT_ERROR(profile_path_find("dev", NULL, "/home/x", &p, &d), ENOENT);
        ASSERT_STREQ(d, "/home/x/.kuke/profiles.d");
        d = mfree(d);
        ASSERT_ERROR(profile_path_find("dev", "", "/home/x", &p, &d), ENOENT);
        ASSERT_STREQ(d, "/home/x/.kuke/profiles.d");
        d = mfree(d);

        ASSERT_TRUE(asprintf(&f, "%s/dev.yml", dir) > 0);
        FILE *fp = fopen(f, "we");
        ASSERT_NOT_NULL(fp);
        fclose(fp);
        ASSERT_OK(profile_path_find("dev", dir, NULL, &p, NULL));
        ASSERT_STREQ(p, f);
        ASSERT_OK(unlink(f));

        /* names only */
        ASSERT_ERROR(profile_path_find("../etc/passwd", dir, NULL, &p, NULL), EINVAL);
        ASSERT_ERROR(profile_path_find("a/b", dir, NULL, &p, NULL), EINVAL);
        ASSERT_ERROR(profile_path_find(".hidden", dir, NULL, &p, NULL), EINVAL);
        ASSERT_ERROR(profile_path_find("", dir, NULL, &p, NULL), EINVAL);
        ASSERT_OK(rmdir(dir));
}

static const char cell_yaml[] = "apiVersion: v1beta1\n"
                                "kind: Cell\n"
                                "metadata: {name: web, labels: {app: web}}\n"
                                "spec:\n"
                                "  realmId: main\n"
                                "  spaceId: default\n"
                                "  stackId: default\n"
                                "  containers:\n"
                                "    - id: app\n"
                                "      image: docker.io/library/busybox:latest\n"
                                "      command: /bin/sh\n"
                                "    - id: side\n"
                                "      image: docker.io/library/busybox:latest\n";

/* A cell as `kuke run` checks it (manifest defaults) and as kukeond stores it. */
static CellDoc *checked(const char *yaml) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(yaml, strlen(yaml), &l));
        ASSERT_EQ(l->n_documents, 1u);
        ASSERT_EQ(manifest_check_list(l, NULL), 0);
        CellDoc *d = TAKE_PTR(l->documents[0].object);
        return d;
}

static void test_diverges(void) {
        CellDoc *want = checked(cell_yaml), *have = checked(cell_yaml);
        _cleanup_free_ char *what = NULL;

        ASSERT_OK(cell_doc_prepare_like_daemon(want));
        ASSERT_OK(cell_doc_prepare_like_daemon(have));
        /* prepared twice is the same */
        ASSERT_OK(cell_doc_prepare_like_daemon(want));
        ASSERT_STREQ(want->spec.id, "web");
        ASSERT_STREQ(want->spec.realm_id, "main");
        ASSERT_STREQ(want->spec.root_container_id, "app");
        ASSERT_TRUE(want->spec.containers[0].root);
        ASSERT_FALSE(want->spec.containers[1].root);
        ASSERT_STREQ(want->spec.containers[1].containerd_id, "default_default_web_side");
        ASSERT_STREQ(want->spec.containers[1].cell_id, "web");

        /* kukeond's status does not count */
        have->status.state = CELL_STATE_STOPPED;
        ASSERT_FALSE(cell_doc_diverges(want, have, &what));
        ASSERT_NULL(what);

        /* a container's field */
        free(have->spec.containers[1].image);
        have->spec.containers[1].image = strdup("docker.io/library/busybox:1.36");
        ASSERT_TRUE(cell_doc_diverges(want, have, &what));
        ASSERT_STREQ(what, "spec.containers");
        what = mfree(what);
        schema_free(kind_schema(KIND_CELL), have);

        /* a cell field */
        have = checked(cell_yaml);
        ASSERT_OK(cell_doc_prepare_like_daemon(have));
        have->spec.stop_grace_period = strdup("3s");
        ASSERT_TRUE(cell_doc_diverges(want, have, &what));
        ASSERT_STREQ(what, "spec");
        what = mfree(what);
        schema_free(kind_schema(KIND_CELL), have);

        /* labels */
        have = checked(cell_yaml);
        ASSERT_OK(cell_doc_prepare_like_daemon(have));
        ASSERT_OK(strv_extend(&have->metadata.labels, "tier"));
        ASSERT_OK(strv_extend(&have->metadata.labels, "front"));
        ASSERT_TRUE(cell_doc_diverges(want, have, NULL));
        schema_free(kind_schema(KIND_CELL), have);

        schema_free(kind_schema(KIND_CELL), want);
}

TEST_MAIN(test_kill_signal, test_logs_matches, test_profile_path, test_diverges)
