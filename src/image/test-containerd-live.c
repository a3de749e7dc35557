/* SPDX-License-Identifier: Apache-2.0 */
/* The containerd module against a real containerd (run inside the test machine by
 * tests/integration/containerd-client and image-load*):
 *
 *   test-containerd-live basic NS              version, namespaces, per-call timing
 *   test-containerd-live run NS TARBALL [N]    load the image, run a container N times from C:
 *                                              create → start → TaskExit event → delete, timed
 *   test-containerd-live reconnect NS          events stream + state handler while the caller
 *                                              restarts containerd.service
 *   test-containerd-live corrupt NS TARBALL    the load must be refused and leave no image
 *   test-containerd-live load NS TARBALL|- WANT_NAME [NAME]
 *                                              load (stdin with -), check name, config, snapshot
 *   test-containerd-live pull NS REF WANT_NAME [SERVER USER PASSWORD]
 *                                              pull from a registry; exit 3 with "REFUSED: ..." when refused
 *
 * Prints "# ..." progress lines and "FAIL: ..." on failure (exit 1). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "containerd.h"
#include "fileio.h"
#include "image-config.h"
#include "image-digest.h"
#include "image-load.h"
#include "image-pull.h"
#include "strv.h"

#define CONNECT_TIMEOUT_USEC (20ULL * 1000000ULL)

static _noreturn_ _printf_(1, 2) void fail(const char *fmt, ...) {
        va_list ap;

        fputs("FAIL: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

static const char *cerr(ContainerdClient *c, int r) {
        return containerd_client_last_error(c) ?: strerror(-r);
}

#define CHECK(c, expr)                                                                  \
        do {                                                                            \
                int _r = (expr);                                                        \
                if (_r < 0)                                                             \
                        fail("%s:%d: %s: %s", __FILE__, __LINE__, #expr, cerr(c, _r)); \
        } while (0)

static ContainerdClient *connect_or_fail(void) {
        ContainerdClient *c;
        const char *address = getenv("CONTAINERD_ADDRESS");
        uint64_t t0 = now_usec();
        int r;

        r = containerd_client_new(NULL, address, &c);
        if (r < 0)
                fail("containerd_client_new: %s", strerror(-r));
        r = containerd_client_wait_connected(c, CONNECT_TIMEOUT_USEC);
        if (r < 0)
                fail("cannot connect to containerd at %s: %s", containerd_client_get_address(c), strerror(-r));
        printf("# connected to %s in %.1f ms\n", containerd_client_get_address(c), (now_usec() - t0) / 1000.0);
        return c;
}

/* ---- basic ---- */

static int cmd_basic(const char *ns) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = connect_or_fail();
        _cleanup_(containerd_version_freep) ContainerdVersion *v = NULL;
        _cleanup_strv_free_ char **names = NULL, **labels = NULL;
        char *want[] = { (char *) "kukeon.io/realm", (char *) "test", (char *) "kukeon.io/managed", (char *) "true", NULL };
        const unsigned n = 200;
        uint64_t t0;
        int r;

        CHECK(c, containerd_version_sync(c, &v));
        printf("# containerd %s (%s)\n", v->version, v->revision);

        (void) containerd_namespace_delete_sync(c, ns);
        CHECK(c, containerd_namespace_create_sync(c, ns, want));
        r = containerd_namespace_create_sync(c, ns, NULL);
        if (r != -EEXIST)
                fail("creating namespace %s twice gave %d, not -EEXIST", ns, r);
        printf("# second create: %s (%s)\n", strerror(-r), strna(containerd_client_last_error(c)));

        CHECK(c, containerd_namespace_list_sync(c, &names));
        if (!strv_contains(names, ns))
                fail("namespace %s not listed", ns);
        CHECK(c, containerd_namespace_get_labels_sync(c, ns, &labels));
        for (size_t i = 0; want[i]; i += 2) {
                bool found = false;
                for (size_t k = 0; labels && labels[k] && labels[k + 1]; k += 2)
                        if (streq(labels[k], want[i]) && streq(labels[k + 1], want[i + 1]))
                                found = true;
                if (!found)
                        fail("namespace %s lacks label %s=%s", ns, want[i], want[i + 1]);
        }

        /* per unary call */
        t0 = now_usec();
        for (unsigned i = 0; i < n; i++) {
                _cleanup_(containerd_version_freep) ContainerdVersion *x = NULL;
                CHECK(c, containerd_version_sync(c, &x));
        }
        printf("# timing: unary call (Version, sync) %.3f ms average over %u\n", (now_usec() - t0) / 1000.0 / n, n);

        t0 = now_usec();
        for (unsigned i = 0; i < n; i++) {
                _cleanup_strv_free_ char **x = NULL;
                CHECK(c, containerd_namespace_list_sync(c, &x));
        }
        printf("# timing: unary call (Namespaces/List, sync) %.3f ms average over %u\n", (now_usec() - t0) / 1000.0 / n, n);

        /* errors a caller can act on */
        r = containerd_namespace_delete_sync(c, "kukeon-no-such-namespace");
        if (r != -ENOENT)
                fail("deleting a missing namespace gave %d, not -ENOENT", r);
        r = containerd_namespace_create_sync(c, "Bad Name!", NULL);
        if (r != -EINVAL)
                fail("creating namespace 'Bad Name!' gave %d, not -EINVAL", r);
        printf("# bad name refused: %s\n", strna(containerd_client_last_error(c)));

        CHECK(c, containerd_namespace_delete_sync(c, ns));
        strv_free(names);
        names = NULL;
        CHECK(c, containerd_namespace_list_sync(c, &names));
        if (strv_contains(names, ns))
                fail("namespace %s still listed after delete", ns);
        printf("# basic: ok\n");
        return 0;
}

