/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "document.h"
#include "fileio.h"
#include "kuke.h"
#include "manifest.h"
#include "strv.h"

static void help(FILE *f) {
        fputs("Usage: kuke apply -f FILE|- [OPTIONS…]\n"
              "\n"
              "Checks the manifest documents of FILE (or of standard input, for -) as --dry-run\n"
              "does and, when all are valid, sends them to kukeond, which creates or updates them\n"
              "in dependency order (realms, spaces, stacks, cells).\n"
              "Prints <Kind> \"<name>\" created|configured|unchanged per document, and\n"
              "<Kind> \"<name>\" failed: <why> on standard error for those that failed.\n"
              "\n"
              "Options:\n"
              "  -f, --filename FILE     the manifest to read; - reads standard input; repeatable\n"
              "                          (the files are sent as one stream)\n"
              "      --dry-run           parse, validate and default the documents here, without\n"
              "                          kukeond, change nothing; prints <Kind> \"<name>\": valid\n"
              "  -o, --output FORMAT     with --dry-run: print the defaulted documents as yaml or json\n"
              CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n"
              "\n"
              "Exit status is 1 when any document is invalid or failed.\n",
              f);
}

static int read_documents(const char *path, DocumentList **ret) {
        FILE *f = streq(path, "-") ? stdin : fopen(path, "re");
        if (!f)
                return -errno;
        int r = document_list_read_file(f, ret);
        if (f != stdin)
                fclose(f);
        return r;
}

/* Reports each document: "valid" lines on stdout (unless an -o format prints the documents
 * instead), errors on stderr. Returns the number of invalid documents. */
static size_t report(const char *path, const DocumentList *l, bool quiet) {
        size_t bad = 0;
        for (size_t i = 0; i < l->n_documents; i++) {
                const Document *d = &l->documents[i];
                _cleanup_free_ char *what = document_describe(d);
                if (d->error) {
                        bad++;
                        fprintf(stderr, "Error: %s: document %u (%s): %s\n", path, d->index, strna(what), d->error);
                } else if (!quiet)
                        printf("%s: valid\n", strna(what));
        }
        return bad;
}

/* Every file, read in full and checked as --dry-run checks it before anything is sent: a bad
 * document (a bad name, a typo in a field) is reported here, with its file, line and column,
 * and nothing reaches the daemon. Then one stream, so kukeond orders the documents of all
 * files together. */
