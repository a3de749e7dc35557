/* SPDX-License-Identifier: Apache-2.0 */
/* Cells (design.md §2): the steps that make a cell real and take it apart.
 *
 *   start  = spawn the anchor (ready pipe) → scope kukeon-R-S-T-C.scope with PIDs=[anchor],
 *            Delegate=yes in the stack slice → anchor into <scope>/anchor → CNI ADD on the
 *            anchor's netns (not for hostNetwork) → managed /etc/hosts and /etc/hostname →
 *            per container: snapshot from the image's top chain id, container with the OCI
 *            spec (cgroupsPath <scope>/<container>, the anchor's net/ipc/uts), task → Ready
 *   stop   = SIGTERM to every task, SIGKILL after the grace period, delete the tasks, CNI DEL,
 *            stop the scope (which takes the anchor) → Stopped
 *   delete = stop, then the containers, their snapshots, the scope's leaves, the run
 *            directory and the run-path document
 *
 * The scope's job is waited for asynchronously (PID 1's JobRemoved). The containerd calls of
 * a cell go through a second client on a private loop, synchronously: simple, but it blocks
 * kukeond's loop for the duration of each call; a stop's grace period is waited out with a
 * timer (StopWait), not in a call. */

#include "cell.h"
#include "cell-internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus-error.h"
#include "cgroup.h"
#include "cni-exec.h"
#include "containerd.h"
#include "containerd-name.h"
#include "duration.h"
#include "fileio.h"
#include "image-config.h"
#include "image-pull.h"
#include "image-reference.h"
#include "log.h"
#include "logger-uri.h"
#include "object-path.h"
#include "oci-spec.h"
#include "strv.h"
#include "unit-name.h"
#include "yaml-codec.h"

#define ANCHOR_READY_TIMEOUT_MSEC 5000

#define STOP_GRACE_DEFAULT_USEC (10U * 1000U * 1000U)
#define KILL_WAIT_USEC (5U * 1000U * 1000U)

/* ---- the list ---- */

static Cell *cell_free(Cell *c) {
        if (!c)
                return NULL;
        free(c->realm);
        free(c->space);
        free(c->stack);
        free(c->name);
        free(c->path);
        free(c->run_dir);
        strv_free(c->stopping_containers);
        sd_bus_slot_unref(c->unit_match);
        schema_free(&cell_doc_schema, c->doc);
        schema_free(&cell_doc_schema, c->next_doc);
        free(c);
        return NULL;
}

void cell_free_all(Manager *m) {
        while (m->cells) {
                Cell *c = m->cells;
                m->cells = c->next;
                cell_free(c);
        }
        containerd_client_free(m->cell_containerd);
        m->cell_containerd = NULL;
}

Cell *cell_find(Manager *m, const char *realm, const char *space, const char *stack, const char *name) {
        for (Cell *c = m->cells; c; c = c->next)
                if (streq(c->realm, realm) && streq(c->space, space) && streq(c->stack, stack) && streq(c->name, name))
                        return c;
        return NULL;
}

Cell *cell_find_by_path(Manager *m, const char *path) {
        for (Cell *c = m->cells; c; c = c->next)
                if (streq(c->path, path))
                        return c;
        return NULL;
}

static int compare_cells(const void *a, const void *b) {
        return strcmp((*(Cell *const *) a)->name, (*(Cell *const *) b)->name);
}

int cell_list(Manager *m, const char *realm, const char *space, const char *stack, Cell ***ret, size_t *ret_n) {
        size_t n = 0, k = 0;
        for (Cell *c = m->cells; c; c = c->next)
                n++;
        Cell **l = new0(Cell *, n + 1);
        if (!l)
                return -ENOMEM;
        for (Cell *c = m->cells; c; c = c->next)
                if (streq(c->realm, realm) && streq(c->space, space) && streq(c->stack, stack))
                        l[k++] = c;
        qsort(l, k, sizeof(Cell *), compare_cells);
        *ret = l;
        *ret_n = k;
        return 0;
}

static int cell_new(Manager *m, const char *realm, const char *space, const char *stack, CellDoc *doc, Cell **ret) {
        Cell *c = new0(Cell, 1);
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->realm = strdup(realm);
        c->space = strdup(space);
        c->stack = strdup(stack);
        c->name = strdup(doc->metadata.name);
        _cleanup_free_ char *sock = strdup(m->config->socket ?: KUKEON_SOCKET_DIR "/kukeond.sock");
        if (!c->realm || !c->space || !c->stack || !c->name || !sock) {
                cell_free(c);
                return -ENOMEM;
        }
        char *slash = strrchr(sock, '/');
        if (slash)
                *slash = 0;
        if (object_path_build(realm, space, stack, c->name, NULL, &c->path) < 0 ||
            asprintf(&c->run_dir, "%s/cells/%s/%s/%s/%s", isempty(sock) ? "/run/kukeon" : sock, realm, space, stack,
                     c->name) < 0) {
                c->run_dir = NULL;
                cell_free(c);
                return -ENOMEM;
        }
        c->doc = doc;
        *ret = c;
        return 0;
}

static void cell_add(Manager *m, Cell *c) {
        c->next = m->cells;
        if (m->cells)
                m->cells->prev = c;
        m->cells = c;
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(m, &buses);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_object_added(buses[i], c->path);
        cell_containers_announce(c, NULL, true);
}

static void cell_remove(Manager *m, Cell *c) {
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(m, &buses);
        cell_containers_announce(c, NULL, false);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_object_removed(buses[i], c->path);
        if (c->prev)
                c->prev->next = c->next;
        else
                m->cells = c->next;
        if (c->next)
                c->next->prev = c->prev;
        cell_free(c);
}

const char *cell_state_string(const Cell *c) {
        return enum_to_string(&cell_state_enum, c->doc->status.state);
}

int cell_format(const Cell *c, char **ret) {
        return yaml_format_object(&cell_doc_schema, c->doc, ret);
}

int cell_save(Cell *c) {
        c->doc->status.lifecycle.updated_at = now_realtime();
        return store_save_cell(c->manager->store, c->realm, c->space, c->stack, c->doc);
}

static void cell_set_state(Cell *c, CellState state, const char *reason, const char *message) {
        Lifecycle *l = &c->doc->status.lifecycle;
        c->doc->status.state = state;
        (void) free_and_strdup(&l->reason, reason);
        (void) free_and_strdup(&l->message, message);
        if (state == CELL_STATE_READY) {
                c->doc->status.ready_observed = true;
                if (!l->ready_at)
                        l->ready_at = now_realtime();
        }
        (void) cell_save(c);
        cell_changed(c);
}

/* The cell's status.reason for a failure, from the error the step reports: one word a
 * program can match (seed 001 leaves the values open), the message says the rest. */
static const char *fail_reason(const char *name) {
        if (streq(name, BUS_ERROR_NO_SUCH_IMAGE))
                return "ImageNotFound";
        if (streq(name, BUS_ERROR_NETWORK_FAILED))
                return "NetworkFailed";
        if (streq(name, BUS_ERROR_SYSTEMD_FAILED))
                return "ScopeFailed";
        return "StartFailed";
}

/* Marks the cell Failed (reason from fail_reason() unless given) and sets the step's error. */
_printf_(5, 6) static int cell_fail_reason(Cell *c, sd_bus_error *error, const char *name, const char *reason,
                                           const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        cell_set_state(c, CELL_STATE_FAILED, reason ?: fail_reason(name), msg);
        log_resource_errno(LOG_ERR, 0, c->realm, c->space, c->stack, c->doc->status.unit, "Cell %s: %s", c->name,
                           strna(msg));
        return sd_bus_error_set(error, name, msg ?: "out of memory");
}

#define cell_fail(c, error, name, ...) cell_fail_reason(c, error, name, NULL, __VA_ARGS__)

/* ---- helpers ---- */

ContainerdClient *cell_containerd(Manager *m) {
        if (m->cell_containerd)
                return m->cell_containerd;
        _cleanup_free_ char *address = NULL;
        if (asprintf(&address, "unix://%s", m->config->containerd_socket) < 0)
                return NULL;
        if (containerd_client_new(NULL, address, &m->cell_containerd) < 0)
                return NULL;
        return m->cell_containerd;
}

const char *cell_namespace(Cell *c) {
        Resource *r = manager_find(c->manager, KIND_REALM, c->realm, NULL, NULL);
        return r ? ((RealmDoc *) r->doc)->spec.namespace_ : NULL;
}

static bool cell_host_network(const Cell *c) {
        for (size_t i = 0; i < c->doc->spec.n_containers; i++)
                if (c->doc->spec.containers[i].host_network)
                        return true;
        return false;
}

bool cell_anchor_alive(pid_t pid) {
        return pid > 0 && kill(pid, 0) == 0;
}

/* "10s", "500ms", "1m", "3" (seconds) */
uint64_t cell_grace_usec(const Cell *c) {
        const char *s = c->doc->spec.stop_grace_period;
        if (isempty(s))
                return STOP_GRACE_DEFAULT_USEC;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || end == s)
                return STOP_GRACE_DEFAULT_USEC;
        if (streq(end, "ms"))
                return v * 1000ULL;
        if (streq(end, "m"))
                return v * 60ULL * 1000000ULL;
        if (streq(end, "s") || *end == 0)
                return v * 1000000ULL;
        return STOP_GRACE_DEFAULT_USEC;
}

ContainerStatus *cell_container_status_find(const Cell *c, const char *name) {
        const CellStatus *st = &c->doc->status;
        for (size_t i = 0; i < st->n_containers; i++)
                if (streq_ptr(st->containers[i].name, name))
                        return &st->containers[i];
        return NULL;
}

ContainerStatus *cell_container_status(Cell *c, const char *name) {
        CellStatus *st = &c->doc->status;
        ContainerStatus *found = cell_container_status_find(c, name);
        if (found)
                return found;
        ContainerStatus *n = reallocarray(st->containers, st->n_containers + 1, sizeof(ContainerStatus));
        if (!n)
                return NULL;
        st->containers = n;
        ContainerStatus *s = &n[st->n_containers];
        *s = (ContainerStatus) {};
        if (!(s->name = strdup(name)))
                return NULL;
        st->n_containers++;
        return s;
}

/* ---- step data ---- */

Step *cell_add_step(Operation *op, step_call_t call, Cell *c, unsigned group, CellVerb verb) {
        CellStep *d = new0(CellStep, 1);
        if (!d)
                return NULL;
        d->cell = c;
        d->verb = verb;
        return operation_add_call(op, call, NULL, group, d);
}

static int step_stop_tasks(Operation *op, Step *s, sd_bus_error *error);
static int stop_tasks_now(Operation *op, Cell *c, bool kill_now);
static int step_cni_del(Operation *op, Step *s, sd_bus_error *error);

/* ---- start ---- */

static int step_pending(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        int k;
        c->stopping = false;
        cell_set_state(c, CELL_STATE_PENDING, NULL, NULL);
        k = mkdir_p_mode(c->run_dir, 0755);
        if (k < 0)
                return cell_fail(c, error, SD_BUS_ERROR_FAILED, "cannot make %s: %s", c->run_dir, strerror(-k));
        return 0;
}

/* The anchor, detached from kukeond (double fork: it outlives a restart of the daemon and is
 * reaped by PID 1 or the scope's subreaper, never left a zombie of ours). */
