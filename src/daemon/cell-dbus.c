/* SPDX-License-Identifier: Apache-2.0 */
/* Cells and their containers on D-Bus (docs/dbus-api.md): the Manager's ListCells, GetCell,
 * CreateCell, StartCell, StopCell, KillCell, DeleteCell, PurgeCell and their …Container
 * twins; org.kukeon1.Cell at …/stack/<T>/cell/<C> and org.kukeon1.Container at
 * …/cell/<C>/container/<N> with their verbs. Names are checked, then polkit is asked, then
 * the reads answer at once and the verbs go to the operation queue. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "bus-error.h"
#include "cell.h"
#include "cell-internal.h"
#include "name.h"
#include "object-path.h"
#include "strv.h"

#define CELL_PREFIX OBJECT_PATH_ROOT "/realm"

typedef struct CellCall {
        Manager *manager;
        int verb;            /* CellVerb, or -1 for List, -2 for Get */
        char *realm, *space, *stack, *cell;
        char *container;     /* NULL: a cell call */
        uint64_t flags;
        int signal;          /* CELL_VERB_SIGNAL */
} CellCall;

#define CALL_LIST (-1)
#define CALL_GET (-2)
#define CALL_LIST_CONTAINERS (-3)

static void cell_call_free(void *p) {
        CellCall *c = p;
        if (!c)
                return;
        free(c->realm);
        free(c->space);
        free(c->stack);
        free(c->cell);
        free(c->container);
        free(c);
}

void cell_changed(Cell *c) {
        char *props[] = { (char *) "State", (char *) "Unit", (char *) "ControlGroup", (char *) "IP", (char *) "Reason",
                          (char *) "Message", NULL };
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(c->manager, &buses);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_properties_changed_strv(buses[i], c->path, "org.kukeon1.Cell", props);
        cell_containers_changed(c);
}

static int container_path(const Cell *c, const char *name, char **ret) {
        return object_path_build(c->realm, c->space, c->stack, c->name, name, ret);
}

void cell_containers_changed(Cell *c) {
        char *props[] = { (char *) "Root", (char *) "Image", (char *) "ContainerdId", (char *) "State",
                          (char *) "ExitCode", (char *) "ExitSignal", (char *) "StartedAt", (char *) "FinishedAt",
                          (char *) "Reason", (char *) "Message", NULL };
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(c->manager, &buses);
        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                _cleanup_free_ char *path = NULL;
                if (container_path(c, c->doc->spec.containers[i].id, &path) < 0)
                        return;
                for (size_t j = 0; j < n; j++)
                        (void) sd_bus_emit_properties_changed_strv(buses[j], path, "org.kukeon1.Container", props);
        }
}

void cell_containers_announce(Cell *c, const char *name, bool added) {
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(c->manager, &buses);
        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                _cleanup_free_ char *path = NULL;
                if (name && !streq_ptr(c->doc->spec.containers[i].id, name))
                        continue;
                if (container_path(c, c->doc->spec.containers[i].id, &path) < 0)
                        return;
                for (size_t j = 0; j < n; j++)
                        (void) (added ? sd_bus_emit_object_added(buses[j], path) :
                                        sd_bus_emit_object_removed(buses[j], path));
        }
}

