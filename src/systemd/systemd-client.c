/* SPDX-License-Identifier: Apache-2.0 */
#include "systemd-client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT_PREFIX "/org/freedesktop/systemd1/unit"
#define ERROR_UNIT_EXISTS "org.freedesktop.systemd1.UnitExists"
#define ERROR_JOB_FAILED "org.kukeon1.Error.SystemdFailed"

/* JobRemoved signals can overtake the reply that names the job (PID 1 sends both, and a
 * slice's start job may finish before we read the reply): remember a few unclaimed ones. */
#define UNCLAIMED_MAX 32

typedef enum CallKind {
        CALL_START_TRANSIENT,
        CALL_STOP,
        CALL_RESET_FAILED,
        CALL_SET_PROPERTIES,
        CALL_GET_PROPERTY,
} CallKind;

typedef enum CallPhase {
        PHASE_METHOD,      /* waiting for the method reply */
        PHASE_JOB,         /* waiting for JobRemoved */
        PHASE_RESET,       /* the ResetFailedUnit before the UnitExists retry */
} CallPhase;

struct SystemdCall {
        SystemdClient *client;
        SystemdCall *next, *prev;
        CallKind kind;
        CallPhase phase;
        char *unit;
        char *interface, *property;
        UnitProperty *props;
        size_t n_props;
        bool runtime;
        bool retried;
        uint64_t timeout_usec;
        char *job;
        sd_bus_slot *slot;
        sd_event_source *timer;
        systemd_callback_t cb;
        void *userdata;
};

typedef struct Unclaimed {
        char *job;
        char *result;
} Unclaimed;

struct SystemdClient {
        sd_bus *bus;
        sd_bus_slot *job_removed_slot;
        SystemdCall *calls;
        Unclaimed unclaimed[UNCLAIMED_MAX];
        size_t unclaimed_next;
};

static void props_free(UnitProperty *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (STR_IN_SET(strempty(p[i].signature), "s", "as"))
                        free((char *) p[i].s);
                else if (streq_ptr(p[i].signature, "au"))
                        free((uint32_t *) p[i].au.v);
                free((char *) p[i].name);
                free((char *) p[i].signature);
        }
        free(p);
}

/* A deep copy, so a retry can send the same list again after the caller's storage is gone. */
static int props_copy(const UnitProperty *p, size_t n, UnitProperty **ret) {
        UnitProperty *c = new0(UnitProperty, n);
        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (!p[i].name || !p[i].signature ||
                    !STR_IN_SET(p[i].signature, "s", "as", "b", "t", "u", "i", "au")) {
                        props_free(c, i);
                        return -EINVAL;
                }
                c[i] = p[i];
                c[i].name = strdup(p[i].name);
                c[i].signature = strdup(p[i].signature);
                if (STR_IN_SET(p[i].signature, "s", "as"))
                        c[i].s = strdup(strempty(p[i].s));
                else if (streq(p[i].signature, "au")) {
                        c[i].au.v = NULL;
                        if (p[i].au.n > 0) {
                                uint32_t *v = new0(uint32_t, p[i].au.n);
                                if (v)
                                        memcpy(v, p[i].au.v, p[i].au.n * sizeof(uint32_t));
                                c[i].au.v = v;
                        }
                }
                if (!c[i].name || !c[i].signature || (STR_IN_SET(p[i].signature, "s", "as") && !c[i].s) ||
                    (streq(p[i].signature, "au") && p[i].au.n > 0 && !c[i].au.v)) {
                        props_free(c, i + 1);
                        return -ENOMEM;
                }
        }
        *ret = c;
        return 0;
}

