/* SPDX-License-Identifier: Apache-2.0 */
/* Validation and defaults: at least one test per rule, each asserting the message names
 * the field, the kind and the offending value. */

#include <stdio.h>

#include "document.h"
#include "manifest.h"
#include "tests.h"

static DocumentList *check(const char *text, const ManifestContext *ctx) {
        DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        ASSERT_OK(manifest_check_list(l, ctx));
        return l;
}

static void expect_valid(const char *text) {
        _cleanup_(document_list_freep) DocumentList *l = check(text, NULL);
        for (size_t i = 0; i < l->n_documents; i++)
                if (l->documents[i].error) {
                        fprintf(stderr, "unexpected error in:\n%s\n→ %s\n", text, l->documents[i].error);
                        abort();
                }
}

static void expect_invalid(const char *text, const char *needle) {
        _cleanup_(document_list_freep) DocumentList *l = check(text, NULL);
        ASSERT_EQ(l->n_documents, 1);
        const char *e = l->documents[0].error;
        if (!e || !strstr(e, needle)) {
                fprintf(stderr, "document:\n%s\nexpected an error containing \"%s\", got \"%s\"\n", text, needle, strna(e));
                abort();
        }
}

#define REALM(name) "apiVersion: v1beta1\nkind: Realm\nmetadata: {name: " name "}\nspec: {}\n"
#define CELL_HEAD "apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nspec:\n  realmId: main\n  spaceId: default\n  stackId: default\n"

