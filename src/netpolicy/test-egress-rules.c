/* SPDX-License-Identifier: Apache-2.0 */
/* Golden tests of the iptables text built from egress policies (egress-rules.c). The expected
 * rules are written the way iptables-save 1.8 prints them; tests/integration/egress-policy
 * checks the same against the real iptables. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bridge-name.h"
#include "egress-rules.h"
#include "strv.h"
#include "tests.h"

#define BR "k-1a2b3c4d"
#define CH "KUKEON-EGRESS-k-1a2b3c4d"

/* A fake resolver: a few fixed names, answers out of order and with duplicates. */
static int fake_resolve(const char *host, char ***ret, char **ret_error, void *userdata) {
        unsigned *calls = userdata;
        if (calls)
                (*calls)++;
        if (streq(host, "api.example.com")) {
                char **l = NULL;
                ASSERT_OK(strv_extend(&l, "203.0.113.9"));
                ASSERT_OK(strv_extend(&l, "198.51.100.4"));
                ASSERT_OK(strv_extend(&l, "203.0.113.9"));
                *ret = l;
                return 0;
        }
        if (streq(host, "v6only.example.com")) {
                *ret = NULL;
                return 0;
        }
        if (streq(host, "weird.example.com")) {
                char **l = NULL;
                ASSERT_OK(strv_extend(&l, "2001:db8::1"));
                *ret = l;
                return 0;
        }
        if (streq(host, "dnsdown.example.com")) {
                *ret_error = strdup("Temporary failure in name resolution");
                return -EAGAIN;
        }
        *ret_error = strdup("Name or service not known");
        return -ENXIO;
}

static unsigned no_calls;

static int must_not_resolve(const char *host, char ***ret, char **ret_error, void *userdata) {
        no_calls++;
        return -EIO;
}

static const EgressSpace space = { .bridge = BR, .gateway = "10.88.3.1" };

static char *build_text(const EgressPolicy *p, const EgressSpace *s, const char *saved) {
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        _cleanup_free_ char *error = NULL;
        char *text = NULL;
        int k = egress_rules_build(p, s, fake_resolve, NULL, &r, &error);
        if (k < 0)
                fprintf(stderr, "build failed: %s\n", strna(error));
        ASSERT_OK(k);
        ASSERT_NULL(error);
        ASSERT_OK(egress_rules_restore_text(r, saved, &text));
        return text;
}

/* Builds p and expects failure 'err' with exactly 'message'. */
static void expect_error(const EgressPolicy *p, const EgressSpace *s, int err, const char *message) {
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        _cleanup_free_ char *error = NULL;
        int k = egress_rules_build(p, s, fake_resolve, NULL, &r, &error);
        if (k != -err || !streq_ptr(error, message))
                fprintf(stderr, "got %d \"%s\", expected %d \"%s\"\n", k, strna(error), -err, message);
        ASSERT_EQ(k, -err);
        ASSERT_NULL(r);
        ASSERT_STREQ(error, message);
}

static void test_chain_name(void) {
        char bridge[BRIDGE_NAME_LENGTH + 1];
        _cleanup_free_ char *c = NULL;

        /* every kukeon bridge names a chain inside the 28-byte limit */
        ASSERT_OK(bridge_name_format("a-realm-with-a-long-name-of-sixty-three-characters-xxxxxxxxxxxx", "s", bridge));
        ASSERT_OK(egress_chain_name(bridge, &c));
        ASSERT_EQ(strlen(c), 24);
        ASSERT_TRUE(strlen(c) <= EGRESS_CHAIN_MAX);
        ASSERT_EQ(strncmp(c, "KUKEON-EGRESS-k-", 16), 0);
        c = mfree(c);

        ASSERT_OK(egress_chain_name("br0_x.y-1234ab", &c)); /* 14: the longest that fits */
        ASSERT_EQ(strlen(c), EGRESS_CHAIN_MAX);
        ASSERT_ERROR(egress_chain_name("br0_x.y-1234abc", &c), EINVAL);
        ASSERT_ERROR(egress_chain_name("", &c), EINVAL);
        ASSERT_ERROR(egress_chain_name(NULL, &c), EINVAL);
        ASSERT_ERROR(egress_chain_name("-j", &c), EINVAL);
        ASSERT_ERROR(egress_chain_name("k 1", &c), EINVAL);
        ASSERT_ERROR(egress_chain_name("k\n1", &c), EINVAL);
        ASSERT_ERROR(egress_chain_name("k\"1", &c), EINVAL);
}

