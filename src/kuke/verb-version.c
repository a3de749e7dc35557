/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke version [OPTIONS…]\n"
              "\n"
              "Prints the version of kuke, and the Version of the kukeond it reaches (or why it\n"
              "reaches none: that is not an error, the exit status is 0).\n"
              "\n"
              "Options:\n"
              "      --client            print only the version of kuke, ask no daemon\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "client", no_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *version = NULL, *why = NULL;
        BusClient *c = NULL;
        bool client_only = false;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                switch (opt) {
                case 'c':
                        client_only = true;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke version --help')");
                }
        }
        if (optind < argc)
                return error("unexpected argument \"%s\"", argv[optind]);

        printf("kuke %s\n", KUKEON_VERSION);
        if (client_only)
                return 0;
        /* Say something before a slow daemon keeps us waiting. */
        fflush(stdout);

        r = bus_client_new(&c);
        if (r >= 0)
                r = bus_client_connect(c, &arg_target);
        if (r >= 0) {
                /* Reading a property never needs authorization: do not let polkit ask. */
                (void) sd_bus_set_allow_interactive_authorization(c->bus, false);
                /* Time enough for bus activation to start kukeond, not for a hung daemon. */
                (void) sd_bus_set_method_call_timeout(c->bus, UINT64_C(15) * 1000 * 1000);
                r = sd_bus_get_property_string(c->bus, bus_client_destination(c), "/org/kukeon1",
                                               KUKEON_MANAGER_INTERFACE, "Version", &e, &version);
        }
        if (r < 0) {
                why = bus_error_message(&e, r, NULL);
                _cleanup_free_ char *exit = bus_client_describe_daemon_exit(c);
                printf("daemon: not reachable (%s%s%s)\n", strna(why), exit ? "; " : "", strempty(exit));
        } else
                printf("kukeond %s\n", version);
        bus_client_free(c);
        return 0;
}

const Verb verb_version = {
        .name = "version",
        .summary = "print the versions of kuke and kukeond",
        .run = run,
        .help = help,
};
