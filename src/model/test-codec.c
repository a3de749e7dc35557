/* SPDX-License-Identifier: Apache-2.0 */
/* The codec: every kind round-trips exactly (read → write → read gives the same model,
 * and writing again gives the same bytes), unknown fields and bad values are refused
 * with the document index, line, column and field path. */

#include <stdio.h>

#include "document.h"
#include "json-codec.h"
#include "tests.h"
#include "yaml-codec.h"

/* Every field of every kind set to something other than its zero value. */
static const char *const full_documents[_KIND_MAX] = {
        [KIND_REALM] =
                "apiVersion: v1beta1\n"
                "kind: Realm\n"
                "metadata:\n"
                "  name: main\n"
                "  labels:\n"
                "    team: platform\n"
                "    tier: \"1\"\n"
                "spec:\n"
                "  namespace: kukeon-main\n"
                "  registryCredentials:\n"
                "    - username: bob\n"
                "      password: s3cret\n"
                "      serverAddress: registry.example.com\n"
                "  resources:\n"
                "    memoryMax: 1073741824\n"
                "    cpuWeight: 100\n"
                "    tasksMax: 512\n"
                "    ioWeight: 50\n"
                "status:\n"
                "  state: Ready\n"
                "  cgroupPath: /kukeon.slice/kukeon-main.slice\n"
                "  subtreeControllers: [cpu, memory]\n"
                "  unit: kukeon-main.slice\n"
                "  createdAt: \"2026-04-21T12:00:00Z\"\n"
                "  updatedAt: \"2026-04-21T12:00:01.5Z\"\n"
                "  readyAt: \"2026-04-21T14:00:02+02:00\"\n"
                "  reason: Created\n"
                "  message: all good\n"
                "  cgroupReady: true\n"
                "  containerdNamespaceReady: true\n",
        [KIND_SPACE] =
                "apiVersion: v1beta1\n"
                "kind: Space\n"
                "metadata: {name: default, labels: {a: b}}\n"
                "spec:\n"
                "  realmId: main\n"
                "  cniConfigPath: /etc/cni/net.d/main-default.conflist\n"
                "  network:\n"
                "    egress:\n"
                "      default: deny\n"
                "      allow:\n"
                "        - cidr: 10.0.0.0/8\n"
                "          ports: [80, 443]\n"
                "        - host: example.com\n"
                "  defaults:\n"
                "    container:\n"
                "      user: \"1000:1000\"\n"
                "      readOnlyRootFilesystem: false\n"
                "      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n"
                "      securityOpts: [no-new-privileges]\n"
                "      tmpfs:\n"
                "        - path: /tmp\n"
                "          sizeBytes: 1024\n"
                "          options: [noexec]\n"
                "      resources: {memoryLimitBytes: 67108864, cpuShares: 512, pidsLimit: 0}\n"
                "  resources: {memoryMax: 1, cpuWeight: 2, tasksMax: 3, ioWeight: 4}\n"
                "status:\n"
                "  state: Failed\n"
                "  cgroupPath: /x\n"
                "  subtreeControllers: [pids]\n"
                "  unit: kukeon-main-default.slice\n"
                "  subnet: 10.88.0.0/24\n"
                "  bridgeName: k-0123abcd\n"
                "  createdAt: \"2026-04-21T12:00:00Z\"\n"
                "  reason: CNIFailed\n"
                "  message: bridge plugin failed\n"
                "  cgroupReady: true\n",
        [KIND_STACK] =
                "apiVersion: v1beta1\n"
                "kind: Stack\n"
                "metadata:\n"
                "  name: default\n"
                "  labels: {}\n"
                "spec:\n"
                "  id: default\n"
                "  realmId: main\n"
                "  spaceId: default\n"
                "  resources: {tasksMax: 100}\n"
                "status:\n"
                "  state: Unknown\n"
                "  cgroupPath: /kukeon.slice\n"
                "  subtreeControllers: [io]\n"
                "  unit: kukeon-main-default-default.slice\n"
                "  readyAt: \"2026-04-21T12:00:00.000001Z\"\n"
                "  cgroupReady: true\n",
        [KIND_CELL] =
                "apiVersion: v1beta1\n"
                "kind: Cell\n"
                "metadata:\n"
                "  name: hello\n"
                "  labels: {app: hello}\n"
                "spec:\n"
                "  id: hello\n"
                "  realmId: main\n"
                "  spaceId: default\n"
                "  stackId: default\n"
                "  rootContainerId: web\n"
                "  tty: {default: web}\n"
                "  containers:\n"
                "    - id: web\n"
                "      containerdId: default_default_hello_web\n"
                "      realmId: main\n"
                "      spaceId: default\n"
                "      stackId: default\n"
                "      cellId: hello\n"
                "      root: true\n"
                "      image: docker.io/library/busybox:latest\n"
                "      command: /bin/sh\n"
                "      args: [-c, 'echo \"hi\"; sleep 1']\n"
                "      workingDir: /srv\n"
                "      env: [A=1, \"B=two words\"]\n"
                "      ports: [\"8080:80\"]\n"
                "      volumes:\n"
                "        - kind: bind\n"
                "          source: /srv/html\n"
                "          target: /usr/share/html\n"
                "          readOnly: true\n"
                "        - kind: tmpfs\n"
                "          target: /run/x\n"
                "          sizeBytes: 268435456\n"
                "          mode: 0755\n"
                "      networks: [extra]\n"
                "      networksAliases: [web.local]\n"
                "      privileged: true\n"
                "      hostNetwork: true\n"
                "      hostPID: true\n"
                "      hostCgroup: true\n"
                "      user: nobody\n"
                "      readOnlyRootFilesystem: true\n"
                "      capabilities: {drop: [NET_RAW], add: [CAP_SYS_ADMIN]}\n"
                "      securityOpts: [\"seccomp=unconfined\"]\n"
                "      tmpfs: [{path: /tmp, sizeBytes: 10}]\n"
                "      resources: {memoryLimitBytes: 67108864, cpuShares: 1024, pidsLimit: 64}\n"
                "      secrets:\n"
                "        - {name: TOKEN, fromEnv: GITHUB_TOKEN}\n"
                "        - {name: tls.crt, fromFile: /etc/kukeon/tls.crt, mountPath: /run/secrets/tls.crt}\n"
                "      cniConfigPath: /etc/cni/net.d\n"
                "      restartPolicy: Always\n"
                "      attachable: true\n"
                "      tty:\n"
                "        prompt: \"$ \"\n"
                "        onInit: [{script: echo hi}]\n"
                "        logFile: /run/kukeon/tty/log\n"
                "  autoDelete: true\n"
                "  nestedCgroupRuntime: true\n"
                "  resources: {memoryMax: 134217728}\n"
                "  stopGracePeriod: 10s\n"
                "status:\n"
                "  state: Stopped\n"
                "  cgroupPath: /kukeon.slice/x.scope\n"
                "  subtreeControllers: [cpu]\n"
                "  unit: kukeon-main-default-default-hello.scope\n"
                "  network: {bridgeName: k-0123abcd, ip: 10.88.0.2}\n"
                "  containers:\n"
                "    - name: web\n"
                "      id: default_default_hello_web\n"
                "      state: Failed\n"
                "      restartCount: 2\n"
                "      restartTime: \"2026-04-21T12:00:00Z\"\n"
                "      startTime: \"2026-04-21T12:00:01Z\"\n"
                "      finishTime: \"2026-04-21T12:00:02Z\"\n"
                "      exitCode: 137\n"
                "      exitSignal: SIGKILL\n"
                "      reason: OOMKilled\n"
                "      message: out of memory\n"
                "  readyObserved: true\n"
                "  createdAt: \"2026-04-21T12:00:00Z\"\n"
                "  updatedAt: \"2026-04-21T12:00:00Z\"\n"
                "  readyAt: \"2026-04-21T12:00:00Z\"\n"
                "  reason: ContainerFailed\n"
                "  message: web exited\n"
                "  cgroupReady: true\n",
        [KIND_CONTAINER] =
                "apiVersion: v1beta1\n"
                "kind: Container\n"
                "metadata: {name: side, labels: {}}\n"
                "spec:\n"
                "  id: side\n"
                "  realmId: main\n"
                "  spaceId: default\n"
                "  stackId: default\n"
                "  cellId: hello\n"
                "  image: busybox\n"
                "  command: sleep\n"
                "  args: [\"3600\"]\n"
                "  env: []\n"
                "  ports: []\n"
                "  volumes: []\n"
                "  networks: []\n"
                "  networksAliases: []\n"
                "  privileged: false\n"
                "  restartPolicy: \"\"\n"
                "status:\n"
                "  name: side\n"
                "  id: default_default_hello_side\n"
                "  state: Paused\n"
                "  restartCount: 0\n"
                "  exitCode: -1\n"
                "  exitSignal: \"\"\n",
        [KIND_CELL_PROFILE] =
                "apiVersion: v1beta1\n"
                "kind: CellProfile\n"
                "metadata: {name: dev, labels: {x: y}}\n"
                "spec:\n"
                "  realm: main\n"
                "  space: default\n"
                "  stack: default\n"
                "  prefix: devbox\n"
                "  parameters:\n"
                "    - name: IMAGE\n"
                "      description: the image\n"
                "      default: busybox\n"
                "      required: true\n"
                "    - name: EMPTY\n"
                "      default: \"\"\n"
                "  cell:\n"
                "    containers:\n"
                "      - id: shell\n"
                "        image: ${IMAGE}\n",
        [KIND_SERVER_CONFIGURATION] =
                "apiVersion: v1beta1\n"
                "kind: ServerConfiguration\n"
                "metadata: {name: default}\n"
                "spec:\n"
                "  socket: /run/kukeon/kukeond.sock\n"
                "  socketGID: 990\n"
                "  runPath: /opt/kukeon\n"
                "  containerdSocket: /run/containerd/containerd.sock\n"
                "  logLevel: debug\n"
                "  reconcileInterval: 30s\n"
                "  kukeondImage: ghcr.io/x/kukeond:1\n"
                "  containerdNamespaceSuffix: kukeon.io\n"
                "  cgroupRoot: /kukeon\n"
                "  cniBinDir: /usr/lib/cni\n"
                "  cniConfDir: /etc/cni/net.d\n",
        [KIND_CLIENT_CONFIGURATION] =
                "apiVersion: v1beta1\n"
                "kind: ClientConfiguration\n"
                "metadata: {name: default}\n"
                "spec:\n"
                "  host: unix:/run/kukeon/kukeond.sock\n"
                "  runPath: /opt/kukeon\n"
                "  containerdSocket: /run/containerd/containerd.sock\n"
                "  logLevel: info\n",
};

