/* SPDX-License-Identifier: Apache-2.0 */

#include <errno.h>
#include <jansson.h>
#include <sys/utsname.h>

#include "image-digest.h"
#include "image-manifest.h"
#include "strv.h"

bool media_type_is_index(const char *t) {
        return t && (streq(t, MEDIA_TYPE_OCI_INDEX) || streq(t, MEDIA_TYPE_DOCKER_LIST));
}

bool media_type_is_manifest(const char *t) {
        return t && (streq(t, MEDIA_TYPE_OCI_MANIFEST) || streq(t, MEDIA_TYPE_DOCKER_MANIFEST));
}

bool media_type_is_layer(const char *t) {
        return t && (streq(t, MEDIA_TYPE_OCI_LAYER) || streq(t, MEDIA_TYPE_OCI_LAYER_GZIP) ||
                     streq(t, MEDIA_TYPE_DOCKER_LAYER) || streq(t, MEDIA_TYPE_DOCKER_LAYER_GZIP) ||
                     streq(t, "application/vnd.oci.image.layer.v1.tar+zstd"));
}

ImageDescriptor *image_descriptor_free(ImageDescriptor *d) {
        if (!d)
                return NULL;
        free(d->media_type);
        free(d->digest);
        free(d->ref_name);
        free(d->containerd_name);
        free(d->os);
        free(d->architecture);
        free(d->variant);
        return mfree(d);
}

ImageDescriptor **image_descriptor_array_free(ImageDescriptor **l) {
        if (!l)
                return NULL;
        for (ImageDescriptor **i = l; *i; i++)
                image_descriptor_free(*i);
        return mfree(l);
}

static void json_decref_p(json_t **j) {
        if (*j)
                json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_decref_p)

static int dup_string(json_t *o, const char *key, bool required, char **ret) {
        json_t *v = json_object_get(o, key);

        if (!v || json_is_null(v)) {
                *ret = NULL;
                return required ? -EBADMSG : 0;
        }
        if (!json_is_string(v))
                return -EBADMSG;
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : -ENOMEM;
}

