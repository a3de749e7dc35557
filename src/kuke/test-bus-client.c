/* SPDX-License-Identifier: Apache-2.0 */
/* The client side of org.kukeon1 against a small in-test server that speaks the same D-Bus
 * (peer-to-peer, as kukeond does on its socket and on --peer-fd): transports, pipelined calls,
 * the interactive-authorization flag, the spawned daemon of --no-daemon, and the texts of
 * errors. The real kukeond is exercised by tests/integration/kuke-*. */

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "bus-client.h"
#include "tests.h"

/* ---- pure parts ---- */

static void test_host_parse(void) {
        BusTarget t = {};
        char *msg = NULL;

        ASSERT_OK(bus_target_set_host(&t, "unix:/run/kukeon/kukeond.sock", &msg));
        ASSERT_EQ(t.transport, TRANSPORT_UNIX);
        ASSERT_STREQ(t.address, "/run/kukeon/kukeond.sock");
        /* the same again is fine, a different one is not */
        ASSERT_OK(bus_target_set_host(&t, "unix:/run/kukeon/kukeond.sock", NULL));
        ASSERT_ERROR(bus_target_set_host(&t, "unix:/other", &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "twice"));
        msg = mfree(msg);
        ASSERT_ERROR(bus_target_set_host(&t, "root@host", &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "exclude"));
        msg = mfree(msg);
        ASSERT_ERROR(bus_target_set_no_daemon(&t, &msg), EINVAL);
        msg = mfree(msg);
        bus_target_done(&t);
        ASSERT_EQ(t.transport, TRANSPORT_SYSTEM);
        ASSERT_NULL(t.address);

        ASSERT_OK(bus_target_set_host(&t, "admin@build-01", NULL));
        ASSERT_EQ(t.transport, TRANSPORT_SSH);
        ASSERT_STREQ(t.address, "admin@build-01");
        bus_target_done(&t);

        ASSERT_ERROR(bus_target_set_host(&t, "unix:", &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "no socket path"));
        msg = mfree(msg);
        ASSERT_ERROR(bus_target_set_host(&t, "", &msg), EINVAL);
        msg = mfree(msg);
        /* ssh would take it for an option */
        ASSERT_ERROR(bus_target_set_host(&t, "-oProxyCommand=x", &msg), EINVAL);
        ASSERT_NOT_NULL(strstr(msg, "'-'"));
        msg = mfree(msg);
        ASSERT_EQ(t.transport, TRANSPORT_SYSTEM);

        ASSERT_OK(bus_target_set_no_daemon(&t, NULL));
        ASSERT_OK(bus_target_set_no_daemon(&t, NULL));
        ASSERT_EQ(t.transport, TRANSPORT_NO_DAEMON);
        ASSERT_ERROR(bus_target_set_host(&t, "unix:/x", NULL), EINVAL);
        bus_target_done(&t);
}

static void test_address_escape(void) {
        _cleanup_free_ char *a = bus_address_escape("/run/kukeon/kukeond.sock");
        ASSERT_STREQ(a, "/run/kukeon/kukeond.sock");
        _cleanup_free_ char *b = bus_address_escape("/tmp/a b,c;d=e%f");
        ASSERT_STREQ(b, "/tmp/a%20b%2cc%3bd%3de%25f");

        BusTarget t = {};
        _cleanup_free_ char *addr = NULL;
        ASSERT_OK(bus_target_set_host(&t, "unix:/tmp/my sock", NULL));
        ASSERT_OK(bus_target_unix_address(&t, &addr));
        ASSERT_STREQ(addr, "unix:path=/tmp/my%20sock");
        bus_target_done(&t);
        ASSERT_ERROR(bus_target_unix_address(&t, &addr), EINVAL);
}

static void check_message(const char *name, const char *message, const ResourceRef *ref, const char *expected) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *s = NULL;

        sd_bus_error_set(&e, name, message);
        s = bus_error_message(&e, -EIO, ref);
        ASSERT_STREQ(s, expected);
}

