/* SPDX-License-Identifier: Apache-2.0 */
/* The containerd benchmark of issue 4 (not a test): how long a container's life takes through
 * kukeon's containerd client, next to `ctr run --rm` and next to runc alone, in the same run.
 * Run inside the test machine by tools/bench-containerd (see docs/containerd.md, Benchmarks):
 *
 *   bench-containerd [OPTIONS] --rootfs DIR TARBALL
 *
 * 1. loads TARBALL (the test image) with image_load_fd() into a namespace;
 * 2. runs N containers (default 50) four ways, interleaved round by round (the order rotates)
 *    so that load from other work on the machine hits all alike:
 *      kukeon  the project's client: container create, snapshot prepare, task create, task
 *              start, task exit (the TaskExit event on the client's event stream), task delete,
 *              snapshot remove, container delete — each step timed;
 *      kukeon, shared shim
 *              the same, the containers joining the shim of a long-running holder container
 *              (spec annotation io.containerd.runc.v2.group) instead of starting their own;
 *      ctr     `ctr run --rm IMAGE ID /bin/true`, the whole process timed;
 *      runc    `runc create` / `runc start` / exit (waitpid: we are the child subreaper, as a
 *              shim is) / `runc delete` on a bundle whose rootfs is DIR (the image's layer,
 *              unpacked) with the same OCI spec as kukeon's containers — the floor;
 * 3. prints median and p90 per step and of the totals, and the ratios kukeon/ctr and
 *    kukeon/runc with whether kukeon's overhead over runc stays under 10%.
 *
 * Exit status: 0 when the benchmark ran (whatever the figures, unless --strict), 1 when
 * something failed (a message says what), 2 for bad arguments. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "containerd.h"
#include "fileio.h"
#include "image-config.h"
#include "image-load.h"
#include "strv.h"

extern char **environ;

#define CONNECT_TIMEOUT_USEC (20ULL * 1000000ULL)
#define EXIT_TIMEOUT_USEC (30ULL * 1000000ULL)
#define OVERHEAD_LIMIT_PERCENT 10.0

static const char *arg_namespace = "kukeon-bench";
static const char *arg_rootfs = NULL;
static const char *arg_ctr = "ctr";
static const char *arg_runc = "runc";
static unsigned arg_count = 50;
static unsigned arg_warmup = 2;
static bool arg_kill = false;
static bool arg_ctr_enabled = true;
static bool arg_runc_enabled = true;
static bool arg_group_enabled = true;
static bool arg_strict = false;

static char *work_dir = NULL;

static _noreturn_ _printf_(1, 2) void fail(const char *fmt, ...) {
        va_list ap;

        fflush(stdout);
        fputs("bench-containerd: error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

static uint64_t clock_usec(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

static uint64_t now_usec(void) {
        return clock_usec(CLOCK_MONOTONIC);
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

/* ---- samples ---- */

typedef struct Series {
        uint64_t *usec; /* arg_count samples */
        size_t n;
} Series;

