/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "store.h"
#include "strv.h"
#include "tests.h"
#include "v1beta1.h"
#include "yaml-codec.h"

/* ---- scaffolding ---- */

/* A scratch directory under $TMPDIR or, without it, next to this test binary (in the
 * build tree): tests must not assume /tmp exists or is writable. */
static char *test_dir_new(void) {
        _cleanup_free_ char *base = NULL;
        const char *t = getenv("TMPDIR");

        if (!isempty(t))
                base = strdup(t);
        else {
                char exe[PATH_MAX];
                ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
                ASSERT_TRUE(n > 0);
                exe[n] = 0;
                base = strdup(dirname(exe));
        }
        ASSERT_NOT_NULL(base);

        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/test-store.XXXXXX", base) > 0);
        ASSERT_NOT_NULL(mkdtemp(p));
        return p;
}

static void test_dir_remove(char *p) {
        _cleanup_free_ char *copy = strdup(p);
        ASSERT_NOT_NULL(copy);
        char *slash = strrchr(copy, '/');
        ASSERT_NOT_NULL(slash);
        *slash = 0;
        _cleanup_close_ int fd = open(copy[0] ? copy : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(rm_rf_at(fd, slash + 1));
        free(p);
}

_printf_(1, 2) static char *path_of(const char *fmt, ...) {
        char *p = NULL;
        va_list ap;
        va_start(ap, fmt);
        ASSERT_TRUE(vasprintf(&p, fmt, ap) > 0);
        va_end(ap);
        return p;
}

static char *xstrdup(const char *s) {
        char *d = strdup(s);
        ASSERT_NOT_NULL(d);
        return d;
}

_sentinel_ static char **xstrv(const char *first, ...) {
        char **l = new0(char *, 1);
        ASSERT_NOT_NULL(l);
        va_list ap;
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                ASSERT_OK(strv_extend(&l, s));
        va_end(ap);
        return l;
}

static void assert_strv(char **l, const char *const *expected, size_t n) {
        ASSERT_EQ(strv_length(l), n);
        for (size_t i = 0; i < n; i++)
                ASSERT_STREQ(l[i], expected[i]);
}

static void assert_mode(const char *path, mode_t mode) {
        struct stat st;
        ASSERT_OK(lstat(path, &st));
        if ((st.st_mode & 07777) != mode) {
                fprintf(stderr, "%s: mode %04o, expected %04o\n", path, st.st_mode & 07777, mode);
                abort();
        }
}

static bool exists(const char *path) {
        struct stat st;
        return lstat(path, &st) >= 0;
}

/* Entries whose name starts with ".#" anywhere below 'dir': leftover temporary files. */
static size_t count_temp_files(const char *dir) {
        DIR *d = opendir(dir);
        ASSERT_NOT_NULL(d);
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (strncmp(de->d_name, ".#", 2) == 0)
                        n++;
                _cleanup_free_ char *sub = path_of("%s/%s", dir, de->d_name);
                struct stat st;
                ASSERT_OK(lstat(sub, &st));
                if (S_ISDIR(st.st_mode))
                        n += count_temp_files(sub);
        }
        closedir(d);
        return n;
}

static void write_raw(const char *path, const void *data, size_t size) {
        ASSERT_OK(write_file_atomic(path, data, size, 0640));
}

/* ---- documents, built the way the controller builds them ---- */

#define T0 ((usec_t) 1700000000 * 1000000ULL)

static RealmDoc *realm_new(const char *name) {
        RealmDoc *d = new0(RealmDoc, 1);
        ASSERT_NOT_NULL(d);
        d->api_version = xstrdup(API_VERSION_V1BETA1);
        d->kind = xstrdup("Realm");
        d->metadata.name = xstrdup(name);
        d->metadata.labels = xstrv("team", "infra", "tier", "prod", NULL);
        d->spec.namespace_ = path_of("kukeon-%s", name);
        d->spec.registry_credentials = new0(RegistryCredentials, 1);
        ASSERT_NOT_NULL(d->spec.registry_credentials);
        d->spec.n_registry_credentials = 1;
        d->spec.registry_credentials[0].username = xstrdup("robot");
        d->spec.registry_credentials[0].password = xstrdup("s3cret: with 'quotes' and \"more\"");
        d->spec.registry_credentials[0].server_address = xstrdup("registry.example.com:5000");
        d->spec.resources = new0(UnitResources, 1);
        ASSERT_NOT_NULL(d->spec.resources);
        d->spec.resources->memory_max = (OptInt) { true, 512 * 1024 * 1024 };
        d->spec.resources->cpu_weight = (OptInt) { true, 0 };
        d->status.state = REALM_STATE_READY;
        d->status.cgroup_path = path_of("/kukeon.slice/kukeon-%s.slice", name);
        d->status.subtree_controllers = xstrv("cpu", "memory", "pids", NULL);
        d->status.unit = path_of("kukeon-%s.slice", name);
        d->status.lifecycle.created_at = T0;
        d->status.lifecycle.updated_at = T0 + 1500000;
        d->status.lifecycle.ready_at = T0 + 1000001;
        d->status.lifecycle.message = xstrdup("multi\nline\nmessage");
        d->status.lifecycle.cgroup_ready = true;
        d->status.containerd_namespace_ready = true;
        return d;
}

static SpaceDoc *space_new(const char *realm, const char *name) {
        SpaceDoc *d = new0(SpaceDoc, 1);
        ASSERT_NOT_NULL(d);
        d->api_version = xstrdup(API_VERSION_V1BETA1);
        d->kind = xstrdup("Space");
        d->metadata.name = xstrdup(name);
        d->spec.realm_id = xstrdup(realm);
        d->spec.cni_config_path = path_of("/etc/cni/net.d/%s-%s.conflist", realm, name);
        d->spec.network = new0(SpaceNetwork, 1);
        ASSERT_NOT_NULL(d->spec.network);
        d->spec.network->egress = new0(EgressPolicy, 1);
        ASSERT_NOT_NULL(d->spec.network->egress);
        d->spec.network->egress->default_ = xstrdup("deny");
        d->spec.network->egress->allow = new0(EgressAllowRule, 2);
        ASSERT_NOT_NULL(d->spec.network->egress->allow);
        d->spec.network->egress->n_allow = 2;
        d->spec.network->egress->allow[0].host = xstrdup("deb.debian.org");
        d->spec.network->egress->allow[0].ports = new0(int64_t, 2);
        ASSERT_NOT_NULL(d->spec.network->egress->allow[0].ports);
        d->spec.network->egress->allow[0].ports[0] = 80;
        d->spec.network->egress->allow[0].ports[1] = 443;
        d->spec.network->egress->allow[0].n_ports = 2;
        d->spec.network->egress->allow[1].cidr = xstrdup("10.0.0.0/8");
        d->spec.defaults = new0(SpaceDefaults, 1);
        ASSERT_NOT_NULL(d->spec.defaults);
        d->spec.defaults->container = new0(SpaceContainerDefaults, 1);
        ASSERT_NOT_NULL(d->spec.defaults->container);
        d->spec.defaults->container->user = xstrdup("1000:1000");
        d->spec.defaults->container->read_only_root_filesystem = (OptBool) { true, false };
        d->status.state = SPACE_STATE_READY;
        d->status.subnet = xstrdup("10.88.3.0/24");
        d->status.bridge_name = xstrdup("k-1a2b3c4d");
        d->status.lifecycle.created_at = T0;
        return d;
}

