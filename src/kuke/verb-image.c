/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-cli.h"
#include "kuke.h"
#include "name.h"
#include "strv.h"
#include "table.h"

/* kuke image load|rm, and the listing behind `kuke get images`: the Manager's LoadImage,
 * DeleteImage and ListImages (docs/dbus-api.md "Images"). The archive travels as a file
 * descriptor kuke opened (or its stdin): kukeond never opens a path of ours. */

/* A load streams the whole archive into containerd before the reply: far longer than the
 * other calls may take. */
#define IMAGE_LOAD_TIMEOUT_USEC (UINT64_C(3600) * 1000 * 1000)

static void help(FILE *f) {
        fputs("Usage: kuke image load [OPTIONS…] FILE|-\n"
              "       kuke image rm [OPTIONS…] REFERENCE…\n"
              "       kuke get images [OPTIONS…]\n"
              "\n"
              "Loads images into a realm's containerd namespace from an OCI image layout or docker\n"
              "archive tarball (docker save, plain or compressed), read from FILE or, with -, from\n"
              "stdin; prints the reference of each image loaded. rm removes images by reference\n"
              "(\"busybox\" is docker.io/library/busybox:latest). kuke get images lists them:\n"
              "REFERENCE DIGEST SIZE.\n"
              "\n"
              "Options:\n"
              "      --realm NAME        the realm (default: " DEFAULT_REALM ")\n" CONNECT_OPTIONS_HELP
              "  -h, --help              show this help\n"
              "\n"
              "The archive is passed to kukeond as a file descriptor: -H over ssh cannot carry one\n"
              "(copy the file to that host and run kuke image load there).\n",
              f);
}

static int check_realm(const char *realm) {
        ResourceRef ref = { .type = RESOURCE_REALM, .realm = realm };
        return check_ref_or_complain(&ref, true);
}

/* The realm option and the connection options; returns 0, 1 (error printed) or 2 (help
 * printed). 'extra' is the verb's own flag (--no-trunc), NULL for none. */
static int parse_args(const char *what, int argc, char *argv[], const char **realm, bool *extra) {
        static const struct option options[] = {
                { "realm", required_argument, NULL, ARG_REALM },
                { "no-trunc", no_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },
                CONNECT_OPTIONS,
                {},
        };
        int opt, r;

        *realm = DEFAULT_REALM;
        optind = 0;
        while ((opt = getopt_long(argc, argv, "h" CONNECT_SHORTOPTS, options, NULL)) >= 0) {
                r = connect_option(opt, optarg);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                switch (opt) {
                case ARG_REALM:
                        *realm = optarg;
                        break;
                case 'T':
                        if (!extra)
                                return error("unknown option --no-trunc (see 'kuke %s --help')", what);
                        *extra = true;
                        break;
                case 'h':
                        help(stdout);
                        return 2;
                default:
                        return error("invalid arguments (see 'kuke %s --help')", what);
                }
        }
        return check_realm(*realm);
}

static int open_archive(const char *path, int *ret) {
        struct stat st;
        int fd;

        if (streq(path, "-")) {
                if (isatty(STDIN_FILENO))
                        return error("stdin is a terminal: pipe an image archive into kuke image load -, or name a file");
                fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return error("cannot use stdin: %s", strerror(errno));
        } else {
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return error("cannot open %s: %s", path, strerror(errno));
        }
        if (fstat(fd, &st) < 0) {
                int k = errno;
                (void) close(fd);
                return error("cannot stat %s: %s", path, strerror(k));
        }
        if (S_ISDIR(st.st_mode)) {
                (void) close(fd);
                return error("%s is a directory, not an image archive (pack an OCI layout with tar -C DIR -cf FILE .)", path);
        }
        *ret = fd;
        return 0;
}

static int image_load(int argc, char *argv[]) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_close_ int fd = -EBADF;
        ResourceRef ref = { .type = RESOURCE_REALM };
        int r;

        r = parse_args("image load", argc, argv, &ref.realm, NULL);
        if (r != 0)
                return r == 2 ? 0 : 1;
        /* argv[0] is "load", getopt's program name: the operands start at optind */
        if (optind >= argc)
                return error("no archive given: kuke image load FILE (or - for stdin)");
        if (optind + 1 < argc)
                return error("unexpected argument \"%s\": kuke image load takes one archive", argv[optind + 1]);
        const char *path = argv[optind];
        if (open_archive(path, &fd) != 0)
                return 1;

        if (connect_or_complain(&c) != 0)
                return 1;
        if (sd_bus_can_send(c->bus, SD_BUS_TYPE_UNIX_FD) <= 0)
                return error("this connection to kukeond cannot pass the archive (a file descriptor)%s",
                             arg_target.transport == TRANSPORT_SSH ?
                                     ": copy it to that host and run kuke image load there" : "");
        r = bus_client_new_manager_call(c, "LoadImage", &ref, &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ht", fd, UINT64_C(0));
        if (r >= 0)
                r = sd_bus_call(c->bus, m, IMAGE_LOAD_TIMEOUT_USEC, &e, &reply);
        if (r < 0)
                return error_bus(&e, r, &ref);

        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        for (;;) {
                const char *name, *digest;
                if (r >= 0)
                        r = sd_bus_message_read(reply, "(ss)", &name, &digest);
                if (r <= 0)
                        break;
                printf("%s\n", name);
        }
        if (r < 0)
                return error("cannot read the reply of LoadImage: %s", strerror(-r));
        return 0;
}

