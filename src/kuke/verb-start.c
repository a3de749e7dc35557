/* SPDX-License-Identifier: Apache-2.0 */
#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke start cell NAME [OPTIONS…]\n"
              "       kuke start container NAME --cell CELL [OPTIONS…]\n"
              "\n"
              "Starts a stopped cell: its anchor, scope, address and containers. Nothing to do for\n"
              "a cell that is Ready. Prints Cell \"<name>\" started.\n"
              "\n"
              "A container is started again in its cell (a fresh task on its snapshot); its cell\n"
              "must be Ready. Nothing to do for a container that runs. Prints\n"
              "Container \"<name>\" started.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        return run_runnable_verb("start", argc, argv, help, "Start", "started");
}

const Verb verb_start = {
        .name = "start",
        .summary = "start a cell, or a container of a running cell",
        .run = run,
        .help = help,
};
