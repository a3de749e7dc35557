/* SPDX-License-Identifier: Apache-2.0 */
/* process_run() against /bin/sh and coreutils: exit status, input through the memfd, the two
 * outputs, the cap, the deadline, missing programs, the environment, signals and the fds the
 * child gets. After every run the test checks that no child of ours is left, zombie or not. */

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "macro.h"
#include "process-run.h"
#include "tests.h"

static char *env_path[] = { (char *) "PATH=/usr/bin:/bin", NULL };

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000U;
}

/* Every child process_run() started has been reaped: nothing to wait for. */
static void assert_no_children(void) {
        errno = 0;
        ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
        ASSERT_EQ(errno, ECHILD);
}

/* Runs `sh -c script` with a plain PATH. */
static int sh(const char *script, const void *input, size_t input_size, uint64_t timeout_usec, size_t output_max,
              ProcessRunResult **ret) {
        char *argv[] = { (char *) "sh", (char *) "-c", (char *) script, NULL };
        ProcessRun p = {
                .path = "/bin/sh",
                .argv = argv,
                .envp = env_path,
                .input = input,
                .input_size = input_size,
                .timeout_usec = timeout_usec ?: 10 * USEC_PER_SEC,
                .output_max = output_max,
        };
        int r = process_run(&p, ret);
        assert_no_children();
        return r;
}

static void test_exit_status(void) {
        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;

        ASSERT_EQ(sh("exit 0", NULL, 0, 0, 0, &res), 0);
        ASSERT_EQ(res->status, 0);
        ASSERT_STREQ(res->out, "");
        ASSERT_STREQ(res->err, "");
        ASSERT_EQ(res->out_size, 0);
        res = process_run_result_free(res);

        ASSERT_EQ(sh("exit 7", NULL, 0, 0, 0, &res), 7);
        ASSERT_EQ(res->status, 7);
        res = process_run_result_free(res);

        /* Killed by a signal: 128 + the signal, as a shell says. */
        ASSERT_EQ(sh("kill -KILL $$", NULL, 0, 0, 0, NULL), 128 + SIGKILL);

        /* NULL-safe. */
        ASSERT_NULL(process_run_result_free(NULL));
}

static void test_outputs_apart(void) {
        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;

        ASSERT_EQ(sh("echo out; echo err >&2; echo more out; exit 3", NULL, 0, 0, 0, &res), 3);
        ASSERT_STREQ(res->out, "out\nmore out\n");
        ASSERT_EQ(res->out_size, strlen("out\nmore out\n"));
        ASSERT_STREQ(res->err, "err\n");
        ASSERT_EQ(res->err_size, 4);
}

static void test_input(void) {
        /* 1 MiB: far more than a pipe holds, and echoed back while it is being read. */
        size_t n = 1024 * 1024;
        _cleanup_free_ char *big = malloc(n);
        ASSERT_NOT_NULL(big);
        for (size_t i = 0; i < n; i++)
                big[i] = (char) ('a' + i % 26);
        big[n - 1] = '\n';

        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;
        ASSERT_EQ(sh("exec cat", big, n, 0, 0, &res), 0);
        ASSERT_EQ(res->out_size, n);
        ASSERT_TRUE(memcmp(res->out, big, n) == 0);
        ASSERT_EQ(res->out[n], 0);
        res = process_run_result_free(res);

        ASSERT_EQ(sh("wc -c", big, n, 0, 0, &res), 0);
        ASSERT_STREQ(res->out, "1048576\n");
        res = process_run_result_free(res);

        /* The input cannot be changed through stdin: the memfd is sealed. */
        ASSERT_TRUE(sh("echo x >/proc/self/fd/0 && echo written", "abc", 3, 0, 0, &res) > 0);
        ASSERT_STREQ(res->out, "");
        res = process_run_result_free(res);

        /* A program that stops reading early is no trouble for us. */
        ASSERT_EQ(sh("head -c 3", big, n, 0, 0, &res), 0);
        ASSERT_STREQ(res->out, "abc");
        res = process_run_result_free(res);

        /* No input: /dev/null. */
        ASSERT_EQ(sh("cat; readlink /proc/self/fd/0", NULL, 0, 0, 0, &res), 0);
        ASSERT_STREQ(res->out, "/dev/null\n");
        res = process_run_result_free(res);

        /* Empty input is an empty stdin, not /dev/null. */
        ASSERT_EQ(sh("wc -c", "", 0, 0, 0, &res), 0);
        ASSERT_STREQ(res->out, "0\n");
}

static void test_output_cap(void) {
        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;
        uint64_t t = now_usec();

        /* `yes` never ends on its own: the cap ends it. */
        ASSERT_EQ(sh("exec yes", NULL, 0, 0, 4096, &res), -EFBIG);
        ASSERT_NULL(res);
        ASSERT_EQ(sh("exec yes >&2", NULL, 0, 0, 4096, &res), -EFBIG);
        ASSERT_TRUE(now_usec() - t < 5 * USEC_PER_SEC);

        /* Exactly at the cap is fine. */
        ASSERT_EQ(sh("head -c 4096 /dev/zero", NULL, 0, 0, 4096, &res), 0);
        ASSERT_EQ(res->out_size, 4096);
}