static void test_parse_cidr(void) {
        uint32_t n;
        unsigned p;

        ASSERT_OK(egress_parse_ipv4_cidr("10.1.2.3/8", &n, &p));
        ASSERT_EQ(n, 0x0a000000);
        ASSERT_EQ(p, 8);
        ASSERT_OK(egress_parse_ipv4_cidr("192.0.2.7", &n, &p));
        ASSERT_EQ(n, 0xc0000207);
        ASSERT_EQ(p, 32);
        ASSERT_OK(egress_parse_ipv4_cidr("0.0.0.0/0", &n, &p));
        ASSERT_EQ(n, 0);
        ASSERT_EQ(p, 0);
        ASSERT_OK(egress_parse_ipv4_cidr("1.2.3.4/0", &n, &p));
        ASSERT_EQ(n, 0);
        ASSERT_OK(egress_parse_ipv4_cidr("255.255.255.255/32", &n, &p));
        ASSERT_EQ(n, 0xffffffff);

        const char *bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8",
                              "10.0.0.0/8 ", "10.0.0/8", "300.0.0.0/8", "10.0.0.0/0x8", "10.0.0.0/008", "ten/8",
                              "10.0.0.0/8/8", " 10.0.0.0/8" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (egress_parse_ipv4_cidr(bad[i], NULL, NULL) != -EINVAL)
                        fprintf(stderr, "accepted \"%s\"\n", bad[i]);
                ASSERT_ERROR(egress_parse_ipv4_cidr(bad[i], NULL, NULL), EINVAL);
        }
        ASSERT_ERROR(egress_parse_ipv4_cidr("fd00::/8", NULL, NULL), EAFNOSUPPORT);
        ASSERT_ERROR(egress_parse_ipv4_cidr("::1", NULL, NULL), EAFNOSUPPORT);
}

static void test_deny_golden(void) {
        int64_t web[] = { 443, 80, 443 };
        int64_t ssh[] = { 22 };
        EgressAllowRule allow[] = {
                { .cidr = (char *) "10.1.2.3/8" },                                /* host bits cleared */
                { .cidr = (char *) "192.0.2.7", .ports = ssh, .n_ports = 1 },     /* no prefix: /32 */
                { .host = (char *) "api.example.com", .ports = web, .n_ports = 3 }, /* sorted, unique */
                { .cidr = (char *) "0.0.0.0/0", .ports = ssh, .n_ports = 1 },     /* anywhere: no -d */
        };
        EgressPolicy p = { .default_ = (char *) "deny", .allow = allow, .n_allow = ELEMENTSOF(allow) };
        char *dns[] = { (char *) "10.88.3.1", (char *) "192.0.2.53", NULL };
        EgressSpace s = space;
        s.dns_servers = dns;

        _cleanup_free_ char *text = build_text(&p, &s, NULL);
        ASSERT_STREQ(text,
                     "*filter\n"
                     ":" CH " - [0:0]\n"
                     "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
                     "-A " CH " -d 10.88.3.1/32 -p udp -m udp --dport 53 -j RETURN\n"
                     "-A " CH " -d 10.88.3.1/32 -p tcp -m tcp --dport 53 -j RETURN\n"
                     "-A " CH " -d 192.0.2.53/32 -p udp -m udp --dport 53 -j RETURN\n"
                     "-A " CH " -d 192.0.2.53/32 -p tcp -m tcp --dport 53 -j RETURN\n"
                     "-A " CH " -d 10.0.0.0/8 -j RETURN\n"
                     "-A " CH " -d 192.0.2.7/32 -p tcp -m tcp --dport 22 -j RETURN\n"
                     "-A " CH " -d 198.51.100.4/32 -p tcp -m tcp --dport 443 -j RETURN\n"
                     "-A " CH " -d 198.51.100.4/32 -p tcp -m tcp --dport 80 -j RETURN\n"
                     "-A " CH " -d 203.0.113.9/32 -p tcp -m tcp --dport 443 -j RETURN\n"
                     "-A " CH " -d 203.0.113.9/32 -p tcp -m tcp --dport 80 -j RETURN\n"
                     "-A " CH " -p tcp -m tcp --dport 22 -j RETURN\n"
                     "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
                     "-I INPUT 1 -i " BR " -j " CH "\n"
                     "-I FORWARD 1 -i " BR " ! -o " BR " -j " CH "\n"
                     "COMMIT\n");

        /* what the hosts resolved to is recorded */
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        ASSERT_OK(egress_rules_build(&p, &s, fake_resolve, NULL, &r, NULL));
        ASSERT_EQ(r->n_hosts, 1);
        ASSERT_STREQ(r->hosts[0].host, "api.example.com");
        ASSERT_EQ(strv_length(r->hosts[0].addresses), 2);
        ASSERT_STREQ(r->hosts[0].addresses[0], "198.51.100.4");
        ASSERT_STREQ(r->hosts[0].addresses[1], "203.0.113.9");
        ASSERT_STREQ(r->chain, CH);
        ASSERT_STREQ(r->bridge, BR);
}

