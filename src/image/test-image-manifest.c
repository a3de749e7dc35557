/* SPDX-License-Identifier: Apache-2.0 */

#include "image-config.h"
#include "image-digest.h"
#include "image-manifest.h"
#include "strv.h"
#include "tests.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

#define S(x) x, strlen(x)

static void test_index(void) {
        _cleanup_(image_descriptor_array_freep) ImageDescriptor **l = NULL;
        const char *idx =
                "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_OCI_INDEX "\",\"manifests\":["
                "{\"mediaType\":\"" MEDIA_TYPE_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":123,"
                "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},"
                "\"annotations\":{\"" ANNOTATION_REF_NAME "\":\"docker.io/library/busybox:latest\",\"" ANNOTATION_CONTAINERD_NAME "\":\"x:1\"}},"
                "{\"mediaType\":\"" MEDIA_TYPE_DOCKER_LIST "\",\"digest\":\"" D2 "\",\"size\":7}]}";

        ASSERT_OK(image_index_parse(S(idx), &l));
        ASSERT_NOT_NULL(l[0]);
        ASSERT_NOT_NULL(l[1]);
        ASSERT_NULL(l[2]);
        ASSERT_STREQ(l[0]->digest, D1);
        ASSERT_EQ(l[0]->size, 123);
        ASSERT_STREQ(l[0]->ref_name, "docker.io/library/busybox:latest");
        ASSERT_STREQ(l[0]->containerd_name, "x:1");
        ASSERT_STREQ(l[0]->architecture, "amd64");
        ASSERT_TRUE(media_type_is_manifest(l[0]->media_type));
        ASSERT_TRUE(media_type_is_index(l[1]->media_type));
        ASSERT_NULL(l[1]->ref_name);

        const char *bad[] = {
                "", "[]", "{}", "{\"schemaVersion\":1,\"manifests\":[]}",
                "{\"schemaVersion\":2}",
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:12\",\"size\":1}]}",
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":-1}]}",
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\"}]}",
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\",\"manifests\":[]}",
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":1,\"annotations\":[]}]}",
                "{\"schemaVersion\":2,\"schemaVersion\":2,\"manifests\":[]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ImageDescriptor **x = NULL;
                ASSERT_ERROR(image_index_parse(S(bad[i]), &x), EBADMSG);
        }
}

static void test_manifest(void) {
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        const char *doc =
                "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_OCI_MANIFEST "\","
                "\"config\":{\"mediaType\":\"" MEDIA_TYPE_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},"
                "\"layers\":[{\"mediaType\":\"" MEDIA_TYPE_OCI_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":20},"
                "{\"mediaType\":\"" MEDIA_TYPE_DOCKER_LAYER "\",\"digest\":\"" D3 "\",\"size\":30}]}";

        ASSERT_OK(image_manifest_parse(S(doc), &m));
        ASSERT_STREQ(m->config->digest, D1);
        ASSERT_STREQ(m->layers[0]->digest, D2);
        ASSERT_EQ(m->layers[1]->size, 30);
        ASSERT_NULL(m->layers[2]);

        ImageManifest *x = NULL;
        ASSERT_ERROR(image_manifest_parse(S("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}"), &x), EBADMSG);
        ASSERT_ERROR(image_manifest_parse(S("{\"schemaVersion\":2,\"layers\":[]}"), &x), EBADMSG);
        ASSERT_ERROR(image_manifest_parse(S("{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_OCI_INDEX "\",\"config\":{\"digest\":\"" D1 "\",\"size\":1},"
                                            "\"layers\":[{\"mediaType\":\"" MEDIA_TYPE_OCI_LAYER "\",\"digest\":\"" D2 "\",\"size\":1}]}"), &x), EBADMSG);
        /* a foreign layer type cannot be unpacked */
        ASSERT_ERROR(image_manifest_parse(S("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},"
                                            "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"digest\":\"" D2 "\",\"size\":1}]}"), &x), EOPNOTSUPP);
}

