/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kuke.h"
#include "strv.h"

static void help(FILE *f) {
        fputs("Usage: kuke get realm|realms|space|spaces|stack|stacks|cell|cells [NAME] [OPTIONS…]\n"
              "       kuke get container|containers [NAME] --cell CELL [OPTIONS…]\n"
              "       kuke get images [--realm NAME] [--no-trunc]\n"
              "\n"
              "Shows one resource (with NAME) or lists them (without). Spaces are listed in one\n"
              "realm, stacks in one space, cells in one stack, containers in one cell (--cell,\n"
              "required), images in one realm (REFERENCE DIGEST SIZE; --no-trunc: the whole\n"
              "digest).\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP
              "  -o, --output FORMAT     yaml or json: the full documents with their status\n"
              "                          (JSON: one object for NAME, else an array, [] when empty)\n"
              "                          the default is a table: NAME STATE UNIT, and NAMESPACE for\n"
              "                          realms, SUBNET for spaces; NAME STATE IP CONTAINERS UNIT\n"
              "                          for cells (CONTAINERS: ready/all); NAME STATE IMAGE ROOT\n"
              "                          for containers\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

/* What List<Kind>s returned: (name, state, unit, path), or for containers (name, state,
 * image, root, path), the image in 'units'. */
typedef struct Listing {
        char **names;
        char **states;
        char **units;
        char **paths;
        bool *roots;
        size_t n_roots;
} Listing;

static void listing_done(Listing *l) {
        strv_free(l->names);
        strv_free(l->states);
        strv_free(l->units);
        strv_free(l->paths);
        free(l->roots);
}

static int listing_add_root(Listing *l, bool root) {
        bool *a = reallocarray(l->roots, l->n_roots + 1, sizeof(bool));
        if (!a)
                return -ENOMEM;
        a[l->n_roots++] = root;
        l->roots = a;
        return 0;
}

static int list(BusClient *c, const ResourceRef *ref, Listing *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = manager_member("List", ref->type, true);
        ResourceRef parent = ref->type > RESOURCE_REALM ? resource_ref_at(ref, ref->type - 1) : (ResourceRef) {};
        int r;

        if (!member)
                return error("out of memory");
        r = bus_client_new_manager_call(c, member, ref->type > RESOURCE_REALM ? &parent : NULL, &m);
        if (r < 0)
                return error_bus(NULL, r, NULL);
        r = sd_bus_call(c->bus, m, 0, &e, &reply);
        if (r < 0)
                return error_bus(&e, r, ref->type > RESOURCE_REALM ? &parent : NULL);

        bool containers = ref->type == RESOURCE_CONTAINER;
        r = sd_bus_message_enter_container(reply, 'a', containers ? "(sssbo)" : "(ssso)");
        for (;;) {
                const char *name, *state, *unit, *path;
                int root = false;
                if (r >= 0)
                        r = containers ? sd_bus_message_read(reply, "(sssbo)", &name, &state, &unit, &root, &path)
                                       : sd_bus_message_read(reply, "(ssso)", &name, &state, &unit, &path);
                if (r <= 0)
                        break;
                if (strv_extend(&ret->names, name) < 0 || strv_extend(&ret->states, state) < 0 ||
                    strv_extend(&ret->units, unit) < 0 || strv_extend(&ret->paths, path) < 0 ||
                    (containers && listing_add_root(ret, root) < 0))
                        return error("out of memory");
        }
        if (r < 0)
                return error("cannot read the reply of %s: %s", member, strerror(-r));
        return 0;
}

/* The NAMESPACE of realms and the SUBNET of spaces are properties of each object: read them all
 * pipelined, one round trip's latency for the lot. */
static int extra_column(BusClient *c, ResourceType type, const Listing *l, char ***ret) {
        const char *iface = type == RESOURCE_REALM ? "org.kukeon1.Realm" : "org.kukeon1.Space",
                   *property = type == RESOURCE_REALM ? "Namespace" : "Subnet";
        size_t n = strv_length(l->paths);
        _cleanup_free_ sd_bus_message **calls = new0(sd_bus_message *, n), **replies = new0(sd_bus_message *, n);
        _cleanup_strv_free_ char **values = NULL;
        int r = 0;

        if (!calls || !replies)
                return error("out of memory");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = sd_bus_message_new_method_call(c->bus, &calls[i], bus_client_destination(c), l->paths[i],
                                                   "org.freedesktop.DBus.Properties", "Get");
                if (r >= 0)
                        r = sd_bus_message_append(calls[i], "ss", iface, property);
        }
        if (r >= 0)
                r = bus_client_call_all(c, calls, n, replies);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const char *v = NULL;
                /* A resource deleted since the listing, or a daemon without the property: "-". */
                if (!sd_bus_message_is_method_error(replies[i], NULL) &&
                    sd_bus_message_read(replies[i], "v", "s", &v) < 0)
                        v = NULL;
                r = strv_extend(&values, strempty(v));
        }
        for (size_t i = 0; i < n; i++) {
                sd_bus_message_unref(calls[i]);
                sd_bus_message_unref(replies[i]);
        }
        if (r < 0)
                return error_bus(NULL, r, NULL);
        *ret = TAKE_PTR(values);
        return 0;
}