static DocumentList *parse_ok(const char *text) {
        DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        for (size_t i = 0; i < l->n_documents; i++)
                if (l->documents[i].error) {
                        fprintf(stderr, "unexpected error: %s\n", l->documents[i].error);
                        abort();
                }
        return l;
}

/* Parses 'text', expects exactly one document with an error containing each needle. */
static void parse_fails(const char *text, const char *needle1, const char *needle2) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        ASSERT_EQ(document_list_count_errors(l), 1);
        const char *e = NULL;
        for (size_t i = 0; i < l->n_documents; i++)
                if (l->documents[i].error)
                        e = l->documents[i].error;
        if (!strstr(e, needle1) || (needle2 && !strstr(e, needle2))) {
                fprintf(stderr, "error \"%s\" lacks \"%s\"/\"%s\"\n", e, needle1, strna(needle2));
                abort();
        }
}

static void test_round_trip_every_kind(void) {
        for (Kind k = 0; k < _KIND_MAX; k++) {
                _cleanup_(document_list_freep) DocumentList *a = parse_ok(full_documents[k]);
                ASSERT_EQ(a->n_documents, 1);
                ASSERT_EQ(a->documents[0].kind, k);

                /* Every field of the fixture is set: none may be lost on the way. */
                const Schema *s = kind_schema(k);
                SCHEMA_FOREACH(f, s)
                        if (f->type == FIELD_OBJECT && !streq(f->name, "metadata"))
                                ASSERT_FALSE(schema_is_zero(f->schema, (uint8_t *) a->documents[0].object + f->offset));

                _cleanup_free_ char *text1 = NULL, *text2 = NULL;
                ASSERT_OK(document_list_format_yaml(a, &text1));
                _cleanup_(document_list_freep) DocumentList *b = parse_ok(text1);
                ASSERT_EQ(b->n_documents, 1);
                if (!schema_equal(s, a->documents[0].object, b->documents[0].object)) {
                        fprintf(stderr, "%s did not round-trip:\n%s\n", kind_to_string(k), text1);
                        abort();
                }
                ASSERT_OK(document_list_format_yaml(b, &text2));
                ASSERT_STREQ(text1, text2);

                /* A deep copy is equal, and freeing both is clean (ASan checks). */
                _cleanup_free_ void *copy = calloc(1, s->size);
                ASSERT_OK(schema_copy(s, copy, a->documents[0].object));
                ASSERT_TRUE(schema_equal(s, copy, a->documents[0].object));
                schema_done(s, copy);
        }
}

