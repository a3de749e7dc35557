/* SPDX-License-Identifier: Apache-2.0 */
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "auth.h"
#include "cell.h"
#include "bus-error.h"
#include "log.h"
#include "manager-dbus.h"
#include "operation.h"
#include "strv.h"

#define BUS_NAME "org.kukeon1"
#define SYSTEMD_PRIVATE_ADDRESS "unix:path=/run/systemd/private"

int manager_new(Config *config, Manager **ret) {
        Manager *m = new0(Manager, 1);
        if (!m)
                return -ENOMEM;
        m->config = config;
        m->listen_fd = -EBADF;
        m->peer_fd_mode = config->peer_fd >= 0;
        *ret = m;
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* operations first: they point into the tree */
        Operation *op = m->queue;
        while (op) {
                Operation *n = op->next;
                operation_free(op);
                op = n;
        }
        operation_free(m->running);
        cell_free_all(m);
        while (m->resources) {
                Resource *r = m->resources;
                m->resources = r->next;
                resource_free(r);
        }
        systemd_client_free(m->systemd);
        containerd_client_free(m->containerd);
        for (size_t i = 0; i < m->n_peers; i++)
                sd_bus_flush_close_unref(m->peers[i]);
        free(m->peers);
        sd_event_source_disable_unref(m->listen_source);
        safe_close(m->listen_fd);
        if (m->systemd_bus != m->bus)
                sd_bus_flush_close_unref(m->systemd_bus);
        sd_bus_flush_close_unref(m->bus);
        store_free(m->store);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

/* ---- the tree ---- */

Resource *manager_find(Manager *m, Kind kind, const char *realm, const char *space, const char *stack) {
        for (Resource *r = m->resources; r; r = r->next)
                if (r->kind == kind && streq_ptr(r->realm, realm) && streq_ptr(r->space, kind >= KIND_SPACE ? space : NULL) &&
                    streq_ptr(r->stack, kind >= KIND_STACK ? stack : NULL))
                        return r;
        return NULL;
}

Resource *manager_find_by_path(Manager *m, const char *path) {
        for (Resource *r = m->resources; r; r = r->next)
                if (streq(r->path, path))
                        return r;
        return NULL;
}

size_t manager_buses(Manager *m, sd_bus ***ret) {
        sd_bus **l = new0(sd_bus *, m->n_peers + 1);
        size_t n = 0;
        if (!l) {
                *ret = NULL;
                return 0;
        }
        if (m->bus)
                l[n++] = m->bus;
        for (size_t i = 0; i < m->n_peers; i++)
                l[n++] = m->peers[i];
        *ret = l;
        return n;
}

void manager_add_resource(Manager *m, Resource *r) {
        r->prev = m->resources_tail;
        r->next = NULL;
        if (m->resources_tail)
                m->resources_tail->next = r;
        else
                m->resources = r;
        m->resources_tail = r;
        m->n_resources++;

        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(m, &buses);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_object_added(buses[i], r->path);
}

void manager_remove_resource(Manager *m, Resource *r) {
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(m, &buses);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_object_removed(buses[i], r->path);

        if (r->prev)
                r->prev->next = r->next;
        else
                m->resources = r->next;
        if (r->next)
                r->next->prev = r->prev;
        else
                m->resources_tail = r->prev;
        m->n_resources--;
        resource_free(r);
}

static int compare_names(const void *a, const void *b) {
        const Resource *x = *(Resource *const *) a, *y = *(Resource *const *) b;
        return strcmp(resource_name(x), resource_name(y));
}

int manager_children(Manager *m, Resource *p, Resource ***ret, size_t *ret_n) {
        Kind want = !p ? KIND_REALM : p->kind == KIND_REALM ? KIND_SPACE : KIND_STACK;
        size_t n = 0;
        Resource **l = new0(Resource *, m->n_resources + 1);
        if (!l)
                return -ENOMEM;
        if (!p || p->kind != KIND_STACK)
                for (Resource *r = m->resources; r; r = r->next) {
                        if (r->kind != want)
                                continue;
                        if (p && !streq(r->realm, p->realm))
                                continue;
                        if (p && p->kind == KIND_SPACE && !streq(r->space, p->space))
                                continue;
                        l[n++] = r;
                }
        qsort(l, n, sizeof(Resource *), compare_names);
        *ret = l;
        *ret_n = n;
        return 0;
}

void manager_resource_changed(Manager *m, Resource *r) {
        char *props[] = { "State", "Unit", "ControlGroup", "CreatedAt", "UpdatedAt", "Reason", "Message",
                          r->kind == KIND_REALM ? "Namespace" : r->kind == KIND_SPACE ? "Subnet" : NULL,
                          r->kind == KIND_SPACE ? "Bridge" : NULL, NULL };
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(m, &buses);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_properties_changed_strv(buses[i], r->path, resource_interface(r), props);
}

void manager_emit_containerd_state(Manager *m) {
        _cleanup_free_ sd_bus **buses = NULL;
        size_t n = manager_buses(m, &buses);
        for (size_t i = 0; i < n; i++)
                (void) sd_bus_emit_properties_changed(buses[i], "/org/kukeon1", "org.kukeon1.Manager", "ContainerdState",
                                                      NULL);
}

/* ---- loading the run path ---- */

static int load_one(Manager *m, Kind kind, const char *realm, const char *space, const char *name) {
        _cleanup_free_ char *error = NULL;
        void *doc = NULL;
        int r;

        switch (kind) {
        case KIND_REALM:
                r = store_load_realm(m->store, name, (RealmDoc **) &doc, &error);
                break;
        case KIND_SPACE:
                r = store_load_space(m->store, realm, name, (SpaceDoc **) &doc, &error);
                break;
        default:
                r = store_load_stack(m->store, realm, space, name, (StackDoc **) &doc, &error);
        }
        if (r < 0)
                return log_resource_errno(LOG_ERR, r, realm ?: name, space, NULL, NULL, "Cannot load %s %s: %s",
                                          kind_to_string(kind), name, error ?: strerror(-r));

        Resource *existing = manager_find(m, kind, kind == KIND_REALM ? name : realm,
                                          kind == KIND_SPACE ? name : space, kind == KIND_STACK ? name : NULL);
        if (existing) {
                existing->seen = true;
                if (!schema_equal(kind_schema(kind), existing->doc, doc)) {
                        schema_free(kind_schema(kind), existing->doc);
                        existing->doc = doc;
                        manager_resource_changed(m, existing);
                } else
                        schema_free(kind_schema(kind), doc);
                return 0;
        }
        Resource *res;
        r = resource_new(m, kind, realm, space, doc, &res);
        if (r < 0) {
                schema_free(kind_schema(kind), doc);
                return log_error_errno(r, "Cannot track %s %s: %m", kind_to_string(kind), name);
        }
        res->seen = true;
        manager_add_resource(m, res);
        return 0;
}

int manager_load(Manager *m) {
        _cleanup_strv_free_ char **realms = NULL;
        int r;

        for (Resource *x = m->resources; x; x = x->next)
                x->seen = false;

        r = store_list_realms(m->store, &realms);
        if (r < 0)
                return log_error_errno(r, "Cannot list the realms of %s: %m", store_run_path(m->store));
        STRV_FOREACH(realm, realms) {
                _cleanup_strv_free_ char **spaces = NULL;
                if (load_one(m, KIND_REALM, NULL, NULL, *realm) < 0)
                        continue;
                if (store_list_spaces(m->store, *realm, &spaces) < 0)
                        continue;
                STRV_FOREACH(space, spaces) {
                        _cleanup_strv_free_ char **stacks = NULL;
                        if (load_one(m, KIND_SPACE, *realm, NULL, *space) < 0)
                                continue;
                        if (store_list_stacks(m->store, *realm, *space, &stacks) < 0)
                                continue;
                        STRV_FOREACH(stack, stacks)
                                (void) load_one(m, KIND_STACK, *realm, *space, *stack);
                }
        }

        /* what vanished behind our back (children of a vanished parent were not seen either) */
        for (;;) {
                Resource *x = m->resources;
                while (x && x->seen)
                        x = x->next;
                if (!x)
                        break;
                manager_remove_resource(m, x);
        }
        return cell_load_all(m);
}

/* The writers' lock file carries a generation counter: every writer bumps it, under the
 * lock, when it is done. A counter, not the file's mtime: two writes within one tick of the
 * kernel's coarse clock would leave the mtime unchanged and the change unseen. */
static uint64_t lock_fd_generation(int fd) {
        uint64_t g = 0;
        if (pread(fd, &g, sizeof g, 0) != (ssize_t) sizeof g)
                return 0;
        return g;
}

static int lock_path_generation(Manager *m, uint64_t *ret) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/run/lock", store_run_path(m->store)) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        *ret = lock_fd_generation(fd);
        return 0;
}