/* Every document of the listing, through Get<Kind>, pipelined. A resource deleted between
 * the listing and its Get is left out: it is gone. */
static int fetch_documents(BusClient *c, const ResourceRef *ref, const Listing *l, char ***ret) {
        _cleanup_free_ char *member = manager_member("Get", ref->type, false);
        size_t n = strv_length(l->names);
        _cleanup_free_ sd_bus_message **calls = new0(sd_bus_message *, n), **replies = new0(sd_bus_message *, n);
        _cleanup_strv_free_ char **texts = NULL;
        int r = 0, status = 0;

        if (!member || !calls || !replies)
                return error("out of memory");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                ResourceRef one = *ref;
                if (ref->type == RESOURCE_REALM)
                        one.realm = l->names[i];
                else if (ref->type == RESOURCE_SPACE)
                        one.space = l->names[i];
                else if (ref->type == RESOURCE_STACK)
                        one.stack = l->names[i];
                else if (ref->type == RESOURCE_CELL)
                        one.cell = l->names[i];
                else
                        one.container = l->names[i];
                r = bus_client_new_manager_call(c, member, &one, &calls[i]);
        }
        if (r >= 0)
                r = bus_client_call_all(c, calls, n, replies);
        if (r < 0)
                status = error_bus(NULL, r, NULL);
        for (size_t i = 0; status == 0 && i < n; i++) {
                const sd_bus_error *e = sd_bus_message_get_error(replies[i]);
                const char *text;

                if (e) {
                        if (sd_bus_error_has_names(e, KUKEON_ERROR_PREFIX "NoSuchRealm", KUKEON_ERROR_PREFIX "NoSuchSpace",
                                                   KUKEON_ERROR_PREFIX "NoSuchStack", KUKEON_ERROR_PREFIX "NoSuchCell",
                                                   KUKEON_ERROR_PREFIX "NoSuchContainer"))
                                continue;
                        status = error_bus(e, -EIO, ref);
                } else if ((r = sd_bus_message_read(replies[i], "s", &text)) < 0)
                        status = error("cannot read the reply of %s: %s", member, strerror(-r));
                else if (strv_extend(&texts, text) < 0)
                        status = error("out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                sd_bus_message_unref(calls[i]);
                sd_bus_message_unref(replies[i]);
        }
        if (status != 0)
                return status;
        *ret = TAKE_PTR(texts);
        return 0;
}

