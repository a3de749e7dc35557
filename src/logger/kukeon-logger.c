/* SPDX-License-Identifier: Apache-2.0 */
/* kukeon-logger: containerd's binary log driver for kukeon containers (design.md §4 "Logs",
 * docs/logs.md). The runc v2 shim starts it for a task whose stdio URI is the one
 * logger_uri_build() makes: the container's stdout on fd 3, its stderr on fd 4, a pipe on
 * fd 5 to close once ready, CONTAINER_ID and CONTAINER_NAMESPACE in the environment and the
 * URI's query as KEY VALUE arguments. Every line goes to the journal as one entry with the
 * cell's fields, so `journalctl -u <cell scope>` shows it. It exits when both pipes reach EOF
 * (the shim closes its ends when the task is deleted), or on SIGTERM after draining them. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
/* CODE_FILE= and friends would name this file on every container line */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "containerd-name.h"
#include "line-splitter.h"
#include "log-pump.h"
#include "logger-uri.h"
#include "macro.h"

#define STRLEN(s) (sizeof(s) - 1)

#define FD_STDOUT 3
#define FD_STDERR 4
#define FD_READY 5

/* Out of the journal's reach (journald restarting): how long one line waits for it before it
 * is dropped. Past one drop, lines are tried once until the journal answers again, so a long
 * outage stalls the container for this long once, not once per line. */
#define JOURNAL_RETRY_MAX_MSEC 5000

enum {
        FIELD_MESSAGE,
        FIELD_PRIORITY,
        FIELD_CONTAINER_NAME,
        FIELD_CONTAINER_ID,
        FIELD_CONTAINER_NAMESPACE,
        FIELD_REALM,
        FIELD_SPACE,
        FIELD_STACK,
        FIELD_CELL,
        FIELD_UNIT,
        FIELD_IDENTIFIER,
        FIELD_PARTIAL,
        _FIELD_MAX,
};

typedef struct Logger {
        /* Field iovecs per stream; FIELD_MESSAGE points into 'message', FIELD_PARTIAL is sent
         * only for pieces of a split line. */
        struct iovec fields[_LOG_STREAM_MAX][_FIELD_MAX];
        char *strings[_FIELD_MAX]; /* the "KEY=value" texts shared by both streams */
        char *message;             /* "MESSAGE=" + room for one line */
        uint64_t dropped;
        bool degraded;
} Logger;

static const char *const prefixes[_FIELD_MAX] = {
        [FIELD_CONTAINER_NAME] = "CONTAINER_NAME=",
        [FIELD_CONTAINER_ID] = "CONTAINER_ID=",
        [FIELD_CONTAINER_NAMESPACE] = "CONTAINER_NAMESPACE=",
        [FIELD_REALM] = "KUKEON_REALM=",
        [FIELD_SPACE] = "KUKEON_SPACE=",
        [FIELD_STACK] = "KUKEON_STACK=",
        [FIELD_CELL] = "KUKEON_CELL=",
        [FIELD_UNIT] = "OBJECT_SYSTEMD_UNIT=",
        [FIELD_IDENTIFIER] = "SYSLOG_IDENTIFIER=",
};

static void logger_done(Logger *l) {
        for (size_t i = 0; i < _FIELD_MAX; i++)
                free(l->strings[i]);
        free(l->message);
}

/* The driver's own trouble goes to stderr, which is /dev/null under the shim, and to the
 * journal, the one place someone will look. */
_printf_(1, 2) static void report_error(const char *format, ...) {
        const char *id = getenv("CONTAINER_ID"), *ns = getenv("CONTAINER_NAMESPACE");
        _cleanup_free_ char *text = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&text, format, ap) < 0)
                text = NULL;
        va_end(ap);
        if (!text)
                return;

        fprintf(stderr, LOGGER_DRIVER_NAME ": %s\n", text);
        /* Only under a shim (or what looks like one): a user running it by hand has stderr. */
        if (isempty(id))
                return;
        (void) sd_journal_send("MESSAGE=" LOGGER_DRIVER_NAME ": %s", text,
                               "PRIORITY=3",
                               "SYSLOG_IDENTIFIER=" LOGGER_DRIVER_NAME,
                               "CONTAINER_ID=%s", strempty(id),
                               "CONTAINER_NAMESPACE=%s", strempty(ns),
                               NULL);
}

