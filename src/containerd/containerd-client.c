/* SPDX-License-Identifier: Apache-2.0 */
/* The containerd client core: channel, completion queue, poller thread, eventfd hand-over to
 * sd-event, unary calls, streams, connection state, and the sync wrappers. */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/eventfd.h>

#include "containerd-internal.h"
#include "strv.h"

#define container_of(ptr, type, member) ((type *) ((char *) (ptr) - offsetof(type, member)))

/* Reconnect backoff: containerd restarts in well under a second on a quiet host, so start
 * retrying fast and cap the delay low — the daemon has nothing better to do meanwhile. */
#define RECONNECT_BACKOFF_INITIAL_MS 100
#define RECONNECT_BACKOFF_MAX_MS 2000
/* content reads come in 1 MiB chunks; list replies of big namespaces can be larger */
#define MAX_RECEIVE_MESSAGE_LENGTH (64 * 1024 * 1024)
/* how often the connectivity watch wakes up even without a change */
#define WATCH_INTERVAL_MS 10000

typedef struct Completion {
        ContainerdTag *tag;
        bool ok;
} Completion;

/* Calls and streams in flight, so that freeing the client can cancel them. */
typedef struct CallLink CallLink;
struct CallLink {
        CallLink *prev, *next;
        grpc_call *call;
};

struct ContainerdClient {
        sd_event *event;
        sd_event_source *efd_source;
        int efd;
        char *address;

        grpc_channel *channel;
        grpc_completion_queue *cq;
        bool grpc_initialized;

        pthread_t poller;
        bool poller_started;
        pthread_mutex_t lock; /* protects queue* only */
        Completion *queue;
        size_t n_queue, n_queue_alloc;

        CallLink *calls;

        grpc_connectivity_state conn;
        ContainerdTag watch_tag;
        ContainerdState state;
        ContainerdStateHandler state_handler;
        void *state_userdata;

        uint64_t timeout_usec;
        char *lease;
        char *last_error;
        bool closing;
};

static const char *const state_table[_CONTAINERD_STATE_MAX] = {
        [CONTAINERD_STATE_CONNECTING] = "connecting",
        [CONTAINERD_STATE_CONNECTED] = "connected",
        [CONTAINERD_STATE_DISCONNECTED] = "disconnected",
};

const char *containerd_state_to_string(ContainerdState s) {
        if (s < 0 || s >= _CONTAINERD_STATE_MAX)
                return NULL;
        return state_table[s];
}

int containerd_status_to_errno(int status) {
        switch ((grpc_status_code) status) {
        case GRPC_STATUS_OK:
                return 0;
        case GRPC_STATUS_CANCELLED:
                return -ECANCELED;
        case GRPC_STATUS_INVALID_ARGUMENT:
        case GRPC_STATUS_OUT_OF_RANGE:
                return -EINVAL;
        case GRPC_STATUS_DEADLINE_EXCEEDED:
                return -ETIMEDOUT;
        case GRPC_STATUS_NOT_FOUND:
                return -ENOENT;
        case GRPC_STATUS_ALREADY_EXISTS:
                return -EEXIST;
        case GRPC_STATUS_PERMISSION_DENIED:
        case GRPC_STATUS_UNAUTHENTICATED:
                return -EPERM;
        case GRPC_STATUS_RESOURCE_EXHAUSTED:
                return -ENOSPC;
        case GRPC_STATUS_FAILED_PRECONDITION:
                /* e.g. deleting a namespace that still holds containers or images */
                return -ENOTEMPTY;
        case GRPC_STATUS_ABORTED:
                return -EAGAIN;
        case GRPC_STATUS_UNIMPLEMENTED:
                return -EOPNOTSUPP;
        case GRPC_STATUS_UNAVAILABLE:
                return -ENOTCONN;
        case GRPC_STATUS_DATA_LOSS:
                return -EBADMSG;
        default:
                return -EIO;
        }
}

/* ---- the poller thread and the eventfd hand-over ---- */

