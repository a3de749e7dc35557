/* SPDX-License-Identifier: Apache-2.0 */
/* kukeon-logger as the shim starts it, without a journal: bad arguments, environment or fds
 * end it with a message on stderr and a non-zero status before it closes the ready fd; a good
 * start closes the ready fd and stays until both pipes reach EOF or SIGTERM comes. No line is
 * written here (that would reach the host's journal, if it has one): the integration test
 * tests/integration/container-logs covers the journal inside the test machine. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "tests.h"

static const char *driver;

#define GOOD_ARGS "realm", "main", "space", "default", "stack", "default", "cell", "web-1", "container", "app", \
                  "unit", "kukeon-main-default-default-web\\x2d1.scope"
#define GOOD_ID "default_default_web-1_app"

typedef struct Run {
        pid_t pid;
        int out_w, err_w; /* the container's ends of stdout/stderr */
        int ready_r;      /* the shim's end of the ready pipe */
        int stderr_r;     /* what the driver says */
} Run;

/* Start the driver with 'argv' (NULL-terminated, without argv[0]) and 'envp'; 'fds' false
 * leaves fds 3-5 closed. */
static Run start(const char *const *argv, const char *const *envp, bool fds) {
        int out[2], err[2], ready[2], msg[2];
        Run r = {};

        ASSERT_TRUE(pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0);
        ASSERT_TRUE(pipe2(ready, O_CLOEXEC) == 0 && pipe2(msg, O_CLOEXEC) == 0);

        r.pid = fork();
        ASSERT_TRUE(r.pid >= 0);
        if (r.pid == 0) {
                const char *a[32] = { driver };
                size_t n = 1;

                for (; argv && *argv; argv++)
                        a[n++] = *argv;
                /* dup2 clears O_CLOEXEC on the new fds, as the shim's ExtraFiles are passed */
                if (dup2(msg[1], 2) < 0)
                        _exit(99);
                if (fds) {
                        /* move them out of the way first: a pipe may sit on 3-5 already */
                        int o = fcntl(out[0], F_DUPFD_CLOEXEC, 100), e = fcntl(err[0], F_DUPFD_CLOEXEC, 100),
                            w = fcntl(ready[1], F_DUPFD_CLOEXEC, 100);
                        if (o < 0 || e < 0 || w < 0 || dup2(o, 3) < 0 || dup2(e, 4) < 0 || dup2(w, 5) < 0)
                                _exit(99);
                }
                if (!fds)
                        for (int fd = 3; fd <= 5; fd++)
                                (void) close(fd);
                execve(driver, (char *const *) a, (char *const *) envp);
                _exit(98);
        }
        close(out[0]);
        close(err[0]);
        close(ready[1]);
        close(msg[1]);
        r.out_w = out[1];
        r.err_w = err[1];
        r.ready_r = ready[0];
        r.stderr_r = msg[0];
        return r;
}

/* Wait for the driver; its exit status, its stderr in 'buf'. */
static int finish(Run *r, char *buf, size_t size) {
        size_t o = 0;
        ssize_t k;
        int status;

        close(r->out_w);
        close(r->err_w);
        while (o + 1 < size && (k = read(r->stderr_r, buf + o, size - 1 - o)) > 0)
                o += (size_t) k;
        buf[o] = 0;
        ASSERT_EQ(waitpid(r->pid, &status, 0), r->pid);
        close(r->ready_r);
        close(r->stderr_r);
        ASSERT_TRUE(WIFEXITED(status));
        return WEXITSTATUS(status);
}

static void check_refused(const char *const *argv, const char *const *envp, bool fds, const char *needle) {
        char buf[4096];
        Run r = start(argv, envp, fds);
        int status = finish(&r, buf, sizeof buf);

        if (status == 0 || !strstr(buf, needle)) {
                fprintf(stderr, "status %d, stderr \"%s\", expected \"%s\"\n", status, buf, needle);
                abort();
        }
        ASSERT_TRUE(strncmp(buf, "kukeon-logger: ", 15) == 0);
}

static const char *const env_good[] = { "CONTAINER_ID=" GOOD_ID, "CONTAINER_NAMESPACE=kukeon-main", NULL };

