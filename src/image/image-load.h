/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Load images from a tarball into containerd (containerd 1.6 has no server-side import):
 * an OCI image layout or a docker archive (docker save), plain or compressed, read as a
 * stream from a file descriptor (a pipe is fine: one pass, nothing written to disk).
 *
 *   1. every blob streams into the content store (Content/Write, under a lease); each is
 *      hashed with sha256 while it streams and checked against its name (blobs/sha256/<hex>)
 *      and against the descriptors that reference it: a mismatch refuses the whole archive;
 *   2. manifests and configs are checked (sizes, digests, diff ids);
 *   3. layers are unpacked with Diff/Apply into the snapshotter (prepare, apply, commit under
 *      the chain id), skipping those already there;
 *   4. garbage-collection labels tie manifest → config/layers → snapshot, then the image
 *      record is created (or repointed), then the lease goes.
 * Nothing is named before everything checked out: a refused archive leaves no image, and the
 * uploaded blobs go with the lease.
 *
 * Runs the client's loop (sync): use a client with its own loop (containerd_client_new(NULL,
 * ...)), e.g. in a worker thread of the daemon. */

#include "containerd-client.h"

typedef struct ImageLoadOptions {
        /* name for the image: needed when the archive names none; with several images in
         * the archive, only the first gets it */
        const char *name;
        const char *snapshotter; /* NULL: overlayfs */
        bool no_unpack;
} ImageLoadOptions;

/* *ret_names: the (normalized) names of the images loaded. *ret_error: on failure, a message
 * saying what was wrong with the archive or what containerd said. -EBADMSG: the archive is
 * corrupt or not an image (message says which entry); -ENOTCONN: containerd unreachable. */
int image_load_fd(ContainerdClient *c, const char *ns, int fd, const ImageLoadOptions *opts, char ***ret_names, char **ret_error);