static void *poller_thread(void *userdata) {
        ContainerdClient *c = userdata;
        sigset_t ss;

        /* signals belong to the loop thread (sd-event may use signalfd) */
        sigfillset(&ss);
        pthread_sigmask(SIG_BLOCK, &ss, NULL);

        for (;;) {
                grpc_event ev = grpc_completion_queue_next(c->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
                if (ev.type == GRPC_QUEUE_SHUTDOWN)
                        break;
                if (ev.type != GRPC_OP_COMPLETE)
                        continue;

                pthread_mutex_lock(&c->lock);
                if (c->n_queue >= c->n_queue_alloc) {
                        size_t n = MAX(c->n_queue_alloc * 2, (size_t) 16);
                        Completion *q = realloc(c->queue, n * sizeof(Completion));
                        if (!q) {
                                /* Cannot drop a completion: its owner would wait forever. */
                                pthread_mutex_unlock(&c->lock);
                                fprintf(stderr, "containerd-client: out of memory in poller thread\n");
                                abort();
                        }
                        c->queue = q;
                        c->n_queue_alloc = n;
                }
                c->queue[c->n_queue++] = (Completion) { .tag = ev.tag, .ok = ev.success };
                pthread_mutex_unlock(&c->lock);

                uint64_t one = 1;
                while (write(c->efd, &one, sizeof(one)) < 0 && errno == EINTR)
                        ;
        }
        return NULL;
}

static void dispatch_completions(ContainerdClient *c) {
        Completion *q;
        size_t n;

        pthread_mutex_lock(&c->lock);
        q = TAKE_PTR(c->queue);
        n = c->n_queue;
        c->n_queue = c->n_queue_alloc = 0;
        pthread_mutex_unlock(&c->lock);

        for (size_t i = 0; i < n; i++)
                q[i].tag->complete(q[i].tag, q[i].ok);
        free(q);
}

static int on_eventfd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ContainerdClient *c = userdata;
        uint64_t v;

        (void) read(fd, &v, sizeof(v));
        dispatch_completions(c);
        return 0;
}

/* ---- connection state ---- */

static void watch_arm(ContainerdClient *c) {
        gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                             gpr_time_from_millis(WATCH_INTERVAL_MS, GPR_TIMESPAN));
        grpc_channel_watch_connectivity_state(c->channel, c->conn, deadline, c->cq, &c->watch_tag);
}

static void state_update(ContainerdClient *c) {
        ContainerdState n;

        if (c->conn == GRPC_CHANNEL_READY)
                n = CONTAINERD_STATE_CONNECTED;
        else if (c->state == CONTAINERD_STATE_CONNECTED)
                n = CONTAINERD_STATE_DISCONNECTED;
        else
                n = c->state;

        if (n == c->state)
                return;
        c->state = n;
        if (c->state_handler)
                c->state_handler(c, n, c->state_userdata);
}

static void watch_complete(ContainerdTag *t, bool ok) {
        ContainerdClient *c = container_of(t, ContainerdClient, watch_tag);

        if (c->closing)
                return;

        /* A dropped connection leaves the channel IDLE: gRPC would only reconnect on the next
         * call. Ask for the connection now, so the owner learns of the restart and can
         * resubscribe to events without waiting for traffic. The backoff between attempts is
         * gRPC's (channel args above). */
        c->conn = grpc_channel_check_connectivity_state(c->channel, 0);
        if (c->conn == GRPC_CHANNEL_IDLE)
                c->conn = grpc_channel_check_connectivity_state(c->channel, 1);
        if (c->conn == GRPC_CHANNEL_SHUTDOWN)
                return;
        watch_arm(c);
        state_update(c);
}

/* ---- lifecycle ---- */

