/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The kuke command line: main() in kuke.c dispatches to one function per verb, each in
 * its own verb-*.c file. Verbs return an exit status (0 ok, 1 error); they print
 * results to stdout and "Error: …" lines to stderr. */

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bus-client.h"
#include "macro.h"
#include "output.h"

typedef struct Verb {
        const char *name;
        const char *summary;
        int (*run)(int argc, char *argv[]);
        void (*help)(FILE *f);
} Verb;

extern const Verb verb_apply, verb_autocomplete, verb_create, verb_delete, verb_get, verb_image, verb_init, verb_kill,
        verb_logs, verb_pause, verb_purge, verb_resume, verb_run, verb_start, verb_stop,
        verb_version;

/* kuke get images (verb-image.c): the images of 'realm' as a table (digests cut unless
 * 'full'), or their references with OUTPUT_NAME. Connects itself; returns 0 or 1. */
int image_get_list(const char *realm, OutputFormat output, bool full);

/* Prints "Error: <message>" to stderr and returns 1, for `return error(...)`. */
_printf_(1, 2) int error(const char *fmt, ...);


/* How to reach kukeond: set by the connection options, before the verb or among its own
 * options (kuke --host unix:/run/kukeon/kukeond.sock get realms, or kuke get realms -H root@host). */
extern BusTarget arg_target;

/* The connection options every verb that talks to kukeond accepts. Put CONNECT_OPTIONS in the
 * verb's option table, CONNECT_SHORTOPTS ("H:") in its short option string, and hand every
 * option to connect_option() first: it returns 1 when the option was a connection option
 * (handled), 0 when not, and -1 after printing an error. */
