/* SPDX-License-Identifier: Apache-2.0 */
#include "egress-rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

#define FIELD "spec.network.egress"

static void egress_resolved_host_done(EgressResolvedHost *h) {
        free(h->host);
        strv_free(h->addresses);
}

EgressRules *egress_rules_free(EgressRules *r) {
        if (!r)
                return NULL;
        free(r->bridge);
        free(r->chain);
        strv_free(r->rules);
        strv_free(r->jumps);
        strv_free(r->unresolved);
        for (size_t i = 0; i < r->n_hosts; i++)
                egress_resolved_host_done(&r->hosts[i]);
        free(r->hosts);
        return mfree(r);
}

_printf_(3, 4) static int fail(char **ret_error, int error, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return error;
}

int egress_chain_name(const char *bridge, char **ret) {
        if (isempty(bridge) || !ret || strlen(bridge) > EGRESS_BRIDGE_MAX || bridge[0] == '-')
                return -EINVAL;
        /* The name goes into iptables-restore's input and into a kernel interface match:
         * nothing that could split a token or start an option. */
        for (const char *p = bridge; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return -EINVAL;
        char *c;
        if (asprintf(&c, EGRESS_CHAIN_PREFIX "%s", bridge) < 0)
                return -ENOMEM;
        *ret = c;
        return 0;
}

int egress_parse_ipv4_cidr(const char *s, uint32_t *ret_network, unsigned *ret_prefix) {
        char addr[INET_ADDRSTRLEN];
        unsigned prefix = 32;
        struct in_addr in;

        if (isempty(s))
                return -EINVAL;
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t) (slash - s) : strlen(s);
        if (memchr(s, ':', n))
                return -EAFNOSUPPORT;
        if (n == 0 || n >= sizeof addr)
                return -EINVAL;
        memcpy(addr, s, n);
        addr[n] = 0;
        if (inet_pton(AF_INET, addr, &in) != 1)
                return -EINVAL;
        if (slash) {
                /* Digits only: strtoul would take " 8", "+8" and "0x8". */
                const char *p = slash + 1;
                if (!*p || strlen(p) > 2)
                        return -EINVAL;
                prefix = 0;
                for (; *p; p++) {
                        if (!isdigit((unsigned char) *p))
                                return -EINVAL;
                        prefix = prefix * 10 + (unsigned) (*p - '0');
                }
                if (prefix > 32)
                        return -EINVAL;
        }
        uint32_t a = ntohl(in.s_addr);
        uint32_t mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
        if (ret_network)
                *ret_network = a & mask;
        if (ret_prefix)
                *ret_prefix = prefix;
        return 0;
}

