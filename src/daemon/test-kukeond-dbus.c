/* SPDX-License-Identifier: Apache-2.0 */
/* kukeond's D-Bus face, end to end on a private bus: the real kukeond binary (path in
 * $KUKEOND), a stand-in for PID 1 (fake-systemd.h) on the same bus, and a run path and CNI
 * directory of its own. containerd is not there (a socket that does not exist), which is a
 * case the daemon must handle too: realms whose namespace cannot be made fail cleanly, and a
 * realm already in the run path comes up with its slice. Needs uid 0: there is no polkit on
 * the private bus, and only root is allowed without asking it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "fake-systemd.h"
#include "macro.h"
#include "store.h"
#include "strv.h"
#include "tests.h"
#include "v1beta1.h"

#define DEST "org.kukeon1"
#define PATH "/org/kukeon1"
#define IFACE "org.kukeon1.Manager"

static PrivateBus pbus;
static FakeSystemd *fake;
static char dir[512], run_path[600], cni_dir[600];
static pid_t daemon_pid;
static sd_bus *bus;

/* This test runs kukeond on the host, not in the test machine: the host's firewall is not
 * ours to change. Spaces make kukeond run iptables-save/-restore (masquerade and egress), so
 * stand-ins that change nothing go first in PATH; the real rules are tested in the machine
 * (tests/integration/space-egress). */
static void stub_iptables(void) {
        char bin[700], path[800];
        snprintf(bin, sizeof(bin), "%s/bin", dir);
        ASSERT_OK(mkdir(bin, 0755));
        static const char *const stubs[][2] = {
                { "iptables-save", "#!/bin/sh\nexit 0\n" },
                { "iptables-restore", "#!/bin/sh\ncat >/dev/null\n" },
        };
        for (size_t i = 0; i < sizeof(stubs) / sizeof(stubs[0]); i++) {
                char file[800];
                snprintf(file, sizeof(file), "%s/%s", bin, stubs[i][0]);
                FILE *f = fopen(file, "we");
                ASSERT_NOT_NULL(f);
                ASSERT_TRUE(fputs(stubs[i][1], f) >= 0);
                ASSERT_OK(fclose(f));
                ASSERT_OK(chmod(file, 0755));
        }
        snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH") ?: "/usr/sbin:/usr/bin:/sbin:/bin");
        ASSERT_OK(setenv("PATH", path, 1));
}

static pid_t spawn_kukeond(int peer_fd) {
        const char *exe = getenv("KUKEOND");
        ASSERT_NOT_NULL(exe);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed test leaves nothing behind */
                char a1[700], a2[700], a3[700], a4[700], a5[64];
                snprintf(a1, sizeof(a1), "--run-path=%s", run_path);
                snprintf(a2, sizeof(a2), "--cni-conf-dir=%s", cni_dir);
                snprintf(a3, sizeof(a3), "--containerd-socket=%s/no-containerd.sock", dir);
                snprintf(a4, sizeof(a4), "--bus-address=%s", pbus.address);
                snprintf(a5, sizeof(a5), "--peer-fd=3");
                unsetenv("KUKEOND_CONFIG");
                if (peer_fd >= 0) {
                        dup2(peer_fd, 3);
                        /* no system bus in peer mode: PID 1 is not reachable either, which is fine */
                        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent", 1);
                        execl(exe, exe, a1, a2, a3, a5, "--log-level=debug", (char *) NULL);
                } else
                        execl(exe, exe, a1, a2, a3, a4, "--log-level=debug", (char *) NULL);
                _exit(127);
        }
        return pid;
}

static void stop_kukeond(void) {
        ASSERT_OK(kill(daemon_pid, SIGTERM));
        int st;
        ASSERT_EQ(waitpid(daemon_pid, &st, 0), daemon_pid);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        daemon_pid = 0;
}

static void wait_ready(void) {
        for (int i = 0; i < 200; i++) {
                if (sd_bus_call_method(bus, DEST, PATH, IFACE, "Ping", NULL, NULL, "") >= 0)
                        return;
                usleep(50 * 1000);
        }
        ASSERT_TRUE(!"kukeond did not come up");
}

