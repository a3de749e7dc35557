/* SPDX-License-Identifier: Apache-2.0 */
/* Event payload decoding and the plain-C conversions, without a containerd. */

#include "api_events_task.pb-c.h"
#include "api_types_mount.pb-c.h"
#include "api_services_namespaces_v1_namespace.pb-c.h"
#include "containerd-event.h"
#include "containerd-internal.h"
#include "strv.h"
#include "tests.h"

static void pack(const ProtobufCMessage *m, uint8_t **ret, size_t *ret_size) {
        size_t n = protobuf_c_message_get_packed_size(m);
        *ret = malloc(n ?: 1);
        ASSERT_NOT_NULL(*ret);
        ASSERT_EQ(protobuf_c_message_pack(m, *ret), n);
        *ret_size = n;
}

static void test_task_exit(void) {
        Containerd__Events__TaskExit m = CONTAINERD__EVENTS__TASK_EXIT__INIT;
        Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        ContainerdEvent e = {};
        _cleanup_free_ uint8_t *buf = NULL;
        void *storage = NULL;
        size_t n;

        m.container_id = (char *) "main_default_default_web";
        m.id = (char *) "main_default_default_web";
        m.pid = 4242;
        m.exit_status = 137;
        ts.seconds = 1700000000;
        ts.nanos = 5000;
        m.exited_at = &ts;
        pack(&m.base, &buf, &n);

        ASSERT_OK(containerd_event_decode("containerd.events.TaskExit", buf, n, &e, &storage));
        ASSERT_EQ(e.type, CONTAINERD_EVENT_TASK_EXIT);
        ASSERT_STREQ(e.container_id, "main_default_default_web");
        ASSERT_STREQ(e.exec_id, "main_default_default_web");
        ASSERT_EQ(e.pid, 4242);
        ASSERT_EQ(e.exit_status, 137);
        ASSERT_EQ(e.exited_usec, 1700000000ULL * 1000000ULL + 5);
        ASSERT_STREQ(containerd_event_type_to_string(e.type), "task-exit");
        containerd_event_storage_free(storage);

        /* a type URL with a host prefix decodes the same */
        e = (ContainerdEvent) {};
        ASSERT_OK(containerd_event_decode("types.containerd.io/containerd.events.TaskExit", buf, n, &e, &storage));
        ASSERT_EQ(e.exit_status, 137);
        containerd_event_storage_free(storage);
}

static void test_other_events(void) {
        Containerd__Events__TaskOOM oom = CONTAINERD__EVENTS__TASK_OOM__INIT;
        Containerd__Events__TaskStart start = CONTAINERD__EVENTS__TASK_START__INIT;
        Containerd__Events__TaskDelete del = CONTAINERD__EVENTS__TASK_DELETE__INIT;
        ContainerdEvent e = {};
        _cleanup_free_ uint8_t *b1 = NULL, *b2 = NULL, *b3 = NULL;
        void *storage = NULL;
        size_t n1, n2, n3;

        oom.container_id = (char *) "c1";
        pack(&oom.base, &b1, &n1);
        ASSERT_OK(containerd_event_decode("containerd.events.TaskOOM", b1, n1, &e, &storage));
        ASSERT_EQ(e.type, CONTAINERD_EVENT_TASK_OOM);
        ASSERT_STREQ(e.container_id, "c1");
        containerd_event_storage_free(storage);

        start.container_id = (char *) "c2";
        start.pid = 7;
        pack(&start.base, &b2, &n2);
        e = (ContainerdEvent) {};
        ASSERT_OK(containerd_event_decode("containerd.events.TaskStart", b2, n2, &e, &storage));
        ASSERT_EQ(e.type, CONTAINERD_EVENT_TASK_START);
        ASSERT_EQ(e.pid, 7);
        ASSERT_NULL(e.exec_id);
        containerd_event_storage_free(storage);

        del.container_id = (char *) "c3";
        del.exit_status = 3;
        pack(&del.base, &b3, &n3);
        e = (ContainerdEvent) {};
        ASSERT_OK(containerd_event_decode("containerd.events.TaskDelete", b3, n3, &e, &storage));
        ASSERT_EQ(e.type, CONTAINERD_EVENT_TASK_DELETE);
        ASSERT_EQ(e.exit_status, 3);
        containerd_event_storage_free(storage);

        /* not ours: topic only */
        e = (ContainerdEvent) {};
        ASSERT_ERROR(containerd_event_decode("containerd.events.ImageCreate", b1, n1, &e, &storage), EOPNOTSUPP);
        ASSERT_EQ(e.type, CONTAINERD_EVENT_OTHER);
        ASSERT_NULL(storage);
        ASSERT_ERROR(containerd_event_decode(NULL, b1, n1, &e, &storage), EOPNOTSUPP);
        /* garbage bytes */
        ASSERT_ERROR(containerd_event_decode("containerd.events.TaskExit", "\xff\xff\xff", 3, &e, &storage), EBADMSG);
        ASSERT_NULL(storage);
}