static int spawn_anchor(const char *hostname, pid_t *ret, char **ret_msg) {
        int ready[2] = { -EBADF, -EBADF }, pidp[2] = { -EBADF, -EBADF };
        _cleanup_free_ char *bin = NULL;
        const char *dir = getenv("KUKEON_ANCHOR") ? NULL : KUKEON_LIBEXECDIR;
        int k;

        if (dir ? asprintf(&bin, "%s/kukeon-anchor", dir) < 0 : !(bin = strdup(getenv("KUKEON_ANCHOR"))))
                return -ENOMEM;
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(pidp, O_CLOEXEC) < 0) {
                k = -errno;
                safe_close(ready[0]);
                safe_close(ready[1]);
                return k;
        }
        /* kukeond has threads (the containerd poller): between fork and exec only
         * async-signal-safe calls, so everything is prepared here */
        char fdbuf[16];
        snprintf(fdbuf, sizeof fdbuf, "%d", ready[1]);
        pid_t child = fork();
        if (child < 0) {
                k = -errno;
                goto finish;
        }
        if (child == 0) {
                (void) setsid();
                pid_t g = fork();
                if (g < 0)
                        _exit(1);
                if (g == 0) {
                        if (fcntl(ready[1], F_SETFD, 0) < 0) /* the anchor keeps it across exec */
                                _exit(1);
                        sigset_t all;
                        sigemptyset(&all);
                        sigprocmask(SIG_SETMASK, &all, NULL);
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        if (null >= 0) {
                                dup2(null, 0);
                                dup2(null, 1);
                        }
                        execl(bin, "kukeon-anchor", "--hostname", hostname, "--ready-fd", fdbuf, (char *) NULL);
                        _exit(127);
                }
                (void) !write(pidp[1], &g, sizeof g);
                _exit(0);
        }
        ready[1] = safe_close(ready[1]);
        pidp[1] = safe_close(pidp[1]);
        (void) waitpid(child, NULL, 0);
        pid_t g = 0;
        if (read(pidp[0], &g, sizeof g) != (ssize_t) sizeof g || g <= 0) {
                k = -ECHILD;
                (void) asprintf(ret_msg, "cannot fork the anchor");
                goto finish;
        }
        struct pollfd p = { .fd = ready[0], .events = POLLIN };
        k = poll(&p, 1, ANCHOR_READY_TIMEOUT_MSEC);
        if (k <= 0) {
                (void) kill(g, SIGKILL);
                k = k == 0 ? -ETIMEDOUT : -errno;
                (void) asprintf(ret_msg, "the anchor %s did not get ready within %d ms", bin, ANCHOR_READY_TIMEOUT_MSEC);
                goto finish;
        }
        char buf[64] = {};
        ssize_t n = read(ready[0], buf, sizeof buf - 1);
        if (n <= 0 || strncmp(buf, "READY=1", 7) != 0) {
                (void) kill(g, SIGKILL);
                k = -EIO;
                (void) asprintf(ret_msg, "the anchor %s failed: %s", bin, n > 0 ? (buf[strcspn(buf, "\n")] = 0, buf) : "it exited (is it installed?)");
                goto finish;
        }
        *ret = g;
        k = 0;
finish:
        safe_close(ready[0]);
        safe_close(ready[1]);
        safe_close(pidp[0]);
        safe_close(pidp[1]);
        return k;
}

static int step_anchor(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        _cleanup_free_ char *msg = NULL;
        if (cell_anchor_alive(c->anchor))
                return 0;
        int k = spawn_anchor(c->name, &c->anchor, &msg);
        if (k < 0)
                return cell_fail(c, error, SD_BUS_ERROR_FAILED, "%s", msg ?: strerror(-k));
        log_resource_errno(LOG_DEBUG, 0, c->realm, c->space, c->stack, c->doc->status.unit, "Cell %s: anchor is PID %d.",
                           c->name, (int) c->anchor);
        return 0;
}

/* ---- ends that kukeond did not ask for ---- */

/* The cell ended without a verb of ours: its scope stopped (systemctl stop, kill, OOM of the
 * whole scope) or its last running container exited. The state (Stopped or Failed, with the
 * reason) is recorded at once, and an operation of its own takes down what is left — tasks,
 * the address, the scope with the anchor — as a stop would, so that Stopped always means
 * that nothing of the cell runs. */
static void cell_ended(Cell *c, CellState state, const char *reason, const char *msg) {
        Manager *m = c->manager;
        Operation *op;

        if (c->stopping || c->doc->status.state != CELL_STATE_READY)
                return;
        c->stopping = true;
        log_resource_errno(state == CELL_STATE_FAILED ? LOG_WARNING : LOG_INFO, 0, c->realm, c->space, c->stack,
                           c->doc->status.unit, "Cell %s: %s.", c->name, strna(msg));
        c->doc->status.state = state;
        (void) free_and_strdup(&c->doc->status.lifecycle.reason, reason);
        (void) free_and_strdup(&c->doc->status.lifecycle.message, msg);
        /* an operation holds the run path's lock and saves the cell itself */
        if (!m->running)
                (void) cell_save(c);
        cell_changed(c);

        if (operation_new(m, OPERATION_DELETE, NULL, CELL_VERB_FLAG(CELL_VERB_REAP), &op) < 0)
                return (void) log_oom();
        op->target_kind = KIND_CELL;
        if (!(op->realm = strdup(c->realm)) || !(op->space = strdup(c->space)) || !(op->stack = strdup(c->stack)) ||
            !(op->cell = strdup(c->name))) {
                operation_free(op);
                return (void) log_oom();
        }
        op->plan = cell_plan_verb;
        operation_enqueue(op);
}

/* 'active_state': deactivating, inactive or failed — the scope is going or gone. Its
 * processes (the anchor among them) get PID 1's signals, so the anchor is not ours anymore. */
static void cell_scope_ended(Cell *c, const char *active_state) {
        _cleanup_free_ char *msg = NULL;
        bool failed = streq(active_state, "failed");
        if (c->stopping || c->doc->status.state != CELL_STATE_READY)
                return;
        c->anchor = 0;
        if (asprintf(&msg, "unit %s stopped outside kukeond (%s)", c->doc->status.unit, active_state) < 0)
                msg = NULL;
        cell_ended(c, failed ? CELL_STATE_FAILED : CELL_STATE_STOPPED, failed ? "ScopeFailed" : "ScopeStopped", msg);
}

