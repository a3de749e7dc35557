/* SPDX-License-Identifier: Apache-2.0 */
/* kukeon-logger-uri: print the stdio URI logger_uri_build() makes, for
 * tests/integration/container-logs (which hands it to `ctr run --log-uri`, so containerd's own
 * URI parser reads what kukeond will send). A test program; not installed.
 *
 *   kukeon-logger-uri [--driver PATH] REALM SPACE STACK CELL CONTAINER */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logger-uri.h"
#include "macro.h"

int main(int argc, char *argv[]) {
        _cleanup_free_ char *uri = NULL;
        const char *driver = NULL;
        int i = 1, r;

        if (argc > 2 && streq(argv[1], "--driver")) {
                driver = argv[2];
                i = 3;
        }
        if (argc - i != 5) {
                fprintf(stderr, "usage: %s [--driver PATH] REALM SPACE STACK CELL CONTAINER\n", argv[0]);
                return 2;
        }

        r = logger_uri_build(driver, &(LoggerTarget) {
                .realm = argv[i],
                .space = argv[i + 1],
                .stack = argv[i + 2],
                .cell = argv[i + 3],
                .container = argv[i + 4],
        }, &uri);
        if (r < 0) {
                fprintf(stderr, "%s: cannot build the URI: %s\n", argv[0], strerror(-r));
                return 1;
        }
        puts(uri);
        return 0;
}