static void series_add(Series *s, uint64_t usec) {
        if (!s->usec) {
                s->usec = new0(uint64_t, arg_count);
                if (!s->usec)
                        fail("out of memory");
        }
        if (s->n < arg_count)
                s->usec[s->n++] = usec;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* median (mean of the two middle samples when even) and p90 (nearest rank), in ms */
static void series_stats(const Series *s, double *ret_median, double *ret_p90) {
        _cleanup_free_ uint64_t *v = NULL;
        size_t n = s->n, k;

        if (n == 0) {
                *ret_median = *ret_p90 = -1;
                return;
        }
        v = new0(uint64_t, n);
        if (!v)
                fail("out of memory");
        memcpy(v, s->usec, n * sizeof(uint64_t));
        qsort(v, n, sizeof(uint64_t), cmp_u64);
        *ret_median = (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) / 1000.0;
        k = (9 * n + 9) / 10; /* ceil(0.9 n) */
        *ret_p90 = v[MAX(k, (size_t) 1) - 1] / 1000.0;
}

static double series_median(const Series *s) {
        double m, p;
        series_stats(s, &m, &p);
        return m;
}

/* ---- the OCI spec: the same for kukeon's containers and the runc bundles ---- */

/* 'group': the runc v2 shim group (annotation), or NULL. 'sleep': run 'sleep 1000' (to be
 * killed), else /bin/true. */
static char *make_spec(const char *id, const char *root_path, const char *cgroups_parent, const char *group, bool sleep) {
        _cleanup_free_ char *cgroups_path = NULL;
        json_t *args, *caps;
        json_t *spec;
        char *s;

        if (asprintf(&cgroups_path, "/%s/%s", cgroups_parent, id) < 0)
                return NULL;
        args = sleep ? json_pack("[s,s]", "/bin/sleep", "1000") : json_pack("[s]", "/bin/true");
        caps = json_pack("[s,s]", "CAP_CHOWN", "CAP_KILL");
        if (!args || !caps) {
                json_decref(args);
                json_decref(caps);
                return NULL;
        }
        /* a minimal spec (src/image/test-containerd-live.c has the same): the full builder
         * (src/oci/) adds mounts and settings that would only blur a comparison of runtimes */
        spec = json_pack("{s:s, s:{s:b, s:{s:i, s:i}, s:o, s:[s], s:s, s:b, s:{s:O, s:O, s:o}},"
                         " s:{s:s, s:b}, s:s,"
                         " s:[{s:s, s:s, s:s, s:[s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]},"
                         "    {s:s, s:s, s:s, s:[s,s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]}],"
                         " s:{s:s, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]}}",
                         "ociVersion", "1.0.2",
                         "process",
                         "terminal", false,
                         "user", "uid", 0, "gid", 0,
                         "args", args,
                         "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                         "cwd", "/",
                         "noNewPrivileges", true,
                         "capabilities", "bounding", caps, "effective", caps, "permitted", caps,
                         "root", "path", root_path, "readonly", false,
                         "hostname", id,
                         "mounts",
                         "destination", "/proc", "type", "proc", "source", "proc", "options", "nosuid", "noexec", "nodev",
                         "destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options", "nosuid", "strictatime", "mode=755", "size=65536k",
                         "destination", "/dev/pts", "type", "devpts", "source", "devpts", "options", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                         "destination", "/sys", "type", "sysfs", "source", "sysfs", "options", "nosuid", "noexec", "nodev", "ro",
                         "linux",
                         "cgroupsPath", cgroups_path,
                         "namespaces", "type", "pid", "type", "ipc", "type", "uts", "type", "mount", "type", "network");
        if (!spec)
                return NULL;
        if (group && json_object_set_new(spec, "annotations", json_pack("{s:s}", "io.containerd.runc.v2.group", group)) < 0) {
                json_decref(spec);
                return NULL;
        }
        s = json_dumps(spec, JSON_COMPACT);
        json_decref(spec);
        return s;
}

/* ---- processes ---- */

/* Run argv (PATH searched) with stdin and stdout on /dev/null and stderr into 'log'; wait for
 * it. Returns its wait status; the time spawn → reaped in *ret_usec. */
static int run_process(char *const *argv, const char *log, uint64_t *ret_usec) {
        posix_spawn_file_actions_t fa;
        uint64_t t0;
        pid_t pid;
        int r, status;

        if (posix_spawn_file_actions_init(&fa) != 0 ||
            posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0 ||
            posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) != 0 ||
            posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0600) != 0)
                fail("cannot set up the spawn of %s", argv[0]);
        t0 = now_usec();
        r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                fail("cannot run %s: %s", argv[0], strerror(r));
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        fail("waitpid(%s): %m", argv[0]);
        if (ret_usec)
                *ret_usec = now_usec() - t0;
        return status;
}

static void describe_failure(char *const *argv, int status, const char *log) {
        _cleanup_free_ char *out = NULL;
        const char *verb = argv[1] && argv[2] && argv[3] ? argv[3] : "";

        (void) read_file_full(log, 64 * 1024, &out, NULL);
        if (WIFEXITED(status))
                fail("%s %s... exited with status %d: %s", argv[0], verb, WEXITSTATUS(status), out && *out ? out : "(no output)");
        fail("%s %s... was killed by signal %d: %s", argv[0], verb, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
             out && *out ? out : "(no output)");
}

static uint64_t run_or_fail(char *const *argv, const char *log) {
        uint64_t usec;
        int status = run_process(argv, log, &usec);

        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                describe_failure(argv, status, log);
        return usec;
}

/* the first line a command prints, for the header */
static char *first_line_of(const char *cmd) {
        char buf[256] = "";
        FILE *f = popen(cmd, "re");

        if (!f)
                return strdup("?");
        if (!fgets(buf, sizeof buf, f))
                strcpy(buf, "?");
        (void) pclose(f);
        buf[strcspn(buf, "\n")] = 0;
        return strdup(buf);
}

/* ---- kukeon: the project's client ---- */

enum {
        K_CTR_CREATE,
        K_SNAP_PREPARE,
        K_TASK_CREATE,
        K_TASK_START,
        K_TASK_EXIT,
        K_TASK_DELETE,
        K_SNAP_REMOVE,
        K_CTR_DELETE,
        K_TOTAL,
        _K_MAX,
};

static const char *const kukeon_step_name[_K_MAX] = {
        "container create", "snapshot prepare", "task create", "task start", "task exit",
        "task delete",      "snapshot remove",  "container delete", "total",
};

