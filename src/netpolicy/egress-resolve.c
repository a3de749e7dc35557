/* SPDX-License-Identifier: Apache-2.0 */
#include "egress-resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "strv.h"

static int gai_to_errno(int e) {
        switch (e) {
        case EAI_NONAME:
#ifdef EAI_NODATA
        case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
        case EAI_ADDRFAMILY:
#endif
                return -ENXIO;
        case EAI_AGAIN:
                return -EAGAIN;
        case EAI_MEMORY:
                return -ENOMEM;
        case EAI_SYSTEM:
                return negative_errno();
        default:
                return -EIO;
        }
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct addrinfo *, freeaddrinfo);

int egress_resolve_getaddrinfo(const char *host, char ***ret_addresses, char **ret_error, void *userdata) {
        _cleanup_(freeaddrinfop) struct addrinfo *res = NULL;
        _cleanup_strv_free_ char **l = NULL;
        /* SOCK_STREAM: one entry per address rather than one per socket type. */
        const struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };

        if (isempty(host) || !ret_addresses)
                return -EINVAL;
        if (ret_error)
                *ret_error = NULL;

        int e = getaddrinfo(host, NULL, &hints, &res);
        if (e != 0) {
                int k = gai_to_errno(e);
                if (ret_error)
                        *ret_error = strdup(e == EAI_SYSTEM ? strerror(-k) : gai_strerror(e));
                return k;
        }
        l = new0(char *, 1);
        if (!l)
                return -ENOMEM;
        for (const struct addrinfo *a = res; a; a = a->ai_next) {
                char buf[INET_ADDRSTRLEN];
                if (a->ai_family != AF_INET || !a->ai_addr)
                        continue;
                if (!inet_ntop(AF_INET, &((const struct sockaddr_in *) a->ai_addr)->sin_addr, buf, sizeof buf))
                        continue;
                if (!strv_contains(l, buf) && strv_extend(&l, buf) < 0)
                        return -ENOMEM;
        }
        *ret_addresses = TAKE_PTR(l);
        return 0;
}