static StackDoc *stack_new(const char *realm, const char *space, const char *name) {
        StackDoc *d = new0(StackDoc, 1);
        ASSERT_NOT_NULL(d);
        d->api_version = xstrdup(API_VERSION_V1BETA1);
        d->kind = xstrdup("Stack");
        d->metadata.name = xstrdup(name);
        d->spec.id = xstrdup(name);
        d->spec.realm_id = xstrdup(realm);
        d->spec.space_id = xstrdup(space);
        d->status.state = STACK_STATE_PENDING;
        d->status.cgroup_path = xstrdup("");
        return d;
}

static void container_spec_fill(ContainerSpec *c, const char *name, const char *cell) {
        c->id = xstrdup(name);
        c->realm_id = xstrdup("main");
        c->space_id = xstrdup("default");
        c->stack_id = xstrdup("default");
        c->cell_id = xstrdup(cell);
        c->root = true;
        c->image = xstrdup("docker.io/library/busybox:latest");
        c->command = xstrdup("/bin/sh");
        c->args = xstrv("-c", "echo hello; sleep 1000", NULL);
        c->env = xstrv("A=1", "B=two words", NULL);
        c->volumes = new0(VolumeMount, 1);
        ASSERT_NOT_NULL(c->volumes);
        c->n_volumes = 1;
        c->volumes[0].source = xstrdup("/srv/data");
        c->volumes[0].target = xstrdup("/data");
        c->volumes[0].read_only = true;
        c->volumes[0].mode = 0755;
        c->privileged = false;
        c->host_cgroup = true;
        c->resources = new0(ContainerResources, 1);
        ASSERT_NOT_NULL(c->resources);
        c->resources->pids_limit = (OptInt) { true, 100 };
        c->restart_policy = xstrdup("");
}

static CellDoc *cell_new(const char *name) {
        CellDoc *d = new0(CellDoc, 1);
        ASSERT_NOT_NULL(d);
        d->api_version = xstrdup(API_VERSION_V1BETA1);
        d->kind = xstrdup("Cell");
        d->metadata.name = xstrdup(name);
        d->spec.id = xstrdup(name);
        d->spec.realm_id = xstrdup("main");
        d->spec.space_id = xstrdup("default");
        d->spec.stack_id = xstrdup("default");
        d->spec.root_container_id = xstrdup("web");
        d->spec.containers = new0(ContainerSpec, 1);
        ASSERT_NOT_NULL(d->spec.containers);
        d->spec.n_containers = 1;
        container_spec_fill(&d->spec.containers[0], "web", name);
        d->spec.stop_grace_period = xstrdup("10s");
        d->status.state = CELL_STATE_READY;
        d->status.cgroup_path = xstrdup("/kukeon.slice/x.scope");
        d->status.network.ip = xstrdup("10.88.3.7");
        d->status.containers = new0(ContainerStatus, 1);
        ASSERT_NOT_NULL(d->status.containers);
        d->status.n_containers = 1;
        d->status.containers[0].name = xstrdup("web");
        d->status.containers[0].id = xstrdup("main.default.default.web");
        d->status.containers[0].state = CONTAINER_STATE_READY;
        d->status.containers[0].restart_count = 3;
        d->status.containers[0].exit_signal = xstrdup("");
        d->status.ready_observed = true;
        return d;
}

static ContainerDoc *container_new(const char *cell, const char *name) {
        ContainerDoc *d = new0(ContainerDoc, 1);
        ASSERT_NOT_NULL(d);
        d->api_version = xstrdup(API_VERSION_V1BETA1);
        d->kind = xstrdup("Container");
        d->metadata.name = xstrdup(name);
        container_spec_fill(&d->spec, name, cell);
        d->status.name = xstrdup(name);
        d->status.id = xstrdup("cid");
        d->status.state = CONTAINER_STATE_STOPPED;
        d->status.exit_code = 137;
        d->status.exit_signal = xstrdup("SIGKILL");
        d->status.finish_time = T0 + 42;
        return d;
}

#define DEFINE_DOC_FREE(type, schema)                   \
        static void type##_freep(type **p) {            \
                schema_free(&(schema), *p);             \
        }
DEFINE_DOC_FREE(RealmDoc, realm_doc_schema)
DEFINE_DOC_FREE(SpaceDoc, space_doc_schema)
DEFINE_DOC_FREE(StackDoc, stack_doc_schema)
DEFINE_DOC_FREE(CellDoc, cell_doc_schema)
DEFINE_DOC_FREE(ContainerDoc, container_doc_schema)

typedef struct Fixture {
        char *dir; /* the scratch directory */
        char *run; /* the run path: <dir>/kukeon, not created yet */
        Store *store;
} Fixture;

static Fixture fixture_new(void) {
        Fixture f = { .dir = test_dir_new() };
        f.run = path_of("%s/kukeon", f.dir);
        ASSERT_OK(store_open(f.run, &f.store));
        return f;
}

static void fixture_done(Fixture *f) {
        ASSERT_EQ(count_temp_files(f->dir), 0u);
        store_free(f->store);
        free(f->run);
        test_dir_remove(f->dir);
}

/* main/default/default/web + container web: the usual tree. */
static void populate(Store *s) {
        _cleanup_(RealmDoc_freep) RealmDoc *r = realm_new("main");
        _cleanup_(SpaceDoc_freep) SpaceDoc *sp = space_new("main", "default");
        _cleanup_(StackDoc_freep) StackDoc *st = stack_new("main", "default", "default");
        _cleanup_(CellDoc_freep) CellDoc *c = cell_new("web");
        _cleanup_(ContainerDoc_freep) ContainerDoc *ct = container_new("web", "web");
        ASSERT_OK(store_save_realm(s, r));
        ASSERT_OK(store_save_space(s, "main", sp));
        ASSERT_OK(store_save_stack(s, "main", "default", st));
        ASSERT_OK(store_save_cell(s, "main", "default", "default", c));
        ASSERT_OK(store_save_container(s, "main", "default", "default", "web", ct));
}