static void test_error_messages(void) {
        ResourceRef stack = { RESOURCE_STACK, "demo", "web", "front" };
        ResourceRef realm = { RESOURCE_REALM, "demo", NULL, NULL };

        /* the named errors become text about the resource of the call */
        check_message("org.kukeon1.Error.NoSuchRealm", "no realm demo", &stack, "realm \"demo\" does not exist");
        check_message("org.kukeon1.Error.NoSuchSpace", "x", &stack, "space \"demo/web\" does not exist");
        check_message("org.kukeon1.Error.NoSuchStack", "x", &stack, "stack \"demo/web/front\" does not exist");
        ResourceRef cell = { RESOURCE_CELL, "demo", "web", "front", "site" };
        check_message("org.kukeon1.Error.NoSuchCell", "x", &cell, "cell \"demo/web/front/site\" does not exist");
        check_message("org.kukeon1.Error.NoSuchStack", "x", &cell, "stack \"demo/web/front\" does not exist");
        check_message("org.kukeon1.Error.AlreadyExists", "x", &realm, "realm \"demo\" already exists");
        /* containers: their own level, their cell's, and the two verbs' refusals */
        ResourceRef ctr = { RESOURCE_CONTAINER, "demo", "web", "front", "site", "side" };
        check_message("org.kukeon1.Error.NoSuchContainer", "x", &ctr, "container \"demo/web/front/site/side\" does not exist");
        check_message("org.kukeon1.Error.NoSuchCell", "x", &ctr, "cell \"demo/web/front/site\" does not exist");
        check_message("org.kukeon1.Error.NoSuchContainer", "container nope does not exist", &cell,
                      "container nope does not exist");
        check_message("org.kukeon1.Error.CellNotRunning", "cell site is Stopped", &ctr,
                      "cell \"demo/web/front/site\" is not running: start the cell first ('kuke start cell site --realm demo --space web --stack front')");
        ResourceRef ctr_default = { RESOURCE_CONTAINER, "main", "default", "default", "site", "side" };
        check_message("org.kukeon1.Error.CellNotRunning", "cell site is Stopped", &ctr_default,
                      "cell \"main/default/default/site\" is not running: start the cell first ('kuke start cell site')");
        check_message("org.kukeon1.Error.CellNotRunning", "cell site is Stopped", NULL,
                      "cell site is Stopped: start the cell first");
        ResourceRef root = { RESOURCE_CONTAINER, "main", "default", "default", "site", "web" };
        check_message("org.kukeon1.Error.RootContainer", "web is the root container", &root,
                      "container \"web\" is the root container of cell \"main/default/default/site\" and cannot leave it: delete the cell instead");
        check_message("org.kukeon1.Error.RootContainer", "web is the root container", NULL,
                      "web is the root container: delete the cell instead");
        /* ... unless the call was not about that level: the daemon's own message */
        check_message("org.kukeon1.Error.NoSuchSpace", "space web of realm demo does not exist", &realm,
                      "space web of realm demo does not exist");
        check_message("org.kukeon1.Error.NoSuchRealm", "realm x does not exist", NULL, "realm x does not exist");
        check_message("org.kukeon1.Error.HasChildren", "realm \"demo\" has 2 spaces: a, b", &realm,
                      "realm \"demo\" has 2 spaces: a, b (use --cascade to delete the children too)");
        check_message("org.kukeon1.Error.InvalidManifest", "document 2 (Space \"x\"): line 3, column 1: bad", NULL,
                      "document 2 (Space \"x\"): line 3, column 1: bad");
        check_message(SD_BUS_ERROR_SERVICE_UNKNOWN, "The name org.kukeon1 was not provided by any .service files", NULL,
                      "kukeond is not available on the system bus (org.kukeon1): The name org.kukeon1 was not provided by any .service files");
        check_message(SD_BUS_ERROR_ACCESS_DENIED, "Permission denied", NULL,
                      "access denied: Permission denied (run as root, or as a member of group kukeon)");
        /* no message: the name */
        check_message("org.kukeon1.Error.Busy", NULL, NULL, "org.kukeon1.Error.Busy");

        /* errno, and sd-bus's local System.Error.* */
        _cleanup_free_ char *a = bus_error_message(NULL, -ECONNRESET, NULL);
        ASSERT_STREQ(a, "the connection to kukeond was lost: Connection reset by peer");
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_error_set_errno(&e, ENOTCONN);
        ASSERT_TRUE(bus_error_is_local(&e));
        _cleanup_free_ char *b = bus_error_message(&e, -ENOTCONN, NULL);
        ASSERT_STREQ(b, "the connection to kukeond was lost: Transport endpoint is not connected");
}

