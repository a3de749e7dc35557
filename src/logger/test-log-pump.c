/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log-pump.h"
#include "macro.h"
#include "tests.h"

typedef struct Sink {
        char text[_LOG_STREAM_MAX][4096]; /* "line|" per line, "line+|" for a partial piece */
        uint64_t count[_LOG_STREAM_MAX];
        uint64_t next[_LOG_STREAM_MAX]; /* the burst: the number the next line must carry */
        bool burst;
        int fail_after;
} Sink;

static int sink_line(LogStream stream, const char *line, size_t len, bool partial, void *userdata) {
        Sink *s = userdata;

        ASSERT_TRUE(stream < _LOG_STREAM_MAX);
        s->count[stream]++;
        if (s->fail_after > 0 && s->count[stream] > (uint64_t) s->fail_after)
                return -EPROTO;
        if (s->burst) {
                /* "<stream> <n>": every line once, in order, per stream */
                char want[64];
                snprintf(want, sizeof want, "%s %" PRIu64, stream == LOG_STREAM_STDOUT ? "out" : "err", s->next[stream]++);
                ASSERT_EQ(len, strlen(want));
                ASSERT_TRUE(memcmp(line, want, len) == 0);
                ASSERT_FALSE(partial);
                return 0;
        }
        size_t o = strlen(s->text[stream]);
        ASSERT_TRUE(o + len + 3 < sizeof(s->text[stream]));
        memcpy(s->text[stream] + o, line, len);
        strcpy(s->text[stream] + o + len, partial ? "+|" : "|");
        return 0;
}

static int sink_count_only(LogStream stream, const char *line, size_t len, bool partial, void *userdata) {
        Sink *s = userdata;

        s->count[stream]++;
        return 0;
}

static uint64_t now_msec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void make_pipe(int p[2]) {
        ASSERT_OK(pipe2(p, O_CLOEXEC) < 0 ? -errno : 0);
}

static void write_all(int fd, const char *s) {
        size_t n = strlen(s);
        while (n > 0) {
                ssize_t k = write(fd, s, n);
                ASSERT_TRUE(k > 0);
                s += k;
                n -= (size_t) k;
        }
}

static void test_both_streams(void) {
        static Sink s;
        LogPumpStats stats = {};
        int out[2], err[2];

        make_pipe(out);
        make_pipe(err);
        write_all(out[1], "hello\nworld\nno newline at the end");
        write_all(err[1], "oops\n\nlonger than eight\n");
        close(out[1]);
        close(err[1]);

        ASSERT_OK(log_pump_run((const int[]) { out[0], err[0] }, -1, 8, sink_line, &s, &stats));
        ASSERT_STREQ(s.text[LOG_STREAM_STDOUT], "hello|world|no newli+|ne at th+|e end|");
        ASSERT_STREQ(s.text[LOG_STREAM_STDERR], "oops||longer t+|han eigh+|t|");
        ASSERT_EQ(stats.lines[LOG_STREAM_STDOUT], 5);
        ASSERT_EQ(stats.lines[LOG_STREAM_STDERR], 5);
        ASSERT_EQ(stats.bytes[LOG_STREAM_STDOUT], strlen("helloworldno newline at the end"));
        close(out[0]);
        close(err[0]);
}

static void test_one_stream(void) {
        static Sink s;
        int out[2];

        make_pipe(out);
        write_all(out[1], "only stdout\n");
        close(out[1]);
        ASSERT_OK(log_pump_run((const int[]) { out[0], -1 }, -1, 0, sink_line, &s, NULL));
        ASSERT_STREQ(s.text[LOG_STREAM_STDOUT], "only stdout|");
        ASSERT_STREQ(s.text[LOG_STREAM_STDERR], "");
        close(out[0]);

        /* no stream at all: nothing to wait for */
        ASSERT_OK(log_pump_run((const int[]) { -1, -1 }, -1, 0, sink_line, &s, NULL));
}

/* A child writes a burst to both pipes at once, faster than the sink takes it at times: every
 * line arrives once and in order, and the pump returns when the child is gone. */