static int props_append(sd_bus_message *m, const UnitProperty *p, size_t n) {
        int r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *sig = p[i].signature;
                if (streq(sig, "s"))
                        r = sd_bus_message_append(m, "(sv)", p[i].name, "s", p[i].s);
                else if (streq(sig, "as"))
                        r = sd_bus_message_append(m, "(sv)", p[i].name, "as", 1, p[i].s);
                else if (streq(sig, "b"))
                        r = sd_bus_message_append(m, "(sv)", p[i].name, "b", (int) p[i].b);
                else if (streq(sig, "t"))
                        r = sd_bus_message_append(m, "(sv)", p[i].name, "t", p[i].t);
                else if (streq(sig, "u"))
                        r = sd_bus_message_append(m, "(sv)", p[i].name, "u", p[i].u);
                else if (streq(sig, "i"))
                        r = sd_bus_message_append(m, "(sv)", p[i].name, "i", p[i].i);
                else {
                        r = sd_bus_message_open_container(m, 'r', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append(m, "s", p[i].name);
                        if (r >= 0)
                                r = sd_bus_message_open_container(m, 'v', "au");
                        if (r >= 0)
                                r = sd_bus_message_append_array(m, 'u', p[i].au.v,
                                                                p[i].au.n * sizeof(uint32_t));
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

static SystemdCall *call_free(SystemdCall *call) {
        if (!call)
                return NULL;
        if (call->client) {
                if (call->prev)
                        call->prev->next = call->next;
                else
                        call->client->calls = call->next;
                if (call->next)
                        call->next->prev = call->prev;
        }
        sd_bus_slot_unref(call->slot);
        sd_event_source_disable_unref(call->timer);
        props_free(call->props, call->n_props);
        free(call->unit);
        free(call->interface);
        free(call->property);
        free(call->job);
        free(call);
        return NULL;
}

/* Ends a call: the callback, then the call is gone. */
static void call_finish(SystemdCall *call, int r, const sd_bus_error *error, const char *value) {
        systemd_callback_t cb = call->cb;
        void *userdata = call->userdata;
        /* Detach first: the callback may start new calls or free the client. */
        call->slot = sd_bus_slot_unref(call->slot);
        call->timer = sd_event_source_disable_unref(call->timer);
        call_free(call);
        if (cb)
                cb(r, error, value, userdata);
}

static void call_fail(SystemdCall *call, int r, const char *name, const char *fmt, ...) _printf_(4, 5);
static void call_fail(SystemdCall *call, int r, const char *name, const char *fmt, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        (void) sd_bus_error_set(&error, name, msg ?: "out of memory");
        call_finish(call, r, &error, NULL);
}

static int call_send(SystemdCall *call);

static int job_timeout_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        SystemdCall *call = userdata;
        call_fail(call, -ETIMEDOUT, SD_BUS_ERROR_TIMEOUT, "timed out waiting for PID 1's job %s on %s",
                  strna(call->job), call->unit);
        return 0;
}

/* The job of a call finished with 'result'. */
static void call_job_done(SystemdCall *call, const char *result) {
        if (streq(result, "done"))
                call_finish(call, 0, NULL, NULL);
        else
                call_fail(call, -EIO, ERROR_JOB_FAILED, "PID 1's %s job for %s finished with result '%s'",
                          call->kind == CALL_STOP ? "stop" : "start", call->unit, result);
}

static int job_removed_handler(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        SystemdClient *c = userdata;
        const char *job, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        for (SystemdCall *call = c->calls; call; call = call->next)
                if (call->phase == PHASE_JOB && streq_ptr(call->job, job)) {
                        call_job_done(call, result);
                        return 0;
                }

        /* Not ours yet: perhaps the reply naming it is still on its way. */
        Unclaimed *u = &c->unclaimed[c->unclaimed_next];
        free(u->job);
        free(u->result);
        u->job = strdup(job);
        u->result = strdup(result);
        c->unclaimed_next = (c->unclaimed_next + 1) % UNCLAIMED_MAX;
        return 0;
}

static int call_wait_job(SystemdCall *call, const char *job) {
        SystemdClient *c = call->client;
        int r;

        call->job = strdup(job);
        if (!call->job)
                return -ENOMEM;
        call->phase = PHASE_JOB;

        for (size_t i = 0; i < UNCLAIMED_MAX; i++)
                if (streq_ptr(c->unclaimed[i].job, job)) {
                        _cleanup_free_ char *result = TAKE_PTR(c->unclaimed[i].result);
                        c->unclaimed[i].job = mfree(c->unclaimed[i].job);
                        call_job_done(call, strempty(result));
                        return 0;
                }

        sd_event *e = sd_bus_get_event(c->bus);
        if (!e)
                return -ENXIO;
        r = sd_event_add_time_relative(e, &call->timer, CLOCK_MONOTONIC, call->timeout_usec, 0,
                                       job_timeout_handler, call);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(call->timer, "systemd-job-timeout");
        return 0;
}

static int method_reply_handler(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SystemdCall *call = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int r;

        call->slot = sd_bus_slot_unref(call->slot);

        if (call->phase == PHASE_RESET) {
                /* Whatever ResetFailedUnit said, try the start again once. */
                call->phase = PHASE_METHOD;
                r = call_send(call);
                if (r < 0)
                        call_fail(call, r, SD_BUS_ERROR_FAILED, "cannot call PID 1: %s", strerror(-r));
                return 0;
        }

        if (e) {
                if (call->kind == CALL_START_TRANSIENT && sd_bus_error_has_name(e, ERROR_UNIT_EXISTS)) {
                        if (!call->retried) {
                                call->retried = true;
                                call->phase = PHASE_RESET;
                                r = sd_bus_call_method_async(call->client->bus, &call->slot, SYSTEMD_DEST,
                                                             SYSTEMD_PATH, SYSTEMD_MANAGER, "ResetFailedUnit",
                                                             method_reply_handler, call, "s", call->unit);
                                if (r < 0)
                                        call_fail(call, r, SD_BUS_ERROR_FAILED, "cannot call PID 1: %s",
                                                  strerror(-r));
                                return 0;
                        }
                        /* Still there after the reset: a live unit of that name, which is
                         * what the caller wanted. */
                        call_finish(call, 0, NULL, NULL);
                        return 0;
                }
                call_finish(call, -sd_bus_error_get_errno(e) ?: -EIO, e, NULL);
                return 0;
        }

        switch (call->kind) {
        case CALL_START_TRANSIENT:
        case CALL_STOP: {
                const char *job;
                r = sd_bus_message_read(reply, "o", &job);
                if (r < 0) {
                        call_fail(call, r, SD_BUS_ERROR_INVALID_ARGS, "unexpected reply from PID 1");
                        return 0;
                }
                r = call_wait_job(call, job);
                if (r < 0)
                        call_fail(call, r, SD_BUS_ERROR_FAILED, "cannot wait for job %s: %s", job, strerror(-r));
                return 0;
        }
        case CALL_GET_PROPERTY: {
                const char *value;
                r = sd_bus_message_read(reply, "v", "s", &value);
                if (r < 0) {
                        call_fail(call, r, SD_BUS_ERROR_INVALID_ARGS, "unexpected reply from PID 1 for %s.%s",
                                  call->unit, call->property);
                        return 0;
                }
                call_finish(call, 0, NULL, value);
                return 0;
        }
        default:
                call_finish(call, 0, NULL, NULL);
                return 0;
        }
}

static int call_send(SystemdCall *call) {
        SystemdClient *c = call->client;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        switch (call->kind) {
        case CALL_START_TRANSIENT:
                r = sd_bus_message_new_method_call(c->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                                   "StartTransientUnit");
                if (r < 0)
                        return r;
                r = sd_bus_message_append(m, "ss", call->unit, "fail");
                if (r < 0)
                        return r;
                r = props_append(m, call->props, call->n_props);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
                break;
        case CALL_STOP:
                r = sd_bus_message_new_method_call(c->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                                   "StopUnit");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ss", call->unit, "replace");
                break;
        case CALL_RESET_FAILED:
                r = sd_bus_message_new_method_call(c->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                                   "ResetFailedUnit");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", call->unit);
                break;
        case CALL_SET_PROPERTIES:
                r = sd_bus_message_new_method_call(c->bus, &m, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                                   "SetUnitProperties");
                if (r < 0)
                        return r;
                r = sd_bus_message_append(m, "sb", call->unit, (int) call->runtime);
                if (r >= 0)
                        r = props_append(m, call->props, call->n_props);
                break;
        case CALL_GET_PROPERTY:
                r = systemd_unit_object_path(call->unit, &path);
                if (r < 0)
                        return r;
                r = sd_bus_message_new_method_call(c->bus, &m, SYSTEMD_DEST, path,
                                                   "org.freedesktop.DBus.Properties", "Get");
                if (r >= 0)
                        r = sd_bus_message_append(m, "ss", call->interface, call->property);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;

        r = sd_bus_call_async(c->bus, &call->slot, m, method_reply_handler, call, call->timeout_usec);
        if (r < 0)
                return r;
        return 0;
}

static int call_new(SystemdClient *c, CallKind kind, const char *unit, uint64_t timeout_usec, systemd_callback_t cb,
                    void *userdata, SystemdCall **ret) {
        if (!c || isempty(unit))
                return -EINVAL;
        SystemdCall *call = new0(SystemdCall, 1);
        if (!call)
                return -ENOMEM;
        call->kind = kind;
        call->unit = strdup(unit);
        if (!call->unit) {
                free(call);
                return -ENOMEM;
        }
        call->timeout_usec = timeout_usec ?: SYSTEMD_CALL_TIMEOUT_USEC;
        call->cb = cb;
        call->userdata = userdata;
        call->client = c;
        call->next = c->calls;
        if (c->calls)
                c->calls->prev = call;
        c->calls = call;
        *ret = call;
        return 0;
}

/* Sends the call; on failure the call is freed without its callback and the error returned. */
static int call_start(SystemdCall *call) {
        int r = call_send(call);
        if (r < 0) {
                call->cb = NULL;
                call_free(call);
        }
        return r;
}

int systemd_start_transient_unit(SystemdClient *c, const char *unit, const UnitProperty *props, size_t n_props,
                                 uint64_t timeout_usec, systemd_callback_t cb, void *userdata) {
        SystemdCall *call;
        int r = call_new(c, CALL_START_TRANSIENT, unit, timeout_usec, cb, userdata, &call);
        if (r < 0)
                return r;
        r = props_copy(props, n_props, &call->props);
        if (r < 0) {
                call_free(call);
                return r;
        }
        call->n_props = n_props;
        return call_start(call);
}

int systemd_stop_unit(SystemdClient *c, const char *unit, uint64_t timeout_usec, systemd_callback_t cb,
                      void *userdata) {
        SystemdCall *call;
        int r = call_new(c, CALL_STOP, unit, timeout_usec, cb, userdata, &call);
        if (r < 0)
                return r;
        return call_start(call);
}

int systemd_reset_failed_unit(SystemdClient *c, const char *unit, uint64_t timeout_usec, systemd_callback_t cb,
                              void *userdata) {
        SystemdCall *call;
        int r = call_new(c, CALL_RESET_FAILED, unit, timeout_usec, cb, userdata, &call);
        if (r < 0)
                return r;
        return call_start(call);
}

int systemd_set_unit_properties(SystemdClient *c, const char *unit, bool runtime, const UnitProperty *props,
                                size_t n_props, uint64_t timeout_usec, systemd_callback_t cb, void *userdata) {
        SystemdCall *call;
        int r = call_new(c, CALL_SET_PROPERTIES, unit, timeout_usec, cb, userdata, &call);
        if (r < 0)
                return r;
        call->runtime = runtime;
        r = props_copy(props, n_props, &call->props);
        if (r < 0) {
                call_free(call);
                return r;
        }
        call->n_props = n_props;
        return call_start(call);
}

int systemd_get_unit_property_string(SystemdClient *c, const char *unit, const char *interface,
                                     const char *property, uint64_t timeout_usec, systemd_callback_t cb,
                                     void *userdata) {
        SystemdCall *call;
        if (isempty(interface) || isempty(property))
                return -EINVAL;
        int r = call_new(c, CALL_GET_PROPERTY, unit, timeout_usec, cb, userdata, &call);
        if (r < 0)
                return r;
        call->interface = strdup(interface);
        call->property = strdup(property);
        if (!call->interface || !call->property) {
                call_free(call);
                return -ENOMEM;
        }
        return call_start(call);
}

int systemd_unit_object_path(const char *unit, char **ret) {
        if (isempty(unit))
                return -EINVAL;
        return sd_bus_path_encode(SYSTEMD_UNIT_PREFIX, unit, ret);
}

int systemd_client_new(sd_bus *bus, SystemdClient **ret) {
        int r;

        if (!bus || !ret)
                return -EINVAL;
        SystemdClient *c = new0(SystemdClient, 1);
        if (!c)
                return -ENOMEM;
        c->bus = sd_bus_ref(bus);

        /* Synchronously: a job created by our first call must not finish unseen. */
        r = sd_bus_match_signal(bus, &c->job_removed_slot, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                "JobRemoved", job_removed_handler, c);
        if (r < 0) {
                systemd_client_free(c);
                return r;
        }
        /* Subscribe so that PID 1 sends its signals on the bus at all (on a direct
         * connection it always does); its reply does not matter. */
        r = sd_bus_call_method_async(bus, NULL, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER, "Subscribe", NULL,
                                     NULL, "");
        if (r < 0) {
                systemd_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

SystemdClient *systemd_client_free(SystemdClient *c) {
        if (!c)
                return NULL;
        while (c->calls) {
                c->calls->cb = NULL;
                call_free(c->calls);
        }
        for (size_t i = 0; i < UNCLAIMED_MAX; i++) {
                free(c->unclaimed[i].job);
                free(c->unclaimed[i].result);
        }
        sd_bus_slot_unref(c->job_removed_slot);
        sd_bus_unref(c->bus);
        free(c);
        return NULL;
}

sd_bus *systemd_client_bus(SystemdClient *c) {
        return c ? c->bus : NULL;
}

size_t systemd_client_pending(SystemdClient *c) {
        size_t n = 0;
        for (SystemdCall *call = c ? c->calls : NULL; call; call = call->next)
                n++;
        return n;
}
