/* SPDX-License-Identifier: Apache-2.0 */
#include "kuke.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const Verb *const verbs[] = {
        &verb_apply,
        &verb_version,
};

int error(const char *fmt, ...) {
        va_list ap;
        fputs("Error: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return 1;
}

int output_format_parse(const char *s, OutputFormat *ret) {
        if (streq(s, "yaml"))
                *ret = OUTPUT_YAML;
        else if (streq(s, "json"))
                *ret = OUTPUT_JSON;
        else
                return -EINVAL;
        return 0;
}

static void help(FILE *f) {
        fputs("kuke — the kukeon command line\n"
              "\n"
              "Usage: kuke [--help] VERB [ARGS…]\n"
              "\n"
              "Verbs:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s %s\n", verbs[i]->name, verbs[i]->summary);
        fputs("\nRun 'kuke VERB --help' for a verb's options.\n", f);
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i]->name, name))
                        return verbs[i];
        return NULL;
}

int main(int argc, char *argv[]) {
        if (argc < 2) {
                help(stderr);
                return 1;
        }
        if (STR_IN_SET(argv[1], "--help", "-h", "help")) {
                if (streq(argv[1], "help") && argc > 2) {
                        const Verb *v = find_verb(argv[2]);
                        if (!v)
                                return error("unknown verb \"%s\" (see 'kuke --help')", argv[2]);
                        v->help(stdout);
                        return 0;
                }
                help(stdout);
                return 0;
        }
        if (streq(argv[1], "--version"))
                return verb_version.run(argc - 1, argv + 1);

        const Verb *v = find_verb(argv[1]);
        if (!v)
                return error("unknown verb \"%s\" (see 'kuke --help')", argv[1]);

        int r = v->run(argc - 1, argv + 1);
        if (fflush(stdout) != 0 && r == 0)
                return error("failed to write output: %s", strerror(errno));
        return r;
}