static void test_names_are_dns_labels(void) {
        expect_valid(REALM("main"));
        expect_valid(REALM("a"));
        expect_valid(REALM("a-1-b"));
        expect_invalid(REALM("bad_name"), "Realm name \"bad_name\"");
        expect_invalid(REALM("bad_name"), "line 3, column 18: metadata.name");
        expect_invalid(REALM("\"a/b\""), "invalid Realm name \"a/b\"");
        expect_invalid(REALM("\"..\""), "invalid Realm name \"..\"");
        expect_invalid(REALM("Upper"), "invalid Realm name \"Upper\"");
        expect_invalid(REALM("-lead"), "invalid Realm name \"-lead\"");
        expect_invalid(REALM("trail-"), "invalid Realm name \"trail-\"");
        expect_invalid(REALM("\"\""), "Realm name is required");
        expect_invalid("apiVersion: v1beta1\nkind: Realm\nmetadata: {}\nspec: {}\n", "Realm name is required");
        expect_valid(REALM("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 63 */
        expect_invalid(REALM("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "invalid Realm name"); /* 64 */
        /* Every level's names are checked, naming the kind. */
        expect_invalid("apiVersion: v1beta1\nkind: Space\nmetadata: {name: s}\nspec: {realmId: Bad}\n",
                       "spec.realmId: invalid Realm name \"Bad\"");
        expect_invalid(CELL_HEAD "  containers: [{id: web_1, image: x}]\n",
                       "spec.containers[0].id: invalid Container name \"web_1\"");
        expect_invalid("apiVersion: v1beta1\nkind: Stack\nmetadata: {name: \"a.b\"}\nspec: {realmId: r, spaceId: s}\n",
                       "invalid Stack name \"a.b\"");
        /* Control characters in a name are shown escaped, never raw. */
        expect_invalid(REALM("\"a\\x1b[31m\""), "\\x1b");
}

static void test_reserved_realm_names(void) {
        expect_invalid(REALM("run"), "realm name \"run\" is reserved");
        expect_invalid(REALM("kukeon-system"), "reserved for the system realm");

        ManifestContext ctx = { .allow_system_realm = true };
        _cleanup_(document_list_freep) DocumentList *l = check(REALM("kukeon-system"), &ctx);
        ASSERT_NULL(l->documents[0].error);
}

static void test_realm_namespace_default(void) {
        _cleanup_(document_list_freep) DocumentList *a = check(REALM("main"), NULL);
        ASSERT_STREQ(((RealmDoc *) a->documents[0].object)->spec.namespace_, "kukeon-main");

        ManifestContext ctx = { .namespace_suffix = "kukeon.io" };
        _cleanup_(document_list_freep) DocumentList *b = check(REALM("main"), &ctx);
        ASSERT_STREQ(((RealmDoc *) b->documents[0].object)->spec.namespace_, "main.kukeon.io");

        _cleanup_(document_list_freep) DocumentList *c =
                check("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: main}\nspec: {namespace: custom}\n", NULL);
        ASSERT_STREQ(((RealmDoc *) c->documents[0].object)->spec.namespace_, "custom");

        expect_invalid("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: main}\nspec: {namespace: \"a b\"}\n",
                       "spec.namespace: \"a b\" is not a valid containerd namespace");
}

static void test_required_fields(void) {
        expect_invalid("apiVersion: v1beta1\nkind: Space\nmetadata: {name: s}\nspec: {}\n", "spec.realmId: is required");
        expect_invalid("apiVersion: v1beta1\nkind: Stack\nmetadata: {name: t}\nspec: {realmId: r}\n", "spec.spaceId: is required");
        expect_invalid("apiVersion: v1beta1\nkind: Stack\nmetadata: {name: t}\nspec: {spaceId: s}\n", "spec.realmId: is required");
        expect_invalid("apiVersion: v1beta1\nkind: Cell\nmetadata: {name: c}\nspec: {realmId: r, spaceId: s, containers: [{id: a, image: i}]}\n",
                       "spec.stackId: is required");
        expect_invalid(CELL_HEAD "  containers: []\n", "spec.containers: a cell needs at least one container");
        expect_invalid(CELL_HEAD "  containers: [{image: x}]\n", "spec.containers[0].id: Container name is required");
        expect_invalid(CELL_HEAD "  containers: [{id: a}]\n", "spec.containers[0].image: container \"a\" needs an image");
        expect_invalid("apiVersion: v1beta1\nkind: Container\nmetadata: {name: a}\nspec: {image: x, realmId: r, spaceId: s, stackId: t}\n",
                       "spec.cellId: is required");
}

static void test_ids_default_and_must_match(void) {
        _cleanup_(document_list_freep) DocumentList *l =
                check(CELL_HEAD "  containers: [{id: a, image: i}, {id: b, image: i, root: true}]\n", NULL);
        const CellDoc *c = l->documents[0].object;
        ASSERT_NULL(l->documents[0].error);
        ASSERT_STREQ(c->spec.id, "c");
        ASSERT_STREQ(c->spec.containers[0].realm_id, "main");
        ASSERT_STREQ(c->spec.containers[0].space_id, "default");
        ASSERT_STREQ(c->spec.containers[0].stack_id, "default");
        ASSERT_STREQ(c->spec.containers[0].cell_id, "c");
        ASSERT_STREQ(c->spec.containers[0].containerd_id, "default_default_c_a");

        expect_invalid("apiVersion: v1beta1\nkind: Stack\nmetadata: {name: t}\nspec: {id: u, realmId: r, spaceId: s}\n",
                       "spec.id: is \"u\" but the metadata.name is \"t\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, realmId: other}]\n",
                       "spec.containers[0].realmId: is \"other\" but the cell's is \"main\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, containerdId: x}]\n", "spec.containers[0].containerdId");
        /* containerd's own limits on the derived id surface as errors on the container. */
        expect_invalid(CELL_HEAD "  containers: [{id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, image: i}]\n",
                       "would be longer than 76 characters");
        expect_invalid(CELL_HEAD "  containers: [{id: a--b, image: i}]\n", "containerd refuses the id");
}

static void test_root_container_resolution(void) {
        {
                /* None marked: the first is the root. */
                _cleanup_(document_list_freep) DocumentList *l =
                        check(CELL_HEAD "  containers: [{id: a, image: i}, {id: b, image: i}]\n", NULL);
                const CellDoc *c = l->documents[0].object;
                ASSERT_TRUE(c->spec.containers[0].root);
                ASSERT_FALSE(c->spec.containers[1].root);
                ASSERT_STREQ(c->spec.root_container_id, "a");
        }
        {
                /* Explicit root: true. */
                _cleanup_(document_list_freep) DocumentList *l =
                        check(CELL_HEAD "  containers: [{id: a, image: i}, {id: b, image: i, root: true}]\n", NULL);
                const CellDoc *c = l->documents[0].object;
                ASSERT_FALSE(c->spec.containers[0].root);
                ASSERT_STREQ(c->spec.root_container_id, "b");
        }
        {
                /* rootContainerId alone. */
                _cleanup_(document_list_freep) DocumentList *l =
                        check(CELL_HEAD "  rootContainerId: b\n  containers: [{id: a, image: i}, {id: b, image: i}]\n", NULL);
                const CellDoc *c = l->documents[0].object;
                ASSERT_TRUE(c->spec.containers[1].root);
                ASSERT_FALSE(c->spec.containers[0].root);
        }
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, root: true}, {id: b, image: i, root: true}]\n",
                       "spec.containers[1].root: only one container can be the root");
        expect_invalid(CELL_HEAD "  rootContainerId: zz\n  containers: [{id: a, image: i}]\n",
                       "spec.rootContainerId: no container \"zz\" in this cell");
        expect_invalid(CELL_HEAD "  rootContainerId: a\n  containers: [{id: a, image: i}, {id: b, image: i, root: true}]\n",
                       "names \"a\" but spec.containers[1] (\"b\") is marked root");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i}, {id: a, image: j}]\n",
                       "spec.containers[1].id: spec.containers[0] already has the id \"a\"");
}