static void test_deny_all_golden(void) {
        EgressPolicy p = { .default_ = (char *) "deny" };
        EgressSpace s = { .bridge = BR }; /* no gateway: no DNS rule */
        _cleanup_free_ char *text = build_text(&p, &s, "");
        ASSERT_STREQ(text,
                     "*filter\n"
                     ":" CH " - [0:0]\n"
                     "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
                     "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
                     "-I INPUT 1 -i " BR " -j " CH "\n"
                     "-I FORWARD 1 -i " BR " ! -o " BR " -j " CH "\n"
                     "COMMIT\n");
}

static void test_allow_golden(void) {
        /* default allow: an empty chain whatever the rules say, and no name lookups */
        EgressAllowRule allow[] = { { .host = (char *) "unresolvable.example.com" }, { .cidr = (char *) "10.0.0.0/8" } };
        EgressPolicy p = { .default_ = (char *) "allow", .allow = allow, .n_allow = 2 };
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        _cleanup_free_ char *text = NULL;

        no_calls = 0;
        ASSERT_OK(egress_rules_build(&p, &space, must_not_resolve, NULL, &r, NULL));
        ASSERT_EQ(no_calls, 0);
        ASSERT_EQ(strv_length(r->rules), 0);
        ASSERT_EQ(r->n_hosts, 0);
        ASSERT_OK(egress_rules_restore_text(r, NULL, &text));
        ASSERT_STREQ(text,
                     "*filter\n"
                     ":" CH " - [0:0]\n"
                     "-I INPUT 1 -i " BR " -j " CH "\n"
                     "-I FORWARD 1 -i " BR " ! -o " BR " -j " CH "\n"
                     "COMMIT\n");
}