static void format_ipv4(uint32_t a, char buf[static INET_ADDRSTRLEN]) {
        struct in_addr in = { .s_addr = htonl(a) };
        (void) inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* "-d 10.0.0.0/8 " as iptables-save prints it: nothing for 0.0.0.0/0. */
static int destination_match(uint32_t network, unsigned prefix, char **ret) {
        char buf[INET_ADDRSTRLEN];
        if (prefix == 0)
                *ret = strdup("");
        else {
                format_ipv4(network, buf);
                if (asprintf(ret, "-d %s/%u ", buf, prefix) < 0)
                        *ret = NULL;
        }
        return *ret ? 0 : -ENOMEM;
}

static int add_destination(EgressRules *r, const char *dest, const int64_t *ports, size_t n_ports) {
        if (n_ports == 0)
                return strv_extendf(&r->rules, "-A %s %s-j RETURN", r->chain, dest);
        for (size_t j = 0; j < n_ports; j++) {
                bool seen = false;
                for (size_t k = 0; k < j && !seen; k++)
                        seen = ports[k] == ports[j];
                if (seen)
                        continue;
                int k = strv_extendf(&r->rules, "-A %s %s-p tcp -m tcp --dport %" PRIi64 " -j RETURN", r->chain, dest, ports[j]);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int cmp_ipv4(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
        return x < y ? -1 : x > y;
}

/* Resolve one host, keep the record, add a rule per address. */
static int add_host(EgressRules *r, size_t i, const EgressAllowRule *a, egress_resolve_t resolve, void *userdata,
                    bool defer_unresolved, char **ret_error) {
        _cleanup_strv_free_ char **found = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_free_ uint32_t *addrs = NULL;
        size_t n = 0;
        int k;

        if (!resolve)
                return fail(ret_error, -EINVAL, FIELD ".allow[%zu].host: \"%s\" needs resolving but no resolver was given", i, a->host);
        k = resolve(a->host, &found, &error, userdata);
        /* DNS down for now (at boot, say): no rule for the host, which under deny only takes
         * away; the caller reports it and the next apply resolves again */
        if (k == -EAGAIN && defer_unresolved)
                return strv_extendf(&r->unresolved, FIELD ".allow[%zu].host: cannot resolve \"%s\" for now: %s", i,
                                    a->host, error ?: strerror(-k));
        if (k < 0)
                return fail(ret_error, k, FIELD ".allow[%zu].host: cannot resolve \"%s\": %s", i, a->host,
                            error ?: strerror(-k));
        if (strv_length(found) == 0)
                return fail(ret_error, -EADDRNOTAVAIL, FIELD ".allow[%zu].host: \"%s\" has no IPv4 address", i, a->host);

        addrs = new0(uint32_t, strv_length(found));
        if (!addrs)
                return -ENOMEM;
        STRV_FOREACH(s, found) {
                struct in_addr in;
                if (inet_pton(AF_INET, *s, &in) != 1)
                        return fail(ret_error, -EINVAL, FIELD ".allow[%zu].host: \"%s\" resolved to \"%s\", not an IPv4 address",
                                    i, a->host, *s);
                addrs[n++] = ntohl(in.s_addr);
        }
        /* Sorted and unique: the same answers in another order must build the same rules, or
         * every reconcile pass would see drift. */
        qsort(addrs, n, sizeof *addrs, cmp_ipv4);

        EgressResolvedHost *h = realloc(r->hosts, sizeof *h * (r->n_hosts + 1));
        if (!h)
                return -ENOMEM;
        r->hosts = h;
        h = &r->hosts[r->n_hosts];
        *h = (EgressResolvedHost) { .host = strdup(a->host) };
        if (!h->host)
                return -ENOMEM;
        r->n_hosts++;

        for (size_t j = 0; j < n; j++) {
                char buf[INET_ADDRSTRLEN], dest[INET_ADDRSTRLEN + 8];
                if (j > 0 && addrs[j] == addrs[j - 1])
                        continue;
                format_ipv4(addrs[j], buf);
                if (strv_extend(&h->addresses, buf) < 0)
                        return -ENOMEM;
                (void) snprintf(dest, sizeof dest, "-d %s/32 ", buf);
                if ((k = add_destination(r, dest, a->ports, a->n_ports)) < 0)
                        return k;
        }
        return 0;
}

static int check_host(const char *h) {
        /* A DNS name or an address literal, as manifest validation allows: it only ever goes to
         * the resolver, never into the iptables input. */
        if (strlen(h) > 253)
                return -EINVAL;
        for (; *h; h++)
                if (!isalnum((unsigned char) *h) && *h != '-' && *h != '.')
                        return -EINVAL;
        return 0;
}

static int add_dns(EgressRules *r, char ***seen, const char *server, const char *what, char **ret_error) {
        struct in_addr in;
        if (inet_pton(AF_INET, server, &in) != 1)
                return fail(ret_error, -EINVAL, "%s \"%s\" is not an IPv4 address", what, server);
        if (strv_contains(*seen, server))
                return 0;
        if (strv_extend(seen, server) < 0)
                return -ENOMEM;
        int k = strv_extendf(&r->rules, "-A %s -d %s/32 -p udp -m udp --dport 53 -j RETURN", r->chain, server);
        if (k >= 0)
                k = strv_extendf(&r->rules, "-A %s -d %s/32 -p tcp -m tcp --dport 53 -j RETURN", r->chain, server);
        return k;
}

int egress_rules_build(const EgressPolicy *policy, const EgressSpace *space, egress_resolve_t resolve,
                       void *userdata, EgressRules **ret, char **ret_error) {
        _cleanup_(egress_rules_freep) EgressRules *r = NULL;
        int k;

        if (ret_error)
                *ret_error = NULL;
        if (!ret || !space)
                return -EINVAL;
        if (!policy)
                return fail(ret_error, -EINVAL, FIELD ": no policy to build rules from");

        r = new0(EgressRules, 1);
        if (!r)
                return -ENOMEM;
        k = egress_chain_name(space->bridge, &r->chain);
        if (k == -EINVAL)
                return fail(ret_error, k, "bridge name \"%s\" cannot name an iptables chain (at most %zu characters of [A-Za-z0-9_.-])",
                            strempty(space->bridge), EGRESS_BRIDGE_MAX);
        if (k < 0)
                return k;
        r->bridge = strdup(space->bridge);
        if (!r->bridge)
                return -ENOMEM;

        bool deny;
        if (streq_ptr(policy->default_, "deny"))
                deny = true;
        else if (streq_ptr(policy->default_, "allow"))
                deny = false;
        else
                return fail(ret_error, -EINVAL, FIELD ".default: expected allow or deny, got \"%s\"", strempty(policy->default_));

        /* Check every rule first, whatever the default: a bad rule is bad even while unused. */
        for (size_t i = 0; i < policy->n_allow; i++) {
                const EgressAllowRule *a = &policy->allow[i];
                if (isempty(a->host) == isempty(a->cidr))
                        return fail(ret_error, -EINVAL, FIELD ".allow[%zu]: an allow rule needs exactly one of host and cidr", i);
                if (!isempty(a->cidr)) {
                        k = egress_parse_ipv4_cidr(a->cidr, NULL, NULL);
                        if (k == -EAFNOSUPPORT)
                                return fail(ret_error, k, FIELD ".allow[%zu].cidr: \"%s\" is IPv6, but space networks are IPv4 only", i, a->cidr);
                        if (k < 0)
                                return fail(ret_error, k, FIELD ".allow[%zu].cidr: expected a CIDR like 10.0.0.0/8, got \"%s\"", i, a->cidr);
                }
                if (!isempty(a->host) && check_host(a->host) < 0)
                        return fail(ret_error, -EINVAL, FIELD ".allow[%zu].host: \"%s\" is not a valid host name", i, a->host);
                if (a->n_ports > 0 && !a->ports)
                        return -EINVAL;
                for (size_t j = 0; j < a->n_ports; j++)
                        if (a->ports[j] < 1 || a->ports[j] > 65535)
                                return fail(ret_error, -EINVAL, FIELD ".allow[%zu].ports[%zu]: port %" PRIi64 " is out of range (1-65535)",
                                            i, j, a->ports[j]);
        }

        r->rules = new0(char *, 1);
        if (!r->rules)
                return -ENOMEM;

        if (deny) {
                _cleanup_strv_free_ char **dns = NULL;

                /* Replies to connections made into the cells (and ICMP errors about them). */
                if ((k = strv_extendf(&r->rules, "-A %s -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN", r->chain)) < 0)
                        return k;
                if (space->gateway && (k = add_dns(r, &dns, space->gateway, "gateway", ret_error)) < 0)
                        return k;
                STRV_FOREACH(s, space->dns_servers)
                        if ((k = add_dns(r, &dns, *s, "DNS server", ret_error)) < 0)
                                return k;

                for (size_t i = 0; i < policy->n_allow; i++) {
                        const EgressAllowRule *a = &policy->allow[i];
                        if (!isempty(a->host)) {
                                if ((k = add_host(r, i, a, resolve, userdata, space->defer_unresolved, ret_error)) < 0)
                                        return k;
                                continue;
                        }
                        uint32_t network;
                        unsigned prefix;
                        _cleanup_free_ char *dest = NULL;
                        if ((k = egress_parse_ipv4_cidr(a->cidr, &network, &prefix)) < 0 ||
                            (k = destination_match(network, prefix, &dest)) < 0 ||
                            (k = add_destination(r, dest, a->ports, a->n_ports)) < 0)
                                return k;
                }
                if ((k = strv_extendf(&r->rules, "-A %s -j REJECT --reject-with icmp-admin-prohibited", r->chain)) < 0)
                        return k;
        }

        /* INPUT: what the cells send to the host itself (the gateway, or any host address);
         * FORWARD: what is routed off the bridge. Bridged traffic between cells of the space
         * only shows up in FORWARD with br_netfilter, and then it goes out the same bridge. */
        if ((k = strv_extendf(&r->jumps, "-A INPUT -i %s -j %s", r->bridge, r->chain)) < 0 ||
            (k = strv_extendf(&r->jumps, "-A FORWARD -i %s ! -o %s -j %s", r->bridge, r->bridge, r->chain)) < 0)
                return k;

        *ret = TAKE_PTR(r);
        return 0;
}

/* ---- the saved table ---- */

typedef struct Saved {
        bool exists;     /* the chain is declared */
        char **rules;    /* its rules */
        char **refs;     /* rules elsewhere that jump (or go) to it */
} Saved;

static void saved_done(Saved *s) {
        strv_free(s->rules);
        strv_free(s->refs);
}

/* Whether the rule's target is 'chain': a "-j chain" or "-g chain" token pair outside quotes. */
static bool rule_targets(const char *line, const char *chain) {
        size_t n = strlen(chain);
        bool quoted = false;
        for (const char *p = line; *p; p++) {
                if (*p == '"')
                        quoted = !quoted;
                if (quoted || (p != line && p[-1] != ' '))
                        continue;
                if ((strncmp(p, "-j ", 3) == 0 || strncmp(p, "-g ", 3) == 0) && strncmp(p + 3, chain, n) == 0 &&
                    (p[3 + n] == 0 || p[3 + n] == ' '))
                        return true;
        }
        return false;
}

/* Scans the section of 'table' ("filter", "nat") of an iptables-save text for 'chain'. */
static int saved_scan_table(const char *saved, const char *table, const char *chain, Saved *ret) {
        _cleanup_strv_free_ char **rules = NULL, **refs = NULL;
        bool exists = false, filter = false;
        size_t n = strlen(chain);

        rules = new0(char *, 1);
        refs = new0(char *, 1);
        if (!rules || !refs)
                return -ENOMEM;

        for (const char *p = strempty(saved); *p;) {
                const char *e = strchrnul(p, '\n');
                size_t len = (size_t) (e - p);
                while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\r' || p[len - 1] == '\t'))
                        len--;
                _cleanup_free_ char *line = strndup(p, len);
                if (!line)
                        return -ENOMEM;
                p = *e ? e + 1 : e;

                if (line[0] == '*') {
                        filter = streq(line + 1, table);
                        continue;
                }
                if (!filter)
                        continue;
                if (line[0] == ':' && strncmp(line + 1, chain, n) == 0 && line[1 + n] == ' ')
                        exists = true;
                else if (strncmp(line, "-A ", 3) == 0) {
                        if (strncmp(line + 3, chain, n) == 0 && line[3 + n] == ' ') {
                                if (strv_push(&rules, line) < 0)
                                        return -ENOMEM;
                                line = NULL;
                        } else if (rule_targets(line, chain)) {
                                if (strv_push(&refs, line) < 0)
                                        return -ENOMEM;
                                line = NULL;
                        }
                }
        }
        *ret = (Saved) { .exists = exists, .rules = TAKE_PTR(rules), .refs = TAKE_PTR(refs) };
        return 0;
}

static int saved_scan(const char *saved, const char *chain, Saved *ret) {
        return saved_scan_table(saved, "filter", chain, ret);
}

typedef struct Text {
        char *buf;
        size_t size;
        FILE *f;
} Text;

static void text_done(Text *t) {
        if (t->f)
                fclose(t->f);
        free(t->buf);
}

static int text_open(Text *t) {
        *t = (Text) {};
        t->f = open_memstream(&t->buf, &t->size);
        return t->f ? 0 : -ENOMEM;
}

static int text_close(Text *t, char **ret) {
        int k = fflush(t->f) != 0 || ferror(t->f) ? -ENOMEM : 0;
        fclose(t->f);
        t->f = NULL;
        if (k < 0)
                return k;
        *ret = TAKE_PTR(t->buf);
        return 0;
}

int egress_rules_restore_text(const EgressRules *r, const char *saved, char **ret) {
        _cleanup_(saved_done) Saved s = {};
        _cleanup_(text_done) Text t = {};
        int k;

        if (!r || !ret)
                return -EINVAL;
        if ((k = saved_scan(saved, r->chain, &s)) < 0 || (k = text_open(&t)) < 0)
                return k;

        size_t n_jumps = strv_length(r->jumps);
        _cleanup_free_ bool *have = new0(bool, n_jumps);
        if (!have)
                return -ENOMEM;

        fputs("*filter\n", t.f);
        /* With --noflush, declaring an existing user chain flushes it. */
        fprintf(t.f, ":%s - [0:0]\n", r->chain);
        STRV_FOREACH(l, r->rules)
                fprintf(t.f, "%s\n", *l);
        STRV_FOREACH(ref, s.refs) {
                size_t j = 0;
                while (j < n_jumps && !streq(*ref, r->jumps[j]))
                        j++;
                if (j < n_jumps && !have[j])
                        have[j] = true;
                else    /* a duplicate, or a jump of another shape (an older kukeon, a hand edit) */
                        fprintf(t.f, "-D%s\n", *ref + 2);
        }
        /* First in the built-in chain: an ACCEPT of the host's firewall must not get there
         * before the policy does. */
        for (size_t j = 0; j < n_jumps; j++)
                if (!have[j]) {
                        /* "-A INPUT -i …" becomes "-I INPUT 1 -i …" */
                        const char *rest = strchr(r->jumps[j] + 3, ' ');
                        fprintf(t.f, "-I %.*s 1%s\n", (int) (rest - (r->jumps[j] + 3)), r->jumps[j] + 3, rest);
                }
        fputs("COMMIT\n", t.f);
        return text_close(&t, ret);
}

/* The restore text that takes 'chain' of 'table' out: every jump to it, then the chain.
 * NULL when 'saved' shows neither. */
static int chain_remove_restore_text(const char *saved, const char *table, const char *chain, char **ret) {
        _cleanup_(saved_done) Saved s = {};
        _cleanup_(text_done) Text t = {};
        int k;

        if ((k = saved_scan_table(saved, table, chain, &s)) < 0)
                return k;
        if (!s.exists && strv_length(s.refs) == 0) {
                *ret = NULL;
                return 0;
        }
        if ((k = text_open(&t)) < 0)
                return k;
        fprintf(t.f, "*%s\n", table);
        STRV_FOREACH(ref, s.refs)
                fprintf(t.f, "-D%s\n", *ref + 2);
        if (s.exists)
                fprintf(t.f, ":%s - [0:0]\n-X %s\n", chain, chain);
        fputs("COMMIT\n", t.f);
        return text_close(&t, ret);
}

int egress_remove_restore_text(const char *bridge, const char *saved, char **ret) {
        _cleanup_free_ char *chain = NULL;
        int k;

        if (!ret)
                return -EINVAL;
        if ((k = egress_chain_name(bridge, &chain)) < 0)
                return k;
        return chain_remove_restore_text(saved, "filter", chain, ret);
}

_printf_(2, 3) static int drift(char **ret_drift, const char *fmt, ...) {
        if (ret_drift) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(ret_drift, fmt, ap) < 0)
                        *ret_drift = NULL;
                va_end(ap);
        }
        return 0;
}

int egress_rules_compare(const EgressRules *r, const char *saved, char **ret_drift) {
        _cleanup_(saved_done) Saved s = {};
        int k;

        if (ret_drift)
                *ret_drift = NULL;
        if (!r)
                return -EINVAL;
        if ((k = saved_scan(saved, r->chain, &s)) < 0)
                return k;
        if (!s.exists)
                return drift(ret_drift, "chain %s is missing", r->chain);

        size_t n = strv_length(r->rules), m = strv_length(s.rules);
        for (size_t i = 0; i < MAX(n, m); i++) {
                if (i >= m)
                        return drift(ret_drift, "chain %s lacks rule %zu \"%s\"", r->chain, i + 1, r->rules[i]);
                if (i >= n)
                        return drift(ret_drift, "chain %s has an extra rule %zu \"%s\"", r->chain, i + 1, s.rules[i]);
                if (!streq(r->rules[i], s.rules[i]))
                        return drift(ret_drift, "chain %s rule %zu is \"%s\", expected \"%s\"", r->chain, i + 1, s.rules[i],
                                     r->rules[i]);
        }
        STRV_FOREACH(j, r->jumps) {
                size_t c = 0;
                STRV_FOREACH(ref, s.refs)
                        c += streq(*ref, *j);
                if (c != 1)
                        return drift(ret_drift, "jump \"%s\" is there %zu times, expected once", *j, c);
        }
        STRV_FOREACH(ref, s.refs)
                if (!strv_contains(r->jumps, *ref))
                        return drift(ret_drift, "unexpected rule \"%s\"", *ref);
        return 1;
}

/* ---- the space's masquerade, nat table ---- */

int nat_chain_name(const char *bridge, char **ret) {
        _cleanup_free_ char *egress = NULL;
        int k;

        /* the same rules for the bridge name as the egress chain's: one validation */
        if ((k = egress_chain_name(bridge, &egress)) < 0)
                return k;
        char *c;
        if (asprintf(&c, NAT_CHAIN_PREFIX "%s", bridge) < 0)
                return -ENOMEM;
        *ret = c;
        return 0;
}

int nat_rules_build(const char *bridge, const char *subnet, const char *network, NatRules *ret) {
        _cleanup_free_ char *chain = NULL;
        uint32_t net;
        unsigned prefix;
        int k;

        if (!ret)
                return -EINVAL;
        /* the network name goes into a match of iptables-save's text: keep it to what CNI
         * network names are ([A-Za-z0-9_.-]) so no quoting is involved */
        for (const char *p = strempty(network); *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return -EINVAL;
        if ((k = nat_chain_name(bridge, &chain)) < 0)
                return k;
        if ((k = egress_parse_ipv4_cidr(subnet, &net, &prefix)) < 0)
                return k;
        struct in_addr in = { .s_addr = htonl(net) };
        char addr[INET_ADDRSTRLEN];
        if (!inet_ntop(AF_INET, &in, addr, sizeof addr))
                return -EINVAL;
        *ret = (NatRules) {};
        /* exactly as iptables-save prints them (egress-rules.h): compared as text */
        if (asprintf(&ret->rule, "-A %s -s %s/%u ! -o %s -j MASQUERADE", chain, addr, prefix, bridge) < 0 ||
            asprintf(&ret->jump, "-A POSTROUTING -j %s", chain) < 0 ||
            (!isempty(network) && asprintf(&ret->cni_comment, "--comment \"name: \\\"%s\\\" id: ", network) < 0)) {
                nat_rules_done(ret);
                return -ENOMEM;
        }
        ret->chain = TAKE_PTR(chain);
        return 0;
}

void nat_rules_done(NatRules *r) {
        if (!r)
                return;
        r->chain = mfree(r->chain);
        r->rule = mfree(r->rule);
        r->jump = mfree(r->jump);
        r->cni_comment = mfree(r->cni_comment);
}

/* The CNI bridge plugin's per-cell masquerade of this network (ipMasq: true, kukeon before
 * KUKEON-NAT-): "-A POSTROUTING -s 10.88.3.2/32 -m comment --comment "name: \"r-s\" id: …"
 * -j CNI-<hash>" lines of the nat table, and the chains they jump to. */
static int cni_masq_scan(const NatRules *r, const char *saved, char ***ret_jumps, char ***ret_chains) {
        _cleanup_strv_free_ char **jumps = NULL, **chains = NULL;
        bool nat = false;

        if (r->cni_comment)
                for (const char *p = strempty(saved); *p;) {
                        const char *e = strchrnul(p, '\n');
                        _cleanup_free_ char *line = strndup(p, (size_t) (e - p));
                        if (!line)
                                return -ENOMEM;
                        p = *e ? e + 1 : e;
                        if (line[0] == '*')
                                nat = streq(line, "*nat");
                        if (!nat || strncmp(line, "-A POSTROUTING ", 15) != 0 || !strstr(line, r->cni_comment))
                                continue;
                        const char *j = strstr(line, " -j CNI-");
                        if (!j || strchr(j + 4, ' '))
                                continue;
                        if (strv_extend(&chains, j + 4) < 0 || strv_push(&jumps, line) < 0)
                                return -ENOMEM;
                        line = NULL;
                }
        *ret_jumps = TAKE_PTR(jumps);
        *ret_chains = TAKE_PTR(chains);
        return 0;
}

int nat_rules_restore_text(const NatRules *r, const char *saved_nat, char **ret) {
        _cleanup_(saved_done) Saved s = {};
        _cleanup_(text_done) Text t = {};
        int k;

        if (!r || !r->chain || !ret)
                return -EINVAL;
        _cleanup_strv_free_ char **cni_jumps = NULL, **cni_chains = NULL;
        if ((k = saved_scan_table(saved_nat, "nat", r->chain, &s)) < 0 ||
            (k = cni_masq_scan(r, saved_nat, &cni_jumps, &cni_chains)) < 0)
                return k;
        /* in place: nothing to run, which is the common case at every start and apply */
        if (s.exists && strv_length(s.rules) == 1 && streq(s.rules[0], r->rule) && strv_length(s.refs) == 1 &&
            streq(s.refs[0], r->jump) && strv_length(cni_jumps) == 0) {
                *ret = NULL;
                return 0;
        }
        if ((k = text_open(&t)) < 0)
                return k;
        fputs("*nat\n", t.f);
        fprintf(t.f, ":%s - [0:0]\n%s\n", r->chain, r->rule);
        bool have = false;
        STRV_FOREACH(ref, s.refs) {
                if (!have && streq(*ref, r->jump))
                        have = true;
                else
                        fprintf(t.f, "-D%s\n", *ref + 2);
        }
        /* Appended, not inserted: a host's own SNAT/MASQUERADE rules for the pool come first. */
        if (!have)
                fprintf(t.f, "%s\n", r->jump);
        /* A space made before kukeon masqueraded per space: its cells' CNI-<hash> chains are
         * redundant with the rule above, and the plugin would never remove them (its DEL now
         * reads ipMasq: false), so they go here, after the rule is in, in the same COMMIT. */
        STRV_FOREACH(l, cni_jumps)
                fprintf(t.f, "-D%s\n", *l + 2);
        STRV_FOREACH(c, cni_chains)
                fprintf(t.f, ":%s - [0:0]\n-X %s\n", *c, *c);
        fputs("COMMIT\n", t.f);
        return text_close(&t, ret);
}

int nat_remove_restore_text(const char *bridge, const char *saved_nat, char **ret) {
        _cleanup_free_ char *chain = NULL;
        int k;

        if (!ret)
                return -EINVAL;
        if ((k = nat_chain_name(bridge, &chain)) < 0)
                return k;
        return chain_remove_restore_text(saved_nat, "nat", chain, ret);
}
