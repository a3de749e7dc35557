/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "duration.h"
#include "fileio.h"
#include "log.h"
#include "v1beta1.h"

#define CONFIG_FILE_MAX (1024U * 1024U)

void config_done(Config *c) {
        free(c->config_file);
        free(c->run_path);
        free(c->socket);
        free(c->containerd_socket);
        free(c->log_level);
        free(c->cni_conf_dir);
        free(c->cni_bin_dir);
        free(c->namespace_suffix);
        free(c->bus_address);
        *c = (Config) { .peer_fd = -1, .socket_gid = -1 };
}

void config_help(FILE *f) {
        fputs("kukeond — the kukeon daemon\n"
              "\n"
              "Usage: kukeond [OPTIONS]\n"
              "\n"
              "Serves org.kukeon1 on the system bus and, when socket-activated, peer-to-peer D-Bus\n"
              "on " KUKEON_SOCKET_DIR "/kukeond.sock.\n"
              "\n"
              "  --config PATH                 ServerConfiguration file (" CONFIG_FILE_DEFAULT ")\n"
              "  --run-path PATH               state tree (" KUKEON_RUN_PATH ")\n"
              "  --socket PATH                 peer-to-peer socket path (" KUKEON_SOCKET_DIR "/kukeond.sock)\n"
              "  --containerd-socket PATH      containerd's socket (" CONTAINERD_SOCKET_DEFAULT ")\n"
              "  --log-level LEVEL             debug, info, warn or error (info)\n"
              "  --cni-conf-dir DIR            where space conflists go (/etc/cni/net.d)\n"
              "  --cni-bin-dir DIR             CNI plugins (/usr/lib/cni)\n"
              "  --containerd-namespace-suffix SUFFIX\n"
              "                                realm namespaces become <realm>.<SUFFIX>\n"
              "  --bus-address ADDRESS         serve on this bus instead of the system bus\n"
              "  --peer-fd FD                  serve one peer-to-peer connection on FD and exit\n"
              "                                when it closes (kuke --no-daemon)\n"
              "  --version                     print the version\n"
              "  -h, --help                    this help\n"
              "\n"
              "Environment: KUKEOND_CONFIG, KUKEON_RUN_PATH, KUKEON_SOCKET, KUKEON_CONTAINERD_SOCKET,\n"
              "KUKEON_LOG_LEVEL, KUKEON_CNI_CONF_DIR, KUKEON_CNI_BIN_DIR,\n"
              "KUKEON_CONTAINERD_NAMESPACE_SUFFIX, KUKEON_RECONCILE_INTERVAL (file: reconcileInterval,\n"
              "default " RECONCILE_INTERVAL_DEFAULT "; 0 turns the periodic reconcile of the cells off).\n"
              "A flag wins over the environment, which wins over the file, which wins over the default.\n",
              f);
}

/* Sets *field from the environment, then the file, then the default, unless a flag set it. */
static int fill(char **field, const char *env, const char *file_value, const char *def) {
        if (*field)
                return 0;
        const char *v = getenv(env);
        if (isempty(v))
                v = file_value;
        if (isempty(v))
                v = def;
        if (!v)
                return 0;
        *field = strdup(v);
        return *field ? 0 : -ENOMEM;
}

