/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Inside the containerd module only: the gRPC and protobuf-c side of the client. No header
 * outside src/containerd/ may include this one. */

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

#include "containerd-client.h"

/* Every completion-queue tag is one of these, embedded in the object it belongs to. 'ok' is
 * the completion's success flag. Runs on the loop thread (or while the client is freed, with
 * c->closing set: then it must only release what it holds). */
typedef struct ContainerdTag ContainerdTag;
struct ContainerdTag {
        void (*complete)(ContainerdTag *t, bool ok);
};

/* A unary method: its path and how its reply becomes a plain-C object. */
typedef struct ContainerdMethod {
        const char *path;                               /* "/containerd.services.X.v1.Y/Z" */
        const ProtobufCMessageDescriptor *reply_type;   /* decoded with this */
        /* the plain-C reply handed to the handler; NULL: the handler gets NULL */
        int (*convert)(const ProtobufCMessage *reply, void **ret);
} ContainerdMethod;

/* Start a unary call: 'req' is packed at once (the caller keeps ownership). The handler runs
 * exactly once, on the loop thread, after the reply or the deadline. */
int containerd_unary(
                ContainerdClient *c,
                const char *ns,
                const ContainerdMethod *m,
                const ProtobufCMessage *req,
                ContainerdHandler handler,
                void *userdata);

/* Streaming calls. A stream sends messages with containerd_stream_send() (one at a time:
 * on_sent runs when the message is out) and receives them one at a time: on_message runs for
 * each, with the decoded message (borrowed), and the next one is asked for once it returns;
 * on_end runs once, last, with the final status. After on_end the stream is freed. */
typedef struct ContainerdStream ContainerdStream;
typedef struct ContainerdStreamOps {
        const char *path;
        const ProtobufCMessageDescriptor *message_type;
        /* return < 0 to cancel the stream (on_end then gets that error) */
        int (*on_message)(ContainerdStream *s, const ProtobufCMessage *m, void *userdata);
        void (*on_sent)(ContainerdStream *s, bool ok, void *userdata);
        void (*on_end)(ContainerdStream *s, int error, const char *message, void *userdata);
        /* instead of on_end when the client is freed first: release 'userdata' only */
        void (*on_release)(void *userdata);
} ContainerdStreamOps;

/* 'first': sent at once, NULL for none. 'close_send': half-close after 'first' (server
 * streaming). 'timeout_usec': 0 for no deadline. */
int containerd_stream_start(
                ContainerdClient *c,
                const char *ns,
                const ContainerdStreamOps *ops,
                const ProtobufCMessage *first,
                bool close_send,
                uint64_t timeout_usec,
                void *userdata,
                ContainerdStream **ret);
int containerd_stream_send(ContainerdStream *s, const ProtobufCMessage *m, bool close_send);
/* Cancel: on_end follows with -ECANCELED (unless the status is already in). */
void containerd_stream_cancel(ContainerdStream *s, int error);
ContainerdClient *containerd_stream_get_client(ContainerdStream *s);

/* ---- the sync wrappers ---- */

typedef struct ContainerdSync {
        bool done;
        int error;
        char *message;
        void *reply;
} ContainerdSync;

void containerd_sync_handler(ContainerdClient *c, int error, const char *message, void *reply, void *userdata);
/* Run the loop until s->done; hands the reply over (or frees it with free_reply when
 * ret_reply is NULL). Returns s->error. */
int containerd_sync_wait(ContainerdClient *c, ContainerdSync *s, void (*free_reply)(void *), void **ret_reply);
/* Run the loop until *done. -EBUSY from inside a handler. */
int containerd_client_run_until(ContainerdClient *c, const bool *done);
void containerd_client_set_last_error(ContainerdClient *c, const char *message);

/* 0 when a _sync call may run the loop now; -EBUSY from inside a handler of the same loop.
 * Checked before the call starts: its handler must never outlive the caller's stack frame. */
int containerd_client_can_wait(ContainerdClient *c);

/* RUN_SYNC(c, free_fn, ret, containerd_x, args...): call containerd_x(args..., sync handler)
 * and wait. */
#define RUN_SYNC(c, free_fn, ret, fn, ...)                                                      \
        ({                                                                                      \
                ContainerdSync _s = {};                                                         \
                int _r = containerd_client_can_wait(c);                                         \
                if (_r >= 0)                                                                    \
                        _r = fn(__VA_ARGS__, containerd_sync_handler, &_s);                     \
                _r < 0 ? _r : containerd_sync_wait((c), &_s, (void (*)(void *))(void (*)(void))(free_fn), (void **)(ret)); \
        })

/* ---- conversions ---- */

/* labels as key/value strv ↔ protobuf map entries. The protobuf-c map entry types of each
 * message are distinct but identical in layout ({base, key, value}); these work on any of
 * them through the generic ProtobufCMessage and the entry descriptor. */
typedef struct ContainerdLabelEntry {
        ProtobufCMessage base;
        char *key;
        char *value;
} ContainerdLabelEntry;

/* Build n entries (allocated in one block, *ret_entries points into it) from a strv of
 * key/value pairs. Free with free(*ret_entries_block). */
int containerd_labels_to_entries(
                char *const *labels,
                const ProtobufCMessageDescriptor *entry_type,
                size_t *ret_n,
                void ***ret_entries);
void containerd_entries_free(void **entries);
int containerd_entries_to_labels(size_t n, void *const *entries, char ***ret);

int containerd_mounts_from_pb(size_t n, void *const *pb_mounts, ContainerdMount ***ret);
/* into an array of protobuf mounts; free with containerd_pb_mounts_free() */
int containerd_mounts_to_pb(ContainerdMount *const *mounts, size_t *ret_n, void ***ret);
void containerd_pb_mounts_free(size_t n, void **pb);

int containerd_descriptor_from_pb(const void *pb, ContainerdDescriptor **ret);

/* google.protobuf.Timestamp → µs since the epoch (0 when unset) */
uint64_t containerd_timestamp_usec(const void *pb_timestamp);
/* a copy of 's', or NULL for NULL or "" */
int containerd_strdup_or_null(const char *s, char **ret);
