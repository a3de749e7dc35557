/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_content_v1_content.pb-c.h"
#include "containerd-content.h"
#include "containerd-internal.h"
#include "strv.h"

#define SERVICE "/containerd.services.content.v1.Content/"

/* a bit below gRPC's default 4 MiB message limit on the server side */
#define WRITE_CHUNK_MAX (1024 * 1024)

ContainerdContentInfo *containerd_content_info_free(ContainerdContentInfo *i) {
        if (!i)
                return NULL;
        free(i->digest);
        strv_free(i->labels);
        return mfree(i);
}

static int convert_info(const ProtobufCMessage *m, void **ret) {
        /* Info and Update replies are both { Info info = 1; } */
        const Containerd__Services__Content__V1__InfoResponse *r = (const void *) m;
        _cleanup_(containerd_content_info_freep) ContainerdContentInfo *i = NULL;
        int k;

        if (!r->info)
                return -EBADMSG;
        i = new0(ContainerdContentInfo, 1);
        if (!i)
                return -ENOMEM;
        i->digest = strdup(strempty(r->info->digest));
        if (!i->digest)
                return -ENOMEM;
        i->size = r->info->size;
        k = containerd_entries_to_labels(r->info->n_labels, (void *const *) r->info->labels, &i->labels);
        if (k < 0)
                return k;
        i->created_usec = containerd_timestamp_usec(r->info->created_at);
        i->updated_usec = containerd_timestamp_usec(r->info->updated_at);
        *ret = TAKE_PTR(i);
        return 0;
}

