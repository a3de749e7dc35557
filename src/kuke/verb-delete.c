/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <string.h>

#include "document.h"
#include "kuke.h"
#include "manifest.h"
#include "strv.h"

static void help(FILE *f) {
        fputs("Usage: kuke delete realm|space|stack|cell NAME [OPTIONS…]\n"
              "       kuke delete container NAME --cell CELL [OPTIONS…]\n"
              "       kuke delete -f FILE|- [OPTIONS…]\n"
              "\n"
              "Deletes a resource, or every resource of a manifest (children before their\n"
              "parents: containers, cells, stacks, spaces, then realms). A resource that still\n"
              "has children is refused unless --cascade. A container is stopped (killed with\n"
              "--force), then its containerd container and snapshot go and it leaves its cell's\n"
              "spec; the root container cannot leave its cell (delete the cell instead).\n"
              "\n"
              "Options:\n" PARENT_OPTIONS_HELP CELL_OPTION_HELP
              "  -f, --filename FILE     delete what the manifest FILE describes; - reads\n"
              "                          standard input; repeatable\n"
              "      --cascade           delete the children too\n"
              "      --force             continue past errors of systemd, containerd or CNI\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n"
              "\n"
              "With -f, prints <Kind> \"<name>\" deleted per document, failures on stderr, and\n"
              "exits 1 when any failed.\n",
              f);
}

static int call_delete(BusClient *c, const char *member, const char *const *names, uint64_t flags, sd_bus_error *e) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, bus_client_destination(c), "/org/kukeon1",
                                           KUKEON_MANAGER_INTERFACE, member);
        for (size_t i = 0; r >= 0 && names[i]; i++)
                r = sd_bus_message_append(m, "s", names[i]);
        if (r >= 0)
                r = sd_bus_message_append(m, "t", flags);
        if (r >= 0)
                r = sd_bus_call(c->bus, m, 0, e, NULL);
        return r;
}

static int delete_one(const ResourceRef *ref, uint64_t flags) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *member = manager_member("Delete", ref->type, false);
        const char *names[] = { ref->realm,
                                ref->type >= RESOURCE_SPACE ? ref->space : NULL,
                                ref->type >= RESOURCE_STACK ? ref->stack : NULL,
                                ref->type >= RESOURCE_CELL ? ref->cell : NULL,
                                ref->type >= RESOURCE_CONTAINER ? ref->container : NULL,
                                NULL };
        int r;

        if (!member)
                return error("out of memory");
        if (connect_or_complain(&c) != 0)
                return 1;
        r = call_delete(c, member, names, flags, &e);
        if (r < 0)
                return error_bus(&e, r, ref);
        printf("%s \"%s\" deleted\n", resource_type_to_kind_string(ref->type), resource_ref_name(ref));
        return 0;
}

/* Children before parents: the reverse of the order apply creates in. */
static const Kind delete_order[] = { KIND_CONTAINER, KIND_CELL, KIND_STACK, KIND_SPACE, KIND_REALM };

/* The names the Delete<Kind> call takes, realm first, for a checked document. */
static void document_names(const Document *d, const char *names[static 6]) {
        memset(names, 0, 6 * sizeof(char *));
        switch (d->kind) {
        case KIND_REALM:
                names[0] = ((const RealmDoc *) d->object)->metadata.name;
                break;
        case KIND_SPACE: {
                const SpaceDoc *s = d->object;
                names[0] = s->spec.realm_id;
                names[1] = s->metadata.name;
                break;
        }
        case KIND_STACK: {
                const StackDoc *s = d->object;
                names[0] = s->spec.realm_id;
                names[1] = s->spec.space_id;
                names[2] = s->metadata.name;
                break;
        }
        case KIND_CELL: {
                const CellDoc *s = d->object;
                names[0] = s->spec.realm_id;
                names[1] = s->spec.space_id;
                names[2] = s->spec.stack_id;
                names[3] = s->metadata.name;
                break;
        }
        case KIND_CONTAINER: {
                const ContainerDoc *s = d->object;
                names[0] = s->spec.realm_id;
                names[1] = s->spec.space_id;
                names[2] = s->spec.stack_id;
                names[3] = s->spec.cell_id;
                names[4] = s->metadata.name;
                break;
        }
        default:
                break;
        }
}

/* The resource a document names, for error texts. */
static ResourceRef document_ref(const Document *d, const char *const *names) {
        switch (d->kind) {
        case KIND_REALM:
                return (ResourceRef) { RESOURCE_REALM, names[0], NULL, NULL };
        case KIND_SPACE:
                return (ResourceRef) { RESOURCE_SPACE, names[0], names[1], NULL };
        case KIND_STACK:
                return (ResourceRef) { RESOURCE_STACK, names[0], names[1], names[2] };
        case KIND_CELL:
                return (ResourceRef) { RESOURCE_CELL, names[0], names[1], names[2], names[3] };
        default:
                return (ResourceRef) { RESOURCE_CONTAINER, names[0], names[1], names[2], names[3], names[4] };
        }
}