/* Calls and expects an error name (NULL: success). Returns the reply. */
static sd_bus_message *call(const char *error_name, const char *member, const char *sig, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        sd_bus_message *reply = NULL;
        va_list ap;
        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, DEST, PATH, IFACE, member));
        va_start(ap, sig);
        ASSERT_OK(sd_bus_message_appendv(m, sig, ap));
        va_end(ap);
        int r = sd_bus_call(bus, m, 30 * 1000 * 1000, &e, &reply);
        if (error_name) {
                if (r >= 0 || !sd_bus_error_has_name(&e, error_name)) {
                        fprintf(stderr, "%s: expected %s, got %s: %s\n", member, error_name, strna(e.name), strna(e.message));
                        abort();
                }
                printf("  %s → %s: %s\n", member, e.name, e.message);
        } else if (r < 0) {
                fprintf(stderr, "%s failed: %s: %s\n", member, strna(e.name), strna(e.message));
                abort();
        }
        return reply;
}

static char *get_prop(const char *path, const char *iface, const char *prop) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        char *v = NULL;
        int r = sd_bus_get_property_string(bus, DEST, path, iface, prop, &e, &v);
        if (r < 0) {
                fprintf(stderr, "%s %s.%s: %s\n", path, iface, prop, strna(e.message));
                abort();
        }
        return v;
}

/* names from a List* reply */
static char **list_names(sd_bus_message *reply, char ***states) {
        char **l = NULL;
        const char *name, *state, *unit, *path;
        ASSERT_OK(sd_bus_message_enter_container(reply, 'a', "(ssso)"));
        while (sd_bus_message_read(reply, "(ssso)", &name, &state, &unit, &path) > 0) {
                ASSERT_OK(strv_extend(&l, name));
                if (states)
                        ASSERT_OK(strv_extend(states, state));
        }
        if (!l)
                l = new0(char *, 1);
        return l;
}

static void prepopulate(void) {
        _cleanup_(store_freep) Store *s = NULL;
        ASSERT_OK(store_open(run_path, &s));
        RealmDoc d = {};
        d.metadata.name = (char *) "pre";
        d.spec.namespace_ = (char *) "kukeon-pre";
        d.status.state = REALM_STATE_READY;
        d.status.unit = (char *) "kukeon-pre.slice";
        ASSERT_OK(store_save_realm(s, &d));
}

static void test_basics(void) {
        _cleanup_free_ char *version = get_prop(PATH, IFACE, "Version");
        ASSERT_STREQ(version, KUKEON_VERSION);
        _cleanup_free_ char *rp = get_prop(PATH, IFACE, "RunPath");
        ASSERT_STREQ(rp, run_path);

        /* the realm of the run path came up: its slice started, its cgroup read back */
        for (int i = 0; i < 100 && !fake_systemd_unit_active(fake, "kukeon-pre.slice"); i++)
                usleep(50 * 1000);
        ASSERT_TRUE(fake_systemd_unit_active(fake, "kukeon-pre.slice"));
        _cleanup_free_ char *cg = NULL;
        for (int i = 0; i < 100; i++) {
                free(cg);
                cg = get_prop("/org/kukeon1/realm/pre", "org.kukeon1.Realm", "ControlGroup");
                if (!isempty(cg))
                        break;
                usleep(50 * 1000);
        }
        ASSERT_STREQ(cg, "/kukeon.slice/kukeon-pre.slice");
        _cleanup_free_ char *state = get_prop("/org/kukeon1/realm/pre", "org.kukeon1.Realm", "State");
        ASSERT_STREQ(state, "Ready");

        sd_bus_message_unref(call("org.kukeon1.Error.InvalidName", "CreateRealm", "st", "Bad_Name", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.InvalidName", "CreateRealm", "st", "run", (uint64_t) 0));
        sd_bus_message_unref(call("org.freedesktop.DBus.Error.InvalidArgs", "CreateRealm", "st", "x", (uint64_t) 8));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchRealm", "GetRealm", "s", "nope"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchRealm", "ListSpaces", "s", "nope"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchRealm", "CreateSpace", "sst", "nope", "web", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.InvalidManifest", "Apply", "st", "kind: [", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.InvalidManifest", "Apply", "st",
                                  "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: Bad}\n", (uint64_t) 0));

        /* containerd is not there: a new realm fails, saying so, and stays Failed */
        sd_bus_message_unref(call("org.kukeon1.Error.ContainerdUnavailable", "CreateRealm", "st", "noctr", (uint64_t) 0));
        _cleanup_free_ char *st2 = get_prop("/org/kukeon1/realm/noctr", "org.kukeon1.Realm", "State");
        ASSERT_STREQ(st2, "Failed");
        _cleanup_free_ char *reason = get_prop("/org/kukeon1/realm/noctr", "org.kukeon1.Realm", "Reason");
        ASSERT_STREQ(reason, "ContainerdFailed");
        sd_bus_message_unref(call("org.kukeon1.Error.AlreadyExists", "CreateRealm", "st", "noctr", (uint64_t) 0));
        sd_bus_message_unref(call(NULL, "DeleteRealm", "st", "noctr", (uint64_t) 2 /* FORCE */));
}

