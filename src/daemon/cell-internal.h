/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What cell.c shares with container.c (the verbs of one container of a cell): the step data
 * of a cell, the containerd side of one container, and the cell's bookkeeping. Not an API:
 * both files are one noun (a cell and its containers) split for size. */

#include "cell.h"
#include "containerd.h"
#include "name.h"

typedef struct CellStep {
        Cell *cell;
        CellVerb verb;
        /* container verbs: the container's name (step data is freed with free()) */
        char container[NAME_LENGTH_MAX + 1];
} CellStep;

#define CELL_OF(s) (((CellStep *) (s)->data)->cell)

Step *cell_add_step(Operation *op, step_call_t call, Cell *c, unsigned group, CellVerb verb);

ContainerdClient *cell_containerd(Manager *m);
const char *cell_namespace(Cell *c);
bool cell_anchor_alive(pid_t pid);
uint64_t cell_grace_usec(const Cell *c);
int cell_save(Cell *c);

/* The status entry of a container, made when there is none (NULL: out of memory). */
ContainerStatus *cell_container_status(Cell *c, const char *name);
void cell_container_status_drop(Cell *c, const char *name);

/* Starts one container's task in the running cell (snapshot, containerd container, task) and
 * records Ready, or Failed with the reason; the message (never a secret's value) in ret_msg. */
int cell_container_start(Cell *c, ContainerSpec *spec, bool *ret_secret_failed, char **ret_msg);
/* Stops one container's task: the signal (unless 'signalled': sent already), SIGKILL after
 * the grace period (none with 'kill_now'), task deleted, Stopped with its exit status; the
 * task is added to 'removed' (purge) when given. */
int cell_container_stop(Cell *c, const char *name, bool kill_now, bool signalled, char ***removed);
/* Removes one container's containerd container and snapshot (and a task left over). */
int cell_container_remove(Cell *c, const char *name, char ***removed, char **ret_msg);

/* Once no container runs, the cell has ended (Stopped, or Failed when one failed). */
void cell_follow_containers(Cell *c);

static inline void cell_doc_freep(CellDoc **d) {
        if (*d)
                schema_free(&cell_doc_schema, *d);
}

/* Apply of an existing cell with a new document (taken, not yet prepared). */
int cell_apply_changed(Operation *op, Cell *c, CellDoc *in, unsigned g, sd_bus_error *error);

/* Stops the tasks of the cell (names NULL) or of some of its containers without blocking the
 * loop: returns 1 and finishes the running step with operation_step_done(), or 0 when done. */
int cell_stop_tasks_async(Operation *op, Cell *c, char *const *names, bool kill_now);

/* The status entry of a container, NULL when there is none (never made). */
ContainerStatus *cell_container_status_find(const Cell *c, const char *name);
