/* SPDX-License-Identifier: Apache-2.0 */
#include "operation.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-error.h"
#include "cni-conflist.h"
#include "containerd-namespace.h"
#include "log.h"
#include "strv.h"
#include "systemd-client.h"

#define LOCK_RETRY_USEC (100U * 1000U)
#define LOCK_ATTEMPTS_MAX 100 /* 10 s */

static void operation_run(Operation *op);
static void operation_finish(Operation *op);
static void operation_start_deferred(Operation *op);

int operation_new(Manager *m, OperationKind kind, sd_bus_message *request, uint64_t flags, Operation **ret) {
        Operation *op = new0(Operation, 1);
        if (!op)
                return -ENOMEM;
        op->manager = m;
        op->kind = kind;
        op->request = sd_bus_message_ref(request);
        op->flags = flags;
        op->lock = STORE_LOCK_NULL;
        op->error = SD_BUS_ERROR_NULL;
        *ret = op;
        return 0;
}

static void step_done(Step *s) {
        free(s->unit);
        free(s->namespace_);
        free(s->data);
        free(s->removed);
}

Operation *operation_free(Operation *op) {
        if (!op)
                return NULL;
        for (size_t i = 0; i < op->n_steps; i++)
                step_done(&op->steps[i]);
        free(op->steps);
        for (size_t i = 0; i < op->n_outcomes; i++) {
                free(op->outcomes[i].kind);
                free(op->outcomes[i].name);
                free(op->outcomes[i].outcome);
                free(op->outcomes[i].message);
                free(op->outcomes[i].path);
        }
        free(op->outcomes);
        store_unlock(&op->lock);
        sd_event_source_disable_unref(op->retry);
        sd_bus_message_unref(op->request);
        sd_bus_error_free(&op->error);
        strv_free(op->removed);
        strv_free(op->warnings);
        free(op->realm);
        free(op->space);
        free(op->stack);
        free(op->cell);
        free(op->container);
        free(op->manifest);
        document_list_free(op->documents);
        free(op->result_path);
        free(op);
        return NULL;
}

int operation_fail(Operation *op, const char *name, const char *fmt, ...) {
        if (sd_bus_error_is_set(&op->error))
                return -EIO;
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        (void) sd_bus_error_set(&op->error, name, msg ?: "out of memory");
        return -EIO;
}

unsigned operation_new_group(Operation *op) {
        return op->next_group++;
}

Step *operation_add_step(Operation *op, StepType type, Resource *r, unsigned group) {
        Step *n = reallocarray(op->steps, op->n_steps + 1, sizeof(Step));
        if (!n)
                return NULL;
        op->steps = n;
        size_t at = MIN(op->insert_at, op->n_steps);
        memmove(op->steps + at + 1, op->steps + at, (op->n_steps - at) * sizeof(Step));
        op->n_steps++;
        op->insert_at = at + 1;
        Step *s = &op->steps[at];
        *s = (Step) { .type = type, .resource = r, .group = group };
        if (r && type != STEP_CALL) {
                const char *unit = *resource_unit_field(r);
                if (unit) {
                        s->unit = strdup(unit);
                        if (!s->unit)
                                return NULL;
                }
        }
        return s;
}

Step *operation_add_call(Operation *op, step_call_t call, Resource *r, unsigned group, void *data) {
        Step *s = operation_add_step(op, STEP_CALL, r, group);
        if (!s) {
                free(data);
                return NULL;
        }
        s->call = call;
        s->data = data;
        return s;
}

Step *operation_add_unit_step(Operation *op, StepType type, Resource *r, const char *unit, unsigned group) {
        Step *s = operation_add_step(op, type, r, group);
        if (!s)
                return NULL;
        if (unit) {
                free(s->unit);
                s->unit = strdup(unit);
                if (!s->unit)
                        return NULL;
        }
        return s;
}