static int print_documents(OutputFormat output, ResourceType type, char **texts, bool single) {
        _cleanup_free_ char *out = NULL, *msg = NULL;
        int r = output_documents(output, type, texts, strv_length(texts), single, &out, &msg);
        if (r == -EBADMSG)
                return error("%s", strna(msg));
        if (r < 0)
                return error("formatting output: %s", strerror(-r));
        fputs(out, stdout);
        return 0;
}

static int print_table(Table *t) {
        _cleanup_free_ char *out = NULL;
        if (table_format(t, &out) < 0)
                return error("out of memory");
        fputs(out, stdout);
        return 0;
}

static int print_list_table(Table *t, const ResourceRef *ref);

/* The container table, from ListContainers: every row, or only the row of ref->container. */
static int container_table(const ResourceRef *ref, const Listing *l, Table **ret) {
        _cleanup_(table_freep) Table *t = output_table_new(RESOURCE_CONTAINER);

        if (!t)
                return error("out of memory");
        for (size_t i = 0; l->names && l->names[i]; i++) {
                if (ref->container && !streq(l->names[i], ref->container))
                        continue;
                if (output_table_add_container(t, l->names[i], l->states[i], l->units[i], i < l->n_roots && l->roots[i]) < 0)
                        return error("out of memory");
        }
        *ret = TAKE_PTR(t);
        return 0;
}

static int list(BusClient *c, const ResourceRef *ref, Listing *ret);

/* One container as a table: its row of ListContainers, so that it reads exactly as in the
 * listing of its cell. */
static int get_one_container_table(BusClient *c, const ResourceRef *ref) {
        _cleanup_(listing_done) Listing l = {};
        _cleanup_(table_freep) Table *t = NULL;
        int r;

        r = list(c, ref, &l);
        if (r == 0)
                r = container_table(ref, &l, &t);
        if (r != 0)
                return r;
        if (table_get_rows(t) == 0) {
                _cleanup_free_ char *what = resource_ref_describe(ref);
                return error("%s does not exist", strna(what));
        }
        return print_table(t);
}

static int get_one(BusClient *c, const ResourceRef *ref, OutputFormat output) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = manager_member("Get", ref->type, false);
        const char *text;
        int r;

        if (!member)
                return error("out of memory");
        if (ref->type == RESOURCE_CONTAINER && output == OUTPUT_DEFAULT)
                return get_one_container_table(c, ref);
        r = bus_client_new_manager_call(c, member, ref, &m);
        if (r >= 0)
                r = sd_bus_call(c->bus, m, 0, &e, &reply);
        if (r < 0)
                return error_bus(&e, r, ref);
        r = sd_bus_message_read(reply, "s", &text);
        if (r < 0)
                return error("cannot read the reply of %s: %s", member, strerror(-r));

        if (output != OUTPUT_DEFAULT)
                return print_documents(output, ref->type, (char *[]) { (char *) text, NULL }, true);

        _cleanup_(table_freep) Table *t = output_table_new(ref->type);
        _cleanup_free_ char *msg = NULL;
        if (!t)
                return error("out of memory");
        r = output_table_add_document(t, ref->type, text, &msg);
        if (r == -EBADMSG)
                return error("%s", strna(msg));
        if (r < 0)
                return error("out of memory");
        return print_table(t);
}