static int on_unit_properties(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Cell *c = userdata;
        const char *interface, *active_state = NULL;
        int r;

        r = sd_bus_message_read(msg, "s", &interface);
        if (r < 0 || !streq(interface, "org.freedesktop.systemd1.Unit"))
                return 0;
        r = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (r < 0)
                return 0;
        while ((r = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *name;
                r = sd_bus_message_read(msg, "s", &name);
                if (r >= 0)
                        r = streq(name, "ActiveState") ? sd_bus_message_read(msg, "v", "s", &active_state) :
                                                         sd_bus_message_skip(msg, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(msg);
                if (r < 0)
                        return 0;
        }
        /* deactivating: PID 1 is about to signal the processes; acting then, not at inactive,
         * lets the containers' exits count as a stop rather than as failures */
        if (active_state && STR_IN_SET(active_state, "deactivating", "inactive", "failed"))
                cell_scope_ended(c, active_state);
        return 0;
}

/* The scope's ActiveState, asked synchronously: for a task exit that may have overtaken
 * PID 1's signal. "active" when it cannot be told. */
static void cell_check_scope(Cell *c) {
        Manager *m = c->manager;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *state = NULL;
        if (c->stopping || !m->systemd || !c->doc->status.unit || systemd_unit_object_path(c->doc->status.unit, &path) < 0)
                return;
        int r = sd_bus_get_property_string(systemd_client_bus(m->systemd), "org.freedesktop.systemd1", path,
                                           "org.freedesktop.systemd1.Unit", "ActiveState", &e, &state);
        if (r >= 0 && !streq(state, "active") && !streq(state, "reloading") && !streq(state, "activating"))
                cell_scope_ended(c, state);
}

/* Follows the scope's ActiveState (PID 1 sends PropertiesChanged: kukeond is subscribed). */
static void cell_watch_unit(Cell *c) {
        Manager *m = c->manager;
        _cleanup_free_ char *path = NULL;
        if (c->unit_match || !m->systemd || !c->doc->status.unit ||
            systemd_unit_object_path(c->doc->status.unit, &path) < 0)
                return;
        int r = sd_bus_match_signal_async(systemd_client_bus(m->systemd), &c->unit_match, "org.freedesktop.systemd1", path,
                                          "org.freedesktop.DBus.Properties", "PropertiesChanged", on_unit_properties,
                                          NULL, c);
        if (r < 0)
                log_resource_errno(LOG_WARNING, r, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: cannot follow the scope's state: %m", c->name);
}

static void cell_unwatch_unit(Cell *c) {
        c->unit_match = sd_bus_slot_unref(c->unit_match);
}

typedef struct ScopeCall {
        Operation *op;
        Cell *cell;
        bool stop;
        bool rollback; /* errors are only logged: the cell is Failed already */
} ScopeCall;

static void scope_done(int r, const sd_bus_error *e, const char *value, void *userdata) {
        ScopeCall *sc = userdata;
        Operation *op = sc->op;
        Cell *c = sc->cell;
        _cleanup_(sd_bus_error_free) sd_bus_error err = SD_BUS_ERROR_NULL;
        bool stop = sc->stop, rollback = sc->rollback;
        free(sc);

        if (rollback) {
                if (r < 0 && !(e && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit")))
                        log_resource_errno(LOG_WARNING, r, c->realm, c->space, c->stack, c->doc->status.unit,
                                           "Cell %s: cannot stop the scope after a failed start: %s", c->name,
                                           e && e->message ? e->message : strerror(-r));
                c->anchor = 0;
                operation_step_done(op, 0, NULL);
                return;
        }

        if (stop && r < 0 && e && sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit"))
                r = 0;
        if (r < 0) {
                (void) cell_fail(c, &err, BUS_ERROR_SYSTEMD_FAILED, "unit %s: %s", c->doc->status.unit,
                                 e && e->message ? e->message : strerror(-r));
                operation_step_done(op, r, &err);
                return;
        }
        if (!stop)
                cell_watch_unit(c);
        operation_step_done(op, 0, NULL);
}

static int step_scope(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        Manager *m = op->manager;
        _cleanup_free_ char *slice = NULL, *cg = NULL;
        char description[300];
        uint32_t pid = (uint32_t) c->anchor;
        int k;

        if (!m->systemd)
                return cell_fail(c, error, BUS_ERROR_SYSTEMD_FAILED, "PID 1 is not reachable");
        k = unit_name_build(c->realm, c->space, c->stack, NULL, &slice);
        if (k >= 0)
                k = unit_name_cgroup_path(c->realm, c->space, c->stack, c->name, &cg);
        if (k < 0)
                return k;
        (void) free_and_strdup(&c->doc->status.cgroup_path, cg);
        snprintf(description, sizeof description, "kukeon cell %s/%s/%s/%s", c->realm, c->space, c->stack, c->name);
        UnitProperty props[16] = {
                UNIT_PROPERTY_STRING("Description", description),
                UNIT_PROPERTY_STRING("Slice", slice),
                UNIT_PROPERTY_BOOL("Delegate", true),
                { .name = "PIDs", .signature = "au", .au = { .v = &pid, .n = 1 } },
                UNIT_PROPERTY_UINT64("TimeoutStopUSec", cell_grace_usec(c) + KILL_WAIT_USEC),
                UNIT_PROPERTY_STRING("CollectMode", "inactive-or-failed"),
                UNIT_PROPERTY_BOOL("DefaultDependencies", false),
                /* At shutdown kukeond stops before its cells: a scope stopping then is the
                 * machine going down, which must not be recorded as "stopped outside kukeond"
                 * (the cell would stay Stopped after the reboot). */
                UNIT_PROPERTY_UNIT_LIST("Before", "kukeond.service"),
        };
        size_t n = 8;
        /* spec.resources: the whole cell's limits are the scope's (the containers' own go to
         * their leaves through the OCI spec). Set at start only: a changed spec is an Apply,
         * which restarts the cell. */
        const UnitResources *lim = c->doc->spec.resources;
        if (lim) {
                const struct {
                        const char *name, *key;
                        const OptInt *v;
                } l[] = {
                        { "MemoryMax", "memoryMax", &lim->memory_max },
                        { "CPUWeight", "cpuWeight", &lim->cpu_weight },
                        { "TasksMax", "tasksMax", &lim->tasks_max },
                        { "IOWeight", "ioWeight", &lim->io_weight },
                };
                props[n++] = UNIT_PROPERTY_BOOL("MemoryAccounting", true);
                props[n++] = UNIT_PROPERTY_BOOL("CPUAccounting", true);
                props[n++] = UNIT_PROPERTY_BOOL("TasksAccounting", true);
                for (size_t i = 0; i < ELEMENTSOF(l); i++)
                        if (l[i].v->set) {
                                if (l[i].v->value <= 0)
                                        return cell_fail_reason(c, error, SD_BUS_ERROR_INVALID_ARGS, "InvalidResources",
                                                                "spec.resources.%s: must be positive, got %" PRIi64,
                                                                l[i].key, l[i].v->value);
                                props[n++] = UNIT_PROPERTY_UINT64(l[i].name, (uint64_t) l[i].v->value);
                        }
        }
        assert(n <= ELEMENTSOF(props));
        ScopeCall *sc = new0(ScopeCall, 1);
        if (!sc)
                return -ENOMEM;
        *sc = (ScopeCall) { .op = op, .cell = c };
        k = systemd_start_transient_unit(m->systemd, c->doc->status.unit, props, n, 0, scope_done, sc);
        if (k < 0) {
                free(sc);
                return cell_fail(c, error, BUS_ERROR_SYSTEMD_FAILED, "cannot start %s: %s", c->doc->status.unit,
                                 strerror(-k));
        }
        return 1;
}

static int write_etc_files(Cell *c) {
        _cleanup_free_ char *hosts = NULL, *hostname = NULL, *hp = NULL, *np = NULL;
        const char *ip = c->doc->status.network.ip;
        if (asprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s%s%s%s",
                     ip ? ip : "", ip ? "\t" : "", ip ? c->name : "", ip ? "\n" : "") < 0 ||
            asprintf(&hostname, "%s\n", c->name) < 0 || asprintf(&hp, "%s/hosts", c->run_dir) < 0 ||
            asprintf(&np, "%s/hostname", c->run_dir) < 0)
                return -ENOMEM;
        int k = write_file_atomic(hp, hosts, strlen(hosts), 0644);
        if (k >= 0)
                k = write_file_atomic(np, hostname, strlen(hostname), 0644);
        return k;
}

static int cni_runtime(Cell *c, CniRuntime *rt, char **netns, char **id) {
        if (asprintf(netns, "/proc/%d/ns/net", (int) c->anchor) < 0)
                return -ENOMEM;
        /* CNI_CONTAINERID allows [A-Za-z0-9_.-]: not the unit name's "\x2d"; '_' joins
         * names that never contain it */
        if (asprintf(id, "kukeon_%s_%s_%s_%s", c->realm, c->space, c->stack, c->name) < 0) {
                *id = NULL;
                return -ENOMEM;
        }
        *rt = (CniRuntime) { .container_id = *id, .netns = *netns, .plugin_path = c->manager->config->cni_bin_dir };
        return 0;
}

static int step_network(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        Manager *m = op->manager;
        CgroupHierarchies h = {};
        _cleanup_free_ char *leaf = NULL, *conflist = NULL, *netns = NULL, *id = NULL, *cni_err = NULL, *ip = NULL,
                            *gw = NULL;
        size_t size;
        int k;

        if (asprintf(&leaf, "%s/anchor", c->doc->status.cgroup_path) < 0)
                return -ENOMEM;
        k = cgroup_hierarchies_load(&h);
        if (k >= 0)
                k = cgroup_create(&h, leaf);
        if (k >= 0)
                k = cgroup_attach(&h, leaf, c->anchor);
        cgroup_hierarchies_done(&h);
        if (k < 0)
                return cell_fail(c, error, SD_BUS_ERROR_FAILED, "cannot move the anchor into %s: %s", leaf, strerror(-k));

        if (!cell_host_network(c) && !c->doc->status.network.ip) {
                Resource *sp = manager_find(m, KIND_SPACE, c->realm, c->space, NULL);
                k = store_read_conflist(m->store, c->realm, c->space, &conflist, &size);
                if (k < 0)
                        return cell_fail(c, error, BUS_ERROR_NETWORK_FAILED, "cannot read the conflist of space %s/%s: %s",
                                         c->realm, c->space, strerror(-k));
                CniRuntime rt;
                k = cni_runtime(c, &rt, &netns, &id);
                if (k < 0)
                        return k;
                _cleanup_(json_decrefp) json_t *result = NULL;
                k = cni_conflist_add(conflist, &rt, &result, &cni_err);
                if (k < 0) {
                        (void) cni_conflist_del(conflist, &rt, NULL, NULL);
                        return cell_fail(c, error, BUS_ERROR_NETWORK_FAILED, "CNI ADD on %s: %s", netns,
                                         cni_err ?: strerror(-k));
                }
                k = cni_result_ipv4(result, &ip, &gw);
                if (k < 0)
                        return cell_fail(c, error, BUS_ERROR_NETWORK_FAILED, "CNI ADD on %s gave no IPv4 address", netns);
                (void) free_and_strdup(&c->doc->status.network.ip, ip);
                if (sp)
                        (void) free_and_strdup(&c->doc->status.network.bridge_name, ((SpaceDoc *) sp->doc)->status.bridge_name);
        }
        k = write_etc_files(c);
        if (k < 0)
                return cell_fail(c, error, SD_BUS_ERROR_FAILED, "cannot write %s/hosts: %s", c->run_dir, strerror(-k));
        (void) cell_save(c);
        cell_changed(c);
        return 0;
}

/* The image's config in the realm's namespace, pulled first when it is not there (with the
 * realm's registryCredentials). The pull is synchronous like every containerd call of a
 * cell: kukeond's loop waits for it. */
static int cell_image_config(Cell *c, ContainerdClient *cc, const char *ns, const char *image, ImageConfig **ret,
                             char **ret_msg) {
        _cleanup_free_ char *ref = NULL, *pulled = NULL, *perr = NULL;
        int k;

        k = image_reference_normalize(image, &ref);
        if (k < 0)
                return (void) asprintf(ret_msg, "image reference \"%s\" is not valid", image), k == -ENOMEM ? k : -EINVAL;
        k = image_config_load(cc, ns, ref, ret);
        if (k == -ENOENT && !streq(ref, image))
                k = image_config_load(cc, ns, image, ret);
        if (k != -ENOENT) {
                if (k < 0)
                        (void) asprintf(ret_msg, "cannot read the config of image %s: %s", ref,
                                        containerd_client_last_error(cc) ?: strerror(-k));
                return k;
        }

        Resource *r = manager_find(c->manager, KIND_REALM, c->realm, NULL, NULL);
        const RealmSpec *rs = r ? &((RealmDoc *) r->doc)->spec : NULL;
        size_t n = rs ? rs->n_registry_credentials : 0;
        _cleanup_free_ ImagePullCredentials *creds = n > 0 ? new0(ImagePullCredentials, n) : NULL;
        if (n > 0 && !creds)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                creds[i] = (ImagePullCredentials) { .server_address = rs->registry_credentials[i].server_address,
                                                    .username = rs->registry_credentials[i].username,
                                                    .password = rs->registry_credentials[i].password };
        ImagePullOptions opts = { .credentials = creds, .n_credentials = n };
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s: image %s is not in namespace %s, pulling it.", c->name, ref, ns);
        k = image_pull(cc, ns, ref, &opts, &pulled, &perr);
        if (k < 0) {
                /* -ENOENT: the cell fails with NoSuchImage / ImageNotFound, whatever kept the
                 * pull from working; the message has the pull's own reason */
                (void) asprintf(ret_msg,
                                "image %s not found in realm %s (containerd namespace %s) and the pull failed: %s; "
                                "load it with `kuke image load --realm %s FILE` (or `ctr -n %s images import FILE`)",
                                ref, c->realm, ns, perr ?: strerror(-k), c->realm, ns);
                return k == -ENOMEM ? k : -ENOENT;
        }
        k = image_config_load(cc, ns, pulled ?: ref, ret);
        if (k < 0)
                (void) asprintf(ret_msg, "cannot read the config of image %s after pulling it: %s", ref,
                                containerd_client_last_error(cc) ?: strerror(-k));
        return k;
}

/* stdout and stderr of a container: kukeon-logger (design.md §4 "Logs", docs/logs.md) as
 * containerd's binary log driver, so that `journalctl -u <scope>` shows them. The driver is
 * $KUKEON_LOGGER when set (tests, a build run in place), else where `meson install` puts it.
 * A driver that is not there would fail the task's creation in the shim: without it the
 * container runs, its output is dropped, and the journal says why. */
static int container_log_uri(Cell *c, const ContainerSpec *spec, char **ret) {
        const char *driver = getenv("KUKEON_LOGGER") ?: LOGGER_DRIVER_PATH;
        if (access(driver, X_OK) < 0) {
                log_resource_errno(LOG_WARNING, errno, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: container %s: no log driver %s (%m), its output goes to /dev/null.",
                                   c->name, spec->id, driver);
                *ret = NULL;
                return 0;
        }
        LoggerTarget t = { .realm = c->realm, .space = c->space, .stack = c->stack, .cell = c->name,
                           .container = spec->id, .unit = c->doc->status.unit };
        return logger_uri_build(driver, &t, ret);
}

/* The staged file secrets belong to the container's user, so that a non-root process can read
 * its own 0400 file: the user is only known once the spec is built (image config, passwd), so
 * the files are staged as root first and handed over here. */
static int secrets_chown(const OciSecrets *secrets, json_t *oci) {
        json_t *user = json_object_get(json_object_get(oci, "process"), "user");
        json_int_t uid = json_integer_value(json_object_get(user, "uid"));
        json_int_t gid = json_integer_value(json_object_get(user, "gid"));
        if (uid == 0 && gid == 0)
                return 0;
        for (size_t i = 0; i < secrets->n; i++)
                if (secrets->items[i].staged_path &&
                    chown(secrets->items[i].staged_path, (uid_t) uid, (gid_t) gid) < 0)
                        return -errno;
        return 0;
}

/* The spec text holds env secrets' values: wiped before it is freed. */
static void erase_freep(char **p) {
        if (*p)
                explicit_bzero(*p, strlen(*p));
        free(*p);
}

static int start_container(Cell *c, ContainerSpec *spec, bool *ret_secret_failed, char **ret_msg) {
        Manager *m = c->manager;
        ContainerdClient *cc = cell_containerd(m);
        const char *ns = cell_namespace(c);
        _cleanup_(image_config_freep) ImageConfig *ic = NULL;
        _cleanup_(containerd_mounts_freep) ContainerdMount **mounts = NULL;
        _cleanup_free_ char *cid = NULL, *cgpath = NULL, *netns = NULL, *ipcns = NULL, *utsns = NULL, *hosts = NULL,
                            *hostname = NULL, *err = NULL, *log_uri = NULL;
        _cleanup_(erase_freep) char *spec_text = NULL;
        _cleanup_(oci_secrets_done) OciSecrets secrets = {};
        _cleanup_(json_decrefp) json_t *json = NULL;
        int k;

        if (!cc)
                return (void) asprintf(ret_msg, "cannot make a containerd client"), -ENOTCONN;
        if (!ns)
                return (void) asprintf(ret_msg, "realm %s has no containerd namespace", c->realm), -ENOENT;
        k = containerd_container_id_build(c->space, c->stack, c->name, spec->id, &cid);
        if (k < 0)
                return k;
        (void) free_and_strdup(&spec->containerd_id, cid);

        k = cell_image_config(c, cc, ns, spec->image, &ic, ret_msg);
        if (k < 0)
                return k;

        /* the rootfs: an active snapshot named after the container on the image's top layer */
        const char *parent = ic->chain_ids[strv_length(ic->chain_ids) - 1];
        char *labels[] = { (char *) "containerd.io/gc.root", (char *) "kukeon", NULL };
        k = containerd_snapshot_prepare_sync(cc, ns, NULL, cid, parent, labels, &mounts);
        if (k == -EEXIST)
                k = containerd_snapshot_mounts_sync(cc, ns, NULL, cid, &mounts);
        if (k < 0)
                return (void) asprintf(ret_msg, "snapshot %s on %s: %s", cid, parent,
                                       containerd_client_last_error(cc) ?: strerror(-k)), k;

        if (asprintf(&cgpath, "%s/%s", c->doc->status.cgroup_path, spec->id) < 0 ||
            asprintf(&netns, "/proc/%d/ns/net", (int) c->anchor) < 0 ||
            asprintf(&ipcns, "/proc/%d/ns/ipc", (int) c->anchor) < 0 ||
            asprintf(&utsns, "/proc/%d/ns/uts", (int) c->anchor) < 0 || asprintf(&hosts, "%s/hosts", c->run_dir) < 0 ||
            asprintf(&hostname, "%s/hostname", c->run_dir) < 0)
                return -ENOMEM;
        OciImageConfig oic = { .entrypoint = ic->entrypoint, .cmd = ic->cmd, .env = ic->env,
                               .working_dir = ic->working_dir, .user = ic->user };
        OciSpecContext ctx = {
                .realm = c->realm, .space = c->space, .stack = c->stack, .cell = c->name, .container = spec->id,
                .containerd_id = cid, .cgroups_path = cgpath, .cell_cgroup_path = c->doc->status.cgroup_path,
                .net_ns_path = netns, .ipc_ns_path = ipcns, .uts_ns_path = utsns, .hostname = c->name,
                .cell_ip = c->doc->status.network.ip, .hosts_path = hosts, .hostname_path = hostname,
                .image = &oic, .host_devices_dir = "/dev",
        };
        /* secrets are resolved at each start (a rotated file is picked up by a restart) and
         * taken back when the task is deleted (step_stop_tasks); messages name the secret and
         * its source, never its value */
        if (spec->n_secrets > 0) {
                k = oci_secret_stage(spec, NULL, 0, 0, &secrets, &err);
                if (k < 0) {
                        *ret_secret_failed = true;
                        return (void) asprintf(ret_msg, "container %s: secret: %s", spec->id, err ?: strerror(-k)), k;
                }
                ctx.secrets = &secrets;
        }
        k = oci_spec_build(spec, &ctx, &json, &err);
        if (k < 0)
                return (void) asprintf(ret_msg, "container %s: %s", spec->id, err ?: strerror(-k)), k;
        k = secrets_chown(&secrets, json);
        if (k < 0) {
                *ret_secret_failed = true;
                return (void) asprintf(ret_msg, "container %s: cannot hand its secrets to its user: %s", spec->id,
                                       strerror(-k)), k;
        }
        spec_text = json_dumps(json, JSON_COMPACT);
        if (!spec_text)
                return -ENOMEM;

        char *clabels[] = { (char *) "kukeon.io/realm", c->realm, (char *) "kukeon.io/space", c->space,
                            (char *) "kukeon.io/stack", c->stack, (char *) "kukeon.io/cell", c->name,
                            (char *) "kukeon.io/container", spec->id, NULL };
        ContainerdContainer ctr = { .id = cid, .labels = clabels, .image = spec->image, .spec_json = spec_text,
                                    .snapshotter = (char *) CONTAINERD_SNAPSHOTTER_DEFAULT, .snapshot_key = cid };
        k = containerd_container_create_sync(cc, ns, &ctr, NULL);
        if (k == -EEXIST) /* from an earlier start: the anchor (its namespaces) changed */
                k = containerd_container_update_sync(cc, ns, &ctr, (char *[]) { (char *) "spec", NULL }, NULL);
        if (k < 0)
                return (void) asprintf(ret_msg, "containerd container %s: %s", cid,
                                       containerd_client_last_error(cc) ?: strerror(-k)), k;

        k = container_log_uri(c, spec, &log_uri);
        if (k < 0)
                return (void) asprintf(ret_msg, "container %s: cannot make its log URI: %s", spec->id, strerror(-k)), k;

        /* a task left from a start that did not finish */
        (void) containerd_task_delete_sync(cc, ns, cid, NULL, NULL);
        ContainerdTaskConfig tc = { .container_id = cid, .rootfs = mounts, .stdout_path = log_uri, .stderr_path = log_uri };
        k = containerd_task_create_sync(cc, ns, &tc, NULL);
        if (k >= 0)
                k = containerd_task_start_sync(cc, ns, cid, NULL, NULL);
        if (k < 0)
                return (void) asprintf(ret_msg, "task %s: %s", cid, containerd_client_last_error(cc) ?: strerror(-k)), k;
        return 0;
}

int cell_container_start(Cell *c, ContainerSpec *spec, bool *ret_secret_failed, char **ret_msg) {
        ContainerStatus *st = cell_container_status(c, spec->id);
        if (!st)
                return -ENOMEM;
        *ret_secret_failed = false;
        /* before the task exists: an exit of this task is never older than its start
         * (on_task_event() drops exits older than that, from a task before it) */
        usec_t started = now_realtime();
        int k = start_container(c, spec, ret_secret_failed, ret_msg);
        if (k < 0) {
                st->state = CONTAINER_STATE_FAILED;
                (void) free_and_strdup(&st->reason, *ret_secret_failed ? "SecretFailed" : "StartFailed");
                (void) free_and_strdup(&st->message, *ret_msg ?: strerror(-k));
                return k;
        }
        (void) free_and_strdup(&st->id, spec->containerd_id);
        st->state = CONTAINER_STATE_READY;
        st->start_time = started;
        st->finish_time = 0;
        st->exit_code = 0;
        (void) free_and_strdup(&st->exit_signal, NULL);
        (void) free_and_strdup(&st->reason, NULL);
        (void) free_and_strdup(&st->message, NULL);
        return 0;
}

static int step_containers(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                _cleanup_free_ char *msg = NULL;
                bool secret_failed;
                int k = cell_container_start(c, &c->doc->spec.containers[i], &secret_failed, &msg);
                if (k == -ENOMEM)
                        return k;
                if (k < 0) {
                        if (secret_failed)
                                return cell_fail_reason(c, error, SD_BUS_ERROR_FAILED, "SecretFailed", "%s",
                                                        msg ?: strerror(-k));
                        return cell_fail(c, error, k == -ENOENT && msg && strstr(msg, "image") ? BUS_ERROR_NO_SUCH_IMAGE :
                                                   SD_BUS_ERROR_FAILED, "%s", msg ?: strerror(-k));
                }
        }
        return 0;
}

/* The cell follows its containers: once none of them runs, it has ended — Failed when one
 * failed, else Stopped ("Completed"). A cell without containers never ends this way. */
void cell_follow_containers(Cell *c) {
        const ContainerStatus *failed = NULL;
        if (c->doc->spec.n_containers == 0)
                return;
        for (size_t i = 0; i < c->doc->status.n_containers; i++) {
                const ContainerStatus *x = &c->doc->status.containers[i];
                if (x->state == CONTAINER_STATE_READY || x->state == CONTAINER_STATE_PAUSED)
                        return;
                if (x->state == CONTAINER_STATE_FAILED && !failed)
                        failed = x;
        }
        _cleanup_free_ char *msg = NULL;
        if ((failed ? asprintf(&msg, "container %s: %s", failed->name, strna(failed->message)) :
                      asprintf(&msg, "every container exited with status 0")) < 0)
                msg = NULL;
        cell_ended(c, failed ? CELL_STATE_FAILED : CELL_STATE_STOPPED, failed ? "ContainerFailed" : "Completed", msg);
}

static int step_ready(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        cell_set_state(c, CELL_STATE_READY, NULL, NULL);
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit, "Cell %s is ready (%s).",
                           c->name, c->doc->status.network.ip ?: "host network");
        cell_follow_containers(c); /* every container may have exited already */
        return 0;
}

/* After a failed start (the group's remaining steps were skipped): take back what was made —
 * tasks, the address, the scope with the anchor — and leave the cell Failed with its reason. */
static int step_rollback(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        Manager *m = op->manager;
        if (c->doc->status.state != CELL_STATE_FAILED)
                return 0;
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s failed to start: taking back what was made.", c->name);
        ((CellStep *) s->data)->verb = CELL_VERB_KILL;
        (void) stop_tasks_now(op, c, true);
        (void) step_cni_del(op, s, error);
        if (!m->systemd) {
                if (cell_anchor_alive(c->anchor))
                        (void) kill(c->anchor, SIGKILL);
                c->anchor = 0;
                return 0;
        }
        ScopeCall *sc = new0(ScopeCall, 1);
        if (!sc)
                return -ENOMEM;
        *sc = (ScopeCall) { .op = op, .cell = c, .stop = true, .rollback = true };
        if (systemd_stop_unit(m->systemd, c->doc->status.unit, 0, scope_done, sc) < 0) {
                free(sc);
                if (cell_anchor_alive(c->anchor))
                        (void) kill(c->anchor, SIGKILL);
                c->anchor = 0;
                return 0;
        }
        return 1;
}

static int plan_start(Operation *op, Cell *c, unsigned g) {
        /* in a group of its own, so that it runs when the start's group failed */
        if (!cell_add_step(op, step_rollback, c, operation_new_group(op), CELL_VERB_KILL))
                return -ENOMEM;
        op->insert_at--; /* the rollback goes after the start's steps */
        if (!cell_add_step(op, step_pending, c, g, CELL_VERB_START) || !cell_add_step(op, step_anchor, c, g, CELL_VERB_START) ||
            !cell_add_step(op, step_scope, c, g, CELL_VERB_START) || !cell_add_step(op, step_network, c, g, CELL_VERB_START) ||
            !cell_add_step(op, step_containers, c, g, CELL_VERB_START) || !cell_add_step(op, step_ready, c, g, CELL_VERB_START))
                return -ENOMEM;
        return 0;
}

/* ---- stop ---- */

static int wait_task_stopped(ContainerdClient *cc, const char *ns, const char *id, uint64_t usec) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t until = ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000 + usec;
        for (;;) {
                _cleanup_(containerd_process_freep) ContainerdProcess *p = NULL;
                int k = containerd_task_get_sync(cc, ns, id, NULL, &p);
                if (k == -ENOENT)
                        return 0;
                if (k < 0)
                        return k;
                if (p->status == CONTAINERD_TASK_STOPPED)
                        return 0;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                if ((uint64_t) ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000 >= until)
                        return -ETIMEDOUT;
                (void) nanosleep(&(struct timespec) { .tv_nsec = 50 * 1000 * 1000 }, NULL);
        }
}

int cell_container_stop(Cell *c, const char *name, bool kill_now, bool signalled, char ***removed) {
        ContainerdClient *cc = cell_containerd(c->manager);
        const char *ns = cell_namespace(c);
        _cleanup_free_ char *cid = NULL;
        _cleanup_(containerd_process_freep) ContainerdProcess *p = NULL;
        if (!cc || !ns)
                return 0;
        if (containerd_container_id_build(c->space, c->stack, c->name, name, &cid) < 0)
                return -ENOMEM;
        if (!signalled)
                (void) containerd_task_kill_sync(cc, ns, cid, NULL, kill_now ? SIGKILL : SIGTERM, true);
        if (wait_task_stopped(cc, ns, cid, kill_now ? 0 : cell_grace_usec(c)) == -ETIMEDOUT) {
                (void) containerd_task_kill_sync(cc, ns, cid, NULL, SIGKILL, true);
                (void) wait_task_stopped(cc, ns, cid, KILL_WAIT_USEC);
        }
        int k = containerd_task_delete_sync(cc, ns, cid, NULL, &p);
        if (k >= 0 && removed)
                (void) strv_extendf(removed, "task %s", cid);
        (void) oci_secret_unstage(NULL, cid); /* no task, no need for its secrets */
        ContainerStatus *st = cell_container_status(c, name);
        if (!st)
                return -ENOMEM;
        /* a container that ended on its own before keeps what its exit event said */
        if (st->state == CONTAINER_STATE_READY ||
            (k >= 0 && st->state != CONTAINER_STATE_FAILED && st->state != CONTAINER_STATE_STOPPED)) {
                st->state = CONTAINER_STATE_STOPPED;
                st->finish_time = now_realtime();
                if (k >= 0 && p) {
                        /* a task killed by signal n exits with 128 + n */
                        st->exit_code = p->exit_status;
                        if (p->exit_status > 128 && p->exit_status < 128 + 65)
                                (void) free_and_strdup(&st->exit_signal, sigabbrev_np((int) p->exit_status - 128));
                }
        }
        return 0;
}

/* Waiting for tasks to stop without holding up the loop: the signal goes to every task at
 * once (so the grace periods run side by side), then a timer asks containerd every 50 ms
 * whether they are down, sends SIGKILL to those still up when the grace period ends, and
 * finishes the step (tasks deleted, statuses recorded) when none runs or the kill wait is
 * over. D-Bus calls, reads and events are served meanwhile. */
typedef struct StopWait {
        Operation *op;
        Cell *cell;
        char **names;                   /* the containers to stop; NULL: every one */
        bool kill_now, killed;
        uint64_t deadline;              /* CLOCK_MONOTONIC µs */
        sd_event_source *timer;
} StopWait;

#define STOP_POLL_USEC (50U * 1000U)

static bool stop_wait_includes(const StopWait *w, const char *name) {
        return !w->names || strv_contains(w->names, name);
}

static StopWait *stop_wait_free(StopWait *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->timer);
        strv_free(w->names);
        return mfree(w);
}

static uint64_t now_monotonic(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

/* Whether every task of the wait is down (or cannot be asked about). */
static bool stop_wait_done(StopWait *w) {
        Cell *c = w->cell;
        ContainerdClient *cc = cell_containerd(c->manager);
        const char *ns = cell_namespace(c);
        for (size_t i = 0; cc && ns && i < c->doc->spec.n_containers; i++) {
                const char *name = c->doc->spec.containers[i].id;
                _cleanup_free_ char *cid = NULL;
                _cleanup_(containerd_process_freep) ContainerdProcess *p = NULL;
                if (!stop_wait_includes(w, name) || containerd_container_id_build(c->space, c->stack, c->name, name, &cid) < 0)
                        continue;
                if (containerd_task_get_sync(cc, ns, cid, NULL, &p) >= 0 && p && p->status != CONTAINERD_TASK_STOPPED)
                        return false;
        }
        return true;
}

static void stop_wait_signal(StopWait *w, int sig) {
        Cell *c = w->cell;
        ContainerdClient *cc = cell_containerd(c->manager);
        const char *ns = cell_namespace(c);
        for (size_t i = 0; cc && ns && i < c->doc->spec.n_containers; i++) {
                _cleanup_free_ char *cid = NULL;
                const char *name = c->doc->spec.containers[i].id;
                if (!stop_wait_includes(w, name) ||
                    containerd_container_id_build(c->space, c->stack, c->name, name, &cid) < 0)
                        continue;
                /* a paused task is thawed first: frozen, it cannot act on SIGTERM (nor die
                 * of SIGKILL under the v1 freezer) */
                ContainerStatus *st = cell_container_status_find(c, name);
                if (st && st->state == CONTAINER_STATE_PAUSED) {
                        (void) containerd_task_resume_sync(cc, ns, cid);
                        st->state = CONTAINER_STATE_READY;
                }
                (void) containerd_task_kill_sync(cc, ns, cid, NULL, sig, true);
        }
}

/* 'waited': the tasks are down or past the kill wait; else (no timer) the grace period is
 * waited out here, the old way. */
static int stop_wait_finish(StopWait *w, bool waited) {
        Operation *op = w->op;
        Cell *c = w->cell;
        int k = 0;
        /* delete the tasks, record the exits */
        for (size_t i = 0; k >= 0 && i < c->doc->spec.n_containers; i++)
                if (stop_wait_includes(w, c->doc->spec.containers[i].id))
                        k = cell_container_stop(c, c->doc->spec.containers[i].id, waited || w->kill_now, true,
                                                op->kind == OPERATION_PURGE ? &op->removed : NULL);
        c->stopping_containers = strv_free(c->stopping_containers);
        (void) cell_save(c);
        cell_containers_changed(c);
        return k;
}

/* A fired timer is off: set the next time and turn it on again. */
static int stop_wait_rearm(sd_event_source *es, uint64_t usec) {
        int k = sd_event_source_set_time(es, usec + STOP_POLL_USEC);
        return k < 0 ? k : sd_event_source_set_enabled(es, SD_EVENT_ONESHOT);
}

static int on_stop_wait(sd_event_source *es, uint64_t usec, void *userdata) {
        StopWait *w = userdata;
        bool done = stop_wait_done(w);
        if (!done && usec < w->deadline && stop_wait_rearm(es, usec) >= 0)
                return 0;
        if (!done && !w->killed) {
                /* the grace period is over */
                w->killed = true;
                w->deadline = usec + KILL_WAIT_USEC;
                stop_wait_signal(w, SIGKILL);
                if (stop_wait_rearm(es, usec) >= 0)
                        return 0;
        }
        Operation *op = w->op;
        int k = stop_wait_finish(w, true);
        stop_wait_free(w);
        operation_step_done(op, k < 0 ? k : 0, NULL);
        return 0;
}

/* Stops the tasks of a cell (names NULL) or of some of its containers; returns 1 (the step
 * goes on asynchronously) or, when nothing can be waited for, 0 once done. */
int cell_stop_tasks_async(Operation *op, Cell *c, char *const *names, bool kill_now) {
        Manager *m = op->manager;
        if (!cell_containerd(m) || !cell_namespace(c))
                return 0;
        StopWait *w = new0(StopWait, 1);
        if (!w)
                return -ENOMEM;
        *w = (StopWait) { .op = op, .cell = c, .kill_now = kill_now, .killed = kill_now };
        /* their exits are stops of ours, not failures (on_task_event) */
        if (names && (!(w->names = strv_copy(names)) || !(c->stopping_containers = strv_copy(names)))) {
                stop_wait_free(w);
                return -ENOMEM;
        }
        stop_wait_signal(w, kill_now ? SIGKILL : SIGTERM);
        /* now, not the loop's wake-up time: synchronous work before this in the same
         * dispatch must not eat into the grace period */
        uint64_t now = now_monotonic();
        w->deadline = now + (kill_now ? KILL_WAIT_USEC : cell_grace_usec(c));
        int k = sd_event_add_time(m->event, &w->timer, CLOCK_MONOTONIC, now + (kill_now ? 10 * 1000 : STOP_POLL_USEC), 0,
                                  on_stop_wait, w);
        if (k < 0) {
                /* no timer: the old way, waiting here */
                k = stop_wait_finish(w, false);
                stop_wait_free(w);
                return k < 0 ? k : 0;
        }
        return 1;
}

/* Synchronous: for the rollback of a failed start, which runs inside another step. */
static int stop_tasks_now(Operation *op, Cell *c, bool kill_now) {
        c->stopping = true;
        for (size_t i = 0; i < c->doc->spec.n_containers; i++)
                if (cell_container_stop(c, c->doc->spec.containers[i].id, kill_now, false,
                                        op->kind == OPERATION_PURGE ? &op->removed : NULL) < 0)
                        return -ENOMEM;
        (void) cell_save(c);
        return 0;
}

static int step_stop_tasks(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        CellVerb verb = ((CellStep *) s->data)->verb;
        bool kill_now = verb == CELL_VERB_KILL || verb == CELL_VERB_REAP || verb == CELL_VERB_RECOVER;
        c->stopping = true;
        return cell_stop_tasks_async(op, c, NULL, kill_now);
}

static int step_cni_del(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        Manager *m = op->manager;
        _cleanup_free_ char *conflist = NULL, *netns = NULL, *id = NULL, *err = NULL;
        size_t size;
        CniRuntime rt;
        int k;

        /* RECOVER: a start cut short (kukeond killed) may have had its address from ADD
         * without saving it in the status; DEL is harmless when there is none */
        if ((!c->doc->status.network.ip && ((CellStep *) s->data)->verb != CELL_VERB_RECOVER) || cell_host_network(c))
                return 0;
        k = store_read_conflist(m->store, c->realm, c->space, &conflist, &size);
        if (k < 0)
                return 0; /* the space is gone with its network */
        k = cni_runtime(c, &rt, &netns, &id);
        if (k < 0)
                return k;
        _cleanup_free_ char *gone = NULL;
        if (!cell_anchor_alive(c->anchor)) {
                /* The namespace went with the anchor (the scope stopped behind our back). DEL
                 * must still run, it frees the IPAM address; cni-exec wants a CNI_NETNS and the
                 * plugins take a path that does not exist as "already gone" (never the old
                 * /proc/<pid>: the PID may be another process's by now). */
                if (asprintf(&gone, "%s/netns-gone", c->run_dir) < 0)
                        return -ENOMEM;
                rt.netns = gone;
        }
        k = cni_conflist_del(conflist, &rt, NULL, &err);
        if (k < 0)
                log_resource_errno(LOG_WARNING, k, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: CNI DEL: %s (continuing)", c->name, err ?: strerror(-k));
        else if (op->kind == OPERATION_PURGE && c->doc->status.network.ip)
                (void) strv_extendf(&op->removed, "address %s", c->doc->status.network.ip);
        (void) free_and_strdup(&c->doc->status.network.ip, NULL);
        (void) cell_save(c);
        return 0;
}

static int step_stop_scope(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        Manager *m = op->manager;
        if (!m->systemd)
                return cell_fail(c, error, BUS_ERROR_SYSTEMD_FAILED, "PID 1 is not reachable");
        ScopeCall *sc = new0(ScopeCall, 1);
        if (!sc)
                return -ENOMEM;
        *sc = (ScopeCall) { .op = op, .cell = c, .stop = true };
        int k = systemd_stop_unit(m->systemd, c->doc->status.unit, 0, scope_done, sc);
        if (k < 0) {
                free(sc);
                return cell_fail(c, error, BUS_ERROR_SYSTEMD_FAILED, "cannot stop %s: %s", c->doc->status.unit, strerror(-k));
        }
        return 1;
}

static int step_stopped(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        CgroupHierarchies h = {};
        /* PID 1 removes a stopped scope's cgroup with its delegated subtree; make sure */
        if (c->doc->status.cgroup_path && cgroup_hierarchies_load(&h) >= 0) {
                (void) cgroup_remove(&h, c->doc->status.cgroup_path);
                cgroup_hierarchies_done(&h);
        }
        /* an anchor that never made it into a scope (start cut short) */
        if (cell_anchor_alive(c->anchor) && ((CellStep *) s->data)->verb == CELL_VERB_RECOVER)
                (void) kill(c->anchor, SIGKILL);
        c->anchor = 0;
        c->stopping = false;
        cell_unwatch_unit(c);
        if (op->kind == OPERATION_PURGE)
                (void) strv_extendf(&op->removed, "scope %s", c->doc->status.unit);
        if (((CellStep *) s->data)->verb == CELL_VERB_RECOVER) {
                /* the start that follows sets the state */
                (void) cell_save(c);
                return 0;
        }
        if (((CellStep *) s->data)->verb == CELL_VERB_REAP) {
                /* the state (Stopped or Failed) and its reason were set when the scope ended */
                (void) cell_save(c);
                cell_changed(c);
        } else
                cell_set_state(c, CELL_STATE_STOPPED, NULL, NULL);
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit, "Cell %s stopped.", c->name);
        return 0;
}

static int plan_stop(Operation *op, Cell *c, unsigned g, CellVerb verb) {
        if (!cell_add_step(op, step_stop_tasks, c, g, verb) || !cell_add_step(op, step_cni_del, c, g, verb) ||
            !cell_add_step(op, step_stop_scope, c, g, verb) || !cell_add_step(op, step_stopped, c, g, verb))
                return -ENOMEM;
        return 0;
}

/* ---- delete ---- */

/* The containerd container and the snapshot of one container, with its task if one is left
 * and its staged secrets; what is gone is added to 'removed' (purge) when given. */
int cell_container_remove(Cell *c, const char *name, char ***removed, char **ret_msg) {
        ContainerdClient *cc = cell_containerd(c->manager);
        const char *ns = cell_namespace(c);
        _cleanup_free_ char *cid = NULL;
        int k;
        if (!cc || !ns)
                return 0;
        if (containerd_container_id_build(c->space, c->stack, c->name, name, &cid) < 0)
                return -ENOMEM;
        (void) oci_secret_unstage(NULL, cid);
        k = containerd_task_delete_sync(cc, ns, cid, NULL, NULL);
        if (k >= 0 && removed)
                (void) strv_extendf(removed, "task %s", cid);
        k = containerd_container_delete_sync(cc, ns, cid);
        if (k < 0 && k != -ENOENT)
                return (void) asprintf(ret_msg, "cannot delete containerd container %s: %s", cid,
                                       containerd_client_last_error(cc) ?: strerror(-k)), k;
        if (k >= 0 && removed)
                (void) strv_extendf(removed, "container %s", cid);
        k = containerd_snapshot_remove_sync(cc, ns, NULL, cid);
        if (k < 0 && k != -ENOENT)
                return (void) asprintf(ret_msg, "cannot remove snapshot %s: %s", cid,
                                       containerd_client_last_error(cc) ?: strerror(-k)), k;
        if (k >= 0 && removed)
                (void) strv_extendf(removed, "snapshot %s", cid);
        return 0;
}

static int step_remove(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        Manager *m = op->manager;
        bool purge = op->kind == OPERATION_PURGE;
        int k;

        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                _cleanup_free_ char *msg = NULL;
                k = cell_container_remove(c, c->doc->spec.containers[i].id, purge ? &op->removed : NULL, &msg);
                if (k == -ENOMEM)
                        return k;
                if (k < 0 && !purge)
                        return cell_fail_reason(c, error, SD_BUS_ERROR_FAILED, "DeleteFailed", "%s", strna(msg));
                if (k < 0)
                        (void) strv_extend(&op->warnings, strna(msg));
        }
        /* the run directory: <dir>/cells/R/S/T/C */
        _cleanup_free_ char *parent = strdup(c->run_dir);
        if (!parent)
                return -ENOMEM;
        char *slash = strrchr(parent, '/');
        if (slash) {
                *slash = 0;
                _cleanup_close_ int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        (void) rm_rf_at(fd, slash + 1);
        }
        k = store_remove_cell(m->store, c->realm, c->space, c->stack, c->name);
        if (k < 0 && k != -ENOENT)
                return cell_fail_reason(c, error, SD_BUS_ERROR_FAILED, "DeleteFailed",
                                        "cannot remove cell %s from the run path: %s", c->name, strerror(-k));
        if (k >= 0 && purge)
                (void) strv_extendf(&op->removed, "file %s/%s/%s/%s/%s", store_run_path(m->store), c->realm, c->space,
                                    c->stack, c->name);
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit, "Cell %s removed.", c->name);
        cell_remove(m, c);
        return 0;
}