/* ---- run ---- */

typedef struct Exits {
        const char *container_id;
        bool exited, started, deleted;
        uint32_t exit_status;
        uint64_t exited_at;
        ContainerdSubscription *sub;
        bool sub_ended;
} Exits;

static int on_event(ContainerdClient *c, const ContainerdEvent *e, void *userdata) {
        Exits *x = userdata;

        if (!e->container_id || !x->container_id || !streq(e->container_id, x->container_id))
                return 0;
        switch (e->type) {
        case CONTAINERD_EVENT_TASK_START:
                x->started = true;
                break;
        case CONTAINERD_EVENT_TASK_EXIT:
                x->exited = true;
                x->exit_status = e->exit_status;
                x->exited_at = now_usec();
                break;
        case CONTAINERD_EVENT_TASK_DELETE:
                x->deleted = true;
                break;
        default:
                break;
        }
        return 0;
}

static void on_sub_end(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        Exits *x = userdata;
        x->sub_ended = true;
        x->sub = NULL;
}

static char *minimal_spec(const char *ns, const char *id, const char *script) {
        char *s;

        /* a hand-written minimal OCI runtime spec: the real builder is src/oci/ */
        if (asprintf(&s,
                     "{\"ociVersion\":\"1.0.2\","
                     "\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},"
                     "\"args\":[\"/bin/sh\",\"-c\",\"%s\"],"
                     "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],"
                     "\"cwd\":\"/\",\"noNewPrivileges\":true,"
                     "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\",\"CAP_KILL\"],"
                     "\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"]}},"
                     "\"root\":{\"path\":\"rootfs\",\"readonly\":false},"
                     "\"hostname\":\"%s\","
                     "\"mounts\":["
                     "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
                     "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
                     "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},"
                     "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}],"
                     "\"linux\":{\"cgroupsPath\":\"/%s/%s\","
                     "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"network\"}]}}",
                     script, id, ns, id) < 0)
                return NULL;
        return s;
}

typedef struct Step {
        const char *name;
        uint64_t total, min, max;
} Step;

static void step_add(Step *s, uint64_t usec) {
        s->total += usec;
        if (s->min == 0 || usec < s->min)
                s->min = usec;
        s->max = MAX(s->max, usec);
}