static int get_list(BusClient *c, const ResourceRef *ref, OutputFormat output) {
        _cleanup_(listing_done) Listing l = {};
        int r;

        r = list(c, ref, &l);
        if (r != 0)
                return r;

        if (output == OUTPUT_NAME) {
                STRV_FOREACH(n, l.names)
                        printf("%s\n", *n);
                return 0;
        }
        if (output != OUTPUT_DEFAULT) {
                _cleanup_strv_free_ char **texts = NULL;
                r = fetch_documents(c, ref, &l, &texts);
                if (r != 0)
                        return r;
                return print_documents(output, ref->type, texts, false);
        }
        if (ref->type == RESOURCE_CONTAINER) {
                _cleanup_(table_freep) Table *t = NULL;
                r = container_table(ref, &l, &t);
                if (r != 0)
                        return r;
                return print_list_table(t, ref);
        }
        if (ref->type == RESOURCE_CELL) {
                /* The IP and the containers are in each cell's document: fetch them all. */
                _cleanup_strv_free_ char **texts = NULL;
                r = fetch_documents(c, ref, &l, &texts);
                if (r != 0)
                        return r;
                _cleanup_(table_freep) Table *t = output_table_new(ref->type);
                if (!t)
                        return error("out of memory");
                STRV_FOREACH(text, texts) {
                        _cleanup_free_ char *msg = NULL;
                        r = output_table_add_document(t, ref->type, *text, &msg);
                        if (r == -EBADMSG)
                                return error("%s", strna(msg));
                        if (r < 0)
                                return error("out of memory");
                }
                return print_list_table(t, ref);
        }

        _cleanup_strv_free_ char **extra = NULL;
        if (ref->type != RESOURCE_STACK) {
                r = extra_column(c, ref->type, &l, &extra);
                if (r != 0)
                        return r;
        }
        _cleanup_(table_freep) Table *t = output_table_new(ref->type);
        if (!t)
                return error("out of memory");
        for (size_t i = 0; l.names && l.names[i]; i++)
                if ((ref->type == RESOURCE_STACK ? table_add_cells(t, l.names[i], l.states[i], l.units[i])
                                                 : table_add_cells(t, l.names[i], l.states[i], l.units[i], extra[i])) < 0)
                        return error("out of memory");
        return print_list_table(t, ref);
}

static int print_list_table(Table *t, const ResourceRef *ref) {
        if (table_get_rows(t) == 0) {
                /* Nothing on stdout: a script counting lines counts zero; a person reads why. */
                if (ref->type == RESOURCE_REALM)
                        fprintf(stderr, "No realms.\n");
                else {
                        ResourceRef parent = resource_ref_at(ref, ref->type - 1);
                        _cleanup_free_ char *where = resource_ref_describe(&parent);
                        fprintf(stderr, "No %s in %s.\n", resource_type_to_plural(ref->type), strna(where));
                }
                return 0;
        }
        return print_table(t);
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                PARENT_OPTIONS,
                CELL_OPTION,
                { "output", required_argument, NULL, 'o' },
                { "no-trunc", no_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_(client_freep) BusClient *c = NULL;
        ParentArgs parents = {};
        OutputFormat output = OUTPUT_DEFAULT;
        ResourceRef ref;
        bool single, no_trunc = false;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "o:h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0 || parent_option(opt, optarg, &parents))
                        continue;
                switch (opt) {
                case 'o':
                        if (output_format_parse(optarg, &output) < 0)
                                return error("unknown output format \"%s\" (expected yaml or json)", optarg);
                        break;
                case 'T':
                        no_trunc = true;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke get --help')");
                }
        }
        /* images live in a realm's containerd namespace, not in the tree: their own listing */
        if (optind < argc && STR_IN_SET(argv[optind], "images", "image")) {
                if (optind + 1 < argc)
                        return error("unexpected argument \"%s\": kuke get images lists them all", argv[optind + 1]);
                if (parents.space || parents.stack || parents.cell)
                        return error("images belong to a realm: kuke get images [--realm NAME]");
                return image_get_list(parents.realm ?: DEFAULT_REALM, output, no_trunc);
        }
        if (no_trunc)
                return error("--no-trunc is for kuke get images");
        if (parse_resource_args("get", argc, argv, &parents, false, RESOURCE_TYPES_ALL, &ref, &single) != 0)
                return 1;

        if (connect_or_complain(&c) != 0)
                return 1;
        return single ? get_one(c, &ref, output) : get_list(c, &ref, output);
}

const Verb verb_get = {
        .name = "get",
        .summary = "show realms, spaces, stacks, cells and containers",
        .run = run,
        .help = help,
};
