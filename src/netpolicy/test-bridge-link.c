/* SPDX-License-Identifier: Apache-2.0 */
/* bridge_link_delete() against the kernel, in a network namespace of the test's own (so it
 * never touches the host's links): skipped (77) where one cannot be made (not root). */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "bridge-link.h"
#include "macro.h"
#include "tests.h"

#define BR "k-0badf00d"

static int add_link(const char *name, const char *type) {
        struct nl_sock *sk = nl_socket_alloc();
        struct rtnl_link *l = rtnl_link_alloc();
        int k;
        ASSERT_NOT_NULL(sk);
        ASSERT_NOT_NULL(l);
        ASSERT_EQ(nl_connect(sk, NETLINK_ROUTE), 0);
        rtnl_link_set_name(l, name);
        ASSERT_EQ(rtnl_link_set_type(l, type), 0);
        k = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_link_put(l);
        nl_socket_free(sk);
        return k;
}

int main(void) {
        _cleanup_free_ char *error = NULL;

        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "cannot make a network namespace (%m): skipped\n");
                return 77;
        }

        /* nothing there: 0, no error */
        ASSERT_EQ(bridge_link_exists(BR, &error), 0);
        ASSERT_EQ(bridge_link_delete(BR, &error), 0);
        ASSERT_NULL(error);

        ASSERT_EQ(add_link(BR, "bridge"), 0);
        ASSERT_EQ(bridge_link_exists(BR, NULL), 1);
        ASSERT_EQ(bridge_link_delete(BR, &error), 1);
        ASSERT_NULL(error);
        ASSERT_EQ(bridge_link_exists(BR, NULL), 0);
        /* deleting twice is fine */
        ASSERT_EQ(bridge_link_delete(BR, &error), 0);

        /* the loopback of the namespace is no bridge: left alone, said so */
        ASSERT_ERROR(bridge_link_delete("lo", &error), EMEDIUMTYPE);
        ASSERT_STREQ(error, "link lo is a device of no kind, not a bridge");
        error = mfree(error);
        ASSERT_EQ(bridge_link_exists("lo", NULL), -EMEDIUMTYPE);
        /* another kind, where the module is there */
        if (add_link("k-dummy001", "dummy") == 0) {
                ASSERT_ERROR(bridge_link_delete("k-dummy001", &error), EMEDIUMTYPE);
                ASSERT_STREQ(error, "link k-dummy001 is a dummy, not a bridge");
                error = mfree(error);
        }

        /* names that cannot be interfaces */
        ASSERT_ERROR(bridge_link_delete("", &error), EINVAL);
        error = mfree(error);
        ASSERT_ERROR(bridge_link_delete("much-too-long-name", &error), EINVAL);
        ASSERT_STREQ(error, "\"much-too-long-name\" is not a network interface name");
        error = mfree(error);
        ASSERT_ERROR(bridge_link_delete(NULL, NULL), EINVAL);
        return 0;
}