enum {
        ARG_NO_DAEMON = 0x100,
        ARG_NO_ASK_PASSWORD,
        _ARG_CONNECT_MAX,
};
#define CONNECT_SHORTOPTS "H:"
#define CONNECT_OPTIONS                                                          \
        { "host", required_argument, NULL, 'H' },                                \
        { "no-daemon", no_argument, NULL, ARG_NO_DAEMON },                       \
        { "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD }
#define CONNECT_OPTIONS_HELP                                                                  \
        "  -H, --host unix:PATH    talk to kukeond on its socket (/run/kukeon/kukeond.sock)\n" \
        "  -H, --host [USER@]HOST  talk to kukeond on HOST, over ssh (as systemctl -H)\n"     \
        "      --no-daemon         run kukeond for this command only, on a private socket\n"  \
        "      --no-ask-password   do not ask for authorization interactively\n"
int connect_option(int c, const char *arg);

/* Connects as arg_target says; prints the error itself. Returns 0 or 1 (the exit status). */
int connect_or_complain(BusClient **ret);

/* Prints "Error: <what the D-Bus error means for 'ref'>" (see bus_error_message()) and returns 1. */
int error_bus(const sd_bus_error *e, int r, const ResourceRef *ref);

/* Validates the names of 'ref' locally, so a bad name never reaches the daemon; prints the error.
 * Returns 0 or 1. */
int check_ref_or_complain(const ResourceRef *ref, bool allow_system_realm);

/* Frees a client opened by connect_or_complain(). */
void client_freep(BusClient **c);

/* --realm, --space and --stack select the parents of spaces, stacks and cells; these are the
 * defaults, the resources `kuke init` creates. */
#define DEFAULT_REALM "main"
#define DEFAULT_SPACE "default"
#define DEFAULT_STACK "default"
enum {
        ARG_REALM = _ARG_CONNECT_MAX,
        ARG_SPACE,
        ARG_STACK,
        ARG_CELL,
        _ARG_PARENT_MAX,
};
#define PARENT_OPTIONS                                            \
        { "realm", required_argument, NULL, ARG_REALM },          \
        { "space", required_argument, NULL, ARG_SPACE },          \
        { "stack", required_argument, NULL, ARG_STACK }
#define PARENT_OPTIONS_HELP                                                             \
        "      --realm NAME        the realm of the space, stack or cell (default: " DEFAULT_REALM ")\n" \
        "      --space NAME        the space of the stack or cell (default: " DEFAULT_SPACE ")\n" \
        "      --stack NAME        the stack of the cell (default: " DEFAULT_STACK ")\n"
/* Containers have one more parent, their cell, and no default for it: the verbs that take
 * containers add CELL_OPTION to PARENT_OPTIONS. */
#define CELL_OPTION { "cell", required_argument, NULL, ARG_CELL }
#define CELL_OPTION_HELP "      --cell NAME         the cell of the container (required for containers)\n"

/* The parents given with --realm, --space, --stack and --cell; NULL when not given. */
typedef struct ParentArgs {
        const char *realm;
        const char *space;
        const char *stack;
        const char *cell;
} ParentArgs;

/* Hands a getopt result to the parent options: 1 when it was one (stored in 'p'), 0 when not. */
int parent_option(int c, const char *arg, ParentArgs *p);

/* Whether any parent option was given. */
static inline bool parent_args_given(const ParentArgs *p) {
        return p->realm || p->space || p->stack || p->cell;
}

/* The types start, stop, kill take; create takes all but containers (they come with their
 * cell's manifest). */
#define RESOURCE_TYPES_RUNNABLE (RESOURCE_TYPE_BIT(RESOURCE_CELL) | RESOURCE_TYPE_BIT(RESOURCE_CONTAINER))
#define RESOURCE_TYPES_CREATABLE (RESOURCE_TYPES_ALL & ~RESOURCE_TYPE_BIT(RESOURCE_CONTAINER))

/* The positional arguments of get, create, delete, purge, start, stop, kill: TYPE [NAME] after
 * getopt has run; 'types' is the set of types the verb takes (RESOURCE_TYPES_ALL for any).
 * 'name_required': NAME must be there (create, delete, purge); otherwise it is optional
 * and *ret_single says whether it was given. Fills 'ret' with the type, the parents from 'p'
 * (or their defaults; a container's cell has none: --cell is required) and the name, and
 * checks every name it uses locally. --cell with any other type is refused. Prints the
 * error; returns 0 or 1. */
int parse_resource_args(const char *verb, int argc, char *argv[], const ParentArgs *p, bool name_required,
                        unsigned types, ResourceRef *ret, bool *ret_single);

/* start, stop, kill of a cell or a container: the Manager's <verb><Kind>(realm, space, stack,
 * cell[, container][, signal], flags) for 'ref' (StopCell, KillContainer, SignalCell with
 * 'signal' > 0 …), then "<Kind> \"<name>\" <done>" on stdout. Connects itself; prints errors.
 * Returns 0 or 1. */
int call_resource_verb(const char *verb, const ResourceRef *ref, int signal, uint64_t flags, const char *done);

/* The whole of start, stop, pause and resume: arguments (a cell or a container), then
 * <member><Kind>(…, 0) and "<Kind> \"<name>\" <done>". Returns the exit status. */
int run_runnable_verb(const char *verb, int argc, char *argv[], void (*help)(FILE *f), const char *member,
                      const char *done);

/* Apply of a one-document manifest: its outcome (created, configured, unchanged, failed) and
 * message. Returns 0, or 1 with the error printed. */
int apply_one(BusClient *c, const char *yaml, const ResourceRef *ref, char **ret_outcome, char **ret_message);

/* The options and arguments of a verb on one resource ([OPTIONS…] TYPE NAME: create, purge,
 * start, stop, kill), with the parent (--cell too) and connection options; 'types' is the set
 * of types taken. 'extra' handles the verb's own options (1: handled, 0: not one, -1: error
 * printed). Returns 0, 1 (error printed) or 2 (help printed: exit 0). */
int parse_verb_args(const char *verb, int argc, char *argv[], const struct option *extra_options,
                    const char *extra_shortopts, int (*extra)(int c, const char *arg, void *userdata),
                    void *userdata, void (*help)(FILE *f), unsigned types, ResourceRef *ret);