/* ---- tests ---- */

static void test_open(void) {
        Store *s = NULL;
        ASSERT_ERROR(store_open(NULL, &s), EINVAL);
        ASSERT_ERROR(store_open("", &s), EINVAL);
        ASSERT_OK(store_open("/opt/kukeon///", &s));
        ASSERT_STREQ(store_run_path(s), "/opt/kukeon");
        s = store_free(s);
        ASSERT_OK(store_open("/", &s));
        ASSERT_STREQ(store_run_path(s), "/");
        store_free(s);
        ASSERT_NULL(store_free(NULL));
        ASSERT_NULL(store_run_path(NULL));
}

static void test_round_trip(void) {
        Fixture f = fixture_new();
        const char *const p[] = { "main", "default", "default", "web" };

        _cleanup_(RealmDoc_freep) RealmDoc *r = realm_new("main"), *r2 = NULL;
        ASSERT_OK(store_save_realm(f.store, r));
        ASSERT_OK(store_load_realm(f.store, "main", &r2, NULL));
        ASSERT_TRUE(schema_equal(&realm_doc_schema, r, r2));

        _cleanup_(SpaceDoc_freep) SpaceDoc *sp = space_new("main", "default"), *sp2 = NULL;
        ASSERT_OK(store_save_space(f.store, p[0], sp));
        ASSERT_OK(store_load_space(f.store, p[0], "default", &sp2, NULL));
        ASSERT_TRUE(schema_equal(&space_doc_schema, sp, sp2));

        _cleanup_(StackDoc_freep) StackDoc *st = stack_new("main", "default", "default"), *st2 = NULL;
        ASSERT_OK(store_save_stack(f.store, p[0], p[1], st));
        ASSERT_OK(store_load_stack(f.store, p[0], p[1], "default", &st2, NULL));
        ASSERT_TRUE(schema_equal(&stack_doc_schema, st, st2));

        _cleanup_(CellDoc_freep) CellDoc *c = cell_new("web"), *c2 = NULL;
        ASSERT_OK(store_save_cell(f.store, p[0], p[1], p[2], c));
        char *error = (char *) "untouched";
        ASSERT_OK(store_load_cell(f.store, p[0], p[1], p[2], "web", &c2, &error));
        ASSERT_NULL(error);
        ASSERT_TRUE(schema_equal(&cell_doc_schema, c, c2));

        _cleanup_(ContainerDoc_freep) ContainerDoc *ct = container_new("web", "web"), *ct2 = NULL;
        ASSERT_OK(store_save_container(f.store, p[0], p[1], p[2], p[3], ct));
        ASSERT_OK(store_load_container(f.store, p[0], p[1], p[2], p[3], "web", &ct2, NULL));
        ASSERT_TRUE(schema_equal(&container_doc_schema, ct, ct2));

        /* The layout of seed 000. */
        const char *files[] = {
                "main/realm.yaml",
                "main/default/space.yaml",
                "main/default/default/stack.yaml",
                "main/default/default/web/cell.yaml",
                "main/default/default/web/containers/web.yaml",
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *fp = path_of("%s/%s", f.run, files[i]);
                ASSERT_TRUE(exists(fp));
        }

        /* Saving again replaces: a changed field survives the next load. */
        r->status.state = REALM_STATE_FAILED;
        free(r->status.lifecycle.reason);
        r->status.lifecycle.reason = xstrdup("CgroupFailed");
        ASSERT_OK(store_save_realm(f.store, r));
        schema_free(&realm_doc_schema, r2);
        r2 = NULL;
        ASSERT_OK(store_load_realm(f.store, "main", &r2, NULL));
        ASSERT_EQ(r2->status.state, REALM_STATE_FAILED);
        ASSERT_TRUE(schema_equal(&realm_doc_schema, r, r2));

        /* apiVersion and kind come from the C type, not from what the struct holds. */
        _cleanup_(RealmDoc_freep) RealmDoc *bare = realm_new("bare"), *bare2 = NULL;
        bare->api_version = mfree(bare->api_version);
        free(bare->kind);
        bare->kind = xstrdup("Space");
        ASSERT_OK(store_save_realm(f.store, bare));
        ASSERT_OK(store_load_realm(f.store, "bare", &bare2, NULL));
        ASSERT_STREQ(bare2->api_version, API_VERSION_V1BETA1);
        ASSERT_STREQ(bare2->kind, "Realm");
        /* ... and the caller's struct was not touched. */
        ASSERT_NULL(bare->api_version);
        ASSERT_STREQ(bare->kind, "Space");

        /* The system realm is a normal realm. */
        _cleanup_(RealmDoc_freep) RealmDoc *sys = realm_new("kukeon-system"), *sys2 = NULL;
        ASSERT_OK(store_save_realm(f.store, sys));
        ASSERT_OK(store_load_realm(f.store, "kukeon-system", &sys2, NULL));
        ASSERT_TRUE(schema_equal(&realm_doc_schema, sys, sys2));

        fixture_done(&f);
}