static void test_burst(void) {
        static Sink s;
        const uint64_t n_out = 100000, n_err = 30000;
        int out[2], err[2], status;
        pid_t pid;

        make_pipe(out);
        make_pipe(err);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                FILE *o = fdopen(out[1], "w"), *e = fdopen(err[1], "w");
                close(out[0]);
                close(err[0]);
                for (uint64_t i = 0; i < n_out; i++) {
                        fprintf(o, "out %" PRIu64 "\n", i);
                        if (i < n_err)
                                fprintf(e, "err %" PRIu64 "\n", i);
                }
                _exit(fclose(o) == 0 && fclose(e) == 0 ? 0 : 1);
        }
        close(out[1]);
        close(err[1]);

        s.burst = true;
        ASSERT_OK(log_pump_run((const int[]) { out[0], err[0] }, -1, 0, sink_line, &s, NULL));
        ASSERT_EQ(s.next[LOG_STREAM_STDOUT], n_out);
        ASSERT_EQ(s.next[LOG_STREAM_STDERR], n_err);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(out[0]);
        close(err[0]);
}

/* A stop request with writers still holding the pipes open (a process of the container that
 * outlived it): what they wrote is read and the partial line passed, then the pump returns
 * after the idle time instead of waiting for an EOF that never comes. */
static void test_stop_drains(void) {
        static Sink s;
        int out[2], err[2], stop[2];
        uint64_t t0;

        make_pipe(out);
        make_pipe(err);
        make_pipe(stop);
        write_all(out[1], "before stop\nhalf");
        write_all(stop[1], "x");
        write_all(err[1], "late\n");

        t0 = now_msec();
        ASSERT_OK(log_pump_run((const int[]) { out[0], err[0] }, stop[0], 0, sink_line, &s, NULL));
        ASSERT_TRUE(now_msec() - t0 < 5 * LOG_PUMP_DRAIN_IDLE_MSEC);
        ASSERT_STREQ(s.text[LOG_STREAM_STDOUT], "before stop|half|");
        ASSERT_STREQ(s.text[LOG_STREAM_STDERR], "late|");
        for (int i = 0; i < 2; i++) {
                close(out[i]);
                close(err[i]);
                close(stop[i]);
        }
}

/* A stop request while a writer never pauses: the pump still returns, after the drain limit. */
static void test_stop_endless_writer(void) {
        static Sink s;
        int out[2], stop[2], status;
        uint64_t t0, t;
        pid_t pid;

        make_pipe(out);
        make_pipe(stop);
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                close(out[0]);
                for (;;)
                        if (write(out[1], "more\n", 5) < 0)
                                _exit(0);
        }
        close(out[1]);
        write_all(stop[1], "x");

        s.burst = false;
        t0 = now_msec();
        ASSERT_OK(log_pump_run((const int[]) { out[0], -1 }, stop[0], 0, sink_count_only, &s, NULL));
        t = now_msec() - t0;
        ASSERT_TRUE(t >= LOG_PUMP_DRAIN_MAX_MSEC - 100 && t < LOG_PUMP_DRAIN_MAX_MSEC + 2000);
        ASSERT_TRUE(s.count[LOG_STREAM_STDOUT] > 0);
        close(out[0]); /* the writer gets EPIPE and exits */
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        close(stop[0]);
        close(stop[1]);
}

static void test_errors(void) {
        static Sink s;
        int out[2], closed[2];

        ASSERT_ERROR(log_pump_run(NULL, -1, 0, sink_line, &s, NULL), EINVAL);
        ASSERT_ERROR(log_pump_run((const int[]) { -1, -1 }, -1, 0, NULL, &s, NULL), EINVAL);
        ASSERT_ERROR(log_pump_run((const int[]) { -1, -1 }, -1, 2, sink_line, &s, NULL), EINVAL);

        /* the sink's error ends the pump and is returned; nothing more is passed to it */
        make_pipe(out);
        write_all(out[1], "1\n2\n3\nunterminated");
        close(out[1]);
        s.fail_after = 2;
        ASSERT_ERROR(log_pump_run((const int[]) { out[0], -1 }, -1, 0, sink_line, &s, NULL), EPROTO);
        ASSERT_EQ(s.count[LOG_STREAM_STDOUT], 3);
        close(out[0]);

        /* a closed fd */
        make_pipe(closed);
        close(closed[0]);
        close(closed[1]);
        ASSERT_ERROR(log_pump_run((const int[]) { closed[0], -1 }, -1, 0, sink_line, &s, NULL), EBADF);
}

TEST_MAIN(test_both_streams, test_one_stream, test_burst, test_stop_drains, test_stop_endless_writer, test_errors)
