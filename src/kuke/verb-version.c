/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>

#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke version\n"
              "\n"
              "Prints the version of kuke.\n",
              f);
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke version --help')");
                }
        if (optind < argc)
                return error("unexpected argument \"%s\"", argv[optind]);

        printf("kuke %s\n", KUKEON_VERSION);
        return 0;
}

const Verb verb_version = {
        .name = "version",
        .summary = "print the version",
        .run = run,
        .help = help,
};