static int cmd_run(const char *ns, const char *tarball, unsigned rounds) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = connect_or_fail();
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *image_name;
        Exits x = {};
        uint64_t t0;
        int r;

        enum { S_CTR_CREATE, S_SNAP_PREPARE, S_TASK_CREATE, S_TASK_START, S_RUN_TO_EXIT, S_TASK_DELETE, S_SNAP_REMOVE, S_CTR_DELETE, S_TOTAL, _S_MAX };
        Step steps[_S_MAX] = {
                { "container create" }, { "snapshot prepare" }, { "task create" }, { "task start" },
                { "start→TaskExit event" }, { "task delete" }, { "snapshot remove" }, { "container delete" },
                { "whole create→start→exit→delete" },
        };

        (void) containerd_namespace_create_sync(c, ns, NULL);

        fd = open(tarball, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail("cannot open %s: %m", tarball);
        t0 = now_usec();
        r = image_load_fd(c, ns, fd, NULL, &names, &error);
        if (r < 0)
                fail("image load of %s failed: %s", tarball, strna(error));
        if (!names || !names[0])
                fail("image load named no image");
        image_name = names[0];
        printf("# loaded %s into %s in %.1f ms\n", image_name, ns, (now_usec() - t0) / 1000.0);
        if (!streq(image_name, "docker.io/library/busybox:latest"))
                fail("image name %s, not docker.io/library/busybox:latest", image_name);

        /* loading again is idempotent (blobs and snapshots already there) */
        {
                _cleanup_strv_free_ char **again = NULL;
                _cleanup_free_ char *e2 = NULL;
                _cleanup_close_ int fd2 = open(tarball, O_RDONLY | O_CLOEXEC);
                t0 = now_usec();
                r = image_load_fd(c, ns, fd2, NULL, &again, &e2);
                if (r < 0)
                        fail("second image load failed: %s", strna(e2));
                printf("# loaded again (everything present) in %.1f ms\n", (now_usec() - t0) / 1000.0);
        }

        CHECK(c, image_config_load(c, ns, image_name, &cfg));
        printf("# image config: cmd=%s env[0]=%s layers=%zu top chain %s\n",
               cfg->cmd ? cfg->cmd[0] : "(none)", strna(cfg->env[0]), strv_length(cfg->diff_ids),
               cfg->chain_ids[strv_length(cfg->chain_ids) - 1]);
        if (!cfg->cmd || !streq(cfg->cmd[0], "sh"))
                fail("image config Cmd is not [\"sh\"]");
        const char *top = cfg->chain_ids[strv_length(cfg->chain_ids) - 1];

        char *filters[] = { (char *) "topic~=\"/tasks/\"", NULL };
        CHECK(c, containerd_subscribe(c, filters, on_event, on_sub_end, &x, &x.sub));

        for (unsigned round = 0; round < rounds; round++) {
                _cleanup_free_ char *id = NULL, *spec = NULL, *out_path = NULL, *out_uri = NULL, *out = NULL;
                _cleanup_(containerd_mounts_freep) ContainerdMount **mounts = NULL;
                _cleanup_(containerd_process_freep) ContainerdProcess *deleted = NULL;
                _cleanup_(containerd_container_freep) ContainerdContainer *got = NULL;
                uint64_t t, start_at, begin;
                uint32_t pid;
                bool last = round == rounds - 1;

                if (asprintf(&id, "kt-live-%u-%u", (unsigned) getpid(), round) < 0 ||
                    asprintf(&out_path, "/run/kt-live-%s.out", id) < 0 ||
                    asprintf(&out_uri, "file://%s", out_path) < 0)
                        fail("oom");
                spec = minimal_spec(ns, id, "echo hello-from-kukeon; hostname; exit 7");
                if (!spec)
                        fail("oom");
                (void) unlink(out_path);
                x = (Exits) { .container_id = id, .sub = x.sub, .sub_ended = x.sub_ended };
                if (x.sub_ended)
                        fail("event stream ended");

                char *labels[] = { (char *) "kukeon.io/test", (char *) "live", NULL };
                ContainerdContainer ctr = {
                        .id = id, .labels = labels, .image = (char *) image_name, .spec_json = spec,
                        .snapshotter = (char *) CONTAINERD_SNAPSHOTTER_DEFAULT, .snapshot_key = id,
                };
                begin = t = now_usec();
                CHECK(c, containerd_container_create_sync(c, ns, &ctr, NULL));
                step_add(&steps[S_CTR_CREATE], now_usec() - t);

                t = now_usec();
                CHECK(c, containerd_snapshot_prepare_sync(c, ns, NULL, id, top, NULL, &mounts));
                step_add(&steps[S_SNAP_PREPARE], now_usec() - t);

                ContainerdTaskConfig tc = { .container_id = id, .rootfs = mounts, .stdout_path = out_uri, .stderr_path = out_uri };
                t = now_usec();
                CHECK(c, containerd_task_create_sync(c, ns, &tc, &pid));
                step_add(&steps[S_TASK_CREATE], now_usec() - t);

                start_at = t = now_usec();
                CHECK(c, containerd_task_start_sync(c, ns, id, NULL, &pid));
                step_add(&steps[S_TASK_START], now_usec() - t);

                /* the exit comes as an event, on the same loop */
                {
                        uint64_t deadline = now_usec() + 20 * 1000000ULL;
                        while (!x.exited && !x.sub_ended && now_usec() < deadline)
                                CHECK(c, sd_event_run(containerd_client_get_event(c), 100000));
                }
                if (!x.exited)
                        fail("no TaskExit event for %s", id);
                step_add(&steps[S_RUN_TO_EXIT], x.exited_at - start_at);
                if (x.exit_status != 7)
                        fail("exit status %u, not 7", x.exit_status);

                t = now_usec();
                CHECK(c, containerd_task_delete_sync(c, ns, id, NULL, &deleted));
                step_add(&steps[S_TASK_DELETE], now_usec() - t);
                if (deleted->exit_status != 7)
                        fail("task delete reports exit status %u, not 7", deleted->exit_status);

                t = now_usec();
                CHECK(c, containerd_snapshot_remove_sync(c, ns, NULL, id));
                step_add(&steps[S_SNAP_REMOVE], now_usec() - t);

                if (last) {
                        /* list and get and update before the container goes */
                        _cleanup_(containerd_container_array_freep) ContainerdContainer **list = NULL;
                        char *f[] = { (char *) "labels.\"kukeon.io/test\"==live", NULL };
                        CHECK(c, containerd_container_list_sync(c, ns, f, &list));
                        if (!list[0] || !streq(list[0]->id, id) || list[1])
                                fail("container list with a label filter did not give exactly %s", id);
                        CHECK(c, containerd_container_get_sync(c, ns, id, &got));
                        if (!streq_ptr(got->runtime, CONTAINERD_RUNTIME_RUNC_V2) || !got->spec_json || !strstr(got->spec_json, "hello-from-kukeon"))
                                fail("container get: runtime %s, spec %s", strna(got->runtime), got->spec_json ? "set" : "missing");
                        char *nl[] = { (char *) "kukeon.io/test", (char *) "updated", NULL };
                        char *uf[] = { (char *) "labels", NULL };
                        ContainerdContainer upd = { .id = id, .labels = nl };
                        _cleanup_(containerd_container_freep) ContainerdContainer *u = NULL;
                        CHECK(c, containerd_container_update_sync(c, ns, &upd, uf, &u));
                        if (!u->labels || !streq_ptr(u->labels[1], "updated"))
                                fail("container update did not change the label");
                }

                t = now_usec();
                CHECK(c, containerd_container_delete_sync(c, ns, id));
                step_add(&steps[S_CTR_DELETE], now_usec() - t);
                step_add(&steps[S_TOTAL], now_usec() - begin);

                r = read_file_full(out_path, 4096, &out, NULL);
                if (r < 0)
                        fail("cannot read the container's output %s: %s", out_path, strerror(-r));
                if (!streq(out, "hello-from-kukeon\n") && strncmp(out, "hello-from-kukeon\n", 18) != 0)
                        fail("container printed '%s'", out);
                if (!strstr(out, id))
                        fail("container hostname is not %s: '%s'", id, out);
                (void) unlink(out_path);
                if (last)
                        printf("# container %s printed: %s", id, out);
        }

        printf("# timing over %u runs (min / avg / max, ms):\n", rounds);
        for (size_t i = 0; i < _S_MAX; i++)
                printf("# timing: %-32s %8.2f %8.2f %8.2f\n", steps[i].name, steps[i].min / 1000.0,
                       steps[i].total / 1000.0 / rounds, steps[i].max / 1000.0);

        /* a long-running task: pause, resume, pids, exec, kill */
        {
                _cleanup_(containerd_mounts_freep) ContainerdMount **mounts = NULL;
                _cleanup_(containerd_pids_freep) ContainerdPids *pids = NULL;
                _cleanup_(containerd_process_freep) ContainerdProcess *p = NULL;
                _cleanup_(containerd_process_array_freep) ContainerdProcess **tasks = NULL;
                _cleanup_free_ char *id = NULL, *spec = NULL, *out = NULL;
                uint32_t pid;

                if (asprintf(&id, "kt-live-%u-long", (unsigned) getpid()) < 0)
                        fail("oom");
                spec = minimal_spec(ns, id, "sleep 1000");
                ContainerdContainer ctr = { .id = id, .image = (char *) image_name, .spec_json = spec,
                                            .snapshotter = (char *) CONTAINERD_SNAPSHOTTER_DEFAULT, .snapshot_key = id };
                x = (Exits) { .container_id = id, .sub = x.sub, .sub_ended = x.sub_ended };
                CHECK(c, containerd_container_create_sync(c, ns, &ctr, NULL));
                CHECK(c, containerd_snapshot_prepare_sync(c, ns, NULL, id, top, NULL, &mounts));
                ContainerdTaskConfig tc = { .container_id = id, .rootfs = mounts };
                CHECK(c, containerd_task_create_sync(c, ns, &tc, &pid));
                CHECK(c, containerd_task_start_sync(c, ns, id, NULL, &pid));
                CHECK(c, containerd_task_pause_sync(c, ns, id));
                CHECK(c, containerd_task_get_sync(c, ns, id, NULL, &p));
                if (p->status != CONTAINERD_TASK_PAUSED)
                        fail("task status %s after pause", containerd_task_status_to_string(p->status));
                CHECK(c, containerd_task_resume_sync(c, ns, id));
                CHECK(c, containerd_task_pids_sync(c, ns, id, &pids));
                if (pids->n < 1 || pids->pids[0] == 0)
                        fail("task has no pids");
                CHECK(c, containerd_task_list_sync(c, ns, NULL, &tasks));
                if (!tasks[0])
                        fail("task list is empty");

                /* exec: a second process in the same container */
                const char *proc = "{\"args\":[\"/bin/sh\",\"-c\",\"echo exec-ok\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},"
                                   "\"env\":[\"PATH=/bin\"],\"terminal\":false}";
                const char *exec_out = "/run/kt-live-exec.out";
                (void) unlink(exec_out);
                /* stdout alone as a URI is refused: it would crash containerd's shim */
                r = containerd_task_exec(c, ns, id, "probe", proc, NULL, "file:///run/kt-live-exec.out", NULL, false, NULL, NULL);
                if (r != -EINVAL)
                        fail("exec with a file:// stdout and no stderr gave %d, not -EINVAL", r);
                CHECK(c, containerd_task_exec_sync(c, ns, id, "probe", proc, NULL, "file:///run/kt-live-exec.out",
                                                   "file:///run/kt-live-exec.out", false));
                CHECK(c, containerd_task_start_sync(c, ns, id, "probe", &pid));
                {
                        uint64_t deadline = now_usec() + 10 * 1000000ULL;
                        x.exited = false;
                        for (;;) {
                                _cleanup_(containerd_process_freep) ContainerdProcess *ep = NULL;
                                CHECK(c, containerd_task_get_sync(c, ns, id, "probe", &ep));
                                if (ep->status == CONTAINERD_TASK_STOPPED)
                                        break;
                                if (now_usec() > deadline)
                                        fail("exec'd process did not stop");
                                usleep(10000);
                        }
                }
                CHECK(c, containerd_task_delete_sync(c, ns, id, "probe", NULL));
                r = read_file_full(exec_out, 4096, &out, NULL);
                if (r < 0 || !streq(out, "exec-ok\n"))
                        fail("exec'd process printed '%s'", strna(out));
                (void) unlink(exec_out);

                x.exited = false;
                CHECK(c, containerd_task_kill_sync(c, ns, id, NULL, SIGKILL, true));
                {
                        uint64_t deadline = now_usec() + 10 * 1000000ULL;
                        while (!x.exited && now_usec() < deadline)
                                CHECK(c, sd_event_run(containerd_client_get_event(c), 100000));
                }
                if (!x.exited || x.exit_status != 128 + SIGKILL)
                        fail("killed task: exited=%d status %u", x.exited, x.exit_status);
                CHECK(c, containerd_task_delete_sync(c, ns, id, NULL, NULL));
                CHECK(c, containerd_snapshot_remove_sync(c, ns, NULL, id));
                CHECK(c, containerd_container_delete_sync(c, ns, id));
                printf("# pause/resume/pids/exec/kill: ok\n");
        }

        containerd_subscription_cancel(x.sub);
        while (!x.sub_ended)
                CHECK(c, sd_event_run(containerd_client_get_event(c), UINT64_MAX));

        /* clean up: image, then the namespace must be deletable */
        CHECK(c, containerd_image_delete_sync(c, ns, image_name, true));
        r = containerd_namespace_delete_sync(c, ns);
        if (r < 0)
                fail("namespace %s not empty after the test: %s", ns, cerr(c, r));
        printf("# run: ok\n");
        return 0;
}