typedef struct Kukeon {
        ContainerdClient *client;
        ContainerdSubscription *sub;
        bool sub_ended;
        int sub_error;
        const char *image;
        const char *top_chain_id;
        /* the container being waited for */
        const char *id;
        bool exited;
        uint32_t exit_status;
        uint64_t exited_at;
} Kukeon;

static int on_event(ContainerdClient *c, const ContainerdEvent *e, void *userdata) {
        Kukeon *k = userdata;

        if (e->type != CONTAINERD_EVENT_TASK_EXIT || !k->id || !streq_ptr(e->container_id, k->id))
                return 0;
        /* the init process: exec_id is the container id (or empty from some shims) */
        if (e->exec_id && *e->exec_id && !streq(e->exec_id, k->id))
                return 0;
        k->exited = true;
        k->exit_status = e->exit_status;
        k->exited_at = now_usec();
        return 0;
}

static void on_sub_end(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        Kukeon *k = userdata;
        k->sub_ended = true;
        k->sub_error = error;
        k->sub = NULL;
}

static void kukeon_wait_exit(Kukeon *k, const char *id, uint32_t want_status) {
        ContainerdClient *c = k->client;
        uint64_t deadline = now_usec() + EXIT_TIMEOUT_USEC;

        while (!k->exited && !k->sub_ended && now_usec() < deadline)
                CHECK(c, sd_event_run(containerd_client_get_event(c), 100000));
        if (!k->exited)
                fail("no TaskExit event for %s within %llu s%s", id, (unsigned long long) (EXIT_TIMEOUT_USEC / 1000000),
                     k->sub_ended ? " (the event stream ended)" : "");
        if (k->exit_status != want_status)
                fail("container %s exited with status %u, not %u", id, k->exit_status, want_status);
}

/* One container's life, each step timed into 'steps' (when 'measure'), and the CPU time this
 * process spent on it (the client's own cost: both of its threads, the spec's JSON) into
 * 'cpu'. 'group': the shim group (spec annotation io.containerd.runc.v2.group), NULL for a
 * shim of its own. */
static void kukeon_run_one(Kukeon *k, Series *steps, Series *cpu, const char *id, const char *group, bool measure) {
        uint64_t cpu0 = clock_usec(CLOCK_PROCESS_CPUTIME_ID);
        _cleanup_(containerd_mounts_freep) ContainerdMount **mounts = NULL;
        _cleanup_(containerd_process_freep) ContainerdProcess *deleted = NULL;
        _cleanup_free_ char *spec = make_spec(id, "rootfs", arg_namespace, group, arg_kill);
        ContainerdClient *c = k->client;
        uint64_t t[_K_MAX], begin, s;
        uint32_t pid;

        if (!spec)
                fail("out of memory");
        ContainerdContainer ctr = {
                .id = (char *) id, .image = (char *) k->image, .spec_json = spec,
                .snapshotter = (char *) CONTAINERD_SNAPSHOTTER_DEFAULT, .snapshot_key = (char *) id,
        };
        k->id = id;
        k->exited = false;
        if (k->sub_ended)
                fail("the event stream ended: %s", strerror(-k->sub_error));

        begin = now_usec();
        CHECK(c, containerd_container_create_sync(c, arg_namespace, &ctr, NULL));
        t[K_CTR_CREATE] = now_usec();
        CHECK(c, containerd_snapshot_prepare_sync(c, arg_namespace, NULL, id, k->top_chain_id, NULL, &mounts));
        t[K_SNAP_PREPARE] = now_usec();
        /* stdio: /dev/null (NULL), as for the runc bundles */
        ContainerdTaskConfig tc = { .container_id = id, .rootfs = mounts };
        CHECK(c, containerd_task_create_sync(c, arg_namespace, &tc, &pid));
        t[K_TASK_CREATE] = now_usec();
        CHECK(c, containerd_task_start_sync(c, arg_namespace, id, NULL, &pid));
        t[K_TASK_START] = now_usec();

        /* the exit as kukeond learns it: a TaskExit event on the client's stream */
        if (arg_kill)
                CHECK(c, containerd_task_kill_sync(c, arg_namespace, id, NULL, SIGKILL, false));
        kukeon_wait_exit(k, id, arg_kill ? 128 + SIGKILL : 0);
        /* The event may be handled while the start call runs the loop: the exit then took no
         * time of its own after the start. The loop's tail after the event is not counted. */
        t[K_TASK_EXIT] = MAX(k->exited_at, t[K_TASK_START]);
        k->id = NULL;

        s = now_usec();
        CHECK(c, containerd_task_delete_sync(c, arg_namespace, id, NULL, &deleted));
        t[K_TASK_DELETE] = t[K_TASK_EXIT] + (now_usec() - s);
        s = now_usec();
        CHECK(c, containerd_snapshot_remove_sync(c, arg_namespace, NULL, id));
        t[K_SNAP_REMOVE] = t[K_TASK_DELETE] + (now_usec() - s);
        s = now_usec();
        CHECK(c, containerd_container_delete_sync(c, arg_namespace, id));
        t[K_CTR_DELETE] = t[K_SNAP_REMOVE] + (now_usec() - s);

        if (!measure)
                return;
        for (size_t i = 0; i < K_TOTAL; i++)
                series_add(&steps[i], t[i] - (i == 0 ? begin : t[i - 1]));
        series_add(&steps[K_TOTAL], t[K_CTR_DELETE] - begin);
        series_add(cpu, clock_usec(CLOCK_PROCESS_CPUTIME_ID) - cpu0);
}

