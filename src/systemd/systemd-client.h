/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* An asynchronous client of PID 1 (org.freedesktop.systemd1) on an sd-bus connection that is
 * attached to an sd-event loop (design.md §2):
 *
 *   - every call is asynchronous and has a timeout;
 *   - job-creating calls (StartTransientUnit, StopUnit) complete when PID 1 signals the
 *     job's JobRemoved, through a match installed once, before any call is made;
 *   - StartTransientUnit that fails with UnitExists is retried once after ResetFailedUnit
 *     (a failed or dying unit of the same name); if the unit still exists it is taken as there.
 *
 * The API is general: a transient unit is a name plus a property list, so the slices of realms,
 * spaces and stacks and the scopes of cells (later) use the same call. Library code: it never
 * logs above debug; PID 1's errors come back as an sd_bus_error to the caller. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "macro.h"

typedef struct SystemdClient SystemdClient;
typedef struct SystemdCall SystemdCall;

/* One unit property as StartTransientUnit/SetUnitProperties take it: name and a value of one
 * of the signatures "s", "b", "t", "u", "i" or "au". */
typedef struct UnitProperty {
        const char *name;
        const char *signature;
        union {
                const char *s;
                bool b;
                uint64_t t;
                uint32_t u;
                int32_t i;
                struct {
                        const uint32_t *v;
                        size_t n;
                } au;
        };
} UnitProperty;

#define UNIT_PROPERTY_STRING(n, x) ((UnitProperty) { .name = (n), .signature = "s", .s = (x) })
/* A list of one unit name (Before=, After=, Wants= …), in .s */
#define UNIT_PROPERTY_UNIT_LIST(n, x) ((UnitProperty) { .name = (n), .signature = "as", .s = (x) })
#define UNIT_PROPERTY_BOOL(n, x) ((UnitProperty) { .name = (n), .signature = "b", .b = (x) })
#define UNIT_PROPERTY_UINT64(n, x) ((UnitProperty) { .name = (n), .signature = "t", .t = (x) })

/* Default timeout of one call to PID 1, and of waiting for a job. */
#define SYSTEMD_CALL_TIMEOUT_USEC (30U * 1000U * 1000U)

/* The outcome of a call: r is 0 on success or a negative errno; on failure 'error' names
 * PID 1's error (org.freedesktop.systemd1.NoSuchUnit …) or, for a job that did not finish
 * with "done", org.kukeon1.Error.SystemdFailed with the job's result. 'value' is the string
 * read by systemd_get_unit_property_string(), NULL otherwise. The call object is freed after
 * the callback returns. */
typedef void (*systemd_callback_t)(int r, const sd_bus_error *error, const char *value, void *userdata);

/* Installs the JobRemoved match (synchronously, so it is in place before any call) and
 * subscribes to PID 1's signals. The bus must be attached to an event loop. */
int systemd_client_new(sd_bus *bus, SystemdClient **ret);
/* Cancels every pending call (their callbacks are not called). NULL-safe. */
SystemdClient *systemd_client_free(SystemdClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(SystemdClient *, systemd_client_free);

sd_bus *systemd_client_bus(SystemdClient *c);
/* Number of calls in flight: for tests and for a clean shutdown. */
size_t systemd_client_pending(SystemdClient *c);

/* StartTransientUnit(unit, "fail", props, []) and wait for the job. */
int systemd_start_transient_unit(SystemdClient *c, const char *unit, const UnitProperty *props, size_t n_props,
                                 uint64_t timeout_usec, systemd_callback_t cb, void *userdata);
/* StopUnit(unit, "replace") and wait for the job. A unit PID 1 does not know fails with
 * org.freedesktop.systemd1.NoSuchUnit. */
int systemd_stop_unit(SystemdClient *c, const char *unit, uint64_t timeout_usec, systemd_callback_t cb,
                      void *userdata);
/* ResetFailedUnit(unit): no job. */
int systemd_reset_failed_unit(SystemdClient *c, const char *unit, uint64_t timeout_usec, systemd_callback_t cb,
                              void *userdata);
/* SetUnitProperties(unit, runtime, props): changes a live unit (a transient unit's properties
 * with runtime=true go to /run, never to /etc). */
int systemd_set_unit_properties(SystemdClient *c, const char *unit, bool runtime, const UnitProperty *props,
                                size_t n_props, uint64_t timeout_usec, systemd_callback_t cb, void *userdata);
/* Reads a string property of a unit, e.g. ("kukeon-a.slice", "org.freedesktop.systemd1.Slice",
 * "ControlGroup"), or ("…", "org.freedesktop.systemd1.Unit", "ActiveState"). */
int systemd_get_unit_property_string(SystemdClient *c, const char *unit, const char *interface,
                                     const char *property, uint64_t timeout_usec, systemd_callback_t cb,
                                     void *userdata);

/* The object path PID 1 gives a unit: /org/freedesktop/systemd1/unit/<bus-escaped name>. */
int systemd_unit_object_path(const char *unit, char **ret);