static int image_rm(int argc, char *argv[]) {
        _cleanup_(client_freep) BusClient *c = NULL;
        ResourceRef ref = { .type = RESOURCE_REALM };
        int r, status = 0;

        r = parse_args("image rm", argc, argv, &ref.realm, NULL);
        if (r != 0)
                return r == 2 ? 0 : 1;
        if (optind >= argc)
                return error("no image given: kuke image rm REFERENCE…");
        if (connect_or_complain(&c) != 0)
                return 1;
        for (int i = optind; i < argc; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                r = bus_client_call_manager(c, "DeleteImage", &e, NULL, "sst", ref.realm, argv[i], UINT64_C(0));
                if (r < 0) {
                        /* the others may still go: report each, fail at the end */
                        status = error_bus(&e, r, &ref);
                        if (!sd_bus_error_has_name(&e, KUKEON_ERROR_PREFIX "NoSuchImage") &&
                            !sd_bus_error_has_name(&e, SD_BUS_ERROR_INVALID_ARGS))
                                return status;
                        continue;
                }
                printf("Image \"%s\" removed\n", argv[i]);
        }
        return status;
}

int image_get_list(const char *realm, OutputFormat output, bool full) {
        _cleanup_(client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(table_freep) Table *t = NULL;
        ResourceRef ref = { .type = RESOURCE_REALM, .realm = realm };
        int r;

        if (output != OUTPUT_DEFAULT && output != OUTPUT_NAME)
                return error("-o yaml and -o json are not supported for images (the table, or -o name)");
        if (check_realm(realm) != 0 || connect_or_complain(&c) != 0)
                return 1;
        r = bus_client_call_manager(c, "ListImages", &e, &reply, "s", realm);
        if (r < 0)
                return error_bus(&e, r, &ref);

        t = table_new("REFERENCE", "DIGEST", "SIZE", NULL);
        if (!t)
                return error("out of memory");
        r = sd_bus_message_enter_container(reply, 'a', "(sstt)");
        for (;;) {
                const char *name, *digest;
                uint64_t size, created;
                if (r >= 0)
                        r = sd_bus_message_read(reply, "(sstt)", &name, &digest, &size, &created);
                if (r <= 0)
                        break;
                if (output == OUTPUT_NAME) {
                        printf("%s\n", name);
                        continue;
                }
                _cleanup_free_ char *d = image_digest_format(digest, full), *s = image_size_format(size);
                if (!d || !s || table_add_cells(t, name, d, s) < 0)
                        return error("out of memory");
        }
        if (r < 0)
                return error("cannot read the reply of ListImages: %s", strerror(-r));
        if (output == OUTPUT_NAME)
                return 0;
        if (table_get_rows(t) == 0) {
                /* nothing on stdout: a script counting lines counts zero; a person reads why */
                fprintf(stderr, "No images in realm \"%s\".\n", realm);
                return 0;
        }
        _cleanup_free_ char *out = NULL;
        if (table_format(t, &out) < 0)
                return error("out of memory");
        fputs(out, stdout);
        return 0;
}

static int run(int argc, char *argv[]) {
        /* kuke image SUBVERB …: argv[0] is "image" */
        if (argc < 2 || argv[1][0] == '-') {
                if (argc >= 2 && STR_IN_SET(argv[1], "-h", "--help")) {
                        help(stdout);
                        return 0;
                }
                return error("no image verb given: kuke image load|rm (see 'kuke image --help')");
        }
        if (streq(argv[1], "load"))
                return image_load(argc - 1, argv + 1);
        if (STR_IN_SET(argv[1], "rm", "remove", "delete"))
                return image_rm(argc - 1, argv + 1);
        if (STR_IN_SET(argv[1], "ls", "list")) {
                const char *realm;
                bool full = false;
                int r = parse_args("image ls", argc - 1, argv + 1, &realm, &full);
                if (r != 0)
                        return r == 2 ? 0 : 1;
                if (optind < argc - 1)
                        return error("unexpected argument \"%s\" (see 'kuke image --help')", argv[1 + optind]);
                return image_get_list(realm, OUTPUT_DEFAULT, full);
        }
        return error("unknown image verb \"%s\" (expected load, rm or ls)", argv[1]);
}

const Verb verb_image = {
        .name = "image",
        .summary = "load images into a realm, remove them (kuke get images lists them)",
        .run = run,
        .help = help,
};