/* Apply of a changed cell, once it is stopped: the new spec in, with the status we have; the
 * containers (and snapshots, statuses) the new spec no longer has out. */
/* The spec of container 'id' in 'd', NULL when it has none. */
static const ContainerSpec *doc_container(const CellDoc *d, const char *id) {
        for (size_t i = 0; i < d->spec.n_containers; i++)
                if (streq_ptr(d->spec.containers[i].id, id))
                        return &d->spec.containers[i];
        return NULL;
}

void cell_container_status_drop(Cell *c, const char *name) {
        CellStatus *st = &c->doc->status;
        for (size_t j = 0; j < st->n_containers; j++)
                if (streq_ptr(st->containers[j].name, name)) {
                        schema_done(&container_status_schema, &st->containers[j]);
                        memmove(st->containers + j, st->containers + j + 1,
                                (st->n_containers - j - 1) * sizeof(ContainerStatus));
                        st->n_containers--;
                        return;
                }
}

static int step_swap(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        CellDoc *doc = TAKE_PTR(c->next_doc);
        if (!doc)
                return 0;
        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                const char *id = c->doc->spec.containers[i].id;
                const ContainerSpec *n = doc_container(doc, id);
                if (n && !schema_equal(&container_spec_schema, n, &c->doc->spec.containers[i])) {
                        /* kept with another spec: a fresh rootfs at the next start (its image may
                         * have changed; the old snapshot would keep the old image's files) */
                        _cleanup_free_ char *msg = NULL;
                        if (cell_container_remove(c, id, NULL, &msg) == -ENOMEM) {
                                schema_free(&cell_doc_schema, doc);
                                return -ENOMEM;
                        }
                }
                if (n)
                        continue;
                cell_containers_announce(c, id, false);
                _cleanup_free_ char *msg = NULL;
                if (cell_container_remove(c, id, NULL, &msg) == -ENOMEM) {
                        schema_free(&cell_doc_schema, doc);
                        return -ENOMEM;
                }
                cell_container_status_drop(c, id);
        }
        CellStatus keep = c->doc->status;
        c->doc->status = (CellStatus) {};
        CellStatus fresh = doc->status;
        doc->status = keep;
        CellDoc t = { .status = fresh };
        schema_done(&cell_doc_schema, &t);
        CellDoc *old = c->doc;
        c->doc = doc;
        for (size_t i = 0; i < doc->spec.n_containers; i++) {
                bool known = false;
                for (size_t j = 0; j < old->spec.n_containers; j++)
                        known = known || streq_ptr(old->spec.containers[j].id, doc->spec.containers[i].id);
                if (!known)
                        cell_containers_announce(c, doc->spec.containers[i].id, true);
        }
        schema_free(&cell_doc_schema, old);
        (void) cell_save(c);
        return 0;
}

