/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The manager: everything kukeond holds — configuration, the event loop, its D-Bus
 * connections (the system bus and peer-to-peer ones), its clients of PID 1 and containerd,
 * the run-path store, the tree of realms, spaces and stacks, and the queue of operations. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "config.h"
#include "containerd-client.h"
#include "resource.h"
#include "store.h"
#include "systemd-client.h"

typedef struct Operation Operation;

struct Manager {
        Config *config;
        sd_event *event;
        sd_bus *bus;                 /* system bus or --bus-address; NULL in peer-fd mode */
        sd_bus *systemd_bus;         /* where PID 1 is: the bus, or its private socket */
        sd_bus **peers;              /* peer-to-peer connections */
        size_t n_peers;
        sd_event_source *listen_source;
        int listen_fd;
        bool peer_fd_mode;

        SystemdClient *systemd;
        ContainerdClient *containerd;
        Store *store;

        Resource *resources;         /* every realm, space and stack */
        struct Cell *cells;          /* every cell (cell.h) */
        ContainerdClient *cell_containerd; /* the cells' client, on a private loop (cell.c) */
        struct ContainerdSubscription *cell_events; /* task events for the cells (cell.c) */
        Resource *resources_tail;
        size_t n_resources;
        uint64_t store_generation;   /* the store lock's generation counter as we last saw it */

        Operation *queue, *queue_tail;
        Operation *running;
        bool startup_done;
};

int manager_new(Config *config, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Connects to the buses, PID 1 and containerd, registers the objects, requests the name. */
int manager_startup(Manager *m);
/* Runs until SIGTERM/SIGINT, or until the peer of --peer-fd goes away. */
int manager_run(Manager *m);

/* The tree. */
Resource *manager_find(Manager *m, Kind kind, const char *realm, const char *space, const char *stack);
Resource *manager_find_by_path(Manager *m, const char *path);
/* Appends and announces (InterfacesAdded) a new resource; takes ownership. */
void manager_add_resource(Manager *m, Resource *r);
/* Announces (InterfacesRemoved), unlinks and frees. */
void manager_remove_resource(Manager *m, Resource *r);
/* Direct children of r (spaces of a realm, stacks of a space), sorted by name. The array is
 * allocated, the pointers borrowed. NULL r: the realms. */
int manager_children(Manager *m, Resource *r, Resource ***ret, size_t *ret_n);
/* PropertiesChanged of everything that changes (state, unit, cgroup, timestamps …). */
void manager_resource_changed(Manager *m, Resource *r);
void manager_emit_containerd_state(Manager *m);

/* (Re)reads the run path into the tree, announcing what appeared and vanished: at start, and
 * when another writer (kuke --no-daemon) changed the run path behind our back. */
int manager_load(Manager *m);
/* manager_load() when the run path's lock file changed since our last write. */
int manager_refresh_if_stale(Manager *m);
/* Records the lock file's mtime after we wrote (so our own writes do not look foreign). */
void manager_stamp_store(Manager *m, int lock_fd);

/* Every bus the objects live on, for signals: the bus, then the peers. */
size_t manager_buses(Manager *m, sd_bus ***ret);

void manager_notify_status(Manager *m);
