/* SPDX-License-Identifier: Apache-2.0 */
#include "bus-error.h"

#include <errno.h>
#include <stdlib.h>

#include "macro.h"
#include "name.h"

static const sd_bus_error_map kukeon_errors[] = {
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_REALM, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_SPACE, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_STACK, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_CELL, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_CONTAINER, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_CELL_NOT_RUNNING, ESRCH),
        SD_BUS_ERROR_MAP(BUS_ERROR_ROOT_CONTAINER, EPERM),
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_IMAGE, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_INVALID_IMAGE, EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_ALREADY_EXISTS, EEXIST),
        SD_BUS_ERROR_MAP(BUS_ERROR_HAS_CHILDREN, ENOTEMPTY),
        SD_BUS_ERROR_MAP(BUS_ERROR_INVALID_NAME, EINVAL),
        SD_BUS_ERROR_MAP(BUS_ERROR_INVALID_MANIFEST, EBADMSG),
        SD_BUS_ERROR_MAP(BUS_ERROR_CONTAINERD_UNAVAILABLE, EHOSTDOWN),
        SD_BUS_ERROR_MAP(BUS_ERROR_SYSTEMD_FAILED, EIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_NETWORK_FAILED, ENETDOWN),
        SD_BUS_ERROR_MAP(BUS_ERROR_BUSY, EBUSY),
        SD_BUS_ERROR_MAP_END,
};

int bus_error_register(void) {
        return sd_bus_error_add_map(kukeon_errors);
}

int bus_check_name(Kind kind, const char *name, sd_bus_error *error) {
        _cleanup_free_ char *msg = NULL;
        int r = kind == KIND_REALM ? realm_name_check(name, true, &msg) : name_check(kind_to_string(kind), name, &msg);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_set(error, BUS_ERROR_INVALID_NAME, msg);
        return 0;
}
