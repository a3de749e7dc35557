/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The D-Bus faces of realms, spaces and stacks: org.kukeon1.Realm, .Space and .Stack on
 * /org/kukeon1/realm/<R>[/space/<S>[/stack/<T>]], found in the manager's tree. */

#include <systemd/sd-bus.h>

#include "manager.h"

int resource_add_bus_objects(Manager *m, sd_bus *bus);