int operation_add_outcome(Operation *op, const char *kind, const char *name, unsigned *ret_group) {
        Outcome *n = reallocarray(op->outcomes, op->n_outcomes + 1, sizeof(Outcome));
        if (!n)
                return -ENOMEM;
        op->outcomes = n;
        Outcome *o = &op->outcomes[op->n_outcomes];
        *o = (Outcome) { .kind = strdup(strempty(kind)), .name = strdup(strempty(name)) };
        op->n_outcomes++;
        if (!o->kind || !o->name)
                return -ENOMEM;
        /* groups and outcomes go together: group i is outcome i */
        op->next_group = MAX(op->next_group, (unsigned) op->n_outcomes);
        *ret_group = (unsigned) op->n_outcomes - 1;
        return 0;
}

int operation_set_outcome(Operation *op, unsigned group, const char *outcome, const char *message, const char *path) {
        if (group >= op->n_outcomes)
                return -EINVAL;
        Outcome *o = &op->outcomes[group];
        /* failed is final */
        if (streq_ptr(o->outcome, "failed"))
                return 0;
        free(o->outcome);
        o->outcome = strdup(outcome);
        if (message) {
                free(o->message);
                o->message = strdup(message);
        }
        if (path) {
                free(o->path);
                o->path = strdup(path);
        }
        return o->outcome ? 0 : -ENOMEM;
}

void operation_resource_failed(Operation *op, Resource *r, const char *reason, const char *message) {
        if (!r)
                return;
        (void) resource_set_state(r, RESOURCE_FAILED, reason, message);
        int k = resource_save(r);
        if (k < 0)
                log_resource_errno(LOG_ERR, k, r->realm, r->space, r->stack, NULL, "Cannot save %s %s: %m",
                                   resource_kind_name(r), resource_name(r));
        op->wrote = true;
        manager_resource_changed(op->manager, r);
}

/* ---- completion of a step ---- */

static bool step_absent(const Step *s, int r, const sd_bus_error *e) {
        switch (s->type) {
        case STEP_UNIT_STOP:
                return e && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit");
        case STEP_NAMESPACE_DELETE:
                return r == -ENOENT;
        case STEP_NAMESPACE_CREATE:
                return r == -EEXIST;
        default:
                return false;
        }
}

static void step_complete(Operation *op, Step *s, int r, const sd_bus_error *e) {
        Resource *res = s->resource;

        if (r >= 0 || step_absent(s, r, e) || s->type == STEP_UNIT_RESET_FAILED) {
                /* ResetFailedUnit fails whenever there is nothing to reset: never an error. */
                if (r >= 0 && s->removed) {
                        if (strv_push(&op->removed, s->removed) >= 0)
                                s->removed = NULL;
                }
                return;
        }

        /* What went wrong, as the caller will read it. */
        const char *name, *reason;
        _cleanup_free_ char *msg = NULL;
        int k;
        switch (s->type) {
        case STEP_NAMESPACE_CREATE:
        case STEP_NAMESPACE_DELETE:
                name = r == -ENOTCONN ? BUS_ERROR_CONTAINERD_UNAVAILABLE : SD_BUS_ERROR_FAILED;
                reason = "ContainerdFailed";
                k = asprintf(&msg, "containerd namespace %s: %s%s", s->namespace_,
                             r == -ENOTCONN ? "containerd is not reachable: " : "",
                             e && e->message ? e->message : strerror(-r));
                break;
        case STEP_CALL:
                name = e && e->name ? e->name : SD_BUS_ERROR_FAILED;
                reason = "Failed";
                k = asprintf(&msg, "%s", e && e->message ? e->message : strerror(-r));
                break;
        default:
                name = BUS_ERROR_SYSTEMD_FAILED;
                reason = "SystemdFailed";
                k = asprintf(&msg, "unit %s: %s%s%s", strna(s->unit), e && e->message ? e->message : strerror(-r),
                             e && e->name ? " (" : "", e && e->name ? e->name : "");
                if (k >= 0 && e && e->name) {
                        char *m2;
                        k = asprintf(&m2, "%s)", msg);
                        free(msg);
                        msg = k >= 0 ? m2 : NULL;
                }
        }
        if (k < 0)
                msg = NULL;

        if (s->best_effort) {
                log_resource_errno(LOG_WARNING, r, res ? res->realm : NULL, res ? res->space : NULL,
                                   res ? res->stack : NULL, s->unit, "%s (continuing)", strna(msg));
                (void) strv_extend(&op->warnings, strna(msg));
                return;
        }

        log_resource_errno(LOG_ERR, r, res ? res->realm : NULL, res ? res->space : NULL, res ? res->stack : NULL,
                           s->unit, "%s", strna(msg));
        if (op->kind == OPERATION_APPLY || op->kind == OPERATION_INIT)
                (void) operation_set_outcome(op, s->group, "failed", strna(msg), "/");
        else if (op->kind != OPERATION_RECONCILE)
                (void) operation_fail(op, name, "%s", strna(msg));
        if (res && op->kind != OPERATION_PURGE)
                operation_resource_failed(op, res, reason, msg);

        for (size_t i = op->current + 1; i < op->n_steps; i++)
                if (op->steps[i].group == s->group)
                        op->steps[i].skip = true;
}

