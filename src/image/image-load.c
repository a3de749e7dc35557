/* SPDX-License-Identifier: Apache-2.0 */
/* Image load: libarchive reads the tarball (tar in every dialect, gzip/zstd/xz on top, from a
 * pipe), because hand-written tar parsing is exactly the kind of code that goes wrong on the
 * edge cases (GNU long names, pax headers) an archive from another tool brings. */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "containerd-content.h"
#include "containerd-diff.h"
#include "containerd-image.h"
#include "containerd-lease.h"
#include "containerd-snapshot.h"
#include "image-archive.h"
#include "image-config.h"
#include "image-digest.h"
#include "image-internal.h"
#include "image-load.h"
#include "image-manifest.h"
#include "image-reference.h"
#include "strv.h"

/* JSON documents of the archive (index.json, manifest.json, configs, small blobs) are kept in
 * memory to be parsed after the pass; layers only stream through */
#define KEEP_IN_MEMORY_MAX (4 * 1024 * 1024)
#define READ_CHUNK (1024 * 1024)
/* a crashed load's lease must not keep its blobs forever */
#define LEASE_EXPIRE_SEC (3600)
/* unpacking a big layer takes a while */
#define APPLY_TIMEOUT_USEC (15ULL * 60 * 1000000ULL)

int loader_error(Loader *l, const char *fmt, ...) {
        va_list ap;

        if (l->error)
                return 0; /* the first error is the one that counts */
        va_start(ap, fmt);
        if (vasprintf(&l->error, fmt, ap) < 0)
                l->error = NULL;
        va_end(ap);
        return 0;
}

/* an error with containerd's message attached */
int loader_fail_containerd(Loader *l, int r, const char *what) {
        const char *m = containerd_client_last_error(l->client);
        loader_error(l, "%s: %s", what, m ?: strerror(-r));
        return r;
}

void loader_done(Loader *l) {
        for (size_t i = 0; i < l->n_blobs; i++) {
                free(l->blobs[i].path);
                free(l->blobs[i].data);
        }
        free(l->blobs);
        strv_free(l->names);
}

Blob *loader_blob_by_path(Loader *l, const char *path) {
        for (size_t i = 0; i < l->n_blobs; i++)
                if (streq(l->blobs[i].path, path))
                        return &l->blobs[i];
        return NULL;
}

Blob *loader_blob_by_digest(Loader *l, const char *digest) {
        for (size_t i = 0; i < l->n_blobs; i++)
                if (streq(l->blobs[i].digest, digest))
                        return &l->blobs[i];
        return NULL;
}

Blob *loader_blob_add(Loader *l, char *path) {
        Blob *n = realloc(l->blobs, (l->n_blobs + 1) * sizeof(Blob));
        if (!n)
                return NULL;
        l->blobs = n;
        n = &l->blobs[l->n_blobs++];
        *n = (Blob) { .path = path };
        return n;
}

int loader_lease_begin(Loader *l) {
        uint8_t rnd[8];
        char expire[64], *p;
        time_t t = time(NULL) + LEASE_EXPIRE_SEC;
        struct tm tm;
        int r;

        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -errno;
        p = stpcpy(l->lease, "kukeon-load-");
        for (size_t i = 0; i < sizeof(rnd); i++)
                p += sprintf(p, "%02x", rnd[i]);
        strftime(expire, sizeof(expire), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));

        char *labels[] = { (char *) "containerd.io/gc.expire", expire, NULL };
        r = containerd_lease_create_sync(l->client, l->ns, l->lease, labels);
        if (r < 0)
                return loader_fail_containerd(l, r, "cannot create a lease");
        l->lease_created = true;
        return containerd_client_set_lease(l->client, l->lease);
}

/* After a failure, wait for the garbage collection the lease's end starts: the caller then
 * finds nothing of the refused archive (and can delete the namespace right away). */
void loader_lease_end(Loader *l, bool failed) {
        (void) containerd_client_set_lease(l->client, NULL);
        if (l->lease_created)
                (void) containerd_lease_delete_sync(l->client, l->ns, l->lease, failed);
}