void manager_stamp_store(Manager *m, int lock_fd) {
        uint64_t g = lock_fd_generation(lock_fd) + 1;
        if (pwrite(lock_fd, &g, sizeof g, 0) == (ssize_t) sizeof g)
                m->store_generation = g;
}

int manager_refresh_if_stale(Manager *m) {
        uint64_t g;
        if (lock_path_generation(m, &g) < 0 || g == m->store_generation)
                return 0;
        m->store_generation = g;
        log_debug("The run path changed behind our back: reloading.");
        return manager_load(m);
}

void manager_notify_status(Manager *m) {
        size_t realms = 0, spaces = 0, stacks = 0;
        for (Resource *r = m->resources; r; r = r->next)
                if (r->kind == KIND_REALM)
                        realms++;
                else if (r->kind == KIND_SPACE)
                        spaces++;
                else
                        stacks++;
        (void) sd_notifyf(false, "STATUS=%s%zu realms, %zu spaces, %zu stacks; containerd %s",
                          m->startup_done ? "" : "Reconciling: ", realms, spaces, stacks,
                          containerd_state_to_string(containerd_client_get_state(m->containerd)));
}

/* ---- connections ---- */

static int peer_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *ret_error) {
        Manager *m = userdata;
        sd_bus *bus = sd_bus_message_get_bus(msg);

        for (size_t i = 0; i < m->n_peers; i++)
                if (m->peers[i] == bus) {
                        memmove(m->peers + i, m->peers + i + 1, (m->n_peers - i - 1) * sizeof(sd_bus *));
                        m->n_peers--;
                        /* drop our reference once this dispatch is over */
                        sd_bus_close(bus);
                        sd_bus_unref(bus); /* sd-bus holds its own while dispatching */
                        break;
                }
        if (m->peer_fd_mode) {
                log_debug("Peer went away: exiting.");
                sd_event_exit(m->event, 0);
        }
        return 0;
}

