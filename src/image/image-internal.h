/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Shared by image load (tarballs) and image pull (registries), inside src/image/ only: the
 * bookkeeping of blobs put into the content store under one lease, and the common end of both —
 * check manifest and config, unpack, label for the garbage collector, name the image. */

#include "containerd-client.h"
#include "image-digest.h"
#include "image-manifest.h"

typedef struct Blob {
        char *path;
        char digest[DIGEST_SHA256_STRING_LEN + 1];
        int64_t size;
        bool gzip;
        bool in_store;   /* uploaded now, or already there */
        char *data;      /* when kept in memory */
        size_t data_size;
} Blob;

typedef struct Loader {
        ContainerdClient *client;
        const char *ns;
        const char *snapshotter;
        char lease[64];
        bool lease_created;
        unsigned n_refs;
        Blob *blobs;
        size_t n_blobs;
        char *error;
        char **names;
} Loader;

_printf_(2, 3) int loader_error(Loader *l, const char *fmt, ...);
/* an error with containerd's message attached; returns r */
int loader_fail_containerd(Loader *l, int r, const char *what);
void loader_done(Loader *l);
Blob *loader_blob_by_path(Loader *l, const char *path);
Blob *loader_blob_by_digest(Loader *l, const char *digest);
/* takes 'path' on success */
Blob *loader_blob_add(Loader *l, char *path);
int loader_lease_begin(Loader *l);
void loader_lease_end(Loader *l, bool failed);
/* 'target': a manifest whose blob is in l (with its data); its config likewise; layers in l
 * or in the store. Unpacks, labels, creates or repoints image 'name'; adds it to l->names. */
int loader_load_image(Loader *l, const ImageDescriptor *target, const char *name, bool unpack_layers);