static void test_help(void) {
        char buf[4096];
        Run r = start((const char *const[]) { "--help", NULL }, env_good, true);
        ASSERT_EQ(finish(&r, buf, sizeof buf), 0);

        r = start((const char *const[]) { "--version", NULL }, env_good, true);
        ASSERT_EQ(finish(&r, buf, sizeof buf), 0);
}

static void test_refusals(void) {
        const char *const no_env[] = { NULL };

        check_refused((const char *const[]) { NULL }, no_env, true, "bad arguments: argument \"realm\" is missing");
        check_refused((const char *const[]) { GOOD_ARGS, "extra", NULL }, no_env, true, "unknown argument \"extra\"");
        check_refused((const char *const[]) { "realm", "main", "space", "Default", "stack", "default", "cell", "web-1",
                                              "container", "app", "unit", "x.scope", NULL }, no_env, true,
                      "invalid Space name \"Default\"");
        check_refused((const char *const[]) { GOOD_ARGS, NULL }, no_env, true, "CONTAINER_ID and CONTAINER_NAMESPACE must be set");
        check_refused((const char *const[]) { GOOD_ARGS, NULL },
                      (const char *const[]) { "CONTAINER_ID=" GOOD_ID, "CONTAINER_NAMESPACE=bad/ns", NULL }, true,
                      "CONTAINER_NAMESPACE is not a containerd namespace name");
        check_refused((const char *const[]) { GOOD_ARGS, NULL },
                      (const char *const[]) { "CONTAINER_ID=default_default_web-2_app", "CONTAINER_NAMESPACE=kukeon-main", NULL },
                      true, "CONTAINER_ID is not " GOOD_ID);
        check_refused((const char *const[]) { GOOD_ARGS, NULL }, env_good, false, "fds 3 (stdout), 4 (stderr) and 5 (ready) must be open");
}

/* Returns true when the ready pipe reached EOF within 'msec'. */
static bool ready_within(Run *r, int msec) {
        struct pollfd p = { .fd = r->ready_r, .events = POLLIN };
        char c;

        if (poll(&p, 1, msec) != 1)
                return false;
        return read(r->ready_r, &c, 1) == 0;
}

static bool running(Run *r) {
        int status;
        return waitpid(r->pid, &status, WNOHANG) == 0;
}

static void test_ready_then_eof(void) {
        char buf[4096];
        Run r = start((const char *const[]) { GOOD_ARGS, NULL }, env_good, true);

        ASSERT_TRUE(ready_within(&r, 5000));
        /* ready, and still there: it waits for the container's output */
        usleep(100 * 1000);
        ASSERT_TRUE(running(&r));
        /* both pipes at EOF (finish() closes them): it exits by itself, with success */
        ASSERT_EQ(finish(&r, buf, sizeof buf), 0);
        ASSERT_STREQ(buf, "");
}

static void test_one_eof_is_not_enough(void) {
        char buf[4096];
        Run r = start((const char *const[]) { GOOD_ARGS, NULL }, env_good, true);

        ASSERT_TRUE(ready_within(&r, 5000));
        close(r.out_w);
        r.out_w = -1;
        usleep(200 * 1000);
        ASSERT_TRUE(running(&r)); /* stderr is still open */
        ASSERT_EQ(finish(&r, buf, sizeof buf), 0);
}

static void test_sigterm(void) {
        struct timespec t0, t1;
        char buf[4096];
        Run r = start((const char *const[]) { GOOD_ARGS, NULL }, env_good, true);

        ASSERT_TRUE(ready_within(&r, 5000));
        /* the pipes stay open (a lingering writer): SIGTERM still ends it, after a short drain */
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ASSERT_EQ(kill(r.pid, SIGTERM), 0);
        int status;
        ASSERT_EQ(waitpid(r.pid, &status, 0), r.pid);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 3);
        r.pid = -1;
        close(r.out_w);
        close(r.err_w);
        ssize_t k = read(r.stderr_r, buf, sizeof buf - 1);
        ASSERT_EQ(k, 0);
        close(r.ready_r);
        close(r.stderr_r);
}

int main(int argc, char *argv[]) {
        ASSERT_EQ(argc, 2);
        driver = argv[1];
        signal(SIGPIPE, SIG_IGN);

        test_help();
        test_refusals();
        test_ready_then_eof();
        test_one_eof_is_not_enough();
        test_sigterm();
        printf("5 tests passed\n");
        return 0;
}
