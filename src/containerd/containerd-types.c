/* SPDX-License-Identifier: Apache-2.0 */
/* Mounts and descriptors between protobuf-c and the plain-C types of containerd-client.h. */

#include "api_types_descriptor.pb-c.h"
#include "api_types_mount.pb-c.h"
#include "google_protobuf_timestamp.pb-c.h"
#include "containerd-internal.h"
#include "strv.h"

static int strv_from_array(size_t n, char *const *a, char ***ret) {
        _cleanup_strv_free_ char **l = new0(char *, n + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                l[i] = strdup(strempty(a[i]));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int containerd_mounts_from_pb(size_t n, void *const *pb_mounts, ContainerdMount ***ret) {
        _cleanup_(containerd_mounts_freep) ContainerdMount **l = new0(ContainerdMount *, n + 1);
        int r;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const Containerd__Types__Mount *pm = pb_mounts[i];
                ContainerdMount *m = new0(ContainerdMount, 1);
                if (!m)
                        return -ENOMEM;
                l[i] = m;
                m->type = strdup(strempty(pm->type));
                m->source = strdup(strempty(pm->source));
                m->target = strdup(strempty(pm->target));
                if (!m->type || !m->source || !m->target)
                        return -ENOMEM;
                r = strv_from_array(pm->n_options, pm->options, &m->options);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

void containerd_pb_mounts_free(size_t n, void **pb) {
        free(pb);
}

int containerd_mounts_to_pb(ContainerdMount *const *mounts, size_t *ret_n, void ***ret) {
        size_t n = 0;

        while (mounts && mounts[n])
                n++;
        if (n == 0) {
                *ret_n = 0;
                *ret = NULL;
                return 0;
        }

        /* one block: pointers, then the messages; strings stay borrowed from 'mounts' */
        void **v = calloc(1, n * sizeof(void *) + n * sizeof(Containerd__Types__Mount));
        if (!v)
                return -ENOMEM;
        Containerd__Types__Mount *pm = (Containerd__Types__Mount *) (v + n);
        for (size_t i = 0; i < n; i++) {
                containerd__types__mount__init(&pm[i]);
                pm[i].type = mounts[i]->type ?: (char *) "";
                pm[i].source = mounts[i]->source ?: (char *) "";
                pm[i].target = mounts[i]->target ?: (char *) "";
                pm[i].n_options = strv_length(mounts[i]->options);
                pm[i].options = mounts[i]->options;
                v[i] = &pm[i];
        }
        *ret_n = n;
        *ret = v;
        return 0;
}

int containerd_descriptor_from_pb(const void *pb, ContainerdDescriptor **ret) {
        const Containerd__Types__Descriptor *pd = pb;
        _cleanup_(containerd_descriptor_freep) ContainerdDescriptor *d = NULL;
        int r;

        if (!pd)
                return -EBADMSG;
        d = new0(ContainerdDescriptor, 1);
        if (!d)
                return -ENOMEM;
        d->media_type = strdup(strempty(pd->media_type));
        d->digest = strdup(strempty(pd->digest));
        if (!d->media_type || !d->digest)
                return -ENOMEM;
        d->size = pd->size;
        r = containerd_entries_to_labels(pd->n_annotations, (void *const *) pd->annotations, &d->annotations);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

uint64_t containerd_timestamp_usec(const void *pb_timestamp) {
        const Google__Protobuf__Timestamp *t = pb_timestamp;

        if (!t || t->seconds < 0)
                return 0;
        return (uint64_t) t->seconds * 1000000ULL + (uint64_t) t->nanos / 1000ULL;
}

int containerd_strdup_or_null(const char *s, char **ret) {
        if (isempty(s)) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}