static void test_tty_needs_attachable(void) {
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, tty: {prompt: \"$ \"}}]\n",
                       "spec.containers[0].tty: tty settings need attachable: true on container \"a\"");
        expect_valid(CELL_HEAD "  containers: [{id: a, image: i, tty: {}}]\n");
        expect_valid(CELL_HEAD "  containers: [{id: a, image: i, attachable: true, tty: {prompt: \"$ \"}}]\n");
        expect_invalid(CELL_HEAD "  tty: {default: a}\n  containers: [{id: a, image: i}]\n",
                       "spec.tty.default: container \"a\" is not attachable");
        expect_invalid(CELL_HEAD "  tty: {default: b}\n  containers: [{id: a, image: i}]\n",
                       "spec.tty.default: no container \"b\"");
}

static void test_volume_rules(void) {
        expect_valid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{source: /s, target: /t}, {kind: tmpfs, target: /u}]}]\n");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{source: /s, target: t}]}]\n",
                       "spec.containers[0].volumes[0].target: a volume target must be an absolute path, got \"t\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{source: rel, target: /t}]}]\n",
                       "spec.containers[0].volumes[0].source: a bind volume source must be an absolute path, got \"rel\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{target: /t}]}]\n",
                       "volumes[0].source: a bind volume needs a source");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{kind: tmpfs, source: /s, target: /t}]}]\n",
                       "volumes[0].source: a tmpfs volume has no source, got \"/s\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{kind: nfs, target: /t}]}]\n",
                       "volumes[0].kind: unknown volume kind \"nfs\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{kind: tmpfs, target: /t}, {kind: tmpfs, target: /t}]}]\n",
                       "volumes[1].target: volumes[0] already mounts \"/t\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, volumes: [{source: /s/../etc, target: /t}]}]\n",
                       "must not contain \"..\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, tmpfs: [{path: tmp}]}]\n",
                       "spec.containers[0].tmpfs[0].path: a tmpfs mount path must be an absolute path");
}

static void test_secret_rules(void) {
        expect_valid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: TOKEN, fromEnv: T}, {name: key.pem, fromFile: /k, mountPath: /run/k}]}]\n");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: T, fromEnv: A, fromFile: /b}]}]\n",
                       "spec.containers[0].secrets[0]: secret \"T\" needs exactly one of fromFile and fromEnv");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: T}]}]\n", "needs exactly one of fromFile and fromEnv");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: T, fromFile: rel}]}]\n",
                       "secrets[0].fromFile: fromFile must be an absolute path");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: T, fromEnv: A, mountPath: run/x}]}]\n",
                       "secrets[0].mountPath: a secret mountPath must be an absolute path, got \"run/x\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: key.pem, fromEnv: A}]}]\n",
                       "secrets[0].name: secret \"key.pem\" is injected as an environment variable");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{fromEnv: A}]}]\n", "secrets[0].name: a secret needs a name");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, secrets: [{name: T, fromEnv: A}, {name: T, fromEnv: B}]}]\n",
                       "secrets[1].name: secrets[0] is already named \"T\"");
}

#define SPACE_EGRESS(e) "apiVersion: v1beta1\nkind: Space\nmetadata: {name: s}\nspec:\n  realmId: r\n  network: {egress: " e "}\n"