static int descriptor_parse(json_t *o, ImageDescriptor **ret) {
        _cleanup_(image_descriptor_freep) ImageDescriptor *d = NULL;
        json_t *size, *ann, *plat;
        int r;

        if (!json_is_object(o))
                return -EBADMSG;
        d = new0(ImageDescriptor, 1);
        if (!d)
                return -ENOMEM;
        r = dup_string(o, "mediaType", false, &d->media_type);
        if (r < 0)
                return r;
        r = dup_string(o, "digest", true, &d->digest);
        if (r < 0)
                return r;
        if (!digest_is_valid(d->digest))
                return -EBADMSG;
        size = json_object_get(o, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 0)
                return -EBADMSG;
        d->size = json_integer_value(size);

        ann = json_object_get(o, "annotations");
        if (ann) {
                if (!json_is_object(ann))
                        return -EBADMSG;
                r = dup_string(ann, ANNOTATION_REF_NAME, false, &d->ref_name);
                if (r < 0)
                        return r;
                r = dup_string(ann, ANNOTATION_CONTAINERD_NAME, false, &d->containerd_name);
                if (r < 0)
                        return r;
        }
        plat = json_object_get(o, "platform");
        if (plat) {
                if (!json_is_object(plat))
                        return -EBADMSG;
                if ((r = dup_string(plat, "os", false, &d->os)) < 0 ||
                    (r = dup_string(plat, "architecture", false, &d->architecture)) < 0 ||
                    (r = dup_string(plat, "variant", false, &d->variant)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

static int descriptor_array_parse(json_t *a, ImageDescriptor ***ret) {
        _cleanup_(image_descriptor_array_freep) ImageDescriptor **l = NULL;
        size_t n;
        int r;

        if (!json_is_array(a))
                return -EBADMSG;
        n = json_array_size(a);
        l = new0(ImageDescriptor *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = descriptor_parse(json_array_get(a, i), &l[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int load_object(const char *json, size_t size, json_t **ret) {
        json_t *j = json_loadb(json, size, JSON_REJECT_DUPLICATES, NULL);

        if (!j)
                return -EBADMSG;
        if (!json_is_object(j)) {
                json_decref(j);
                return -EBADMSG;
        }
        *ret = j;
        return 0;
}

int image_index_parse(const char *json, size_t size, ImageDescriptor ***ret) {
        _cleanup_json_ json_t *j = NULL;
        json_t *v;
        int r;

        r = load_object(json, size, &j);
        if (r < 0)
                return r;
        v = json_object_get(j, "schemaVersion");
        if (!json_is_integer(v) || json_integer_value(v) != 2)
                return -EBADMSG;
        v = json_object_get(j, "mediaType");
        if (v && (!json_is_string(v) || !media_type_is_index(json_string_value(v))))
                return -EBADMSG;
        return descriptor_array_parse(json_object_get(j, "manifests"), ret);
}

ImageManifest *image_manifest_free(ImageManifest *m) {
        if (!m)
                return NULL;
        free(m->media_type);
        image_descriptor_free(m->config);
        image_descriptor_array_free(m->layers);
        return mfree(m);
}

int image_manifest_parse(const char *json, size_t size, ImageManifest **ret) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        json_t *v;
        int r;

        r = load_object(json, size, &j);
        if (r < 0)
                return r;
        v = json_object_get(j, "schemaVersion");
        if (!json_is_integer(v) || json_integer_value(v) != 2)
                return -EBADMSG;
        m = new0(ImageManifest, 1);
        if (!m)
                return -ENOMEM;
        r = dup_string(j, "mediaType", false, &m->media_type);
        if (r < 0)
                return r;
        if (m->media_type && !media_type_is_manifest(m->media_type))
                return -EBADMSG;
        r = descriptor_parse(json_object_get(j, "config"), &m->config);
        if (r < 0)
                return r;
        r = descriptor_array_parse(json_object_get(j, "layers"), &m->layers);
        if (r < 0)
                return r;
        if (!m->layers[0])
                return -EBADMSG; /* nothing to run */
        for (ImageDescriptor **l = m->layers; *l; l++)
                if (!media_type_is_layer((*l)->media_type))
                        return -EOPNOTSUPP; /* foreign or non-distributable layer types */
        *ret = TAKE_PTR(m);
        return 0;
}

DockerArchiveImage **docker_archive_images_free(DockerArchiveImage **l) {
        if (!l)
                return NULL;
        for (DockerArchiveImage **i = l; *i; i++) {
                free((*i)->config);
                strv_free((*i)->repo_tags);
                strv_free((*i)->layers);
                free(*i);
        }
        return mfree(l);
}

static int strv_from_json(json_t *a, bool allow_null, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n;

        if (!a || json_is_null(a)) {
                if (!allow_null)
                        return -EBADMSG;
                l = new0(char *, 1);
                if (!l)
                        return -ENOMEM;
                *ret = TAKE_PTR(l);
                return 0;
        }
        if (!json_is_array(a))
                return -EBADMSG;
        n = json_array_size(a);
        l = new0(char *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_t *s = json_array_get(a, i);
                if (!json_is_string(s))
                        return -EBADMSG;
                l[i] = strdup(json_string_value(s));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int docker_archive_manifest_parse(const char *json, size_t size, DockerArchiveImage ***ret) {
        _cleanup_json_ json_t *j = json_loadb(json, size, JSON_REJECT_DUPLICATES, NULL);
        _cleanup_(docker_archive_images_freep) DockerArchiveImage **l = NULL;
        size_t n;
        int r;

        if (!j || !json_is_array(j) || json_array_size(j) == 0)
                return -EBADMSG;
        n = json_array_size(j);
        l = new0(DockerArchiveImage *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_t *o = json_array_get(j, i);
                DockerArchiveImage *d;

                if (!json_is_object(o))
                        return -EBADMSG;
                d = l[i] = new0(DockerArchiveImage, 1);
                if (!d)
                        return -ENOMEM;
                r = dup_string(o, "Config", true, &d->config);
                if (r < 0)
                        return r;
                r = strv_from_json(json_object_get(o, "RepoTags"), true, &d->repo_tags);
                if (r < 0)
                        return r;
                r = strv_from_json(json_object_get(o, "Layers"), false, &d->layers);
                if (r < 0)
                        return r;
                if (!d->layers[0])
                        return -EBADMSG;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static json_t *descriptor_to_json(const ImageDescriptor *d) {
        return json_pack("{s:s, s:I, s:s}", "mediaType", d->media_type, "size", (json_int_t) d->size, "digest", d->digest);
}

int docker_manifest_build(const ImageDescriptor *config, ImageDescriptor *const *layers, char **ret) {
        _cleanup_json_ json_t *j = NULL, *a = NULL;
        char *s;

        if (!config || !layers || !layers[0])
                return -EINVAL;
        a = json_array();
        if (!a)
                return -ENOMEM;
        for (ImageDescriptor *const *l = layers; *l; l++)
                if (json_array_append_new(a, descriptor_to_json(*l)) < 0)
                        return -ENOMEM;
        j = json_pack("{s:i, s:s, s:o, s:O}",
                      "schemaVersion", 2,
                      "mediaType", MEDIA_TYPE_DOCKER_MANIFEST,
                      "config", descriptor_to_json(config),
                      "layers", a);
        if (!j)
                return -ENOMEM;
        s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

const char *image_host_architecture(void) {
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__arm__)
        return "arm";
#elif defined(__i386__)
        return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64le";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#else
        return "unknown";
#endif
}

bool image_platform_matches_host(const char *os, const char *architecture, const char *variant) {
        if (os && !streq(os, "linux"))
                return false;
        if (architecture && !streq(architecture, image_host_architecture()))
                return false;
        /* variants (v7, v8) are not told apart: the architecture decides */
        return true;
}