/* ---- reconnect ---- */

typedef struct Reconnect {
        int transitions;
        bool saw_disconnect, saw_reconnect;
        bool sub_ended;
        int sub_error;
        bool call_done;
        int call_error;
        uint64_t disconnect_at, reconnect_at, call_at, call_done_at;
        ContainerdSubscription *sub;
} Reconnect;

static int rc_event(ContainerdClient *c, const ContainerdEvent *e, void *userdata) {
        return 0;
}

static void rc_sub_end(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        Reconnect *x = userdata;
        x->sub_ended = true;
        x->sub_error = error;
        x->sub = NULL;
        printf("# event stream ended: %s (%s)\n", strerror(-error), strna(message));
}

static void rc_call_done(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        Reconnect *x = userdata;
        x->call_done = true;
        x->call_error = error;
        x->call_done_at = now_usec();
        containerd_version_free(reply);
}

static void rc_state(ContainerdClient *c, ContainerdState state, void *userdata) {
        Reconnect *x = userdata;

        x->transitions++;
        printf("# state: %s\n", containerd_state_to_string(state));
        fflush(stdout);
        if (state == CONTAINERD_STATE_DISCONNECTED) {
                x->saw_disconnect = true;
                x->disconnect_at = now_usec();
                /* a call while containerd is away fails (or waits for the reconnect) within its deadline */
                if (!x->call_at) {
                        x->call_at = now_usec();
                        if (containerd_version(c, rc_call_done, x) < 0)
                                fail("cannot start a call while disconnected");
                }
        } else if (state == CONTAINERD_STATE_CONNECTED && x->saw_disconnect) {
                x->saw_reconnect = true;
                x->reconnect_at = now_usec();
        }
}

