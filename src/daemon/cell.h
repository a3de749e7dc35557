/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A cell as kukeond holds it (design.md §2): its document (spec + status, as in the run path)
 * and its anchor. A cell is a delegated scope kukeon-R-S-T-C.scope in its stack's slice; the
 * first process of the scope is the anchor (kukeon-anchor), which owns the cell's network,
 * IPC and UTS namespaces and sits in the leaf <scope>/anchor; every container is a containerd
 * task whose cgroup is the leaf <scope>/<container> and which joins the anchor's namespaces.
 *
 * The verbs (start, stop, kill, delete) are steps of an operation (operation.h), like the
 * slices of realms, spaces and stacks. */

#include <stdbool.h>
#include <sys/types.h>

#include "document.h"
#include "macro.h"
#include "operation.h"
#include "v1beta1.h"

typedef struct Cell Cell;

struct Cell {
        Manager *manager;
        char *realm, *space, *stack, *name;
        char *path;          /* D-Bus object path */
        char *run_dir;       /* <socket dir>/cells/R/S/T/C: the managed /etc files */
        CellDoc *doc;        /* owned */
        CellDoc *next_doc;   /* Apply of a changed cell: the new document until it is stopped */
        pid_t anchor;        /* 0: none known */
        sd_bus_slot *unit_match; /* PropertiesChanged of the scope on PID 1's bus (cell_watch_unit) */
        bool stopping;       /* a stop of ours runs: the scope's own signals are not news */
        char **stopping_containers; /* a stop of these (one container's, in-place) runs: their exits are stops */
        bool seen;           /* cell_load_all()'s mark */
        Cell *next, *prev;
};

typedef enum CellVerb {
        CELL_VERB_CREATE,
        CELL_VERB_START,
        CELL_VERB_STOP,
        CELL_VERB_KILL,
        CELL_VERB_DELETE,
        CELL_VERB_PURGE,     /* as DELETE with FORCE, best effort, reports what it removed */
        CELL_VERB_SIGNAL,    /* a signal to the running tasks (op->signal); nothing else */
        CELL_VERB_PAUSE,     /* the running tasks frozen: containers Paused */
        CELL_VERB_RESUME,    /* the paused tasks thawed: containers Ready */
        CELL_VERB_REAP,      /* internal: the scope stopped behind our back; take the rest down */
        CELL_VERB_RECOVER,   /* internal: clear what a broken start left (any address too), then start again */
        CELL_VERB_ADOPT,     /* internal: the start pass of cell_reconcile_start() */
        CELL_VERB_RECONCILE, /* internal: the periodic pass */
} CellVerb;

Cell *cell_find(Manager *m, const char *realm, const char *space, const char *stack, const char *name);
Cell *cell_find_by_path(Manager *m, const char *path);
/* The cells of a stack, sorted by name (array allocated, pointers borrowed). */
int cell_list(Manager *m, const char *realm, const char *space, const char *stack, Cell ***ret, size_t *ret_n);
void cell_free_all(Manager *m);
/* Subscribes to containerd's task exit events (on every connect): a container's exit is
 * recorded in its cell's status (Stopped, exit code, signal, finish time). */
void cell_subscribe_events(Manager *m);
/* Reads the cells of every stack of the run path (at start) and finds their anchors. */
int cell_load_all(Manager *m);

/* Reconcile (docs/kukeond.md "Reconcile"): queues the start pass (after the start-up
 * reconciliation of the slices) and arms the periodic pass every reconcileInterval (none
 * when it is 0). The start pass adopts running cells, brings back Ready cells whose scope or
 * anchor is gone (reboot), clears and restarts cells caught mid-start (Pending), finishes
 * stops and autoDelete deletes; the periodic pass looks for the same drift, without asking
 * containerd about the cells that are fine. */
int cell_reconcile_start(Manager *m);

/* NoSuchRealm, NoSuchSpace or NoSuchStack for the first parent that is missing. */
int cell_parent_check(Manager *m, const char *realm, const char *space, const char *stack, sd_bus_error *error);

const char *cell_state_string(const Cell *c);
int cell_format(const Cell *c, char **ret);

/* Apply of a Cell document (plan.c's call_apply_document): creates or reconfigures it and
 * adds the steps that make it run. */
int cell_apply_document(Operation *op, Document *d, unsigned group, sd_bus_error *error);

/* The plan of a Manager/Cell verb: op->realm, space, stack, cell name it; op->target_kind is
 * KIND_CELL and the verb is in op->flags' upper bits (CELL_VERB_FLAG()). */
#define CELL_VERB_SHIFT 56
#define CELL_VERB_FLAG(v) ((uint64_t) (v) << CELL_VERB_SHIFT)
int cell_plan_verb(Operation *op);
/* Steps that delete every cell of a stack (a stack's CASCADE delete or purge); 'kill': no
 * grace period. */
int cell_plan_delete_stack(Operation *op, const char *realm, const char *space, const char *stack, unsigned group,
                           bool kill);

