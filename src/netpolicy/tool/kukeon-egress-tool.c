/* SPDX-License-Identifier: Apache-2.0 */
/* kukeon-egress-tool: drives src/netpolicy by hand and from the integration test
 * (tests/integration/egress-policy). Not installed.
 *
 *   kukeon-egress-tool [--gateway IP] [--dns IP]… print|apply|check SPACE.yaml BRIDGE
 *   kukeon-egress-tool remove BRIDGE
 *
 * SPACE.yaml is a Space manifest; its spec.network.egress is the policy. "print" shows the
 * iptables-restore input against the current table; "apply" prints what hosts resolved to. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "document.h"
#include "egress-firewall.h"
#include "egress-resolve.h"
#include "fileio.h"
#include "schema.h"
#include "strv.h"

static int usage(void) {
        fprintf(stderr, "usage: kukeon-egress-tool [--gateway IP] [--dns IP]... print|apply|check SPACE.yaml BRIDGE\n"
                        "       kukeon-egress-tool remove BRIDGE\n");
        return 2;
}

static int load_rules(const char *path, const EgressSpace *space, EgressRules **ret) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        void *obj = NULL;
        size_t size;
        int r;

        r = read_file_full(path, DOCUMENT_STREAM_MAX, &text, &size);
        if (r < 0) {
                fprintf(stderr, "cannot read %s: %s\n", path, strerror(-r));
                return r;
        }
        r = document_parse_one(text, size, KIND_SPACE, &obj, &error);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, error ?: strerror(-r));
                return r;
        }
        SpaceDoc *d = obj;
        const EgressPolicy *p = d->spec.network ? d->spec.network->egress : NULL;
        if (!p) {
                fprintf(stderr, "%s: spec.network.egress: no policy\n", path);
                schema_free(kind_schema(KIND_SPACE), obj);
                return -EINVAL;
        }
        error = mfree(error);
        r = egress_rules_build(p, space, egress_resolve_getaddrinfo, NULL, ret, &error);
        schema_free(kind_schema(KIND_SPACE), obj);
        if (r < 0)
                fprintf(stderr, "%s: %s\n", path, error ?: strerror(-r));
        return r;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "gateway", required_argument, NULL, 'g' },
                { "dns", required_argument, NULL, 'd' },
                {}
        };
        _cleanup_strv_free_ char **dns = NULL;
        EgressSpace space = {};
        Iptables ipt = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'g':
                        space.gateway = optarg;
                        break;
                case 'd':
                        if (strv_extend(&dns, optarg) < 0)
                                return 1;
                        break;
                default:
                        return usage();
                }
        space.dns_servers = dns;
        argc -= optind;
        argv += optind;
        if (argc < 1)
                return usage();

        if (streq(argv[0], "remove")) {
                _cleanup_free_ char *error = NULL;
                if (argc != 2)
                        return usage();
                r = egress_firewall_remove(&ipt, argv[1], &error);
                if (r < 0) {
                        fprintf(stderr, "remove: %s\n", error ?: strerror(-r));
                        return 1;
                }
                return 0;
        }

        if (argc != 3 || !STR_IN_SET(argv[0], "print", "apply", "check"))
                return usage();
        space.bridge = argv[2];
        _cleanup_(egress_rules_freep) EgressRules *rules = NULL;
        if (load_rules(argv[1], &space, &rules) < 0)
                return 1;

        _cleanup_free_ char *error = NULL;
        if (streq(argv[0], "print")) {
                _cleanup_free_ char *saved = NULL, *text = NULL;
                if ((r = iptables_save_filter(&ipt, &saved, &error)) < 0) {
                        fprintf(stderr, "%s\n", error ?: strerror(-r));
                        return 1;
                }
                if (egress_rules_restore_text(rules, saved, &text) < 0)
                        return 1;
                fputs(text, stdout);
                return 0;
        }
        if (streq(argv[0], "apply")) {
                r = egress_firewall_apply(&ipt, rules, &error);
                if (r < 0) {
                        fprintf(stderr, "apply: %s\n", error ?: strerror(-r));
                        return 1;
                }
                for (size_t i = 0; i < rules->n_hosts; i++) {
                        printf("resolved %s:", rules->hosts[i].host);
                        STRV_FOREACH(a, rules->hosts[i].addresses)
                                printf(" %s", *a);
                        printf("\n");
                }
                return 0;
        }
        r = egress_firewall_check(&ipt, rules, &error);
        if (r < 0) {
                fprintf(stderr, "check: %s\n", error ?: strerror(-r));
                return 1;
        }
        if (r == 0) {
                printf("drift: %s\n", strna(error));
                return 3;
        }
        printf("in place\n");
        return 0;
}