/* Stream the current entry: hash it, keep it in memory if asked, and upload it unless told
 * not to. 'expected' (the blob's name) is checked at the end. */
static int entry_stream(Loader *l, struct archive *a, Blob *b, const char *expected, bool keep, bool upload) {
        _cleanup_(containerd_content_writer_freep) ContainerdContentWriter *w = NULL;
        _cleanup_(sha256_freep) Sha256 *h = NULL;
        _cleanup_free_ char *buf = NULL, *ref = NULL;
        int64_t done = 0;
        bool exists = false;
        int r;

        r = sha256_new(&h);
        if (r < 0)
                return r;
        buf = malloc(READ_CHUNK);
        if (!buf)
                return -ENOMEM;
        if (keep) {
                b->data = malloc(b->size + 1);
                if (!b->data)
                        return -ENOMEM;
        }
        if (upload) {
                if (asprintf(&ref, "%s-%u", l->lease, l->n_refs++) < 0)
                        return -ENOMEM;
                r = containerd_content_writer_new(l->client, l->ns, ref, b->size, expected, &w);
                if (r < 0)
                        return r;
        }

        for (;;) {
                la_ssize_t n = archive_read_data(a, buf, READ_CHUNK);
                if (n < 0) {
                        loader_error(l, "cannot read '%s' from the archive: %s", b->path, archive_error_string(a) ?: "read error");
                        return -EBADMSG;
                }
                if (n == 0)
                        break;
                if (done + n > b->size) {
                        loader_error(l, "'%s' is longer than its tar header says", b->path);
                        return -EBADMSG;
                }
                if (done == 0 && n >= 2 && (uint8_t) buf[0] == 0x1f && (uint8_t) buf[1] == 0x8b)
                        b->gzip = true;
                r = sha256_update(h, buf, n);
                if (r < 0)
                        return r;
                if (keep)
                        memcpy(b->data + done, buf, n);
                if (w && !exists) {
                        r = containerd_content_writer_write_sync(w, buf, n);
                        if (r == -EEXIST)
                                /* in the store already: keep reading, the archive is still checked */
                                exists = true;
                        else if (r < 0)
                                return loader_fail_containerd(l, r, "cannot write to containerd's content store");
                }
                done += n;
        }
        if (done != b->size) {
                loader_error(l, "'%s' is truncated (%lld of %lld bytes)", b->path, (long long) done, (long long) b->size);
                return -EBADMSG;
        }
        if (keep) {
                b->data[done] = 0;
                b->data_size = done;
        }

        r = sha256_final(h, b->digest);
        if (r < 0)
                return r;
        if (expected && !streq(expected, b->digest)) {
                loader_error(l, "'%s' is corrupt: its content has digest %s, not %s", b->path, b->digest, expected);
                return -EBADMSG;
        }

        if (w && !exists) {
                r = containerd_content_writer_set_expected(w, b->digest);
                if (r < 0)
                        return r;
                r = containerd_content_writer_commit_sync(w, NULL);
                if (r < 0 && r != -EEXIST)
                        return loader_fail_containerd(l, r, "cannot commit a blob to containerd's content store");
        }
        b->in_store = upload;
        return 0;
}

/* entry_stream(), and on failure drop what containerd has of the upload */
static int entry_stream_or_abort(Loader *l, struct archive *a, Blob *b, const char *expected, bool keep, bool upload) {
        unsigned ref_index = l->n_refs;
        int r = entry_stream(l, a, b, expected, keep, upload);

        if (r < 0 && upload) {
                _cleanup_free_ char *ref = NULL;
                if (asprintf(&ref, "%s-%u", l->lease, ref_index) >= 0)
                        (void) containerd_content_abort_sync(l->client, l->ns, ref);
        }
        return r;
}

