/* SPDX-License-Identifier: Apache-2.0 */
#include "kuke.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const Verb *const verbs[] = {
        &verb_init,
        &verb_get,
        &verb_create,
        &verb_apply,
        &verb_delete,
        &verb_purge,
        &verb_start,
        &verb_stop,
        &verb_kill,
        &verb_pause,
        &verb_resume,
        &verb_run,
        &verb_logs,
        &verb_image,
        &verb_version,
        &verb_autocomplete,
};

BusTarget arg_target = {};

/* The one connection of this process, for explaining a lost connection (a --no-daemon kukeond
 * that exited). */
static BusClient *current_client = NULL;

int error(const char *fmt, ...) {
        va_list ap;
        fputs("Error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return 1;
}

int connect_option(int c, const char *arg) {
        _cleanup_free_ char *msg = NULL;
        int r;

        switch (c) {
        case 'H':
                r = bus_target_set_host(&arg_target, arg, &msg);
                break;
        case ARG_NO_DAEMON:
                r = bus_target_set_no_daemon(&arg_target, &msg);
                break;
        case ARG_NO_ASK_PASSWORD:
                arg_target.no_ask_password = true;
                return 1;
        default:
                return 0;
        }
        if (r == -ENOMEM)
                return error("out of memory"), -1;
        if (r < 0)
                return error("%s", strna(msg)), -1;
        return 1;
}

int connect_or_complain(BusClient **ret) {
        _cleanup_(bus_client_freep) BusClient *c = NULL;
        int r;

        r = bus_client_new(&c);
        if (r < 0)
                return error("out of memory");
        r = bus_client_connect(c, &arg_target);
        if (r >= 0) {
                current_client = *ret = TAKE_PTR(c);
                return 0;
        }
        switch (arg_target.transport) {
        case TRANSPORT_UNIX:
                return error("cannot connect to kukeond at %s: %s", arg_target.address, strerror(-r));
        case TRANSPORT_NO_DAEMON:
                if (r == -ENOENT || r == -EACCES)
                        return error("cannot run %s: %s (set $KUKEOND to the kukeond to run)", kukeond_path(), strerror(-r));
                {
                        /* It may have died at start (not root, a broken configuration): say so. */
                        _cleanup_free_ char *exit = bus_client_describe_daemon_exit(c);
                        return error("cannot start kukeond for --no-daemon: %s%s%s%s", strerror(-r), exit ? " (" : "",
                                     strempty(exit), exit ? ")" : "");
                }
        case TRANSPORT_SSH:
                return error("cannot connect to the system bus of %s: %s", arg_target.address, strerror(-r));
        default:
                return error("cannot connect to the system bus: %s", strerror(-r));
        }
}

int error_bus(const sd_bus_error *e, int r, const ResourceRef *ref) {
        _cleanup_free_ char *msg = bus_error_message(e, r, ref);

        bool local = !sd_bus_error_is_set(e) || bus_error_is_local(e);
        if (local && bus_error_is_local(e))
                r = -sd_bus_error_get_errno(e);
        if (local && current_client) {
                _cleanup_free_ char *exit = bus_client_describe_daemon_exit(current_client);
                if (exit)
                        return error("%s (%s)", strna(msg), exit);
        }
        if (local && arg_target.transport == TRANSPORT_SSH &&
            (r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE))
                return error("%s (could ssh reach %s and run systemd-stdio-bridge there?)", strna(msg), arg_target.address);
        return error("%s", msg ?: "out of memory");
}

int check_ref_or_complain(const ResourceRef *ref, bool allow_system_realm) {
        _cleanup_free_ char *msg = NULL;
        int r = resource_ref_check(ref, allow_system_realm, &msg);
        if (r == -ENOMEM)
                return error("out of memory");
        if (r < 0)
                return error("%s", strna(msg));
        return 0;
}

void client_freep(BusClient **c) {
        if (*c == current_client)
                current_client = NULL;
        *c = bus_client_free(*c);
}

int parent_option(int c, const char *arg, ParentArgs *p) {
        switch (c) {
        case ARG_REALM:
                p->realm = arg;
                return 1;
        case ARG_SPACE:
                p->space = arg;
                return 1;
        case ARG_STACK:
                p->stack = arg;
                return 1;
        case ARG_CELL:
                p->cell = arg;
                return 1;
        default:
                return 0;
        }
}

int parse_resource_args(const char *verb, int argc, char *argv[], const ParentArgs *p, bool name_required,
                        unsigned types, ResourceRef *ret, bool *ret_single) {
        ResourceRef ref = {
                .realm = p->realm ?: DEFAULT_REALM,
                .space = p->space ?: DEFAULT_SPACE,
                .stack = p->stack ?: DEFAULT_STACK,
                .cell = p->cell,
        };
        _cleanup_free_ char *usage = resource_types_to_usage(types), *list = resource_types_to_list(types);
        bool plural;

        if (!usage || !list)
                return error("out of memory");
        if (optind >= argc)
                return error("no resource type given: kuke %s %s%s (see 'kuke %s --help')", verb, usage,
                             name_required ? " NAME" : " [NAME]", verb);
        if (resource_type_from_string(argv[optind], &ref.type, &plural) < 0) {
                if (types != RESOURCE_TYPES_ALL)
                        return error("unknown resource type \"%s\" (kuke %s takes %s NAME)", argv[optind], verb, usage);
                return error("unknown resource type \"%s\" (expected %s)", argv[optind], list);
        }
        if (!(types & RESOURCE_TYPE_BIT(ref.type)))
                return error("kuke %s takes a %s, not a %s: kuke %s %s NAME", verb, list, resource_type_to_noun(ref.type),
                             verb, usage);

        const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
        if (optind + 2 < argc)
                return error("unexpected argument \"%s\" (see 'kuke %s --help')", argv[optind + 2], verb);
        if (!name && name_required)
                return error("no %s name given: kuke %s %s NAME%s", resource_type_to_noun(ref.type), verb,
                             resource_type_to_noun(ref.type), ref.type == RESOURCE_CONTAINER ? " --cell CELL" : "");
        /* A container's cell has no default: "the container web" means nothing without one.
         * And --cell anywhere else would be silently ignored: say so instead. */
        if (ref.type == RESOURCE_CONTAINER && !p->cell)
                return error("no cell given: containers belong to a cell, kuke %s %s%s --cell CELL", verb,
                             plural ? "containers" : "container", name || name_required ? " NAME" : "");
        if (ref.type != RESOURCE_CONTAINER && p->cell)
                return error("--cell goes with containers only, not with a %s", resource_type_to_noun(ref.type));
        if (ref.type == RESOURCE_REALM)
                ref.realm = name;
        else if (ref.type == RESOURCE_SPACE)
                ref.space = name;
        else if (ref.type == RESOURCE_STACK)
                ref.stack = name;
        else if (ref.type == RESOURCE_CELL)
                ref.cell = name;
        else
                ref.container = name;

        /* Check what will be sent: all levels with a name, only the parents for a list. */
        if (name) {
                if (check_ref_or_complain(&ref, true) != 0)
                        return 1;
        } else if (ref.type > RESOURCE_REALM) {
                ResourceRef parent = resource_ref_at(&ref, ref.type - 1);
                if (check_ref_or_complain(&parent, true) != 0)
                        return 1;
        }
        *ret = ref;
        if (ret_single)
                *ret_single = name != NULL;
        return 0;
}

int call_resource_verb(const char *verb, const ResourceRef *ref, int signal, uint64_t flags, const char *done) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = manager_member(verb, ref->type, false);
        int r;

        if (!member)
                return error("out of memory");
        if (connect_or_complain(&c) != 0)
                return 1;
        r = bus_client_new_manager_call(c, member, ref, &m);
        if (r >= 0 && signal > 0)
                r = sd_bus_message_append(m, "i", (int32_t) signal);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", flags);
        if (r >= 0)
                r = sd_bus_call(c->bus, m, 0, &e, NULL);
        if (r < 0)
                return error_bus(&e, r, ref);
        printf("%s \"%s\" %s\n", resource_type_to_kind_string(ref->type), resource_ref_name(ref), done);
        return 0;
}