static int cmd_reconnect(const char *ns) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = connect_or_fail();
        _cleanup_strv_free_ char **names = NULL;
        Reconnect x = {};
        uint64_t deadline;

        containerd_client_set_timeout(c, 5 * 1000000ULL);
        containerd_client_set_state_handler(c, rc_state, &x);
        CHECK(c, containerd_subscribe(c, NULL, rc_event, rc_sub_end, &x, &x.sub));
        printf("READY\n");
        fflush(stdout);

        deadline = now_usec() + 60 * 1000000ULL;
        while (!(x.saw_reconnect && x.sub_ended && x.call_done) && now_usec() < deadline)
                CHECK(c, sd_event_run(containerd_client_get_event(c), 100000));
        if (!x.saw_disconnect)
                fail("the restart of containerd was not seen as a disconnect");
        if (!x.saw_reconnect)
                fail("no reconnect within 60 s");
        if (!x.sub_ended)
                fail("the event stream did not end when containerd went away");
        if (!x.call_done)
                fail("the call started while disconnected never finished (hang)");
        printf("# disconnect → reconnect %.1f ms; call while disconnected: %s after %.1f ms\n",
               (x.reconnect_at - x.disconnect_at) / 1000.0, x.call_error < 0 ? strerror(-x.call_error) : "ok",
               (x.call_done_at - x.call_at) / 1000.0);

        /* the same client keeps working */
        CHECK(c, containerd_subscribe(c, NULL, rc_event, rc_sub_end, &x, &x.sub));
        CHECK(c, containerd_namespace_create_sync(c, ns, NULL));
        CHECK(c, containerd_namespace_list_sync(c, &names));
        if (!strv_contains(names, ns))
                fail("namespace %s not listed after the reconnect", ns);
        CHECK(c, containerd_namespace_delete_sync(c, ns));
        x.sub_ended = false;
        containerd_subscription_cancel(x.sub);
        while (!x.sub_ended)
                CHECK(c, sd_event_run(containerd_client_get_event(c), UINT64_MAX));
        if (x.sub_error != -ECANCELED)
                fail("cancelled subscription ended with %d", x.sub_error);
        printf("RECONNECTED\n");
        return 0;
}