static int archive_pass(Loader *l, int fd) {
        struct archive *a;
        struct archive_entry *e;
        int r = 0;

        a = archive_read_new();
        if (!a)
                return -ENOMEM;
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
                loader_error(l, "not a tar archive: %s", archive_error_string(a) ?: "cannot open");
                r = -EBADMSG;
                goto finish;
        }

        for (;;) {
                _cleanup_free_ char *path = NULL, *digest = NULL;
                ArchiveEntryKind kind;
                const char *name;
                Blob *b;
                int k;

                k = archive_read_next_header(a, &e);
                if (k == ARCHIVE_EOF)
                        break;
                if (k < ARCHIVE_WARN) {
                        loader_error(l, "not a valid tar archive: %s", archive_error_string(a) ?: "bad header");
                        r = -EBADMSG;
                        goto finish;
                }
                if (archive_entry_filetype(e) != AE_IFREG)
                        continue;
                name = archive_entry_pathname(e);
                r = archive_entry_classify(name, &kind, &path, &digest);
                if (r == -EOPNOTSUPP) {
                        loader_error(l, "'%s': only sha256 blobs are supported", name);
                        goto finish;
                }
                if (r < 0) {
                        loader_error(l, "archive entry '%s' has an invalid path", strna(name));
                        r = -EBADMSG;
                        goto finish;
                }
                if (kind == ARCHIVE_ENTRY_IGNORE)
                        continue;
                if (loader_blob_by_path(l, path)) {
                        loader_error(l, "archive entry '%s' appears twice", path);
                        r = -EBADMSG;
                        goto finish;
                }

                int64_t size = archive_entry_size(e);
                bool json = kind != ARCHIVE_ENTRY_BLOB && kind != ARCHIVE_ENTRY_DOCKER_LAYER;
                bool keep = json || size <= KEEP_IN_MEMORY_MAX;
                /* docker configs and the top-level documents are uploaded later, if needed */
                bool upload = kind == ARCHIVE_ENTRY_BLOB || kind == ARCHIVE_ENTRY_DOCKER_LAYER;

                if (json && size > KEEP_IN_MEMORY_MAX) {
                        loader_error(l, "'%s' is too big for a JSON document (%lld bytes)", path, (long long) size);
                        r = -EBADMSG;
                        goto finish;
                }
                b = loader_blob_add(l, path);
                if (!b) {
                        r = -ENOMEM;
                        goto finish;
                }
                TAKE_PTR(path);
                b->size = size;
                r = entry_stream_or_abort(l, a, b, digest, keep, upload);
                if (r < 0)
                        goto finish;
        }
        r = 0;
finish:
        archive_read_free(a);
        return r;
}

/* a blob the manifest names must be in the archive (or the store), with the right size */
static int need_blob(Loader *l, const ImageDescriptor *d, const char *what, Blob **ret) {
        Blob *b = loader_blob_by_digest(l, d->digest);

        if (!b || !b->in_store) {
                _cleanup_(containerd_content_info_freep) ContainerdContentInfo *i = NULL;
                /* not in the archive: fine if containerd already has it */
                if (containerd_content_info_sync(l->client, l->ns, d->digest, &i) >= 0 && i->size == d->size) {
                        if (ret)
                                *ret = b;
                        return 0;
                }
                loader_error(l, "the %s %s is not in the archive", what, d->digest);
                return -EBADMSG;
        }
        if (b->size != d->size) {
                loader_error(l, "the %s %s has %lld bytes, its descriptor says %lld", what, d->digest, (long long) b->size, (long long) d->size);
                return -EBADMSG;
        }
        if (ret)
                *ret = b;
        return 0;
}