static void test_multi_document_stream(void) {
        const char *text =
                "---\n"
                "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a}\nspec: {}\n"
                "---\n"
                "---\n"
                "# only a comment\n"
                "---\n"
                "apiVersion: v1beta1\nkind: Space\nmetadata: {name: s}\nspec: {realmId: a}\n"
                "...\n";
        _cleanup_(document_list_freep) DocumentList *l = parse_ok(text);
        ASSERT_EQ(l->n_documents, 2);
        ASSERT_EQ(l->documents[0].kind, KIND_REALM);
        ASSERT_EQ(l->documents[1].kind, KIND_SPACE);
        ASSERT_EQ(l->documents[1].index, 2);
        ASSERT_STREQ(l->documents[1].name, "s");

        _cleanup_free_ char *yaml = NULL, *json = NULL;
        ASSERT_OK(document_list_format_yaml(l, &yaml));
        ASSERT_NOT_NULL(strstr(yaml, "---\napiVersion: v1beta1\nkind: Space"));
        ASSERT_OK(document_list_format_json(l, &json));
        ASSERT_EQ(json[0], '[');
}

static void test_one_bad_document_does_not_hide_others(void) {
        const char *text =
                "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a}\nspec: {}\n"
                "---\n"
                "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: b}\nspec: {namespce: x}\n"
                "---\n"
                "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: c}\nspec: {}\n";
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        ASSERT_EQ(l->n_documents, 3);
        ASSERT_NULL(l->documents[0].error);
        ASSERT_NOT_NULL(l->documents[1].error);
        ASSERT_NULL(l->documents[2].error);
        ASSERT_STREQ(l->documents[1].error, "line 9, column 8: spec.namespce: unknown field \"namespce\"");
        _cleanup_free_ char *what = document_describe(&l->documents[1]);
        ASSERT_STREQ(what, "Realm \"b\"");
}