static void test_missing(void) {
        Fixture f = fixture_new();
        RealmDoc *r = NULL;
        CellDoc *c = NULL;
        ContainerDoc *ct = NULL;
        char *error = (char *) "untouched";
        char **l = NULL;

        /* No run path at all: nothing exists, and nothing is created by looking. */
        ASSERT_ERROR(store_load_realm(f.store, "main", &r, &error), ENOENT);
        ASSERT_NULL(error);
        ASSERT_OK(store_list_realms(f.store, &l));
        ASSERT_EQ(strv_length(l), 0u);
        l = strv_free(l);
        ASSERT_ERROR(store_list_spaces(f.store, "main", &l), ENOENT);
        ASSERT_ERROR(store_remove_realm(f.store, "main"), ENOENT);
        ASSERT_FALSE(exists(f.run));

        /* Parents must exist: no space without its realm. */
        _cleanup_(SpaceDoc_freep) SpaceDoc *sp = space_new("main", "default");
        ASSERT_ERROR(store_save_space(f.store, "main", sp), ENOENT);
        ASSERT_FALSE(exists(f.run));
        ASSERT_ERROR(store_write_conflist(f.store, "main", "default", "{}", 2), ENOENT);

        /* The first realm creates the run path. */
        populate(f.store);
        assert_mode(f.run, 0750);

        ASSERT_ERROR(store_load_realm(f.store, "other", &r, &error), ENOENT);
        ASSERT_ERROR(store_load_cell(f.store, "main", "default", "default", "db", &c, &error), ENOENT);
        ASSERT_ERROR(store_load_cell(f.store, "main", "nope", "default", "web", &c, &error), ENOENT);
        ASSERT_ERROR(store_load_container(f.store, "main", "default", "default", "web", "db", &ct, &error), ENOENT);
        ASSERT_NULL(error);
        ASSERT_ERROR(store_list_stacks(f.store, "main", "nope", &l), ENOENT);
        ASSERT_ERROR(store_list_containers(f.store, "main", "default", "default", "nope", &l), ENOENT);

        _cleanup_(ContainerDoc_freep) ContainerDoc *orphan = container_new("db", "x");
        ASSERT_ERROR(store_save_container(f.store, "main", "default", "default", "db", orphan), ENOENT);
        _cleanup_free_ char *db = path_of("%s/main/default/default/db", f.run);
        ASSERT_FALSE(exists(db));

        /* A cell without containers yet lists none. */
        _cleanup_(CellDoc_freep) CellDoc *empty = cell_new("empty");
        ASSERT_OK(store_save_cell(f.store, "main", "default", "default", empty));
        ASSERT_OK(store_list_containers(f.store, "main", "default", "default", "empty", &l));
        ASSERT_EQ(strv_length(l), 0u);
        l = strv_free(l);

        fixture_done(&f);
}

