/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The containerd client: one gRPC channel to containerd's socket, one completion queue, one
 * poller thread that hands completions to an sd-event loop through an eventfd, so every handler
 * runs on the loop's thread. Plain C only: no gRPC or protobuf-c type crosses this header (they
 * stay inside src/containerd/, the only module that links them).
 *
 * Every operation comes twice (see the per-noun headers, or containerd.h for all of them):
 *   containerd_X(c, ns, args..., handler, userdata)   asynchronous; 'handler' runs later on the
 *                                                     loop thread, exactly once, unless the client
 *                                                     is freed first;
 *   containerd_X_sync(c, ns, args..., ret...)         runs the client's loop until the reply.
 * The _sync functions run the client's own sd-event loop: use them on a client made with a NULL
 * event (a private loop), never from inside a handler (they return -EBUSY there).
 *
 * Errors: negative errno mapped from the gRPC status (containerd_status_to_errno());
 * containerd's own message is handed to the handler, and kept for the last _sync call in
 * containerd_client_last_error(). -ENOTCONN means containerd is not reachable right now. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macro.h"

#define CONTAINERD_ADDRESS_DEFAULT "unix:///run/containerd/containerd.sock"
/* the deadline of a unary call unless containerd_client_set_timeout() says otherwise */
#define CONTAINERD_TIMEOUT_DEFAULT_USEC (30ULL * 1000000ULL)
#define CONTAINERD_RUNTIME_RUNC_V2 "io.containerd.runc.v2"
#define CONTAINERD_SNAPSHOTTER_DEFAULT "overlayfs"
#define CONTAINERD_SPEC_TYPE_URL "types.containerd.io/opencontainers/runtime-spec/1/Spec"
#define CONTAINERD_PROCESS_TYPE_URL "types.containerd.io/opencontainers/runtime-spec/1/Process"

typedef struct ContainerdClient ContainerdClient;

typedef enum ContainerdState {
        CONTAINERD_STATE_CONNECTING,   /* never connected yet */
        CONTAINERD_STATE_CONNECTED,
        CONTAINERD_STATE_DISCONNECTED, /* was connected; reconnecting with backoff */
        _CONTAINERD_STATE_MAX,
} ContainerdState;

const char *containerd_state_to_string(ContainerdState s);

/* The handler of every asynchronous call. 'error' is 0 or a negative errno; 'message' is
 * containerd's status message (NULL on success). 'reply' is the operation's plain-C reply as
 * its header documents (NULL when it has none, and on error); the handler owns it and frees it
 * with that type's free function. */
typedef void (*ContainerdHandler)(ContainerdClient *c, int error, const char *message, void *reply, void *userdata);

/* Called on the loop thread when the connection changes (connected ↔ disconnected). Calls
 * in flight when containerd goes away fail with -ENOTCONN (or -ECONNRESET for streams); the
 * channel reconnects by itself with backoff, and the owner resubscribes to events on
 * CONTAINERD_STATE_CONNECTED. */
typedef void (*ContainerdStateHandler)(ContainerdClient *c, ContainerdState state, void *userdata);

/* 'event': the loop handlers run on; NULL makes a private loop (for the _sync functions).
 * 'address': a gRPC target such as "unix:///run/containerd/containerd.sock", or a socket path
 * ("/run/containerd/containerd.sock"); NULL for the default. The connection is made in the background: this never blocks. */
int containerd_client_new(sd_event *event, const char *address, ContainerdClient **ret);
/* Cancels what is in flight (their handlers are not called), joins the poller thread, frees.
 * Not from inside one of this client's handlers. NULL-safe; returns NULL. */
ContainerdClient *containerd_client_free(ContainerdClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdClient *, containerd_client_free);

void containerd_client_set_state_handler(ContainerdClient *c, ContainerdStateHandler h, void *userdata);
ContainerdState containerd_client_get_state(ContainerdClient *c);
sd_event *containerd_client_get_event(ContainerdClient *c);
const char *containerd_client_get_address(ContainerdClient *c);
/* the deadline of each unary call started from now on (0: the default) */
void containerd_client_set_timeout(ContainerdClient *c, uint64_t usec);
/* Send header "containerd-lease: <id>" on calls started from now on (NULL: stop), so what
 * they create is kept until the lease is deleted. */
int containerd_client_set_lease(ContainerdClient *c, const char *lease_id);
/* containerd's message of the last failed _sync call, or NULL */
const char *containerd_client_last_error(ContainerdClient *c);

/* Run the private loop until connected (or 'timeout_usec' passes: -ETIMEDOUT). For tests and
 * the CLI's in-process mode; the daemon uses the state handler instead. */
int containerd_client_wait_connected(ContainerdClient *c, uint64_t timeout_usec);

/* gRPC status code → negative errno (0 for OK). */
int containerd_status_to_errno(int grpc_status);

/* ---- types shared by several services ---- */

typedef struct ContainerdMount {
        char *type;
        char *source;
        char *target;
        char **options;
} ContainerdMount;

/* a NULL-terminated array of mounts */
ContainerdMount **containerd_mounts_free(ContainerdMount **m);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdMount **, containerd_mounts_free);

typedef struct ContainerdDescriptor {
        char *media_type;
        char *digest;       /* "sha256:<64 hex>" */
        int64_t size;
        char **annotations; /* key, value, key, value, ..., NULL */
} ContainerdDescriptor;

ContainerdDescriptor *containerd_descriptor_free(ContainerdDescriptor *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdDescriptor *, containerd_descriptor_free);
