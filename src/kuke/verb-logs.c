/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "cell-cli.h"
#include "kuke.h"
#include "name.h"
#include "strv.h"

/* kuke logs reads the journal of this host with sd-journal: no D-Bus, no kukeond. The lines
 * are those kukeon-logger wrote (docs/logs.md), selected by the cell's fields. */

static void help(FILE *f) {
        fputs("Usage: kuke logs CELL [OPTIONS…]\n"
              "\n"
              "Prints what the containers of CELL wrote to stdout and stderr, from the journal of\n"
              "this host, one line per entry, oldest first.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP
              "  -c, --container NAME    only this container's lines\n"
              "  -f, --follow            keep printing new lines until interrupted (Ctrl-C)\n"
              "  -n, --tail N            only the last N lines (with -f: then the new ones)\n"
              "  -h, --help              show this help\n"
              "\n"
              "The journal is local: --host/-H is refused (run kuke logs on that host, e.g. over\n"
              "ssh). Reading other users' entries needs root or the group systemd-journal (or adm).\n",
              f);
}

static int print_entry(sd_journal *j) {
        const void *data;
        size_t len;
        int r = sd_journal_get_data(j, "MESSAGE", &data, &len);
        if (r == -ENOENT || r == -EBADMSG)
                return 0; /* an entry without a message, or a torn one: nothing to show */
        if (r < 0)
                return r;
        /* "MESSAGE=<bytes>": the line as the container wrote it, which may be binary */
        fwrite((const char *) data + 8, 1, len - 8, stdout);
        fputc('\n', stdout);
        return 0;
}

/* Every new entry, until SIGINT or SIGTERM. The signals arrive on a signalfd next to the
 * journal's inotify fd, so an interrupted kuke ends with output flushed and exit 0. */
static int follow(sd_journal *j) {
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return error("cannot block signals: %s", strerror(errno));
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return error("signalfd: %s", strerror(errno));
        int jfd = sd_journal_get_fd(j);
        if (jfd < 0)
                return error("cannot watch the journal: %s", strerror(-jfd));

        for (;;) {
                int r;
                while ((r = sd_journal_next(j)) > 0) {
                        r = print_entry(j);
                        if (r < 0)
                                return error("reading the journal: %s", strerror(-r));
                }
                if (r < 0)
                        return error("reading the journal: %s", strerror(-r));
                if (fflush(stdout) != 0)
                        return error("failed to write output: %s", strerror(errno));

                uint64_t timeout;
                int ms = -1;
                if (sd_journal_get_timeout(j, &timeout) >= 0 && timeout != UINT64_MAX) {
                        struct timespec ts;
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        uint64_t now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
                        ms = timeout > now ? (int) MIN((timeout - now + 999) / 1000, (uint64_t) INT32_MAX) : 0;
                }
                int events = sd_journal_get_events(j);
                if (events < 0)
                        return error("cannot watch the journal: %s", strerror(-events));
                struct pollfd p[2] = {
                        { .fd = jfd, .events = (short) events },
                        { .fd = sfd, .events = POLLIN },
                };
                if (poll(p, 2, ms) < 0) {
                        if (errno == EINTR)
                                continue;
                        return error("poll: %s", strerror(errno));
                }
                if (p[1].revents & POLLIN)
                        return 0;
                r = sd_journal_process(j);
                if (r < 0)
                        return error("reading the journal: %s", strerror(-r));
        }
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                PARENT_OPTIONS,
                { "container", required_argument, NULL, 'c' },
                { "follow", no_argument, NULL, 'f' },
                { "tail", required_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_strv_free_ char **matches = NULL;
        ParentArgs parents = {};
        const char *container = NULL;
        bool follow_ = false;
        long tail = -1;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "c:fn:h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0 || parent_option(opt, optarg, &parents))
                        continue;
                switch (opt) {
                case 'c':
                        container = optarg;
                        break;
                case 'f':
                        follow_ = true;
                        break;
                case 'n': {
                        char *end;
                        errno = 0;
                        tail = strtol(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end || tail < 0)
                                return error("invalid --tail \"%s\": expected a number of lines, 0 or more", optarg);
                        break;
                }
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke logs --help')");
                }
        }
        if (arg_target.transport == TRANSPORT_SSH)
                return error("kuke logs reads the journal of this host: --host %s is not supported (run 'ssh %s kuke logs …' instead)",
                             arg_target.address, arg_target.address);
        if (optind >= argc)
                return error("no cell name given: kuke logs CELL");
        if (optind + 1 < argc)
                return error("unexpected argument \"%s\" (see 'kuke logs --help')", argv[optind + 1]);

        ResourceRef ref = {
                .type = RESOURCE_CELL,
                .realm = parents.realm ?: DEFAULT_REALM,
                .space = parents.space ?: DEFAULT_SPACE,
                .stack = parents.stack ?: DEFAULT_STACK,
                .cell = argv[optind],
        };
        if (check_ref_or_complain(&ref, true) != 0)
                return 1;
        if (container) {
                _cleanup_free_ char *msg = NULL;
                r = name_check("Container", container, &msg);
                if (r == -ENOMEM)
                        return error("out of memory");
                if (r < 0)
                        return error("%s", strna(msg));
        }

        r = logs_matches(&ref, container, &matches);
        if (r < 0)
                return error("out of memory");
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0)
                return error("cannot open the journal: %s", strerror(-r));
        STRV_FOREACH(m, matches) {
                r = sd_journal_add_match(j, *m, 0);
                if (r < 0)
                        return error("cannot match %s: %s", *m, strerror(-r));
        }

        if (tail >= 0) {
                /* The last N: from the end, N back, then forward again. */
                r = sd_journal_seek_tail(j);
                if (r >= 0)
                        /* seek_tail() is after the last entry: N back is the oldest of the last N
                         * (0: the last entry itself, so that only new ones follow). */
                        r = tail > 0 ? sd_journal_previous_skip(j, (uint64_t) tail) : sd_journal_previous(j);
                if (r > 0 && tail > 0)
                        r = print_entry(j);
                if (r < 0)
                        return error("reading the journal: %s", strerror(-r));
        } else {
                r = sd_journal_seek_head(j);
                if (r < 0)
                        return error("reading the journal: %s", strerror(-r));
        }

        if (follow_)
                return follow(j);
        size_t n = 0;
        while ((r = sd_journal_next(j)) > 0) {
                r = print_entry(j);
                if (r < 0)
                        return error("reading the journal: %s", strerror(-r));
                n++;
        }
        if (r < 0)
                return error("reading the journal: %s", strerror(-r));
        /* As journalctl hints: the lines are the system's (sent as root under containerd), and a
         * user outside systemd-journal/adm sees only their own journal, so nothing at all. */
        if (n == 0 && tail != 0 && geteuid() != 0)
                fprintf(stderr, "No lines. (Not root: the containers' lines are only visible to root and the groups systemd-journal and adm.)\n");
        return 0;
}

const Verb verb_logs = {
        .name = "logs",
        .summary = "print a cell's container output, from the journal (-f follows)",
        .run = run,
        .help = help,
};