/* ---- corrupt ---- */

static int cmd_corrupt(const char *ns, const char *tarball) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = connect_or_fail();
        _cleanup_(containerd_image_array_freep) ContainerdImage **images = NULL;
        _cleanup_strv_free_ char **names = NULL, **leases = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        (void) containerd_namespace_create_sync(c, ns, NULL);
        fd = open(tarball, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail("cannot open %s: %m", tarball);
        r = image_load_fd(c, ns, fd, NULL, &names, &error);
        if (r >= 0)
                fail("the corrupt archive %s was loaded", tarball);
        printf("REFUSED: %s (%s)\n", strna(error), strerror(-r));
        CHECK(c, containerd_image_list_sync(c, ns, NULL, &images));
        if (images[0])
                fail("image %s left behind by a refused load", images[0]->name);
        CHECK(c, containerd_lease_list_sync(c, ns, NULL, &leases));
        if (leases && leases[0])
                fail("lease %s left behind by a refused load", leases[0]);
        /* nothing else either: the namespace is empty again */
        r = containerd_namespace_delete_sync(c, ns);
        if (r < 0)
                fail("namespace %s not empty after a refused load: %s", ns, cerr(c, r));
        return 0;
}

/* ---- load ---- */

static int cmd_load(const char *ns, const char *tarball, const char *want_name, const char *name) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = connect_or_fail();
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        _cleanup_(containerd_snapshot_info_freep) ContainerdSnapshotInfo *si = NULL;
        _cleanup_(containerd_image_freep) ContainerdImage *img = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_close_ int fd = -EBADF;
        ImageLoadOptions opts = { .name = name };
        uint64_t t0 = now_usec();
        int r;

        (void) containerd_namespace_create_sync(c, ns, NULL);
        fd = streq(tarball, "-") ? dup(STDIN_FILENO) : open(tarball, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail("cannot open %s: %m", tarball);
        r = image_load_fd(c, ns, fd, &opts, &names, &error);
        if (r < 0)
                fail("loading %s failed: %s", tarball, strna(error));
        printf("# loaded %s in %.1f ms\n", names[0], (now_usec() - t0) / 1000.0);
        if (!streq(names[0], want_name))
                fail("loaded as %s, not %s", names[0], want_name);
        CHECK(c, containerd_image_get_sync(c, ns, want_name, &img));
        printf("# image %s → %s %s\n", img->name, img->target.media_type, img->target.digest);
        CHECK(c, image_config_load(c, ns, want_name, &cfg));
        CHECK(c, containerd_snapshot_stat_sync(c, ns, NULL, cfg->chain_ids[strv_length(cfg->chain_ids) - 1], &si));
        if (si->kind != CONTAINERD_SNAPSHOT_COMMITTED)
                fail("the top layer snapshot is not committed");
        /* the content store directly: write a blob under a lease, read it back, delete it */
        {
                const char *data = "kukeon content check\n";
                char *labels[] = { (char *) "kukeon.io/test", (char *) "content", NULL };
                _cleanup_(containerd_content_info_freep) ContainerdContentInfo *info = NULL;
                _cleanup_free_ char *back = NULL;
                _cleanup_strv_free_ char **leases = NULL;
                size_t n;
                char computed[DIGEST_SHA256_STRING_LEN + 1];

                CHECK(c, digest_of(data, strlen(data), computed));
                (void) containerd_lease_delete_sync(c, ns, "kukeon-live-lease", false); /* an earlier run's */
                CHECK(c, containerd_lease_create_sync(c, ns, "kukeon-live-lease", NULL));
                CHECK(c, containerd_lease_list_sync(c, ns, NULL, &leases));
                if (!strv_contains(leases, "kukeon-live-lease"))
                        fail("lease not listed");
                CHECK(c, containerd_client_set_lease(c, "kukeon-live-lease"));
                CHECK(c, containerd_content_write_blob_sync(c, ns, "kukeon-live-ref", data, strlen(data), computed, labels));
                CHECK(c, containerd_client_set_lease(c, NULL));
                CHECK(c, containerd_content_info_sync(c, ns, computed, &info));
                if (info->size != (int64_t) strlen(data) || !strv_contains(info->labels, "content"))
                        fail("content info: size %lld, labels wrong", (long long) info->size);
                CHECK(c, containerd_content_read_sync(c, ns, computed, 4096, (void **) &back, &n));
                if (n != strlen(data) || memcmp(back, data, n) != 0)
                        fail("content read back differs");
                r = containerd_content_read_sync(c, ns, computed, 4, (void **) &back, &n);
                if (r != -EFBIG)
                        fail("reading past the limit gave %d, not -EFBIG", r);
                /* a wrong expected digest is refused by containerd at commit */
                char other[DIGEST_SHA256_STRING_LEN + 1];
                CHECK(c, digest_of("y", 1, other));
                r = containerd_content_write_blob_sync(c, ns, "kukeon-live-ref2", "x", 1, other, NULL);
                if (r >= 0)
                        fail("a blob with the wrong digest was committed");
                printf("# wrong digest refused by containerd: %s\n", cerr(c, r));
                CHECK(c, containerd_content_abort_sync(c, ns, "kukeon-live-ref2"));
                CHECK(c, containerd_content_delete_sync(c, ns, computed));
                info = containerd_content_info_free(info);
                r = containerd_content_info_sync(c, ns, computed, &info);
                if (r != -ENOENT)
                        fail("content info after delete gave %d, not -ENOENT", r);
                CHECK(c, containerd_lease_delete_sync(c, ns, "kukeon-live-lease", true));
        }

        /* snapshots: prepare on the image, mounts agree, remove */
        {
                _cleanup_(containerd_mounts_freep) ContainerdMount **m1 = NULL, **m2 = NULL;
                const char *top = cfg->chain_ids[strv_length(cfg->chain_ids) - 1];
                CHECK(c, containerd_snapshot_prepare_sync(c, ns, NULL, "kukeon-live-snap", top, NULL, &m1));
                CHECK(c, containerd_snapshot_mounts_sync(c, ns, NULL, "kukeon-live-snap", &m2));
                if (!m1[0] || !m2[0] || !streq(m1[0]->type, m2[0]->type) || !streq(m1[0]->source, m2[0]->source))
                        fail("snapshot prepare and mounts disagree");
                printf("# snapshot mount: %s %s (%zu options)\n", m2[0]->type, m2[0]->source, strv_length(m2[0]->options));
                CHECK(c, containerd_snapshot_remove_sync(c, ns, NULL, "kukeon-live-snap"));
        }

        printf("LOADED %s\n", want_name);
        return 0;
}

