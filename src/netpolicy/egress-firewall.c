/* SPDX-License-Identifier: Apache-2.0 */
#include "egress-firewall.h"

#include <errno.h>

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
