/* SPDX-License-Identifier: Apache-2.0 */
#include "bridge-name.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

uint32_t fnv1a32_update(uint32_t hash, const void *p, size_t n) {
        const uint8_t *b = p;

        for (size_t i = 0; i < n; i++) {
                hash ^= b[i];
                hash *= FNV1A32_PRIME;
        }
        return hash;
}

uint32_t fnv1a32(const void *p, size_t n) {
        return fnv1a32_update(FNV1A32_OFFSET_BASIS, p, n);
}

int bridge_name_format(const char *realm, const char *space, char buf[static BRIDGE_NAME_LENGTH + 1]) {
        uint32_t h;

        if (isempty(realm) || isempty(space) || !buf)
                return -EINVAL;

        h = fnv1a32_update(FNV1A32_OFFSET_BASIS, realm, strlen(realm));
        h = fnv1a32_update(h, "-", 1);
        h = fnv1a32_update(h, space, strlen(space));

        (void) snprintf(buf, BRIDGE_NAME_LENGTH + 1, "k-%08x", (unsigned) h);
        return 0;
}

int bridge_name_build(const char *realm, const char *space, char **ret) {
        char buf[BRIDGE_NAME_LENGTH + 1];
        char *r;
        int k;

        if (!ret)
                return -EINVAL;

        k = bridge_name_format(realm, space, buf);
        if (k < 0)
                return k;

        r = strdup(buf);
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}
