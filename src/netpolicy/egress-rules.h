/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A space's egress policy (seed 002 spec.network.egress) as iptables rules, in the text form
 * iptables-save prints and iptables-restore reads. Pure string work, no iptables call:
 * egress-firewall.c runs the programs.
 *
 * Layout, all in the filter table:
 *
 *   :KUKEON-EGRESS-k-1a2b3c4d - [0:0]                        one chain per space, owned by kukeon
 *   -A KUKEON-EGRESS-k-… -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN
 *   -A KUKEON-EGRESS-k-… -d <gateway>/32 -p udp -m udp --dport 53 -j RETURN      (and tcp)
 *   -A KUKEON-EGRESS-k-… -d 10.0.0.0/8 -j RETURN                                  (allow cidr)
 *   -A KUKEON-EGRESS-k-… -d 1.2.3.4/32 -p tcp -m tcp --dport 443 -j RETURN       (allow host+port)
 *   -A KUKEON-EGRESS-k-… -j REJECT --reject-with icmp-admin-prohibited            (default deny)
 *   -A INPUT -i k-… -j KUKEON-EGRESS-k-…                     traffic from the space to the host
 *   -A FORWARD -i k-… ! -o k-… -j KUKEON-EGRESS-k-…          routed traffic leaving the bridge
 *
 * Allowed traffic RETURNs rather than ACCEPTs: the policy only takes away. What it lets through
 * meets the host's own INPUT/FORWARD rules exactly as it would without a policy, so
 * "default: allow" (an empty chain) behaves as no policy at all, as seed 002 says.
 *
 * The chain name is "KUKEON-EGRESS-" + the bridge name: 14 + 10 = 24 bytes for a kukeon bridge,
 * inside iptables' 28-byte limit, and readable: `iptables -S` shows which space owns it.
 * Rules are written exactly as iptables-save (1.8, nft and legacy) prints them, so comparing
 * the saved text with the built one tells whether the rules are in place (egress_rules_compare).
 *
 * Every error names the field of the manifest at fault ("spec.network.egress.allow[1].cidr:
 * …"), as manifest validation does. */

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "v1beta1.h"

#define EGRESS_CHAIN_PREFIX "KUKEON-EGRESS-"
#define EGRESS_CHAIN_MAX 28 /* iptables: XT_EXTENSION_MAXNAMELEN - 1 */
#define EGRESS_BRIDGE_MAX (EGRESS_CHAIN_MAX - (sizeof(EGRESS_CHAIN_PREFIX) - 1))

/* Resolves a host name of an allow rule to its IPv4 addresses (dotted quads, in any order,
 * duplicates allowed). Returns a negative errno and a message on failure; a host without an
 * IPv4 address returns an empty (or NULL) list, which the builder refuses. */
typedef int (*egress_resolve_t)(const char *host, char ***ret_addresses, char **ret_error, void *userdata);

/* Where the policy goes. */
typedef struct EgressSpace {
        const char *bridge;     /* the space's bridge, "k-1a2b3c4d"; at most EGRESS_BRIDGE_MAX */
        const char *gateway;    /* the bridge's address "10.88.3.1": DNS to it stays allowed; NULL: none */
        char **dns_servers;     /* more IPv4 DNS servers the cells use (resolv.conf); may be NULL */
        /* A host whose lookup fails for now (the resolver's -EAGAIN: no DNS server answers)
         * gets no rule instead of failing the build, and is listed in EgressRules.unresolved.
         * Under deny a missing allow rule only takes away, so this fails closed; kukeond sets
         * it so that a space does not go down with DNS (at boot, say). A name that does not
         * exist stays an error. */
        bool defer_unresolved;
} EgressSpace;

/* What a host of an allow rule resolved to, recorded for the space's status and the logs. */
typedef struct EgressResolvedHost {
        char *host;
        char **addresses;       /* sorted, unique */
} EgressResolvedHost;

typedef struct EgressRules {
        char *bridge;
        char *chain;
        char **rules;           /* "-A <chain> …" lines, in order */
        char **jumps;           /* "-A INPUT …" and "-A FORWARD …" lines */
        EgressResolvedHost *hosts;
        size_t n_hosts;
        char **unresolved;      /* with defer_unresolved: "spec.network.egress.allow[1].host: cannot resolve …" */
} EgressRules;

EgressRules *egress_rules_free(EgressRules *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(EgressRules *, egress_rules_free);

/* The chain of a bridge: "KUKEON-EGRESS-k-1a2b3c4d". -EINVAL for a name that is empty, too
 * long for the chain limit, or has characters other than [A-Za-z0-9_.-]. */
int egress_chain_name(const char *bridge, char **ret);

/* Checks the policy and builds its rules. Host names are resolved (through 'resolve', with
 * 'userdata') only when the default is deny: with allow nothing depends on them, and a space
 * must not fail to come up over a name lookup it does not need. A NULL policy is -EINVAL: no
 * policy means no rules, which is egress_firewall_remove()'s job. On failure *ret_error (optional)
 * names the field at fault: -EINVAL for a bad default, rule, CIDR or port, -EAFNOSUPPORT for an
 * IPv6 CIDR (space networks are IPv4 only), the resolver's error for a host that does not
 * resolve, -EADDRNOTAVAIL for a host without an IPv4 address. */
int egress_rules_build(const EgressPolicy *policy, const EgressSpace *space, egress_resolve_t resolve,
                       void *userdata, EgressRules **ret, char **ret_error);

/* The iptables-restore --noflush input that installs the rules, given the current filter
 * table as iptables-save prints it ('saved' may be NULL or "" for an empty table). Declaring
 * the chain flushes it when it exists, so the chain's content is replaced in one transaction;
 * the jumps are inserted at the top of INPUT and FORWARD only when missing, and duplicate or
 * stale jumps to the chain (another match, another built-in chain) are deleted. Applying twice
 * leaves the same table. */
int egress_rules_restore_text(const EgressRules *r, const char *saved, char **ret);

/* The iptables-restore --noflush input that removes a bridge's chain and every rule jumping to
 * it. *ret is NULL when there is nothing to remove (so removing twice runs nothing). */
int egress_remove_restore_text(const char *bridge, const char *saved, char **ret);

/* Compares the built rules with the saved filter table: 1 when the chain holds exactly the
 * rules, in order, and each jump is there once with no other rule jumping to the chain;
 * 0 otherwise, with *ret_drift (optional) saying the first difference. */
int egress_rules_compare(const EgressRules *r, const char *saved, char **ret_drift);

/* ---- the space's masquerade (nat table) ----
 *
 * Traffic from a space's /24 that leaves by another interface than its bridge is masqueraded
 * by one rule per space, in a chain kukeon owns, jumped to from POSTROUTING:
 *
 *   :KUKEON-NAT-k-1a2b3c4d - [0:0]
 *   -A KUKEON-NAT-k-1a2b3c4d -s 10.88.3.0/24 ! -o k-1a2b3c4d -j MASQUERADE
 *   -A POSTROUTING -j KUKEON-NAT-k-1a2b3c4d
 *
 * It replaces the CNI bridge plugin's ipMasq, which builds a CNI-<hash> chain per cell with
 * about nine iptables runs on every cell start (docs/egress.md "Masquerade"). The chain name
 * is "KUKEON-NAT-" + the bridge name: 21 bytes for a kukeon bridge. */

#define NAT_CHAIN_PREFIX "KUKEON-NAT-"

typedef struct NatRules {
        char *chain;
        char *rule;     /* "-A <chain> -s <subnet> ! -o <bridge> -j MASQUERADE" */
        char *jump;     /* "-A POSTROUTING -j <chain>" */
        char *cni_comment; /* the CNI bridge plugin's comment of this network's rules, or NULL */
} NatRules;

void nat_rules_done(NatRules *r);

/* "KUKEON-NAT-<bridge>"; -EINVAL for a bridge name egress_chain_name() refuses. */
int nat_chain_name(const char *bridge, char **ret);

/* The rules for a bridge and its IPv4 subnet ("10.88.3.0/24"); -EINVAL for a bad name or subnet,
 * -EAFNOSUPPORT for an IPv6 one. 'network' (optional) is the space's CNI network name
 * ("<realm>-<space>"): the per-cell masquerade chains the CNI bridge plugin made for it with
 * ipMasq (a space made by an older kukeon) are removed with the next restore. */
int nat_rules_build(const char *bridge, const char *subnet, const char *network, NatRules *ret);

/* The iptables-restore --noflush input ("*nat … COMMIT") that puts the rules in place, given the
 * nat table as iptables-save prints it; *ret is NULL when they are in place already (the chain
 * holds exactly the rule, the jump is there once and nothing else jumps to the chain), so a
 * start or apply of an unchanged space restores nothing. */
int nat_rules_restore_text(const NatRules *r, const char *saved_nat, char **ret);

/* The input that removes the bridge's nat chain and the jumps to it; *ret NULL when neither is
 * there. */
int nat_remove_restore_text(const char *bridge, const char *saved_nat, char **ret);

/* Parses a dotted quad with an optional "/N" into the network address and prefix length,
 * host bits cleared. -EAFNOSUPPORT for an IPv6 address, -EINVAL for anything else that is not
 * an IPv4 CIDR. Exposed for tests. */
int egress_parse_ipv4_cidr(const char *s, uint32_t *ret_network, unsigned *ret_prefix);
