/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* kuke's side of the org.kukeon1 API (docs/dbus-api.md): where kukeond is (the system bus, its
 * peer-to-peer socket, a remote host's system bus over ssh, or a kukeond spawned for one
 * command on a socketpair), one connection to it, method calls that go to the right
 * destination, and the text a person reads for a D-Bus error. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "macro.h"
#include "resource.h"

#define KUKEON_BUS_NAME "org.kukeon1"
#define KUKEON_MANAGER_INTERFACE "org.kukeon1.Manager"
#define KUKEON_ERROR_PREFIX "org.kukeon1.Error."

/* The Manager's flags (docs/dbus-api.md, Flags). */
#define KUKEON_FLAG_CASCADE (UINT64_C(1) << 0)
#define KUKEON_FLAG_FORCE (UINT64_C(1) << 1)
#define KUKEON_FLAG_DRY_RUN (UINT64_C(1) << 2)

typedef enum Transport {
        TRANSPORT_SYSTEM,    /* org.kukeon1 on the local system bus (the default) */
        TRANSPORT_UNIX,      /* peer-to-peer D-Bus on a unix socket: --host unix:PATH */
        TRANSPORT_SSH,       /* the system bus of another host: -H [USER@]HOST */
        TRANSPORT_NO_DAEMON, /* kukeond --peer-fd=3 spawned for this command: --no-daemon */
        _TRANSPORT_MAX,
} Transport;

typedef struct BusTarget {
        Transport transport;
        char *address;      /* TRANSPORT_UNIX: the socket path; TRANSPORT_SSH: [USER@]HOST */
        bool no_ask_password;
} BusTarget;

void bus_target_done(BusTarget *t);

/* The argument of -H/--host: "unix:PATH" selects the socket, anything else is an ssh
 * destination. Refuses an empty path or host, a host starting with '-', and a second
 * transport option after a different one (-EINVAL with a message). */
int bus_target_set_host(BusTarget *t, const char *arg, char **ret_message);
int bus_target_set_no_daemon(BusTarget *t, char **ret_message);

/* A D-Bus address value escaped as the specification says: bytes outside [-0-9A-Za-z_/.\*]
 * become %XX. NULL on ENOMEM. */
char *bus_address_escape(const char *s);

/* "unix:path=<escaped PATH>" for a unix target. */
int bus_target_unix_address(const BusTarget *t, char **ret);

/* The kukeond that --no-daemon runs: $KUKEOND when set and not empty, else the installed one
 * (<prefix>/<sbindir>/kukeond, from meson). */
const char *kukeond_path(void);

/* The method call timeout of kuke's connections. */
#define BUS_CLIENT_CALL_TIMEOUT_USEC (UINT64_C(180) * 1000 * 1000)

typedef struct BusClient {
        sd_bus *bus;
        Transport transport;
        pid_t daemon_pid; /* the kukeond of --no-daemon, 0 otherwise */
        int daemon_status; /* its wait status once reaped, -1 before */
        pid_t agent_pid;   /* pkttyagent answering polkit on our terminal, 0 when none */
} BusClient;

/* An unconnected client, for bus_client_connect(): kept on failure, it can still say how a
 * spawned kukeond ended (bus_client_describe_daemon_exit()). */
int bus_client_new(BusClient **ret);
/* Connects 'c' as 't' says; see bus_client_open(). -EBUSY when already connected. */
int bus_client_connect(BusClient *c, const BusTarget *t);

/* bus_client_new() + bus_client_connect(): opens (and for peer-to-peer transports starts) the connection. Sets interactive
 * authorization on every call unless 'no_ask_password'. Negative errno on failure: -ENOENT
 * for a missing socket or kukeond binary, and whatever connect() and sd-bus say otherwise. */
int bus_client_open(const BusTarget *t, BusClient **ret);
/* Flushes and closes the connection; a spawned kukeond sees the socket close and exits,
 * and is reaped (SIGTERM after a grace period if it does not). NULL-safe. */
BusClient *bus_client_free(BusClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(BusClient *, bus_client_free);

/* The destination of calls: org.kukeon1 on a bus, none on a peer-to-peer connection. */
const char *bus_client_destination(const BusClient *c);

/* A method call on the Manager (/org/kukeon1). */
int bus_client_call_manager(BusClient *c, const char *member, sd_bus_error *e, sd_bus_message **reply,
                            const char *types, ...);

/* A new Manager call 'member' with the names of 'names' appended, realm first, down to the level
 * of names->type (NULL: no names). The caller appends what else the method takes (flags). */
int bus_client_new_manager_call(BusClient *c, const char *member, const ResourceRef *names, sd_bus_message **ret);

/* The name of a Manager method about a type: "Get" + "Realm", "List" + "Realm" + "s". */
char *manager_member(const char *verb, ResourceType type, bool plural);

/* Sends the calls 'm[0..n)' pipelined (a window of them in flight, within what dbus-daemon lets
 * one connection have outstanding) and collects every reply, method errors included, into
 * 'replies' (unref'ed by the caller). Negative errno only when the connection fails. */
#define BUS_CLIENT_CALL_WINDOW 64
int bus_client_call_all(BusClient *c, sd_bus_message **m, size_t n, sd_bus_message **replies);

/* For a connection that failed: whether the spawned kukeond has exited, and how
 * ("kukeond exited with status 1"); NULL when it has not, or there is none. */
char *bus_client_describe_daemon_exit(BusClient *c);

/* Whether 'e' is sd-bus's own System.Error.<ERRNO> for a local failure, not a reply. */
bool bus_error_is_local(const sd_bus_error *e);

/* What a person should read for a failed call: the friendly text for the named errors of
 * docs/dbus-api.md about 'ref' (optional: the resource the call was about), the error's own
 * message otherwise, or strerror(-r) when no D-Bus error is set. Never NULL but on ENOMEM. */
char *bus_error_message(const sd_bus_error *e, int r, const ResourceRef *ref);