/* Apply of a running cell whose change is in its non-root containers only: those that changed
 * or went are stopped and removed, the new spec taken, those that changed or came started.
 * The anchor, the address, the root container and the unchanged ones run on. */

static bool cell_still_running(Cell *c, sd_bus_error *error) {
        if (c->doc->status.state == CELL_STATE_READY && cell_anchor_alive(c->anchor))
                return true;
        (void) sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cell %s stopped while it was being configured: apply again",
                                 c->name);
        return false;
}

/* First half of an in-place change: the containers that change or go are stopped, side by
 * side, without holding up the loop (a stop of ours: their exits are not failures). */
static int step_in_place_stop(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        _cleanup_strv_free_ char **names = NULL;
        if (!c->next_doc)
                return 0;
        if (!cell_still_running(c, error))
                return -ESRCH;
        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                const ContainerSpec *old = &c->doc->spec.containers[i], *n = doc_container(c->next_doc, old->id);
                if ((!n || !schema_equal(&container_spec_schema, n, old)) && strv_extend(&names, old->id) < 0)
                        return -ENOMEM;
        }
        return names ? cell_stop_tasks_async(op, c, names, false) : 0;
}

static int step_update_in_place(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        CellDoc *want = c->next_doc;
        _cleanup_strv_free_ char **start = NULL;
        _cleanup_free_ char *first_error = NULL;
        int k;

        if (!want)
                return 0;
        if (!cell_still_running(c, error))
                return -ESRCH;
        for (size_t i = 0; i < c->doc->spec.n_containers; i++) {
                const ContainerSpec *old = &c->doc->spec.containers[i], *n = doc_container(want, old->id);
                if (n && !schema_equal(&container_spec_schema, n, old)) {
                        /* a new rootfs too: the image may have changed */
                        _cleanup_free_ char *msg = NULL;
                        if (cell_container_remove(c, old->id, NULL, &msg) == -ENOMEM)
                                return -ENOMEM;
                }
        }
        for (size_t j = 0; j < want->spec.n_containers; j++) {
                const ContainerSpec *n = &want->spec.containers[j], *old = NULL;
                for (size_t i = 0; i < c->doc->spec.n_containers && !old; i++)
                        if (streq_ptr(c->doc->spec.containers[i].id, n->id))
                                old = &c->doc->spec.containers[i];
                if ((!old || !schema_equal(&container_spec_schema, n, old)) && strv_extend(&start, n->id) < 0)
                        return -ENOMEM;
        }
        k = step_swap(op, s, error); /* the ones that went leave containerd and the status */
        if (k < 0)
                return k;
        /* every one is started: one that fails is Failed with its reason, the others run */
        STRV_FOREACH(id, start) {
                _cleanup_free_ char *msg = NULL;
                bool secret_failed;
                k = cell_container_start(c, (ContainerSpec *) cell_container_spec(c, *id), &secret_failed, &msg);
                if (k == -ENOMEM)
                        return k;
                if (k < 0 && !first_error)
                        first_error = strdup(msg ?: strerror(-k));
        }
        (void) cell_save(c);
        cell_changed(c);
        if (first_error)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s", first_error);
        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s: %zu container(s) replaced in place.", c->name, strv_length(start));
        return 0;
}

