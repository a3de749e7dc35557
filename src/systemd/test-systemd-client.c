/* SPDX-License-Identifier: Apache-2.0 */
/* The PID 1 client against a stand-in for PID 1 on a private bus (fake-systemd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "fake-systemd.h"
#include "macro.h"
#include "systemd-client.h"
#include "tests.h"

static PrivateBus pbus;
static FakeSystemd *fake;

typedef struct Result {
        bool done;
        int r;
        char error[256];
        char value[256];
} Result;

static void on_done(int r, const sd_bus_error *e, const char *value, void *userdata) {
        Result *res = userdata;
        res->done = true;
        res->r = r;
        snprintf(res->error, sizeof(res->error), "%s", e && e->name ? e->name : "");
        snprintf(res->value, sizeof(res->value), "%s", strempty(value));
}

static sd_event *event;
static sd_bus *bus;
static SystemdClient *client;

static void wait_for(Result *res) {
        for (int i = 0; i < 2000 && !res->done; i++)
                ASSERT_OK(sd_event_run(event, 10 * 1000));
        ASSERT_TRUE(res->done);
}

static void test_start_stop(void) {
        Result res = {};
        UnitProperty props[] = {
                UNIT_PROPERTY_STRING("Description", "test"),
                UNIT_PROPERTY_BOOL("DefaultDependencies", false),
                UNIT_PROPERTY_UINT64("TasksMax", 42),
        };
        ASSERT_OK(systemd_start_transient_unit(client, "kukeon-a.slice", props, ELEMENTSOF(props), 0, on_done, &res));
        wait_for(&res);
        ASSERT_EQ(res.r, 0);
        ASSERT_TRUE(fake_systemd_unit_active(fake, "kukeon-a.slice"));
        ASSERT_EQ(fake_systemd_last_property(fake, "kukeon-a.slice", "TasksMax"), 42);
        ASSERT_EQ(systemd_client_pending(client), 0);

        /* ControlGroup read back */
        res = (Result) {};
        ASSERT_OK(systemd_get_unit_property_string(client, "kukeon-a.slice", "org.freedesktop.systemd1.Slice", "ControlGroup", 0,
                                                   on_done, &res));
        wait_for(&res);
        ASSERT_EQ(res.r, 0);
        ASSERT_STREQ(res.value, "/kukeon.slice/kukeon-a.slice");

        /* an existing unit: ResetFailedUnit, one retry, then taken as there */
        unsigned resets = fake_systemd_count(fake, "ResetFailedUnit", "kukeon-a.slice");
        res = (Result) {};
        ASSERT_OK(systemd_start_transient_unit(client, "kukeon-a.slice", props, ELEMENTSOF(props), 0, on_done, &res));
        wait_for(&res);
        ASSERT_EQ(res.r, 0);
        ASSERT_EQ(fake_systemd_count(fake, "ResetFailedUnit", "kukeon-a.slice"), resets + 1);
        ASSERT_EQ(fake_systemd_count(fake, "StartTransientUnit", "kukeon-a.slice"), 3);

        /* SetUnitProperties */
        res = (Result) {};
        UnitProperty change[] = { UNIT_PROPERTY_UINT64("TasksMax", 7) };
        ASSERT_OK(systemd_set_unit_properties(client, "kukeon-a.slice", true, change, 1, 0, on_done, &res));
        wait_for(&res);
        ASSERT_EQ(res.r, 0);
        ASSERT_EQ(fake_systemd_last_property(fake, "kukeon-a.slice", "TasksMax"), 7);

        /* stop, then stop again: NoSuchUnit */
        res = (Result) {};
        ASSERT_OK(systemd_stop_unit(client, "kukeon-a.slice", 0, on_done, &res));
        wait_for(&res);
        ASSERT_EQ(res.r, 0);
        ASSERT_FALSE(fake_systemd_unit_active(fake, "kukeon-a.slice"));
        res = (Result) {};
        ASSERT_OK(systemd_stop_unit(client, "kukeon-a.slice", 0, on_done, &res));
        wait_for(&res);
        ASSERT_TRUE(res.r < 0);
        ASSERT_STREQ(res.error, "org.freedesktop.systemd1.NoSuchUnit");
}

static void test_job_failed_and_timeout(void) {
        Result res = {};
        ASSERT_OK(systemd_start_transient_unit(client, "fail-x.slice", NULL, 0, 0, on_done, &res));
        wait_for(&res);
        ASSERT_TRUE(res.r < 0);
        ASSERT_STREQ(res.error, "org.kukeon1.Error.SystemdFailed");

        /* a job whose JobRemoved never comes: the timeout ends it */
        res = (Result) {};
        ASSERT_OK(systemd_start_transient_unit(client, "hang-x.slice", NULL, 0, 200 * 1000, on_done, &res));
        wait_for(&res);
        ASSERT_EQ(res.r, -ETIMEDOUT);
        ASSERT_EQ(systemd_client_pending(client), 0);
}

static void test_bad_arguments(void) {
        Result res = {};
        UnitProperty bad[] = { { .name = "X", .signature = "q" } };
        ASSERT_ERROR(systemd_start_transient_unit(client, "x.slice", bad, 1, 0, on_done, &res), EINVAL);
        ASSERT_ERROR(systemd_stop_unit(client, "", 0, on_done, &res), EINVAL);
        ASSERT_FALSE(res.done);
        ASSERT_EQ(systemd_client_pending(client), 0);

        /* freeing the client with a call in flight cancels it without its callback */
        ASSERT_OK(systemd_start_transient_unit(client, "hang-y.slice", NULL, 0, 0, on_done, &res));
        ASSERT_EQ(systemd_client_pending(client), 1);
}

int main(void) {
        char cwd[256];
        ASSERT_NOT_NULL(getcwd(cwd, sizeof(cwd)));
        if (access("/usr/bin/dbus-daemon", X_OK) < 0) {
                printf("no dbus-daemon: skipped\n");
                return 77;
        }
        ASSERT_OK(private_bus_start(cwd, &pbus));
        ASSERT_OK(fake_systemd_start(pbus.address, &fake));

        ASSERT_OK(sd_event_new(&event));
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_OK(sd_bus_set_address(bus, pbus.address));
        ASSERT_OK(sd_bus_set_bus_client(bus, true));
        ASSERT_OK(sd_bus_start(bus));
        ASSERT_OK(sd_bus_attach_event(bus, event, 0));
        ASSERT_OK(systemd_client_new(bus, &client));

        test_start_stop();
        test_job_failed_and_timeout();
        test_bad_arguments();

        client = systemd_client_free(client);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        fake_systemd_stop(fake);
        private_bus_stop(&pbus);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pbus.dir);
        (void) system(cmd);
        printf("3 tests passed\n");
        return 0;
}