int containerd_client_new(sd_event *event, const char *address, ContainerdClient **ret) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        if (address && !*address)
                return -EINVAL;

        c = new0(ContainerdClient, 1);
        if (!c)
                return -ENOMEM;
        c->efd = -EBADF;
        c->state = CONTAINERD_STATE_CONNECTING;
        c->timeout_usec = CONTAINERD_TIMEOUT_DEFAULT_USEC;
        c->watch_tag.complete = watch_complete;
        pthread_mutex_init(&c->lock, NULL);

        /* a bare socket path is what containerd's own config and $CONTAINERD_ADDRESS hold */
        if (address && address[0] == '/') {
                if (asprintf(&c->address, "unix://%s", address) < 0)
                        c->address = NULL;
        } else
                c->address = strdup(address ?: CONTAINERD_ADDRESS_DEFAULT);
        if (!c->address)
                return -ENOMEM;

        if (event)
                c->event = sd_event_ref(event);
        else {
                r = sd_event_new(&c->event);
                if (r < 0)
                        return r;
        }

        c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->efd < 0)
                return -errno;
        r = sd_event_add_io(c->event, &c->efd_source, c->efd, EPOLLIN, on_eventfd, c);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->efd_source, "containerd-completions");

        grpc_init();
        c->grpc_initialized = true;

        grpc_arg args[] = {
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, .value.integer = RECONNECT_BACKOFF_INITIAL_MS },
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, .value.integer = RECONNECT_BACKOFF_INITIAL_MS },
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, .value.integer = RECONNECT_BACKOFF_MAX_MS },
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = MAX_RECEIVE_MESSAGE_LENGTH },
                /* an idle channel would be reported as a disconnect: never go idle */
                { .type = GRPC_ARG_INTEGER, .key = (char *) GRPC_ARG_CLIENT_IDLE_TIMEOUT_MS, .value.integer = INT_MAX },
        };
        grpc_channel_args cargs = { .num_args = ELEMENTSOF(args), .args = args };
        grpc_channel_credentials *creds = grpc_insecure_credentials_create();
        c->channel = grpc_channel_create(c->address, creds, &cargs);
        grpc_channel_credentials_release(creds);
        if (!c->channel)
                return -EINVAL;

        c->cq = grpc_completion_queue_create_for_next(NULL);
        if (!c->cq)
                return -ENOMEM;

        r = pthread_create(&c->poller, NULL, poller_thread, c);
        if (r != 0)
                return -r;
        c->poller_started = true;

        /* connect in the background right away, and watch every state change */
        c->conn = grpc_channel_check_connectivity_state(c->channel, 1);
        watch_arm(c);

        *ret = TAKE_PTR(c);
        return 0;
}

