/* SPDX-License-Identifier: Apache-2.0 */
#include "subnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

/* Parse any IPv4 network in CIDR notation into its address (host order) and prefix length. */
static int parse_cidr(const char *cidr, uint32_t *ret_network, unsigned *ret_prefix) {
        char address[INET_ADDRSTRLEN];
        struct in_addr a;
        const char *slash, *p;
        unsigned prefix = 0;
        uint32_t host, mask;

        if (isempty(cidr))
                return -EINVAL;

        slash = strchr(cidr, '/');
        if (!slash || (size_t) (slash - cidr) >= sizeof(address))
                return -EINVAL;
        memcpy(address, cidr, (size_t) (slash - cidr));
        address[slash - cidr] = 0;
        if (inet_pton(AF_INET, address, &a) != 1)
                return -EINVAL;

        /* Parse the prefix length by hand: strtoul() would accept "+24", " 24" and "024". */
        p = slash + 1;
        if (!*p || (p[0] == '0' && p[1]))
                return -EINVAL;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                prefix = prefix * 10 + (unsigned) (*p - '0');
                if (prefix > 32)
                        return -EINVAL;
        }

        host = ntohl(a.s_addr);
        mask = prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
        if (host & ~mask)
                return -EINVAL;

        *ret_network = host;
        *ret_prefix = prefix;
        return 0;
}

int subnet_parse(const char *cidr, uint8_t *ret_index) {
        uint32_t host;
        unsigned prefix;
        int r;

        r = parse_cidr(cidr, &host, &prefix);
        if (r < 0)
                return r;

        if (prefix != SUBNET_PREFIX_LENGTH || (host >> 24) != SUBNET_POOL_OCTET1 ||
            ((host >> 16) & 0xff) != SUBNET_POOL_OCTET2)
                return -ERANGE;

        if (ret_index)
                *ret_index = (uint8_t) ((host >> 8) & 0xff);
        return 0;
}

char *subnet_format(uint8_t index, char buf[static SUBNET_STRING_MAX]) {
        (void) snprintf(buf, SUBNET_STRING_MAX, "%d.%d.%u.0/%d", SUBNET_POOL_OCTET1, SUBNET_POOL_OCTET2,
                        (unsigned) index, SUBNET_PREFIX_LENGTH);
        return buf;
}

char *subnet_format_host(uint8_t index, uint8_t host, char buf[static SUBNET_STRING_MAX]) {
        (void) snprintf(buf, SUBNET_STRING_MAX, "%d.%d.%u.%u", SUBNET_POOL_OCTET1, SUBNET_POOL_OCTET2,
                        (unsigned) index, (unsigned) host);
        return buf;
}

static int lowest_free(const bool used[static SUBNET_COUNT], uint8_t *ret_index) {
        for (size_t i = 0; i < SUBNET_COUNT; i++)
                if (!used[i]) {
                        *ret_index = (uint8_t) i;
                        return 0;
                }
        return -ENOSPC;
}

int subnet_allocate(const uint8_t *in_use, size_t n_in_use, uint8_t *ret_index) {
        bool used[SUBNET_COUNT] = {};

        if (!ret_index || (!in_use && n_in_use > 0))
                return -EINVAL;

        for (size_t i = 0; i < n_in_use; i++)
                used[in_use[i]] = true;

        return lowest_free(used, ret_index);
}

int subnet_allocate_cidrs(char *const *in_use, uint8_t *ret_index) {
        bool used[SUBNET_COUNT] = {};

        if (!ret_index)
                return -EINVAL;

        for (char *const *s = in_use; s && *s; s++) {
                uint64_t first, last;
                uint32_t network;
                unsigned prefix;
                int r;

                r = parse_cidr(*s, &network, &prefix);
                if (r < 0)
                        return r;

                /* Mark every /24 of the pool the network overlaps, whatever its size: a /16
                 * recorded by hand takes the whole pool, a /25 its /24. In 64 bits, so a /0
                 * does not wrap. */
                first = network;
                last = first + (UINT64_C(1) << (32 - prefix)) - 1;
                for (uint64_t i = 0; i < SUBNET_COUNT; i++) {
                        uint64_t lo = ((uint64_t) SUBNET_POOL_OCTET1 << 24) |
                                      ((uint64_t) SUBNET_POOL_OCTET2 << 16) | (i << 8);
                        uint64_t hi = lo + 255;

                        if (first <= hi && last >= lo)
                                used[i] = true;
                }
        }

        return lowest_free(used, ret_index);
}
