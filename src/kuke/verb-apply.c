/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "document.h"
#include "kuke.h"
#include "manifest.h"
#include "strv.h"

static void help(FILE *f) {
        fputs("Usage: kuke apply -f FILE|- [--dry-run] [-o yaml|json]\n"
              "\n"
              "Applies the manifest documents of FILE (or of standard input, for -).\n"
              "\n"
              "Options:\n"
              "  -f, --filename FILE   the manifest to read; - reads standard input; repeatable\n"
              "      --dry-run         parse, validate and default the documents, change nothing;\n"
              "                        prints <Kind> \"<name>\": valid per document\n"
              "  -o, --output FORMAT   with --dry-run: print the defaulted documents as yaml or json\n"
              "  -h, --help            show this help\n"
              "\n"
              "Exit status is 1 when any document is invalid.\n",
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

static int run(int argc, char *argv[]) {
        static const struct option options[] = {
                { "filename", required_argument, NULL, 'f' },
                { "dry-run", no_argument, NULL, 'n' },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_strv_free_ char **files = NULL;
        OutputFormat output = OUTPUT_DEFAULT;
        bool dry_run = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "f:o:h", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        if (strv_extend(&files, optarg) < 0)
                                return error("out of memory");
                        break;
                case 'n':
                        dry_run = true;
                        break;
                case 'o':
                        if (output_format_parse(optarg, &output) < 0)
                                return error("unknown output format \"%s\" (expected yaml or json)", optarg);
                        break;
                case 'h':
                        help(stdout);
                        return 0;
                default:
                        return error("invalid arguments (see 'kuke apply --help')");
                }
        if (optind < argc)
                return error("unexpected argument \"%s\" (manifests are given with -f)", argv[optind]);
        if (strv_length(files) == 0)
                return error("no manifest given: use -f FILE, or -f - for standard input");
        if (!dry_run)
                return error("applying to a host needs kukeond, which this version of kuke cannot reach yet; use --dry-run to validate");
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