int run_runnable_verb(const char *verb, int argc, char *argv[], void (*help)(FILE *f), const char *member,
                      const char *done) {
        ResourceRef ref;
        int r = parse_verb_args(verb, argc, argv, NULL, NULL, NULL, NULL, help, RESOURCE_TYPES_RUNNABLE, &ref);
        if (r != 0)
                return r == 2 ? 0 : 1;
        return call_resource_verb(member, &ref, 0, 0, done);
}

int apply_one(BusClient *c, const char *yaml, const ResourceRef *ref, char **ret_outcome, char **ret_message) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        const char *kind, *name, *outcome = NULL, *message = NULL, *path;
        int r = bus_client_call_manager(c, "Apply", &e, &reply, "st", yaml, UINT64_C(0));
        if (r < 0)
                return error_bus(&e, r, ref);
        r = sd_bus_message_enter_container(reply, 'a', "(sssso)");
        if (r >= 0)
                r = sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path);
        if (r <= 0)
                return error("cannot read the reply of Apply: %s", r < 0 ? strerror(-r) : "no outcome");
        if (!(*ret_outcome = strdup(outcome)) || !(*ret_message = strdup(message))) {
                *ret_outcome = mfree(*ret_outcome);
                return error("out of memory");
        }
        return 0;
}