static int unpack(Loader *l, ImageDescriptor *const *layers, const ImageConfig *cfg) {
        size_t n = strv_length(cfg->diff_ids);
        int r;

        for (size_t i = 0; i < n; i++) {
                _cleanup_(containerd_snapshot_info_freep) ContainerdSnapshotInfo *info = NULL;
                _cleanup_(containerd_mounts_freep) ContainerdMount **mounts = NULL;
                _cleanup_(containerd_descriptor_freep) ContainerdDescriptor *applied = NULL;
                _cleanup_free_ char *key = NULL;
                const char *chain = cfg->chain_ids[i], *parent = i > 0 ? cfg->chain_ids[i - 1] : NULL;

                r = containerd_snapshot_stat_sync(l->client, l->ns, l->snapshotter, chain, &info);
                if (r >= 0 && info->kind == CONTAINERD_SNAPSHOT_COMMITTED)
                        continue; /* unpacked before */
                if (r < 0 && r != -ENOENT)
                        return loader_fail_containerd(l, r, "cannot look up a layer snapshot");

                if (asprintf(&key, "%s-extract-%zu %s", l->lease, i, chain) < 0)
                        return -ENOMEM;
                r = containerd_snapshot_prepare_sync(l->client, l->ns, l->snapshotter, key, parent, NULL, &mounts);
                if (r < 0)
                        return loader_fail_containerd(l, r, "cannot prepare a snapshot to unpack a layer into");

                ContainerdDescriptor diff = {
                        .media_type = layers[i]->media_type,
                        .digest = layers[i]->digest,
                        .size = layers[i]->size,
                };
                containerd_client_set_timeout(l->client, APPLY_TIMEOUT_USEC);
                r = containerd_diff_apply_sync(l->client, l->ns, &diff, mounts, &applied);
                containerd_client_set_timeout(l->client, 0);
                if (r < 0) {
                        loader_fail_containerd(l, r, "cannot unpack a layer");
                        (void) containerd_snapshot_remove_sync(l->client, l->ns, l->snapshotter, key);
                        return r;
                }
                if (!streq_ptr(applied->digest, cfg->diff_ids[i])) {
                        loader_error(l, "layer %s unpacks to %s, but the config's diff id is %s",
                                     layers[i]->digest, strna(applied->digest), cfg->diff_ids[i]);
                        (void) containerd_snapshot_remove_sync(l->client, l->ns, l->snapshotter, key);
                        return -EBADMSG;
                }
                r = containerd_snapshot_commit_sync(l->client, l->ns, l->snapshotter, chain, key, NULL);
                if (r == -EEXIST)
                        /* someone unpacked the same layer meanwhile */
                        (void) containerd_snapshot_remove_sync(l->client, l->ns, l->snapshotter, key);
                else if (r < 0) {
                        loader_fail_containerd(l, r, "cannot commit a layer snapshot");
                        (void) containerd_snapshot_remove_sync(l->client, l->ns, l->snapshotter, key);
                        return r;
                }
        }
        return 0;
}

/* Check one image (manifest + config + layers), unpack it, label it for the garbage collector
 * and name it. 'target' is the manifest's descriptor. */
