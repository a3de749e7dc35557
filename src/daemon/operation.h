/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Operations: what a mutating call (Create*, Delete*, Purge*, Apply, Init) or the start-up
 * reconciliation does, as a list of steps run one after the other on the event loop. A step
 * is either a synchronous function or one asynchronous call to PID 1 or containerd; the list
 * runs to its end without ever blocking the loop.
 *
 * Operations run one at a time, in arrival order, each holding the run path's lock (taken
 * without blocking: while another writer — kuke --no-daemon — holds it, the operation retries,
 * and fails with Busy after a while).
 *
 * Failure: steps belong to a group (one per resource, or per document of Apply). A failed
 * step marks its resource Failed (reason and message in its status), sets the operation's
 * error or the document's outcome, and skips the rest of its group; other groups go on. A
 * best-effort step (purge; runtime steps of a FORCE delete) only records its error. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "document.h"
#include "macro.h"
#include "manager.h"
#include "resource.h"
#include "store.h"

#define FLAG_CASCADE (UINT64_C(1) << 0)
#define FLAG_FORCE (UINT64_C(1) << 1)
#define FLAG_DRY_RUN (UINT64_C(1) << 2)
#define FLAGS_ALL (FLAG_CASCADE | FLAG_FORCE | FLAG_DRY_RUN)

typedef enum OperationKind {
        OPERATION_CREATE,
        OPERATION_DELETE,
        OPERATION_PURGE,
        OPERATION_APPLY,
        OPERATION_INIT,
        OPERATION_RECONCILE, /* start-up: no caller */
} OperationKind;

typedef enum StepType {
        STEP_CALL,
        STEP_NAMESPACE_CREATE,
        STEP_NAMESPACE_DELETE,
        STEP_SLICE_START,
        STEP_SLICE_SET_LIMITS,
        STEP_UNIT_STOP,
        STEP_UNIT_RESET_FAILED,
        STEP_READ_CGROUP,
} StepType;

typedef struct Step Step;
/* A synchronous step: 0 or a negative errno with 'error' set. */
typedef int (*step_call_t)(Operation *op, Step *s, sd_bus_error *error);

struct Step {
        StepType type;
        Resource *resource;      /* borrowed; NULL for purges of leftovers */
        char *unit;              /* unit steps */
        char *namespace_;        /* namespace steps */
        step_call_t call;        /* STEP_CALL */
        void *data;              /* for the call; freed with free() */
        unsigned group;
        bool best_effort;
        bool skip;
        char *removed;           /* purge: what to report when the step succeeded */
};

/* One line of Apply's and Init's answers. */
typedef struct Outcome {
        char *kind;
        char *name;
        char *outcome;           /* created, configured, unchanged, failed; existed (Init) */
        char *message;
        char *path;
} Outcome;

struct Operation {
        Manager *manager;
        OperationKind kind;
        /* Called once the operation holds the lock: checks what it can (existence, children)
         * and adds the steps. Returns < 0 after operation_fail() to end at once. */
        int (*plan)(Operation *op);
        sd_bus_message *request;  /* NULL for OPERATION_RECONCILE */
        uint64_t flags;

        /* what the call names */
        Kind target_kind;
        char *realm, *space, *stack;
        char *cell;               /* cell verbs (cell.c) */
        char *container;          /* container verbs (container.c) */
        int signal;               /* SignalCell, SignalContainer */
        char *manifest;           /* Apply */
        DocumentList *documents;  /* Apply: the parsed and checked manifest */

        Step *steps;
        size_t n_steps, current, insert_at;
        unsigned next_group;

        StoreLock lock;
        sd_event_source *retry;
        unsigned lock_attempts;
        bool wrote;

        sd_bus_error error;       /* the first fatal error: the reply */
        char **removed;           /* Purge */
        char **warnings;          /* best-effort failures, logged */
        Outcome *outcomes;        /* Apply, Init: index = group */
        size_t n_outcomes;
        char *result_path;        /* Create */
        bool found;               /* Purge: whether there was anything at all */

        Operation *next;
};

int operation_new(Manager *m, OperationKind kind, sd_bus_message *request, uint64_t flags, Operation **ret);
Operation *operation_free(Operation *op);
DEFINE_TRIVIAL_CLEANUP_FUNC(Operation *, operation_free);

/* Queues the operation (taking ownership) and starts it when it is its turn. */
void operation_enqueue(Operation *op);

/* Adds a step at the insertion point: at the end while planning, right after the running step
 * while a call step runs (so a step can expand into more). Strings are copied. */
Step *operation_add_step(Operation *op, StepType type, Resource *r, unsigned group);
Step *operation_add_call(Operation *op, step_call_t call, Resource *r, unsigned group, void *data);
Step *operation_add_unit_step(Operation *op, StepType type, Resource *r, const char *unit, unsigned group);
unsigned operation_new_group(Operation *op);

/* Apply/Init: an outcome per group; returns the group's index. */
int operation_add_outcome(Operation *op, const char *kind, const char *name, unsigned *ret_group);
int operation_set_outcome(Operation *op, unsigned group, const char *outcome, const char *message, const char *path);

/* Ends the running STEP_CALL whose call returned > 0 (it went asynchronous), and goes on. */
void operation_step_done(Operation *op, int r, const sd_bus_error *e);

/* Records a fatal error (the first one wins). */
_printf_(3, 4) int operation_fail(Operation *op, const char *name, const char *fmt, ...);

/* Marks the resource Failed and saves it, as after a failed step. */
void operation_resource_failed(Operation *op, Resource *r, const char *reason, const char *message);

/* The plans (plan.c): set as op->plan by the method handlers. */
int plan_create(Operation *op);
int plan_delete(Operation *op);
int plan_purge(Operation *op);
int plan_apply(Operation *op);
int plan_init(Operation *op);
int plan_reconcile_all(Operation *op);