static void test_invalid(void) {
        int64_t p0[] = { 0 }, p65536[] = { 80, 65536 }, pneg[] = { -1 };
        EgressAllowRule both = { .host = (char *) "a.example.com", .cidr = (char *) "10.0.0.0/8" };
        EgressAllowRule neither = { .ports = p0, .n_ports = 0 };
        EgressAllowRule port0 = { .cidr = (char *) "10.0.0.0/8", .ports = p0, .n_ports = 1 };
        EgressAllowRule port65536 = { .cidr = (char *) "10.0.0.0/8", .ports = p65536, .n_ports = 2 };
        EgressAllowRule portneg = { .host = (char *) "api.example.com", .ports = pneg, .n_ports = 1 };
        EgressAllowRule badcidr = { .cidr = (char *) "10.0.0.0/33" };
        EgressAllowRule badcidr2 = { .cidr = (char *) "10.0.0/8" };
        EgressAllowRule v6 = { .cidr = (char *) "fd00::/8" };
        EgressAllowRule badhost = { .host = (char *) "a b;-j ACCEPT" };
        EgressAllowRule unknown = { .host = (char *) "nowhere.example.com" };
        EgressAllowRule v6only = { .host = (char *) "v6only.example.com" };
        EgressAllowRule weird = { .host = (char *) "weird.example.com" };
        EgressAllowRule good = { .cidr = (char *) "10.0.0.0/8" };
        EgressAllowRule two[] = { good, both };

#define POLICY(d, ...) (&(EgressPolicy) { .default_ = (char *) d, .allow = (EgressAllowRule[]) { __VA_ARGS__ }, .n_allow = 1 })
        expect_error(POLICY("deny", both), &space, EINVAL,
                     "spec.network.egress.allow[0]: an allow rule needs exactly one of host and cidr");
        expect_error(POLICY("allow", neither), &space, EINVAL,
                     "spec.network.egress.allow[0]: an allow rule needs exactly one of host and cidr");
        expect_error(&(EgressPolicy) { .default_ = (char *) "deny", .allow = two, .n_allow = 2 }, &space, EINVAL,
                     "spec.network.egress.allow[1]: an allow rule needs exactly one of host and cidr");
        expect_error(POLICY("deny", port0), &space, EINVAL,
                     "spec.network.egress.allow[0].ports[0]: port 0 is out of range (1-65535)");
        expect_error(POLICY("deny", port65536), &space, EINVAL,
                     "spec.network.egress.allow[0].ports[1]: port 65536 is out of range (1-65535)");
        expect_error(POLICY("allow", portneg), &space, EINVAL,
                     "spec.network.egress.allow[0].ports[0]: port -1 is out of range (1-65535)");
        expect_error(POLICY("deny", badcidr), &space, EINVAL,
                     "spec.network.egress.allow[0].cidr: expected a CIDR like 10.0.0.0/8, got \"10.0.0.0/33\"");
        expect_error(POLICY("deny", badcidr2), &space, EINVAL,
                     "spec.network.egress.allow[0].cidr: expected a CIDR like 10.0.0.0/8, got \"10.0.0/8\"");
        expect_error(POLICY("deny", v6), &space, EAFNOSUPPORT,
                     "spec.network.egress.allow[0].cidr: \"fd00::/8\" is IPv6, but space networks are IPv4 only");
        expect_error(POLICY("deny", badhost), &space, EINVAL,
                     "spec.network.egress.allow[0].host: \"a b;-j ACCEPT\" is not a valid host name");
        expect_error(POLICY("deny", unknown), &space, ENXIO,
                     "spec.network.egress.allow[0].host: cannot resolve \"nowhere.example.com\": Name or service not known");
        expect_error(POLICY("deny", v6only), &space, EADDRNOTAVAIL,
                     "spec.network.egress.allow[0].host: \"v6only.example.com\" has no IPv4 address");
        expect_error(POLICY("deny", weird), &space, EINVAL,
                     "spec.network.egress.allow[0].host: \"weird.example.com\" resolved to \"2001:db8::1\", not an IPv4 address");
        expect_error(POLICY("block", good), &space, EINVAL, "spec.network.egress.default: expected allow or deny, got \"block\"");
        expect_error(&(EgressPolicy) {}, &space, EINVAL, "spec.network.egress.default: expected allow or deny, got \"\"");
        expect_error(NULL, &space, EINVAL, "spec.network.egress: no policy to build rules from");
        expect_error(POLICY("deny", good), &(EgressSpace) { .bridge = "k-1a2b3c4d-and-more" }, EINVAL,
                     "bridge name \"k-1a2b3c4d-and-more\" cannot name an iptables chain (at most 14 characters of [A-Za-z0-9_.-])");
        expect_error(POLICY("deny", good), &(EgressSpace) { .bridge = BR, .gateway = "10.88.3" }, EINVAL,
                     "gateway \"10.88.3\" is not an IPv4 address");
        expect_error(POLICY("deny", good), &(EgressSpace) { .bridge = BR, .dns_servers = (char *[]) { (char *) "::1", NULL } },
                     EINVAL, "DNS server \"::1\" is not an IPv4 address");
#undef POLICY
}