int loader_load_image(Loader *l, const ImageDescriptor *target, const char *name, bool unpack_layers) {
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        _cleanup_free_ char *normalized = NULL;
        _cleanup_strv_free_ char **labels = NULL, **fields = NULL;
        Blob *mb, *cb;
        int r;

        r = image_reference_normalize(name, &normalized);
        if (r < 0) {
                loader_error(l, "'%s' is not a valid image name", name);
                return -EBADMSG;
        }

        r = need_blob(l, target, "manifest", &mb);
        if (r < 0)
                return r;
        if (!mb || !mb->data) {
                loader_error(l, "the manifest %s is not in the archive", target->digest);
                return -EBADMSG;
        }
        r = image_manifest_parse(mb->data, mb->data_size, &m);
        if (r == -EOPNOTSUPP) {
                loader_error(l, "the manifest %s has a layer type that cannot be unpacked", target->digest);
                return -EBADMSG;
        }
        if (r < 0) {
                loader_error(l, "the manifest %s is not a valid image manifest", target->digest);
                return -EBADMSG;
        }
        r = need_blob(l, m->config, "config", &cb);
        if (r < 0)
                return r;
        if (!cb || !cb->data) {
                loader_error(l, "the config %s is not in the archive", m->config->digest);
                return -EBADMSG;
        }
        r = image_config_parse(cb->data, cb->data_size, &cfg);
        if (r < 0) {
                loader_error(l, "the config %s is not a valid image config", m->config->digest);
                return -EBADMSG;
        }
        size_t n_layers = 0;
        while (m->layers[n_layers])
                n_layers++;
        if (strv_length(cfg->diff_ids) != n_layers) {
                loader_error(l, "the manifest %s has a different number of layers than its config's diff ids", target->digest);
                return -EBADMSG;
        }
        for (size_t i = 0; m->layers[i]; i++) {
                Blob *lb;
                char what[32];

                snprintf(what, sizeof(what), "layer %zu", i);
                r = need_blob(l, m->layers[i], what, &lb);
                if (r < 0)
                        return r;
                /* an uncompressed layer is its own diff: check now, before unpacking */
                if (lb && !lb->gzip && !strstr(m->layers[i]->media_type, "gzip") && !strstr(m->layers[i]->media_type, "zstd") &&
                    !streq(m->layers[i]->digest, cfg->diff_ids[i])) {
                        loader_error(l, "layer %zu (%s) does not match the config's diff id %s", i, m->layers[i]->digest, cfg->diff_ids[i]);
                        return -EBADMSG;
                }
        }

        if (unpack_layers) {
                r = unpack(l, m->layers, cfg);
                if (r < 0)
                        return r;
        }

        /* garbage collection: the manifest holds its config and layers, the config holds the
         * unpacked snapshot; the image record holds the manifest */
        r = strv_extend(&labels, "containerd.io/gc.ref.content.config");
        if (r >= 0)
                r = strv_extend(&labels, m->config->digest);
        for (size_t i = 0; r >= 0 && m->layers[i]; i++) {
                char key[64];
                snprintf(key, sizeof(key), "containerd.io/gc.ref.content.l.%zu", i);
                r = strv_extend(&labels, key);
                if (r >= 0)
                        r = strv_extend(&labels, m->layers[i]->digest);
        }
        for (size_t i = 0; r >= 0 && labels && labels[i]; i += 2) {
                _cleanup_free_ char *f = NULL;
                if (asprintf(&f, "labels.%s", labels[i]) < 0)
                        return -ENOMEM;
                r = strv_push(&fields, f);
                if (r >= 0)
                        TAKE_PTR(f);
        }
        if (r < 0)
                return r;
        r = containerd_content_update_sync(l->client, l->ns, target->digest, labels, fields);
        if (r < 0)
                return loader_fail_containerd(l, r, "cannot label the manifest");

        if (unpack_layers) {
                char key[128];
                snprintf(key, sizeof(key), "containerd.io/gc.ref.snapshot.%s", l->snapshotter);
                char *slabels[] = { key, cfg->chain_ids[strv_length(cfg->chain_ids) - 1], NULL };
                _cleanup_free_ char *f = NULL;
                if (asprintf(&f, "labels.%s", key) < 0)
                        return -ENOMEM;
                char *sfields[] = { f, NULL };
                r = containerd_content_update_sync(l->client, l->ns, m->config->digest, slabels, sfields);
                if (r < 0)
                        return loader_fail_containerd(l, r, "cannot label the config");
        }

        ContainerdImage image = {
                .name = normalized,
                .target = {
                        .media_type = target->media_type ?: m->media_type ?: (char *) MEDIA_TYPE_OCI_MANIFEST,
                        .digest = target->digest,
                        .size = target->size,
                },
        };
        r = containerd_image_create_sync(l->client, l->ns, &image, NULL);
        if (r == -EEXIST) {
                char *f[] = { (char *) "target", NULL };
                r = containerd_image_update_sync(l->client, l->ns, &image, f, NULL);
        }
        if (r < 0)
                return loader_fail_containerd(l, r, "cannot create the image record");

        return strv_extend(&l->names, normalized);
}