static int read_stream(char **files, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, bad = 0;

        STRV_FOREACH(path, files) {
                const char *shown = streq(*path, "-") ? "<stdin>" : *path;
                _cleanup_free_ char *text = NULL;
                size_t n;
                int r;

                if (streq(*path, "-"))
                        r = read_fd_full(STDIN_FILENO, DOCUMENT_STREAM_MAX, &text, &n);
                else
                        r = read_file_full(*path, DOCUMENT_STREAM_MAX, &text, &n);
                if (r == -EFBIG)
                        return error("%s: larger than %u MiB, not a manifest", shown, DOCUMENT_STREAM_MAX / 1024 / 1024);
                if (r < 0)
                        return error("%s: %s", shown, strerror(-r));
                if (memchr(text, 0, n))
                        return error("%s: contains a NUL byte, not a manifest", shown);

                _cleanup_(document_list_freep) DocumentList *l = NULL;
                r = document_list_parse(text, n, &l);
                if (r < 0)
                        return error("%s: %s", shown, strerror(-r));
                if (l->n_documents == 0) {
                        bad++;
                        fprintf(stderr, "Error: %s: no documents\n", shown);
                        continue;
                }
                r = manifest_check_list(l, NULL);
                if (r < 0)
                        return error("%s: %s", shown, strerror(-r));
                bad += report(shown, l, /* quiet= */ true);
                if (size + n + 5 > DOCUMENT_STREAM_MAX)
                        return error("the manifests together are larger than %u MiB", DOCUMENT_STREAM_MAX / 1024 / 1024);

                /* Files are joined with a document marker on a line of its own. */
                const char *sep = size == 0 ? "" : (buf[size - 1] == '\n' ? "---\n" : "\n---\n");
                char *nbuf = realloc(buf, size + strlen(sep) + n + 1);
                if (!nbuf)
                        return error("out of memory");
                buf = nbuf;
                memcpy(buf + size, sep, strlen(sep));
                size += strlen(sep);
                memcpy(buf + size, text, n);
                size += n;
                buf[size] = 0;
        }
        if (bad > 0)
                return 1;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int apply(char **files) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *text = NULL;
        const char *kind, *name, *outcome, *message, *path;
        size_t size = 0, failed = 0, n = 0;
        int r;

        r = read_stream(files, &text, &size);
        if (r != 0)
                return r;

        if (connect_or_complain(&c) != 0)
                return 1;
        r = bus_client_call_manager(c, "Apply", &e, &reply, "st", text, UINT64_C(0));
        if (r < 0)
                return error_bus(&e, r, NULL);

        r = sd_bus_message_enter_container(reply, 'a', "(sssso)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path)) > 0) {
                n++;
                if (streq(outcome, "failed")) {
                        failed++;
                        fprintf(stderr, "%s \"%s\" failed: %s\n", kind, name, isempty(message) ? "(no reason given)" : message);
                } else
                        printf("%s \"%s\" %s\n", kind, name, outcome);
        }
        if (r < 0)
                return error("cannot read the reply of Apply: %s", strerror(-r));
        if (n == 0)
                return error("kukeond applied no documents");
        return failed > 0 ? 1 : 0;
}

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "filename", required_argument, NULL, 'f' },
                { "dry-run", no_argument, NULL, 'n' },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        _cleanup_strv_free_ char **files = NULL;
        OutputFormat output = OUTPUT_DEFAULT;
        bool dry_run = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "f:o:h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(c, optarg);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                switch (c) {
                case 'f':
                        if (strv_extend(&files, optarg) < 0)
                                return error("out of memory");
                        break;
                case 'n':
                        dry_run = true;
                        break;
                case 'o':
                        if (output_format_parse(optarg, &output) < 0 || output == OUTPUT_NAME)
                                return error("unknown output format \"%s\" (expected yaml or json)", optarg);
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke apply --help')");
                }
        }
        if (optind < argc)
                return error("unexpected argument \"%s\" (manifests are given with -f)", argv[optind]);
        if (strv_length(files) == 0)
                return error("no manifest given: use -f FILE, or -f - for standard input");
        if (!dry_run) {
                if (output != OUTPUT_DEFAULT)
                        return error("-o goes with --dry-run: kukeond reports one line per document");
                return apply(files);
        }
        if (output != OUTPUT_DEFAULT && strv_length(files) > 1)
                return error("-o prints one stream: give a single -f");

        size_t bad = 0;
        STRV_FOREACH(path, files) {
                _cleanup_(document_list_freep) DocumentList *l = NULL;

                r = read_documents(*path, &l);
                if (r == -EFBIG)
                        return error("%s: larger than %u MiB, not a manifest", *path, DOCUMENT_STREAM_MAX / 1024 / 1024);
                if (r < 0)
                        return error("%s: %s", *path, strerror(-r));
                if (l->n_documents == 0) {
                        bad++;
                        fprintf(stderr, "Error: %s: no documents\n", *path);
                        continue;
                }
                r = manifest_check_list(l, NULL);
                if (r < 0)
                        return error("%s: %s", *path, strerror(-r));

                bad += report(streq(*path, "-") ? "<stdin>" : *path, l, output != OUTPUT_DEFAULT);

                if (output != OUTPUT_DEFAULT && bad == 0) {
                        _cleanup_free_ char *text = NULL;
                        r = output == OUTPUT_JSON ? document_list_format_json(l, &text) : document_list_format_yaml(l, &text);
                        if (r < 0)
                                return error("formatting output: %s", strerror(-r));
                        fputs(text, stdout);
                }
        }
        return bad > 0 ? 1 : 0;
}

const Verb verb_apply = {
        .name = "apply",
        .summary = "create or update resources from manifests (--dry-run: validate only)",
        .run = run,
        .help = help,
};
