/* SPDX-License-Identifier: Apache-2.0 */
/* kukeond: the kukeon daemon (docs/kukeond.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "log.h"
#include "manager.h"

int main(int argc, char *argv[]) {
        _cleanup_(config_done) Config config = { .peer_fd = -1, .socket_gid = -1 };
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        log_open();
        r = config_load(&config, argc, argv, &error);
        if (r < 0) {
                fprintf(stderr, "kukeond: %s\n", error ?: strerror(-r));
                return EXIT_FAILURE;
        }
        if (config.help) {
                config_help(stdout);
                return EXIT_SUCCESS;
        }
        if (config.version) {
                printf("kukeond %s\n", KUKEON_VERSION);
                return EXIT_SUCCESS;
        }
        log_set_max_level(log_level_from_string(config.log_level));

        r = manager_new(&config, &m);
        if (r < 0) {
                log_oom();
                return EXIT_FAILURE;
        }
        r = manager_startup(m);
        if (r < 0) {
                (void) sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%i", strerror(-r), -r);
                return EXIT_FAILURE;
        }
        r = manager_run(m);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return EXIT_FAILURE;
        }
        (void) sd_notify(false, "STOPPING=1");
        return EXIT_SUCCESS;
}