/* Whether a change from 'old' to 'want' (both prepared) can be made without restarting the
 * cell: the same cell-level spec, the same root container, and no change of host network. */
static bool cell_change_in_place(const CellDoc *old, const CellDoc *want) {
        CellSpec a = old->spec, b = want->spec;
        const ContainerSpec *ra = NULL, *rb = NULL;
        bool host_a = false, host_b = false;
        a.containers = b.containers = NULL;
        a.n_containers = b.n_containers = 0;
        if (!schema_equal(&cell_spec_schema, &a, &b))
                return false;
        for (size_t i = 0; i < old->spec.n_containers; i++) {
                if (old->spec.containers[i].root)
                        ra = &old->spec.containers[i];
                host_a = host_a || old->spec.containers[i].host_network;
        }
        for (size_t i = 0; i < want->spec.n_containers; i++) {
                if (want->spec.containers[i].root)
                        rb = &want->spec.containers[i];
                host_b = host_b || want->spec.containers[i].host_network;
        }
        return ra && rb && host_a == host_b && schema_equal(&container_spec_schema, ra, rb);
}

/* ---- documents ---- */

/* What the daemon owns in a new cell document: ids, the unit, a fresh status; the root
 * container (explicit, else the first). */
static int cell_prepare(Manager *m, CellDoc *d, const char *realm, const char *space, const char *stack) {
        _cleanup_free_ char *unit = NULL;
        int k;
        CellStatus old = d->status;
        d->status = (CellStatus) {};
        CellDoc t = { .status = old };
        schema_done(&cell_doc_schema, &t);

        if (free_and_strdup(&d->api_version, API_VERSION_V1BETA1) < 0 || free_and_strdup(&d->kind, "Cell") < 0 ||
            free_and_strdup(&d->spec.id, d->metadata.name) < 0 || free_and_strdup(&d->spec.realm_id, realm) < 0 ||
            free_and_strdup(&d->spec.space_id, space) < 0 || free_and_strdup(&d->spec.stack_id, stack) < 0)
                return -ENOMEM;
        bool have_root = false;
        for (size_t i = 0; i < d->spec.n_containers; i++)
                have_root = have_root || d->spec.containers[i].root;
        for (size_t i = 0; i < d->spec.n_containers; i++) {
                ContainerSpec *cs = &d->spec.containers[i];
                if (!have_root && i == 0)
                        cs->root = true;
                if (cs->root && free_and_strdup(&d->spec.root_container_id, cs->id) < 0)
                        return -ENOMEM;
                _cleanup_free_ char *cid = NULL;
                if (containerd_container_id_build(space, stack, d->metadata.name, cs->id, &cid) < 0 ||
                    free_and_strdup(&cs->containerd_id, cid) < 0 || free_and_strdup(&cs->realm_id, realm) < 0 ||
                    free_and_strdup(&cs->space_id, space) < 0 || free_and_strdup(&cs->stack_id, stack) < 0 ||
                    free_and_strdup(&cs->cell_id, d->metadata.name) < 0)
                        return -ENOMEM;
        }
        k = unit_name_build(realm, space, stack, d->metadata.name, &unit);
        if (k < 0)
                return k;
        d->status.unit = TAKE_PTR(unit);
        d->status.state = CELL_STATE_PENDING;
        d->status.lifecycle.created_at = d->status.lifecycle.updated_at = now_realtime();
        return 0;
}

int cell_parent_check(Manager *m, const char *realm, const char *space, const char *stack, sd_bus_error *error) {
        if (!manager_find(m, KIND_REALM, realm, NULL, NULL))
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_REALM, "realm \"%s\" does not exist", strna(realm));
        if (!manager_find(m, KIND_SPACE, realm, space, NULL))
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_SPACE, "space \"%s\" does not exist in realm \"%s\"",
                                         strna(space), realm);
        if (!manager_find(m, KIND_STACK, realm, space, stack))
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_STACK, "stack \"%s\" does not exist in space \"%s/%s\"",
                                         strna(stack), realm, space);
        return 0;
}

static int cell_create(Operation *op, CellDoc *doc, const char *realm, const char *space, const char *stack, Cell **ret,
                       sd_bus_error *error) {
        Manager *m = op->manager;
        Cell *c;
        int k = cell_prepare(m, doc, realm, space, stack);
        if (k >= 0)
                k = cell_new(m, realm, space, stack, doc, &c);
        if (k < 0) {
                schema_free(&cell_doc_schema, doc);
                return k;
        }
        k = cell_save(c);
        if (k < 0) {
                cell_free(c);
                return sd_bus_error_set_errnof(error, k, "cannot save cell \"%s\" in the run path: %s", doc->metadata.name,
                                               strerror(-k));
        }
        cell_add(m, c);
        op->wrote = true;
        log_resource_errno(LOG_INFO, 0, realm, space, stack, c->doc->status.unit, "Creating cell %s.", c->name);
        *ret = c;
        return 0;
}

/* autoDelete applies to a cell that was Ready once and has stopped (or is being stopped:
 * 'stopping'); one that never got Ready stays, Failed, to say why. */
static bool cell_auto_delete_due(const Cell *c, bool stopping) {
        CellState st = c->doc->status.state;
        return c->doc->spec.auto_delete && c->doc->status.ready_observed &&
               (stopping || st == CELL_STATE_STOPPED || st == CELL_STATE_FAILED);
}

static bool cell_running(const Cell *c) {
        return c->doc->status.state == CELL_STATE_READY || cell_anchor_alive(c->anchor);
}

int cell_apply_document(Operation *op, Document *d, unsigned g, sd_bus_error *error) {
        Manager *m = op->manager;
        CellDoc *in = d->object;
        _cleanup_free_ char *realm = strdup(strempty(in->spec.realm_id)), *space = strdup(strempty(in->spec.space_id)),
                            *stack = strdup(strempty(in->spec.stack_id));
        bool dry = op->flags & FLAG_DRY_RUN;
        int k;

        if (!realm || !space || !stack)
                return -ENOMEM;
        k = cell_parent_check(m, realm, space, stack, error);
        if (k < 0)
                return k;
        Cell *c = cell_find(m, realm, space, stack, d->name);
        if (!c) {
                if (dry)
                        return operation_set_outcome(op, g, "created", "", "/");
                k = cell_create(op, TAKE_PTR(d->object), realm, space, stack, &c, error);
                if (k < 0)
                        return k;
                (void) operation_set_outcome(op, g, "created", "", c->path);
                return plan_start(op, c, g);
        }

        return cell_apply_changed(op, c, TAKE_PTR(d->object), g, error);
}

/* Apply of an existing cell with the document 'in' (taken): unchanged, in place, or stop →
 * new spec → start. */
int cell_apply_changed(Operation *op, Cell *c, CellDoc *in, unsigned g, sd_bus_error *error) {
        Manager *m = op->manager;
        const char *realm = c->realm, *space = c->space, *stack = c->stack;
        _cleanup_(cell_doc_freep) CellDoc *owned = in;
        bool dry = op->flags & FLAG_DRY_RUN;
        int k;

        /* compare the specs as the daemon would store them */
        k = cell_prepare(m, in, realm, space, stack);
        if (k < 0)
                return k;
        bool same = schema_equal(&cell_spec_schema, &in->spec, &c->doc->spec) &&
                    strv_equal(in->metadata.labels, c->doc->metadata.labels);
        if (same && c->doc->status.state == CELL_STATE_READY)
                return operation_set_outcome(op, g, "unchanged", "", c->path);
        if (dry)
                return operation_set_outcome(op, g, "configured", "", c->path);

        (void) operation_set_outcome(op, g, "configured", "", c->path);
        if (c->doc->status.state == CELL_STATE_READY && cell_anchor_alive(c->anchor) && cell_change_in_place(c->doc, in)) {
                schema_free(&cell_doc_schema, c->next_doc);
                c->next_doc = TAKE_PTR(owned);
                log_resource_errno(LOG_INFO, 0, realm, space, stack, c->doc->status.unit,
                                   "Configuring cell %s in place (its non-root containers changed).", c->name);
                return cell_add_step(op, step_in_place_stop, c, g, CELL_VERB_STOP) &&
                                       cell_add_step(op, step_update_in_place, c, g, CELL_VERB_START) ?
                               0 :
                               -ENOMEM;
        }

        /* a change of the cell itself or of its root container: stop what runs (with the old
         * spec), take the new spec and remove the containers it no longer has, start again */
        if (cell_running(c) && plan_stop(op, c, g, CELL_VERB_STOP) < 0)
                return -ENOMEM;
        schema_free(&cell_doc_schema, c->next_doc);
        c->next_doc = TAKE_PTR(owned);
        if (!cell_add_step(op, step_swap, c, g, CELL_VERB_START))
                return -ENOMEM;
        log_resource_errno(LOG_INFO, 0, realm, space, stack, c->doc->status.unit, "Configuring cell %s.", c->name);
        return plan_start(op, c, g);
}