ContainerdClient *containerd_client_free(ContainerdClient *c) {
        if (!c)
                return NULL;

        c->closing = true;
        for (CallLink *l = c->calls; l; l = l->next)
                grpc_call_cancel(l->call, NULL);

        /* destroying the channel ends the connectivity watch */
        if (c->channel)
                grpc_channel_destroy(c->channel);

        if (c->cq) {
                grpc_completion_queue_shutdown(c->cq);
                if (c->poller_started)
                        pthread_join(c->poller, NULL);
                else
                        /* no poller ever ran (setup failed): drain the queue here */
                        while (grpc_completion_queue_next(c->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN)
                                ;
                /* every tag is in by now (the queue shut down only after the last one):
                 * release what they hold, without calling anyone's handler */
                dispatch_completions(c);
                grpc_completion_queue_destroy(c->cq);
        }

        if (c->grpc_initialized)
                grpc_shutdown();

        sd_event_source_disable_unref(c->efd_source);
        safe_close(c->efd);
        sd_event_unref(c->event);
        pthread_mutex_destroy(&c->lock);
        free(c->queue);
        free(c->address);
        free(c->lease);
        free(c->last_error);
        return mfree(c);
}

void containerd_client_set_state_handler(ContainerdClient *c, ContainerdStateHandler h, void *userdata) {
        c->state_handler = h;
        c->state_userdata = userdata;
}

ContainerdState containerd_client_get_state(ContainerdClient *c) {
        return c->state;
}

sd_event *containerd_client_get_event(ContainerdClient *c) {
        return c->event;
}

const char *containerd_client_get_address(ContainerdClient *c) {
        return c->address;
}

void containerd_client_set_timeout(ContainerdClient *c, uint64_t usec) {
        c->timeout_usec = usec ?: CONTAINERD_TIMEOUT_DEFAULT_USEC;
}

int containerd_client_set_lease(ContainerdClient *c, const char *lease_id) {
        char *l = NULL;

        if (lease_id) {
                l = strdup(lease_id);
                if (!l)
                        return -ENOMEM;
        }
        free(c->lease);
        c->lease = l;
        return 0;
}

const char *containerd_client_last_error(ContainerdClient *c) {
        return c->last_error;
}

void containerd_client_set_last_error(ContainerdClient *c, const char *message) {
        free(c->last_error);
        c->last_error = message ? strdup(message) : NULL;
}

int containerd_client_can_wait(ContainerdClient *c) {
        if (!c)
                return -EINVAL;
        if (sd_event_get_state(c->event) == SD_EVENT_RUNNING)
                return -EBUSY;
        return 0;
}

int containerd_client_run_until(ContainerdClient *c, const bool *done) {
        int r;

        r = containerd_client_can_wait(c);
        if (r < 0)
                return r;
        while (!*done) {
                r = sd_event_run(c->event, UINT64_MAX);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int on_wait_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        *(bool *) userdata = true;
        return 0;
}

static void on_wait_state(ContainerdClient *c, ContainerdState state, void *userdata) {
        if (state == CONTAINERD_STATE_CONNECTED)
                *(bool *) userdata = true;
}

int containerd_client_wait_connected(ContainerdClient *c, uint64_t timeout_usec) {
        _cleanup_(sd_event_source_unrefp) sd_event_source *timer = NULL;
        ContainerdStateHandler saved = c->state_handler;
        void *saved_userdata = c->state_userdata;
        bool connected = false, timed_out = false, done = false;
        int r;

        if (c->state == CONTAINERD_STATE_CONNECTED)
                return 0;
        r = containerd_client_can_wait(c);
        if (r < 0)
                return r;

        r = sd_event_add_time_relative(c->event, &timer, CLOCK_MONOTONIC, timeout_usec, 0, on_wait_timeout, &timed_out);
        if (r < 0)
                return r;

        c->state_handler = on_wait_state;
        c->state_userdata = &connected;
        while (!done) {
                r = sd_event_run(c->event, UINT64_MAX);
                if (r < 0)
                        break;
                done = connected || timed_out;
        }
        c->state_handler = saved;
        c->state_userdata = saved_userdata;
        if (r < 0)
                return r;
        if (saved && connected)
                saved(c, c->state, saved_userdata);
        return connected ? 0 : -ETIMEDOUT;
}

/* ---- common call plumbing ---- */

static void link_add(ContainerdClient *c, CallLink *l) {
        l->prev = NULL;
        l->next = c->calls;
        if (c->calls)
                c->calls->prev = l;
        c->calls = l;
}

static void link_remove(ContainerdClient *c, CallLink *l) {
        if (l->prev)
                l->prev->next = l->next;
        else if (c->calls == l)
                c->calls = l->next;
        if (l->next)
                l->next->prev = l->prev;
        l->prev = l->next = NULL;
}

/* metadata sent with every call: the namespace, and the lease when one is set */
typedef struct CallMetadata {
        grpc_metadata md[2];
        size_t n;
} CallMetadata;

static void call_metadata_init(CallMetadata *m, const char *ns, const char *lease) {
        m->n = 0;
        if (!isempty(ns))
                m->md[m->n++] = (grpc_metadata) {
                        .key = grpc_slice_from_static_string("containerd-namespace"),
                        .value = grpc_slice_from_copied_string(ns),
                };
        if (!isempty(lease))
                m->md[m->n++] = (grpc_metadata) {
                        .key = grpc_slice_from_static_string("containerd-lease"),
                        .value = grpc_slice_from_copied_string(lease),
                };
}

static void call_metadata_done(CallMetadata *m) {
        for (size_t i = 0; i < m->n; i++) {
                grpc_slice_unref(m->md[i].key);
                grpc_slice_unref(m->md[i].value);
        }
        m->n = 0;
}

static grpc_byte_buffer *pack_message(const ProtobufCMessage *m) {
        size_t n = protobuf_c_message_get_packed_size(m);
        grpc_slice s = grpc_slice_malloc(n);
        protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
        grpc_byte_buffer *b = grpc_raw_byte_buffer_create(&s, 1);
        grpc_slice_unref(s);
        return b;
}

static ProtobufCMessage *unpack_message(const ProtobufCMessageDescriptor *d, grpc_byte_buffer *b) {
        grpc_byte_buffer_reader reader;
        ProtobufCMessage *m;

        if (!grpc_byte_buffer_reader_init(&reader, b))
                return NULL;
        grpc_slice s = grpc_byte_buffer_reader_readall(&reader);
        grpc_byte_buffer_reader_destroy(&reader);
        m = protobuf_c_message_unpack(d, NULL, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
        grpc_slice_unref(s);
        return m;
}

static gpr_timespec deadline_after(uint64_t usec) {
        if (usec == 0 || usec == UINT64_MAX)
                return gpr_inf_future(GPR_CLOCK_MONOTONIC);
        return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_micros((int64_t) usec, GPR_TIMESPAN));
}

static char *status_message(grpc_status_code status, grpc_slice details) {
        char *d = grpc_slice_to_c_string(details);
        char *m = NULL;

        if (d && *d)
                m = strdup(d);
        else if (status != GRPC_STATUS_OK && asprintf(&m, "gRPC status %d", (int) status) < 0)
                m = NULL;
        gpr_free(d);
        return m;
}

/* ---- unary calls ---- */

typedef struct UnaryCall {
        ContainerdTag tag;
        CallLink link;
        ContainerdClient *client;
        const ContainerdMethod *method;
        ContainerdHandler handler;
        void *userdata;

        CallMetadata md;
        grpc_metadata_array initial_md, trailing_md;
        grpc_byte_buffer *send_buf, *recv_buf;
        grpc_status_code status;
        grpc_slice details;
} UnaryCall;

static void unary_free(UnaryCall *u) {
        link_remove(u->client, &u->link);
        if (u->link.call)
                grpc_call_unref(u->link.call);
        call_metadata_done(&u->md);
        grpc_metadata_array_destroy(&u->initial_md);
        grpc_metadata_array_destroy(&u->trailing_md);
        if (u->send_buf)
                grpc_byte_buffer_destroy(u->send_buf);
        if (u->recv_buf)
                grpc_byte_buffer_destroy(u->recv_buf);
        grpc_slice_unref(u->details);
        free(u);
}

static void unary_complete(ContainerdTag *t, bool ok) {
        UnaryCall *u = container_of(t, UnaryCall, tag);
        ContainerdClient *c = u->client;
        _cleanup_free_ char *message = NULL;
        void *reply = NULL;
        int error;

        if (c->closing) {
                unary_free(u);
                return;
        }

        if (!ok) {
                /* the batch itself failed: only on cancellation */
                error = -ECANCELED;
                message = strdup("call cancelled");
        } else if (u->status != GRPC_STATUS_OK) {
                error = containerd_status_to_errno(u->status);
                message = status_message(u->status, u->details);
        } else if (!u->recv_buf) {
                error = -EBADMSG;
                message = strdup("containerd sent no reply message");
        } else {
                ProtobufCMessage *m = unpack_message(u->method->reply_type, u->recv_buf);
                if (!m) {
                        error = -EBADMSG;
                        if (asprintf(&message, "cannot decode the reply of %s", u->method->path) < 0)
                                message = NULL;
                } else {
                        error = u->method->convert ? u->method->convert(m, &reply) : 0;
                        protobuf_c_message_free_unpacked(m, NULL);
                        if (error < 0 && asprintf(&message, "cannot convert the reply of %s", u->method->path) < 0)
                                message = NULL;
                }
        }

        ContainerdHandler h = u->handler;
        void *userdata = u->userdata;
        unary_free(u);
        h(c, error, message, reply, userdata);
}

int containerd_unary(
                ContainerdClient *c,
                const char *ns,
                const ContainerdMethod *m,
                const ProtobufCMessage *req,
                ContainerdHandler handler,
                void *userdata) {

        UnaryCall *u;
        grpc_call_error e;

        if (!c || !m || !req || !handler)
                return -EINVAL;
        if (c->closing)
                return -ESHUTDOWN;

        u = new0(UnaryCall, 1);
        if (!u)
                return -ENOMEM;
        u->tag.complete = unary_complete;
        u->client = c;
        u->method = m;
        u->handler = handler;
        u->userdata = userdata;
        u->details = grpc_empty_slice();
        grpc_metadata_array_init(&u->initial_md);
        grpc_metadata_array_init(&u->trailing_md);
        call_metadata_init(&u->md, ns, c->lease);
        u->send_buf = pack_message(req);

        u->link.call = grpc_channel_create_call(
                        c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq,
                        grpc_slice_from_static_string(m->path), NULL,
                        deadline_after(c->timeout_usec), NULL);
        if (!u->link.call) {
                unary_free(u);
                return -ENOMEM;
        }
        link_add(c, &u->link);

        grpc_op ops[6] = {};
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[0].data.send_initial_metadata.count = u->md.n;
        ops[0].data.send_initial_metadata.metadata = u->md.md;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = u->send_buf;
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[3].data.recv_initial_metadata.recv_initial_metadata = &u->initial_md;
        ops[4].op = GRPC_OP_RECV_MESSAGE;
        ops[4].data.recv_message.recv_message = &u->recv_buf;
        ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
        ops[5].data.recv_status_on_client.trailing_metadata = &u->trailing_md;
        ops[5].data.recv_status_on_client.status = &u->status;
        ops[5].data.recv_status_on_client.status_details = &u->details;

        e = grpc_call_start_batch(u->link.call, ops, ELEMENTSOF(ops), &u->tag, NULL);
        if (e != GRPC_CALL_OK) {
                unary_free(u);
                return -EIO;
        }
        return 0;
}

/* ---- streams ---- */

struct ContainerdStream {
        ContainerdTag send_tag, recv_tag, status_tag;
        CallLink link;
        ContainerdClient *client;
        const ContainerdStreamOps *ops;
        void *userdata;

        unsigned pending;  /* batches not completed yet */
        bool sending;      /* a send batch is out */
        bool send_has_message;
        bool status_in;
        bool silent;       /* start failed: the caller got the error, on_end must not run */
        int cancel_error;

        CallMetadata md;
        grpc_metadata_array initial_md, trailing_md;
        grpc_byte_buffer *send_buf, *recv_buf;
        grpc_status_code status;
        grpc_slice details;
};

static void stream_free(ContainerdStream *s) {
        link_remove(s->client, &s->link);
        if (s->link.call)
                grpc_call_unref(s->link.call);
        call_metadata_done(&s->md);
        grpc_metadata_array_destroy(&s->initial_md);
        grpc_metadata_array_destroy(&s->trailing_md);
        if (s->send_buf)
                grpc_byte_buffer_destroy(s->send_buf);
        if (s->recv_buf)
                grpc_byte_buffer_destroy(s->recv_buf);
        grpc_slice_unref(s->details);
        free(s);
}

static void stream_maybe_end(ContainerdStream *s) {
        ContainerdClient *c = s->client;
        _cleanup_free_ char *message = NULL;
        int error;

        if (s->pending > 0)
                return;
        if (c->closing || s->silent) {
                if (c->closing && !s->silent && s->ops->on_release)
                        s->ops->on_release(s->userdata);
                stream_free(s);
                return;
        }

        if (s->cancel_error < 0) {
                error = s->cancel_error;
                message = status_message(s->status, s->details);
        } else {
                error = containerd_status_to_errno(s->status);
                if (error < 0)
                        message = status_message(s->status, s->details);
        }

        const ContainerdStreamOps *ops = s->ops;
        void *userdata = s->userdata;
        /* on_end may look at the stream (e.g. containerd_stream_get_client), free after */
        ops->on_end(s, error, message, userdata);
        stream_free(s);
}

static int stream_recv_next(ContainerdStream *s, bool with_initial_md) {
        grpc_op ops[2] = {};
        size_t n = 0;

        if (with_initial_md) {
                ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
                ops[n++].data.recv_initial_metadata.recv_initial_metadata = &s->initial_md;
        }
        ops[n].op = GRPC_OP_RECV_MESSAGE;
        ops[n++].data.recv_message.recv_message = &s->recv_buf;
        if (grpc_call_start_batch(s->link.call, ops, n, &s->recv_tag, NULL) != GRPC_CALL_OK)
                return -EIO;
        s->pending++;
        return 0;
}

static void stream_send_complete(ContainerdTag *t, bool ok) {
        ContainerdStream *s = container_of(t, ContainerdStream, send_tag);
        bool had_message = s->send_has_message;

        s->pending--;
        s->sending = false;
        s->send_has_message = false;
        if (s->send_buf) {
                grpc_byte_buffer_destroy(s->send_buf);
                s->send_buf = NULL;
        }
        if (!s->client->closing && !s->silent && had_message && s->ops->on_sent && !s->status_in)
                s->ops->on_sent(s, ok, s->userdata);
        stream_maybe_end(s);
}

static void stream_recv_complete(ContainerdTag *t, bool ok) {
        ContainerdStream *s = container_of(t, ContainerdStream, recv_tag);
        grpc_byte_buffer *b = TAKE_PTR(s->recv_buf);

        s->pending--;
        if (ok && b && !s->client->closing && !s->silent && s->cancel_error == 0) {
                ProtobufCMessage *m = unpack_message(s->ops->message_type, b);
                int r;

                if (!m)
                        r = -EBADMSG;
                else {
                        r = s->ops->on_message(s, m, s->userdata);
                        protobuf_c_message_free_unpacked(m, NULL);
                }
                if (r < 0)
                        containerd_stream_cancel(s, r);
                else if (s->cancel_error == 0 && stream_recv_next(s, false) < 0)
                        containerd_stream_cancel(s, -EIO);
        }
        if (b)
                grpc_byte_buffer_destroy(b);
        stream_maybe_end(s);
}

static void stream_status_complete(ContainerdTag *t, bool ok) {
        ContainerdStream *s = container_of(t, ContainerdStream, status_tag);

        s->pending--;
        s->status_in = true;
        stream_maybe_end(s);
}

static int stream_send_batch(ContainerdStream *s, bool initial_md, const ProtobufCMessage *m, bool close_send) {
        grpc_op ops[3] = {};
        size_t n = 0;

        if (initial_md) {
                ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
                ops[n].data.send_initial_metadata.count = s->md.n;
                ops[n++].data.send_initial_metadata.metadata = s->md.md;
        }
        if (m) {
                s->send_buf = pack_message(m);
                ops[n].op = GRPC_OP_SEND_MESSAGE;
                ops[n++].data.send_message.send_message = s->send_buf;
        }
        if (close_send)
                ops[n++].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        if (n == 0)
                return 0;
        if (grpc_call_start_batch(s->link.call, ops, n, &s->send_tag, NULL) != GRPC_CALL_OK) {
                if (s->send_buf) {
                        grpc_byte_buffer_destroy(s->send_buf);
                        s->send_buf = NULL;
                }
                return -EIO;
        }
        s->sending = true;
        s->send_has_message = m;
        s->pending++;
        return 0;
}

int containerd_stream_start(
                ContainerdClient *c,
                const char *ns,
                const ContainerdStreamOps *ops,
                const ProtobufCMessage *first,
                bool close_send,
                uint64_t timeout_usec,
                void *userdata,
                ContainerdStream **ret) {

        ContainerdStream *s;
        int r;

        if (!c || !ops || !ops->on_message || !ops->on_end)
                return -EINVAL;
        if (c->closing)
                return -ESHUTDOWN;

        s = new0(ContainerdStream, 1);
        if (!s)
                return -ENOMEM;
        s->send_tag.complete = stream_send_complete;
        s->recv_tag.complete = stream_recv_complete;
        s->status_tag.complete = stream_status_complete;
        s->client = c;
        s->ops = ops;
        s->userdata = userdata;
        s->details = grpc_empty_slice();
        grpc_metadata_array_init(&s->initial_md);
        grpc_metadata_array_init(&s->trailing_md);
        call_metadata_init(&s->md, ns, c->lease);

        s->link.call = grpc_channel_create_call(
                        c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq,
                        grpc_slice_from_static_string(ops->path), NULL,
                        deadline_after(timeout_usec), NULL);
        if (!s->link.call) {
                stream_free(s);
                return -ENOMEM;
        }
        link_add(c, &s->link);

        /* the status batch first: it completes last, when the call is over */
        grpc_op op = { .op = GRPC_OP_RECV_STATUS_ON_CLIENT };
        op.data.recv_status_on_client.trailing_metadata = &s->trailing_md;
        op.data.recv_status_on_client.status = &s->status;
        op.data.recv_status_on_client.status_details = &s->details;
        if (grpc_call_start_batch(s->link.call, &op, 1, &s->status_tag, NULL) != GRPC_CALL_OK) {
                stream_free(s);
                return -EIO;
        }
        s->pending++;

        r = stream_send_batch(s, true, first, close_send);
        if (r >= 0)
                r = stream_recv_next(s, true);
        if (r < 0) {
                /* the status batch is out: cancel, and let the completions free it; the
                 * caller gets the error now, so on_end must not run */
                s->silent = true;
                s->cancel_error = r;
                grpc_call_cancel(s->link.call, NULL);
                return r;
        }

        if (ret)
                *ret = s;
        return 0;
}

int containerd_stream_send(ContainerdStream *s, const ProtobufCMessage *m, bool close_send) {
        if (!s)
                return -EINVAL;
        if (s->sending)
                return -EBUSY;
        if (s->status_in || s->cancel_error < 0)
                return -EPIPE;
        return stream_send_batch(s, false, m, close_send);
}

void containerd_stream_cancel(ContainerdStream *s, int error) {
        if (!s || s->cancel_error < 0 || s->status_in)
                return;
        s->cancel_error = error < 0 ? error : -ECANCELED;
        grpc_call_cancel(s->link.call, NULL);
}

ContainerdClient *containerd_stream_get_client(ContainerdStream *s) {
        return s->client;
}

/* ---- sync wrappers ---- */

void containerd_sync_handler(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        ContainerdSync *s = userdata;

        s->done = true;
        s->error = error;
        s->reply = reply;
        s->message = message ? strdup(message) : NULL;
}

int containerd_sync_wait(ContainerdClient *c, ContainerdSync *s, void (*free_reply)(void *), void **ret_reply) {
        int r;

        r = containerd_client_run_until(c, &s->done);
        if (r < 0)
                /* the loop itself failed (RUN_SYNC checked it could run before starting the
                 * call): nothing will run the handler on this loop any more */
                return r;

        containerd_client_set_last_error(c, s->error < 0 ? (s->message ?: strerror(-s->error)) : NULL);
        free(s->message);
        s->message = NULL;

        if (ret_reply)
                *ret_reply = s->reply;
        else if (s->reply && free_reply)
                free_reply(s->reply);
        else if (s->reply)
                free(s->reply);
        return s->error;
}

/* ---- shared types and conversions ---- */

ContainerdMount **containerd_mounts_free(ContainerdMount **m) {
        if (!m)
                return NULL;
        for (ContainerdMount **i = m; *i; i++) {
                free((*i)->type);
                free((*i)->source);
                free((*i)->target);
                strv_free((*i)->options);
                free(*i);
        }
        return mfree(m);
}

ContainerdDescriptor *containerd_descriptor_free(ContainerdDescriptor *d) {
        if (!d)
                return NULL;
        free(d->media_type);
        free(d->digest);
        strv_free(d->annotations);
        return mfree(d);
}

int containerd_labels_to_entries(
                char *const *labels,
                const ProtobufCMessageDescriptor *entry_type,
                size_t *ret_n,
                void ***ret_entries) {

        size_t n = strv_length(labels);
        void **v;
        ContainerdLabelEntry *block;

        if (n % 2 != 0)
                return -EINVAL;
        if (entry_type->sizeof_message != sizeof(ContainerdLabelEntry))
                return -EINVAL;
        n /= 2;
        if (n == 0) {
                *ret_n = 0;
                *ret_entries = NULL;
                return 0;
        }

        /* one allocation: the pointer array, then the entries */
        v = calloc(1, n * sizeof(void *) + n * sizeof(ContainerdLabelEntry));
        if (!v)
                return -ENOMEM;
        block = (ContainerdLabelEntry *) (v + n);
        for (size_t i = 0; i < n; i++) {
                protobuf_c_message_init(entry_type, &block[i]);
                block[i].key = labels[2 * i];
                block[i].value = labels[2 * i + 1];
                v[i] = &block[i];
        }
        *ret_n = n;
        *ret_entries = v;
        return 0;
}

void containerd_entries_free(void **entries) {
        free(entries);
}

int containerd_entries_to_labels(size_t n, void *const *entries, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        for (size_t i = 0; i < n; i++) {
                const ContainerdLabelEntry *e = entries[i];
                r = strv_extend(&l, strempty(e->key));
                if (r < 0)
                        return r;
                r = strv_extend(&l, strempty(e->value));
                if (r < 0)
                        return r;
        }
        if (!l) {
                l = new0(char *, 1);
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