/* The holder of a shim group: a long-running container whose shim the measured containers of
 * the group join (runc v2's shim serves every container of its group and exits with the last
 * one) — as a cell's containers would share their anchor's shim. */
static void kukeon_holder(Kukeon *k, const char *id, const char *group, bool start) {
        _cleanup_(containerd_mounts_freep) ContainerdMount **mounts = NULL;
        _cleanup_free_ char *spec = NULL;
        ContainerdClient *c = k->client;
        uint32_t pid;

        if (start) {
                spec = make_spec(id, "rootfs", arg_namespace, group, true);
                if (!spec)
                        fail("out of memory");
                ContainerdContainer ctr = {
                        .id = (char *) id, .image = (char *) k->image, .spec_json = spec,
                        .snapshotter = (char *) CONTAINERD_SNAPSHOTTER_DEFAULT, .snapshot_key = (char *) id,
                };
                CHECK(c, containerd_container_create_sync(c, arg_namespace, &ctr, NULL));
                CHECK(c, containerd_snapshot_prepare_sync(c, arg_namespace, NULL, id, k->top_chain_id, NULL, &mounts));
                ContainerdTaskConfig tc = { .container_id = id, .rootfs = mounts };
                CHECK(c, containerd_task_create_sync(c, arg_namespace, &tc, &pid));
                CHECK(c, containerd_task_start_sync(c, arg_namespace, id, NULL, &pid));
                return;
        }
        k->id = id;
        k->exited = false;
        CHECK(c, containerd_task_kill_sync(c, arg_namespace, id, NULL, SIGKILL, true));
        kukeon_wait_exit(k, id, 128 + SIGKILL);
        k->id = NULL;
        CHECK(c, containerd_task_delete_sync(c, arg_namespace, id, NULL, NULL));
        CHECK(c, containerd_snapshot_remove_sync(c, arg_namespace, NULL, id));
        CHECK(c, containerd_container_delete_sync(c, arg_namespace, id));
}

/* ---- ctr run --rm ---- */

static void ctr_run_one(Series *s, const char *image, const char *id, bool measure) {
        _cleanup_free_ char *log = NULL;
        uint64_t usec;

        if (asprintf(&log, "%s/ctr.log", work_dir) < 0)
                fail("out of memory");
        /* ctr has no natural way to be killed from outside mid-run: it always runs /bin/true */
        char *argv[] = { (char *) arg_ctr, (char *) "-n", (char *) arg_namespace, (char *) "run", (char *) "--rm",
                         (char *) image, (char *) id, (char *) "/bin/true", NULL };
        usec = run_or_fail(argv, log);
        if (measure)
                series_add(s, usec);
}

/* ---- runc on a bundle ---- */

enum {
        R_CREATE,
        R_START,
        R_EXIT,
        R_DELETE,
        R_TOTAL,
        _R_MAX,
};

static const char *const runc_step_name[_R_MAX] = { "runc create", "runc start", "exit", "runc delete", "total" };

