/* SPDX-License-Identifier: Apache-2.0 */
#include <signal.h>
#include <string.h>

#include "cell-cli.h"
#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke kill cell NAME [OPTIONS…]\n"
              "       kuke kill container NAME --cell CELL [OPTIONS…]\n"
              "\n"
              "Stops a cell at once: SIGKILL to its containers, no grace period. The cell stays,\n"
              "Stopped. Prints Cell \"<name>\" killed. A container is killed alone: Stopped,\n"
              "exit signal KILL; prints Container \"<name>\" killed. With another --signal the\n"
              "signal goes to the running containers' processes and nothing else happens (their\n"
              "exit, if they exit, is recorded); prints <Kind> \"<name>\" sent SIG<NAME>.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP
              "  -s, --signal SIGNAL     the signal (a name such as HUP or SIGHUP, or a number;\n"
              "                          default KILL)\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int signal_option(int c, const char *arg, void *userdata) {
        int *sig = userdata;
        if (c != 's')
                return 0;
        if (kill_signal_parse(arg, sig) < 0)
                return error("unknown signal \"%s\" (expected a name such as KILL or SIGKILL, or a number)", arg), -1;
        return 1;
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "signal", required_argument, NULL, 's' },
                {},
        };
        ResourceRef ref;
        int sig = SIGKILL;
        int r = parse_verb_args("kill", argc, argv, options, "s:", signal_option, &sig, help, RESOURCE_TYPES_RUNNABLE,
                                &ref);
        if (r != 0)
                return r == 2 ? 0 : 1;
        /* KILL is the stop at once (Kill*); any other signal is only delivered (Signal*) */
        if (sig != SIGKILL) {
                char done[32];
                snprintf(done, sizeof done, "sent SIG%s", sigabbrev_np(sig) ?: "?");
                return call_resource_verb("Signal", &ref, sig, 0, done);
        }
        return call_resource_verb("Kill", &ref, 0, 0, "killed");
}

const Verb verb_kill = {
        .name = "kill",
        .summary = "kill a cell or one container (SIGKILL), or send it another signal",
        .run = run,
        .help = help,
};