static void test_members(void) {
        _cleanup_free_ char *a = manager_member("List", RESOURCE_SPACE, true), *b = manager_member("Get", RESOURCE_STACK, false);
        ASSERT_STREQ(a, "ListSpaces");
        ASSERT_STREQ(b, "GetStack");
        _cleanup_free_ char *c = manager_member("List", RESOURCE_CELL, true), *d = manager_member("Start", RESOURCE_CELL, false);
        ASSERT_STREQ(c, "ListCells");
        ASSERT_STREQ(d, "StartCell");
        _cleanup_free_ char *e = manager_member("List", RESOURCE_CONTAINER, true), *f = manager_member("Kill", RESOURCE_CONTAINER, false);
        ASSERT_STREQ(e, "ListContainers");
        ASSERT_STREQ(f, "KillContainer");
}

/* ---- a peer-to-peer server with a few Manager methods ---- */

#define N_REALMS 200

typedef struct Server {
        int fd;
        unsigned calls;
        unsigned interactive; /* calls that allowed interactive authorization */
} Server;

static int count(sd_bus_message *m, Server *s) {
        s->calls++;
        if (sd_bus_message_get_allow_interactive_authorization(m) > 0)
                s->interactive++;
        return 0;
}

static int method_ping(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        count(m, userdata);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_list_realms(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        count(m, userdata);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssso)");
        for (unsigned i = 0; r >= 0 && i < N_REALMS; i++) {
                char name[32], unit[64], path[64];
                snprintf(name, sizeof(name), "r%u", i);
                snprintf(unit, sizeof(unit), "kukeon-r%u.slice", i);
                snprintf(path, sizeof(path), "/org/kukeon1/realm/r%u", i);
                r = sd_bus_message_append(reply, "(ssso)", name, "Ready", unit, path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_realm(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        char text[256];
        int r;

        count(m, userdata);
        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        if (strcmp(name, "gone") == 0)
                return sd_bus_error_setf(error, "org.kukeon1.Error.NoSuchRealm", "realm %s does not exist", name);
        snprintf(text, sizeof(text),
                 "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: %s}\nspec: {namespace: kukeon-%s}\nstatus: {state: Ready}\n",
                 name, name);
        return sd_bus_reply_method_return(m, "s", text);
}

/* ---- cells and containers: cell "site" (Ready) has containers web (root, Ready) and side
 * (Stopped by SIGKILL); cell "stopped" is Stopped, with the same two; "empty" has none; any
 * other cell does not exist. */

#define CELL_PATH "/org/kukeon1/realm/main/space/default/stack/default/cell/"
#define BUSYBOX "docker.io/library/busybox:latest"

static int method_list_cells(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        count(m, userdata);
        return sd_bus_reply_method_return(m, "a(ssso)", 3, "site", "Ready", "kukeon-main-default-default-site.scope",
                                          CELL_PATH "site", "stopped", "Stopped",
                                          "kukeon-main-default-default-stopped.scope", CELL_PATH "stopped", "empty",
                                          "Ready", "kukeon-main-default-default-empty.scope", CELL_PATH "empty");
}

static bool cell_known(const char *cell) {
        return streq(cell, "site") || streq(cell, "stopped") || streq(cell, "empty");
}

/* Reads (realm, space, stack, cell[, container]) and answers NoSuchCell/NoSuchContainer. */
static int read_container_call(sd_bus_message *m, bool with_container, const char **ret_cell, const char **ret_container,
                               sd_bus_error *error) {
        const char *realm, *space, *stack, *cell, *container = NULL;
        int r;

        r = sd_bus_message_read(m, "ssss", &realm, &space, &stack, &cell);
        if (r >= 0 && with_container)
                r = sd_bus_message_read(m, "s", &container);
        if (r < 0)
                return r;
        if (!streq(realm, "main") || !streq(space, "default") || !streq(stack, "default") || !cell_known(cell))
                return sd_bus_error_setf(error, "org.kukeon1.Error.NoSuchCell", "cell %s does not exist", cell);
        if (with_container && (streq(cell, "empty") || !STR_IN_SET(container, "web", "side")))
                return sd_bus_error_setf(error, "org.kukeon1.Error.NoSuchContainer", "container %s of cell %s does not exist",
                                         container, cell);
        *ret_cell = cell;
        if (ret_container)
                *ret_container = container;
        return 0;
}

static int method_list_containers(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *cell;
        int r;

        count(m, userdata);
        r = read_container_call(m, false, &cell, NULL, error);
        if (r < 0)
                return r;
        if (streq(cell, "empty"))
                return sd_bus_reply_method_return(m, "a(sssbo)", 0);
        char web[256], side[256];
        snprintf(web, sizeof(web), CELL_PATH "%s/container/web", cell);
        snprintf(side, sizeof(side), CELL_PATH "%s/container/side", cell);
        return sd_bus_reply_method_return(m, "a(sssbo)", 2, "web", streq(cell, "site") ? "Ready" : "Stopped", BUSYBOX, 1,
                                          web, "side", "Stopped", BUSYBOX, 0, side);
}

static int method_get_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *cell, *container;
        char text[1024];
        int r;

        count(m, userdata);
        r = read_container_call(m, true, &cell, &container, error);
        if (r < 0)
                return r;
        bool web = streq(container, "web");
        snprintf(text, sizeof(text),
                 "apiVersion: v1beta1\nkind: Container\nmetadata: {name: %s}\n"
                 "spec: {id: %s, realmId: main, spaceId: default, stackId: default, cellId: %s, root: %s, image: %s,"
                 " containerdId: default_default_%s_%s}\n"
                 "status: {name: %s, id: default_default_%s_%s, state: %s, exitCode: %d%s}\n",
                 container, container, cell, web ? "true" : "false", BUSYBOX, cell, container, container, cell, container,
                 web && streq(cell, "site") ? "Ready" : "Stopped", web ? 0 : 137, web ? "" : ", exitSignal: KILL");
        return sd_bus_reply_method_return(m, "s", text);
}

/* Start, Stop, Kill, Delete. Start and Kill of a container of the stopped cell:
 * CellNotRunning. Delete: the root container cannot leave its cell, and side of the stopped
 * cell needs FORCE (a stand-in for a runtime error that FORCE continues past), to see the flag
 * arrive; the others take no flags. */
static int method_container_verb(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *cell, *container, *member = sd_bus_message_get_member(m);
        bool delete = streq(member, "DeleteContainer");
        uint64_t flags;
        int r;

        count(m, userdata);
        r = read_container_call(m, true, &cell, &container, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &flags);
        if (r < 0)
                return r;
        if (!delete && flags != 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unexpected flags %" PRIu64, flags);
        if (!delete && streq(cell, "stopped") && !streq(member, "StopContainer"))
                return sd_bus_error_setf(error, "org.kukeon1.Error.CellNotRunning", "cell %s is Stopped", cell);
        if (delete && streq(container, "web"))
                return sd_bus_error_setf(error, "org.kukeon1.Error.RootContainer",
                                         "web is the root container of cell %s", cell);
        if (delete && streq(cell, "stopped") && flags != (UINT64_C(1) << 1))
                return sd_bus_error_setf(error, "org.kukeon1.Error.ContainerdUnavailable", "containerd is gone (flags %" PRIu64 ")",
                                         flags);
        return sd_bus_reply_method_return(m, NULL);
}

/* SignalCell, SignalContainer: the signal comes as a number before the flags; only TERM (15)
 * to a running cell is fine here */
static int method_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *cell, *container = NULL;
        int32_t signal;
        uint64_t flags;
        int r;

        count(m, userdata);
        r = read_container_call(m, streq(sd_bus_message_get_member(m), "SignalContainer"), &cell, &container, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "it", &signal, &flags);
        if (r < 0)
                return r;
        if (signal != 15 || flags != 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unexpected signal %d, flags %" PRIu64, signal,
                                         flags);
        if (streq(cell, "stopped"))
                return sd_bus_error_setf(error, "org.kukeon1.Error.CellNotRunning", "cell %s is Stopped: there is nothing to signal",
                                         cell);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_purge_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *cell, *container;
        char id[128], a[160], b[160], c[160];
        int r;

        count(m, userdata);
        r = read_container_call(m, true, &cell, &container, error);
        if (r < 0)
                return r;
        snprintf(id, sizeof(id), "default_default_%s_%s", cell, container);
        snprintf(a, sizeof(a), "task %s", id);
        snprintf(b, sizeof(b), "container %s", id);
        snprintf(c, sizeof(c), "snapshot %s", id);
        return sd_bus_reply_method_return(m, "as", 3, a, b, c);
}

static int method_purge_cell(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *cell;
        char scope[160];
        int r;

        count(m, userdata);
        r = read_container_call(m, false, &cell, NULL, error);
        if (r < 0)
                return r;
        snprintf(scope, sizeof(scope), "scope kukeon-main-default-default-%s.scope", cell);
        return sd_bus_reply_method_return(m, "as", 4, "task default_default_site_web", "container default_default_site_web",
                                          "address 10.88.0.9", scope);
}

static int property_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", "9.9.9-test");
}

/* Namespace of /org/kukeon1/realm/<R>: kukeon-<R>, for every R but "gone". */
static int property_namespace(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const char *name = strrchr(path, '/') + 1;
        char ns[128];
        snprintf(ns, sizeof(ns), "kukeon-%s", name);
        return sd_bus_message_append(reply, "s", ns);
}

static int find_realm(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error) {
        const char *prefix = "/org/kukeon1/realm/";
        if (strncmp(path, prefix, strlen(prefix)) != 0 || strchr(path + strlen(prefix), '/') ||
            strcmp(path + strlen(prefix), "gone") == 0)
                return 0;
        *found = userdata;
        return 1;
}

static const sd_bus_vtable realm_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Namespace", "s", property_namespace, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD("Ping", "", "", method_ping, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ListRealms", "", "a(ssso)", method_list_realms, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetRealm", "s", "s", method_get_realm, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ListCells", "sss", "a(ssso)", method_list_cells, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("PurgeCell", "sssst", "as", method_purge_cell, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ListContainers", "ssss", "a(sssbo)", method_list_containers, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetContainer", "sssss", "s", method_get_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StartContainer", "ssssst", "", method_container_verb, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StopContainer", "ssssst", "", method_container_verb, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("KillContainer", "ssssst", "", method_container_verb, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("DeleteContainer", "ssssst", "", method_container_verb, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("PurgeContainer", "ssssst", "as", method_purge_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("SignalCell", "ssssit", "", method_signal, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("SignalContainer", "sssssit", "", method_signal, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* Serves one connection on 'fd' until the client hangs up. */
static int serve_fd(Server *s, int fd) {
        sd_bus *bus = NULL;
        sd_id128_t id;
        int r;

        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_server(bus, 1, id);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/kukeon1", "org.kukeon1.Manager", manager_vtable, s);
        if (r >= 0)
                r = sd_bus_add_fallback_vtable(bus, NULL, "/org/kukeon1/realm", "org.kukeon1.Realm", realm_vtable,
                                               find_realm, s);
        if (r >= 0)
                r = sd_bus_start(bus);
        while (r >= 0) {
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, UINT64_MAX);
        }
        sd_bus_flush_close_unref(bus);
        return r == -ECONNRESET || r == -ENOTCONN ? 0 : r;
}

static void *serve_thread(void *p) {
        Server *s = p;
        int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
                (void) serve_fd(s, fd);
        return NULL;
}

static void make_socket(char *dir, char *path, size_t size, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, size, "%s/kukeond.sock", dir);
        ASSERT_TRUE(strlen(path) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, path, strlen(path) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0);
        ASSERT_TRUE(listen(fd, 1) == 0);
        *ret_fd = fd;
}

static void run_unix_client(bool no_ask_password) {
        char dir[] = "/tmp/test-bus-client.XXXXXX", path[128], host[160];
        Server s = {};
        pthread_t th;
        BusTarget t = { .no_ask_password = no_ask_password };
        _cleanup_(bus_client_freep) BusClient *c = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        make_socket(dir, path, sizeof(path), &s.fd);
        ASSERT_EQ(pthread_create(&th, NULL, serve_thread, &s), 0);

        snprintf(host, sizeof(host), "unix:%s", path);
        ASSERT_OK(bus_target_set_host(&t, host, NULL));
        ASSERT_OK(bus_client_open(&t, &c));
        ASSERT_NULL(bus_client_destination(c));
        ASSERT_OK(bus_client_call_manager(c, "Ping", &e, NULL, ""));

        /* pipelined: more calls than the window, every reply in its slot, errors too */
        sd_bus_message *calls[N_REALMS], *replies[N_REALMS] = {};
        for (unsigned i = 0; i < N_REALMS; i++) {
                char name[16];
                snprintf(name, sizeof(name), i == 7 ? "gone" : "r%u", i);
                ResourceRef ref = { RESOURCE_REALM, name, NULL, NULL };
                ASSERT_OK(bus_client_new_manager_call(c, "GetRealm", &ref, &calls[i]));
        }
        ASSERT_OK(bus_client_call_all(c, calls, N_REALMS, replies));
        for (unsigned i = 0; i < N_REALMS; i++) {
                const char *text;
                char want[32];
                ASSERT_NOT_NULL(replies[i]);
                if (i == 7) {
                        ASSERT_TRUE(sd_bus_message_is_method_error(replies[i], "org.kukeon1.Error.NoSuchRealm"));
                        ResourceRef ref = { RESOURCE_REALM, "gone", NULL, NULL };
                        _cleanup_free_ char *msg = bus_error_message(sd_bus_message_get_error(replies[i]), -EIO, &ref);
                        ASSERT_STREQ(msg, "realm \"gone\" does not exist");
                } else {
                        ASSERT_OK(sd_bus_message_read(replies[i], "s", &text));
                        snprintf(want, sizeof(want), "metadata: {name: r%u}", i);
                        ASSERT_NOT_NULL(strstr(text, want));
                }
                sd_bus_message_unref(calls[i]);
                sd_bus_message_unref(replies[i]);
        }

        /* the listing arrives whole */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *state, *unit, *opath;
        unsigned n = 0;
        ASSERT_OK(bus_client_call_manager(c, "ListRealms", &e, &reply, ""));
        ASSERT_OK(sd_bus_message_enter_container(reply, 'a', "(ssso)"));
        while (sd_bus_message_read(reply, "(ssso)", &name, &state, &unit, &opath) > 0)
                n++;
        ASSERT_EQ(n, N_REALMS);

        /* a method the server does not have */
        ASSERT_TRUE(bus_client_call_manager(c, "Frobnicate", &e, NULL, "") < 0);
        _cleanup_free_ char *msg = bus_error_message(&e, -EIO, NULL);
        ASSERT_TRUE(strncmp(msg, "this kukeond does not support the call: ", 40) == 0);

        c = bus_client_free(c);
        ASSERT_EQ(pthread_join(th, NULL), 0);
        ASSERT_EQ(s.calls, 2 + N_REALMS);
        /* every call carries the flag, unless --no-ask-password */
        ASSERT_EQ(s.interactive, no_ask_password ? 0 : s.calls);

        close(s.fd);
        unlink(path);
        rmdir(dir);
        bus_target_done(&t);
}

static void test_unix(void) {
        run_unix_client(false);
        run_unix_client(true);
}

static void test_unix_missing(void) {
        BusTarget t = {};
        BusClient *c = NULL;
        ASSERT_OK(bus_target_set_host(&t, "unix:/nonexistent/kukeond.sock", NULL));
        ASSERT_ERROR(bus_client_open(&t, &c), ENOENT);
        ASSERT_NULL(c);
        bus_target_done(&t);
}

static char self[4096];

static void test_no_daemon(void) {
        BusTarget t = {};
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        BusClient *c = NULL;

        /* this very program plays kukeond: run with --peer-fd=3, it serves fd 3 (main()) */
        ASSERT_OK(setenv("KUKEOND", self, 1));
        ASSERT_STREQ(kukeond_path(), self);
        ASSERT_OK(bus_target_set_no_daemon(&t, NULL));
        ASSERT_OK(bus_client_open(&t, &c));
        ASSERT_TRUE(c->daemon_pid > 0);
        ASSERT_OK(bus_client_call_manager(c, "Ping", &e, NULL, ""));
        /* closing reaps it: the server sees the socket close and exits 0 */
        pid_t pid = c->daemon_pid;
        sd_bus_flush_close_unref(TAKE_PTR(c->bus));
        _cleanup_free_ char *exit = bus_client_describe_daemon_exit(c);
        ASSERT_STREQ(exit + strlen(self), " exited with status 0");
        bus_client_free(c);
        ASSERT_TRUE(kill(pid, 0) < 0);

        /* a kukeond that dies at once: the call fails and says how it ended */
        ASSERT_OK(setenv("KUKEOND", "/bin/false", 1));
        ASSERT_OK(bus_client_new(&c));
        /* the connection fails at start or at the first call, depending on who is quicker */
        int r = bus_client_connect(c, &t);
        if (r >= 0)
                r = bus_client_call_manager(c, "Ping", &e, NULL, "");
        ASSERT_TRUE(r < 0);
        _cleanup_free_ char *why = bus_client_describe_daemon_exit(c);
        ASSERT_STREQ(why, "/bin/false exited with status 1");
        c = bus_client_free(c);

        ASSERT_OK(setenv("KUKEOND", "/nonexistent/kukeond", 1));
        ASSERT_ERROR(bus_client_open(&t, &c), ENOENT);
        unsetenv("KUKEOND");
        bus_target_done(&t);
}

int main(int argc, char *argv[]) {
        if (argc >= 2 && strcmp(argv[1], "--peer-fd=3") == 0) {
                Server s = {};
                return serve_fd(&s, 3) < 0 ? 2 : 0;
        }
        ASSERT_TRUE(realpath(argv[0], self) != NULL);

        void (*const tests[])(void) = { test_host_parse, test_address_escape, test_error_messages, test_members,
                                        test_unix, test_unix_missing, test_no_daemon };
        for (size_t i = 0; i < ELEMENTSOF(tests); i++)
                tests[i]();
        printf("%zu tests passed\n", ELEMENTSOF(tests));
        return 0;
}