static int logger_init(Logger *l, const LoggerTarget *t, const char *id, const char *ns) {
        const char *values[_FIELD_MAX] = {
                [FIELD_CONTAINER_NAME] = t->container,
                [FIELD_CONTAINER_ID] = id,
                [FIELD_CONTAINER_NAMESPACE] = ns,
                [FIELD_REALM] = t->realm,
                [FIELD_SPACE] = t->space,
                [FIELD_STACK] = t->stack,
                [FIELD_CELL] = t->cell,
                [FIELD_UNIT] = t->unit,
                [FIELD_IDENTIFIER] = t->container,
        };
        static const char *const priorities[_LOG_STREAM_MAX] = {
                [LOG_STREAM_STDOUT] = "PRIORITY=6", /* LOG_INFO */
                [LOG_STREAM_STDERR] = "PRIORITY=3", /* LOG_ERR */
        };
        static const char partial[] = "CONTAINER_PARTIAL_MESSAGE=true"; /* as docker's journald driver */

        *l = (Logger) {};
        l->message = malloc(STRLEN("MESSAGE=") + LINE_SPLITTER_MAX_DEFAULT);
        if (!l->message)
                return -ENOMEM;
        memcpy(l->message, "MESSAGE=", STRLEN("MESSAGE="));

        for (size_t i = 0; i < _FIELD_MAX; i++)
                if (prefixes[i] && asprintf(&l->strings[i], "%s%s", prefixes[i], values[i]) < 0) {
                        l->strings[i] = NULL;
                        return -ENOMEM;
                }

        for (LogStream s = 0; s < _LOG_STREAM_MAX; s++)
                for (size_t i = 0; i < _FIELD_MAX; i++) {
                        const char *v = i == FIELD_PRIORITY ? priorities[s] : i == FIELD_PARTIAL ? partial : l->strings[i];

                        if (i == FIELD_MESSAGE)
                                continue;
                        l->fields[s][i] = (struct iovec) { .iov_base = (char *) v, .iov_len = strlen(v) };
                }
        return 0;
}

