/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "kuke.h"
#include "name.h"
#include "schema.h"
#include "strv.h"
#include "yaml-codec.h"

/* seed 001: `kuke create container` runs debian when no image is given */
#define CONTAINER_IMAGE_DEFAULT "docker.io/library/debian:latest"

static void help(FILE *f) {
        fputs("Usage: kuke create realm|space|stack|cell NAME [OPTIONS…]\n"
              "       kuke create container NAME --cell CELL [--image REF] [--command CMD] [--args ARG]… [--env K=V]…\n"
              "\n"
              "Creates an empty realm, space or stack with the defaults. A cell made this way has\n"
              "no containers: its anchor, scope and address, started. A container joins an\n"
              "existing cell (it is started when the cell runs; the cell's other containers run\n"
              "on); its image defaults to " CONTAINER_IMAGE_DEFAULT ". For anything more, write a\n"
              "manifest and use 'kuke apply' (or 'kuke run -f' for a cell).\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP
              "      --image REF         the container's image\n"
              "      --command CMD       the program to run (default: the image's)\n"
              "      --args ARG          an argument of the program (repeat it for each)\n"
              "      --env KEY=VALUE     an environment variable (repeat it for each)\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

typedef struct ContainerArgs {
        const char *image, *command;
        char **args, **env;
        bool given;
} ContainerArgs;

/* after the shared options (kuke.h) */
enum { ARG_IMAGE = _ARG_PARENT_MAX, ARG_COMMAND, ARG_ARGS, ARG_ENV };

static int container_option(int c, const char *arg, void *userdata) {
        ContainerArgs *a = userdata;
        switch (c) {
        case ARG_IMAGE:
                a->image = arg;
                break;
        case ARG_COMMAND:
                a->command = arg;
                break;
        case ARG_ARGS:
                if (strv_extend(&a->args, arg) < 0)
                        return error("out of memory"), -1;
                break;
        case ARG_ENV:
                if (!strchr(arg, '='))
                        return error("--env \"%s\": give KEY=VALUE", arg), -1;
                if (strv_extend(&a->env, arg) < 0)
                        return error("out of memory"), -1;
                break;
        default:
                return 0;
        }
        a->given = true;
        return 1;
}

/* A Container document through Apply: the daemon adds it to its cell, in place when the
 * cell runs. Refused when the cell has a container of that name already. */
static int create_container(const ResourceRef *ref, const ContainerArgs *a) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *yaml = NULL;
        _cleanup_free_ char *outcome = NULL, *message = NULL;
        ContainerDoc d = {};
        int r;

        if (connect_or_complain(&c) != 0)
                return 1;
        r = bus_client_call_manager(c, "GetContainer", &e, &reply, "sssss", ref->realm, ref->space, ref->stack, ref->cell,
                                    ref->container);
        if (r >= 0)
                return error("container \"%s\" exists already in cell \"%s\": change it with 'kuke apply'", ref->container,
                             ref->cell);
        if (!sd_bus_error_has_name(&e, "org.kukeon1.Error.NoSuchContainer"))
                return error_bus(&e, r, ref);
        sd_bus_error_free(&e);
        reply = sd_bus_message_unref(reply);

        d.api_version = (char *) "v1beta1";
        d.kind = (char *) "Container";
        d.metadata.name = (char *) ref->container;
        d.spec = (ContainerSpec) { .id = (char *) ref->container, .realm_id = (char *) ref->realm,
                                   .space_id = (char *) ref->space, .stack_id = (char *) ref->stack,
                                   .cell_id = (char *) ref->cell, .image = (char *) (a->image ?: CONTAINER_IMAGE_DEFAULT),
                                   .command = (char *) a->command, .args = a->args, .env = a->env };
        r = yaml_format_object(kind_schema(KIND_CONTAINER), &d, &yaml);
        if (r < 0)
                return error("formatting the container: %s", strerror(-r));
        if (apply_one(c, yaml, ref, &outcome, &message) != 0)
                return 1;
        if (streq(outcome, "failed"))
                return error("container \"%s\" failed: %s", ref->container, isempty(message) ? "(no reason given)" : message);
        printf("Container \"%s\" created\n", ref->container);
        return 0;
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "image", required_argument, NULL, ARG_IMAGE },
                { "command", required_argument, NULL, ARG_COMMAND },
                { "args", required_argument, NULL, ARG_ARGS },
                { "env", required_argument, NULL, ARG_ENV },
                {},
        };
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = NULL;
        ContainerArgs a = {};
        ResourceRef ref;
        int r;

        r = parse_verb_args("create", argc, argv, options, "", container_option, &a, help, RESOURCE_TYPES_ALL, &ref);
        if (r != 0) {
                strv_free(a.args);
                strv_free(a.env);
                return r == 2 ? 0 : 1;
        }
        if (ref.type == RESOURCE_CONTAINER) {
                r = create_container(&ref, &a);
                strv_free(a.args);
                strv_free(a.env);
                return r;
        }
        strv_free(a.args);
        strv_free(a.env);
        if (a.given)
                return error("--image, --command, --args and --env are for 'kuke create container'");
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
        .summary = "create a realm, space, stack, an empty cell, or a container in a cell",
        .run = run,
        .help = help,
};
