/* SPDX-License-Identifier: Apache-2.0 */
#include "image-cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define IMAGE_DIGEST_SHORT 12

char *image_size_format(uint64_t bytes) {
        static const char *const units[] = { "kB", "MB", "GB", "TB", "PB", "EB" };
        char *s = NULL;

        if (bytes < 1000)
                return asprintf(&s, "%" PRIu64 "B", bytes) < 0 ? NULL : s;
        double v = (double) bytes;
        size_t u = 0;
        for (v /= 1000; v >= 999.5 && u + 1 < ELEMENTSOF(units); u++)
                v /= 1000;
        /* three significant digits: 1.23, 12.3, 123 */
        int k = v < 9.995 ? asprintf(&s, "%.2f%s", v, units[u]) :
                v < 99.95 ? asprintf(&s, "%.1f%s", v, units[u]) : asprintf(&s, "%.0f%s", v, units[u]);
        return k < 0 ? NULL : s;
}

char *image_digest_format(const char *digest, bool full) {
        if (!digest)
                return strdup("");
        const char *colon = strchr(digest, ':');
        if (full || !colon || strlen(colon + 1) <= IMAGE_DIGEST_SHORT)
                return strdup(digest);
        return strndup(digest, (size_t) (colon + 1 - digest) + IMAGE_DIGEST_SHORT);
}
