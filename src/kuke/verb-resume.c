/* SPDX-License-Identifier: Apache-2.0 */
#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke resume cell NAME [OPTIONS…]\n"
              "       kuke resume container NAME --cell CELL [OPTIONS…]\n"
              "\n"
              "Thaws the paused containers of a cell, or one container: they are Ready again.\n"
              "Prints <Kind> \"<name>\" resumed.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        return run_runnable_verb("resume", argc, argv, help, "Resume", "resumed");
}

const Verb verb_resume = {
        .name = "resume",
        .summary = "thaw a cell's paused containers, or one container",
        .run = run,
        .help = help,
};
