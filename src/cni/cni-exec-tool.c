/* SPDX-License-Identifier: Apache-2.0 */
/* Test tool: runs cni_conflist_add()/del() from the command line, so the integration test
 * cni-exec can drive the real plugins inside the test machine. Not installed.
 *
 *   cni-exec-tool add|del CONFLIST-FILE NETNS-PATH CONTAINER-ID [PREV-RESULT-FILE]
 *
 * add prints the result JSON, then a line "ip=<address> gw=<gateway>". */

#include <fcntl.h>
#include <stdio.h>

#include "cni-exec.h"
#include "fileio.h"
#include "macro.h"

int main(int argc, char *argv[]) {
        if (argc < 5 || argc > 6 || (!streq(argv[1], "add") && !streq(argv[1], "del"))) {
                fprintf(stderr, "usage: cni-exec-tool add|del CONFLIST-FILE NETNS-PATH CONTAINER-ID [PREV-RESULT-FILE]\n");
                return 2;
        }
        _cleanup_free_ char *list = NULL;
        int r = read_file_full_at(AT_FDCWD, argv[2], 1024 * 1024, &list, NULL);
        if (r < 0) {
                fprintf(stderr, "cni-exec-tool: %s: %s\n", argv[2], strerror(-r));
                return 1;
        }
        const char *path = getenv("CNI_PATH");
        CniRuntime rt = { .container_id = argv[4], .netns = argv[3], .plugin_path = path };
        _cleanup_free_ char *err = NULL;

        if (streq(argv[1], "add")) {
                json_t *res = NULL;
                r = cni_conflist_add(list, &rt, &res, &err);
                if (r < 0) {
                        fprintf(stderr, "cni-exec-tool: ADD: %s\n", err ?: strerror(-r));
                        return 1;
                }
                _cleanup_free_ char *text = json_dumps(res, JSON_COMPACT);
                _cleanup_free_ char *ip = NULL, *gw = NULL;
                r = cni_result_ipv4(res, &ip, &gw);
                json_decref(res);
                printf("%s\nip=%s gw=%s\n", text, r < 0 ? "-" : ip, gw ?: "-");
                return 0;
        }

        json_t *prev = NULL;
        if (argc == 6) {
                json_error_t je;
                prev = json_load_file(argv[5], 0, &je);
                if (!prev) {
                        fprintf(stderr, "cni-exec-tool: %s: %s\n", argv[5], je.text);
                        return 1;
                }
        }
        r = cni_conflist_del(list, &rt, prev, &err);
        json_decref(prev);
        if (r < 0) {
                fprintf(stderr, "cni-exec-tool: DEL: %s\n", err ?: strerror(-r));
                return 1;
        }
        return 0;
}
