/* SPDX-License-Identifier: Apache-2.0 */
#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke stop cell NAME [OPTIONS…]\n"
              "       kuke stop container NAME --cell CELL [OPTIONS…]\n"
              "\n"
              "Stops a cell: SIGTERM to its containers, SIGKILL after the cell's\n"
              "spec.stopGracePeriod (default 10s), then its scope and address go; the cell stays,\n"
              "Stopped, until 'kuke start' or 'kuke delete'. Prints Cell \"<name>\" stopped.\n"
              "\n"
              "A container is stopped the same way, alone: the cell keeps its address and its\n"
              "other containers (the root container too may stop). Once no container of the cell\n"
              "runs, the cell is Stopped. Prints Container \"<name>\" stopped.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        return run_runnable_verb("stop", argc, argv, help, "Stop", "stopped");
}

const Verb verb_stop = {
        .name = "stop",
        .summary = "stop a cell or a container (SIGTERM, then SIGKILL after its grace period)",
        .run = run,
        .help = help,
};