static int read_all(char **files, DocumentList ***ret, size_t *ret_n) {
        _cleanup_free_ DocumentList **lists = new0(DocumentList *, strv_length(files));
        size_t n = 0;
        int status = 0;

        if (!lists)
                return error("out of memory");
        STRV_FOREACH(path, files) {
                const char *shown = streq(*path, "-") ? "<stdin>" : *path;
                FILE *f = streq(*path, "-") ? stdin : fopen(*path, "re");
                int r;

                if (!f) {
                        status = error("%s: %s", shown, strerror(errno));
                        break;
                }
                r = document_list_read_file(f, &lists[n]);
                if (f != stdin)
                        fclose(f);
                if (r == -EFBIG) {
                        status = error("%s: larger than %u MiB, not a manifest", shown, DOCUMENT_STREAM_MAX / 1024 / 1024);
                        break;
                }
                if (r < 0) {
                        status = error("%s: %s", shown, strerror(-r));
                        break;
                }
                n++;
                if (lists[n - 1]->n_documents == 0) {
                        status = error("%s: no documents", shown);
                        break;
                }
                /* Defaults fill the parents' names (realmId …) of documents that leave them out. */
                (void) manifest_check_list(lists[n - 1], &(ManifestContext) { .allow_system_realm = true });
                for (size_t i = 0; i < lists[n - 1]->n_documents; i++) {
                        const Document *d = &lists[n - 1]->documents[i];
                        if (d->error) {
                                _cleanup_free_ char *what = document_describe(d);
                                status = error("%s: document %u (%s): %s", shown, d->index, strna(what), d->error);
                        }
                }
                if (status != 0)
                        break;
        }
        if (status != 0) {
                for (size_t i = 0; i < n; i++)
                        document_list_free(lists[i]);
                return status;
        }
        *ret = TAKE_PTR(lists);
        *ret_n = n;
        return 0;
}

static int delete_files(char **files, uint64_t flags) {
        _cleanup_(client_freep) BusClient *c = NULL;
        DocumentList **lists = NULL;
        size_t n_lists = 0, failed = 0;
        int status;

        /* Every document is read and checked before anything is deleted: a typo in the last one
         * must not leave the first half deleted. */
        status = read_all(files, &lists, &n_lists);
        if (status != 0)
                return status;
        status = connect_or_complain(&c);

        for (size_t k = 0; status == 0 && k < ELEMENTSOF(delete_order); k++)
                for (size_t li = n_lists; status == 0 && li-- > 0;)
                        for (size_t i = lists[li]->n_documents; status == 0 && i-- > 0;) {
                                const Document *d = &lists[li]->documents[i];
                                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                                _cleanup_free_ char *member = NULL;
                                const char *names[6];
                                int r;

                                if (d->kind != delete_order[k])
                                        continue;
                                document_names(d, names);
                                if (asprintf(&member, "Delete%s", kind_to_string(d->kind)) < 0) {
                                        status = error("out of memory");
                                        continue;
                                }
                                r = call_delete(c, member, names, flags, &e);
                                if (r < 0) {
                                        ResourceRef ref = document_ref(d, names);
                                        _cleanup_free_ char *msg = bus_error_message(&e, r, &ref);
                                        fprintf(stderr, "%s \"%s\" failed: %s\n", kind_to_string(d->kind), strna(d->name), strna(msg));
                                        failed++;
                                        /* A lost connection fails everything after it the same way. */
                                        if (!sd_bus_error_is_set(&e) || bus_error_is_local(&e))
                                                status = 1;
                                } else
                                        printf("%s \"%s\" deleted\n", kind_to_string(d->kind), strna(d->name));
                        }

        for (size_t k = 0; k < n_lists; k++) {
                for (size_t i = 0; i < lists[k]->n_documents; i++) {
                        const Document *d = &lists[k]->documents[i];
                        if (!kind_is_resource(d->kind))
                                fprintf(stderr, "%s \"%s\": not a resource, nothing to delete\n", kind_to_string(d->kind),
                                        strna(d->name));
                }
                document_list_free(lists[k]);
        }
        free(lists);
        return status != 0 || failed > 0 ? 1 : 0;
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                PARENT_OPTIONS,
                CELL_OPTION,
                { "filename", required_argument, NULL, 'f' },
                { "cascade", no_argument, NULL, 'c' },
                { "force", no_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_strv_free_ char **files = NULL;
        ParentArgs parents = {};
        uint64_t flags = 0;
        ResourceRef ref;
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "f:h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0 || parent_option(opt, optarg, &parents))
                        continue;
                switch (opt) {
                case 'f':
                        if (strv_extend(&files, optarg) < 0)
                                return error("out of memory");
                        break;
                case 'c':
                        flags |= KUKEON_FLAG_CASCADE;
                        break;
                case 'F':
                        flags |= KUKEON_FLAG_FORCE;
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke delete --help')");
                }
        }

        if (files) {
                if (optind < argc)
                        return error("unexpected argument \"%s\": with -f, the manifest names what to delete", argv[optind]);
                if (parent_args_given(&parents))
                        return error("--realm, --space, --stack and --cell do not go with -f: the manifest names the parents");
                return delete_files(files, flags);
        }
        if (parse_resource_args("delete", argc, argv, &parents, true, RESOURCE_TYPES_ALL, &ref, NULL) != 0)
                return 1;
        return delete_one(&ref, flags);
}

const Verb verb_delete = {
        .name = "delete",
        .summary = "delete realms, spaces, stacks, cells and containers, by name or by manifest",
        .run = run,
        .help = help,
};