static int reply_list(sd_bus_message *request, CellCall *c, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Cell **cells = NULL;
        size_t n;
        int r;

        r = cell_parent_check(c->manager, c->realm, c->space, c->stack, error);
        if (r < 0)
                return r;
        r = cell_list(c->manager, c->realm, c->space, c->stack, &cells, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(request, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssso)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_message_append(reply, "(ssso)", cells[i]->name, strempty(cell_state_string(cells[i])),
                                          strempty(cells[i]->doc->status.unit), cells[i]->path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int reply_container_list(sd_bus_message *request, Cell *cell) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(request, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sssbo)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < cell->doc->spec.n_containers; i++) {
                const ContainerSpec *spec = &cell->doc->spec.containers[i];
                _cleanup_free_ char *path = NULL;
                r = container_path(cell, spec->id, &path);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(reply, "(sssbo)", spec->id, strempty(container_state_string(cell, spec->id)),
                                          strempty(spec->image), (int) spec->root, path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The reads of a container: its cell must exist, and it must be in the cell's spec. */
static int container_read(sd_bus_message *request, CellCall *c, sd_bus_error *error) {
        _cleanup_free_ char *text = NULL;
        int r = cell_parent_check(c->manager, c->realm, c->space, c->stack, error);
        if (r < 0)
                return r;
        Cell *cell = cell_find(c->manager, c->realm, c->space, c->stack, c->cell);
        if (!cell)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CELL, "cell \"%s\" does not exist in stack %s/%s/%s",
                                         c->cell, c->realm, c->space, c->stack);
        if (c->verb == CALL_LIST_CONTAINERS)
                return reply_container_list(request, cell);
        const ContainerSpec *spec = cell_container_spec(cell, c->container);
        if (!spec)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CONTAINER, "container \"%s\" does not exist in cell %s/%s/%s/%s",
                                         c->container, c->realm, c->space, c->stack, c->cell);
        r = container_format(cell, spec, &text);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(request, "s", text);
}

static int cell_call_continue(sd_bus_message *request, void *userdata, sd_bus_error *error) {
        CellCall *c = userdata;
        Manager *m = c->manager;
        Operation *op;
        int r;

        if (c->verb == CALL_LIST_CONTAINERS || (c->container && c->verb == CALL_GET))
                return container_read(request, c, error);
        if (c->verb == CALL_LIST)
                return reply_list(request, c, error);
        if (c->verb == CALL_GET) {
                _cleanup_free_ char *text = NULL;
                r = cell_parent_check(m, c->realm, c->space, c->stack, error);
                if (r < 0)
                        return r;
                Cell *cell = cell_find(m, c->realm, c->space, c->stack, c->cell);
                if (!cell)
                        return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CELL, "cell \"%s\" does not exist in stack %s/%s/%s",
                                                 c->cell, c->realm, c->space, c->stack);
                r = cell_format(cell, &text);
                if (r < 0)
                        return r;
                return sd_bus_reply_method_return(request, "s", text);
        }

        /* Create replies with the path (as OPERATION_CREATE), the others with nothing (as
         * OPERATION_DELETE) */
        r = operation_new(m, c->verb == CELL_VERB_CREATE ? OPERATION_CREATE :
                             c->verb == CELL_VERB_PURGE  ? OPERATION_PURGE : OPERATION_DELETE,
                          request, c->flags | CELL_VERB_FLAG(c->verb), &op);
        if (r < 0)
                return r;
        op->target_kind = c->container ? KIND_CONTAINER : KIND_CELL;
        op->realm = TAKE_PTR(c->realm);
        op->space = TAKE_PTR(c->space);
        op->stack = TAKE_PTR(c->stack);
        op->cell = TAKE_PTR(c->cell);
        op->container = TAKE_PTR(c->container);
        op->signal = c->signal;
        op->plan = op->container ? container_plan_verb : cell_plan_verb;
        operation_enqueue(op);
        return 1;
}

static int dispatch_signal(sd_bus_message *msg, Manager *m, int verb, const char *realm, const char *space,
                           const char *stack, const char *cell, const char *container, uint64_t flags, int signal,
                           sd_bus_error *error);

static int dispatch(sd_bus_message *msg, Manager *m, int verb, const char *realm, const char *space, const char *stack,
                    const char *cell, const char *container, uint64_t flags, sd_bus_error *error) {
        return dispatch_signal(msg, m, verb, realm, space, stack, cell, container, flags, 0, error);
}

static int dispatch_signal(sd_bus_message *msg, Manager *m, int verb, const char *realm, const char *space,
                           const char *stack, const char *cell, const char *container, uint64_t flags, int signal,
                           sd_bus_error *error) {
        static const char *const names[] = { "create", "start", "stop", "kill", "delete", "purge", "kill", "pause", "resume" };
        int r;

        if ((r = bus_check_name(KIND_REALM, realm, error)) < 0 || (r = bus_check_name(KIND_SPACE, space, error)) < 0 ||
            (r = bus_check_name(KIND_STACK, stack, error)) < 0 || (cell && (r = bus_check_name(KIND_CELL, cell, error)) < 0) ||
            (container && (r = bus_check_name(KIND_CONTAINER, container, error)) < 0))
                return r;
        if (flags & ~(uint64_t) FLAGS_ALL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown flags 0x%" PRIx64 " (known: 0x%" PRIx64 ")",
                                         flags & ~(uint64_t) FLAGS_ALL, (uint64_t) FLAGS_ALL);

        /* as the Manager's other methods: purge is its own action, in the system realm too */
        const char *action = verb < 0                      ? ACTION_INSPECT :
                             verb == CELL_VERB_PURGE       ? ACTION_PURGE :
                             realm_name_is_system(realm)   ? ACTION_MANAGE_SYSTEM :
                                                             ACTION_MANAGE;
        _cleanup_strv_free_ char **details = NULL;
        if (strv_extend(&details, "realm") < 0 || strv_extend(&details, realm) < 0 || strv_extend(&details, "space") < 0 ||
            strv_extend(&details, space) < 0 || strv_extend(&details, "stack") < 0 || strv_extend(&details, stack) < 0 ||
            (cell && (strv_extend(&details, "cell") < 0 || strv_extend(&details, cell) < 0)) ||
            (container && (strv_extend(&details, "container") < 0 || strv_extend(&details, container) < 0)) ||
            strv_extend(&details, "verb") < 0 ||
            strv_extend(&details, verb == CALL_LIST || verb == CALL_LIST_CONTAINERS ? "list" :
                                  verb == CALL_GET                                  ? "get" :
                                                                                      names[verb]) < 0)
                return -ENOMEM;

        CellCall *c = new0(CellCall, 1);
        if (!c)
                return -ENOMEM;
        *c = (CellCall) { .manager = m, .verb = verb, .flags = flags, .signal = signal };
        if (!(c->realm = strdup(realm)) || !(c->space = strdup(space)) || !(c->stack = strdup(stack)) ||
            (cell && !(c->cell = strdup(cell))) || (container && !(c->container = strdup(container)))) {
                cell_call_free(c);
                return -ENOMEM;
        }
        return auth_check(m, msg, action, details, cell_call_continue, c, cell_call_free, error);
}

int cell_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack;
        int r = sd_bus_message_read(msg, "sss", &realm, &space, &stack);
        if (r < 0)
                return r;
        return dispatch(msg, userdata, CALL_LIST, realm, space, stack, NULL, NULL, 0, error);
}