static void test_list(void) {
        Fixture f = fixture_new();
        char **l = NULL;

        populate(f.store);
        const char *realms[] = { "zeta", "alpha", "kukeon-system", "m1" };
        for (size_t i = 0; i < ELEMENTSOF(realms); i++) {
                _cleanup_(RealmDoc_freep) RealmDoc *r = realm_new(realms[i]);
                ASSERT_OK(store_save_realm(f.store, r));
        }
        StoreLock lock = STORE_LOCK_NULL; /* creates run/, which is no realm */
        ASSERT_OK(store_lock(f.store, &lock));
        store_unlock(&lock);

        /* Things in the run path that are not realms. */
        const char *junk_dirs[] = { ".hidden", "Upper", "under_score", "-dash", "no-yaml", ".#removing.x" };
        for (size_t i = 0; i < ELEMENTSOF(junk_dirs); i++) {
                _cleanup_free_ char *d = path_of("%s/%s", f.run, junk_dirs[i]);
                ASSERT_OK(mkdir(d, 0750));
                if (!streq(junk_dirs[i], "no-yaml")) {
                        _cleanup_free_ char *y = path_of("%s/realm.yaml", d);
                        write_raw(y, "x\n", 2);
                }
        }
        _cleanup_free_ char *plain = path_of("%s/plainfile", f.run);
        write_raw(plain, "x\n", 2);
        _cleanup_free_ char *main_dir = path_of("%s/main", f.run), *link = path_of("%s/linked", f.run);
        ASSERT_OK(symlink(main_dir, link));
        /* A realm directory whose realm.yaml is a symlink. */
        _cleanup_free_ char *ly = path_of("%s/symyaml", f.run), *lyf = path_of("%s/symyaml/realm.yaml", f.run),
                            *target = path_of("%s/main/realm.yaml", f.run);
        ASSERT_OK(mkdir(ly, 0750));
        ASSERT_OK(symlink(target, lyf));

        ASSERT_OK(store_list_realms(f.store, &l));
        assert_strv(l, (const char *const[]) { "alpha", "kukeon-system", "m1", "main", "zeta" }, 5);
        l = strv_free(l);

        /* Spaces, stacks, cells. */
        const char *spaces[] = { "b", "a", "c" };
        for (size_t i = 0; i < ELEMENTSOF(spaces); i++) {
                _cleanup_(SpaceDoc_freep) SpaceDoc *sp = space_new("main", spaces[i]);
                ASSERT_OK(store_save_space(f.store, "main", sp));
        }
        _cleanup_free_ char *junk_space = path_of("%s/main/Junk", f.run);
        ASSERT_OK(mkdir(junk_space, 0750));
        ASSERT_OK(store_list_spaces(f.store, "main", &l));
        assert_strv(l, (const char *const[]) { "a", "b", "c", "default" }, 4);
        l = strv_free(l);

        ASSERT_OK(store_list_stacks(f.store, "main", "default", &l));
        assert_strv(l, (const char *const[]) { "default" }, 1);
        l = strv_free(l);
        ASSERT_OK(store_list_stacks(f.store, "main", "a", &l));
        ASSERT_EQ(strv_length(l), 0u);
        l = strv_free(l);

        _cleanup_(CellDoc_freep) CellDoc *db = cell_new("db");
        ASSERT_OK(store_save_cell(f.store, "main", "default", "default", db));
        ASSERT_OK(store_list_cells(f.store, "main", "default", "default", &l));
        assert_strv(l, (const char *const[]) { "db", "web" }, 2);
        l = strv_free(l);

        /* Containers: only regular <valid-name>.yaml files. */
        const char *containers[] = { "sidecar", "web", "a-1" };
        for (size_t i = 0; i < ELEMENTSOF(containers); i++) {
                _cleanup_(ContainerDoc_freep) ContainerDoc *ct = container_new("web", containers[i]);
                ASSERT_OK(store_save_container(f.store, "main", "default", "default", "web", ct));
        }
        const char *junk_files[] = { "x.yml", "Upper.yaml", ".yaml", "readme", ".#web.yaml.abc123", "-x.yaml" };
        for (size_t i = 0; i < ELEMENTSOF(junk_files); i++) {
                _cleanup_free_ char *jf = path_of("%s/main/default/default/web/containers/%s", f.run, junk_files[i]);
                int fd = open(jf, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
                ASSERT_TRUE(fd >= 0);
                close(fd);
        }
        _cleanup_free_ char *dir_yaml = path_of("%s/main/default/default/web/containers/dir.yaml", f.run);
        ASSERT_OK(mkdir(dir_yaml, 0750));
        ASSERT_OK(store_list_containers(f.store, "main", "default", "default", "web", &l));
        assert_strv(l, (const char *const[]) { "a-1", "sidecar", "web" }, 3);
        l = strv_free(l);

        /* Remove the planted temp-looking file before the leftover check. */
        _cleanup_free_ char *tmpf = path_of("%s/main/default/default/web/containers/.#web.yaml.abc123", f.run);
        ASSERT_OK(unlink(tmpf));
        _cleanup_close_ int runfd = open(f.run, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(runfd >= 0);
        ASSERT_OK(rm_rf_at(runfd, ".#removing.x"));

        fixture_done(&f);
}

static void test_remove(void) {
        Fixture f = fixture_new();
        char **l = NULL;
        ContainerDoc *ct = NULL;
        CellDoc *c = NULL;
        RealmDoc *r = NULL;

        populate(f.store);
        ASSERT_OK(store_write_conflist(f.store, "main", "default", "{}\n", 3));

        /* Something outside the run path that symlinks inside the tree point at. */
        _cleanup_free_ char *outside = path_of("%s/outside", f.dir), *precious = path_of("%s/outside/keep", f.dir);
        ASSERT_OK(mkdir(outside, 0755));
        write_raw(precious, "keep\n", 5);
        _cleanup_free_ char *l1 = path_of("%s/main/default/default/web/escape", f.run),
                            *l2 = path_of("%s/main/default/escape-file", f.run);
        ASSERT_OK(symlink(outside, l1));
        ASSERT_OK(symlink(precious, l2));

        ASSERT_OK(store_remove_container(f.store, "main", "default", "default", "web", "web"));
        ASSERT_ERROR(store_load_container(f.store, "main", "default", "default", "web", "web", &ct, NULL), ENOENT);
        ASSERT_ERROR(store_remove_container(f.store, "main", "default", "default", "web", "web"), ENOENT);
        ASSERT_OK(store_load_cell(f.store, "main", "default", "default", "web", &c, NULL));
        schema_free(&cell_doc_schema, c);

        ASSERT_OK(store_remove_cell(f.store, "main", "default", "default", "web"));
        ASSERT_ERROR(store_load_cell(f.store, "main", "default", "default", "web", &c, NULL), ENOENT);
        ASSERT_ERROR(store_remove_cell(f.store, "main", "default", "default", "web"), ENOENT);
        ASSERT_OK(store_list_cells(f.store, "main", "default", "default", &l));
        ASSERT_EQ(strv_length(l), 0u);
        l = strv_free(l);

        /* A stale hidden directory from a removal cut short is cleared by the next one. */
        _cleanup_free_ char *stale = path_of("%s/main/.#removing.default", f.run),
                            *stale_file = path_of("%s/main/.#removing.default/junk", f.run);
        ASSERT_OK(mkdir(stale, 0750));
        write_raw(stale_file, "x", 1);

        ASSERT_OK(store_remove_space(f.store, "main", "default"));
        ASSERT_FALSE(exists(stale));
        _cleanup_free_ char *space_dir = path_of("%s/main/default", f.run);
        ASSERT_FALSE(exists(space_dir));
        char *conf = NULL;
        ASSERT_ERROR(store_read_conflist(f.store, "main", "default", &conf, NULL), ENOENT);
        ASSERT_NULL(conf);

        ASSERT_OK(store_remove_realm(f.store, "main"));
        ASSERT_ERROR(store_load_realm(f.store, "main", &r, NULL), ENOENT);
        ASSERT_OK(store_list_realms(f.store, &l));
        ASSERT_EQ(strv_length(l), 0u);
        l = strv_free(l);

        /* Symlinks were removed, their targets kept. */
        ASSERT_TRUE(exists(outside));
        _cleanup_free_ char *buf = NULL;
        ASSERT_OK(read_file_full(precious, 100, &buf, NULL));
        ASSERT_STREQ(buf, "keep\n");

        /* A symlink squatting on a realm's name is removed itself, not followed. */
        _cleanup_free_ char *squat = path_of("%s/squat", f.run);
        ASSERT_OK(symlink(outside, squat));
        ASSERT_OK(store_remove_realm(f.store, "squat"));
        ASSERT_FALSE(exists(squat));
        ASSERT_TRUE(exists(precious));

        /* Only the run path is left. */
        DIR *d = opendir(f.run);
        ASSERT_NOT_NULL(d);
        struct dirent *de;
        while ((de = readdir(d)))
                ASSERT_TRUE(streq(de->d_name, ".") || streq(de->d_name, ".."));
        closedir(d);

        fixture_done(&f);
}

static void check_tree_modes(const char *run, mode_t dmode) {
        const char *dirs[] = { "main", "main/default", "main/default/default", "main/default/default/web",
                               "main/default/default/web/containers" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = path_of("%s/%s", run, dirs[i]);
                assert_mode(p, dmode);
        }
        const char *files[] = { "main/realm.yaml", "main/default/space.yaml", "main/default/network.conflist",
                                "main/default/default/stack.yaml", "main/default/default/web/cell.yaml",
                                "main/default/default/web/containers/web.yaml" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = path_of("%s/%s", run, files[i]);
                assert_mode(p, 0640);
        }
}

static void test_modes(void) {
        /* Whatever the umask, the store's modes are exact. */
        const mode_t umasks[] = { 0, 022, 077 };
        for (size_t i = 0; i < ELEMENTSOF(umasks); i++) {
                Fixture f = fixture_new();
                mode_t old = umask(umasks[i]);
                populate(f.store);
                ASSERT_OK(store_write_conflist(f.store, "main", "default", "{}\n", 3));
                StoreLock lock = STORE_LOCK_NULL;
                ASSERT_OK(store_lock(f.store, &lock));
                store_unlock(&lock);
                umask(old);

                struct stat st;
                ASSERT_OK(stat(f.run, &st));
                mode_t dmode = st.st_gid != 0 ? 02750 : 0750;
                check_tree_modes(f.run, dmode);
                _cleanup_free_ char *rundir = path_of("%s/run", f.run);
                assert_mode(rundir, dmode);
                fixture_done(&f);
        }

        /* A run path owned by a non-root group (root:kukeon): directories are setgid and
         * carry that group, so files inherit it. Needs a group we may chown to. */
        gid_t gid = getegid() != 0 ? getegid() : (geteuid() == 0 ? 4242 : 0);
        if (gid == 0) {
                fprintf(stderr, "skipping setgid check: no non-root group available\n");
                return;
        }
        Fixture f = fixture_new();
        ASSERT_OK(mkdir(f.run, 0750));
        ASSERT_OK(chown(f.run, (uid_t) -1, gid));
        populate(f.store);
        ASSERT_OK(store_write_conflist(f.store, "main", "default", "{}\n", 3));
        check_tree_modes(f.run, 02750);
        const char *paths[] = { "main", "main/default/default/web/containers", "main/realm.yaml",
                                "main/default/default/web/containers/web.yaml" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *p = path_of("%s/%s", f.run, paths[i]);
                struct stat st;
                ASSERT_OK(stat(p, &st));
                ASSERT_EQ(st.st_gid, gid);
        }
        fixture_done(&f);
}

/* A save that fails leaves the previous file as it was and no temporary file. */
static void test_atomic(void) {
        Fixture f = fixture_new();
        populate(f.store);

        _cleanup_free_ char *realm_yaml = path_of("%s/main/realm.yaml", f.run), *before = NULL, *after = NULL;
        ASSERT_OK(read_file_full(realm_yaml, 1 << 20, &before, NULL));

        /* Fail half way through the write: a file size limit well below the document. */
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                RealmDoc *big = realm_new("main");
                for (unsigned i = 0; i < 2000; i++) {
                        char k[32];
                        snprintf(k, sizeof(k), "label-%u", i);
                        if (strv_extend(&big->metadata.labels, k) < 0 ||
                            strv_extend(&big->metadata.labels, "some value to make it long") < 0)
                                _exit(2);
                }
                signal(SIGXFSZ, SIG_IGN);
                struct rlimit rl;
                if (getrlimit(RLIMIT_FSIZE, &rl) < 0)
                        _exit(3);
                rl.rlim_cur = 4096;
                if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
                        _exit(4);
                int r = store_save_realm(f.store, big);
                schema_free(&realm_doc_schema, big);
                _exit(r == -EFBIG ? 0 : 1);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);

        ASSERT_OK(read_file_full(realm_yaml, 1 << 20, &after, NULL));
        ASSERT_STREQ(after, before);
        ASSERT_EQ(count_temp_files(f.dir), 0u);
        RealmDoc *r = NULL;
        ASSERT_OK(store_load_realm(f.store, "main", &r, NULL));
        schema_free(&realm_doc_schema, r);

        /* Fail at the rename: stack.yaml is a directory. */
        _cleanup_free_ char *sy = path_of("%s/main/default/default/stack.yaml", f.run);
        ASSERT_OK(unlink(sy));
        ASSERT_OK(mkdir(sy, 0750));
        _cleanup_free_ char *inner = path_of("%s/keep", sy);
        write_raw(inner, "x", 1);
        _cleanup_(StackDoc_freep) StackDoc *st = stack_new("main", "default", "default");
        ASSERT_TRUE(store_save_stack(f.store, "main", "default", st) < 0);
        ASSERT_EQ(count_temp_files(f.dir), 0u);
        ASSERT_TRUE(exists(inner));

        fixture_done(&f);
}

static void test_lock(void) {
        Fixture f = fixture_new();
        StoreLock a = STORE_LOCK_NULL, b = STORE_LOCK_NULL;

        /* Taking the lock makes run/ and run/lock, with the store's modes. */
        ASSERT_OK(store_try_lock(f.store, &a));
        _cleanup_free_ char *lockfile = path_of("%s/run/lock", f.run);
        ASSERT_TRUE(exists(lockfile));
        /* A second open file in the same process conflicts too. */
        ASSERT_ERROR(store_try_lock(f.store, &b), EBUSY);
        ASSERT_EQ(b.fd, -EBADF);
        store_unlock(&a);
        ASSERT_EQ(a.fd, -EBADF);
        store_unlock(&a); /* idempotent */
        store_unlock(NULL);

        /* Another process holds it: a non-blocking attempt gets -EBUSY. */
        int to_parent[2], to_child[2];
        ASSERT_OK(pipe2(to_parent, O_CLOEXEC));
        ASSERT_OK(pipe2(to_child, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                StoreLock l = STORE_LOCK_NULL;
                char c = store_lock(f.store, &l) >= 0 ? 'L' : 'E';
                if (write(to_parent[1], &c, 1) != 1)
                        _exit(2);
                if (read(to_child[0], &c, 1) != 1) /* wait for the parent's go */
                        _exit(3);
                store_unlock(&l);
                _exit(0);
        }
        close(to_parent[1]);
        close(to_child[0]);
        char c = 0;
        ASSERT_EQ(read(to_parent[0], &c, 1), 1);
        ASSERT_EQ(c, 'L');

        ASSERT_ERROR(store_try_lock(f.store, &a), EBUSY);
        ASSERT_ERROR(store_try_lock(f.store, &a), EBUSY);

        ASSERT_EQ(write(to_child[1], "g", 1), 1);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        close(to_parent[0]);
        close(to_child[1]);

        /* The child is gone and with it the lock. */
        ASSERT_OK(store_try_lock(f.store, &a));
        store_unlock(&a);
        {
                _cleanup_(store_unlock) StoreLock l = STORE_LOCK_NULL;
                ASSERT_OK(store_lock(f.store, &l));
        }
        ASSERT_OK(store_try_lock(f.store, &a));
        store_unlock(&a);

        /* run/ is reserved: never listed, never a realm. */
        char **l = NULL;
        ASSERT_OK(store_list_realms(f.store, &l));
        ASSERT_EQ(strv_length(l), 0u);
        strv_free(l);

        fixture_done(&f);
}

/* Writes 'content' to main/realm.yaml and expects the load to fail with a message that
 * names the file and contains 'what'. */
static void expect_corrupt(Fixture *f, const void *content, size_t size, const char *what) {
        _cleanup_free_ char *path = path_of("%s/main/realm.yaml", f->run);
        write_raw(path, content, size);

        RealmDoc *r = NULL;
        char *error = NULL;
        ASSERT_ERROR(store_load_realm(f->store, "main", &r, &error), EBADMSG);
        ASSERT_NULL(r);
        ASSERT_NOT_NULL(error);
        if (!strstr(error, path) || (what && !strstr(error, what))) {
                fprintf(stderr, "unexpected message: %s\n", error);
                abort();
        }
        free(error);

        /* Without a message buffer: same error, nothing leaked. */
        ASSERT_ERROR(store_load_realm(f->store, "main", &r, NULL), EBADMSG);
}

static void test_corrupt(void) {
        Fixture f = fixture_new();
        populate(f.store);

        _cleanup_(RealmDoc_freep) RealmDoc *good = realm_new("main");
        _cleanup_free_ char *text = NULL;
        ASSERT_OK(yaml_format_object(&realm_doc_schema, good, &text));
        size_t n = strlen(text);

        /* Cut short anywhere: every prefix either fails to parse or lacks the final newline. */
        for (size_t cut = 1; cut < n; cut += 7)
                if (text[cut - 1] != '\n')
                        expect_corrupt(&f, text, cut, NULL);
        expect_corrupt(&f, text, n / 2, NULL);
        expect_corrupt(&f, text, n - 1, "newline");

        /* Broken YAML that does end with a newline. */
        const char *broken = "apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: \"main\n";
        expect_corrupt(&f, broken, strlen(broken), "line");

        const char garbage[] = { 'k', 0x00, (char) 0xff, (char) 0xfe, 0x01, '\n', (char) 0x80, '\n' };
        expect_corrupt(&f, garbage, sizeof(garbage), NULL);

        expect_corrupt(&f, "", 0, "empty");
        expect_corrupt(&f, "\n", 1, "found 0");
        expect_corrupt(&f, "- a\n- b\n", 8, "mapping");

        const char *two = "apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: main\n---\n"
                          "apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: main\n";
        expect_corrupt(&f, two, strlen(two), "found 2");

        const char *wrong_kind = "apiVersion: v1beta1\nkind: Space\nmetadata:\n  name: main\nspec:\n  realmId: main\n";
        expect_corrupt(&f, wrong_kind, strlen(wrong_kind), "expected a Realm document, found Space");

        const char *unknown = "apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: main\nbogus: 1\n";
        expect_corrupt(&f, unknown, strlen(unknown), "bogus");

        const char *other = "apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: other\nspec: {}\n";
        expect_corrupt(&f, other, strlen(other), "\"other\" does not match the name \"main\"");

        const char *nameless = "apiVersion: v1beta1\nkind: Realm\nmetadata: {}\nspec: {}\n";
        expect_corrupt(&f, nameless, strlen(nameless), "metadata.name is missing");

        const char *evil = "apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: \"x\\e[31m\"\nspec: {}\n";
        expect_corrupt(&f, evil, strlen(evil), "\\x1b");

        /* Not a regular file: a directory, a FIFO (must not hang). */
        _cleanup_free_ char *path = path_of("%s/main/realm.yaml", f.run);
        RealmDoc *r = NULL;
        char *error = NULL;
        ASSERT_OK(unlink(path));
        ASSERT_OK(mkfifo(path, 0640));
        ASSERT_ERROR(store_load_realm(f.store, "main", &r, &error), EBADMSG);
        ASSERT_NOT_NULL(strstr(error, "not a regular file"));
        error = mfree(error);
        ASSERT_OK(unlink(path));
        ASSERT_OK(mkdir(path, 0750));
        ASSERT_ERROR(store_load_realm(f.store, "main", &r, &error), EBADMSG);
        ASSERT_NOT_NULL(strstr(error, path));
        error = mfree(error);
        ASSERT_OK(rmdir(path));

        /* A symlink is not followed, even to a valid document. */
        _cleanup_free_ char *good_copy = path_of("%s/good.yaml", f.dir);
        write_raw(good_copy, text, n);
        ASSERT_OK(symlink(good_copy, path));
        ASSERT_ERROR(store_load_realm(f.store, "main", &r, &error), ELOOP);
        ASSERT_NULL(error);
        ASSERT_OK(unlink(path));

        /* A container file: the name check uses the file name. */
        _cleanup_(ContainerDoc_freep) ContainerDoc *ct = container_new("web", "web");
        _cleanup_free_ char *ctext = NULL;
        ASSERT_OK(yaml_format_object(&container_doc_schema, ct, &ctext));
        _cleanup_free_ char *cpath = path_of("%s/main/default/default/web/containers/side.yaml", f.run);
        write_raw(cpath, ctext, strlen(ctext));
        ContainerDoc *c = NULL;
        ASSERT_ERROR(store_load_container(f.store, "main", "default", "default", "web", "side", &c, &error), EBADMSG);
        ASSERT_NOT_NULL(strstr(error, cpath));
        ASSERT_NOT_NULL(strstr(error, "\"web\" does not match the name \"side\""));
        error = mfree(error);

        /* After all that, a save repairs the realm. */
        ASSERT_OK(store_save_realm(f.store, good));
        ASSERT_OK(store_load_realm(f.store, "main", &r, NULL));
        ASSERT_TRUE(schema_equal(&realm_doc_schema, good, r));
        schema_free(&realm_doc_schema, r);

        ASSERT_OK(unlink(good_copy));
        fixture_done(&f);
}

static void test_invalid_names(void) {
        Fixture f = fixture_new();
        populate(f.store);

        const char *bad[] = { "", "/", "a/b", "..", ".", ".hidden", "../etc", "x/../..", "Upper", "a_b",
                              "-a", "a-", "a.yaml", "a b", "a\nb",
                              "0123456789012345678901234567890123456789012345678901234567890123" };
        char **l = NULL;
        void *obj = NULL;
        char *error = NULL;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const char *b = bad[i];
                _cleanup_(RealmDoc_freep) RealmDoc *r = realm_new("main");
                _cleanup_(SpaceDoc_freep) SpaceDoc *sp = space_new("main", "default");
                _cleanup_(StackDoc_freep) StackDoc *st = stack_new("main", "default", "default");
                _cleanup_(CellDoc_freep) CellDoc *c = cell_new("web");
                _cleanup_(ContainerDoc_freep) ContainerDoc *ct = container_new("web", "web");

                free(r->metadata.name);
                r->metadata.name = xstrdup(b);
                ASSERT_ERROR(store_save_realm(f.store, r), EINVAL);
                free(sp->metadata.name);
                sp->metadata.name = xstrdup(b);
                ASSERT_ERROR(store_save_space(f.store, "main", sp), EINVAL);
                free(st->metadata.name);
                st->metadata.name = xstrdup(b);
                ASSERT_ERROR(store_save_stack(f.store, "main", "default", st), EINVAL);
                free(c->metadata.name);
                c->metadata.name = xstrdup(b);
                ASSERT_ERROR(store_save_cell(f.store, "main", "default", "default", c), EINVAL);
                free(ct->metadata.name);
                ct->metadata.name = xstrdup(b);
                ASSERT_ERROR(store_save_container(f.store, "main", "default", "default", "web", ct), EINVAL);

                /* A bad parent is refused as well as a bad leaf. */
                _cleanup_(SpaceDoc_freep) SpaceDoc *vsp = space_new("main", "default");
                _cleanup_(CellDoc_freep) CellDoc *vc = cell_new("web");
                _cleanup_(ContainerDoc_freep) ContainerDoc *vct = container_new("web", "web");
                ASSERT_ERROR(store_save_space(f.store, b, vsp), EINVAL);
                ASSERT_ERROR(store_save_cell(f.store, "main", b, "default", vc), EINVAL);
                ASSERT_ERROR(store_save_container(f.store, "main", "default", "default", b, vct), EINVAL);
                ASSERT_ERROR(store_load_realm(f.store, b, (RealmDoc **) &obj, &error), EINVAL);
                ASSERT_NULL(error);
                ASSERT_ERROR(store_load_space(f.store, b, "default", (SpaceDoc **) &obj, NULL), EINVAL);
                ASSERT_ERROR(store_load_stack(f.store, "main", b, "default", (StackDoc **) &obj, NULL), EINVAL);
                ASSERT_ERROR(store_load_cell(f.store, "main", "default", b, "web", (CellDoc **) &obj, NULL), EINVAL);
                ASSERT_ERROR(store_load_container(f.store, "main", "default", "default", b, "web",
                                                  (ContainerDoc **) &obj, NULL), EINVAL);
                ASSERT_ERROR(store_load_container(f.store, "main", "default", "default", "web", b,
                                                  (ContainerDoc **) &obj, NULL), EINVAL);
                ASSERT_ERROR(store_list_spaces(f.store, b, &l), EINVAL);
                ASSERT_ERROR(store_list_stacks(f.store, "main", b, &l), EINVAL);
                ASSERT_ERROR(store_list_cells(f.store, "main", "default", b, &l), EINVAL);
                ASSERT_ERROR(store_list_containers(f.store, "main", "default", "default", b, &l), EINVAL);
                ASSERT_ERROR(store_remove_realm(f.store, b), EINVAL);
                ASSERT_ERROR(store_remove_space(f.store, "main", b), EINVAL);
                ASSERT_ERROR(store_remove_stack(f.store, "main", "default", b), EINVAL);
                ASSERT_ERROR(store_remove_cell(f.store, "main", "default", "default", b), EINVAL);
                ASSERT_ERROR(store_remove_container(f.store, "main", "default", "default", "web", b), EINVAL);
                ASSERT_ERROR(store_write_conflist(f.store, "main", b, "{}", 2), EINVAL);
                ASSERT_ERROR(store_read_conflist(f.store, b, "default", (char **) &obj, NULL), EINVAL);
        }
        ASSERT_NULL(l);
        ASSERT_NULL(obj);

        /* NULL names. */
        ASSERT_ERROR(store_load_realm(f.store, NULL, (RealmDoc **) &obj, NULL), EINVAL);
        ASSERT_ERROR(store_remove_space(f.store, "main", NULL), EINVAL);
        ASSERT_ERROR(store_list_spaces(f.store, NULL, &l), EINVAL);
        _cleanup_(RealmDoc_freep) RealmDoc *nameless = realm_new("main");
        nameless->metadata.name = mfree(nameless->metadata.name);
        ASSERT_ERROR(store_save_realm(f.store, nameless), EINVAL);
        ASSERT_ERROR(store_save_realm(f.store, NULL), EINVAL);
        ASSERT_ERROR(store_save_realm(NULL, nameless), EINVAL);
        ASSERT_ERROR(store_load_realm(f.store, "main", NULL, NULL), EINVAL);
        ASSERT_ERROR(store_load_realm(NULL, "main", (RealmDoc **) &obj, NULL), EINVAL);
        ASSERT_ERROR(store_list_realms(f.store, NULL), EINVAL);

        /* "run" is the reserved directory, never a realm. */
        _cleanup_(RealmDoc_freep) RealmDoc *run = realm_new("run");
        ASSERT_ERROR(store_save_realm(f.store, run), EINVAL);
        ASSERT_ERROR(store_load_realm(f.store, "run", (RealmDoc **) &obj, NULL), EINVAL);
        ASSERT_ERROR(store_remove_realm(f.store, "run"), EINVAL);
        ASSERT_ERROR(store_list_spaces(f.store, "run", &l), EINVAL);
        /* ... but a space, stack or cell may be called run. */
        _cleanup_(SpaceDoc_freep) SpaceDoc *sp_run = space_new("main", "run");
        ASSERT_OK(store_save_space(f.store, "main", sp_run));
        ASSERT_OK(store_remove_space(f.store, "main", "run"));

        /* Nothing was written anywhere but the tree populate() made. */
        DIR *d = opendir(f.dir);
        ASSERT_NOT_NULL(d);
        struct dirent *de;
        size_t n = 0;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        ASSERT_EQ(n, 1u);
        ASSERT_OK(store_list_realms(f.store, &l));
        assert_strv(l, (const char *const[]) { "main" }, 1);
        l = strv_free(l);
        ASSERT_OK(store_list_spaces(f.store, "main", &l));
        assert_strv(l, (const char *const[]) { "default" }, 1);
        l = strv_free(l);

        fixture_done(&f);
}

static void test_conflist(void) {
        Fixture f = fixture_new();
        populate(f.store);

        char *buf = NULL;
        size_t size = 0;
        ASSERT_ERROR(store_read_conflist(f.store, "main", "default", &buf, &size), ENOENT);

        const char *c1 = "{\"cniVersion\":\"1.0.0\",\"name\":\"main-default\",\"plugins\":[]}\n";
        ASSERT_OK(store_write_conflist(f.store, "main", "default", c1, strlen(c1)));
        ASSERT_OK(store_read_conflist(f.store, "main", "default", &buf, &size));
        ASSERT_EQ(size, strlen(c1));
        ASSERT_STREQ(buf, c1);
        buf = mfree(buf);

        ASSERT_OK(store_write_conflist(f.store, "main", "default", "{}", 2));
        ASSERT_OK(store_read_conflist(f.store, "main", "default", &buf, NULL));
        ASSERT_STREQ(buf, "{}");
        buf = mfree(buf);

        /* The conflist is not a child resource of the space. */
        char **l = NULL;
        ASSERT_OK(store_list_stacks(f.store, "main", "default", &l));
        assert_strv(l, (const char *const[]) { "default" }, 1);
        l = strv_free(l);

        ASSERT_ERROR(store_write_conflist(f.store, "main", "nope", "{}", 2), ENOENT);
        ASSERT_ERROR(store_write_conflist(f.store, "main", "default", NULL, 2), EINVAL);
        ASSERT_ERROR(store_write_conflist(f.store, "main", "default", "{}", STORE_CONFLIST_MAX + 1), EFBIG);

        fixture_done(&f);
}

TEST_MAIN(test_open,
          test_round_trip,
          test_missing,
          test_list,
          test_remove,
          test_modes,
          test_atomic,
          test_lock,
          test_corrupt,
          test_invalid_names,
          test_conflist);