static const ContainerdMethod method_info = { SERVICE "Info", &containerd__services__content__v1__info_response__descriptor, convert_info };
static const ContainerdMethod method_update = { SERVICE "Update", &containerd__services__content__v1__update_response__descriptor, convert_info };
static const ContainerdMethod method_delete = { SERVICE "Delete", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_abort = { SERVICE "Abort", &google__protobuf__empty__descriptor, NULL };

int containerd_content_abort(ContainerdClient *c, const char *ns, const char *ref, ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__AbortRequest req = CONTAINERD__SERVICES__CONTENT__V1__ABORT_REQUEST__INIT;

        if (isempty(ref))
                return -EINVAL;
        req.ref = (char *) ref;
        return containerd_unary(c, ns, &method_abort, &req.base, h, userdata);
}

int containerd_content_abort_sync(ContainerdClient *c, const char *ns, const char *ref) {
        return RUN_SYNC(c, NULL, NULL, containerd_content_abort, c, ns, ref);
}

int containerd_content_info(ContainerdClient *c, const char *ns, const char *digest, ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__InfoRequest req = CONTAINERD__SERVICES__CONTENT__V1__INFO_REQUEST__INIT;

        if (isempty(digest))
                return -EINVAL;
        req.digest = (char *) digest;
        return containerd_unary(c, ns, &method_info, &req.base, h, userdata);
}

int containerd_content_info_sync(ContainerdClient *c, const char *ns, const char *digest, ContainerdContentInfo **ret) {
        return RUN_SYNC(c, containerd_content_info_free, ret, containerd_content_info, c, ns, digest);
}

int containerd_content_update(ContainerdClient *c, const char *ns, const char *digest, char *const *labels, char *const *fields,
                              ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__UpdateRequest req = CONTAINERD__SERVICES__CONTENT__V1__UPDATE_REQUEST__INIT;
        Containerd__Services__Content__V1__Info info = CONTAINERD__SERVICES__CONTENT__V1__INFO__INIT;
        Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
        int r;

        if (isempty(digest))
                return -EINVAL;
        info.digest = (char *) digest;
        r = containerd_labels_to_entries(labels, &containerd__services__content__v1__info__labels_entry__descriptor,
                                         &info.n_labels, (void ***) &info.labels);
        if (r < 0)
                return r;
        req.info = &info;
        if (fields) {
                mask.n_paths = strv_length(fields);
                mask.paths = (char **) fields;
        } else {
                static char *all_labels[] = { (char *) "labels", NULL };
                mask.n_paths = 1;
                mask.paths = all_labels;
        }
        req.update_mask = &mask;
        r = containerd_unary(c, ns, &method_update, &req.base, h, userdata);
        containerd_entries_free((void **) info.labels);
        return r;
}

int containerd_content_update_sync(ContainerdClient *c, const char *ns, const char *digest, char *const *labels, char *const *fields) {
        return RUN_SYNC(c, containerd_content_info_free, NULL, containerd_content_update, c, ns, digest, labels, fields);
}

int containerd_content_delete(ContainerdClient *c, const char *ns, const char *digest, ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__DeleteContentRequest req = CONTAINERD__SERVICES__CONTENT__V1__DELETE_CONTENT_REQUEST__INIT;

        if (isempty(digest))
                return -EINVAL;
        req.digest = (char *) digest;
        return containerd_unary(c, ns, &method_delete, &req.base, h, userdata);
}

int containerd_content_delete_sync(ContainerdClient *c, const char *ns, const char *digest) {
        return RUN_SYNC(c, NULL, NULL, containerd_content_delete, c, ns, digest);
}

/* ---- Read ---- */

typedef struct ReadState {
        ContainerdDataHandler on_data;
        ContainerdHandler handler;
        void *userdata;
} ReadState;

static int read_on_message(ContainerdStream *s, const ProtobufCMessage *m, void *userdata) {
        const Containerd__Services__Content__V1__ReadContentResponse *r = (const void *) m;
        ReadState *st = userdata;

        if (r->data.len == 0)
                return 0;
        return st->on_data(containerd_stream_get_client(s), r->data.data, r->data.len, st->userdata);
}

static void read_on_end(ContainerdStream *s, int error, const char *message, void *userdata) {
        ReadState *st = userdata;
        ContainerdHandler h = st->handler;
        void *ud = st->userdata;

        free(st);
        h(containerd_stream_get_client(s), error, message, NULL, ud);
}

static void read_on_release(void *userdata) {
        free(userdata);
}

static const ContainerdStreamOps read_ops = {
        .on_release = read_on_release,
        .path = SERVICE "Read",
        .message_type = &containerd__services__content__v1__read_content_response__descriptor,
        .on_message = read_on_message,
        .on_end = read_on_end,
};

int containerd_content_read(ContainerdClient *c, const char *ns, const char *digest, int64_t offset, int64_t size,
                            ContainerdDataHandler on_data, ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__ReadContentRequest req = CONTAINERD__SERVICES__CONTENT__V1__READ_CONTENT_REQUEST__INIT;
        ReadState *st;
        int r;

        if (isempty(digest) || offset < 0 || size < 0 || !on_data || !h)
                return -EINVAL;
        st = new0(ReadState, 1);
        if (!st)
                return -ENOMEM;
        *st = (ReadState) { .on_data = on_data, .handler = h, .userdata = userdata };
        req.digest = (char *) digest;
        req.offset = offset;
        req.size = size;
        r = containerd_stream_start(c, ns, &read_ops, &req.base, true, 0, st, NULL);
        if (r < 0)
                free(st);
        return r;
}

typedef struct ReadBuffer {
        ContainerdSync sync;
        char *data;
        size_t size, max;
} ReadBuffer;

static int read_into_buffer(ContainerdClient *c, const void *data, size_t size, void *userdata) {
        ReadBuffer *b = userdata;
        char *n;

        if (size > b->max || b->size > b->max - size)
                return -EFBIG;
        n = realloc(b->data, b->size + size + 1);
        if (!n)
                return -ENOMEM;
        memcpy(n + b->size, data, size);
        b->data = n;
        b->size += size;
        b->data[b->size] = 0;
        return 0;
}

static void read_done(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        ReadBuffer *b = userdata;
        containerd_sync_handler(c, error, message, reply, &b->sync);
}

int containerd_content_read_sync(ContainerdClient *c, const char *ns, const char *digest, size_t max_size, void **ret, size_t *ret_size) {
        ReadBuffer b = { .max = max_size };
        int r;

        r = containerd_client_can_wait(c);
        if (r < 0)
                return r;
        r = containerd_content_read(c, ns, digest, 0, 0, read_into_buffer, read_done, &b);
        if (r >= 0)
                r = containerd_sync_wait(c, &b.sync, NULL, NULL);
        if (r < 0) {
                free(b.data);
                return r;
        }
        if (!b.data) {
                b.data = strdup("");
                if (!b.data)
                        return -ENOMEM;
        }
        *ret = b.data;
        if (ret_size)
                *ret_size = b.size;
        return 0;
}

/* ---- Write ---- */

struct ContainerdContentWriter {
        ContainerdClient *client;
        char *ns;
        char *ref;
        char *expected;
        int64_t total;
        int64_t offset;          /* acknowledged by containerd */
        int64_t offset_sent;

        ContainerdStream *stream; /* NULL once ended */
        bool started;
        bool committing, committed;
        bool orphaned;           /* freed by its owner while the stream still runs */
        int error;               /* the stream's final error */
        char *error_message;

        ContainerdHandler handler; /* of the write or commit in flight */
        void *userdata;
        /* a write is done when containerd answered it and gRPC reports the send complete:
         * the two completions may come in either order, and the next send needs both */
        bool write_acked, write_sent;
};

static void writer_release(ContainerdContentWriter *w) {
        free(w->ns);
        free(w->ref);
        free(w->expected);
        free(w->error_message);
        free(w);
}

static void writer_finish_op(ContainerdContentWriter *w, int error, const char *message) {
        ContainerdHandler h = TAKE_PTR(w->handler);
        if (h)
                h(w->client, error, message, NULL, w->userdata);
}

static int write_on_message(ContainerdStream *s, const ProtobufCMessage *m, void *userdata) {
        const Containerd__Services__Content__V1__WriteContentResponse *r = (const void *) m;
        ContainerdContentWriter *w = userdata;

        if (w->orphaned)
                return -ECANCELED;
        if (r->action == CONTAINERD__SERVICES__CONTENT__V1__WRITE_ACTION__COMMIT) {
                w->committed = true;
                /* the status follows; the commit's handler runs in on_end */
                return 0;
        }
        w->offset = r->offset;
        w->write_acked = true;
        if (w->write_sent)
                writer_finish_op(w, 0, NULL);
        return 0;
}

static void write_on_sent(ContainerdStream *s, bool ok, void *userdata) {
        ContainerdContentWriter *w = userdata;

        /* a failed send ends the call: on_end reports it */
        if (!ok || w->orphaned || w->committing)
                return;
        w->write_sent = true;
        if (w->write_acked)
                writer_finish_op(w, 0, NULL);
}

static void write_on_end(ContainerdStream *s, int error, const char *message, void *userdata) {
        ContainerdContentWriter *w = userdata;

        w->stream = NULL;
        if (w->orphaned) {
                writer_release(w);
                return;
        }
        if (error == 0 && !w->committed)
                error = -EPIPE; /* containerd ended the stream before our commit */
        w->error = error;
        free(w->error_message);
        w->error_message = message ? strdup(message) : NULL;
        writer_finish_op(w, error, message);
}

static void write_on_release(void *userdata) {
        ContainerdContentWriter *w = userdata;

        /* the client went first: the owner still frees the writer, unless it did already */
        w->stream = NULL;
        if (w->orphaned)
                writer_release(w);
}

static const ContainerdStreamOps write_ops = {
        .on_release = write_on_release,
        .on_sent = write_on_sent,
        .path = SERVICE "Write",
        .message_type = &containerd__services__content__v1__write_content_response__descriptor,
        .on_message = write_on_message,
        .on_end = write_on_end,
};

int containerd_content_writer_new(ContainerdClient *c, const char *ns, const char *ref, int64_t total, const char *expected,
                                  ContainerdContentWriter **ret) {
        ContainerdContentWriter *w;

        if (!c || isempty(ref) || total < 0 || !ret)
                return -EINVAL;
        w = new0(ContainerdContentWriter, 1);
        if (!w)
                return -ENOMEM;
        w->client = c;
        w->total = total;
        if (containerd_strdup_or_null(ns, &w->ns) < 0 || containerd_strdup_or_null(ref, &w->ref) < 0 ||
            containerd_strdup_or_null(expected, &w->expected) < 0) {
                writer_release(w);
                return -ENOMEM;
        }
        *ret = w;
        return 0;
}

ContainerdContentWriter *containerd_content_writer_free(ContainerdContentWriter *w) {
        if (!w)
                return NULL;
        if (w->stream) {
                /* the stream's end frees it */
                w->orphaned = true;
                w->handler = NULL;
                containerd_stream_cancel(w->stream, -ECANCELED);
                return NULL;
        }
        writer_release(w);
        return NULL;
}

int64_t containerd_content_writer_offset(ContainerdContentWriter *w) {
        return w->offset;
}

int containerd_content_writer_set_expected(ContainerdContentWriter *w, const char *expected) {
        char *e = NULL;

        if (containerd_strdup_or_null(expected, &e) < 0)
                return -ENOMEM;
        free(w->expected);
        w->expected = e;
        return 0;
}

static int writer_send(ContainerdContentWriter *w, Containerd__Services__Content__V1__WriteContentRequest *req, bool close_send) {
        int r;

        if (!w->started) {
                r = containerd_stream_start(w->client, w->ns, &write_ops, &req->base, close_send, 0, w, &w->stream);
                if (r < 0)
                        return r;
                w->started = true;
                return 0;
        }
        if (!w->stream)
                return w->error < 0 ? w->error : -EPIPE;
        return containerd_stream_send(w->stream, &req->base, close_send);
}

int containerd_content_writer_write(ContainerdContentWriter *w, const void *data, size_t size, ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__WriteContentRequest req = CONTAINERD__SERVICES__CONTENT__V1__WRITE_CONTENT_REQUEST__INIT;
        int r;

        if (!w || !h || (size > 0 && !data) || size > WRITE_CHUNK_MAX * 16)
                return -EINVAL;
        if (w->handler || w->committing)
                return -EBUSY;
        if (w->total > 0 && w->offset_sent + (int64_t) size > w->total)
                return -EFBIG;

        req.action = CONTAINERD__SERVICES__CONTENT__V1__WRITE_ACTION__WRITE;
        req.ref = w->ref;
        req.total = w->total;
        if (w->expected)
                req.expected = w->expected;
        req.offset = w->offset_sent;
        req.data.data = (uint8_t *) data;
        req.data.len = size;
        w->write_acked = w->write_sent = false;
        r = writer_send(w, &req, false);
        if (r < 0)
                return r;
        w->offset_sent += (int64_t) size;
        w->handler = h;
        w->userdata = userdata;
        return 0;
}

static int sync_write(ContainerdContentWriter *w, const void *data, size_t size, ContainerdHandler h, void *userdata) {
        return containerd_content_writer_write(w, data, size, h, userdata);
}

int containerd_content_writer_write_sync(ContainerdContentWriter *w, const void *data, size_t size) {
        const char *p = data;
        int r;

        /* chunks below the server's message size limit */
        do {
                size_t n = MIN(size, (size_t) WRITE_CHUNK_MAX);
                r = RUN_SYNC(w->client, NULL, NULL, sync_write, w, p, n);
                if (r < 0)
                        return r;
                p += n;
                size -= n;
        } while (size > 0);
        return 0;
}

int containerd_content_writer_commit(ContainerdContentWriter *w, char *const *labels, ContainerdHandler h, void *userdata) {
        Containerd__Services__Content__V1__WriteContentRequest req = CONTAINERD__SERVICES__CONTENT__V1__WRITE_CONTENT_REQUEST__INIT;
        int r;

        if (!w || !h)
                return -EINVAL;
        if (w->handler || w->committing)
                return -EBUSY;

        req.action = CONTAINERD__SERVICES__CONTENT__V1__WRITE_ACTION__COMMIT;
        req.ref = w->ref;
        req.total = w->total;
        if (w->expected)
                req.expected = w->expected;
        req.offset = w->offset_sent;
        r = containerd_labels_to_entries(labels, &containerd__services__content__v1__write_content_request__labels_entry__descriptor,
                                         &req.n_labels, (void ***) &req.labels);
        if (r < 0)
                return r;
        /* half-close with the commit: containerd answers, then ends the call */
        r = writer_send(w, &req, true);
        containerd_entries_free((void **) req.labels);
        if (r < 0)
                return r;
        w->committing = true;
        w->handler = h;
        w->userdata = userdata;
        return 0;
}

int containerd_content_writer_commit_sync(ContainerdContentWriter *w, char *const *labels) {
        return RUN_SYNC(w->client, NULL, NULL, containerd_content_writer_commit, w, labels);
}

int containerd_content_write_blob_sync(ContainerdClient *c, const char *ns, const char *ref, const void *data, size_t size,
                                       const char *expected, char *const *labels) {
        _cleanup_(containerd_content_writer_freep) ContainerdContentWriter *w = NULL;
        int r;

        r = containerd_content_writer_new(c, ns, ref, (int64_t) size, expected, &w);
        if (r < 0)
                return r;
        if (size > 0) {
                r = containerd_content_writer_write_sync(w, data, size);
                if (r == -EEXIST)
                        return 0;
                if (r < 0)
                        return r;
        }
        r = containerd_content_writer_commit_sync(w, labels);
        return r == -EEXIST ? 0 : r;
}