static int load_oci(Loader *l, const Blob *index, const ImageLoadOptions *opts) {
        _cleanup_(image_descriptor_array_freep) ImageDescriptor **entries = NULL;
        size_t loaded = 0;
        int r;

        r = image_index_parse(index->data, index->data_size, &entries);
        if (r < 0) {
                loader_error(l, "index.json is not a valid OCI image index");
                return -EBADMSG;
        }

        for (ImageDescriptor **e = entries; *e; e++) {
                _cleanup_(image_descriptor_array_freep) ImageDescriptor **sub = NULL;
                const ImageDescriptor *target = *e;
                const char *name;

                if (media_type_is_index(target->media_type)) {
                        /* a multi-platform image: pick this host's manifest */
                        Blob *b;
                        r = need_blob(l, target, "image index", &b);
                        if (r < 0)
                                return r;
                        if (!b || !b->data || image_index_parse(b->data, b->data_size, &sub) < 0) {
                                loader_error(l, "the image index %s is not valid", target->digest);
                                return -EBADMSG;
                        }
                        target = NULL;
                        for (ImageDescriptor **s = sub; *s; s++)
                                if (media_type_is_manifest((*s)->media_type) &&
                                    image_platform_matches_host((*s)->os, (*s)->architecture, (*s)->variant)) {
                                        target = *s;
                                        break;
                                }
                        if (!target)
                                continue;
                } else if (!media_type_is_manifest(target->media_type) ||
                           !image_platform_matches_host(target->os, target->architecture, target->variant))
                        continue;

                if (loaded == 0 && opts && opts->name)
                        name = opts->name;
                else if ((*e)->containerd_name)
                        name = (*e)->containerd_name;
                else if ((*e)->ref_name && (strchr((*e)->ref_name, '/') || strchr((*e)->ref_name, ':')))
                        name = (*e)->ref_name;
                else if ((*e)->ref_name && opts && opts->name)
                        continue; /* a bare tag of another image: only the first gets the name */
                else {
                        loader_error(l, "index.json does not name the image %s (annotation %s); give a name",
                                     target->digest, ANNOTATION_REF_NAME);
                        return -EBADMSG;
                }

                r = loader_load_image(l, target, name, !(opts && opts->no_unpack));
                if (r < 0)
                        return r;
                loaded++;
        }
        if (loaded == 0) {
                loader_error(l, "the archive has no image for linux/%s", image_host_architecture());
                return -EBADMSG;
        }
        return 0;
}

