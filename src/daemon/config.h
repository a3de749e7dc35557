/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* kukeond's configuration: the ServerConfiguration document (/etc/kukeon/kukeond.yaml) with
 * command line flag > environment > file > built-in default, field by field. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"

#define CONFIG_FILE_DEFAULT "/etc/kukeon/kukeond.yaml"
#define CONTAINERD_SOCKET_DEFAULT "/run/containerd/containerd.sock"
#define RECONCILE_INTERVAL_DEFAULT "30s"

typedef struct Config {
        char *config_file;       /* --config, $KUKEOND_CONFIG */
        char *run_path;          /* --run-path, $KUKEON_RUN_PATH, runPath */
        char *socket;            /* --socket, $KUKEON_SOCKET, socket */
        int64_t socket_gid;      /* socketGID (-1: unset) */
        char *containerd_socket; /* --containerd-socket, $KUKEON_CONTAINERD_SOCKET, containerdSocket */
        char *log_level;         /* --log-level, $KUKEON_LOG_LEVEL, logLevel */
        char *cni_conf_dir;      /* --cni-conf-dir, $KUKEON_CNI_CONF_DIR, cniConfDir */
        char *cni_bin_dir;       /* --cni-bin-dir, $KUKEON_CNI_BIN_DIR, cniBinDir */
        char *namespace_suffix;  /* --containerd-namespace-suffix, $KUKEON_CONTAINERD_NAMESPACE_SUFFIX */
        char *bus_address;       /* --bus-address: serve and reach PID 1 on this bus (tests) */
        uint64_t reconcile_interval_usec; /* reconcileInterval, $KUKEON_RECONCILE_INTERVAL (30s; 0: off) */
        int peer_fd;             /* --peer-fd: serve one peer connection, then exit (-1: none) */
        bool help, version;
} Config;

void config_done(Config *c);

/* Parses the command line, then fills every field not given there from the environment, the
 * configuration file and the defaults. Returns 0, or -EINVAL with *ret_error saying what is
 * wrong (an unknown flag, a bad value, a configuration file that does not parse). A missing
 * configuration file at the default path is fine; one named explicitly must exist. */
int config_load(Config *c, int argc, char *argv[], char **ret_error);

void config_help(FILE *f);
