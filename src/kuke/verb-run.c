/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cell-cli.h"
#include "cell-profile.h"
#include "document.h"
#include "fileio.h"
#include "kuke.h"
#include "name.h"
#include "manifest.h"
#include "object-path.h"
#include "schema.h"
#include "strv.h"
#include "yaml-codec.h"

extern char **environ;

#define RUN_WAIT_DEFAULT_SEC 60

static void help(FILE *f) {
        fputs("Usage: kuke run -f FILE|- [OPTIONS…]\n"
              "       kuke run -p PROFILE [--param KEY=VALUE…] [OPTIONS…]\n"
              "\n"
              "Creates and starts the cell of FILE (one Cell document), or starts it when it\n"
              "exists, stopped, with the same spec. A cell of that name with a different spec is\n"
              "refused: 'kuke apply -f FILE' changes it. With -p, a fresh cell from the profile\n"
              "PROFILE (<name>-<6 hex>), found as PROFILE.yaml in $KUKE_PROFILES_DIR, else in\n"
              "~/.kuke/profiles.d. Waits until the cell is Ready and prints its name and IP.\n"
              "\n"
              "Options:\n"
              "  -f, --filename FILE     the Cell manifest; - reads standard input\n"
              "  -p, --profile NAME      materialize the cell from the CellProfile NAME\n"
              "      --param KEY=VALUE   a parameter of the profile; repeatable\n"
              "      --name NAME         the cell's name, instead of the manifest's or the\n"
              "                          profile's generated one\n"
              "  -d, --detach            do not wait for Ready: print the outcome and return\n"
              "      --timeout SECONDS   how long to wait for Ready (default 60)\n"
              "      --rm                delete the cell once it stopped after being Ready\n"
              "                          (sets spec.autoDelete)\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n",
              f);
}

typedef struct RunArgs {
        const char *file;
        const char *profile;
        char **params;
        const char *name;
        bool detach;
        bool rm;
        unsigned timeout_sec;
} RunArgs;

static void run_args_done(RunArgs *a) {
        a->params = strv_free(a->params);
}

/* The one Cell of 'text' (from 'shown'), checked and defaulted as apply checks it, named
 * 'name' when not NULL. Prints the errors. */
static int cell_from_text(const char *shown, const char *text, size_t size, const char *name, DocumentList **ret_list,
                          CellDoc **ret) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        int r;

        if (memchr(text, 0, size))
                return error("%s: contains a NUL byte, not a manifest", shown);
        r = document_list_parse(text, size, &l);
        if (r < 0)
                return error("%s: %s", shown, strerror(-r));
        if (l->n_documents == 0)
                return error("%s: no documents", shown);
        if (l->n_documents > 1)
                return error("%s: %zu documents: kuke run takes one Cell (use 'kuke apply -f' for several)", shown,
                             l->n_documents);
        Document *d = &l->documents[0];
        if (!d->error && d->kind != KIND_CELL) {
                _cleanup_free_ char *what = document_describe(d);
                return error("%s: %s is not a Cell: kuke run takes one Cell (use 'kuke apply -f' for other kinds)", shown,
                             strna(what));
        }
        if (!d->error && name) {
                CellDoc *c = d->object;
                char *a = strdup(name), *b = strdup(name);
                if (!a || !b) {
                        free(a);
                        free(b);
                        return error("out of memory");
                }
                free(c->metadata.name);
                c->metadata.name = a;
                free(d->name);
                d->name = b;
        }
        if (!d->error)
                (void) manifest_check_list(l, NULL);
        if (d->error) {
                _cleanup_free_ char *what = document_describe(d);
                return error("%s: document %u (%s): %s", shown, d->index, strna(what), d->error);
        }
        *ret = d->object;
        *ret_list = TAKE_PTR(l);
        return 0;
}

