/* SPDX-License-Identifier: Apache-2.0 */
#include "bridge-link.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "macro.h"

static void nl_socket_freep(struct nl_sock **s) {
        if (*s)
                nl_socket_free(*s);
}

static void rtnl_link_putp(struct rtnl_link **l) {
        if (*l)
                rtnl_link_put(*l);
}

/* libnl's errors are its own NLE_* codes, not errnos */
static int nl_to_errno(int nle) {
        switch (nle < 0 ? -nle : nle) {
        case NLE_OBJ_NOTFOUND:
        case NLE_NODEV:
                return -ENOENT;
        case NLE_PERM:
                return -EPERM;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_INVAL:
                return -EINVAL;
        case NLE_BUSY:
                return -EBUSY;
        default:
                return -EIO;
        }
}

_printf_(2, 3) static void set_error(char **ret_error, const char *fmt, ...) {
        va_list ap;
        if (!ret_error)
                return;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
}

/* The link as the kernel has it: 1 with *ret for a bridge, 0 when absent. */
static int bridge_link_get(struct nl_sock **ret_sock, const char *name, struct rtnl_link **ret, char **ret_error) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int k;

        if (ret_error)
                *ret_error = NULL;
        if (!name || !*name || strlen(name) >= IFNAMSIZ || strchr(name, '/') || strchr(name, ' ')) {
                set_error(ret_error, "\"%s\" is not a network interface name", name ?: "");
                return -EINVAL;
        }
        sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        k = nl_connect(sk, NETLINK_ROUTE);
        if (k < 0) {
                set_error(ret_error, "cannot open rtnetlink for %s: %s", name, nl_geterror(k));
                return nl_to_errno(k);
        }
        k = rtnl_link_get_kernel(sk, 0, name, &link);
        if (k < 0) {
                if (nl_to_errno(k) == -ENOENT)
                        return 0;
                set_error(ret_error, "cannot look up link %s: %s", name, nl_geterror(k));
                return nl_to_errno(k);
        }
        /* a link named like a space's bridge that is not a bridge is not ours to delete */
        if (!streq_ptr(rtnl_link_get_type(link), "bridge")) {
                set_error(ret_error, "link %s is a %s, not a bridge", name, rtnl_link_get_type(link) ?: "device of no kind");
                return -EMEDIUMTYPE;
        }
        if (ret_sock)
                *ret_sock = TAKE_PTR(sk);
        if (ret)
                *ret = TAKE_PTR(link);
        return 1;
}

int bridge_link_exists(const char *name, char **ret_error) {
        return bridge_link_get(NULL, name, NULL, ret_error);
}

int bridge_link_delete(const char *name, char **ret_error) {
        _cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        int k;

        k = bridge_link_get(&sk, name, &link, ret_error);
        if (k <= 0)
                return k;
        k = rtnl_link_delete(sk, link);
        if (k < 0) {
                int e = nl_to_errno(k);
                if (e == -ENOENT) /* gone in between */
                        return 0;
                set_error(ret_error, "cannot delete bridge %s: %s", name, nl_geterror(k));
                return e;
        }
        return 1;
}
