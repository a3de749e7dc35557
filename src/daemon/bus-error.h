/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The named errors of the org.kukeon1 API (docs/dbus-api.md "Errors"). Errors become
 * sd_bus_error only here, at the D-Bus boundary; the errno each maps to lets sd-bus clients
 * that only look at errno still get something sensible. */

#include <systemd/sd-bus.h>

#include "v1beta1.h"

#define BUS_ERROR_NO_SUCH_REALM "org.kukeon1.Error.NoSuchRealm"
#define BUS_ERROR_NO_SUCH_SPACE "org.kukeon1.Error.NoSuchSpace"
#define BUS_ERROR_NO_SUCH_STACK "org.kukeon1.Error.NoSuchStack"
#define BUS_ERROR_NO_SUCH_CELL "org.kukeon1.Error.NoSuchCell"
#define BUS_ERROR_NO_SUCH_CONTAINER "org.kukeon1.Error.NoSuchContainer"
#define BUS_ERROR_CELL_NOT_RUNNING "org.kukeon1.Error.CellNotRunning"
#define BUS_ERROR_ROOT_CONTAINER "org.kukeon1.Error.RootContainer"
#define BUS_ERROR_NO_SUCH_IMAGE "org.kukeon1.Error.NoSuchImage"
#define BUS_ERROR_INVALID_IMAGE "org.kukeon1.Error.InvalidImage"
#define BUS_ERROR_ALREADY_EXISTS "org.kukeon1.Error.AlreadyExists"
#define BUS_ERROR_HAS_CHILDREN "org.kukeon1.Error.HasChildren"
#define BUS_ERROR_INVALID_NAME "org.kukeon1.Error.InvalidName"
#define BUS_ERROR_INVALID_MANIFEST "org.kukeon1.Error.InvalidManifest"
#define BUS_ERROR_CONTAINERD_UNAVAILABLE "org.kukeon1.Error.ContainerdUnavailable"
#define BUS_ERROR_SYSTEMD_FAILED "org.kukeon1.Error.SystemdFailed"
#define BUS_ERROR_NETWORK_FAILED "org.kukeon1.Error.NetworkFailed"
#define BUS_ERROR_BUSY "org.kukeon1.Error.Busy"

/* Registers the errno mapping with sd-bus; call once at start. */
int bus_error_register(void);

/* Checks a realm, space, stack or cell name; a bad one becomes InvalidName with the reason.
 * Returns 0, -ENOMEM, or the negative errno sd_bus_error_set() gives for the error. */
int bus_check_name(Kind kind, const char *name, sd_bus_error *error);
