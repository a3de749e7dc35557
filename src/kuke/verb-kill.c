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
              "exit signal KILL; prints Container \"<name>\" killed.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP
              "  -s, --signal SIGNAL     the signal: KILL (SIGKILL, 9) is the only one kukeond sends\n"
              "                          so far; any other is refused\n" CONNECT_OPTIONS_HELP
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
        /* KillCell and KillContainer (…, flags) have no signal argument: they always send
         * SIGKILL. Say so rather than send a different signal than the one asked for. */
        if (sig != SIGKILL)
                return error("--signal %s is not supported yet: kukeond's Kill%s sends SIGKILL only (use 'kuke stop' for SIGTERM with a grace period)",
                             sigabbrev_np(sig) ?: "?", resource_type_to_kind_string(ref.type));
        return call_resource_verb("Kill", &ref, 0, "killed");
}

const Verb verb_kill = {
        .name = "kill",
        .summary = "kill a cell's containers, or one container, with SIGKILL",
        .run = run,
        .help = help,
};