static void test_deadline(void) {
        uint64_t t = now_usec();
        ASSERT_EQ(sh("exec sleep 10", NULL, 0, 200 * USEC_PER_MSEC, 0, NULL), -ETIMEDOUT);
        uint64_t took = now_usec() - t;
        ASSERT_TRUE(took >= 200 * USEC_PER_MSEC);
        ASSERT_TRUE(took < 2 * USEC_PER_SEC);

        /* A program that closes its outputs and lingers is still held to the deadline. */
        t = now_usec();
        ASSERT_EQ(sh("exec >&- 2>&-; exec sleep 10", NULL, 0, 200 * USEC_PER_MSEC, 0, NULL), -ETIMEDOUT);
        ASSERT_TRUE(now_usec() - t < 2 * USEC_PER_SEC);

        /* A program done well within it is not hurried. */
        ASSERT_EQ(sh("sleep 0.1; echo done", NULL, 0, 5 * USEC_PER_SEC, 0, NULL), 0);
}

static void test_missing(void) {
        char *argv[] = { (char *) "kukeon-no-such-program", NULL };
        ProcessRun p = { .path = "/nonexistent/kukeon-no-such-program", .argv = argv, .timeout_usec = USEC_PER_SEC };
        ASSERT_ERROR(process_run(&p, NULL), ENOENT);

        /* Looked up in $PATH. */
        p.path = NULL;
        p.search_path = true;
        ASSERT_ERROR(process_run(&p, NULL), ENOENT);
        assert_no_children();

        char *sh_argv[] = { (char *) "sh", (char *) "-c", (char *) "exit 5", NULL };
        p = (ProcessRun) { .argv = sh_argv, .search_path = true, .timeout_usec = USEC_PER_SEC };
        ASSERT_EQ(process_run(&p, NULL), 5);
        assert_no_children();

        /* Without search_path a bare name is a path relative to the working directory. */
        p.search_path = false;
        ASSERT_ERROR(process_run(&p, NULL), ENOENT);

        ASSERT_ERROR(process_run(NULL, NULL), EINVAL);
        p = (ProcessRun) { .path = "/bin/sh", .timeout_usec = USEC_PER_SEC };
        ASSERT_ERROR(process_run(&p, NULL), EINVAL);
        p.argv = sh_argv;
        p.timeout_usec = 0;
        ASSERT_ERROR(process_run(&p, NULL), EINVAL);
        assert_no_children();
}

static void test_environment(void) {
        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;
        char *argv[] = { (char *) "env", NULL };
        char *envp[] = { (char *) "FOO=bar", (char *) "CNI_COMMAND=ADD", NULL };
        ProcessRun p = { .path = "/usr/bin/env", .argv = argv, .envp = envp, .timeout_usec = 5 * USEC_PER_SEC };

        ASSERT_EQ(process_run(&p, &res), 0);
        ASSERT_STREQ(res->out, "FOO=bar\nCNI_COMMAND=ADD\n");
        res = process_run_result_free(res);

        /* No envp: nothing of ours. */
        p.envp = NULL;
        ASSERT_EQ(process_run(&p, &res), 0);
        ASSERT_STREQ(res->out, "");
        assert_no_children();
}

static void test_signals_reset(void) {
        /* The caller blocks SIGTERM and ignores SIGINT, as kukeond does for sd-event: the child
         * must start with both at their defaults. */
        sigset_t ss, old;
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &ss, &old));
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_int;
        ASSERT_OK(sigaction(SIGINT, &ign, &old_int));

        ASSERT_EQ(sh("kill -TERM $$; exit 0", NULL, 0, 0, 0, NULL), 128 + SIGTERM);
        ASSERT_EQ(sh("kill -INT $$; exit 0", NULL, 0, 0, 0, NULL), 128 + SIGINT);

        ASSERT_OK(sigaction(SIGINT, &old_int, NULL));
        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

static void test_no_fd_leak(void) {
        /* An fd of ours without O_CLOEXEC must not reach the child. */
        int fd = open("/dev/null", O_RDONLY);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(dup2(fd, 42), 42);
        ASSERT_TRUE(fcntl(42, F_GETFD) == 0);

        _cleanup_(process_run_result_freep) ProcessRunResult *res = NULL;
        ASSERT_EQ(sh("ls /proc/self/fd", NULL, 0, 0, 0, &res), 0);
        /* 0, 1, 2 and the directory ls itself has open to list them. */
        ASSERT_STREQ(res->out, "0\n1\n2\n3\n");
        res = process_run_result_free(res);

        /* The same when our own stdio is closed and the memfd and pipes land on 0, 1, 2. */
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int keep = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 10);
                close(STDIN_FILENO);
                close(STDOUT_FILENO);
                close(STDERR_FILENO);
                ProcessRunResult *r = NULL;
                char *argv[] = { (char *) "sh", (char *) "-c", (char *) "cat; echo; ls /proc/self/fd; echo e >&2", NULL };
                ProcessRun p = { .path = "/bin/sh", .argv = argv, .envp = env_path, .input = "in",
                                 .input_size = 2, .timeout_usec = 5 * USEC_PER_SEC };
                int k = process_run(&p, &r);
                bool ok = k == 0 && streq(r->out, "in\n0\n1\n2\n3\n") && streq(r->err, "e\n");
                if (!ok)
                        dprintf(keep, "closed stdio: %d \"%s\" \"%s\"\n", k, r ? r->out : "", r ? r->err : "");
                process_run_result_free(r);
                _exit(ok ? 0 : 1);
        }
        int st;
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

        close(42);
        close(fd);
}

TEST_MAIN(test_exit_status,
          test_outputs_apart,
          test_input,
          test_output_cap,
          test_deadline,
          test_missing,
          test_environment,
          test_signals_reset,
          test_no_fd_leak)
