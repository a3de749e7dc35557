/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd's content store (Content service): info, update labels, delete, and the two
 * streams — Read (blob → handler, chunk by chunk) and Write (a writer: chunks → commit with
 * the expected digest, which containerd verifies). */

#include "containerd-client.h"

typedef struct ContainerdContentInfo {
        char *digest;
        int64_t size;
        char **labels;
        uint64_t created_usec, updated_usec;
} ContainerdContentInfo;

ContainerdContentInfo *containerd_content_info_free(ContainerdContentInfo *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdContentInfo *, containerd_content_info_free);

/* reply: ContainerdContentInfo *; -ENOENT when the blob is not there */
int containerd_content_info(ContainerdClient *c, const char *ns, const char *digest, ContainerdHandler h, void *userdata);
int containerd_content_info_sync(ContainerdClient *c, const char *ns, const char *digest, ContainerdContentInfo **ret);

/* Set labels on a blob (e.g. "containerd.io/gc.ref.content.l.0" on a manifest). 'fields':
 * the update mask, e.g. "labels.containerd.io/gc.ref.content.l.0"; NULL replaces all labels.
 * reply: ContainerdContentInfo * */
int containerd_content_update(ContainerdClient *c, const char *ns, const char *digest, char *const *labels, char *const *fields,
                              ContainerdHandler h, void *userdata);
int containerd_content_update_sync(ContainerdClient *c, const char *ns, const char *digest, char *const *labels, char *const *fields);

int containerd_content_delete(ContainerdClient *c, const char *ns, const char *digest, ContainerdHandler h, void *userdata);
int containerd_content_delete_sync(ContainerdClient *c, const char *ns, const char *digest);

/* Drop the partial upload under 'ref' (after a writer was given up). */
int containerd_content_abort(ContainerdClient *c, const char *ns, const char *ref, ContainerdHandler h, void *userdata);
int containerd_content_abort_sync(ContainerdClient *c, const char *ns, const char *ref);

/* Read: 'on_data' runs for each chunk, in order (return < 0 to stop: the final handler gets
 * that error); 'h' runs once at the end (reply NULL). size 0: to the end. */
typedef int (*ContainerdDataHandler)(ContainerdClient *c, const void *data, size_t size, void *userdata);
int containerd_content_read(ContainerdClient *c, const char *ns, const char *digest, int64_t offset, int64_t size,
                            ContainerdDataHandler on_data, ContainerdHandler h, void *userdata);
/* the whole blob into memory, at most 'max_size' bytes (-EFBIG beyond) */
int containerd_content_read_sync(ContainerdClient *c, const char *ns, const char *digest, size_t max_size, void **ret, size_t *ret_size);

/* Write. One writer is one Write stream for one blob under 'ref' (a name unique to this
 * upload; containerd locks it). Chunks go one at a time: the handler of a write runs when
 * containerd took the chunk, then the next may be sent. commit finishes: containerd checks
 * size and digest, stores the blob with 'labels', and the handler runs (reply NULL).
 * -EEXIST from the first write or the commit: the blob is already in the store — success
 * for every purpose but the caller's bookkeeping. */
typedef struct ContainerdContentWriter ContainerdContentWriter;

int containerd_content_writer_new(ContainerdClient *c, const char *ns, const char *ref, int64_t total, const char *expected,
                                  ContainerdContentWriter **ret);
/* Cancels an unfinished upload (containerd keeps the partial data under 'ref' until its
 * garbage collection; nothing is committed). NULL-safe. */
ContainerdContentWriter *containerd_content_writer_free(ContainerdContentWriter *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdContentWriter *, containerd_content_writer_free);

int containerd_content_writer_write(ContainerdContentWriter *w, const void *data, size_t size, ContainerdHandler h, void *userdata);
int containerd_content_writer_write_sync(ContainerdContentWriter *w, const void *data, size_t size);
int containerd_content_writer_commit(ContainerdContentWriter *w, char *const *labels, ContainerdHandler h, void *userdata);
int containerd_content_writer_commit_sync(ContainerdContentWriter *w, char *const *labels);
int64_t containerd_content_writer_offset(ContainerdContentWriter *w);
/* The digest the commit must match, when it was not known at the start (data hashed while
 * it streamed). */
int containerd_content_writer_set_expected(ContainerdContentWriter *w, const char *expected);

/* A whole in-memory blob: writer, one write, commit. -EEXIST is turned into 0. */
int containerd_content_write_blob_sync(ContainerdClient *c, const char *ns, const char *ref, const void *data, size_t size,
                                       const char *expected, char *const *labels);
