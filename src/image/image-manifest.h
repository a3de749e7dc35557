/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The JSON documents of images (pure parsing, jansson): OCI index (index.json and nested
 * indexes), OCI / docker schema 2 manifests, docker-archive manifest.json, and the docker
 * schema 2 manifest a docker archive is turned into. All parsers return -EBADMSG for a
 * document that is not what it should be. */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

#define MEDIA_TYPE_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_TYPE_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_TYPE_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_TYPE_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_TYPE_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_TYPE_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_TYPE_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_TYPE_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MEDIA_TYPE_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

#define ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
#define ANNOTATION_CONTAINERD_NAME "io.containerd.image.name"

bool media_type_is_index(const char *t);
bool media_type_is_manifest(const char *t);
bool media_type_is_layer(const char *t);

typedef struct ImageDescriptor {
        char *media_type;
        char *digest;
        int64_t size;
        char *ref_name;        /* annotation org.opencontainers.image.ref.name */
        char *containerd_name; /* annotation io.containerd.image.name */
        char *os, *architecture, *variant; /* platform, when given */
} ImageDescriptor;

ImageDescriptor *image_descriptor_free(ImageDescriptor *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageDescriptor *, image_descriptor_free);
ImageDescriptor **image_descriptor_array_free(ImageDescriptor **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageDescriptor **, image_descriptor_array_free);

/* index.json or an index blob: its manifests (NULL-terminated) */
int image_index_parse(const char *json, size_t size, ImageDescriptor ***ret);

typedef struct ImageManifest {
        char *media_type;         /* as the document says, may be NULL (then OCI) */
        ImageDescriptor *config;
        ImageDescriptor **layers; /* NULL-terminated */
} ImageManifest;

ImageManifest *image_manifest_free(ImageManifest *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageManifest *, image_manifest_free);
int image_manifest_parse(const char *json, size_t size, ImageManifest **ret);

/* One image of a docker archive's manifest.json */
typedef struct DockerArchiveImage {
        char *config;     /* path in the archive */
        char **repo_tags; /* "busybox:latest", may be empty */
        char **layers;    /* paths in the archive */
} DockerArchiveImage;

DockerArchiveImage **docker_archive_images_free(DockerArchiveImage **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(DockerArchiveImage **, docker_archive_images_free);
int docker_archive_manifest_parse(const char *json, size_t size, DockerArchiveImage ***ret);

/* A docker schema 2 manifest (compact JSON) for a config and layers given as descriptors. */
int docker_manifest_build(const ImageDescriptor *config, ImageDescriptor *const *layers, char **ret);

/* Does this platform (os/architecture/variant, NULLs match anything) run here? */
bool image_platform_matches_host(const char *os, const char *architecture, const char *variant);
/* "amd64", "arm64", … for this machine */
const char *image_host_architecture(void);