static void test_unknown_fields_rejected_with_path(void) {
        parse_fails("apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\n"
                    "spec:\n  containers:\n    - id: a\n      imgae: x\n",
                    "line 7, column 7: spec.containers[0].imgae: unknown field \"imgae\"", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a, uid: 3}\nspec: {}\n",
                    "metadata.uid: unknown field", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a}\nspec: {}\nextra: 1\n",
                    "line 5, column 1: extra: unknown field", NULL);
}

static void test_malformed_yaml(void) {
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a\n", "YAML syntax error", "line ");
        parse_fails("apiVersion: v1beta1\nkind: Realm\n  bad: indent\n", "YAML syntax error", NULL);
        parse_fails("- a\n- b\n", "must be a mapping", NULL);
        parse_fails("\"just a string\"\n", "must be a mapping", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nkind: Space\nmetadata: {name: a}\n", "duplicate field \"kind\"", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a, labels: {x: 1, x: 2}}\n", "duplicate key", NULL);
        parse_fails("apiVersion: v1beta1\nmetadata: {name: a}\n", "missing field \"kind\"", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Pod\nmetadata: {name: a}\n", "unknown kind \"Pod\"", "Realm, Space");
        parse_fails("kind: Realm\nmetadata: {name: a}\n", "missing field \"apiVersion\"", NULL);
        parse_fails("apiVersion: v1\nkind: Realm\nmetadata: {name: a}\n", "unsupported version \"v1\"", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: a}\nspec: *nope\n", "YAML syntax error", NULL);
        /* Invalid UTF-8. */
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: \"\xff\xfe\"}\n", "line ", NULL);
}