int cell_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell;
        int r = sd_bus_message_read(msg, "ssss", &realm, &space, &stack, &cell);
        if (r < 0)
                return r;
        return dispatch(msg, userdata, CALL_GET, realm, space, stack, cell, NULL, 0, error);
}

static int verb_of(const char *member) {
        return strncmp(member, "Create", 6) == 0 ? CELL_VERB_CREATE :
               strncmp(member, "Start", 5) == 0  ? CELL_VERB_START :
               strncmp(member, "Stop", 4) == 0   ? CELL_VERB_STOP :
               strncmp(member, "Kill", 4) == 0   ? CELL_VERB_KILL :
               strncmp(member, "Purge", 5) == 0  ? CELL_VERB_PURGE :
               strncmp(member, "Pause", 5) == 0  ? CELL_VERB_PAUSE :
               strncmp(member, "Resume", 6) == 0 ? CELL_VERB_RESUME :
                                                   CELL_VERB_DELETE;
}

int cell_method_verb(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell;
        uint64_t flags;
        int r = sd_bus_message_read(msg, "sssst", &realm, &space, &stack, &cell, &flags);
        if (r < 0)
                return r;
        return dispatch(msg, userdata, verb_of(sd_bus_message_get_member(msg)), realm, space, stack, cell, NULL, flags,
                        error);
}

/* SignalCell, SignalContainer and the objects' Signal: a signal number of this host, 1..SIGRTMAX */
static int check_signal(int signal, sd_bus_error *error) {
        if (signal < 1 || signal > SIGRTMAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%d is not a signal (1..%d)", signal, SIGRTMAX);
        return 0;
}

int cell_method_signal(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell;
        uint64_t flags;
        int32_t signal;
        int r = sd_bus_message_read(msg, "ssssit", &realm, &space, &stack, &cell, &signal, &flags);
        if (r < 0 || (r = check_signal(signal, error)) < 0)
                return r;
        return dispatch_signal(msg, userdata, CELL_VERB_SIGNAL, realm, space, stack, cell, NULL, flags, signal, error);
}

int container_method_signal(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell, *container;
        uint64_t flags;
        int32_t signal;
        int r = sd_bus_message_read(msg, "sssssit", &realm, &space, &stack, &cell, &container, &signal, &flags);
        if (r < 0 || (r = check_signal(signal, error)) < 0)
                return r;
        return dispatch_signal(msg, userdata, CELL_VERB_SIGNAL, realm, space, stack, cell, container, flags, signal, error);
}

int container_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell;
        int r = sd_bus_message_read(msg, "ssss", &realm, &space, &stack, &cell);
        if (r < 0)
                return r;
        return dispatch(msg, userdata, CALL_LIST_CONTAINERS, realm, space, stack, cell, NULL, 0, error);
}

