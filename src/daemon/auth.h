/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Authorization of a method call (docs/dbus-api.md "Authorization"):
 *   - uid 0 is always allowed, without asking anyone;
 *   - on the bus, polkit's CheckAuthorization, asynchronously, with details (realm, space,
 *     stack, verb …) and AllowUserInteraction when the message allows interactive
 *     authorization;
 *   - on a peer-to-peer connection (no bus, no polkit) the socket's mode was the gate: every
 *     action is allowed but org.kukeon1.purge and org.kukeon1.manage-system, which need uid 0
 *     (SO_PEERCRED). */

#include <systemd/sd-bus.h>

#include "manager.h"

#define ACTION_INSPECT "org.kukeon1.inspect"
#define ACTION_MANAGE "org.kukeon1.manage"
#define ACTION_PURGE "org.kukeon1.purge"
#define ACTION_MANAGE_SYSTEM "org.kukeon1.manage-system"
#define ACTION_MANAGE_IMAGES "org.kukeon1.manage-images"

/* What to do once allowed. Returns >= 0 when it replied (or will), < 0 with 'error' set to
 * have that error sent. */
typedef int (*auth_continue_t)(sd_bus_message *request, void *userdata, sd_bus_error *error);

/* Checks 'action' for the sender of 'request'; 'details' is a strv of key/value pairs. On
 * success 'cont' runs (now, or later when polkit answers) and owns 'userdata', freeing it with
 * 'destroy' afterwards — also when denied. Returns 1 (the reply follows), or < 0 with 'error'
 * set when it could not even ask (then 'userdata' is freed too). */
int auth_check(Manager *m, sd_bus_message *request, const char *action, char **details, auth_continue_t cont,
               void *userdata, void (*destroy)(void *userdata), sd_bus_error *error);