/* A table as iptables-save prints it with another tool's rules around ours. */
#define SAVED_HEAD                                                              \
        "# Generated by iptables-save v1.8.9 (nf_tables) on Mon Nov 23 10:00:00 2026\n" \
        "*filter\n"                                                             \
        ":INPUT ACCEPT [0:0]\n"                                                 \
        ":FORWARD DROP [0:0]\n"                                                 \
        ":OUTPUT ACCEPT [0:0]\n"                                                \
        ":DOCKER-USER - [0:0]\n"

static void test_restore_idempotent(void) {
        EgressPolicy p = { .default_ = (char *) "deny" };
        EgressSpace s = { .bridge = BR };

        /* everything in place: the chain is rewritten, no jump inserted again */
        const char *saved = SAVED_HEAD
                ":" CH " - [0:0]\n"
                "-A INPUT -i " BR " -j " CH "\n"
                "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                "-A FORWARD -j DOCKER-USER\n"
                "-A " CH " -j RETURN\n"
                "COMMIT\n"
                "# Completed on Mon Nov 23 10:00:00 2026\n";
        _cleanup_free_ char *text = build_text(&p, &s, saved);
        ASSERT_STREQ(text,
                     "*filter\n"
                     ":" CH " - [0:0]\n"
                     "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
                     "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
                     "COMMIT\n");

        /* a duplicate jump, a stale jump (another shape, in OUTPUT) and a goto are deleted; the
         * missing INPUT jump inserted; the other bridge's chain with a similar name left alone */
        const char *messy = SAVED_HEAD
                ":" CH " - [0:0]\n"
                ":" CH "0 - [0:0]\n"
                "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                "-A FORWARD -i " BR " -j " CH "0\n"
                "-A OUTPUT -o " BR " -j " CH "\n"
                "-A DOCKER-USER -m comment --comment \"-j " CH "\" -g " CH "\n"
                "COMMIT\n";
        free(text);
        text = build_text(&p, &s, messy);
        ASSERT_STREQ(text,
                     "*filter\n"
                     ":" CH " - [0:0]\n"
                     "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
                     "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
                     "-D FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                     "-D OUTPUT -o " BR " -j " CH "\n"
                     "-D DOCKER-USER -m comment --comment \"-j " CH "\" -g " CH "\n"
                     "-I INPUT 1 -i " BR " -j " CH "\n"
                     "COMMIT\n");

        /* rules of other tables do not count */
        const char *nat = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -i " BR " -j " CH "\nCOMMIT\n";
        free(text);
        text = build_text(&p, &s, nat);
        ASSERT_TRUE(strstr(text, "-I INPUT 1 ") && strstr(text, "-I FORWARD 1 ") && !strstr(text, "-D "));
}

static void test_remove_text(void) {
        _cleanup_free_ char *text = NULL;

        /* nothing there: nothing to run */
        ASSERT_OK(egress_remove_restore_text(BR, NULL, &text));
        ASSERT_NULL(text);
        ASSERT_OK(egress_remove_restore_text(BR, SAVED_HEAD "-A FORWARD -j DOCKER-USER\nCOMMIT\n", &text));
        ASSERT_NULL(text);

        ASSERT_OK(egress_remove_restore_text(BR,
                                             SAVED_HEAD ":" CH " - [0:0]\n"
                                                        "-A INPUT -i " BR " -j " CH "\n"
                                                        "-A FORWARD -j DOCKER-USER\n"
                                                        "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                                                        "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
                                                        "COMMIT\n",
                                             &text));
        ASSERT_STREQ(text,
                     "*filter\n"
                     "-D INPUT -i " BR " -j " CH "\n"
                     "-D FORWARD -i " BR " ! -o " BR " -j " CH "\n"
                     ":" CH " - [0:0]\n"
                     "-X " CH "\n"
                     "COMMIT\n");
        text = mfree(text);

        /* a jump left without its chain (cannot happen in iptables, but a hand-made table
         * can say so): the jump goes, no -X of a chain that is not there */
        ASSERT_OK(egress_remove_restore_text(BR, SAVED_HEAD "-A INPUT -i " BR " -j " CH "\nCOMMIT\n", &text));
        ASSERT_STREQ(text, "*filter\n-D INPUT -i " BR " -j " CH "\nCOMMIT\n");
        text = mfree(text);

        ASSERT_ERROR(egress_remove_restore_text("bad bridge", "", &text), EINVAL);
        ASSERT_ERROR(egress_remove_restore_text("k-1a2b3c4d-too-long", "", &text), EINVAL);
}