static void test_spaces_stacks(void) {
        sd_bus_message *reply = call(NULL, "CreateSpace", "sst", "pre", "web", (uint64_t) 0);
        const char *path;
        ASSERT_OK(sd_bus_message_read(reply, "o", &path));
        ASSERT_STREQ(path, "/org/kukeon1/realm/pre/space/web");
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call(NULL, "CreateSpace", "sst", "pre", "db", (uint64_t) 0));

        _cleanup_free_ char *s1 = get_prop("/org/kukeon1/realm/pre/space/web", "org.kukeon1.Space", "Subnet");
        _cleanup_free_ char *s2 = get_prop("/org/kukeon1/realm/pre/space/db", "org.kukeon1.Space", "Subnet");
        ASSERT_STREQ(s1, "10.88.0.0/24");
        ASSERT_STREQ(s2, "10.88.1.0/24");
        _cleanup_free_ char *br = get_prop("/org/kukeon1/realm/pre/space/web", "org.kukeon1.Space", "Bridge");
        ASSERT_TRUE(strncmp(br, "k-", 2) == 0 && strlen(br) == 10);
        char p[800];
        snprintf(p, sizeof(p), "%s/pre-web.conflist", cni_dir);
        ASSERT_OK(access(p, F_OK));
        snprintf(p, sizeof(p), "%s/pre/web/network.conflist", run_path);
        ASSERT_OK(access(p, F_OK));
        ASSERT_TRUE(fake_systemd_unit_active(fake, "kukeon-pre-web.slice"));

        sd_bus_message_unref(call(NULL, "CreateStack", "ssst", "pre", "web", "front", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.AlreadyExists", "CreateStack", "ssst", "pre", "web", "front", (uint64_t) 0));
        _cleanup_free_ char *cg = get_prop("/org/kukeon1/realm/pre/space/web/stack/front", "org.kukeon1.Stack", "ControlGroup");
        ASSERT_STREQ(cg, "/kukeon.slice/kukeon-pre.slice/kukeon-pre-web.slice/kukeon-pre-web-front.slice");

        /* names with dashes: escaped unit names, encoded object paths */
        sd_bus_message_unref(call(NULL, "CreateStack", "ssst", "pre", "web", "my-stack", (uint64_t) 0));
        ASSERT_TRUE(fake_systemd_unit_active(fake, "kukeon-pre-web-my\\x2dstack.slice"));
        _cleanup_free_ char *unit = get_prop("/org/kukeon1/realm/pre/space/web/stack/my_2dstack", "org.kukeon1.Stack", "Unit");
        ASSERT_STREQ(unit, "kukeon-pre-web-my\\x2dstack.slice");

        /* listing */
        _cleanup_strv_free_ char **states = NULL;
        reply = call(NULL, "ListStacks", "ss", "pre", "web");
        _cleanup_strv_free_ char **names = list_names(reply, &states);
        sd_bus_message_unref(reply);
        ASSERT_EQ(strv_length(names), 2);
        ASSERT_STREQ(names[0], "front");
        ASSERT_STREQ(names[1], "my-stack");
        ASSERT_STREQ(states[0], "Ready");

        /* GetStack: the document with status */
        reply = call(NULL, "GetStack", "sss", "pre", "web", "front");
        const char *yaml;
        ASSERT_OK(sd_bus_message_read(reply, "s", &yaml));
        ASSERT_NOT_NULL(strstr(yaml, "kind: Stack"));
        ASSERT_NOT_NULL(strstr(yaml, "state: Ready"));
        ASSERT_NOT_NULL(strstr(yaml, "cgroupPath: /kukeon.slice/kukeon-pre.slice/kukeon-pre-web.slice/kukeon-pre-web-front.slice"));
        sd_bus_message_unref(reply);

        /* children refuse deletion without CASCADE, naming them; nothing changes */
        reply = call("org.kukeon1.Error.HasChildren", "DeleteRealm", "st", "pre", (uint64_t) 0);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(call("org.kukeon1.Error.HasChildren", "DeleteSpace", "sst", "pre", "web", (uint64_t) 0));
        ASSERT_TRUE(fake_systemd_unit_active(fake, "kukeon-pre-web.slice"));
        ASSERT_TRUE(fake_systemd_unit_active(fake, "kukeon-pre-web-front.slice"));
}

/* Cells: the Manager's cell methods check names, flags and parents before anything runs (the
 * cells themselves need containerd and the anchor: tests/integration/cell-lifecycle). */
static void test_cells(void) {
        sd_bus_message *reply = call(NULL, "ListCells", "sss", "pre", "web", "front");
        _cleanup_strv_free_ char **states = NULL;
        _cleanup_strv_free_ char **names = list_names(reply, &states);
        sd_bus_message_unref(reply);
        ASSERT_EQ(strv_length(names), 0);

        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchStack", "ListCells", "sss", "pre", "web", "nope"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchRealm", "ListCells", "sss", "nope", "web", "front"));
        sd_bus_message_unref(call("org.kukeon1.Error.InvalidName", "GetCell", "ssss", "pre", "web", "front", "Bad_Name"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "GetCell", "ssss", "pre", "web", "front", "ghost"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchSpace", "GetCell", "ssss", "pre", "nope", "front", "ghost"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "StopCell", "sssst", "pre", "web", "front", "ghost", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "DeleteCell", "sssst", "pre", "web", "front", "ghost", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchStack", "CreateCell", "sssst", "pre", "web", "nope", "c", (uint64_t) 0));
        sd_bus_message_unref(call("org.freedesktop.DBus.Error.InvalidArgs", "StartCell", "sssst", "pre", "web", "front", "c",
                                  (uint64_t) 8));
        /* a dry run checks and changes nothing */
        sd_bus_message_unref(call(NULL, "CreateCell", "sssst", "pre", "web", "front", "dry", (uint64_t) 4 /* DRY_RUN */));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "GetCell", "ssss", "pre", "web", "front", "dry"));

        /* containers and the verbs added with them: names, parents, flags and signals are
         * checked before anything happens; a purge of nothing at all is NoSuchCell */
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "ListContainers", "ssss", "pre", "web", "front", "ghost"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchStack", "ListContainers", "ssss", "pre", "web", "nope", "ghost"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "GetContainer", "sssss", "pre", "web", "front", "ghost", "c"));
        sd_bus_message_unref(call("org.kukeon1.Error.InvalidName", "GetContainer", "sssss", "pre", "web", "front", "ghost",
                                  "Bad_Name"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "StopContainer", "ssssst", "pre", "web", "front", "ghost",
                                  "c", (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.InvalidName", "KillContainer", "ssssst", "pre", "web", "front", "ghost",
                                  "", (uint64_t) 0));
        sd_bus_message_unref(call("org.freedesktop.DBus.Error.InvalidArgs", "DeleteContainer", "ssssst", "pre", "web",
                                  "front", "ghost", "c", (uint64_t) 16));
        sd_bus_message_unref(call("org.freedesktop.DBus.Error.InvalidArgs", "SignalCell", "ssssit", "pre", "web", "front",
                                  "ghost", (int32_t) 0, (uint64_t) 0));
        sd_bus_message_unref(call("org.freedesktop.DBus.Error.InvalidArgs", "SignalContainer", "sssssit", "pre", "web",
                                  "front", "ghost", "c", (int32_t) 4096, (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "SignalCell", "ssssit", "pre", "web", "front", "ghost",
                                  (int32_t) 1, (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "PurgeCell", "sssst", "pre", "web", "front", "ghost",
                                  (uint64_t) 0));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchCell", "PurgeContainer", "ssssst", "pre", "web", "front",
                                  "ghost", "c", (uint64_t) 0));
}

