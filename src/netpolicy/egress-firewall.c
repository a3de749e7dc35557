/* SPDX-License-Identifier: Apache-2.0 */
#include "egress-firewall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"

int egress_firewall_apply(const Iptables *ipt, const EgressRules *rules, char **ret_error) {
        _cleanup_free_ char *saved = NULL, *text = NULL;
        int k;

        if (ret_error)
                *ret_error = NULL;
        if (!rules)
                return -EINVAL;
        if ((k = iptables_save_filter(ipt, &saved, ret_error)) < 0)
                return k;
        if ((k = egress_rules_restore_text(rules, saved, &text)) < 0)
                return k;
        return iptables_restore_noflush(ipt, text, ret_error);
}

int egress_firewall_remove(const Iptables *ipt, const char *bridge, char **ret_error) {
        _cleanup_free_ char *saved = NULL, *text = NULL;
        int k;

        if (ret_error)
                *ret_error = NULL;
        k = egress_remove_restore_text(bridge, "", &text);
        if (k < 0)      /* a bad bridge name: fail before running anything */
                return k;
        if ((k = iptables_save_filter(ipt, &saved, ret_error)) < 0)
                return k;
        text = mfree(text);
        if ((k = egress_remove_restore_text(bridge, saved, &text)) < 0)
                return k;
        if (!text)
                return 0;
        k = iptables_restore_noflush(ipt, text, ret_error);
        return k < 0 ? k : 1;
}

int egress_firewall_check(const Iptables *ipt, const EgressRules *rules, char **ret_drift) {
        _cleanup_free_ char *saved = NULL;
        int k;

        if (ret_drift)
                *ret_drift = NULL;
        if (!rules)
                return -EINVAL;
        if ((k = iptables_save_filter(ipt, &saved, ret_drift)) < 0)
                return k;
        return egress_rules_compare(rules, saved, ret_drift);
}

/* Runs the concatenation of the tables' inputs (NULLs skipped) as one restore, if any. */
static int restore_tables(const Iptables *ipt, const char *a, const char *b, char **ret_error) {
        _cleanup_free_ char *text = NULL;

        if (!a && !b)
                return 0;
        if (asprintf(&text, "%s%s", strempty(a), strempty(b)) < 0)
                return -ENOMEM;
        return iptables_restore_noflush(ipt, text, ret_error);
}

int space_firewall_apply(const Iptables *ipt, const NatRules *nat, const char *bridge, const EgressRules *egress,
                         bool remove_egress, char **ret_error) {
        _cleanup_free_ char *saved_nat = NULL, *saved_filter = NULL, *nat_text = NULL, *filter_text = NULL;
        int k, flags = 0;

        if (ret_error)
                *ret_error = NULL;
        if (!nat || !nat->chain)
                return -EINVAL;
        if (!egress && remove_egress && (k = egress_remove_restore_text(bridge, "", &filter_text)) < 0)
                return k; /* a bad bridge name: fail before running anything */
        filter_text = mfree(filter_text);

        if ((k = iptables_save_table(ipt, "nat", &saved_nat, ret_error)) < 0)
                return k;
        if ((k = nat_rules_restore_text(nat, saved_nat, &nat_text)) < 0)
                return k;
        if (nat_text)
                flags |= SPACE_FIREWALL_NAT_CHANGED;
        if (egress || remove_egress) {
                if ((k = iptables_save_filter(ipt, &saved_filter, ret_error)) < 0)
                        return k;
                if (egress)
                        k = egress_rules_restore_text(egress, saved_filter, &filter_text);
                else {
                        k = egress_remove_restore_text(bridge, saved_filter, &filter_text);
                        if (k >= 0 && filter_text)
                                flags |= SPACE_FIREWALL_EGRESS_REMOVED;
                }
                if (k < 0)
                        return k;
        }
        k = restore_tables(ipt, nat_text, filter_text, ret_error);
        return k < 0 ? k : flags;
}

int space_firewall_remove(const Iptables *ipt, const char *bridge, char **ret_error) {
        _cleanup_free_ char *saved_nat = NULL, *saved_filter = NULL, *nat_text = NULL, *filter_text = NULL;
        int k, flags = 0;

        if (ret_error)
                *ret_error = NULL;
        if ((k = nat_remove_restore_text(bridge, "", &nat_text)) < 0)
                return k; /* a bad bridge name: fail before running anything */
        nat_text = mfree(nat_text);
        if ((k = iptables_save_table(ipt, "nat", &saved_nat, ret_error)) < 0 ||
            (k = iptables_save_filter(ipt, &saved_filter, ret_error)) < 0)
                return k;
        if ((k = nat_remove_restore_text(bridge, saved_nat, &nat_text)) < 0 ||
            (k = egress_remove_restore_text(bridge, saved_filter, &filter_text)) < 0)
                return k;
        flags = (nat_text ? SPACE_FIREWALL_NAT_CHANGED : 0) | (filter_text ? SPACE_FIREWALL_EGRESS_REMOVED : 0);
        k = restore_tables(ipt, nat_text, filter_text, ret_error);
        return k < 0 ? k : flags;
}
