/* SPDX-License-Identifier: Apache-2.0 */
/* The client machinery without a containerd: a socket nobody listens on. Calls must end
 * (never hang) with an error, the state must stay "connecting", freeing with calls in flight
 * must neither call their handlers nor leak, and bad arguments are refused up front. The
 * real thing is tests/integration/containerd-client. */

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "containerd.h"
#include "strv.h"
#include "tests.h"

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

static char *dead_address(void) {
        char *a;
        ASSERT_TRUE(asprintf(&a, "unix:///tmp/kukeon-test-no-containerd-%d.sock", (int) getpid()) > 0);
        return a;
}

static void test_unreachable(void) {
        _cleanup_free_ char *addr = dead_address();
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;
        _cleanup_strv_free_ char **names = NULL;
        uint64_t t0;
        int r;

        ASSERT_OK(containerd_client_new(NULL, addr, &c));
        ASSERT_EQ(containerd_client_get_state(c), CONTAINERD_STATE_CONNECTING);
        ASSERT_STREQ(containerd_client_get_address(c), addr);

        ASSERT_ERROR(containerd_client_wait_connected(c, 200 * 1000), ETIMEDOUT);

        containerd_client_set_timeout(c, 500 * 1000);
        t0 = now_usec();
        r = containerd_namespace_list_sync(c, &names);
        ASSERT_TRUE(r == -ENOTCONN || r == -ETIMEDOUT);
        ASSERT_TRUE(now_usec() - t0 < 3 * 1000000ULL);
        ASSERT_NULL(names);
        ASSERT_NOT_NULL(containerd_client_last_error(c));
        fprintf(stderr, "unreachable: %s (%s) after %.1f ms\n", strerror(-r), containerd_client_last_error(c), (now_usec() - t0) / 1000.0);
        ASSERT_EQ(containerd_client_get_state(c), CONTAINERD_STATE_CONNECTING);
}

static bool handler_called;

static void never(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        handler_called = true;
}

static int on_event(ContainerdClient *c, const ContainerdEvent *e, void *userdata) {
        return 0;
}

static void test_free_in_flight(void) {
        _cleanup_free_ char *addr = dead_address();
        ContainerdClient *c = NULL;
        ContainerdSubscription *sub = NULL;

        ASSERT_OK(containerd_client_new(NULL, addr, &c));
        ASSERT_OK(containerd_version(c, never, NULL));
        ASSERT_OK(containerd_namespace_create(c, "x", NULL, never, NULL));
        ASSERT_OK(containerd_subscribe(c, NULL, on_event, never, NULL, &sub));
        c = containerd_client_free(c);
        ASSERT_NULL(c);
        ASSERT_FALSE(handler_called);
}

typedef struct Nested {
        int inner;
        bool done;
} Nested;

static void nested_handler(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        Nested *n = userdata;
        /* a sync call from inside a handler cannot run the loop again */
        n->inner = containerd_namespace_delete_sync(c, "x");
        n->done = true;
}

static void test_sync_in_handler(void) {
        _cleanup_free_ char *addr = dead_address();
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;
        Nested n = {};

        ASSERT_OK(containerd_client_new(NULL, addr, &c));
        containerd_client_set_timeout(c, 100 * 1000);
        ASSERT_OK(containerd_version(c, nested_handler, &n));
        while (!n.done)
                ASSERT_OK(sd_event_run(containerd_client_get_event(c), UINT64_MAX));
        ASSERT_EQ(n.inner, -EBUSY);
}

static void test_bad_arguments(void) {
        _cleanup_free_ char *addr = dead_address();
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;
        ContainerdClient *x = NULL;
        ContainerdContainer nospec = { .id = (char *) "a" };
        ContainerdTaskConfig tc = { .container_id = "a", .stdout_path = "file:///x" };
        char *odd[] = { (char *) "k", NULL };

        ASSERT_ERROR(containerd_client_new(NULL, "", &x), EINVAL);
        ASSERT_OK(containerd_client_new(NULL, "/run/kukeon-test-none.sock", &x));
        ASSERT_STREQ(containerd_client_get_address(x), "unix:///run/kukeon-test-none.sock");
        x = containerd_client_free(x);
        ASSERT_ERROR(containerd_client_new(NULL, NULL, NULL), EINVAL);
        ASSERT_OK(containerd_client_new(NULL, addr, &c));
        ASSERT_ERROR(containerd_namespace_create_sync(c, "", NULL), EINVAL);
        ASSERT_ERROR(containerd_namespace_create_sync(c, "ns", odd), EINVAL);
        ASSERT_ERROR(containerd_container_create_sync(c, "ns", &nospec, NULL), EINVAL);
        ASSERT_ERROR(containerd_task_create_sync(c, "ns", &tc, NULL), EINVAL);
        ASSERT_ERROR(containerd_task_kill_sync(c, "ns", "a", NULL, 0, false), EINVAL);
        ASSERT_ERROR(containerd_snapshot_prepare_sync(c, "ns", NULL, "", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(containerd_content_read(c, "ns", "sha256:x", -1, 0, NULL, never, NULL), EINVAL);
        ASSERT_ERROR(containerd_subscribe(c, NULL, NULL, never, NULL, NULL), EINVAL);
}

TEST_MAIN(test_unreachable, test_free_in_flight, test_sync_in_handler, test_bad_arguments)