static void test_egress_rules(void) {
        expect_valid(SPACE_EGRESS("{default: deny, allow: [{cidr: 10.0.0.0/8, ports: [1, 65535]}, {host: example.com}, {cidr: \"fd00::/8\"}]}"));
        expect_invalid(SPACE_EGRESS("{default: block}"), "spec.network.egress.default: expected allow or deny, got \"block\"");
        expect_invalid(SPACE_EGRESS("{}"), "spec.network.egress.default: expected allow or deny, got \"\"");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{host: a.com, cidr: 1.2.3.0/24}]}"),
                       "spec.network.egress.allow[0]: an allow rule needs exactly one of host and cidr");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{ports: [80]}]}"), "exactly one of host and cidr");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{cidr: 10.0.0.0}]}"),
                       "spec.network.egress.allow[0].cidr: expected a CIDR like 10.0.0.0/8, got \"10.0.0.0\"");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{cidr: 10.0.0.0/33}]}"), "expected a CIDR");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{cidr: 300.0.0.0/8}]}"), "expected a CIDR");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{cidr: 10.0.0.0/8, ports: [0]}]}"),
                       "spec.network.egress.allow[0].ports[0]: port 0 is out of range (1-65535)");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{cidr: 10.0.0.0/8, ports: [80, 65536]}]}"),
                       "allow[0].ports[1]: port 65536 is out of range");
        expect_invalid(SPACE_EGRESS("{default: deny, allow: [{host: \"a b\"}]}"), "allow[0].host: \"a b\" is not a valid host name");
}

static void test_container_fields(void) {
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, env: [NOEQUALS]}]\n",
                       "spec.containers[0].env[0]: expected KEY=VALUE, got \"NOEQUALS\"");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, env: [\"=x\"]}]\n", "expected KEY=VALUE");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, capabilities: {add: [CAP_FLY]}}]\n",
                       "spec.containers[0].capabilities.add[0]: unknown capability \"CAP_FLY\"");
        expect_valid(CELL_HEAD "  containers: [{id: a, image: i, capabilities: {drop: [ALL, net_raw], add: [CAP_CHOWN]}}]\n");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, securityOpts: [apparmor=x]}]\n",
                       "spec.containers[0].securityOpts[0]: unsupported security option \"apparmor=x\"");
        expect_valid(CELL_HEAD "  containers: [{id: a, image: i, securityOpts: [no-new-privileges, \"seccomp=/etc/p.json\"]}]\n");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, resources: {memoryLimitBytes: 1024}}]\n",
                       "resources.memoryLimitBytes: must be at least 6291456");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, resources: {cpuShares: 1}}]\n",
                       "resources.cpuShares: must be between 2 and 262144, got 1");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, resources: {pidsLimit: 0}}]\n",
                       "resources.pidsLimit: must be positive, or -1");
        expect_invalid(CELL_HEAD "  containers: [{id: a, image: i, workingDir: srv}]\n",
                       "spec.containers[0].workingDir: workingDir must be an absolute path");
        expect_invalid(CELL_HEAD "  stopGracePeriod: soon\n  containers: [{id: a, image: i}]\n",
                       "spec.stopGracePeriod: expected a duration like 10s or 1m30s, got \"soon\"");
        expect_invalid(CELL_HEAD "  resources: {cpuWeight: 20000}\n  containers: [{id: a, image: i}]\n",
                       "spec.resources.cpuWeight: must be between 1 and 10000, got 20000");
        expect_invalid("apiVersion: v1beta1\nkind: Realm\nmetadata: {name: r}\nspec: {resources: {memoryMax: 0}}\n",
                       "spec.resources.memoryMax: must be positive, got 0");
}