static void test_apply(void) {
        const char *manifest =
                "apiVersion: v1beta1\nkind: Stack\nmetadata: {name: front}\nspec: {realmId: pre, spaceId: web, resources: {tasksMax: 64}}\n"
                "---\n"
                "apiVersion: v1beta1\nkind: Space\nmetadata: {name: web}\nspec: {realmId: pre}\n"
                "---\n"
                "apiVersion: v1beta1\nkind: Stack\nmetadata: {name: back}\nspec: {realmId: pre, spaceId: web}\n";
        sd_bus_message *reply = call(NULL, "Apply", "st", manifest, (uint64_t) 0);
        const char *kind, *name, *outcome, *message, *path;
        ASSERT_OK(sd_bus_message_enter_container(reply, 'a', "(sssso)"));
        /* dependency order: the Space first */
        ASSERT_TRUE(sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path) > 0);
        ASSERT_STREQ(kind, "Space");
        ASSERT_STREQ(outcome, "unchanged");
        ASSERT_TRUE(sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path) > 0);
        ASSERT_STREQ(name, "front");
        ASSERT_STREQ(outcome, "configured");
        ASSERT_TRUE(sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path) > 0);
        ASSERT_STREQ(name, "back");
        ASSERT_STREQ(outcome, "created");
        ASSERT_STREQ(path, "/org/kukeon1/realm/pre/space/web/stack/back");
        sd_bus_message_unref(reply);
        /* the limit went to the live slice */
        ASSERT_EQ(fake_systemd_last_property(fake, "kukeon-pre-web-front.slice", "TasksMax"), 64);
        ASSERT_TRUE(fake_systemd_count(fake, "SetUnitProperties", "kukeon-pre-web-front.slice") >= 1);

        /* again: everything unchanged */
        reply = call(NULL, "Apply", "st", manifest, (uint64_t) 0);
        ASSERT_OK(sd_bus_message_enter_container(reply, 'a', "(sssso)"));
        for (int i = 0; i < 3; i++) {
                ASSERT_TRUE(sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path) > 0);
                ASSERT_STREQ(outcome, "unchanged");
        }
        sd_bus_message_unref(reply);

        /* a document whose parent is missing fails alone */
        reply = call(NULL, "Apply", "st", "apiVersion: v1beta1\nkind: Stack\nmetadata: {name: x}\nspec: {realmId: pre, spaceId: nope}\n",
                     (uint64_t) 0);
        ASSERT_OK(sd_bus_message_enter_container(reply, 'a', "(sssso)"));
        ASSERT_TRUE(sd_bus_message_read(reply, "(sssso)", &kind, &name, &outcome, &message, &path) > 0);
        ASSERT_STREQ(outcome, "failed");
        ASSERT_NOT_NULL(strstr(message, "nope"));
        sd_bus_message_unref(reply);
}