/* ---- pull ---- */

typedef struct Progress {
        uint64_t done, total;
        unsigned calls;
} Progress;

static void on_progress(uint64_t done, uint64_t total, void *userdata) {
        Progress *p = userdata;
        if (done < p->done || done > total)
                fail("progress went %" PRIu64 " → %" PRIu64 " of %" PRIu64, p->done, done, total);
        p->done = done;
        p->total = total;
        p->calls++;
}

static int cmd_pull(const char *ns, const char *ref, const char *want, const char *server, const char *user, const char *password) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = connect_or_fail();
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        _cleanup_(containerd_snapshot_info_freep) ContainerdSnapshotInfo *si = NULL;
        _cleanup_free_ char *name = NULL, *error = NULL;
        ImagePullCredentials creds = { .server_address = server, .username = user, .password = password };
        Progress progress = {};
        ImagePullOptions opts = {
                .credentials = server ? &creds : NULL,
                .n_credentials = server ? 1 : 0,
                .progress = on_progress,
                .userdata = &progress,
        };
        uint64_t t0 = now_usec();
        int r;

        (void) containerd_namespace_create_sync(c, ns, NULL);
        r = image_pull(c, ns, ref, &opts, &name, &error);
        if (r < 0) {
                printf("REFUSED: %s (%s)\n", strna(error), strerror(-r));
                return 3;
        }
        printf("# pulled %s in %.1f ms; progress %" PRIu64 "/%" PRIu64 " bytes in %u reports\n", name,
               (now_usec() - t0) / 1000.0, progress.done, progress.total, progress.calls);
        if (!streq(name, want))
                fail("pulled as %s, not %s", name, want);
        if (progress.calls == 0 || progress.done != progress.total)
                fail("progress did not reach the total");
        CHECK(c, image_config_load(c, ns, name, &cfg));
        CHECK(c, containerd_snapshot_stat_sync(c, ns, NULL, cfg->chain_ids[strv_length(cfg->chain_ids) - 1], &si));
        printf("PULLED %s\n", name);
        return 0;
}

