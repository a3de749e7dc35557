/* SPDX-License-Identifier: Apache-2.0 */
/* The verbs of one container of a cell (docs/dbus-api.md, "Containers of a cell"):
 *
 *   start  = a fresh task on the container's snapshot, in the running cell (the anchor's
 *            namespaces), → Ready; the cell must be Ready
 *   stop   = SIGTERM, SIGKILL after the cell's grace period, task deleted → Stopped; kill: SIGKILL
 *   delete = stop, then the containerd container and snapshot; the container leaves the cell's
 *            spec and status (never the root container: that is deleting the cell)
 *   purge  = delete with SIGKILL, best effort, reporting what it removed
 *
 * The anchor, not the root container, holds the cell's namespaces, so none of these touches
 * the cell's address or its other containers. Once no container runs, the cell ends as when
 * its containers exit on their own (cell_follow_containers()). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-error.h"
#include "cell-internal.h"
#include "log.h"
#include "object-path.h"
#include "strv.h"
#include "yaml-codec.h"

const ContainerSpec *cell_container_spec(const Cell *c, const char *name) {
        for (size_t i = 0; i < c->doc->spec.n_containers; i++)
                if (streq_ptr(c->doc->spec.containers[i].id, name))
                        return &c->doc->spec.containers[i];
        return NULL;
}

const char *container_state_string(const Cell *c, const char *name) {
        const ContainerStatus *st = cell_container_status_find(c, name);
        return enum_to_string(&container_state_enum, st ? (int) st->state : (int) CONTAINER_STATE_PENDING);
}

/* A Container document (kind Container, spec and status) for GetContainer. */
int container_format(const Cell *c, const ContainerSpec *spec, char **ret) {
        ContainerDoc d = {};
        const ContainerStatus *st = cell_container_status_find(c, spec->id);
        int k;

        if (!(d.api_version = strdup(API_VERSION_V1BETA1)) || !(d.kind = strdup("Container")) ||
            !(d.metadata.name = strdup(spec->id)))
                k = -ENOMEM;
        else
                k = schema_copy(&container_spec_schema, &d.spec, spec);
        if (k >= 0 && st)
                k = schema_copy(&container_status_schema, &d.status, st);
        else if (k >= 0 && !(d.status.name = strdup(spec->id)))
                k = -ENOMEM;
        if (k >= 0)
                k = yaml_format_object(&container_doc_schema, &d, ret);
        schema_done(&container_doc_schema, &d);
        return k;
}

static CellStep *step_data(Step *s) {
        return s->data;
}

static Step *add_container_step(Operation *op, step_call_t call, Cell *c, const char *name, unsigned g, CellVerb verb) {
        Step *s = cell_add_step(op, call, c, g, verb);
        if (s)
                snprintf(step_data(s)->container, sizeof(step_data(s)->container), "%s", name);
        return s;
}

static int step_container_start(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        const char *name = step_data(s)->container;
        ContainerSpec *spec = (ContainerSpec *) cell_container_spec(c, name);
        _cleanup_free_ char *msg = NULL;
        bool secret_failed;

        if (!spec)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CONTAINER, "container \"%s\" is gone from cell %s", name,
                                         c->name);
        /* the task is deleted on stop; one left over (the container ended on its own) goes first */
        int k = cell_container_start(c, spec, &secret_failed, &msg);
        (void) cell_save(c);
        cell_containers_changed(c);
        if (k == -ENOMEM)
                return k;
        if (k < 0) {
                log_resource_errno(LOG_ERR, k, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: container %s did not start: %s", c->name, name, strna(msg));
                return sd_bus_error_setf(error, k == -ENOENT && msg && strstr(msg, "image") ? BUS_ERROR_NO_SUCH_IMAGE :
                                                SD_BUS_ERROR_FAILED, "%s", msg ?: strerror(-k));
        }
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s: container %s started.", c->name, name);
        return 0;
}