static void test_delete_purge(void) {
        sd_bus_message_unref(call(NULL, "DeleteStack", "ssst", "pre", "web", "back", (uint64_t) 0));
        ASSERT_FALSE(fake_systemd_unit_active(fake, "kukeon-pre-web-back.slice"));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchStack", "GetStack", "sss", "pre", "web", "back"));

        /* the object's own Delete */
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        ASSERT_OK(sd_bus_call_method(bus, DEST, "/org/kukeon1/realm/pre/space/web/stack/my_2dstack", "org.kukeon1.Stack",
                                     "Delete", &e, NULL, "t", (uint64_t) 0));

        sd_bus_message *reply = call(NULL, "PurgeSpace", "sst", "pre", "db", (uint64_t) 0);
        _cleanup_strv_free_ char **removed = NULL;
        ASSERT_OK(sd_bus_message_read_strv(reply, &removed));
        sd_bus_message_unref(reply);
        char f1[800], f2[800];
        snprintf(f1, sizeof(f1), "file %s/pre-db.conflist", cni_dir);
        snprintf(f2, sizeof(f2), "file %s/pre/db", run_path);
        for (char **x = removed; x && *x; x++)
                printf("  purged: %s\n", *x);
        ASSERT_TRUE(strv_contains(removed, "slice kukeon-pre-db.slice"));
        ASSERT_TRUE(strv_contains(removed, f1));
        ASSERT_TRUE(strv_contains(removed, f2));
        sd_bus_message_unref(call("org.kukeon1.Error.NoSuchSpace", "PurgeSpace", "sst", "pre", "db", (uint64_t) 0));
}