static int load_docker(Loader *l, const Blob *manifest, const ImageLoadOptions *opts) {
        _cleanup_(docker_archive_images_freep) DockerArchiveImage **images = NULL;
        int r;

        r = docker_archive_manifest_parse(manifest->data, manifest->data_size, &images);
        if (r < 0) {
                loader_error(l, "manifest.json is not a valid docker archive manifest");
                return -EBADMSG;
        }

        for (size_t i = 0; images[i]; i++) {
                DockerArchiveImage *di = images[i];
                _cleanup_(image_descriptor_array_freep) ImageDescriptor **layers = NULL;
                _cleanup_free_ char *mjson = NULL;
                ImageDescriptor config = {}, target = {};
                char mdigest[DIGEST_SHA256_STRING_LEN + 1];
                size_t n_layers = strv_length(di->layers);
                Blob *cb, *mb;
                const char *name;

                cb = loader_blob_by_path(l, di->config);
                if (!cb || !cb->data) {
                        loader_error(l, "the config '%s' named in manifest.json is not in the archive", di->config);
                        return -EBADMSG;
                }
                /* "<hex>.json" or "blobs/sha256/<hex>": the name is the digest */
                if (strlen(di->config) == DIGEST_SHA256_HEX_LEN + 5 &&
                    strncmp(cb->digest + strlen(DIGEST_SHA256_PREFIX), di->config, DIGEST_SHA256_HEX_LEN) != 0) {
                        loader_error(l, "'%s' is corrupt: its content has digest %s", di->config, cb->digest);
                        return -EBADMSG;
                }
                if (!cb->in_store) {
                        _cleanup_free_ char *ref = NULL;
                        if (asprintf(&ref, "%s-%u", l->lease, l->n_refs++) < 0)
                                return -ENOMEM;
                        r = containerd_content_write_blob_sync(l->client, l->ns, ref, cb->data, cb->data_size, cb->digest, NULL);
                        if (r < 0)
                                return loader_fail_containerd(l, r, "cannot write the image config");
                        cb->in_store = true;
                }

                layers = new0(ImageDescriptor *, n_layers + 1);
                if (!layers)
                        return -ENOMEM;
                for (size_t k = 0; k < n_layers; k++) {
                        Blob *lb = loader_blob_by_path(l, di->layers[k]);
                        if (!lb || !lb->in_store) {
                                loader_error(l, "the layer '%s' named in manifest.json is not in the archive", di->layers[k]);
                                return -EBADMSG;
                        }
                        layers[k] = new0(ImageDescriptor, 1);
                        if (!layers[k])
                                return -ENOMEM;
                        layers[k]->media_type = strdup(lb->gzip ? MEDIA_TYPE_DOCKER_LAYER_GZIP : MEDIA_TYPE_DOCKER_LAYER);
                        layers[k]->digest = strdup(lb->digest);
                        if (!layers[k]->media_type || !layers[k]->digest)
                                return -ENOMEM;
                        layers[k]->size = lb->size;
                }
                config.media_type = (char *) MEDIA_TYPE_DOCKER_CONFIG;
                config.digest = cb->digest;
                config.size = cb->size;
                r = docker_manifest_build(&config, layers, &mjson);
                if (r < 0)
                        return r;
                r = digest_of(mjson, strlen(mjson), mdigest);
                if (r < 0)
                        return r;

                /* the synthesized manifest is a blob like any other */
                _cleanup_free_ char *path = NULL, *ref = NULL;
                if (asprintf(&path, "(manifest of %s)", di->config) < 0 || asprintf(&ref, "%s-%u", l->lease, l->n_refs++) < 0)
                        return -ENOMEM;
                r = containerd_content_write_blob_sync(l->client, l->ns, ref, mjson, strlen(mjson), mdigest, NULL);
                if (r < 0)
                        return loader_fail_containerd(l, r, "cannot write the image manifest");
                mb = loader_blob_add(l, TAKE_PTR(path));
                if (!mb)
                        return -ENOMEM;
                strcpy(mb->digest, mdigest);
                mb->size = strlen(mjson);
                mb->data_size = strlen(mjson);
                mb->data = TAKE_PTR(mjson);
                mb->in_store = true;

                target.media_type = (char *) MEDIA_TYPE_DOCKER_MANIFEST;
                target.digest = mdigest;
                target.size = mb->size;

                if (i == 0 && opts && opts->name)
                        name = opts->name;
                else if (di->repo_tags[0])
                        name = di->repo_tags[0];
                else {
                        loader_error(l, "manifest.json names no image (RepoTags); give a name");
                        return -EBADMSG;
                }
                r = loader_load_image(l, &target, name, !(opts && opts->no_unpack));
                if (r < 0)
                        return r;
                /* further tags of the same image */
                for (size_t t = 1; !(i == 0 && opts && opts->name) && di->repo_tags[t]; t++) {
                        r = loader_load_image(l, &target, di->repo_tags[t], false);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int image_load_fd(ContainerdClient *c, const char *ns, int fd, const ImageLoadOptions *opts, char ***ret_names, char **ret_error) {
        Loader l = {
                .client = c,
                .ns = ns,
                .snapshotter = opts && opts->snapshotter ? opts->snapshotter : CONTAINERD_SNAPSHOTTER_DEFAULT,
        };
        Blob *index, *manifest;
        int r;

        if (!c || isempty(ns) || fd < 0)
                return -EINVAL;

        r = loader_lease_begin(&l);
        if (r < 0)
                goto finish;
        r = archive_pass(&l, fd);
        if (r < 0)
                goto finish;

        index = loader_blob_by_path(&l, "index.json");
        manifest = loader_blob_by_path(&l, "manifest.json");
        if (index)
                r = load_oci(&l, index, opts);
        else if (manifest)
                r = load_docker(&l, manifest, opts);
        else {
                loader_error(&l, "neither an OCI image layout (no index.json) nor a docker archive (no manifest.json)");
                r = -EBADMSG;
        }

finish:
        loader_lease_end(&l, r < 0);
        if (r < 0) {
                if (!l.error)
                        loader_error(&l, "%s", strerror(-r));
                if (ret_error)
                        *ret_error = TAKE_PTR(l.error);
        } else if (ret_names)
                *ret_names = TAKE_PTR(l.names);
        free(l.error);
        loader_done(&l);
        return r;
}