int container_method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell, *container;
        int r = sd_bus_message_read(msg, "sssss", &realm, &space, &stack, &cell, &container);
        if (r < 0)
                return r;
        return dispatch(msg, userdata, CALL_GET, realm, space, stack, cell, container, 0, error);
}

int container_method_verb(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack, *cell, *container;
        uint64_t flags;
        int r = sd_bus_message_read(msg, "ssssst", &realm, &space, &stack, &cell, &container, &flags);
        if (r < 0)
                return r;
        return dispatch(msg, userdata, verb_of(sd_bus_message_get_member(msg)), realm, space, stack, cell, container,
                        flags, error);
}

/* ---- the Cell object ---- */

static int find_cell(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                     sd_bus_error *error) {
        Cell *c = cell_find_by_path(userdata, path);
        if (!c)
                return 0;
        *found = c;
        return 1;
}

static int enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_strv_free_ char **l = NULL;
        for (Cell *c = m->cells; c; c = c->next) {
                if (strv_extend(&l, c->path) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                        char *p;
                        if (container_path(c, c->doc->spec.containers[i].id, &p) < 0 || strv_push(&l, p) < 0)
                                return -ENOMEM;
                }
        }
        if (!l && !(l = new0(char *, 1)))
                return -ENOMEM;
        *nodes = TAKE_PTR(l);
        return 0;
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Cell *c = userdata;
        CellStatus *st = &c->doc->status;
        if (streq(property, "Name"))
                return sd_bus_message_append(reply, "s", c->name);
        if (streq(property, "Realm"))
                return sd_bus_message_append(reply, "s", c->realm);
        if (streq(property, "Space"))
                return sd_bus_message_append(reply, "s", c->space);
        if (streq(property, "Stack"))
                return sd_bus_message_append(reply, "s", c->stack);
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", strempty(cell_state_string(c)));
        if (streq(property, "Unit"))
                return sd_bus_message_append(reply, "s", strempty(st->unit));
        if (streq(property, "ControlGroup"))
                return sd_bus_message_append(reply, "s", strempty(st->cgroup_path));
        if (streq(property, "IP"))
                return sd_bus_message_append(reply, "s", strempty(st->network.ip));
        if (streq(property, "Reason"))
                return sd_bus_message_append(reply, "s", strempty(st->lifecycle.reason));
        if (streq(property, "Message"))
                return sd_bus_message_append(reply, "s", strempty(st->lifecycle.message));
        return -ENOENT;
}

/* The verbs of the Cell and Container objects (one handler for both: the object's cell is
 * the userdata, a container's name comes from the path). */
static int container_of_path(Manager *m, const char *path, Cell **ret_cell, char **ret_name);

static int object_verb(sd_bus_message *msg, Cell *c, int32_t signal, uint64_t flags, sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        Cell *found;
        const char *path = sd_bus_message_get_path(msg);
        if (!streq(path, c->path) && container_of_path(c->manager, path, &found, &name) <= 0)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CONTAINER, "no container at %s", path);
        return dispatch_signal(msg, c->manager, signal ? CELL_VERB_SIGNAL : verb_of(sd_bus_message_get_member(msg)),
                               c->realm, c->space, c->stack, c->name, name, flags, signal, error);
}

static int method_object_verb(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int r = sd_bus_message_read(msg, "t", &flags);
        if (r < 0)
                return r;
        return object_verb(msg, userdata, 0, flags, error);
}

static int method_object_signal(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int32_t signal;
        int r = sd_bus_message_read(msg, "it", &signal, &flags);
        if (r < 0 || (r = check_signal(signal, error)) < 0)
                return r;
        return object_verb(msg, userdata, signal, flags, error);
}

