/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The images of a realm, on the Manager (docs/dbus-api.md "Images"): LoadImage takes an
 * opened archive (an fd: kukeond never opens a user's path), ListImages and DeleteImage work
 * on the realm's containerd namespace. Each runs in a worker thread of its own with its own
 * synchronous containerd client, so a load of hundreds of megabytes never stalls the event
 * loop; the reply goes out when the thread is done. */

#include <systemd/sd-bus.h>

#include "manager.h"
#include "operation.h"

/* an archive that is corrupt or not an image (the message names the entry) */

int image_method_load(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int image_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int image_method_delete(sd_bus_message *msg, void *userdata, sd_bus_error *error);

/* The sum of the sizes an image manifest names (config and layers, as stored: compressed):
 * what `kuke get images` shows as SIZE. -EBADMSG when 'json' is no manifest. */
int image_manifest_json_size(const char *json, size_t size, uint64_t *ret);

/* A step (data: the namespace, taken) deleting every image of a realm's namespace, before the
 * namespace goes: containerd refuses to delete one that holds images. */
int image_call_remove_all(Operation *op, Step *s, sd_bus_error *error);

#define IMAGE_MANAGER_METHODS                                                                                          \
        SD_BUS_METHOD_WITH_ARGS("LoadImage", SD_BUS_ARGS("s", realm, "h", archive, "t", flags),                        \
                                SD_BUS_RESULT("a(ss)", images), image_method_load, SD_BUS_VTABLE_UNPRIVILEGED),        \
        SD_BUS_METHOD_WITH_ARGS("ListImages", SD_BUS_ARGS("s", realm), SD_BUS_RESULT("a(sstt)", images),               \
                                image_method_list, SD_BUS_VTABLE_UNPRIVILEGED),                                        \
        SD_BUS_METHOD_WITH_ARGS("DeleteImage", SD_BUS_ARGS("s", realm, "s", reference, "t", flags), SD_BUS_NO_RESULT, \
                                image_method_delete, SD_BUS_VTABLE_UNPRIVILEGED)