static void test_labels(void) {
        char *labels[] = { (char *) "a", (char *) "1", (char *) "kukeon.io/realm", (char *) "main", NULL };
        char *odd[] = { (char *) "a", NULL };
        Containerd__Services__Namespaces__V1__Namespace ns = CONTAINERD__SERVICES__NAMESPACES__V1__NAMESPACE__INIT;
        _cleanup_strv_free_ char **back = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        Containerd__Services__Namespaces__V1__Namespace *un;
        size_t n;

        ASSERT_OK(containerd_labels_to_entries(labels, &containerd__services__namespaces__v1__namespace__labels_entry__descriptor,
                                               &ns.n_labels, (void ***) &ns.labels));
        ASSERT_EQ(ns.n_labels, 2);
        ns.name = (char *) "x";
        /* through the wire format and back */
        pack(&ns.base, &buf, &n);
        containerd_entries_free((void **) ns.labels);
        un = containerd__services__namespaces__v1__namespace__unpack(NULL, n, buf);
        ASSERT_NOT_NULL(un);
        ASSERT_OK(containerd_entries_to_labels(un->n_labels, (void *const *) un->labels, &back));
        ASSERT_TRUE(strv_equal(back, labels));
        containerd__services__namespaces__v1__namespace__free_unpacked(un, NULL);

        size_t k;
        void **v;
        ASSERT_ERROR(containerd_labels_to_entries(odd, &containerd__services__namespaces__v1__namespace__labels_entry__descriptor, &k, &v), EINVAL);
        ASSERT_OK(containerd_labels_to_entries(NULL, &containerd__services__namespaces__v1__namespace__labels_entry__descriptor, &k, &v));
        ASSERT_EQ(k, 0);
        ASSERT_NULL(v);
        /* not a map entry type */
        ASSERT_ERROR(containerd_labels_to_entries(labels, &containerd__types__mount__descriptor, &k, &v), EINVAL);
}

static void test_mounts(void) {
        char *opts[] = { (char *) "ro", (char *) "lowerdir=/a:/b", NULL };
        ContainerdMount m = { .type = (char *) "overlay", .source = (char *) "overlay", .options = opts };
        ContainerdMount *ms[] = { &m, NULL };
        _cleanup_(containerd_mounts_freep) ContainerdMount **back = NULL;
        size_t n;
        void **pb;

        ASSERT_OK(containerd_mounts_to_pb(ms, &n, &pb));
        ASSERT_EQ(n, 1);
        ASSERT_OK(containerd_mounts_from_pb(n, pb, &back));
        containerd_pb_mounts_free(n, pb);
        ASSERT_STREQ(back[0]->type, "overlay");
        ASSERT_STREQ(back[0]->target, "");
        ASSERT_TRUE(strv_equal(back[0]->options, opts));
        ASSERT_NULL(back[1]);
}

static void test_status(void) {
        ASSERT_EQ(containerd_status_to_errno(0), 0);
        ASSERT_EQ(containerd_status_to_errno(5), -ENOENT);      /* NOT_FOUND */
        ASSERT_EQ(containerd_status_to_errno(6), -EEXIST);      /* ALREADY_EXISTS */
        ASSERT_EQ(containerd_status_to_errno(9), -ENOTEMPTY);   /* FAILED_PRECONDITION */
        ASSERT_EQ(containerd_status_to_errno(14), -ENOTCONN);   /* UNAVAILABLE */
        ASSERT_EQ(containerd_status_to_errno(4), -ETIMEDOUT);   /* DEADLINE_EXCEEDED */
        ASSERT_EQ(containerd_status_to_errno(12), -EOPNOTSUPP); /* UNIMPLEMENTED */
        ASSERT_EQ(containerd_status_to_errno(99), -EIO);
        ASSERT_STREQ(containerd_state_to_string(CONTAINERD_STATE_DISCONNECTED), "disconnected");
        ASSERT_NULL(containerd_state_to_string(_CONTAINERD_STATE_MAX));
}

TEST_MAIN(test_task_exit, test_other_events, test_labels, test_mounts, test_status)