static int cell_from_file(const RunArgs *a, DocumentList **ret_list, CellDoc **ret) {
        const char *shown = streq(a->file, "-") ? "<stdin>" : a->file;
        _cleanup_free_ char *text = NULL;
        size_t n;
        int r;

        r = streq(a->file, "-") ? read_fd_full(STDIN_FILENO, DOCUMENT_STREAM_MAX, &text, &n)
                                : read_file_full(a->file, DOCUMENT_STREAM_MAX, &text, &n);
        if (r == -EFBIG)
                return error("%s: larger than %u MiB, not a manifest", shown, DOCUMENT_STREAM_MAX / 1024 / 1024);
        if (r < 0)
                return error("%s: %s", shown, strerror(-r));
        return cell_from_text(shown, text, n, a->name, ret_list, ret);
}

static int cell_from_profile(const RunArgs *a, DocumentList **ret_list, CellDoc **ret) {
        _cleanup_free_ char *path = NULL, *dir = NULL, *text = NULL, *msg = NULL, *yaml = NULL;
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        CellDoc *cell = NULL;
        size_t n;
        int r;

        r = profile_path_find(a->profile, getenv("KUKE_PROFILES_DIR"), getenv("HOME"), &path, &dir);
        if (r == -EINVAL)
                return error("invalid profile name \"%s\": a name, not a path", a->profile);
        if (r == -ENOENT)
                return error("no profile \"%s\": neither %s/%s.yaml nor .yml exists (profiles live in $KUKE_PROFILES_DIR, else ~/.kuke/profiles.d)",
                             a->profile, strna(dir), a->profile);
        if (r < 0)
                return error("out of memory");
        r = read_file_full(path, DOCUMENT_STREAM_MAX, &text, &n);
        if (r < 0)
                return error("%s: %s", path, strerror(-r));
        r = document_list_parse(text, n, &l);
        if (r < 0)
                return error("%s: %s", path, strerror(-r));
        if (l->n_documents != 1 || (!l->documents[0].error && l->documents[0].kind != KIND_CELL_PROFILE))
                return error("%s: a profile is one CellProfile document", path);
        (void) manifest_check_list(l, NULL);
        if (l->documents[0].error)
                return error("%s: %s", path, l->documents[0].error);

        ProfileInputs in = { .params = a->params, .environment = environ, .name = a->name };
        r = cell_profile_materialize(l->documents[0].object, &in, &cell, &msg);
        if (r == -ENOMEM)
                return error("out of memory");
        if (r < 0)
                return error("profile \"%s\": %s", a->profile, strna(msg));
        /* Through the text form, so the cell is checked exactly as a file of it would be. */
        r = yaml_format_object(kind_schema(KIND_CELL), cell, &yaml);
        schema_free(kind_schema(KIND_CELL), cell);
        if (r < 0)
                return error("formatting the cell of profile \"%s\": %s", a->profile, strerror(-r));
        _cleanup_free_ char *shown = NULL;
        if (asprintf(&shown, "profile \"%s\"", a->profile) < 0)
                return error("out of memory");
        return cell_from_text(shown, yaml, strlen(yaml), NULL, ret_list, ret);
}

static ResourceRef cell_ref(const CellDoc *d) {
        return (ResourceRef) { RESOURCE_CELL, d->spec.realm_id, d->spec.space_id, d->spec.stack_id, d->metadata.name };
}

/* GetCell: 0 and the document, 1 when there is no such cell, or an error printed (-1). */
static int get_cell(BusClient *c, const ResourceRef *ref, CellDoc **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *why = NULL;
        const char *text;
        void *obj = NULL;
        int r;

        r = bus_client_new_manager_call(c, "GetCell", ref, &m);
        if (r >= 0)
                r = sd_bus_call(c->bus, m, 0, &e, &reply);
        if (r < 0 && sd_bus_error_has_name(&e, KUKEON_ERROR_PREFIX "NoSuchCell"))
                return 1;
        if (r < 0)
                return error_bus(&e, r, ref), -1;
        r = sd_bus_message_read(reply, "s", &text);
        if (r < 0)
                return error("cannot read the reply of GetCell: %s", strerror(-r)), -1;
        r = document_parse_one(text, strlen(text), KIND_CELL, &obj, &why);
        if (r < 0)
                return error("kukeond sent a cell document that does not decode: %s", why ?: strerror(-r)), -1;
        *ret = obj;
        return 0;
}