int main(int argc, char *argv[]) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc >= 3 && streq(argv[1], "basic"))
                return cmd_basic(argv[2]);
        if (argc >= 4 && streq(argv[1], "run"))
                return cmd_run(argv[2], argv[3], argc >= 5 ? (unsigned) atoi(argv[4]) : 1);
        if (argc >= 3 && streq(argv[1], "reconnect"))
                return cmd_reconnect(argv[2]);
        if (argc >= 5 && streq(argv[1], "load"))
                return cmd_load(argv[2], argv[3], argv[4], argc >= 6 ? argv[5] : NULL);
        if (argc >= 5 && streq(argv[1], "pull"))
                return cmd_pull(argv[2], argv[3], argv[4], argc >= 8 ? argv[5] : NULL, argc >= 8 ? argv[6] : NULL, argc >= 8 ? argv[7] : NULL);
        if (argc >= 4 && streq(argv[1], "corrupt"))
                return cmd_corrupt(argv[2], argv[3]);
        fprintf(stderr, "usage: %s basic NS | run NS TARBALL [N] | reconnect NS | corrupt NS TARBALL | load NS TARBALL|- WANT_NAME [NAME] | pull NS REF WANT_NAME [SERVER USER PASSWORD]\n", argv[0]);
        return 2;
}