int parse_verb_args(const char *verb, int argc, char *argv[], const struct option *extra_options,
                    const char *extra_shortopts, int (*extra)(int c, const char *arg, void *userdata),
                    void *userdata, void (*help)(FILE *f), unsigned types, ResourceRef *ret) {
        static const struct option common[] = {
                PARENT_OPTIONS,
                CELL_OPTION,
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
        };
        size_t n_extra = 0;
        while (extra_options && extra_options[n_extra].name)
                n_extra++;
        _cleanup_free_ struct option *options = new0(struct option, ELEMENTSOF(common) + n_extra + 1);
        _cleanup_free_ char *shortopts = NULL;
        ParentArgs parents = {};
        int opt, r;

        if (!options || asprintf(&shortopts, "h" CONNECT_SHORTOPTS "%s", strempty(extra_shortopts)) < 0)
                return error("out of memory");
        memcpy(options, common, sizeof(common));
        if (n_extra > 0)
                memcpy(options + ELEMENTSOF(common), extra_options, n_extra * sizeof(struct option));

        optind = 0;
        while ((opt = getopt_long(argc, argv, shortopts, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0 || parent_option(opt, optarg, &parents))
                        continue;
                if (opt == 'h') {
                        help(stdout);
                        return 2;
                }
                r = extra && opt != '?' ? extra(opt, optarg, userdata) : 0;
                if (r < 0)
                        return 1;
                if (r == 0)
                        return error("invalid arguments (see 'kuke %s --help')", verb);
        }
        return parse_resource_args(verb, argc, argv, &parents, true, types, ret, NULL);
}

static void help(FILE *f) {
        fputs("kuke — the kukeon command line\n"
              "\n"
              "Usage: kuke [OPTIONS…] VERB [ARGS…]\n"
              "\n"
              "Verbs:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-13s %s\n", verbs[i]->name, verbs[i]->summary);
        fputs("\n"
              "Options (before the verb or among its own):\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n"
              "      --version           print the version of kuke\n"
              "\n"
              "kuke talks to kukeond over D-Bus: org.kukeon1 on the system bus unless --host,\n"
              "-H or --no-daemon say otherwise.\n"
              "\n"
              "Run 'kuke VERB --help' for a verb's options.\n",
              f);
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i]->name, name))
                        return verbs[i];
        return NULL;
}

/* Options before the verb: the connection options, --help, --version. Returns the index of
 * the verb in argv, or -1 after printing an error, or 0 when done (help printed). */
static int parse_leading_options(int argc, char *argv[], int *ret_status) {
        int i;

        for (i = 1; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i], *value = NULL;
                int c;

                if (STR_IN_SET(a, "--help", "-h")) {
                        help(stdout);
                        *ret_status = 0;
                        return 0;
                }
                if (streq(a, "--version")) {
                        printf("kuke %s\n", KUKEON_VERSION);
                        *ret_status = 0;
                        return 0;
                }
                if (streq(a, "--no-daemon"))
                        c = ARG_NO_DAEMON;
                else if (streq(a, "--no-ask-password"))
                        c = ARG_NO_ASK_PASSWORD;
                else if (STR_IN_SET(a, "--host", "-H")) {
                        if (i + 1 >= argc) {
                                *ret_status = error("option %s needs an argument", a);
                                return -1;
                        }
                        c = 'H';
                        value = argv[++i];
                } else if (strncmp(a, "--host=", 7) == 0) {
                        c = 'H';
                        value = a + 7;
                } else if (strncmp(a, "-H", 2) == 0) {
                        c = 'H';
                        value = a + 2;
                } else {
                        *ret_status = error("unknown option \"%s\" (see 'kuke --help')", a);
                        return -1;
                }
                if (connect_option(c, value) < 0) {
                        *ret_status = 1;
                        return -1;
                }
        }
        if (i >= argc) {
                help(stderr);
                *ret_status = 1;
                return -1;
        }
        return i;
}

int main(int argc, char *argv[]) {
        int status = 0, i;

        i = parse_leading_options(argc, argv, &status);
        if (i <= 0) {
                bus_target_done(&arg_target);
                return status;
        }

        if (streq(argv[i], "help")) {
                if (i + 1 < argc) {
                        const Verb *v = find_verb(argv[i + 1]);
                        if (!v)
                                status = error("unknown verb \"%s\" (see 'kuke --help')", argv[i + 1]);
                        else
                                v->help(stdout);
                } else
                        help(stdout);
                bus_target_done(&arg_target);
                return status;
        }

        const Verb *v = find_verb(argv[i]);
        if (!v) {
                bus_target_done(&arg_target);
                return error("unknown verb \"%s\" (see 'kuke --help')", argv[i]);
        }

        status = v->run(argc - i, argv + i);
        if (fflush(stdout) != 0 && status == 0)
                status = error("failed to write output: %s", strerror(errno));
        bus_target_done(&arg_target);
        return status;
}
