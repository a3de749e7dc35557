/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "kuke.h"

static void help(FILE *f) {
        fputs("Usage: kuke purge realm|space|stack|cell NAME [OPTIONS…]\n"
              "       kuke purge container NAME --cell CELL [OPTIONS…]\n"
              "\n"
              "Removes a resource and everything in it, best effort: what the run path, systemd,\n"
              "containerd and CNI still hold of it, even when its state is damaged (a cell: its\n"
              "tasks, containers, snapshots, address, scope and files, killed first; a container:\n"
              "its task, containerd container and snapshot). Prints what was removed, one item a\n"
              "line, then <Kind> \"<name>\" purged.\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

static int run(int argc, char *argv[]) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = NULL;
        const char *item;
        ResourceRef ref;
        int r;

        r = parse_verb_args("purge", argc, argv, NULL, NULL, NULL, NULL, help, RESOURCE_TYPES_ALL, &ref);
        if (r != 0)
                return r == 2 ? 0 : 1;

        member = manager_member("Purge", ref.type, false);
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

        r = sd_bus_message_enter_container(reply, 'a', "s");
        while (r >= 0 && (r = sd_bus_message_read(reply, "s", &item)) > 0)
                printf("removed %s\n", item);
        if (r < 0)
                return error("cannot read the reply of %s: %s", member, strerror(-r));
        printf("%s \"%s\" purged\n", resource_type_to_kind_string(ref.type), resource_ref_name(&ref));
        return 0;
}

const Verb verb_purge = {
        .name = "purge",
        .summary = "remove a realm, space, stack, cell or container and all it left behind, best effort",
        .run = run,
        .help = help,
};
