/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd snapshots (Snapshots service): prepare, mounts, commit, remove, stat.
 * 'snapshotter' NULL means CONTAINERD_SNAPSHOTTER_DEFAULT ("overlayfs"). */

#include "containerd-client.h"

typedef enum ContainerdSnapshotKind {
        CONTAINERD_SNAPSHOT_UNKNOWN,
        CONTAINERD_SNAPSHOT_VIEW,
        CONTAINERD_SNAPSHOT_ACTIVE,
        CONTAINERD_SNAPSHOT_COMMITTED,
} ContainerdSnapshotKind;

typedef struct ContainerdSnapshotInfo {
        char *name;
        char *parent;  /* NULL for none */
        ContainerdSnapshotKind kind;
        char **labels;
} ContainerdSnapshotInfo;

ContainerdSnapshotInfo *containerd_snapshot_info_free(ContainerdSnapshotInfo *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdSnapshotInfo *, containerd_snapshot_info_free);

/* An active snapshot 'key' on top of committed 'parent' (NULL: empty). reply: ContainerdMount ** */
int containerd_snapshot_prepare(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, const char *parent,
                                char *const *labels, ContainerdHandler h, void *userdata);
int containerd_snapshot_prepare_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, const char *parent,
                                     char *const *labels, ContainerdMount ***ret);

/* reply: ContainerdMount ** */
int containerd_snapshot_mounts(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdHandler h, void *userdata);
int containerd_snapshot_mounts_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdMount ***ret);

/* Commit active snapshot 'key' as 'name'. */
int containerd_snapshot_commit(ContainerdClient *c, const char *ns, const char *snapshotter, const char *name, const char *key,
                               char *const *labels, ContainerdHandler h, void *userdata);
int containerd_snapshot_commit_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *name, const char *key,
                                    char *const *labels);

int containerd_snapshot_remove(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdHandler h, void *userdata);
int containerd_snapshot_remove_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key);

/* reply: ContainerdSnapshotInfo *. -ENOENT when missing. */
int containerd_snapshot_stat(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdHandler h, void *userdata);
int containerd_snapshot_stat_sync(ContainerdClient *c, const char *ns, const char *snapshotter, const char *key, ContainerdSnapshotInfo **ret);