static void runc_run_one(Series *steps, const char *id, bool measure) {
        _cleanup_free_ char *bundle = NULL, *config = NULL, *spec = NULL, *pid_file = NULL, *pid_text = NULL,
                            *root = NULL, *log = NULL, *rootfs = NULL;
        uint64_t t[_R_MAX], begin;
        pid_t pid;
        int status, r;

        if (asprintf(&bundle, "%s/bundles/%s", work_dir, id) < 0 || asprintf(&config, "%s/config.json", bundle) < 0 ||
            asprintf(&pid_file, "%s/pid", bundle) < 0 || asprintf(&root, "%s/runc-root", work_dir) < 0 ||
            asprintf(&log, "%s/runc.log", work_dir) < 0)
                fail("out of memory");
        rootfs = realpath(arg_rootfs, NULL);
        if (!rootfs)
                fail("--rootfs %s: %m", arg_rootfs);
        spec = make_spec(id, rootfs, "kukeon-bench-runc", NULL, arg_kill);
        if (!spec)
                fail("out of memory");
        if (mkdir(bundle, 0700) < 0)
                fail("cannot create %s: %m", bundle);
        r = write_file_atomic(config, spec, strlen(spec), 0600);
        if (r < 0)
                fail("cannot write %s: %s", config, strerror(-r));

        char *create[] = { (char *) arg_runc, (char *) "--root", root, (char *) "create", (char *) "--bundle", bundle,
                           (char *) "--pid-file", pid_file, (char *) id, NULL };
        char *start[] = { (char *) arg_runc, (char *) "--root", root, (char *) "start", (char *) id, NULL };
        char *kill_[] = { (char *) arg_runc, (char *) "--root", root, (char *) "kill", (char *) id, (char *) "KILL", NULL };
        char *delete[] = { (char *) arg_runc, (char *) "--root", root, (char *) "delete", (char *) id, NULL };

        begin = now_usec();
        (void) run_or_fail(create, log);
        t[R_CREATE] = now_usec();
        r = read_file_full(pid_file, 64, &pid_text, NULL);
        if (r < 0)
                fail("runc create wrote no pid file %s: %s", pid_file, strerror(-r));
        pid = (pid_t) atoi(pid_text);
        if (pid <= 0)
                fail("runc create wrote '%s' into %s", pid_text, pid_file);
        {
                /* reading the pid file is ours, not runc's: keep it out of the next step */
                uint64_t s = now_usec();
                (void) run_or_fail(start, log);
                t[R_START] = t[R_CREATE] + (now_usec() - s);
                s = now_usec();
                if (arg_kill)
                        (void) run_or_fail(kill_, log);
                /* runc create's child was reparented to us, the subreaper: reap it as a shim does */
                while (waitpid(pid, &status, 0) < 0)
                        if (errno != EINTR)
                                fail("waitpid(%d), the container %s: %m", (int) pid, id);
                t[R_EXIT] = t[R_START] + (now_usec() - s);
                if (arg_kill ? !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) : !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                        fail("runc container %s ended with wait status 0x%x", id, (unsigned) status);
                s = now_usec();
                (void) run_or_fail(delete, log);
                t[R_DELETE] = t[R_EXIT] + (now_usec() - s);
        }
        (void) unlink(config);
        (void) unlink(pid_file);
        (void) rmdir(bundle);
        /* as a subreaper we may inherit other orphans (none expected): do not let them pile up */
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;

        if (!measure)
                return;
        for (size_t i = 0; i < R_TOTAL; i++)
                series_add(&steps[i], t[i] - (i == 0 ? begin : t[i - 1]));
        series_add(&steps[R_TOTAL], t[R_DELETE] - begin);
}

/* ---- report ---- */

static void print_cell(const Series *s) {
        double m, p;

        if (!s || s->n == 0) {
                printf(" %9s %9s", "", "");
                return;
        }
        series_stats(s, &m, &p);
        printf(" %9.2f %9.2f", m, p);
}

static bool print_verdict(const char *name, double ours, double floor) {
        double overhead = (ours / floor - 1.0) * 100.0;
        bool over = overhead >= OVERHEAD_LIMIT_PERCENT;

        printf("%-31s %5.2f  (%.2f / %.2f ms), overhead %+.1f%% (%+.2f ms a container): %s %.0f%%\n", name, ours / floor,
               ours, floor, overhead, ours - floor, over ? "NOT under" : "under", OVERHEAD_LIMIT_PERCENT);
        return over;
}

static void help(const char *prog) {
        printf("Usage: %s [OPTIONS] --rootfs DIR TARBALL\n\n"
               "Time N containers' lives through kukeon's containerd client (per step; with a shim of\n"
               "their own, and sharing one shim), `ctr run --rm` and runc on an unpacked bundle,\n"
               "interleaved, in the same run; print median/p90 per step and the ratios.\n"
               "Run it inside the test machine: tools/bench-containerd does.\n\n"
               "  -n, --count N        containers each way (default 50)\n"
               "  -w, --warmup N       unmeasured rounds first (default 2)\n"
               "  -N, --namespace NS   containerd namespace (default kukeon-bench)\n"
               "  -r, --rootfs DIR     the image's rootfs, unpacked, for the runc bundles\n"
               "  -k, --kill           run 'sleep 1000' and kill it (SIGKILL) instead of a natural exit\n"
               "                       of /bin/true (ctr run --rm always runs /bin/true)\n"
               "      --no-ctr         skip ctr run --rm\n"
               "      --no-runc        skip runc (then --rootfs is not needed)\n"
               "      --no-group       skip kukeon with a shared shim (io.containerd.runc.v2.group)\n"
               "      --ctr PATH       the ctr binary (default: ctr from PATH)\n"
               "      --runc PATH      the runc binary (default: runc from PATH)\n"
               "      --strict         exit 1 when kukeon's overhead over runc (a shim each) is %.0f%% or more\n"
               "  -h, --help           this help\n"
               "CONTAINERD_ADDRESS overrides containerd's socket.\n",
               prog, OVERHEAD_LIMIT_PERCENT);
}

