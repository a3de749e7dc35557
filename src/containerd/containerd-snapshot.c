/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_snapshots_v1_snapshots.pb-c.h"
#include "containerd-internal.h"
#include "containerd-snapshot.h"
#include "strv.h"

#define SERVICE "/containerd.services.snapshots.v1.Snapshots/"

static char *snapshotter_or_default(const char *s) {
        return (char *) (s ?: CONTAINERD_SNAPSHOTTER_DEFAULT);
}

ContainerdSnapshotInfo *containerd_snapshot_info_free(ContainerdSnapshotInfo *i) {
        if (!i)
                return NULL;
        free(i->name);
        free(i->parent);
        strv_free(i->labels);
        return mfree(i);
}

static int convert_mounts(const ProtobufCMessage *m, void **ret) {
        /* Prepare and Mounts replies are both { repeated Mount mounts = 1; } */
        const Containerd__Services__Snapshots__V1__MountsResponse *r = (const void *) m;
        return containerd_mounts_from_pb(r->n_mounts, (void *const *) r->mounts, (ContainerdMount ***) ret);
}

static int convert_stat(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Snapshots__V1__StatSnapshotResponse *r = (const void *) m;
        _cleanup_(containerd_snapshot_info_freep) ContainerdSnapshotInfo *i = NULL;
        int k;

        if (!r->info)
                return -EBADMSG;
        i = new0(ContainerdSnapshotInfo, 1);
        if (!i)
                return -ENOMEM;
        if (containerd_strdup_or_null(r->info->name, &i->name) < 0 ||
            containerd_strdup_or_null(r->info->parent, &i->parent) < 0)
                return -ENOMEM;
        switch (r->info->kind) {
        case CONTAINERD__SERVICES__SNAPSHOTS__V1__KIND__VIEW:
                i->kind = CONTAINERD_SNAPSHOT_VIEW;
                break;
        case CONTAINERD__SERVICES__SNAPSHOTS__V1__KIND__ACTIVE:
                i->kind = CONTAINERD_SNAPSHOT_ACTIVE;
                break;
        case CONTAINERD__SERVICES__SNAPSHOTS__V1__KIND__COMMITTED:
                i->kind = CONTAINERD_SNAPSHOT_COMMITTED;
                break;
        default:
                i->kind = CONTAINERD_SNAPSHOT_UNKNOWN;
        }
        k = containerd_entries_to_labels(r->info->n_labels, (void *const *) r->info->labels, &i->labels);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(i);
        return 0;
}

static const ContainerdMethod method_prepare = { SERVICE "Prepare", &containerd__services__snapshots__v1__prepare_snapshot_response__descriptor, convert_mounts };
static const ContainerdMethod method_mounts = { SERVICE "Mounts", &containerd__services__snapshots__v1__mounts_response__descriptor, convert_mounts };
static const ContainerdMethod method_commit = { SERVICE "Commit", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_remove = { SERVICE "Remove", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_stat = { SERVICE "Stat", &containerd__services__snapshots__v1__stat_snapshot_response__descriptor, convert_stat };

int containerd_snapshot_prepare(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, const char *parent,
                                char *const *labels, ContainerdHandler h, void *userdata) {
        Containerd__Services__Snapshots__V1__PrepareSnapshotRequest req = CONTAINERD__SERVICES__SNAPSHOTS__V1__PREPARE_SNAPSHOT_REQUEST__INIT;
        int r;

        if (isempty(key))
                return -EINVAL;
        req.snapshotter = snapshotter_or_default(snapshotter);
        req.key = (char *) key;
        if (parent)
                req.parent = (char *) parent;
        r = containerd_labels_to_entries(labels, &containerd__services__snapshots__v1__prepare_snapshot_request__labels_entry__descriptor,
                                         &req.n_labels, (void ***) &req.labels);
        if (r < 0)
                return r;
        r = containerd_unary(c, ns, &method_prepare, &req.base, h, userdata);
        containerd_entries_free((void **) req.labels);
        return r;
}

int containerd_snapshot_prepare_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, const char *parent,
                                     char *const *labels, ContainerdMount ***ret) {
        return RUN_SYNC(c, containerd_mounts_free, ret, containerd_snapshot_prepare, c, ns, snapshotter, key, parent, labels);
}

int containerd_snapshot_mounts(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdHandler h, void *userdata) {
        Containerd__Services__Snapshots__V1__MountsRequest req = CONTAINERD__SERVICES__SNAPSHOTS__V1__MOUNTS_REQUEST__INIT;

        if (isempty(key))
                return -EINVAL;
        req.snapshotter = snapshotter_or_default(snapshotter);
        req.key = (char *) key;
        return containerd_unary(c, ns, &method_mounts, &req.base, h, userdata);
}

int containerd_snapshot_mounts_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdMount ***ret) {
        return RUN_SYNC(c, containerd_mounts_free, ret, containerd_snapshot_mounts, c, ns, snapshotter, key);
}

int containerd_snapshot_commit(ContainerdClient *c, const char *ns, const char *snapshotter, const char *name, const char *key,
                               char *const *labels, ContainerdHandler h, void *userdata) {
        Containerd__Services__Snapshots__V1__CommitSnapshotRequest req = CONTAINERD__SERVICES__SNAPSHOTS__V1__COMMIT_SNAPSHOT_REQUEST__INIT;
        int r;

        if (isempty(name) || isempty(key))
                return -EINVAL;
        req.snapshotter = snapshotter_or_default(snapshotter);
        req.name = (char *) name;
        req.key = (char *) key;
        r = containerd_labels_to_entries(labels, &containerd__services__snapshots__v1__commit_snapshot_request__labels_entry__descriptor,
                                         &req.n_labels, (void ***) &req.labels);
        if (r < 0)
                return r;
        r = containerd_unary(c, ns, &method_commit, &req.base, h, userdata);
        containerd_entries_free((void **) req.labels);
        return r;
}

int containerd_snapshot_commit_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *name, const char *key,
                                    char *const *labels) {
        return RUN_SYNC(c, NULL, NULL, containerd_snapshot_commit, c, ns, snapshotter, name, key, labels);
}

int containerd_snapshot_remove(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdHandler h, void *userdata) {
        Containerd__Services__Snapshots__V1__RemoveSnapshotRequest req = CONTAINERD__SERVICES__SNAPSHOTS__V1__REMOVE_SNAPSHOT_REQUEST__INIT;

        if (isempty(key))
                return -EINVAL;
        req.snapshotter = snapshotter_or_default(snapshotter);
        req.key = (char *) key;
        return containerd_unary(c, ns, &method_remove, &req.base, h, userdata);
}

int containerd_snapshot_remove_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key) {
        return RUN_SYNC(c, NULL, NULL, containerd_snapshot_remove, c, ns, snapshotter, key);
}

int containerd_snapshot_stat(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdHandler h, void *userdata) {
        Containerd__Services__Snapshots__V1__StatSnapshotRequest req = CONTAINERD__SERVICES__SNAPSHOTS__V1__STAT_SNAPSHOT_REQUEST__INIT;

        if (isempty(key))
                return -EINVAL;
        req.snapshotter = snapshotter_or_default(snapshotter);
        req.key = (char *) key;
        return containerd_unary(c, ns, &method_stat, &req.base, h, userdata);
}

int containerd_snapshot_stat_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdSnapshotInfo **ret) {
        return RUN_SYNC(c, containerd_snapshot_info_free, ret, containerd_snapshot_stat, c, ns, snapshotter, key);
}