static void test_compare(void) {
        EgressAllowRule allow[] = { { .cidr = (char *) "10.0.0.0/8" } };
        EgressPolicy p = { .default_ = (char *) "deny", .allow = allow, .n_allow = 1 };
        EgressSpace s = { .bridge = BR };
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        ASSERT_OK(egress_rules_build(&p, &s, NULL, NULL, &r, NULL));

#define RULES                                                                                   \
        "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"                      \
        "-A " CH " -d 10.0.0.0/8 -j RETURN\n"                                                   \
        "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\n"
#define JUMPS                                                                                   \
        "-A INPUT -i " BR " -j " CH "\n"                                                        \
        "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n"

        struct {
                const char *saved;
                int result;
                const char *drift;
        } cases[] = {
                { SAVED_HEAD ":" CH " - [0:0]\n" JUMPS "-A FORWARD -j DOCKER-USER\n" RULES "COMMIT\n", 1, NULL },
                /* trailing blanks and CRs do not matter */
                { SAVED_HEAD ":" CH " - [0:0]  \r\n" "-A INPUT -i " BR " -j " CH " \r\n"
                  "-A FORWARD -i " BR " ! -o " BR " -j " CH "\n" RULES "COMMIT\n", 1, NULL },
                { "", 0, "chain " CH " is missing" },
                { SAVED_HEAD JUMPS "COMMIT\n", 0, "chain " CH " is missing" },
                { SAVED_HEAD ":" CH " - [0:0]\n" JUMPS "COMMIT\n", 0,
                  "chain " CH " lacks rule 1 \"-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\"" },
                { SAVED_HEAD ":" CH " - [0:0]\n" JUMPS RULES "-A " CH " -j RETURN\nCOMMIT\n", 0,
                  "chain " CH " has an extra rule 4 \"-A " CH " -j RETURN\"" },
                { SAVED_HEAD ":" CH " - [0:0]\n" JUMPS
                  "-A " CH " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
                  "-A " CH " -d 10.0.0.0/16 -j RETURN\n"
                  "-A " CH " -j REJECT --reject-with icmp-admin-prohibited\nCOMMIT\n", 0,
                  "chain " CH " rule 2 is \"-A " CH " -d 10.0.0.0/16 -j RETURN\", expected \"-A " CH " -d 10.0.0.0/8 -j RETURN\"" },
                { SAVED_HEAD ":" CH " - [0:0]\n" "-A INPUT -i " BR " -j " CH "\n" RULES "COMMIT\n", 0,
                  "jump \"-A FORWARD -i " BR " ! -o " BR " -j " CH "\" is there 0 times, expected once" },
                { SAVED_HEAD ":" CH " - [0:0]\n" JUMPS "-A INPUT -i " BR " -j " CH "\n" RULES "COMMIT\n", 0,
                  "jump \"-A INPUT -i " BR " -j " CH "\" is there 2 times, expected once" },
                { SAVED_HEAD ":" CH " - [0:0]\n" JUMPS "-A OUTPUT -j " CH "\n" RULES "COMMIT\n", 0,
                  "unexpected rule \"-A OUTPUT -j " CH "\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *d = NULL;
                int k = egress_rules_compare(r, cases[i].saved, &d);
                if (k != cases[i].result || !streq_ptr(d, cases[i].drift))
                        fprintf(stderr, "case %zu: %d \"%s\"\n", i, k, strna(d));
                ASSERT_EQ(k, cases[i].result);
                if (cases[i].drift)
                        ASSERT_STREQ(d, cases[i].drift);
                else
                        ASSERT_NULL(d);
        }
#undef RULES
#undef JUMPS
}

/* DNS down for now: an error, or with defer_unresolved no rule for that host (the rest as
 * usual) and the host listed; a name that does not exist stays an error either way. */
static void test_defer_unresolved(void) {
        int64_t p443[] = { 443 };
        EgressAllowRule allow[] = {
                { .cidr = (char *) "10.0.0.0/8" },
                { .host = (char *) "dnsdown.example.com", .ports = p443, .n_ports = 1 },
                { .host = (char *) "api.example.com", .ports = p443, .n_ports = 1 },
        };
        EgressPolicy p = { .default_ = (char *) "deny", .allow = allow, .n_allow = ELEMENTSOF(allow) };
        EgressSpace deferring = { .bridge = BR, .gateway = "10.88.3.1", .defer_unresolved = true };
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        _cleanup_free_ char *error = NULL;

        expect_error(&p, &space, EAGAIN,
                     "spec.network.egress.allow[1].host: cannot resolve \"dnsdown.example.com\": Temporary failure in name resolution");

        ASSERT_OK(egress_rules_build(&p, &deferring, fake_resolve, NULL, &r, &error));
        ASSERT_NULL(error);
        ASSERT_EQ(strv_length(r->unresolved), 1);
        ASSERT_STREQ(r->unresolved[0],
                     "spec.network.egress.allow[1].host: cannot resolve \"dnsdown.example.com\" for now: Temporary failure in name resolution");
        ASSERT_EQ(r->n_hosts, 1);
        ASSERT_STREQ(r->hosts[0].host, "api.example.com");
        /* conntrack, DNS udp+tcp, the CIDR, two addresses of api.example.com, REJECT */
        ASSERT_EQ(strv_length(r->rules), 7);
        ASSERT_STREQ(r->rules[3], "-A " CH " -d 10.0.0.0/8 -j RETURN");
        ASSERT_STREQ(r->rules[6], "-A " CH " -j REJECT --reject-with icmp-admin-prohibited");
        STRV_FOREACH(l, r->rules)
                ASSERT_NULL(strstr(*l, "dnsdown"));

        EgressAllowRule unknown[] = { { .host = (char *) "nowhere.example.com" } };
        expect_error(&(EgressPolicy) { .default_ = (char *) "deny", .allow = unknown, .n_allow = 1 }, &deferring, ENXIO,
                     "spec.network.egress.allow[0].host: cannot resolve \"nowhere.example.com\": Name or service not known");
}

#define NAT "KUKEON-NAT-k-1a2b3c4d"
#define NAT_RULE "-A " NAT " -s 10.88.9.0/24 ! -o " BR " -j MASQUERADE"
#define NAT_JUMP "-A POSTROUTING -j " NAT

static void test_nat(void) {
        _cleanup_(nat_rules_done) NatRules n = {};
        _cleanup_free_ char *text = NULL, *chain = NULL;

        ASSERT_OK(nat_chain_name(BR, &chain));
        ASSERT_STREQ(chain, NAT);
        ASSERT_ERROR(nat_chain_name("-x", &chain), EINVAL);
        ASSERT_ERROR(nat_chain_name("k-1a2b3c4d-toolong", &chain), EINVAL);
        ASSERT_ERROR(nat_rules_build(BR, "10.88.9.0/33", NULL, &n), EINVAL);
        ASSERT_ERROR(nat_rules_build(BR, "fd00::/64", NULL, &n), EAFNOSUPPORT);
        ASSERT_ERROR(nat_rules_build("a b", "10.88.9.0/24", NULL, &n), EINVAL);

        /* host bits are cleared: the rule is written as iptables-save prints it */
        ASSERT_OK(nat_rules_build(BR, "10.88.9.7/24", "r-s", &n));
        ASSERT_STREQ(n.chain, NAT);
        ASSERT_STREQ(n.rule, NAT_RULE);
        ASSERT_STREQ(n.jump, NAT_JUMP);

        /* an empty nat table: the chain, its rule and the jump */
        const char *empty = "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";
        ASSERT_OK(nat_rules_restore_text(&n, empty, &text));
        ASSERT_STREQ(text, "*nat\n:" NAT " - [0:0]\n" NAT_RULE "\n" NAT_JUMP "\nCOMMIT\n");
        text = mfree(text);

        /* in place (a filter section with the same names does not count): nothing to run */
        const char *placed = "*filter\n:" NAT " - [0:0]\n-A FORWARD -j " NAT "\nCOMMIT\n"
                             "*nat\n:POSTROUTING ACCEPT [0:0]\n:" NAT " - [0:0]\n" NAT_JUMP "\n" NAT_RULE "\nCOMMIT\n";
        ASSERT_OK(nat_rules_restore_text(&n, placed, &text));
        ASSERT_NULL(text);

        /* a duplicate jump and a stale rule (another subnet): replaced, the duplicate deleted */
        const char *drifted = "*nat\n:" NAT " - [0:0]\n" NAT_JUMP "\n" NAT_JUMP "\n"
                              "-A " NAT " -s 10.88.1.0/24 ! -o " BR " -j MASQUERADE\nCOMMIT\n";
        ASSERT_OK(nat_rules_restore_text(&n, drifted, &text));
        ASSERT_STREQ(text, "*nat\n:" NAT " - [0:0]\n" NAT_RULE "\n-D POSTROUTING -j " NAT "\nCOMMIT\n");
        text = mfree(text);

        /* an older kukeon's space: the bridge plugin's per-cell chains of this network go (not
         * another network's), after the rule is in */
        ASSERT_ERROR(nat_rules_build(BR, "10.88.9.0/24", "r s", &(NatRules) {}), EINVAL);
        const char *cni = "*nat\n:POSTROUTING ACCEPT [0:0]\n:" NAT " - [0:0]\n:CNI-aa11 - [0:0]\n:CNI-bb22 - [0:0]\n"
                          NAT_JUMP "\n"
                          "-A POSTROUTING -s 10.88.9.2/32 -m comment --comment \"name: \\\"r-s\\\" id: \\\"c1\\\"\" -j CNI-aa11\n"
                          "-A POSTROUTING -s 10.88.5.2/32 -m comment --comment \"name: \\\"r-s2\\\" id: \\\"c2\\\"\" -j CNI-bb22\n"
                          "-A CNI-aa11 -d 10.88.9.0/24 -j ACCEPT\n"
                          NAT_RULE "\nCOMMIT\n";
        ASSERT_OK(nat_rules_restore_text(&n, cni, &text));
        ASSERT_STREQ(text, "*nat\n:" NAT " - [0:0]\n" NAT_RULE "\n"
                           "-D POSTROUTING -s 10.88.9.2/32 -m comment --comment \"name: \\\"r-s\\\" id: \\\"c1\\\"\" -j CNI-aa11\n"
                           ":CNI-aa11 - [0:0]\n-X CNI-aa11\nCOMMIT\n");
        text = mfree(text);

        /* removal: jumps, then the chain; nothing when nothing is there */
        ASSERT_OK(nat_remove_restore_text(BR, placed, &text));
        ASSERT_STREQ(text, "*nat\n-D POSTROUTING -j " NAT "\n:" NAT " - [0:0]\n-X " NAT "\nCOMMIT\n");
        text = mfree(text);
        ASSERT_OK(nat_remove_restore_text(BR, empty, &text));
        ASSERT_NULL(text);
        ASSERT_OK(nat_remove_restore_text(BR, NULL, &text));
        ASSERT_NULL(text);
        ASSERT_ERROR(nat_remove_restore_text("", empty, &text), EINVAL);
}

TEST_MAIN(test_nat, test_chain_name, test_parse_cidr, test_deny_golden, test_deny_all_golden, test_allow_golden, test_invalid,
          test_restore_idempotent, test_remove_text, test_compare, test_defer_unresolved)