static int apply_cell(BusClient *c, const CellDoc *cell, const ResourceRef *ref) {
        _cleanup_free_ char *yaml = NULL, *outcome = NULL, *message = NULL;
        int r;

        r = yaml_format_object(kind_schema(KIND_CELL), cell, &yaml);
        if (r < 0)
                return error("formatting the cell: %s", strerror(-r));
        if (apply_one(c, yaml, ref, &outcome, &message) != 0)
                return 1;
        if (streq(outcome, "failed"))
                return error("cell \"%s\" failed: %s", ref->cell, isempty(message) ? "(no reason given)" : message);
        printf("Cell \"%s\" %s\n", ref->cell, outcome);
        return 0;
}

static int get_cell_message(BusClient *c, const ResourceRef *ref, char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r = object_path_build(ref->realm, ref->space, ref->stack, ref->cell, NULL, &path);
        if (r < 0)
                return r;
        return sd_bus_get_property_string(c->bus, bus_client_destination(c), path, "org.kukeon1.Cell", "Message", &e, ret);
}

/* Polls GetCell until the cell is Ready (prints its IP), Failed or Stopped (an error), or
 * the timeout. Apply and StartCell return once the cell started, so this is normally one call. */
static int wait_ready(BusClient *c, const ResourceRef *ref, unsigned timeout_sec) {
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                CellDoc *d = NULL;
                int r = get_cell(c, ref, &d);
                if (r < 0)
                        return 1;
                if (r > 0)
                        return error("cell %s vanished while waiting for it to be Ready", ref->cell);
                CellState st = d->status.state;
                _cleanup_free_ char *ip = d->status.network.ip ? strdup(d->status.network.ip) : NULL;
                schema_free(kind_schema(KIND_CELL), d);

                if (st == CELL_STATE_READY) {
                        if (isempty(ip))
                                printf("Cell \"%s\" Ready (no address of its own: host network)\n", ref->cell);
                        else
                                printf("Cell \"%s\" Ready at %s\n", ref->cell, ip);
                        return 0;
                }
                if (st == CELL_STATE_FAILED || st == CELL_STATE_STOPPED) {
                        _cleanup_free_ char *msg = NULL;
                        (void) get_cell_message(c, ref, &msg);
                        return error("cell \"%s\" is %s%s%s", ref->cell, enum_to_string(&cell_state_enum, (int) st),
                                     isempty(msg) ? "" : ": ", strempty(msg));
                }
                clock_gettime(CLOCK_MONOTONIC, &now);
                if (now.tv_sec - start.tv_sec >= (time_t) timeout_sec)
                        return error("cell \"%s\" is still %s after %us (see 'kuke get cell %s -o yaml')", ref->cell,
                                     enum_to_string(&cell_state_enum, (int) st), timeout_sec, ref->cell);
                (void) nanosleep(&(struct timespec) { .tv_nsec = 200 * 1000 * 1000 }, NULL);
        }
}

