/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* For unit tests only: a private dbus-daemon in a temporary directory, and a stand-in for PID 1
 * on it (org.freedesktop.systemd1) served by a thread of the test. The stand-in keeps a set of
 * "active" units and a log of the calls it got, and answers like PID 1 does:
 *   StartTransientUnit  UnitExists for an active unit; else a job, then JobRemoved "done"
 *                       ("failed" for units named fail*, no JobRemoved at all for hang*)
 *   StopUnit            NoSuchUnit for an unknown unit; else a job, then JobRemoved "done"
 *   ResetFailedUnit, SetUnitProperties, Subscribe   recorded, answered
 *   Properties.Get Slice.ControlGroup               the cgroup path systemd would give */

#include <stdbool.h>
#include <sys/types.h>

typedef struct PrivateBus {
        char dir[256];
        char address[512];
        pid_t pid;
} PrivateBus;

/* Starts dbus-daemon with a permissive configuration in a new directory below 'parent'. */
int private_bus_start(const char *parent, PrivateBus *ret);
void private_bus_stop(PrivateBus *b);

typedef struct FakeSystemd FakeSystemd;

int fake_systemd_start(const char *address, FakeSystemd **ret);
void fake_systemd_stop(FakeSystemd *f);

/* How many calls of 'method' (e.g. "StartTransientUnit") named 'unit' (NULL: any) it got. */
unsigned fake_systemd_count(FakeSystemd *f, const char *method, const char *unit);
bool fake_systemd_unit_active(FakeSystemd *f, const char *unit);
/* The value of the last SetUnitProperties/StartTransientUnit property 'name' (uint64) of the
 * unit, or UINT64_MAX - 1 when never seen. */
unsigned long long fake_systemd_last_property(FakeSystemd *f, const char *unit, const char *name);
