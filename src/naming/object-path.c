/* SPDX-License-Identifier: Apache-2.0 */
#include "object-path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "macro.h"

#define LEVELS OBJECT_PATH_DEPTH_MAX

static const char *const templates[LEVELS + 1] = {
        OBJECT_PATH_ROOT,
        OBJECT_PATH_ROOT "/realm/%",
        OBJECT_PATH_ROOT "/realm/%/space/%",
        OBJECT_PATH_ROOT "/realm/%/space/%/stack/%",
        OBJECT_PATH_ROOT "/realm/%/space/%/stack/%/cell/%",
        OBJECT_PATH_ROOT "/realm/%/space/%/stack/%/cell/%/container/%",
};

int object_path_build(const char *realm, const char *space, const char *stack, const char *cell,
                      const char *container, char **ret) {
        const char *const n[LEVELS] = { realm, space, stack, cell, container };
        size_t depth = 0;
        char *p;
        int r;

        if (!ret)
                return -EINVAL;

        /* sd-bus encodes "" as "_", a label no resource has; and a name after a NULL level would
         * be dropped without notice. */
        while (depth < LEVELS && n[depth]) {
                if (!*n[depth])
                        return -EINVAL;
                depth++;
        }
        for (size_t i = depth; i < LEVELS; i++)
                if (n[i])
                        return -EINVAL;

        /* sd_bus_path_encode_many() is variadic in the number of labels, hence the switch. */
        switch (depth) {
        case 0:
                p = strdup(OBJECT_PATH_ROOT);
                r = p ? 0 : -ENOMEM;
                break;
        case 1:
                r = sd_bus_path_encode_many(&p, templates[1], n[0]);
                break;
        case 2:
                r = sd_bus_path_encode_many(&p, templates[2], n[0], n[1]);
                break;
        case 3:
                r = sd_bus_path_encode_many(&p, templates[3], n[0], n[1], n[2]);
                break;
        case 4:
                r = sd_bus_path_encode_many(&p, templates[4], n[0], n[1], n[2], n[3]);
                break;
        default:
                r = sd_bus_path_encode_many(&p, templates[5], n[0], n[1], n[2], n[3], n[4]);
                break;
        }
        if (r < 0)
                return r;

        *ret = p;
        return 0;
}

/* _cleanup_free_ on an array would free only its first element. */
static void labels_free(char *(*l)[LEVELS]) {
        for (size_t i = 0; i < LEVELS; i++)
                free((*l)[i]);
}

int object_path_parse(const char *path, char **ret_realm, char **ret_space, char **ret_stack,
                      char **ret_cell, char **ret_container) {
        _cleanup_(labels_free) char *n[LEVELS] = {};
        _cleanup_free_ char *rebuilt = NULL;
        char **const rets[LEVELS] = { ret_realm, ret_space, ret_stack, ret_cell, ret_container };
        size_t slashes = 0, depth;
        int r;

        if (isempty(path) || !sd_bus_object_path_is_valid(path))
                return -EINVAL;

        /* A valid object path has no empty components, so its slashes count its components:
         * two for the root, two more ("<keyword>/<label>") per level. */
        for (const char *p = path; *p; p++)
                if (*p == '/')
                        slashes++;
        if (slashes < 2 || slashes % 2 != 0 || (slashes - 2) / 2 > LEVELS)
                return -EINVAL;
        depth = (slashes - 2) / 2;

        switch (depth) {
        case 0:
                r = streq(path, OBJECT_PATH_ROOT);
                break;
        case 1:
                r = sd_bus_path_decode_many(path, templates[1], &n[0]);
                break;
        case 2:
                r = sd_bus_path_decode_many(path, templates[2], &n[0], &n[1]);
                break;
        case 3:
                r = sd_bus_path_decode_many(path, templates[3], &n[0], &n[1], &n[2]);
                break;
        case 4:
                r = sd_bus_path_decode_many(path, templates[4], &n[0], &n[1], &n[2], &n[3]);
                break;
        default:
                r = sd_bus_path_decode_many(path, templates[5], &n[0], &n[1], &n[2], &n[3], &n[4]);
                break;
        }
        if (r < 0)
                return r;
        if (r == 0)
                return -EINVAL;

        /* sd-bus decodes leniently ("_zz" stays literal, "_2D" and "_2d" both give '-', "_00"
         * truncates), so insist on the canonical spelling: the path must be what we would build
         * from what we decoded. Empty labels fail here too, as object_path_build() refuses "". */
        r = object_path_build(n[0], n[1], n[2], n[3], n[4], &rebuilt);
        if (r == -EINVAL)
                return -EINVAL;
        if (r < 0)
                return r;
        if (!streq(rebuilt, path))
                return -EINVAL;

        for (size_t i = 0; i < LEVELS; i++)
                if (rets[i])
                        *rets[i] = TAKE_PTR(n[i]);

        return (int) depth;
}
