/* SPDX-License-Identifier: Apache-2.0 */
#include "log-pump.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "line-splitter.h"
#include "macro.h"

/* A pipe holds 64 KiB by default: one read empties it. */
#define READ_SIZE ((size_t) 65536)

typedef struct Stream {
        LogStream id;
        LineSplitter *splitter;
        log_line_sink_t sink;
        void *userdata;
        LogPumpStats *stats;
        bool *sink_failed;
} Stream;

static uint64_t now_msec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static int stream_line(const char *line, size_t len, bool partial, void *userdata) {
        Stream *s = userdata;

        if (s->stats) {
                s->stats->lines[s->id]++;
                s->stats->bytes[s->id] += len;
        }
        int r = s->sink(s->id, line, len, partial, s->userdata);
        if (r < 0)
                *s->sink_failed = true;
        return r;
}

/* Read once from a readable stream. Returns 1 when bytes came, 0 at EOF, <0 on error. */
static int stream_read(Stream *s, int fd, char *buf) {
        ssize_t n;
        int r;

        do
                n = read(fd, buf, READ_SIZE);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? 1 : -errno;
        if (n == 0)
                return 0;
        r = line_splitter_feed(s->splitter, buf, (size_t) n);
        return r < 0 ? r : 1;
}

int log_pump_run(const int fds[_LOG_STREAM_MAX], int stop_fd, size_t max_line, log_line_sink_t sink, void *userdata, LogPumpStats *stats) {
        _cleanup_free_ char *buf = NULL;
        Stream streams[_LOG_STREAM_MAX] = {};
        bool live[_LOG_STREAM_MAX] = {};
        bool stopping = false, sink_failed = false;
        uint64_t stop_deadline = 0;
        int r = 0;

        if (!fds || !sink)
                return -EINVAL;

        buf = malloc(READ_SIZE);
        if (!buf)
                return -ENOMEM;

        for (LogStream i = 0; i < _LOG_STREAM_MAX; i++) {
                streams[i] = (Stream) {
                        .id = i,
                        .sink = sink,
                        .userdata = userdata,
                        .stats = stats,
                        .sink_failed = &sink_failed,
                };
                r = line_splitter_new(max_line, stream_line, &streams[i], &streams[i].splitter);
                if (r < 0)
                        goto finish;
                live[i] = fds[i] >= 0;
        }

        while (live[LOG_STREAM_STDOUT] || live[LOG_STREAM_STDERR]) {
                struct pollfd p[_LOG_STREAM_MAX + 1];
                LogStream which[_LOG_STREAM_MAX];
                size_t n = 0, n_streams;
                int k;

                for (LogStream i = 0; i < _LOG_STREAM_MAX; i++)
                        if (live[i]) {
                                which[n] = i;
                                p[n++] = (struct pollfd) { .fd = fds[i], .events = POLLIN };
                        }
                n_streams = n;
                if (stop_fd >= 0 && !stopping)
                        p[n++] = (struct pollfd) { .fd = stop_fd, .events = POLLIN };

                if (stopping && now_msec() >= stop_deadline)
                        break;
                k = poll(p, n, stopping ? LOG_PUMP_DRAIN_IDLE_MSEC : -1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto finish;
                }
                if (k == 0) /* stopping, and nothing came for a while: the writers linger */
                        break;

                /* One read per ready stream per round, so a chatty stdout cannot starve stderr. */
                for (size_t j = 0; j < n_streams; j++) {
                        if (!(p[j].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                                continue;
                        if (p[j].revents & POLLNVAL) {
                                r = -EBADF;
                                goto finish;
                        }
                        r = stream_read(&streams[which[j]], fds[which[j]], buf);
                        if (r < 0)
                                goto finish;
                        if (r == 0)
                                live[which[j]] = false;
                }

                if (n > n_streams && p[n_streams].revents) {
                        stopping = true;
                        stop_deadline = now_msec() + LOG_PUMP_DRAIN_MAX_MSEC;
                }
        }
        r = 0;

finish:
        /* Hand over what is buffered, on every way out but a failing sink. */
        for (LogStream i = 0; i < _LOG_STREAM_MAX; i++) {
                if (!sink_failed && streams[i].splitter) {
                        int q = line_splitter_flush(streams[i].splitter);
                        if (q < 0 && r >= 0)
                                r = q;
                }
                line_splitter_free(streams[i].splitter);
        }
        return r;
}