static void step_systemd_done(int r, const sd_bus_error *e, const char *value, void *userdata) {
        Operation *op = userdata;
        Step *s = &op->steps[op->current];

        if (r >= 0 && s->type == STEP_READ_CGROUP && s->resource) {
                if (isempty(value)) {
                        r = -ENOENT;
                        _cleanup_(sd_bus_error_free) sd_bus_error e2 = SD_BUS_ERROR_NULL;
                        sd_bus_error_setf(&e2, BUS_ERROR_SYSTEMD_FAILED, "PID 1 reports no control group for %s",
                                          strna(s->unit));
                        step_complete(op, s, r, &e2);
                        op->current++;
                        operation_run(op);
                        return;
                }
                char **f = resource_cgroup_field(s->resource);
                char *c = streq_ptr(*f, value) ? NULL : strdup(value);
                if (c) {
                        s->resource->dirty = true;
                        free(*f);
                        *f = c;
                }
        }
        step_complete(op, s, r, e);
        op->current++;
        operation_run(op);
}

static void step_containerd_done(ContainerdClient *c, int error, const char *message, void *reply, void *userdata) {
        Operation *op = userdata;
        Step *s = &op->steps[op->current];
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        free(reply); /* namespace calls have none */
        if (error < 0 && message)
                sd_bus_error_set(&e, SD_BUS_ERROR_FAILED, message);
        if (error >= 0 && s->type == STEP_NAMESPACE_CREATE && s->resource && s->resource->kind == KIND_REALM)
                ((RealmDoc *) s->resource->doc)->status.containerd_namespace_ready = true;
        step_complete(op, s, error, error < 0 ? &e : NULL);
        op->current++;
        operation_run(op);
}

#define IN_SET_STEP_CALLS_NO_PID1(t) ((t) == STEP_CALL || (t) == STEP_NAMESPACE_CREATE || (t) == STEP_NAMESPACE_DELETE)

/* Starts a step: 0 when it completed synchronously (step_complete done), 1 when a callback
 * will continue the operation. */