/* The D-Bus side (cell-dbus.c). */
int cell_add_bus_objects(Manager *m, sd_bus *bus);
void cell_changed(Cell *c);
int cell_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int cell_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int cell_method_verb(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int cell_method_signal(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* Emits PropertiesChanged of every container of the cell (container-dbus.c), and
 * InterfacesAdded/Removed of one container or (name NULL) all of them. */
void cell_containers_changed(Cell *c);
void cell_containers_announce(Cell *c, const char *name, bool added);

/* Containers (container.c): the plan of a Manager/Container verb; op->container names it,
 * the verb is in op->flags' upper bits as for cells. */
int container_plan_verb(Operation *op);
/* Apply of a Container document: it joins (or replaces its namesake in) an existing cell. */
int container_apply_document(Operation *op, Document *d, unsigned group, sd_bus_error *error);
const ContainerSpec *cell_container_spec(const Cell *c, const char *name);
int container_format(const Cell *c, const ContainerSpec *spec, char **ret);
const char *container_state_string(const Cell *c, const char *name);

/* The D-Bus side of containers (container-dbus.c). */
int container_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int container_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int container_method_verb(sd_bus_message *msg, void *userdata, sd_bus_error *error);
int container_method_signal(sd_bus_message *msg, void *userdata, sd_bus_error *error);
/* Signal (also Pause, Resume: op's verb) of a cell (only NULL) or of one container. */
int cell_plan_signal(Operation *op, Cell *c, const char *only);

#define CELL_MANAGER_METHODS                                                                                          \
        SD_BUS_METHOD_WITH_ARGS("ListCells", SD_BUS_ARGS("s", realm, "s", space, "s", stack),                          \
                                SD_BUS_RESULT("a(ssso)", cells), cell_method_list, SD_BUS_VTABLE_UNPRIVILEGED),        \
        SD_BUS_METHOD_WITH_ARGS("GetCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell),                \
                                SD_BUS_RESULT("s", manifest), cell_method_get, SD_BUS_VTABLE_UNPRIVILEGED),            \
        SD_BUS_METHOD_WITH_ARGS("CreateCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags), \
                                SD_BUS_RESULT("o", path), cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),               \
        SD_BUS_METHOD_WITH_ARGS("StartCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags),  \
                                SD_BUS_NO_RESULT, cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                       \
        SD_BUS_METHOD_WITH_ARGS("StopCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags),   \
                                SD_BUS_NO_RESULT, cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                       \
        SD_BUS_METHOD_WITH_ARGS("KillCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags),   \
                                SD_BUS_NO_RESULT, cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                       \
        SD_BUS_METHOD_WITH_ARGS("DeleteCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags), \
                                SD_BUS_NO_RESULT, cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                       \
        SD_BUS_METHOD_WITH_ARGS("PurgeCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags),  \
                                SD_BUS_RESULT("as", removed), cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),           \
        SD_BUS_METHOD_WITH_ARGS("PauseCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags),  \
                                SD_BUS_NO_RESULT, cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                       \
        SD_BUS_METHOD_WITH_ARGS("ResumeCell", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "t", flags), \
                                SD_BUS_NO_RESULT, cell_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                       \
        SD_BUS_METHOD_WITH_ARGS("SignalCell",                                                                          \
                                SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "i", signal, "t", flags),   \
                                SD_BUS_NO_RESULT, cell_method_signal, SD_BUS_VTABLE_UNPRIVILEGED),                     \
        CONTAINER_MANAGER_METHODS

#define CONTAINER_ARGS(...) SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell, "s", container, ##__VA_ARGS__)
#define CONTAINER_MANAGER_METHODS                                                                                     \
        SD_BUS_METHOD_WITH_ARGS("ListContainers", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "s", cell),          \
                                SD_BUS_RESULT("a(sssbo)", containers), container_method_list,                          \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("GetContainer", CONTAINER_ARGS(), SD_BUS_RESULT("s", manifest), container_method_get,  \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("StartContainer", CONTAINER_ARGS("t", flags), SD_BUS_NO_RESULT, container_method_verb, \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("StopContainer", CONTAINER_ARGS("t", flags), SD_BUS_NO_RESULT, container_method_verb,  \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("KillContainer", CONTAINER_ARGS("t", flags), SD_BUS_NO_RESULT, container_method_verb,  \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("DeleteContainer", CONTAINER_ARGS("t", flags), SD_BUS_NO_RESULT,                       \
                                container_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                                    \
        SD_BUS_METHOD_WITH_ARGS("PurgeContainer", CONTAINER_ARGS("t", flags), SD_BUS_RESULT("as", removed),            \
                                container_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                                    \
        SD_BUS_METHOD_WITH_ARGS("PauseContainer", CONTAINER_ARGS("t", flags), SD_BUS_NO_RESULT, container_method_verb, \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("ResumeContainer", CONTAINER_ARGS("t", flags), SD_BUS_NO_RESULT,                       \
                                container_method_verb, SD_BUS_VTABLE_UNPRIVILEGED),                                    \
        SD_BUS_METHOD_WITH_ARGS("SignalContainer", CONTAINER_ARGS("i", signal, "t", flags), SD_BUS_NO_RESULT,          \
                                container_method_signal, SD_BUS_VTABLE_UNPRIVILEGED)
