/* SPDX-License-Identifier: Apache-2.0 */
#include "duration.h"

#include <errno.h>
#include <string.h>

#include "macro.h"

int duration_parse(const char *s, int64_t *ret_usec) {
        static const struct {
                const char *suffix;
                int64_t usec;
        } units[] = {
                /* Longest suffixes first, so "ms" is not read as "m" followed by junk. */
                { "ns", 0 }, { "us", 1 }, { "µs", 1 }, { "ms", 1000 },
                { "s", 1000000 }, { "m", 60000000 }, { "h", INT64_C(3600000000) },
        };
        const char *p = s;
        bool neg = false;
        int64_t total = 0;

        if (isempty(s))
                return -EINVAL;
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (streq(p, "0")) {
                *ret_usec = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;

        while (*p) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                int64_t v = 0;
                while (*p >= '0' && *p <= '9') {
                        if (v > (INT64_MAX - 9) / 10)
                                return -ERANGE;
                        v = v * 10 + (*p++ - '0');
                }
                size_t i;
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (strncmp(p, units[i].suffix, strlen(units[i].suffix)) == 0)
                                break;
                if (i == ELEMENTSOF(units))
                        return -EINVAL;
                p += strlen(units[i].suffix);
                if (units[i].usec == 0) {
                        total += v / 1000; /* nanoseconds: below our resolution */
                        continue;
                }
                if (v > (INT64_MAX - total) / units[i].usec)
                        return -ERANGE;
                total += v * units[i].usec;
        }
        *ret_usec = neg ? -total : total;
        return 0;
}