/* ---- signal ---- */

/* Signal, Pause and Resume: one containerd call per task in the state it applies to (Ready;
 * Paused for Resume); Pause and Resume record the container's new state. */
static int step_signal(Operation *op, Step *s, sd_bus_error *error) {
        Cell *c = CELL_OF(s);
        const char *only = ((CellStep *) s->data)->container;
        CellVerb verb = (CellVerb) (op->flags >> CELL_VERB_SHIFT);
        ContainerdClient *cc = cell_containerd(op->manager);
        const char *ns = cell_namespace(c);
        const char *sig = sigabbrev_np(op->signal);
        const char *what = verb == CELL_VERB_PAUSE ? "pause" : verb == CELL_VERB_RESUME ? "resume" : "signal";
        ContainerState from = verb == CELL_VERB_RESUME ? CONTAINER_STATE_PAUSED : CONTAINER_STATE_READY;
        unsigned n = 0;

        if (!cc || !ns)
                return sd_bus_error_setf(error, BUS_ERROR_CONTAINERD_UNAVAILABLE, "containerd is not reachable");
        for (size_t i = 0; i < c->doc->status.n_containers; i++) {
                ContainerStatus *st = &c->doc->status.containers[i];
                _cleanup_free_ char *cid = NULL;
                int k;
                if ((!isempty(only) && !streq_ptr(st->name, only)) || st->state != from)
                        continue;
                if (containerd_container_id_build(c->space, c->stack, c->name, st->name, &cid) < 0)
                        return -ENOMEM;
                k = verb == CELL_VERB_PAUSE  ? containerd_task_pause_sync(cc, ns, cid) :
                    verb == CELL_VERB_RESUME ? containerd_task_resume_sync(cc, ns, cid) :
                                               containerd_task_kill_sync(cc, ns, cid, NULL, op->signal, true);
                if (k == -ENOENT) /* it ended; its exit event is on its way */
                        continue;
                if (k < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot %s container %s: %s", what, st->name,
                                                 containerd_client_last_error(cc) ?: strerror(-k));
                if (verb == CELL_VERB_PAUSE)
                        st->state = CONTAINER_STATE_PAUSED;
                else if (verb == CELL_VERB_RESUME)
                        st->state = CONTAINER_STATE_READY;
                n++;
        }
        if (n == 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s%s of cell %s is %s%s: nothing to %s",
                                         isempty(only) ? "no container" : "container ", strempty(only), c->name,
                                         isempty(only) ? "" : "not ", verb == CELL_VERB_RESUME ? "paused" : "running",
                                         what);
        if (verb != CELL_VERB_SIGNAL) {
                (void) cell_save(c);
                cell_containers_changed(c);
                log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: %u container(s) %s.", c->name, n, verb == CELL_VERB_PAUSE ? "paused" : "resumed");
        } else
                log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: SIG%s sent to %u container(s).", c->name, strna(sig), n);
        return 0;
}

int cell_plan_signal(Operation *op, Cell *c, const char *only) {
        if (c->doc->status.state != CELL_STATE_READY)
                return operation_fail(op, BUS_ERROR_CELL_NOT_RUNNING, "cell %s is %s: there is nothing to %s", c->name,
                                      enum_to_string(&cell_state_enum, c->doc->status.state),
                                      (op->flags >> CELL_VERB_SHIFT) == CELL_VERB_PAUSE  ? "pause" :
                                      (op->flags >> CELL_VERB_SHIFT) == CELL_VERB_RESUME ? "resume" :
                                                                                           "signal");
        if (op->flags & FLAG_DRY_RUN)
                return 0;
        Step *s = cell_add_step(op, step_signal, c, operation_new_group(op), CELL_VERB_SIGNAL);
        if (!s)
                return operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        snprintf(((CellStep *) s->data)->container, sizeof(((CellStep *) s->data)->container), "%s", strempty(only));
        return 0;
}

/* Purge of a cell the run path does not hold (anymore): its containers in the realm's
 * namespace (found by their labels), their tasks and snapshots, and its scope. */
static int plan_purge_leftovers(Operation *op, unsigned g) {
        Manager *m = op->manager;
        Resource *realm = manager_find(m, KIND_REALM, op->realm, NULL, NULL);
        ContainerdClient *cc = cell_containerd(m);
        _cleanup_free_ char *unit = NULL, *filter = NULL;
        int k;

        if (realm && cc) {
                const char *ns = ((RealmDoc *) realm->doc)->spec.namespace_;
                _cleanup_(containerd_container_array_freep) ContainerdContainer **l = NULL;
                if (asprintf(&filter, "labels.\"kukeon.io/space\"==%s,labels.\"kukeon.io/stack\"==%s,"
                             "labels.\"kukeon.io/cell\"==%s", op->space, op->stack, op->cell) < 0)
                        return -ENOMEM;
                k = containerd_container_list_sync(cc, ns, (char *[]) { filter, NULL }, &l);
                for (size_t i = 0; k >= 0 && l && l[i]; i++) {
                        const char *id = l[i]->id;
                        (void) containerd_task_kill_sync(cc, ns, id, NULL, SIGKILL, true);
                        (void) wait_task_stopped(cc, ns, id, KILL_WAIT_USEC);
                        (void) oci_secret_unstage(NULL, id);
                        if (containerd_task_delete_sync(cc, ns, id, NULL, NULL) >= 0)
                                (void) strv_extendf(&op->removed, "task %s", id);
                        if (containerd_container_delete_sync(cc, ns, id) >= 0)
                                (void) strv_extendf(&op->removed, "container %s", id);
                        if (containerd_snapshot_remove_sync(cc, ns, NULL, id) >= 0)
                                (void) strv_extendf(&op->removed, "snapshot %s", id);
                }
        }
        k = unit_name_build(op->realm, op->space, op->stack, op->cell, &unit);
        if (k < 0)
                return k;
        if (m->systemd) {
                Step *s = operation_add_unit_step(op, STEP_UNIT_STOP, NULL, unit, g);
                if (!s || asprintf(&s->removed, "scope %s", unit) < 0)
                        return -ENOMEM;
                s->best_effort = true;
        }
        return 0;
}

int cell_plan_verb(Operation *op) {
        Manager *m = op->manager;
        CellVerb verb = (CellVerb) (op->flags >> CELL_VERB_SHIFT);
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        unsigned g = operation_new_group(op);
        Cell *c;

        if (cell_parent_check(m, op->realm, op->space, op->stack, &e) < 0)
                return operation_fail(op, e.name, "%s", e.message);
        c = cell_find(m, op->realm, op->space, op->stack, op->cell);
        if (verb == CELL_VERB_CREATE) {
                if (c)
                        return operation_fail(op, BUS_ERROR_ALREADY_EXISTS, "cell \"%s\" exists already in stack %s/%s/%s",
                                              op->cell, op->realm, op->space, op->stack);
                if (op->flags & FLAG_DRY_RUN)
                        return 0;
                CellDoc *doc = new0(CellDoc, 1);
                if (!doc || !(doc->metadata.name = strdup(op->cell))) {
                        free(doc);
                        return operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                }
                if (cell_create(op, doc, op->realm, op->space, op->stack, &c, &e) < 0)
                        return operation_fail(op, e.name ?: SD_BUS_ERROR_FAILED, "%s", e.message ?: "cannot create the cell");
                op->result_path = strdup(c->path);
                return plan_start(op, c, g) < 0 ? operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory") : 0;
        }
        if (!c && verb == CELL_VERB_PURGE) {
                if (op->flags & FLAG_DRY_RUN)
                        return 0;
                int k = plan_purge_leftovers(op, g);
                return k < 0 ? operation_fail(op, SD_BUS_ERROR_FAILED, "cannot purge cell %s: %s", op->cell, strerror(-k)) :
                               0;
        }
        if (!c)
                return operation_fail(op, BUS_ERROR_NO_SUCH_CELL, "cell \"%s\" does not exist in stack %s/%s/%s", op->cell,
                                      op->realm, op->space, op->stack);
        if (verb == CELL_VERB_SIGNAL || verb == CELL_VERB_PAUSE || verb == CELL_VERB_RESUME)
                return cell_plan_signal(op, c, NULL);
        if (op->flags & FLAG_DRY_RUN)
                return 0;
        int k = 0;
        switch (verb) {
        case CELL_VERB_START:
                if (c->doc->status.state == CELL_STATE_READY && cell_anchor_alive(c->anchor))
                        return 0;
                k = plan_start(op, c, g);
                break;
        case CELL_VERB_REAP:
                if (!c->stopping) /* started again since its scope ended */
                        return 0;
                _fallthrough_;
        case CELL_VERB_STOP:
        case CELL_VERB_KILL:
                k = plan_stop(op, c, g, verb);
                /* autoDelete (kuke run --rm): a cell that was Ready goes once it stops */
                if (k >= 0 && cell_auto_delete_due(c, true)) {
                        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                           "Cell %s has autoDelete: deleting it.", c->name);
                        if (!cell_add_step(op, step_remove, c, g, CELL_VERB_DELETE))
                                k = -ENOMEM;
                }
                break;
        case CELL_VERB_DELETE:
                k = plan_stop(op, c, g, (op->flags & FLAG_FORCE) ? CELL_VERB_KILL : CELL_VERB_STOP);
                if (k >= 0 && !cell_add_step(op, step_remove, c, g, verb))
                        k = -ENOMEM;
                break;
        case CELL_VERB_PURGE:
                op->found = true;
                k = plan_stop(op, c, g, CELL_VERB_KILL);
                if (k >= 0 && !cell_add_step(op, step_remove, c, g, verb))
                        k = -ENOMEM;
                /* best effort: every step runs, whatever the one before it did */
                for (size_t i = 0; k >= 0 && i < op->n_steps; i++)
                        op->steps[i].best_effort = true;
                break;
        default:
                return operation_fail(op, SD_BUS_ERROR_INVALID_ARGS, "unknown cell verb");
        }
        return k < 0 ? operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory") : 0;
}