static int step_start(Operation *op, Step *s) {
        Manager *m = op->manager;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        UnitProperty props[RESOURCE_SLICE_PROPERTIES_MAX];
        char description[256];
        size_t n;
        int r;

        if (!m->systemd && !IN_SET_STEP_CALLS_NO_PID1(s->type)) {
                sd_bus_error_set(&e, BUS_ERROR_SYSTEMD_FAILED,
                                 "PID 1 is not reachable (no system bus, no /run/systemd/private)");
                step_complete(op, s, -ENOTCONN, &e);
                return 0;
        }

        switch (s->type) {
        case STEP_CALL:
                r = s->call(op, s, &e);
                /* > 0: the call started something asynchronous and will end the step with
                 * operation_step_done() (cells: PID 1's jobs for scopes) */
                if (r > 0)
                        return 1;
                /* the call may have added steps, moving the array */
                step_complete(op, &op->steps[op->current], r, &e);
                return 0;

        case STEP_NAMESPACE_CREATE: {
                _cleanup_strv_free_ char **labels = NULL;
                if (s->resource) {
                        Metadata *md = resource_metadata(s->resource);
                        STRV_FOREACH(l, md->labels)
                                if (strv_extend(&labels, *l) < 0)
                                        return step_complete(op, s, -ENOMEM, NULL), 0;
                        if (strv_extend(&labels, "kukeon.io/realm") < 0 ||
                            strv_extend(&labels, s->resource->realm) < 0)
                                return step_complete(op, s, -ENOMEM, NULL), 0;
                }
                r = containerd_namespace_create(m->containerd, s->namespace_, labels, step_containerd_done, op);
                break;
        }
        case STEP_NAMESPACE_DELETE:
                r = containerd_namespace_delete(m->containerd, s->namespace_, step_containerd_done, op);
                break;
        case STEP_SLICE_START:
                n = resource_slice_properties(s->resource, description, sizeof(description), props, false);
                r = systemd_start_transient_unit(m->systemd, s->unit, props, n, 0, step_systemd_done, op);
                break;
        case STEP_SLICE_SET_LIMITS:
                n = resource_slice_properties(s->resource, description, sizeof(description), props, true);
                r = systemd_set_unit_properties(m->systemd, s->unit, true, props, n, 0, step_systemd_done, op);
                break;
        case STEP_UNIT_STOP:
                r = systemd_stop_unit(m->systemd, s->unit, 0, step_systemd_done, op);
                break;
        case STEP_UNIT_RESET_FAILED:
                r = systemd_reset_failed_unit(m->systemd, s->unit, 0, step_systemd_done, op);
                break;
        case STEP_READ_CGROUP:
                r = systemd_get_unit_property_string(m->systemd, s->unit, "org.freedesktop.systemd1.Slice",
                                                     "ControlGroup", 0, step_systemd_done, op);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0) {
                step_complete(op, s, r, NULL);
                return 0;
        }
        return 1;
}

void operation_step_done(Operation *op, int r, const sd_bus_error *e) {
        step_complete(op, &op->steps[op->current], r, e);
        op->current++;
        operation_run(op);
}

static void operation_run(Operation *op) {
        while (op->current < op->n_steps) {
                Step *s = &op->steps[op->current];
                if (s->skip) {
                        op->current++;
                        continue;
                }
                op->insert_at = op->current + 1;
                if (s->type != STEP_READ_CGROUP)
                        op->wrote = true;
                if (step_start(op, s) > 0)
                        return;
                op->current++;
        }
        operation_finish(op);
}

/* ---- replies ---- */

