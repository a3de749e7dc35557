/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "kuke.h"
#include "name.h"

static void help(FILE *f) {
        fputs("Usage: kuke create realm|space|stack|cell NAME [OPTIONS…]\n"
              "\n"
              "Creates an empty realm, space or stack with the defaults. A cell made this way has\n"
              "no containers: its anchor, scope and address, started. For anything more, write\n"
              "a manifest and use 'kuke apply' (or 'kuke run -f' for a cell).\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = NULL;
        ResourceRef ref;
        int r;

        r = parse_verb_args("create", argc, argv, NULL, NULL, NULL, NULL, help, RESOURCE_TYPES_CREATABLE, &ref);
        if (r != 0)
                return r == 2 ? 0 : 1;
        /* The system realm is made by `kuke init`, never by hand. */
        if (ref.type == RESOURCE_REALM && realm_name_is_system(ref.realm))
                return error("realm \"%s\" is the system realm: 'kuke init' creates it", ref.realm);

        member = manager_member("Create", ref.type, false);
        if (!member)
                return error("out of memory");
        if (connect_or_complain(&c) != 0)
                return 1;
        r = bus_client_new_manager_call(c, member, &ref, &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", UINT64_C(0));
        if (r >= 0)
                r = sd_bus_call(c->bus, m, 0, &e, &reply);
        if (r < 0)
                return error_bus(&e, r, &ref);

        printf("%s \"%s\" created\n", resource_type_to_kind_string(ref.type), resource_ref_name(&ref));
        return 0;
}

const Verb verb_create = {
        .name = "create",
        .summary = "create a realm, space, stack or an empty cell",
        .run = run,
        .help = help,
};
