/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A space's egress rules in the kernel: apply, remove and check, each one iptables-save to see
 * what is there and at most one iptables-restore --noflush transaction to change it. Nothing
 * outside the space's own chain and the jumps to it is touched. Callers serialize calls for
 * one space (kukeond does: one operation per space at a time); the save-then-restore pair is
 * not atomic against another writer of the same chain. */

#include <stdbool.h>

#include "egress-rules.h"
#include "iptables.h"

/* Installs the rules, replacing what the chain held (apply twice: same table). On failure
 * *ret_error (optional) names the rule iptables refused, or the program's failure. */
int egress_firewall_apply(const Iptables *ipt, const EgressRules *rules, char **ret_error);

/* Removes the bridge's chain and every rule jumping to it: 1 when it removed something, 0 when
 * there was nothing (then nothing runs but iptables-save). */
int egress_firewall_remove(const Iptables *ipt, const char *bridge, char **ret_error);

/* 1 when the rules are in place exactly, 0 when not (*ret_drift says what differs), negative
 * when iptables-save cannot be run (*ret_drift then holds the error). For reconcile. */
int egress_firewall_check(const Iptables *ipt, const EgressRules *rules, char **ret_drift);

/* ---- a space's whole firewall: its masquerade (nat) and its egress policy (filter) ----
 *
 * Both tables go to one iptables-restore run: each table's COMMIT is all or nothing, and
 * nothing is run when everything is in place already (one iptables-save per table). */

enum {
        SPACE_FIREWALL_EGRESS_REMOVED = 1 << 0,  /* the egress chain was there and is gone */
        SPACE_FIREWALL_NAT_CHANGED    = 1 << 1,  /* the nat chain was installed, repaired or removed */
};

/* Puts the masquerade in place and, with 'egress', installs the egress rules; without it and
 * with 'remove_egress', removes what an earlier policy left (without either the filter table
 * is not even read). Returns SPACE_FIREWALL_* flags of what changed. */
int space_firewall_apply(const Iptables *ipt, const NatRules *nat, const char *bridge, const EgressRules *egress,
                         bool remove_egress, char **ret_error);

/* Removes the bridge's nat and egress chains and the jumps to them: SPACE_FIREWALL_* flags of
 * what was there (0: nothing, then nothing runs but iptables-save). */
int space_firewall_remove(const Iptables *ipt, const char *bridge, char **ret_error);