static int step_container_stop(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        CellVerb verb = step_data(s)->verb;
        const char *name = step_data(s)->container;
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s: stopping container %s.", c->name, name);
        return cell_stop_tasks_async(op, c, (char *[]) { (char *) name, NULL }, verb != CELL_VERB_STOP);
}

static int step_container_remove(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        const char *name = step_data(s)->container;
        bool purge = op->kind == OPERATION_PURGE;
        _cleanup_free_ char *msg = NULL;
        CellSpec *spec = &c->doc->spec;

        int k = cell_container_remove(c, name, purge ? &op->removed : NULL, &msg);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s", strna(msg));
        cell_containers_announce(c, name, false);
        cell_container_status_drop(c, name);
        for (size_t i = 0; i < spec->n_containers; i++)
                if (streq_ptr(spec->containers[i].id, name)) {
                        schema_done(&container_spec_schema, &spec->containers[i]);
                        memmove(spec->containers + i, spec->containers + i + 1,
                                (spec->n_containers - i - 1) * sizeof(ContainerSpec));
                        spec->n_containers--;
                        break;
                }
        k = cell_save(c);
        if (k < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot save cell %s in the run path: %s", c->name,
                                         strerror(-k));
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s: container %s removed.", c->name, name);
        return 0;
}

/* After a stop or a removal: a cell none of whose containers runs has ended. */
static int step_container_follow(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        if (c->doc->status.state == CELL_STATE_READY)
                cell_follow_containers(c);
        return 0;
}

int container_plan_verb(Operation *op) {
        Manager *m = op->manager;
        CellVerb verb = (CellVerb) (op->flags >> CELL_VERB_SHIFT);
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        unsigned g = operation_new_group(op);
        bool ok = true;

        if (cell_parent_check(m, op->realm, op->space, op->stack, &e) < 0)
                return operation_fail(op, e.name, "%s", e.message);
        Cell *c = cell_find(m, op->realm, op->space, op->stack, op->cell);
        if (!c)
                return operation_fail(op, BUS_ERROR_NO_SUCH_CELL, "cell \"%s\" does not exist in stack %s/%s/%s", op->cell,
                                      op->realm, op->space, op->stack);
        const ContainerSpec *spec = cell_container_spec(c, op->container);
        if (!spec)
                return operation_fail(op, BUS_ERROR_NO_SUCH_CONTAINER, "container \"%s\" does not exist in cell %s/%s/%s/%s",
                                      op->container, op->realm, op->space, op->stack, op->cell);
        if ((verb == CELL_VERB_DELETE || verb == CELL_VERB_PURGE) && spec->root)
                return operation_fail(op, BUS_ERROR_ROOT_CONTAINER,
                                      "container \"%s\" is the root container of cell %s: delete the cell instead",
                                      op->container, op->cell);
        if (verb == CELL_VERB_SIGNAL || verb == CELL_VERB_PAUSE || verb == CELL_VERB_RESUME)
                return cell_plan_signal(op, c, op->container);
        bool running = c->doc->status.state == CELL_STATE_READY && cell_anchor_alive(c->anchor);
        if (verb == CELL_VERB_START && !running)
                return operation_fail(op, BUS_ERROR_CELL_NOT_RUNNING,
                                      "cell %s is %s: start the cell first (kuke start cell %s)", op->cell,
                                      enum_to_string(&cell_state_enum, c->doc->status.state), op->cell);
        if (op->flags & FLAG_DRY_RUN)
                return 0;

        switch (verb) {
        case CELL_VERB_START: {
                const ContainerStatus *st = cell_container_status_find(c, op->container);
                if (st && st->state == CONTAINER_STATE_READY)
                        return 0; /* it runs */
                if (st && st->state == CONTAINER_STATE_PAUSED)
                        return operation_fail(op, SD_BUS_ERROR_FAILED, "container \"%s\" is paused: resume it",
                                              op->container);
                ok = add_container_step(op, step_container_start, c, op->container, g, verb);
                break;
        }
        case CELL_VERB_STOP:
        case CELL_VERB_KILL:
                ok = add_container_step(op, step_container_stop, c, op->container, g, verb) &&
                     add_container_step(op, step_container_follow, c, op->container, g, verb);
                break;
        case CELL_VERB_DELETE:
        case CELL_VERB_PURGE: {
                CellVerb stop = verb == CELL_VERB_PURGE || (op->flags & FLAG_FORCE) ? CELL_VERB_KILL : CELL_VERB_STOP;
                ok = add_container_step(op, step_container_stop, c, op->container, g, stop) &&
                     add_container_step(op, step_container_remove, c, op->container, g, verb) &&
                     add_container_step(op, step_container_follow, c, op->container, g, verb);
                if (verb == CELL_VERB_PURGE) {
                        op->found = true;
                        for (size_t i = 0; i < op->n_steps; i++)
                                op->steps[i].best_effort = true;
                }
                break;
        }
        default:
                return operation_fail(op, SD_BUS_ERROR_INVALID_ARGS, "containers have no such verb");
        }
        return ok ? 0 : operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory");
}

