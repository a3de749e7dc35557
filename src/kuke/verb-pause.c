/* SPDX-License-Identifier: Apache-2.0 */
#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke pause cell NAME [OPTIONS…]\n"
              "       kuke pause container NAME --cell CELL [OPTIONS…]\n"
              "\n"
              "Freezes the running containers of a cell, or one container (the cgroup freezer):\n"
              "they are Paused until 'kuke resume'. The cell stays Ready with its address. A stop\n"
              "thaws a paused container first. Prints <Kind> \"<name>\" paused.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        return run_runnable_verb("pause", argc, argv, help, "Pause", "paused");
}

const Verb verb_pause = {
        .name = "pause",
        .summary = "freeze a cell's containers, or one container",
        .run = run,
        .help = help,
};