static unsigned parse_count(const char *opt, const char *s, unsigned min, unsigned max) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end || *s == '-' || v < min || v > max) {
                fprintf(stderr, "bench-containerd: %s '%s' is not a number from %u to %u\n", opt, s, min, max);
                exit(2);
        }
        return (unsigned) v;
}

static void parse_argv(int argc, char *argv[], const char **ret_tarball) {
        enum { ARG_NO_CTR = 0x100, ARG_NO_RUNC, ARG_NO_GROUP, ARG_CTR, ARG_RUNC, ARG_STRICT };
        static const struct option options[] = {
                { "count", required_argument, NULL, 'n' },       { "warmup", required_argument, NULL, 'w' },
                { "namespace", required_argument, NULL, 'N' },   { "rootfs", required_argument, NULL, 'r' },
                { "kill", no_argument, NULL, 'k' },              { "no-ctr", no_argument, NULL, ARG_NO_CTR },
                { "no-runc", no_argument, NULL, ARG_NO_RUNC },   { "no-group", no_argument, NULL, ARG_NO_GROUP },
                { "ctr", required_argument, NULL, ARG_CTR },     { "runc", required_argument, NULL, ARG_RUNC },
                { "strict", no_argument, NULL, ARG_STRICT },     { "help", no_argument, NULL, 'h' },
                {},
        };
        int o;

        while ((o = getopt_long(argc, argv, "n:w:N:r:kh", options, NULL)) >= 0)
                switch (o) {
                case 'n': arg_count = parse_count("--count", optarg, 1, 100000); break;
                case 'w': arg_warmup = parse_count("--warmup", optarg, 0, 1000); break;
                case 'N': arg_namespace = optarg; break;
                case 'r': arg_rootfs = optarg; break;
                case 'k': arg_kill = true; break;
                case ARG_NO_CTR: arg_ctr_enabled = false; break;
                case ARG_NO_RUNC: arg_runc_enabled = false; break;
                case ARG_NO_GROUP: arg_group_enabled = false; break;
                case ARG_CTR: arg_ctr = optarg; break;
                case ARG_RUNC: arg_runc = optarg; break;
                case ARG_STRICT: arg_strict = true; break;
                case 'h': help(argv[0]); exit(0);
                default: fprintf(stderr, "bench-containerd: see --help\n"); exit(2);
                }
        if (optind != argc - 1) {
                fprintf(stderr, "bench-containerd: %s (see --help)\n",
                        optind >= argc ? "the image tarball is missing" : "one image tarball only");
                exit(2);
        }
        *ret_tarball = argv[optind];
        if (arg_runc_enabled) {
                struct stat st;
                if (!arg_rootfs) {
                        fprintf(stderr, "bench-containerd: --rootfs DIR (the image unpacked) is needed for runc, or --no-runc\n");
                        exit(2);
                }
                if (stat(arg_rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
                        fprintf(stderr, "bench-containerd: --rootfs %s is not a directory\n", arg_rootfs);
                        exit(2);
                }
        }
}

/* bundles, logs, runc's state dir: all under work_dir, /run/kukeon-bench.<pid> */
static void rm_work_dir(void) {
        _cleanup_close_ int fd = -EBADF;

        if (!work_dir)
                return;
        fd = open("/run", O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
                (void) rm_rf_at(fd, strrchr(work_dir, '/') + 1);
}

enum { WAY_KUKEON, WAY_KUKEON_GROUP, WAY_CTR, WAY_RUNC, _WAY_MAX };

int main(int argc, char *argv[]) {
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;
        _cleanup_(containerd_version_freep) ContainerdVersion *version = NULL;
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *error = NULL, *runc_version = NULL, *bundles = NULL, *filter = NULL, *group = NULL,
                            *holder = NULL;
        _cleanup_close_ int fd = -EBADF;
        Series kukeon[_K_MAX] = {}, grouped[_K_MAX] = {}, kukeon_cpu = {}, grouped_cpu = {}, ctr = {}, runc[_R_MAX] = {};
        bool enabled[_WAY_MAX] = { true, arg_group_enabled, arg_ctr_enabled, arg_runc_enabled };
        Kukeon k = {};
        const char *tarball;
        uint64_t t0;
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        parse_argv(argc, argv, &tarball);
        enabled[WAY_KUKEON_GROUP] = arg_group_enabled;
        enabled[WAY_CTR] = arg_ctr_enabled;
        enabled[WAY_RUNC] = arg_runc_enabled;

        fd = open(tarball, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail("cannot open the image tarball %s: %m", tarball);

        /* runc create's child (the container) is reparented to us when runc exits: we reap it
         * and see its exit, as containerd's shim does */
        if (arg_runc_enabled && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                fail("cannot become a child subreaper: %m");
        if (asprintf(&work_dir, "/run/kukeon-bench.%u", (unsigned) getpid()) < 0 ||
            asprintf(&bundles, "%s/bundles", work_dir) < 0)
                fail("out of memory");
        if (mkdir(work_dir, 0700) < 0 || mkdir(bundles, 0700) < 0)
                fail("cannot create %s: %m", bundles);
        atexit(rm_work_dir);

        t0 = now_usec();
        r = containerd_client_new(NULL, getenv("CONTAINERD_ADDRESS"), &c);
        if (r < 0)
                fail("containerd_client_new: %s", strerror(-r));
        r = containerd_client_wait_connected(c, CONNECT_TIMEOUT_USEC);
        if (r < 0)
                fail("cannot connect to containerd at %s: %s", containerd_client_get_address(c), strerror(-r));
        CHECK(c, containerd_version_sync(c, &version));
        printf("# containerd %s at %s, connected in %.1f ms\n", version->version, containerd_client_get_address(c),
               (now_usec() - t0) / 1000.0);
        if (arg_runc_enabled) {
                _cleanup_free_ char *cmd = NULL;
                if (asprintf(&cmd, "'%s' --version 2>&1", arg_runc) < 0)
                        fail("out of memory");
                runc_version = first_line_of(cmd);
                printf("# %s\n", strna(runc_version));
        }

        r = containerd_namespace_create_sync(c, arg_namespace, NULL);
        if (r < 0 && r != -EEXIST)
                fail("cannot create namespace %s: %s", arg_namespace, cerr(c, r));
        t0 = now_usec();
        r = image_load_fd(c, arg_namespace, fd, NULL, &names, &error);
        if (r < 0)
                fail("loading %s failed: %s", tarball, error ?: strerror(-r));
        if (!names || !names[0])
                fail("%s named no image", tarball);
        k.client = c;
        k.image = names[0];
        printf("# loaded %s into namespace %s in %.1f ms\n", k.image, arg_namespace, (now_usec() - t0) / 1000.0);
        CHECK(c, image_config_load(c, arg_namespace, k.image, &cfg));
        k.top_chain_id = cfg->chain_ids[strv_length(cfg->chain_ids) - 1];

        /* one filter: its conditions AND (several filters would OR) */
        if (asprintf(&filter, "topic==\"/tasks/exit\",namespace==%s", arg_namespace) < 0)
                fail("out of memory");
        char *filters[] = { filter, NULL };
        CHECK(c, containerd_subscribe(c, filters, on_event, on_sub_end, &k, &k.sub));

        if (arg_group_enabled) {
                if (asprintf(&group, "kb-%u-group", (unsigned) getpid()) < 0 ||
                    asprintf(&holder, "kb-%u-holder", (unsigned) getpid()) < 0)
                        fail("out of memory");
                kukeon_holder(&k, holder, group, true);
        }

        printf("# %u containers each way after %u warm-up round(s), interleaved; the container %s\n", arg_count, arg_warmup,
               arg_kill ? "runs 'sleep 1000' and is killed (SIGKILL)" : "runs /bin/true and exits");

        t0 = now_usec();
        for (unsigned round = 0; round < arg_warmup + arg_count; round++) {
                bool measure = round >= arg_warmup;

                /* rotate the order, so that no way always runs right after the same other */
                for (unsigned j = 0; j < _WAY_MAX; j++) {
                        _cleanup_free_ char *id = NULL;
                        unsigned way = (round + j) % _WAY_MAX;

                        if (!enabled[way])
                                continue;
                        if (asprintf(&id, "kb-%u-%u-%c", (unsigned) getpid(), round, "kgcr"[way]) < 0)
                                fail("out of memory");
                        switch (way) {
                        case WAY_KUKEON: kukeon_run_one(&k, kukeon, &kukeon_cpu, id, NULL, measure); break;
                        case WAY_KUKEON_GROUP: kukeon_run_one(&k, grouped, &grouped_cpu, id, group, measure); break;
                        case WAY_CTR: ctr_run_one(&ctr, k.image, id, measure); break;
                        case WAY_RUNC: runc_run_one(runc, id, measure); break;
                        }
                }
                if (measure && (round - arg_warmup + 1) % 10 == 0)
                        fprintf(stderr, "bench-containerd: %u/%u rounds\n", round - arg_warmup + 1, arg_count);
        }
        printf("# %u rounds in %.1f s\n\n", arg_warmup + arg_count, (now_usec() - t0) / 1e6);
        if (arg_group_enabled)
                kukeon_holder(&k, holder, group, false);

        /* the table: kukeon's steps, with runc's matching step beside them */
        static const int runc_of[_K_MAX] = {
                [K_CTR_CREATE] = -1, [K_SNAP_PREPARE] = -1, [K_TASK_CREATE] = R_CREATE, [K_TASK_START] = R_START,
                [K_TASK_EXIT] = R_EXIT, [K_TASK_DELETE] = R_DELETE, [K_SNAP_REMOVE] = -1, [K_CTR_DELETE] = -1,
                [K_TOTAL] = R_TOTAL,
        };
        {
                _cleanup_free_ char *title = NULL;
                if (asprintf(&title, "ms a container, n=%u", arg_count) < 0)
                        fail("out of memory");
                printf("%-22s %-19s %-19s    %-12s%s\n", title, "  kukeon", arg_group_enabled ? "  kukeon, shared shim" : "", "",
                       arg_runc_enabled ? "   runc" : "");
        }
        printf("%-22s %9s %9s %9s %9s   %-12s %9s %9s\n", "", "median", "p90", arg_group_enabled ? "median" : "",
               arg_group_enabled ? "p90" : "", "", arg_runc_enabled ? "median" : "", arg_runc_enabled ? "p90" : "");
        for (size_t i = 0; i < _K_MAX; i++) {
                bool with_runc = arg_runc_enabled && runc_of[i] >= 0;

                if (i == K_TOTAL)
                        printf("%s\n", "---------------------------------------------------------------------------------------------");
                printf("%-22s", kukeon_step_name[i]);
                print_cell(&kukeon[i]);
                print_cell(arg_group_enabled ? &grouped[i] : NULL);
                if (with_runc) {
                        printf("   %-12s", runc_step_name[runc_of[i]]);
                        print_cell(&runc[runc_of[i]]);
                }
                printf("\n");
        }
        if (arg_ctr_enabled) {
                printf("%-22s", "ctr run --rm");
                print_cell(&ctr);
                printf("\n");
        }
        /* what of kukeon's time is kukeon's own: the client's CPU, and the calls that are
         * containerd's bookkeeping only (no shim, no runc) */
        {
                Series books[2] = {};
                const Series *from[2] = { kukeon, grouped };
                for (size_t w = 0; w < 2; w++)
                        for (size_t i = 0; i < from[w][K_TOTAL].n; i++)
                                series_add(&books[w], from[w][K_CTR_CREATE].usec[i] + from[w][K_SNAP_PREPARE].usec[i] +
                                                              from[w][K_SNAP_REMOVE].usec[i] + from[w][K_CTR_DELETE].usec[i]);
                printf("%-22s", "no-shim calls");
                print_cell(&books[0]);
                print_cell(arg_group_enabled ? &books[1] : NULL);
                printf("   (container and snapshot create/remove: containerd's bookkeeping)\n");
                free(books[0].usec);
                free(books[1].usec);
        }
        printf("%-22s", "client CPU time");
        print_cell(&kukeon_cpu);
        print_cell(arg_group_enabled ? &grouped_cpu : NULL);
        printf("   (this process, both threads: the client's own cost)\n");
        printf("\n");

        double km = series_median(&kukeon[K_TOTAL]);
        bool over = false;
        if (arg_ctr_enabled)
                printf("%-31s %5.2f  (%.2f / %.2f ms)\n", "kukeon / ctr run --rm", km / series_median(&ctr), km,
                       series_median(&ctr));
        if (arg_runc_enabled) {
                double rm = series_median(&runc[R_TOTAL]);
                over = print_verdict("kukeon / runc", km, rm);
                printf("%-31s %5.1f%% of runc's total (client CPU %.2f ms a container)\n", "kukeon's client alone",
                       series_median(&kukeon_cpu) / rm * 100.0, series_median(&kukeon_cpu));
                if (arg_group_enabled)
                        (void) print_verdict("kukeon, shared shim / runc", series_median(&grouped[K_TOTAL]), rm);
        }

        containerd_subscription_cancel(k.sub);
        for (size_t i = 0; i < _K_MAX; i++) {
                free(kukeon[i].usec);
                free(grouped[i].usec);
        }
        for (size_t i = 0; i < _R_MAX; i++)
                free(runc[i].usec);
        free(ctr.usec);
        free(kukeon_cpu.usec);
        free(grouped_cpu.usec);
        return arg_strict && over ? 1 : 0;
}