/* Apply of a Container document: the container joins its cell, or replaces the one of that
 * name, and the cell is applied with that spec — in place when the container is not the
 * root and the cell runs (cell_apply_changed()). The root stays where it is unless the
 * document says `root: true`, which moves it there (a change of the root: the cell restarts). */
int container_apply_document(Operation *op, Document *d, unsigned g, sd_bus_error *error) {
        Manager *m = op->manager;
        ContainerDoc *in = d->object;
        ContainerSpec *spec = &in->spec;
        _cleanup_(cell_doc_freep) CellDoc *want = NULL;
        _cleanup_free_ char *path = NULL;
        int k;

        k = cell_parent_check(m, spec->realm_id, spec->space_id, spec->stack_id, error);
        if (k < 0)
                return k;
        Cell *c = cell_find(m, spec->realm_id, spec->space_id, spec->stack_id, spec->cell_id);
        if (!c)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CELL,
                                         "cell \"%s\" does not exist in stack %s/%s/%s: a Container joins an existing cell",
                                         spec->cell_id, spec->realm_id, spec->space_id, spec->stack_id);
        if (free_and_strdup(&spec->id, d->name) < 0 || !(want = new0(CellDoc, 1)) ||
            schema_copy(&cell_doc_schema, want, c->doc) < 0 ||
            object_path_build(c->realm, c->space, c->stack, c->name, d->name, &path) < 0)
                return -ENOMEM;

        CellSpec *cs = &want->spec;
        size_t i;
        for (i = 0; i < cs->n_containers; i++)
                if (streq_ptr(cs->containers[i].id, spec->id))
                        break;
        bool added = i == cs->n_containers;
        if (added) {
                ContainerSpec *n = reallocarray(cs->containers, cs->n_containers + 1, sizeof(ContainerSpec));
                if (!n)
                        return -ENOMEM;
                cs->containers = n;
                n[cs->n_containers++] = (ContainerSpec) {};
        } else {
                spec->root = spec->root || cs->containers[i].root; /* the root stays the root */
                schema_done(&container_spec_schema, &cs->containers[i]);
                cs->containers[i] = (ContainerSpec) {};
        }
        if (spec->root)
                for (size_t j = 0; j < cs->n_containers; j++)
                        cs->containers[j].root = false;
        if (schema_copy(&container_spec_schema, &cs->containers[i], spec) < 0)
                return -ENOMEM;
        /* the cell's own root record follows the flags (cell_prepare() sets it again) */
        (void) free_and_strdup(&cs->root_container_id, NULL);

        k = cell_apply_changed(op, c, TAKE_PTR(want), g, error);
        if (k < 0)
                return k;
        /* the outcome names the container's object, not the cell's */
        if (g < op->n_outcomes && op->outcomes[g].path && !streq(op->outcomes[g].path, "/"))
                (void) free_and_strdup(&op->outcomes[g].path, path);
        if (added && g < op->n_outcomes && streq_ptr(op->outcomes[g].outcome, "configured"))
                (void) free_and_strdup(&op->outcomes[g].outcome, "created");
        return k;
}