/* Clients that think every connection is a bus (busctl --address, dbus-send --peer…) say Hello
 * first; answer like a bus would, so that they work on the peer-to-peer socket too. */
static int method_hello(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(msg, "s", ":1.1");
}

static const sd_bus_vtable peer_dbus_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Hello", "", "s", method_hello, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static int manager_add_peer(Manager *m, int fd) {
        _cleanup_(sd_bus_unrefp) sd_bus *b = NULL;
        sd_id128_t id;
        int r;

        r = sd_bus_new(&b);
        if (r < 0)
                return r;
        r = sd_bus_set_fd(b, fd, fd);
        if (r < 0)
                return r;
        r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        r = sd_bus_set_server(b, true, id);
        if (r < 0)
                return r;
        /* kuke and sd-bus clients may pass fds later (images, logs) */
        (void) sd_bus_negotiate_fds(b, true);
        r = sd_bus_attach_event(b, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        r = manager_add_bus_objects(m, b);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(b, NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus", peer_dbus_vtable, m);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(b, NULL, NULL, "/org/freedesktop/DBus/Local", "org.freedesktop.DBus.Local",
                                "Disconnected", peer_disconnected, m);
        if (r < 0)
                return r;
        r = sd_bus_start(b);
        if (r < 0)
                return r;
        sd_bus **l = reallocarray(m->peers, m->n_peers + 1, sizeof(sd_bus *));
        if (!l)
                return -ENOMEM;
        m->peers = l;
        m->peers[m->n_peers++] = TAKE_PTR(b);
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        int nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        log_warning_errno(errno, "Cannot accept a peer connection: %m");
                return 0;
        }
        int r = manager_add_peer(m, nfd);
        if (r < 0) {
                safe_close(nfd);
                log_warning_errno(r, "Cannot serve a peer connection: %m");
        }
        return 0;
}

static void containerd_state_changed(ContainerdClient *c, ContainerdState state, void *userdata) {
        Manager *m = userdata;
        log_info("containerd is %s (%s).", containerd_state_to_string(state), containerd_client_get_address(c));
        if (state == CONTAINERD_STATE_CONNECTED)
                cell_subscribe_events(m);
        manager_emit_containerd_state(m);
        manager_notify_status(m);
}

