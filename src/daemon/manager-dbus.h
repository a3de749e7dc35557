/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <systemd/sd-bus.h>

#include "manager.h"

/* Registers /org/kukeon1 (Manager, ObjectManager) and the resource objects on a connection:
 * the bus, and every peer-to-peer connection. */
int manager_add_bus_objects(Manager *m, sd_bus *bus);

/* Checks names and flags, asks for authorization, then answers or queues the operation.
 * 'verb' is manager-dbus.c's Verb. */
int manager_dispatch(sd_bus_message *msg, Manager *m, int verb, Kind kind, const char *realm, const char *space,
                     const char *stack, uint64_t flags, sd_bus_error *error);
/* Delete, Purge and GetManifest on a resource object. */
int manager_dispatch_resource(sd_bus_message *msg, Resource *res, const char *member, uint64_t flags, sd_bus_error *error);