static void test_space_defaults_inheritance(void) {
        const char *text =
                "apiVersion: v1beta1\nkind: Space\nmetadata: {name: default}\nspec:\n  realmId: main\n"
                "  defaults:\n    container:\n"
                "      user: \"1000\"\n"
                "      readOnlyRootFilesystem: true\n"
                "      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n"
                "      securityOpts: [no-new-privileges]\n"
                "      tmpfs: [{path: /tmp, sizeBytes: 1024}]\n"
                "      resources: {pidsLimit: 100}\n"
                "---\n" CELL_HEAD
                "  containers:\n"
                "    - {id: plain, image: i}\n"
                "    - {id: own, image: i, user: \"0\", capabilities: {add: [NET_ADMIN]}, securityOpts: [\"seccomp=unconfined\"],\n"
                "       tmpfs: [{path: /run}], resources: {pidsLimit: 5}}\n";
        _cleanup_(document_list_freep) DocumentList *l = check(text, NULL);
        ASSERT_EQ(document_list_count_errors(l), 0);
        const CellDoc *c = l->documents[1].object;
        const ContainerSpec *plain = &c->spec.containers[0], *own = &c->spec.containers[1];

        ASSERT_STREQ(plain->user, "1000");
        ASSERT_TRUE(plain->read_only_root_filesystem);
        ASSERT_STREQ(plain->capabilities->drop[0], "ALL");
        ASSERT_STREQ(plain->capabilities->add[0], "NET_BIND_SERVICE");
        ASSERT_STREQ(plain->security_opts[0], "no-new-privileges");
        ASSERT_EQ(plain->n_tmpfs, 1);
        ASSERT_EQ(plain->resources->pids_limit.value, 100);

        /* The container's own values win, and inheritance is shallow: no merged drop list. */
        ASSERT_STREQ(own->user, "0");
        ASSERT_TRUE(own->read_only_root_filesystem);
        ASSERT_NULL(own->capabilities->drop);
        ASSERT_STREQ(own->capabilities->add[0], "NET_ADMIN");
        ASSERT_STREQ(own->security_opts[0], "seccomp=unconfined");
        ASSERT_STREQ(own->tmpfs[0].path, "/run");
        ASSERT_EQ(own->resources->pids_limit.value, 5);

        /* A space in another realm does not apply. */
        _cleanup_(document_list_freep) DocumentList *m = check(
                "apiVersion: v1beta1\nkind: Space\nmetadata: {name: default}\nspec: {realmId: other, defaults: {container: {user: \"7\"}}}\n"
                "---\n" CELL_HEAD "  containers: [{id: a, image: i}]\n", NULL);
        ASSERT_NULL(((CellDoc *) m->documents[1].object)->spec.containers[0].user);

        expect_invalid("apiVersion: v1beta1\nkind: Space\nmetadata: {name: s}\nspec: {realmId: r, defaults: {container: {capabilities: {drop: [BOGUS]}}}}\n",
                       "spec.defaults.container.capabilities.drop[0]: unknown capability \"BOGUS\"");
}

static void test_configurations(void) {
        expect_valid("apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: d}\nspec: {reconcileInterval: 1m30s, logLevel: warn}\n");
        expect_invalid("apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: d}\nspec: {reconcileInterval: often}\n",
                       "spec.reconcileInterval: expected a duration");
        expect_invalid("apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: d}\nspec: {logLevel: loud}\n",
                       "spec.logLevel: expected debug, info, warn or error, got \"loud\"");
        expect_invalid("apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: d}\nspec: {runPath: opt/kukeon}\n",
                       "spec.runPath: the path must be an absolute path");
        expect_invalid("apiVersion: v1beta1\nkind: ClientConfiguration\nmetadata: {name: d}\nspec: {host: \"tcp://x\"}\n",
                       "spec.host: expected unix:PATH or ssh://[user@]host");
}

static void test_profile_parameters(void) {
        expect_invalid("apiVersion: v1beta1\nkind: CellProfile\nmetadata: {name: p}\nspec: {parameters: [{name: 1X}], cell: {}}\n",
                       "spec.parameters[0].name: parameter name \"1X\"");
        expect_invalid("apiVersion: v1beta1\nkind: CellProfile\nmetadata: {name: p}\nspec: {parameters: [{name: A}, {name: A}], cell: {}}\n",
                       "spec.parameters[1].name: spec.parameters[0] is already named \"A\"");
}

TEST_MAIN(test_names_are_dns_labels,
          test_reserved_realm_names,
          test_realm_namespace_default,
          test_required_fields,
          test_ids_default_and_must_match,
          test_root_container_resolution,
          test_tty_needs_attachable,
          test_volume_rules,
          test_secret_rules,
          test_egress_rules,
          test_container_fields,
          test_space_defaults_inheritance,
          test_configurations,
          test_profile_parameters)