static int set_string(char **field, const char *v) {
        char *s = strdup(v);
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

int config_load(Config *c, int argc, char *argv[], char **ret_error) {
        enum {
                ARG_CONFIG = 0x100,
                ARG_RUN_PATH,
                ARG_SOCKET,
                ARG_CONTAINERD_SOCKET,
                ARG_LOG_LEVEL,
                ARG_CNI_CONF_DIR,
                ARG_CNI_BIN_DIR,
                ARG_SUFFIX,
                ARG_BUS_ADDRESS,
                ARG_PEER_FD,
                ARG_VERSION,
        };
        static const struct option options[] = {
                { "config", required_argument, NULL, ARG_CONFIG },
                { "run-path", required_argument, NULL, ARG_RUN_PATH },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "containerd-socket", required_argument, NULL, ARG_CONTAINERD_SOCKET },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "cni-conf-dir", required_argument, NULL, ARG_CNI_CONF_DIR },
                { "cni-bin-dir", required_argument, NULL, ARG_CNI_BIN_DIR },
                { "containerd-namespace-suffix", required_argument, NULL, ARG_SUFFIX },
                { "bus-address", required_argument, NULL, ARG_BUS_ADDRESS },
                { "peer-fd", required_argument, NULL, ARG_PEER_FD },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool config_explicit = false;
        int opt, r = 0;

        *c = (Config) { .peer_fd = -1, .socket_gid = -1 };
        *ret_error = NULL;
        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        c->help = true;
                        return 0;
                case ARG_VERSION:
                        c->version = true;
                        return 0;
                case ARG_CONFIG:
                        config_explicit = true;
                        r = set_string(&c->config_file, optarg);
                        break;
                case ARG_RUN_PATH:
                        r = set_string(&c->run_path, optarg);
                        break;
                case ARG_SOCKET:
                        r = set_string(&c->socket, optarg);
                        break;
                case ARG_CONTAINERD_SOCKET:
                        r = set_string(&c->containerd_socket, optarg);
                        break;
                case ARG_LOG_LEVEL:
                        r = set_string(&c->log_level, optarg);
                        break;
                case ARG_CNI_CONF_DIR:
                        r = set_string(&c->cni_conf_dir, optarg);
                        break;
                case ARG_CNI_BIN_DIR:
                        r = set_string(&c->cni_bin_dir, optarg);
                        break;
                case ARG_SUFFIX:
                        r = set_string(&c->namespace_suffix, optarg);
                        break;
                case ARG_BUS_ADDRESS:
                        r = set_string(&c->bus_address, optarg);
                        break;
                case ARG_PEER_FD: {
                        char *end;
                        errno = 0;
                        long fd = strtol(optarg, &end, 10);
                        if (errno != 0 || *end || end == optarg || fd < 0 || fd > INT_MAX) {
                                if (asprintf(ret_error, "--peer-fd: \"%s\" is not a file descriptor number", optarg) < 0)
                                        return -ENOMEM;
                                return -EINVAL;
                        }
                        c->peer_fd = (int) fd;
                        break;
                }
                case '?':
                default:
                        if (asprintf(ret_error, "unknown or incomplete option \"%s\" (see kukeond --help)",
                                     argv[optind - 1]) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc) {
                if (asprintf(ret_error, "unexpected argument \"%s\" (see kukeond --help)", argv[optind]) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        if (!c->config_file) {
                const char *e = getenv("KUKEOND_CONFIG");
                config_explicit = !isempty(e);
                r = set_string(&c->config_file, isempty(e) ? CONFIG_FILE_DEFAULT : e);
                if (r < 0)
                        return r;
        }

        /* The file: a ServerConfiguration document, decoded with the model's codec. */
        ServerConfigurationDoc *doc = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size;
        r = read_file_full(c->config_file, CONFIG_FILE_MAX, &text, &size);
        if (r == -ENOENT && !config_explicit)
                r = 0;
        else if (r < 0) {
                if (asprintf(ret_error, "cannot read configuration file %s: %s", c->config_file, strerror(-r)) < 0)
                        return -ENOMEM;
                return -EINVAL;
        } else {
                _cleanup_free_ char *error = NULL;
                void *obj = NULL;
                r = document_parse_one(text, size, KIND_SERVER_CONFIGURATION, &obj, &error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (asprintf(ret_error, "%s: %s", c->config_file, error ?: strerror(-r)) < 0)
                                return -ENOMEM;
                        return -EINVAL;
                }
                doc = obj;
        }
        const ServerConfigurationSpec *f = doc ? &doc->spec : &(ServerConfigurationSpec) {};

        if ((r = fill(&c->run_path, "KUKEON_RUN_PATH", f->run_path, KUKEON_RUN_PATH)) < 0 ||
            (r = fill(&c->socket, "KUKEON_SOCKET", f->socket, KUKEON_SOCKET_DIR "/kukeond.sock")) < 0 ||
            (r = fill(&c->containerd_socket, "KUKEON_CONTAINERD_SOCKET", f->containerd_socket,
                      CONTAINERD_SOCKET_DEFAULT)) < 0 ||
            (r = fill(&c->log_level, "KUKEON_LOG_LEVEL", f->log_level, "info")) < 0 ||
            (r = fill(&c->cni_conf_dir, "KUKEON_CNI_CONF_DIR", f->cni_conf_dir, "/etc/cni/net.d")) < 0 ||
            (r = fill(&c->cni_bin_dir, "KUKEON_CNI_BIN_DIR", f->cni_bin_dir, "/usr/lib/cni")) < 0 ||
            (r = fill(&c->namespace_suffix, "KUKEON_CONTAINERD_NAMESPACE_SUFFIX", f->containerd_namespace_suffix,
                      NULL)) < 0) {
                schema_free(&server_configuration_doc_schema, doc);
                return r;
        }
        if (doc && doc->spec.socket_gid > 0)
                c->socket_gid = doc->spec.socket_gid;
        /* the cells' periodic reconcile; zero or negative turns it off (schema 002) */
        _cleanup_free_ char *interval = NULL;
        r = fill(&interval, "KUKEON_RECONCILE_INTERVAL", f->reconcile_interval, RECONCILE_INTERVAL_DEFAULT);
        schema_free(&server_configuration_doc_schema, doc);
        if (r < 0)
                return r;
        int64_t usec;
        if (duration_parse(interval, &usec) < 0) {
                if (asprintf(ret_error, "invalid reconcile interval \"%s\" (a duration like 30s or 1m; 0 turns it off)",
                             interval) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        c->reconcile_interval_usec = usec > 0 ? (uint64_t) usec : 0;

        if (log_level_from_string(c->log_level) < 0) {
                if (asprintf(ret_error, "invalid log level \"%s\" (debug, info, warn or error)", c->log_level) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if (c->run_path[0] != '/') {
                if (asprintf(ret_error, "run path \"%s\" is not absolute", c->run_path) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        if (c->cni_conf_dir[0] != '/') {
                if (asprintf(ret_error, "CNI configuration directory \"%s\" is not absolute", c->cni_conf_dir) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }
        return 0;
}