static int reply_outcomes(Operation *op) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool apply = op->kind == OPERATION_APPLY;
        int r;

        r = sd_bus_message_new_method_return(op->request, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', apply ? "(sssso)" : "(sss)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < op->n_outcomes; i++) {
                Outcome *o = &op->outcomes[i];
                if (apply)
                        r = sd_bus_message_append(reply, "(sssso)", o->kind, o->name, strempty(o->outcome),
                                                  strempty(o->message), o->path ?: "/");
                else
                        r = sd_bus_message_append(reply, "(sss)", o->kind, o->name, strempty(o->outcome));
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static void operation_reply(Operation *op) {
        int r = 0;

        if (!op->request)
                return;
        if (op->kind == OPERATION_PURGE && !sd_bus_error_is_set(&op->error) && !op->found && strv_length(op->removed) == 0)
                (void) operation_fail(op,
                                      op->target_kind == KIND_REALM ? BUS_ERROR_NO_SUCH_REALM :
                                      op->target_kind == KIND_SPACE ? BUS_ERROR_NO_SUCH_SPACE :
                                      op->target_kind == KIND_STACK ? BUS_ERROR_NO_SUCH_STACK :
                                      op->target_kind == KIND_CELL ? BUS_ERROR_NO_SUCH_CELL : BUS_ERROR_NO_SUCH_CONTAINER,
                                      "%s \"%s\" does not exist and left nothing to purge",
                                      kind_to_string(op->target_kind),
                                      op->container ?: op->cell ?: op->stack ?: op->space ?: strna(op->realm));

        if (sd_bus_error_is_set(&op->error)) {
                r = sd_bus_reply_method_error(op->request, &op->error);
        } else
                switch (op->kind) {
                case OPERATION_CREATE:
                        r = sd_bus_reply_method_return(op->request, "o", op->result_path ?: "/");
                        break;
                case OPERATION_DELETE:
                        r = sd_bus_reply_method_return(op->request, "");
                        break;
                case OPERATION_PURGE: {
                        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                        r = sd_bus_message_new_method_return(op->request, &reply);
                        if (r >= 0)
                                r = sd_bus_message_append_strv(reply, op->removed);
                        if (r >= 0)
                                r = sd_bus_send(NULL, reply, NULL);
                        break;
                }
                case OPERATION_APPLY:
                case OPERATION_INIT:
                        r = reply_outcomes(op);
                        break;
                default:
                        break;
                }
        if (r < 0)
                log_debug("Cannot send reply: %s", strerror(-r));
}

static void operation_finish(Operation *op) {
        Manager *m = op->manager;

        operation_reply(op);
        if (op->kind == OPERATION_RECONCILE) {
                m->startup_done = true;
                log_info("Start-up reconciliation done: %zu resources.", m->n_resources);
        }
        if (op->lock.fd >= 0 && op->wrote)
                manager_stamp_store(m, op->lock.fd);
        store_unlock(&op->lock);

        /* Next in line. */
        if (m->running == op)
                m->running = NULL;
        operation_free(op);
        manager_notify_status(m);

        Operation *next = m->queue;
        if (next) {
                m->queue = next->next;
                if (!m->queue)
                        m->queue_tail = NULL;
                next->next = NULL;
                m->running = next;
                /* from the loop, not from inside whatever callback finished this one */
                operation_start_deferred(next);
        }
}

static void operation_begin(Operation *op);

static int retry_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        Operation *op = userdata;
        op->retry = sd_event_source_disable_unref(op->retry);
        operation_begin(op);
        return 0;
}

static void operation_start_deferred(Operation *op) {
        int r = sd_event_add_time_relative(op->manager->event, &op->retry, CLOCK_MONOTONIC, 0, 0, retry_handler, op);
        if (r < 0)
                operation_begin(op);
}

static void operation_begin(Operation *op) {
        Manager *m = op->manager;
        int r;

        r = store_try_lock(m->store, &op->lock);
        if (r == -EBUSY) {
                if (++op->lock_attempts >= LOCK_ATTEMPTS_MAX) {
                        (void) operation_fail(op, BUS_ERROR_BUSY,
                                              "the run path %s is locked by another writer (kuke --no-daemon?); try again",
                                              store_run_path(m->store));
                        operation_finish(op);
                        return;
                }
                r = sd_event_add_time_relative(m->event, &op->retry, CLOCK_MONOTONIC, LOCK_RETRY_USEC, 0,
                                               retry_handler, op);
                if (r >= 0)
                        return;
        }
        if (r < 0) {
                (void) operation_fail(op, SD_BUS_ERROR_FAILED, "cannot lock the run path %s: %s",
                                      store_run_path(m->store), strerror(-r));
                operation_finish(op);
                return;
        }

        /* Someone else (kuke --no-daemon) may have written since we last looked. */
        (void) manager_refresh_if_stale(m);

        op->insert_at = op->n_steps;
        if (op->plan && op->plan(op) < 0) {
                operation_finish(op);
                return;
        }
        operation_run(op);
}

void operation_enqueue(Operation *op) {
        Manager *m = op->manager;
        if (m->running) {
                if (m->queue_tail)
                        m->queue_tail->next = op;
                else
                        m->queue = op;
                m->queue_tail = op;
                return;
        }
        m->running = op;
        operation_begin(op);
}