int cell_plan_delete_stack(Operation *op, const char *realm, const char *space, const char *stack, unsigned group,
                           bool kill) {
        _cleanup_free_ Cell **cells = NULL;
        size_t n;
        if (cell_list(op->manager, realm, space, stack, &cells, &n) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (plan_stop(op, cells[i], group, kill ? CELL_VERB_KILL : CELL_VERB_STOP) < 0 ||
                    !cell_add_step(op, step_remove, cells[i], group, CELL_VERB_DELETE))
                        return -ENOMEM;
        return 0;
}

/* ---- task events ---- */

/* A container's task ended on its own: seed 001's Stopped for status 0, Failed for a non-zero
 * status or a signal (a task killed by signal n exits with 128 + n), unless kukeond is
 * stopping the cell (its own SIGTERM/SIGKILL is a stop, not a failure). */
static void container_exited(Cell *c, ContainerStatus *st, uint32_t status, uint64_t exited_usec) {
        const char *sig = status > 128 && status < 128 + 65 ? sigabbrev_np((int) status - 128) : NULL;
        st->exit_code = status;
        st->finish_time = exited_usec ?: now_realtime();
        (void) free_and_strdup(&st->exit_signal, sig);
        if (status == 0 || c->stopping || strv_contains(c->stopping_containers, st->name)) {
                st->state = CONTAINER_STATE_STOPPED;
                (void) free_and_strdup(&st->reason, NULL);
                (void) free_and_strdup(&st->message, NULL);
                return;
        }
        _cleanup_free_ char *msg = NULL;
        if ((sig ? asprintf(&msg, "killed by signal %s", sig) : asprintf(&msg, "exited with status %u", status)) < 0)
                msg = NULL;
        st->state = CONTAINER_STATE_FAILED;
        (void) free_and_strdup(&st->reason, sig ? "Signaled" : "Error");
        (void) free_and_strdup(&st->message, msg);
}

static int on_task_event(ContainerdClient *cc, const ContainerdEvent *e, void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ char *space = NULL, *stack = NULL, *cell = NULL, *container = NULL;

        if (e->type != CONTAINERD_EVENT_TASK_EXIT || !e->container_id || !e->namespace_ ||
            (e->exec_id && !streq(e->exec_id, e->container_id))) /* the init process only */
                return 0;
        if (containerd_container_id_parse(e->container_id, &space, &stack, &cell, &container) < 0)
                return 0;
        for (Cell *c = m->cells; c; c = c->next) {
                if (!streq(c->space, space) || !streq(c->stack, stack) || !streq(c->name, cell) ||
                    !streq_ptr(cell_namespace(c), e->namespace_))
                        continue;
                /* never made here: a container deleted meanwhile stays gone */
                ContainerStatus *st = cell_container_status_find(c, container);
                if (!st || st->state != CONTAINER_STATE_READY)
                        return 0;
                /* the exit of an earlier task of this container (replaced in place, or
                 * started again) that reaches us after the new one started */
                if (e->exited_usec && st->start_time && e->exited_usec < st->start_time)
                        return 0;
                cell_check_scope(c);
                container_exited(c, st, e->exit_status, e->exited_usec);
                log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: container %s exited with status %u.", c->name, container, e->exit_status);
                /* an operation holds the run path's lock and saves the cell itself */
                if (!m->running)
                        (void) cell_save(c);
                cell_changed(c);

                cell_follow_containers(c);
                return 0;
        }
        return 0;
}

static void on_events_end(ContainerdClient *cc, int error, const char *message, void *reply, void *userdata) {
        Manager *m = userdata;
        m->cell_events = NULL;
        log_debug("The containerd event stream ended: %s", message ?: strerror(-error));
}

void cell_subscribe_events(Manager *m) {
        char *filters[] = { (char *) "topic==\"/tasks/exit\"", NULL };
        if (m->cell_events)
                return;
        int k = containerd_subscribe(m->containerd, filters, on_task_event, on_events_end, m, &m->cell_events);
        if (k < 0)
                log_warning_errno(k, "Cannot subscribe to containerd's task events: %m");
}

/* ---- loading ---- */

static pid_t find_anchor(const char *cgroup_path) {
        CgroupHierarchies h = {};
        _cleanup_free_ char *leaf = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (!cgroup_path || asprintf(&leaf, "%s/anchor", cgroup_path) < 0 || cgroup_hierarchies_load(&h) < 0)
                return 0;
        int k = cgroup_pids(&h, leaf, &pids, &n);
        cgroup_hierarchies_done(&h);
        return k >= 0 && n > 0 ? pids[0] : 0;
}

int cell_load_all(Manager *m) {
        for (Cell *c = m->cells; c; c = c->next)
                c->seen = false;
        for (Resource *st = m->resources; st; st = st->next) {
                _cleanup_strv_free_ char **names = NULL;
                if (st->kind != KIND_STACK || store_list_cells(m->store, st->realm, st->space, st->stack, &names) < 0)
                        continue;
                STRV_FOREACH(n, names) {
                        CellDoc *doc = NULL;
                        _cleanup_free_ char *err = NULL;
                        Cell *c = cell_find(m, st->realm, st->space, st->stack, *n);
                        if (store_load_cell(m->store, st->realm, st->space, st->stack, *n, &doc, &err) < 0) {
                                log_resource_errno(LOG_ERR, 0, st->realm, st->space, st->stack, NULL, "Cannot load cell %s: %s",
                                                   *n, strna(err));
                                continue;
                        }
                        if (c) {
                                c->seen = true;
                                if (!schema_equal(&cell_doc_schema, c->doc, doc)) {
                                        /* another writer (kuke --no-daemon): containers may
                                         * have come or gone */
                                        cell_containers_announce(c, NULL, false);
                                        schema_free(&cell_doc_schema, c->doc);
                                        c->doc = doc;
                                        cell_containers_announce(c, NULL, true);
                                        cell_changed(c);
                                } else
                                        schema_free(&cell_doc_schema, doc);
                                continue;
                        }
                        if (cell_new(m, st->realm, st->space, st->stack, doc, &c) < 0) {
                                schema_free(&cell_doc_schema, doc);
                                continue;
                        }
                        c->anchor = find_anchor(doc->status.cgroup_path);
                        c->seen = true;
                        cell_add(m, c);
                        if (cell_anchor_alive(c->anchor))
                                cell_watch_unit(c); /* adopted */
                }
        }
        /* what vanished behind our back (with its stack, or deleted by kuke --no-daemon) */
        for (Cell *c = m->cells, *n; c; c = n) {
                n = c->next;
                if (!c->seen)
                        cell_remove(m, c);
        }
        return 0;
}

/* ---- reconcile ---- */

/* The scope's ActiveState from PID 1: 1 active (or on its way), 0 gone, <0 cannot tell. */
static int cell_scope_active(Cell *c) {
        Manager *m = c->manager;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *state = NULL;
        if (!m->systemd || !c->doc->status.unit)
                return -ENOTCONN;
        int r = systemd_unit_object_path(c->doc->status.unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_string(systemd_client_bus(m->systemd), "org.freedesktop.systemd1", path,
                                       "org.freedesktop.systemd1.Unit", "ActiveState", &e, &state);
        if (r < 0)
                return sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ? 0 : r;
        return STR_IN_SET(state, "active", "reloading", "activating");
}

/* Whether the container's leaf <scope>/<container> has a process: the task runs. Read from
 * the cgroup tree, not asked of containerd, so that a cell that is fine costs no call. */
static bool container_leaf_busy(const Cell *c, const char *name) {
        CgroupHierarchies h = {};
        _cleanup_free_ char *leaf = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        if (!c->doc->status.cgroup_path || asprintf(&leaf, "%s/%s", c->doc->status.cgroup_path, name) < 0 ||
            cgroup_hierarchies_load(&h) < 0)
                return true; /* cannot tell: not drift */
        int k = cgroup_pids(&h, leaf, &pids, &n);
        cgroup_hierarchies_done(&h);
        return k >= 0 ? n > 0 : k != -ENOENT;
}

/* A Ready cell's containers whose task ended while nobody listened (kukeond was down, or the
 * event was lost): the exit status from containerd, only for these. Returns whether one was
 * found; the cell follows (cell_follow_containers()). */
static bool cell_reconcile_containers(Cell *c) {
        ContainerdClient *cc = NULL;
        const char *ns = cell_namespace(c);
        bool drift = false;
        for (size_t i = 0; i < c->doc->status.n_containers; i++) {
                ContainerStatus *st = &c->doc->status.containers[i];
                if ((st->state != CONTAINER_STATE_READY && st->state != CONTAINER_STATE_PAUSED) ||
                    container_leaf_busy(c, st->name))
                        continue;
                _cleanup_free_ char *cid = NULL;
                _cleanup_(containerd_process_freep) ContainerdProcess *p = NULL;
                uint32_t status = 255;
                if (!cc)
                        cc = cell_containerd(c->manager);
                if (containerd_container_id_build(c->space, c->stack, c->name, st->name, &cid) >= 0 && cc && ns &&
                    containerd_task_get_sync(cc, ns, cid, NULL, &p) >= 0 && p) {
                        if (p->status == CONTAINERD_TASK_RUNNING || p->status == CONTAINERD_TASK_PAUSED)
                                continue; /* its leaf is not where we look: trust containerd */
                        status = p->exit_status;
                }
                log_resource_errno(LOG_WARNING, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                   "Cell %s: container %s is not running anymore and no exit event was seen "
                                   "(status %u); recording it.", c->name, st->name, status);
                container_exited(c, st, status, 0);
                drift = true;
        }
        return drift;
}

static int plan_recover(Operation *op, Cell *c, unsigned g, const char *why) {
        log_resource_errno(LOG_WARNING, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                           "Cell %s: %s; clearing what is left of it and starting it again.", c->name, why);
        int k = plan_stop(op, c, g, CELL_VERB_RECOVER);
        return k < 0 ? k : plan_start(op, c, g);
}

static int plan_reconcile_cell(Operation *op, Cell *c, bool start_pass) {
        CellState state = c->doc->status.state;
        unsigned g;
        bool anchor_ok;

        if (c->stopping || c->next_doc) /* an operation of ours is at it */
                return 0;
        /* the anchor found in the anchor leaf (at start), and still the one there: a PID that
         * was reused by another process does not count */
        anchor_ok = cell_anchor_alive(c->anchor) && find_anchor(c->doc->status.cgroup_path) == c->anchor;

        switch (state) {
        case CELL_STATE_PENDING:
                /* a start that never finished: kukeond died in it (operations run one at a time,
                 * so no start of ours runs now) */
                g = operation_new_group(op);
                return plan_recover(op, c, g, "it was caught mid-start");

        case CELL_STATE_READY: {
                /* at start PID 1 is asked; later its signals tell (cell_watch_unit()) */
                int active = start_pass ? cell_scope_active(c) : 1;
                if (active < 0) /* PID 1 cannot tell: no judgement */
                        return 0;
                if (!anchor_ok || active == 0) {
                        g = operation_new_group(op);
                        return plan_recover(op, c, g,
                                            active == 0 ? "it is Ready but its scope is gone (a reboot, or it was stopped "
                                                          "while kukeond was down)" :
                                                          "it is Ready but its anchor is gone");
                }
                if (start_pass) {
                        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                           "Cell %s: running (anchor PID %d), adopted.", c->name, (int) c->anchor);
                        cell_watch_unit(c);
                }
                if (cell_reconcile_containers(c)) {
                        (void) cell_save(c); /* under the operation's lock */
                        op->wrote = true;
                        cell_changed(c);
                        cell_follow_containers(c); /* queues the stop (and autoDelete) when none runs */
                }
                return 0;
        }

        case CELL_STATE_STOPPED:
        case CELL_STATE_FAILED: {
                bool leftover = anchor_ok || (start_pass && cell_scope_active(c) > 0);
                bool auto_delete = cell_auto_delete_due(c, false);
                if (!leftover && !auto_delete)
                        return 0; /* stopped cells stay stopped */
                g = operation_new_group(op);
                if (leftover) {
                        log_resource_errno(LOG_WARNING, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                           "Cell %s is %s but its scope still runs (a stop cut short): finishing the stop.",
                                           c->name, cell_state_string(c));
                        /* REAP keeps the recorded state and reason */
                        if (plan_stop(op, c, g, CELL_VERB_REAP) < 0)
                                return -ENOMEM;
                }
                if (auto_delete) {
                        log_resource_errno(LOG_INFO, 0, c->realm, c->space, c->stack, c->doc->status.unit,
                                           "Cell %s has autoDelete and has stopped: deleting it.", c->name);
                        if (!cell_add_step(op, step_remove, c, g, CELL_VERB_DELETE))
                                return -ENOMEM;
                }
                return 0;
        }

        default:
                return 0;
        }
}

static int cell_plan_reconcile(Operation *op) {
        Manager *m = op->manager;
        bool start_pass = (CellVerb) (op->flags >> CELL_VERB_SHIFT) == CELL_VERB_ADOPT;
        size_t n = 0;

        for (Cell *c = m->cells; c; c = c->next)
                n++;
        if (start_pass)
                log_info("Reconciling %zu cells with PID 1 and containerd.", n);
        for (Cell *c = m->cells; c; c = c->next)
                if (plan_reconcile_cell(op, c, start_pass) < 0)
                        return operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        return 0;
}

static bool reconcile_queued(Manager *m) {
        if (m->running && m->running->plan == cell_plan_reconcile)
                return true;
        for (Operation *o = m->queue; o; o = o->next)
                if (o->plan == cell_plan_reconcile)
                        return true;
        return false;
}

static int cell_reconcile_enqueue(Manager *m, CellVerb verb) {
        Operation *op;
        if (reconcile_queued(m))
                return 0; /* one pass in line is enough */
        int r = operation_new(m, OPERATION_DELETE, NULL, CELL_VERB_FLAG(verb), &op);
        if (r < 0)
                return r;
        op->target_kind = KIND_CELL;
        op->plan = cell_plan_reconcile;
        operation_enqueue(op);
        return 0;
}

static int on_reconcile_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r = cell_reconcile_enqueue(m, CELL_VERB_RECONCILE);
        if (r < 0)
                log_warning_errno(r, "Cannot queue the periodic reconcile of the cells: %m");
        r = sd_event_source_set_time(s, usec + m->config->reconcile_interval_usec);
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Cannot rearm the reconcile timer, the periodic reconcile stops: %m");
        return 0;
}

int cell_reconcile_start(Manager *m) {
        sd_event_source *s = NULL;
        int r = cell_reconcile_enqueue(m, CELL_VERB_ADOPT);
        if (r < 0)
                return r;
        if (m->config->reconcile_interval_usec == 0) {
                log_info("The periodic reconcile of the cells is off (reconcileInterval 0).");
                return 0;
        }
        /* floating: it lives as long as the loop; 1 s of slack lets the kernel batch wakeups */
        r = sd_event_add_time_relative(m->event, &s, CLOCK_MONOTONIC, m->config->reconcile_interval_usec,
                                       USEC_PER_SEC, on_reconcile_timer, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_floating(s, true);
        sd_event_source_unref(s);
        return r;
}