static void test_wrong_types(void) {
        const char *head = "apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nspec:\n  containers:\n    - id: a\n";
        const struct {
                const char *body, *needle;
        } cases[] = {
                { "      root: yes\n", "spec.containers[0].root: expected true or false, got \"yes\"" },
                { "      root: \"true\"\n", "expected true or false" },
                { "      args: -c\n", "spec.containers[0].args: expected a list of strings, got a scalar" },
                { "      args: [[a]]\n", "spec.containers[0].args[0]: expected a string, got a list" },
                { "      args: [a, null]\n", "spec.containers[0].args[1]: expected a string, got null" },
                { "      volumes: [{target: /x, mode: 0999}]\n", "spec.containers[0].volumes[0].mode: expected an integer" },
                { "      volumes: [{target: /x, mode: 010000}]\n", "out of range" },
                { "      volumes: [{target: /x, sizeBytes: 1.5}]\n", "expected an integer, got \"1.5\"" },
                { "      volumes: [{target: /x, sizeBytes: 99999999999999999999}]\n", "out of range" },
                { "      resources: {pidsLimit: \"10\"}\n", "expected an integer, got the string" },
                { "      resources: []\n", "spec.containers[0].resources: expected a mapping, got a list" },
                { "      image: {a: b}\n", "spec.containers[0].image: expected a string, got a mapping" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                ASSERT_TRUE(asprintf(&text, "%s%s", head, cases[i].body) > 0);
                parse_fails(text, cases[i].needle, NULL);
        }
        parse_fails("apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nstatus: {state: Running}\n",
                    "status.state: unknown value \"Running\" (expected one of Pending, Ready, Stopped, Failed, Unknown)", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: c}\nstatus: {createdAt: yesterday}\n",
                    "status.createdAt: expected an RFC 3339 timestamp", NULL);
        parse_fails("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: c}\nstatus: {createdAt: \"2026-02-30T00:00:00Z\"}\n",
                    "expected an RFC 3339 timestamp", NULL);
}

static void test_legacy_integer_states(void) {
        _cleanup_(document_list_freep) DocumentList *l =
                parse_ok("apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nstatus: {state: 1, containers: [{state: 5}]}\n");
        const CellDoc *c = l->documents[0].object;
        ASSERT_EQ(c->status.state, CELL_STATE_READY);
        ASSERT_EQ(c->status.containers[0].state, CONTAINER_STATE_FAILED);
        parse_fails("apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nstatus: {state: 9}\n", "unknown value \"9\"", NULL);

        _cleanup_free_ char *yaml = NULL;
        ASSERT_OK(document_list_format_yaml(l, &yaml));
        ASSERT_NOT_NULL(strstr(yaml, "state: Ready"));
        ASSERT_NOT_NULL(strstr(yaml, "state: Failed"));
}

static void test_nulls_and_optionals(void) {
        _cleanup_(document_list_freep) DocumentList *l = parse_ok(
                "apiVersion: v1beta1\nkind: Space\nmetadata:\n  name: s\n  labels:\nspec:\n  realmId: ~\n"
                "  defaults: {container: {readOnlyRootFilesystem: false, resources: {pidsLimit: 0}}}\n");
        const SpaceDoc *s = l->documents[0].object;
        ASSERT_NULL(s->spec.realm_id);
        ASSERT_TRUE(s->spec.defaults->container->read_only_root_filesystem.set);
        ASSERT_FALSE(s->spec.defaults->container->read_only_root_filesystem.value);
        ASSERT_TRUE(s->spec.defaults->container->resources->pids_limit.set);

        /* An explicit false and an explicit 0 survive the round trip: they differ from unset. */
        _cleanup_free_ char *yaml = NULL;
        ASSERT_OK(document_list_format_yaml(l, &yaml));
        ASSERT_NOT_NULL(strstr(yaml, "readOnlyRootFilesystem: false"));
        ASSERT_NOT_NULL(strstr(yaml, "pidsLimit: 0"));
}