#define OBJECT_VERB_METHODS                                                                                            \
        SD_BUS_METHOD_WITH_ARGS("Start", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_object_verb,                \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_object_verb,                 \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("Kill", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_object_verb,                 \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_object_verb,               \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("Purge", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("as", removed), method_object_verb,    \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("Signal", SD_BUS_ARGS("i", signal, "t", flags), SD_BUS_NO_RESULT,                      \
                                method_object_signal, SD_BUS_VTABLE_UNPRIVILEGED),                                     \
        SD_BUS_METHOD_WITH_ARGS("Pause", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_object_verb,                \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                           \
        SD_BUS_METHOD_WITH_ARGS("Resume", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_object_verb,               \
                                SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable cell_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Realm", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Space", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Stack", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Unit", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ControlGroup", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("IP", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Reason", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Message", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        OBJECT_VERB_METHODS,
        SD_BUS_VTABLE_END,
};


/* ---- the Container object ---- */

/* …/cell/<C>/container/<N>: the cell is the object's userdata, the name comes from the path
 * (which sd-bus hands to every callback). */
static int container_of_path(Manager *m, const char *path, Cell **ret_cell, char **ret_name) {
        _cleanup_free_ char *realm = NULL, *space = NULL, *stack = NULL, *cell = NULL, *name = NULL;
        if (sd_bus_path_decode_many(path, OBJECT_PATH_ROOT "/realm/%/space/%/stack/%/cell/%/container/%", &realm, &space,
                                    &stack, &cell, &name) <= 0)
                return 0;
        Cell *c = cell_find(m, realm, space, stack, cell);
        if (!c || !cell_container_spec(c, name))
                return 0;
        *ret_cell = c;
        if (ret_name)
                *ret_name = TAKE_PTR(name);
        return 1;
}

static int find_container(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                          sd_bus_error *error) {
        Cell *c;
        int r = container_of_path(userdata, path, &c, NULL);
        if (r <= 0)
                return r;
        *found = c;
        return 1;
}

static int container_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                                  sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Cell *c = userdata, *found;
        _cleanup_free_ char *name = NULL;
        if (container_of_path(c->manager, path, &found, &name) <= 0)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_CONTAINER, "no container at %s", path);
        const ContainerSpec *spec = cell_container_spec(c, name);
        const ContainerStatus *st = cell_container_status_find(c, name);
        if (streq(property, "Name"))
                return sd_bus_message_append(reply, "s", name);
        if (streq(property, "Realm"))
                return sd_bus_message_append(reply, "s", c->realm);
        if (streq(property, "Space"))
                return sd_bus_message_append(reply, "s", c->space);
        if (streq(property, "Stack"))
                return sd_bus_message_append(reply, "s", c->stack);
        if (streq(property, "Cell"))
                return sd_bus_message_append(reply, "s", c->name);
        if (streq(property, "Root"))
                return sd_bus_message_append(reply, "b", (int) spec->root);
        if (streq(property, "Image"))
                return sd_bus_message_append(reply, "s", strempty(spec->image));
        if (streq(property, "ContainerdId"))
                return sd_bus_message_append(reply, "s", strempty(spec->containerd_id));
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", strempty(container_state_string(c, name)));
        if (streq(property, "ExitCode"))
                return sd_bus_message_append(reply, "x", st ? st->exit_code : (int64_t) 0);
        if (streq(property, "ExitSignal"))
                return sd_bus_message_append(reply, "s", st ? strempty(st->exit_signal) : "");
        if (streq(property, "StartedAt"))
                return sd_bus_message_append(reply, "t", st ? (uint64_t) st->start_time : UINT64_C(0));
        if (streq(property, "FinishedAt"))
                return sd_bus_message_append(reply, "t", st ? (uint64_t) st->finish_time : UINT64_C(0));
        if (streq(property, "Reason"))
                return sd_bus_message_append(reply, "s", st ? strempty(st->reason) : "");
        if (streq(property, "Message"))
                return sd_bus_message_append(reply, "s", st ? strempty(st->message) : "");
        return -ENOENT;
}

static const sd_bus_vtable container_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Realm", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Space", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Stack", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Cell", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Root", "b", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Image", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ContainerdId", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ExitCode", "x", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ExitSignal", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("StartedAt", "t", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("FinishedAt", "t", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Reason", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Message", "s", container_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        OBJECT_VERB_METHODS,
        SD_BUS_VTABLE_END,
};

int cell_add_bus_objects(Manager *m, sd_bus *bus) {
        int r = sd_bus_add_fallback_vtable(bus, NULL, CELL_PREFIX, "org.kukeon1.Cell", cell_vtable, find_cell, m);
        if (r < 0)
                return r;
        r = sd_bus_add_fallback_vtable(bus, NULL, CELL_PREFIX, "org.kukeon1.Container", container_vtable, find_container,
                                       m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, CELL_PREFIX, enumerate, m);
}