static void test_restart_keeps(void) {
        stop_kukeond();
        unsigned resets = fake_systemd_count(fake, "ResetFailedUnit", "kukeon-pre-web.slice");
        daemon_pid = spawn_kukeond(-1);
        wait_ready();
        sd_bus_message *reply = call(NULL, "ListSpaces", "s", "pre");
        _cleanup_strv_free_ char **names = list_names(reply, NULL);
        sd_bus_message_unref(reply);
        ASSERT_EQ(strv_length(names), 1);
        ASSERT_STREQ(names[0], "web");
        /* the slice was there already: UnitExists, reset, retry, taken as there */
        for (int i = 0; i < 100 && fake_systemd_count(fake, "ResetFailedUnit", "kukeon-pre-web.slice") == resets; i++)
                usleep(50 * 1000);
        ASSERT_TRUE(fake_systemd_count(fake, "ResetFailedUnit", "kukeon-pre-web.slice") > resets);

        /* GetManagedObjects knows the tree */
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *objs = NULL;
        ASSERT_OK(sd_bus_call_method(bus, DEST, PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", &e, &objs, ""));
        int n = 0;
        ASSERT_OK(sd_bus_message_enter_container(objs, 'a', "{oa{sa{sv}}}"));
        while (sd_bus_message_enter_container(objs, 'e', "oa{sa{sv}}") > 0) {
                const char *p;
                ASSERT_OK(sd_bus_message_read(objs, "o", &p));
                if (strcmp(p, "/org/kukeon1/realm/pre/space/web/stack/front") == 0)
                        n++;
                ASSERT_OK(sd_bus_message_skip(objs, "a{sa{sv}}"));
                ASSERT_OK(sd_bus_message_exit_container(objs));
        }
        sd_bus_message_unref(objs);
        ASSERT_EQ(n, 1);

        /* cascade delete of everything */
        sd_bus_message_unref(call(NULL, "DeleteRealm", "st", "pre", (uint64_t) 1 | 2));
        ASSERT_FALSE(fake_systemd_unit_active(fake, "kukeon-pre-web.slice"));
        char p[800];
        snprintf(p, sizeof(p), "%s/pre-web.conflist", cni_dir);
        ASSERT_TRUE(access(p, F_OK) < 0);
        snprintf(p, sizeof(p), "%s/pre", run_path);
        ASSERT_TRUE(access(p, F_OK) < 0);
}

static void test_peer_fd(void) {
        int sp[2];
        ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
        pid_t pid = spawn_kukeond(sp[1]);
        close(sp[1]);

        sd_bus *peer = NULL;
        ASSERT_OK(sd_bus_new(&peer));
        ASSERT_OK(sd_bus_set_fd(peer, sp[0], sp[0]));
        ASSERT_OK(sd_bus_start(peer));
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        ASSERT_OK(sd_bus_call_method(peer, NULL, PATH, IFACE, "Ping", &e, NULL, ""));
        sd_bus_message *reply = NULL;
        ASSERT_OK(sd_bus_call_method(peer, NULL, PATH, IFACE, "ListRealms", &e, &reply, ""));
        sd_bus_message_unref(reply);
        char *v = NULL;
        ASSERT_OK(sd_bus_get_property_string(peer, NULL, PATH, IFACE, "RunPath", &e, &v));
        ASSERT_STREQ(v, run_path);
        free(v);

        /* A second writer (this is kuke --no-daemon): what it writes, the daemon on the bus
         * sees. It has neither PID 1 nor containerd here, so its realm ends up Failed —
         * saying why — but it is in the run path. */
        sd_bus_error_free(&e);
        ASSERT_TRUE(sd_bus_call_method(peer, NULL, PATH, IFACE, "CreateRealm", &e, NULL, "st", "viapeer", (uint64_t) 0) < 0);
        printf("  peer CreateRealm → %s: %s\n", e.name, e.message);
        /* The daemon on the bus learns of the other writer's change asynchronously (it
         * watches the run path): wait for it, up to two seconds, rather than race it. */
        bool seen = false;
        for (int i = 0; i < 40 && !seen; i++) {
                reply = call(NULL, "ListRealms", "");
                _cleanup_strv_free_ char **states = NULL;
                _cleanup_strv_free_ char **names = list_names(reply, &states);
                sd_bus_message_unref(reply);
                seen = strv_contains(names, "viapeer");
                if (!seen)
                        usleep(50 * 1000);
        }
        ASSERT_TRUE(seen);
        _cleanup_free_ char *vstate = get_prop("/org/kukeon1/realm/viapeer", "org.kukeon1.Realm", "State");
        ASSERT_STREQ(vstate, "Failed");
        sd_bus_flush_close_unref(peer);

        /* the peer went away: kukeond --peer-fd exits by itself */
        int st;
        for (int i = 0; i < 100; i++) {
                if (waitpid(pid, &st, WNOHANG) == pid)
                        break;
                usleep(50 * 1000);
        }
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void) {
        char cwd[256];
        if (getuid() != 0) {
                printf("not root (no polkit on the private bus): skipped\n");
                return 77;
        }
        if (access("/usr/bin/dbus-daemon", X_OK) < 0) {
                printf("no dbus-daemon: skipped\n");
                return 77;
        }
        ASSERT_NOT_NULL(getcwd(cwd, sizeof(cwd)));
        snprintf(dir, sizeof(dir), "%s/test-kukeond-dbus.XXXXXX", cwd);
        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(run_path, sizeof(run_path), "%s/run", dir);
        snprintf(cni_dir, sizeof(cni_dir), "%s/cni", dir);
        stub_iptables();
        ASSERT_OK(private_bus_start(dir, &pbus));
        ASSERT_OK(fake_systemd_start(pbus.address, &fake));
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_OK(sd_bus_set_address(bus, pbus.address));
        ASSERT_OK(sd_bus_set_bus_client(bus, true));
        ASSERT_OK(sd_bus_start(bus));

        prepopulate();
        daemon_pid = spawn_kukeond(-1);
        wait_ready();

        test_basics();
        test_spaces_stacks();
        test_cells();
        test_apply();
        test_delete_purge();
        test_restart_keeps();
        test_peer_fd();

        stop_kukeond();
        sd_bus_flush_close_unref(bus);
        fake_systemd_stop(fake);
        private_bus_stop(&pbus);
        char cmd[700];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) system(cmd);
        printf("7 tests passed\n");
        return 0;
}