static int run_cell(const RunArgs *a) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        _cleanup_(client_freep) BusClient *c = NULL;
        CellDoc *cell = NULL, *have = NULL;
        int r;

        r = a->file ? cell_from_file(a, &l, &cell) : cell_from_profile(a, &l, &cell);
        if (r != 0)
                return r;
        if (a->rm) /* kukeond deletes it once it was Ready and stopped */
                cell->spec.auto_delete = true;
        ResourceRef ref = cell_ref(cell);
        if (check_ref_or_complain(&ref, true) != 0)
                return 1;

        if (connect_or_complain(&c) != 0)
                return 1;
        r = get_cell(c, &ref, &have);
        if (r < 0)
                return 1;
        if (r > 0) {
                r = apply_cell(c, cell, &ref);
                if (r != 0)
                        return r;
        } else {
                /* It exists: the same spec is started (or left running), another is refused. */
                _cleanup_free_ char *what = NULL;
                CellDoc want = {};
                bool diverges;

                r = schema_copy(kind_schema(KIND_CELL), &want, cell);
                if (r >= 0)
                        r = cell_doc_prepare_like_daemon(&want);
                if (r < 0) {
                        schema_done(kind_schema(KIND_CELL), &want);
                        schema_free(kind_schema(KIND_CELL), have);
                        return error("out of memory");
                }
                diverges = cell_doc_diverges(&want, have, &what);
                schema_done(kind_schema(KIND_CELL), &want);
                CellState st = have->status.state;
                schema_free(kind_schema(KIND_CELL), have);
                if (diverges)
                        return error("cell \"%s\" exists with a different %s: 'kuke apply -f FILE' changes it, or 'kuke delete cell %s' removes it first",
                                     ref.cell, strna(what), ref.cell);
                if (st == CELL_STATE_READY)
                        printf("Cell \"%s\" already running\n", ref.cell);
                else {
                        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                        r = bus_client_new_manager_call(c, "StartCell", &ref, &m);
                        if (r >= 0)
                                r = sd_bus_message_append(m, "t", UINT64_C(0));
                        if (r >= 0)
                                r = sd_bus_call(c->bus, m, 0, &e, NULL);
                        if (r < 0)
                                return error_bus(&e, r, &ref);
                        printf("Cell \"%s\" started\n", ref.cell);
                }
        }
        if (a->detach)
                return 0;
        return wait_ready(c, &ref, a->timeout_sec);
}

static int run(int argc, char *argv[]) {
        enum {
                ARG_PARAM = _ARG_PARENT_MAX,
                ARG_NAME,
                ARG_RM,
                ARG_TIMEOUT,
        };
        static const struct option options[] = {
                { "filename", required_argument, NULL, 'f' },
                { "profile", required_argument, NULL, 'p' },
                { "param", required_argument, NULL, ARG_PARAM },
                { "name", required_argument, NULL, ARG_NAME },
                { "detach", no_argument, NULL, 'd' },
                { "rm", no_argument, NULL, ARG_RM },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_(run_args_done) RunArgs a = { .timeout_sec = RUN_WAIT_DEFAULT_SEC };
        int opt, r;

        optind = 0;
        while ((opt = getopt_long(argc, argv, "f:p:dh" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                switch (opt) {
                case 'f':
                        if (a.file)
                                return error("-f given twice: kuke run takes one manifest");
                        a.file = optarg;
                        break;
                case 'p':
                        if (a.profile)
                                return error("-p given twice: kuke run takes one profile");
                        a.profile = optarg;
                        break;
                case ARG_PARAM:
                        if (!strchr(optarg, '=') || optarg[0] == '=')
                                return error("--param %s: expected KEY=VALUE", optarg);
                        if (strv_extend(&a.params, optarg) < 0)
                                return error("out of memory");
                        break;
                case ARG_NAME:
                        a.name = optarg;
                        break;
                case 'd':
                        a.detach = true;
                        break;
                case ARG_RM:
                        a.rm = true;
                        break;
                case ARG_TIMEOUT: {
                        char *end;
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end || optarg[0] == '-' || v == 0 || v > 86400)
                                return error("invalid --timeout \"%s\": expected seconds, 1 to 86400", optarg);
                        a.timeout_sec = (unsigned) v;
                        break;
                }
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke run --help')");
                }
        }
        if (optind < argc)
                return error("unexpected argument \"%s\" (the cell comes from -f FILE or -p PROFILE)", argv[optind]);
        if (!a.file == !a.profile)
                return error(a.file ? "-f and -p exclude each other: run a manifest or a profile"
                                    : "nothing to run: give -f FILE (a Cell manifest) or -p PROFILE");
        if (a.params && !a.profile)
                return error("--param goes with -p PROFILE");
        if (a.name) {
                _cleanup_free_ char *msg = NULL;
                r = name_check("Cell", a.name, &msg);
                if (r == -ENOMEM)
                        return error("out of memory");
                if (r < 0)
                        return error("%s", strna(msg));
        }
        return run_cell(&a);
}

const Verb verb_run = {
        .name = "run",
        .summary = "create-or-start a cell from a manifest or a profile, wait until Ready",
        .run = run,
        .help = help,
};