static void test_docker(void) {
        _cleanup_(docker_archive_images_freep) DockerArchiveImage **l = NULL;
        _cleanup_free_ char *json = NULL;
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;

        ASSERT_OK(docker_archive_manifest_parse(S("[{\"Config\":\"abc.json\",\"RepoTags\":[\"busybox:latest\",\"b:1\"],\"Layers\":[\"x/layer.tar\"]},"
                                                  "{\"Config\":\"def.json\",\"RepoTags\":null,\"Layers\":[\"y/layer.tar\",\"z/layer.tar\"]}]"), &l));
        ASSERT_STREQ(l[0]->config, "abc.json");
        ASSERT_STREQ(l[0]->repo_tags[1], "b:1");
        ASSERT_STREQ(l[0]->layers[0], "x/layer.tar");
        ASSERT_NULL(l[1]->repo_tags[0]);
        ASSERT_EQ(strv_length(l[1]->layers), 2);
        ASSERT_NULL(l[2]);

        DockerArchiveImage **x = NULL;
        ASSERT_ERROR(docker_archive_manifest_parse(S("[]"), &x), EBADMSG);
        ASSERT_ERROR(docker_archive_manifest_parse(S("{}"), &x), EBADMSG);
        ASSERT_ERROR(docker_archive_manifest_parse(S("[{\"Config\":\"a.json\",\"Layers\":[]}]"), &x), EBADMSG);
        ASSERT_ERROR(docker_archive_manifest_parse(S("[{\"Layers\":[\"a\"]}]"), &x), EBADMSG);
        ASSERT_ERROR(docker_archive_manifest_parse(S("[{\"Config\":\"a.json\",\"Layers\":[1]}]"), &x), EBADMSG);

        /* the manifest made for a docker archive parses back */
        ImageDescriptor cfg = { .media_type = (char *) MEDIA_TYPE_DOCKER_CONFIG, .digest = (char *) D1, .size = 5 };
        ImageDescriptor layer = { .media_type = (char *) MEDIA_TYPE_DOCKER_LAYER, .digest = (char *) D2, .size = 6 };
        ImageDescriptor *layers[] = { &layer, NULL };
        ASSERT_OK(docker_manifest_build(&cfg, layers, &json));
        ASSERT_STREQ(json, "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_TYPE_DOCKER_MANIFEST "\","
                           "\"config\":{\"mediaType\":\"" MEDIA_TYPE_DOCKER_CONFIG "\",\"size\":5,\"digest\":\"" D1 "\"},"
                           "\"layers\":[{\"mediaType\":\"" MEDIA_TYPE_DOCKER_LAYER "\",\"size\":6,\"digest\":\"" D2 "\"}]}");
        ASSERT_OK(image_manifest_parse(json, strlen(json), &m));
        ASSERT_STREQ(m->layers[0]->digest, D2);
}

static void test_config(void) {
        _cleanup_(image_config_freep) ImageConfig *c = NULL, *c2 = NULL;
        const char *doc =
                "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[\"/bin/tini\",\"--\"],"
                "\"Cmd\":[\"sh\",\"-c\",\"x\"],\"Env\":[\"PATH=/bin\",\"A=b\"],\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\"},"
                "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
        char *want_chain[3] = {};
        char d[DIGEST_SHA256_STRING_LEN + 1];

        ASSERT_OK(image_config_parse(S(doc), &c));
        ASSERT_STREQ(c->entrypoint[0], "/bin/tini");
        ASSERT_STREQ(c->entrypoint[1], "--");
        ASSERT_EQ(strv_length(c->cmd), 3);
        ASSERT_STREQ(c->env[1], "A=b");
        ASSERT_STREQ(c->working_dir, "/srv");
        ASSERT_STREQ(c->user, "1000:1000");
        ASSERT_STREQ(c->architecture, "amd64");
        ASSERT_EQ(strv_length(c->chain_ids), 2);
        ASSERT_STREQ(c->chain_ids[0], D1);
        ASSERT_OK(digest_of(D1 " " D2, strlen(D1 " " D2), d));
        want_chain[1] = d;
        ASSERT_STREQ(c->chain_ids[1], want_chain[1]);

        /* unset and empty stay apart: no Entrypoint is NULL, Env is never NULL */
        ASSERT_OK(image_config_parse(S("{\"config\":{\"Entrypoint\":null,\"Cmd\":[],\"WorkingDir\":\"\"},\"rootfs\":{\"diff_ids\":[\"" D1 "\"]}}"), &c2));
        ASSERT_NULL(c2->entrypoint);
        ASSERT_NOT_NULL(c2->cmd);
        ASSERT_NULL(c2->cmd[0]);
        ASSERT_NOT_NULL(c2->env);
        ASSERT_NULL(c2->working_dir);
        ASSERT_NULL(c2->user);

        ImageConfig *x = NULL;
        ASSERT_ERROR(image_config_parse(S("{}"), &x), EBADMSG);
        ASSERT_ERROR(image_config_parse(S("{\"rootfs\":{\"diff_ids\":[]}}"), &x), EBADMSG);
        ASSERT_ERROR(image_config_parse(S("{\"rootfs\":{\"diff_ids\":[\"sha256:1\"]}}"), &x), EBADMSG);
        ASSERT_ERROR(image_config_parse(S("{\"config\":{\"Cmd\":\"sh\"},\"rootfs\":{\"diff_ids\":[\"" D1 "\"]}}"), &x), EBADMSG);
        ASSERT_ERROR(image_config_parse(S("{\"config\":{\"User\":0},\"rootfs\":{\"diff_ids\":[\"" D1 "\"]}}"), &x), EBADMSG);
        ASSERT_ERROR(image_config_parse(S("not json"), &x), EBADMSG);
        ASSERT_NULL(x);
}

static void test_platform(void) {
        ASSERT_TRUE(image_platform_matches_host(NULL, NULL, NULL));
        ASSERT_TRUE(image_platform_matches_host("linux", image_host_architecture(), NULL));
        ASSERT_FALSE(image_platform_matches_host("windows", image_host_architecture(), NULL));
        ASSERT_FALSE(image_platform_matches_host("linux", "s390x-nope", NULL));
}

TEST_MAIN(test_index, test_manifest, test_docker, test_config, test_platform)
