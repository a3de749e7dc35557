/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Pull an image from a registry (distribution v2 protocol) into containerd, with libcurl:
 * anonymous, Basic or Bearer-token authentication (the token fetched from the realm the
 * registry's WWW-Authenticate names, with the credentials for that registry when there are
 * some), manifest lists / OCI indexes with this host's platform picked, every digest verified
 * (manifests against the reference or Docker-Content-Digest, blobs while they stream into the
 * content store), then the same unpack, garbage-collection labels and image record as image
 * load (image-load.h). Registries on localhost / 127.0.0.0/8 / ::1 are spoken to over plain
 * HTTP (as docker does), all others over HTTPS unless told otherwise.
 *
 * Runs the client's loop (sync), like image load. */

#include <stdint.h>

#include "containerd-client.h"

typedef struct ImagePullCredentials {
        const char *server_address; /* "registry.example.com[:port]" (a realm's serverAddress) */
        const char *username;
        const char *password;
} ImagePullCredentials;

/* bytes of blobs fetched so far and in all (blobs already in the store count as done) */
typedef void (*ImagePullProgress)(uint64_t done, uint64_t total, void *userdata);

typedef struct ImagePullOptions {
        const ImagePullCredentials *credentials;
        size_t n_credentials;
        const char *snapshotter;  /* NULL: overlayfs */
        bool no_unpack;
        bool plain_http;          /* HTTP for every registry, not only local ones */
        ImagePullProgress progress;
        void *userdata;
} ImagePullOptions;

/* 'ref' is normalized first ("busybox" → docker.io/library/busybox:latest). *ret_name: the
 * image name created. *ret_error: what went wrong, for a person. -EACCES: the registry refused
 * the credentials (or wants some), -ENOENT: no such image or tag, -EBADMSG: a digest did not
 * match, -EHOSTUNREACH / -ECONNREFUSED / -ETIMEDOUT: the registry cannot be reached. */
int image_pull(ContainerdClient *c, const char *ns, const char *ref, const ImagePullOptions *opts, char **ret_name, char **ret_error);

/* ---- pieces, exposed for the unit tests ---- */

/* Split a normalized reference: "docker.io/library/busybox:latest" → host
 * "registry-1.docker.io", repository "library/busybox", reference "latest" (a tag, or a
 * digest when the reference has one). */
int registry_reference_split(const char *normalized, char **ret_host, char **ret_repository, char **ret_reference);

/* localhost, 127.0.0.0/8, ::1 (with or without :port) */
bool registry_host_is_local(const char *host);

/* WWW-Authenticate: 'Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"'
 * or 'Basic realm="..."'. Outputs optional; missing parameters are NULL. -EINVAL for garbage. */
int www_authenticate_parse(const char *header, char **ret_scheme, char **ret_realm, char **ret_service, char **ret_scope);