static void sleep_msec(unsigned msec) {
        struct timespec ts = { .tv_sec = msec / 1000, .tv_nsec = (long) (msec % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int journal_line(LogStream stream, const char *line, size_t len, bool partial, void *userdata) {
        Logger *l = userdata;
        struct iovec *iov = l->fields[stream];
        unsigned waited = 0, delay = 10;
        int r;

        /* The splitter never hands over more than LINE_SPLITTER_MAX_DEFAULT bytes. */
        len = MIN(len, LINE_SPLITTER_MAX_DEFAULT);
        memcpy(l->message + STRLEN("MESSAGE="), line, len);
        iov[FIELD_MESSAGE] = (struct iovec) { .iov_base = l->message, .iov_len = STRLEN("MESSAGE=") + len };

        for (;;) {
                /* sendv blocks while journald's socket is full: the container then blocks on
                 * its pipe, and nothing is lost. */
                r = sd_journal_sendv(iov, partial ? _FIELD_MAX : _FIELD_MAX - 1);
                if (r >= 0)
                        break;
                if (l->degraded || waited >= JOURNAL_RETRY_MAX_MSEC) {
                        l->dropped++;
                        l->degraded = true;
                        return 0;
                }
                sleep_msec(delay);
                waited += delay;
                delay = MIN(delay * 2, 500u);
        }

        if (l->dropped > 0) {
                report_error("%" PRIu64 " lines of container %s were lost while the journal could not be reached",
                             l->dropped, l->strings[FIELD_CONTAINER_ID] + STRLEN("CONTAINER_ID="));
                l->dropped = 0;
        }
        l->degraded = false;
        return 0;
}

static bool fd_is_open(int fd) {
        return fcntl(fd, F_GETFD) >= 0;
}

static void help(void) {
        printf("%s KEY VALUE...\n\n"
               "containerd's binary log driver for kukeon: started by the runc shim for a task whose\n"
               "stdio is binary://%s?realm=R&space=S&stack=T&cell=C&container=N&unit=U,\n"
               "it sends each line of the container's stdout (fd 3) and stderr (fd 4) to the\n"
               "journal, and closes fd 5 when ready. Needs CONTAINER_ID and CONTAINER_NAMESPACE.\n"
               "Keys: realm space stack cell container unit (the cell's scope). See docs/logs.md.\n",
               LOGGER_DRIVER_NAME, LOGGER_DRIVER_PATH);
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *error = NULL, *expected_id = NULL;
        _cleanup_close_ int sfd = -EBADF;
        const char *id, *ns;
        LoggerTarget t;
        Logger l;
        sigset_t mask;
        int r;

        if (argc == 2 && STR_IN_SET(argv[1], "-h", "--help")) {
                help();
                return EXIT_SUCCESS;
        }
        if (argc == 2 && streq(argv[1], "--version")) {
                printf("%s %s\n", LOGGER_DRIVER_NAME, KUKEON_VERSION);
                return EXIT_SUCCESS;
        }

        /* Everything is checked before fd 5 is closed: until then the shim has not started the
         * container, so a bad URI shows here, not as a container killed by SIGPIPE. */
        r = logger_args_parse(argv + 1, (size_t) (argc - 1), &t, &error);
        if (r == -ENOMEM) {
                report_error("out of memory");
                return EXIT_FAILURE;
        }
        if (r < 0) {
                report_error("bad arguments: %s", error ?: "invalid");
                return EXIT_FAILURE;
        }

        id = getenv("CONTAINER_ID");
        ns = getenv("CONTAINER_NAMESPACE");
        if (isempty(id) || isempty(ns)) {
                report_error("CONTAINER_ID and CONTAINER_NAMESPACE must be set (the containerd shim sets them)");
                return EXIT_FAILURE;
        }
        if (!containerd_identifier_is_valid(ns)) {
                report_error("CONTAINER_NAMESPACE is not a containerd namespace name");
                return EXIT_FAILURE;
        }
        /* A URI attached to the wrong container would file its lines under another cell. */
        r = containerd_container_id_build(t.space, t.stack, t.cell, t.container, &expected_id);
        if (r < 0 || !streq(id, expected_id)) {
                report_error("CONTAINER_ID is not %s, the id of container %s of cell %s (stack %s, space %s)",
                             expected_id ?: "a valid containerd id", t.container, t.cell, t.stack, t.space);
                return EXIT_FAILURE;
        }

        if (!fd_is_open(FD_STDOUT) || !fd_is_open(FD_STDERR) || !fd_is_open(FD_READY)) {
                report_error("fds 3 (stdout), 4 (stderr) and 5 (ready) must be open (the containerd shim passes them)");
                return EXIT_FAILURE;
        }

        r = logger_init(&l, &t, id, ns);
        if (r < 0) {
                logger_done(&l);
                report_error("out of memory");
                return EXIT_FAILURE;
        }

        /* SIGTERM (from the shim when the task is deleted) and SIGINT end the pump after it
         * drained the pipes; nothing here writes to a pipe, but a journal socket going away
         * must be an error, not a signal. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 || (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
                report_error("cannot set up signals: %m");
                logger_done(&l);
                return EXIT_FAILURE;
        }
        (void) signal(SIGPIPE, SIG_IGN);

        (void) close(FD_READY);

        r = log_pump_run((const int[]) { FD_STDOUT, FD_STDERR }, sfd, LINE_SPLITTER_MAX_DEFAULT, journal_line, &l, NULL);
        if (r < 0)
                report_error("reading the output of container %s failed: %s", id, strerror(-r));
        if (l.dropped > 0)
                report_error("%" PRIu64 " lines of container %s were lost: the journal could not be reached", l.dropped, id);

        logger_done(&l);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