static void test_strings_that_look_like_other_types_are_quoted(void) {
        _cleanup_(document_list_freep) DocumentList *l = parse_ok(
                "apiVersion: v1beta1\nkind: Container\nmetadata: {name: c}\n"
                "spec: {image: x, args: [\"true\", \"123\", \"null\", \"\", \"-1\", \"0x1f\", \"yes\", plain]}\n");
        _cleanup_free_ char *yaml = NULL;
        ASSERT_OK(document_list_format_yaml(l, &yaml));
        ASSERT_NOT_NULL(strstr(yaml, "- \"true\"\n"));
        ASSERT_NOT_NULL(strstr(yaml, "- \"123\"\n"));
        ASSERT_NOT_NULL(strstr(yaml, "- \"null\"\n"));
        ASSERT_NOT_NULL(strstr(yaml, "- \"\"\n"));
        ASSERT_NOT_NULL(strstr(yaml, "- \"yes\"\n"));
        ASSERT_NOT_NULL(strstr(yaml, "- plain\n"));
}

static void test_json_output(void) {
        _cleanup_(document_list_freep) DocumentList *l = parse_ok(full_documents[KIND_CELL]);
        _cleanup_free_ char *json = NULL;
        ASSERT_OK(document_list_format_json(l, &json));
        json_error_t e;
        json_t *j = json_loads(json, 0, &e);
        ASSERT_NOT_NULL(j);
        ASSERT_STREQ(json_string_value(json_object_get(j, "kind")), "Cell");
        json_t *c0 = json_array_get(json_object_get(json_object_get(j, "spec"), "containers"), 0);
        ASSERT_EQ(json_integer_value(json_object_get(json_array_get(json_object_get(c0, "volumes"), 1), "mode")), 0755);
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "status"), "state")), "Stopped");
        ASSERT_TRUE(json_is_true(json_object_get(c0, "hostPID")));
        json_decref(j);
}

static void test_alias_bomb_refused(void) {
        /* 1000 aliases of a container holding 1000 aliases of a volume: 20 KiB of YAML that
         * expands to a million objects. The decoder's budget must stop it, quickly. */
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&text, &n);
        ASSERT_NOT_NULL(f);
        fputs("apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nspec:\n"
              "  containers: [&c {id: a, image: i, volumes: [&v {target: /a}", f);
        for (int i = 0; i < 1000; i++)
                fputs(", *v", f);
        fputs("]}", f);
        for (int i = 0; i < 1000; i++)
                fputs(", *c", f);
        fputs("]\n", f);
        ASSERT_EQ(fclose(f), 0);

        _cleanup_(document_list_freep) DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, n, &l));
        ASSERT_EQ(l->n_documents, 1);
        ASSERT_NOT_NULL(l->documents[0].error);
        ASSERT_NOT_NULL(strstr(l->documents[0].error, "too large"));
        ASSERT_NULL(l->documents[0].object);
}

static void test_oversized_stream(void) {
        DocumentList *l = NULL;
        ASSERT_ERROR(document_list_parse("", DOCUMENT_STREAM_MAX + 1, &l), EFBIG);
        ASSERT_NULL(l);
}

static void test_time(void) {
        char buf[TIME_RFC3339_MAX];
        usec_t t;
        ASSERT_OK(time_parse_rfc3339("2026-04-21T12:00:00Z", &t));
        ASSERT_STREQ(time_format_rfc3339(buf, t), "2026-04-21T12:00:00Z");
        ASSERT_OK(time_parse_rfc3339("2026-04-21T14:00:00.25+02:00", &t));
        ASSERT_STREQ(time_format_rfc3339(buf, t), "2026-04-21T12:00:00.25Z");
        ASSERT_OK(time_parse_rfc3339("0001-01-01T00:00:00Z", &t));
        ASSERT_EQ(t, 0);
        ASSERT_ERROR(time_parse_rfc3339("2026-04-21", &t), EINVAL);
        ASSERT_ERROR(time_parse_rfc3339("2026-13-01T00:00:00Z", &t), EINVAL);
        ASSERT_ERROR(time_parse_rfc3339("1960-01-01T00:00:00Z", &t), ERANGE);
}

TEST_MAIN(test_round_trip_every_kind,
          test_multi_document_stream,
          test_one_bad_document_does_not_hide_others,
          test_unknown_fields_rejected_with_path,
          test_malformed_yaml,
          test_wrong_types,
          test_legacy_integer_states,
          test_nulls_and_optionals,
          test_strings_that_look_like_other_types_are_quoted,
          test_json_output,
          test_alias_bomb_refused,
          test_oversized_stream,
          test_time)
