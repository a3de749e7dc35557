/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke init [OPTIONS…]\n"
              "\n"
              "Creates what every host needs: realm main with space default and stack default,\n"
              "and the system realm kukeon-system with space kukeon and stack kukeon. Running it\n"
              "again changes nothing. Prints <Kind> \"<name>\" created or already existed per\n"
              "resource (names as realm/space/stack).\n"
              "\n"
              "Options:\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *kind, *name, *outcome;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                switch (opt) {
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke init --help')");
                }
        }
        if (optind < argc)
                return error("unexpected argument \"%s\" (see 'kuke init --help')", argv[optind]);

        if (connect_or_complain(&c) != 0)
                return 1;
        r = bus_client_call_manager(c, "Init", &e, &reply, "t", UINT64_C(0));
        if (r < 0)
                return error_bus(&e, r, NULL);

        r = sd_bus_message_enter_container(reply, 'a', "(sss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &kind, &name, &outcome)) > 0)
                printf("%s \"%s\" %s\n", kind, name, streq(outcome, "existed") ? "already existed" : outcome);
        if (r < 0)
                return error("cannot read the reply of Init: %s", strerror(-r));
        return 0;
}

const Verb verb_init = {
        .name = "init",
        .summary = "create the default and the system realm (idempotent)",
        .run = run,
        .help = help,
};