static int open_bus(Manager *m) {
        int r;
        if (m->config->bus_address) {
                r = sd_bus_new(&m->bus);
                if (r >= 0)
                        r = sd_bus_set_address(m->bus, m->config->bus_address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(m->bus, true);
                if (r >= 0)
                        r = sd_bus_start(m->bus);
        } else
                r = sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Cannot connect to the %s bus: %m", m->config->bus_address ? "given" : "system");
        return sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
}

/* PID 1 without a bus (peer-fd mode): its private socket, as systemctl does as root. */
static int open_systemd_bus(Manager *m) {
        int r;
        if (m->bus) {
                m->systemd_bus = m->bus;
                return 0;
        }
        r = sd_bus_open_system(&m->systemd_bus);
        if (r < 0) {
                m->systemd_bus = sd_bus_unref(m->systemd_bus);
                r = sd_bus_new(&m->systemd_bus);
                if (r >= 0)
                        r = sd_bus_set_address(m->systemd_bus, SYSTEMD_PRIVATE_ADDRESS);
                if (r >= 0)
                        r = sd_bus_start(m->systemd_bus);
        }
        if (r < 0) {
                m->systemd_bus = sd_bus_unref(m->systemd_bus);
                return log_warning_errno(r, "Cannot reach PID 1 (no system bus, no %s): %m", SYSTEMD_PRIVATE_ADDRESS);
        }
        return sd_bus_attach_event(m->systemd_bus, m->event, SD_EVENT_PRIORITY_NORMAL);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        log_info("Stopping on signal %u.", si->ssi_signo);
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
        sd_event_exit(m->event, 0);
        return 0;
}

int manager_startup(Manager *m) {
        _cleanup_free_ char *address = NULL;
        sigset_t ss;
        int r;

        r = bus_error_register();
        if (r < 0)
                return log_error_errno(r, "Cannot register the bus errors: %m");
        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Cannot make the event loop: %m");
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        (void) sigprocmask(SIG_BLOCK, &ss, NULL);
        (void) sd_event_add_signal(m->event, NULL, SIGTERM, on_signal, m);
        (void) sd_event_add_signal(m->event, NULL, SIGINT, on_signal, m);
        (void) sd_event_set_watchdog(m->event, true);

        r = store_open(m->config->run_path, &m->store);
        if (r < 0)
                return log_error_errno(r, "Cannot open the run path %s: %m", m->config->run_path);

        if (!m->peer_fd_mode) {
                r = open_bus(m);
                if (r < 0)
                        return r;
        }
        if (open_systemd_bus(m) >= 0) {
                r = systemd_client_new(m->systemd_bus, &m->systemd);
                if (r < 0)
                        return log_error_errno(r, "Cannot talk to PID 1: %m");
        }

        if (asprintf(&address, "unix://%s", m->config->containerd_socket) < 0)
                return log_oom();
        r = containerd_client_new(m->event, address, &m->containerd);
        if (r < 0)
                return log_error_errno(r, "Cannot make the containerd client for %s: %m", address);
        containerd_client_set_state_handler(m->containerd, containerd_state_changed, m);

        (void) manager_load(m);
        {
                uint64_t g;
                if (lock_path_generation(m, &g) >= 0)
                        m->store_generation = g;
        }

        if (m->bus) {
                r = manager_add_bus_objects(m, m->bus);
                if (r < 0)
                        return log_error_errno(r, "Cannot register the objects: %m");
                r = sd_bus_request_name(m->bus, BUS_NAME, 0);
                if (r < 0)
                        return log_error_errno(r, "Cannot own %s: %m", BUS_NAME);
        }

        if (m->peer_fd_mode) {
                r = manager_add_peer(m, m->config->peer_fd);
                if (r < 0)
                        return log_error_errno(r, "Cannot serve the peer on fd %i: %m", m->config->peer_fd);
        } else {
                int n = sd_listen_fds(true);
                for (int i = 0; i < n; i++) {
                        int fd = SD_LISTEN_FDS_START + i;
                        if (sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 1) <= 0) {
                                log_warning("Ignoring file descriptor %i: not a listening AF_UNIX stream socket.", fd);
                                continue;
                        }
                        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                        r = sd_event_add_io(m->event, &m->listen_source, fd, EPOLLIN, on_accept, m);
                        if (r < 0)
                                return log_error_errno(r, "Cannot listen on fd %i: %m", fd);
                        m->listen_fd = fd;
                        break;
                }
        }

        /* Transient slices vanish at reboot: make every resource real again. Not for one
         * peer (kuke --no-daemon): a short-lived command must not redo, or fail, the whole
         * tree; the service does it at boot. */
        if (!m->peer_fd_mode) {
                Operation *op;
                r = operation_new(m, OPERATION_RECONCILE, NULL, 0, &op);
                if (r < 0)
                        return log_oom();
                op->plan = plan_reconcile_all;
                operation_enqueue(op);
                /* the cells after the slices they live in: adopt, bring back, finish */
                r = cell_reconcile_start(m);
                if (r < 0)
                        return log_error_errno(r, "Cannot set up the reconcile of the cells: %m");
        } else
                m->startup_done = true;

        (void) sd_notify(false, "READY=1");
        manager_notify_status(m);
        log_info("kukeond %s serving %s%s (run path %s).", KUKEON_VERSION,
                 m->peer_fd_mode ? "a peer connection" : BUS_NAME,
                 m->listen_fd >= 0 ? " and the peer-to-peer socket" : "", store_run_path(m->store));
        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}
