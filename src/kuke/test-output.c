/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>

#include "macro.h"
#include "output.h"
#include "tests.h"

/* What kukeond's GetRealm/GetSpace return: a document with its status. */
static const char realm_main[] = "apiVersion: v1beta1\n"
                                 "kind: Realm\n"
                                 "metadata:\n"
                                 "  name: main\n"
                                 "spec:\n"
                                 "  namespace: kukeon-main\n"
                                 "status:\n"
                                 "  state: Ready\n"
                                 "  unit: kukeon-main.slice\n"
                                 "  cgroupPath: /kukeon.slice/kukeon-main.slice\n";
static const char realm_demo[] = "---\n"
                                 "apiVersion: v1beta1\n"
                                 "kind: Realm\n"
                                 "metadata: {name: demo}\n"
                                 "spec: {namespace: kukeon-demo}\n"
                                 "status: {state: Creating, unit: kukeon-demo.slice}\n";
static const char space_web[] = "apiVersion: v1beta1\n"
                                "kind: Space\n"
                                "metadata: {name: web}\n"
                                "spec: {realmId: demo}\n"
                                "status: {state: Ready, unit: kukeon-demo-web.slice, subnet: 10.88.3.0/24}\n";

/* What GetCell returns: the cell with its status, containers included. */
static const char cell_web[] = "apiVersion: v1beta1\n"
                               "kind: Cell\n"
                               "metadata: {name: hello-world}\n"
                               "spec:\n"
                               "  realmId: main\n"
                               "  spaceId: default\n"
                               "  stackId: default\n"
                               "  containers:\n"
                               "    - {id: web, image: busybox}\n"
                               "    - {id: side, image: busybox}\n"
                               "status:\n"
                               "  state: Ready\n"
                               "  unit: kukeon-main-default-default-hello\\x2dworld.scope\n"
                               "  network: {ip: 10.88.0.5}\n"
                               "  containers:\n"
                               "    - {name: web, state: Ready}\n"
                               "    - {name: side, state: Stopped}\n";
static const char cell_stopped[] = "apiVersion: v1beta1\n"
                                   "kind: Cell\n"
                                   "metadata: {name: bare}\n"
                                   "spec: {realmId: main, spaceId: default, stackId: default}\n"
                                   "status: {state: Stopped, unit: kukeon-main-default-default-bare.scope}\n";

/* What GetContainer returns: one container of a cell, spec and status. */
static const char container_side[] = "apiVersion: v1beta1\n"
                                     "kind: Container\n"
                                     "metadata: {name: side}\n"
                                     "spec: {id: side, realmId: main, spaceId: default, stackId: default, cellId: site,\n"
                                     "       image: docker.io/library/busybox:latest, command: sleep, args: ['3600']}\n"
                                     "status: {name: side, state: Stopped, exitCode: 137, exitSignal: KILL}\n";
static const char container_web[] = "apiVersion: v1beta1\n"
                                    "kind: Container\n"
                                    "spec: {id: web, cellId: site, root: true, image: busybox}\n"
                                    "status: {state: Ready}\n";

static void test_format_parse(void) {
        OutputFormat f;
        ASSERT_OK(output_format_parse("yaml", &f));
        ASSERT_EQ(f, OUTPUT_YAML);
        ASSERT_OK(output_format_parse("json", &f));
        ASSERT_EQ(f, OUTPUT_JSON);
        ASSERT_OK(output_format_parse("name", &f));
        ASSERT_EQ(f, OUTPUT_NAME);
        ASSERT_OK(output_format_parse("names", &f));
        ASSERT_EQ(f, OUTPUT_NAME);
        ASSERT_ERROR(output_format_parse("table", &f), EINVAL);
        ASSERT_ERROR(output_format_parse("JSON", &f), EINVAL);
}

static json_t *parse_json(const char *s) {
        json_error_t e;
        json_t *j = json_loads(s, 0, &e);
        if (!j)
                fprintf(stderr, "not JSON (%s): %s\n", e.text, s);
        ASSERT_NOT_NULL(j);
        return j;
}

static void test_json_shapes(void) {
        char *texts[] = { (char *) realm_main, (char *) realm_demo, NULL };
        _cleanup_free_ char *one = NULL, *list_of_one = NULL, *two = NULL, *none = NULL;

        /* get realm NAME: one object */
        ASSERT_OK(output_documents(OUTPUT_JSON, RESOURCE_REALM, texts, 1, true, &one, NULL));
        json_t *j = parse_json(one);
        ASSERT_TRUE(json_is_object(j));
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "metadata"), "name")), "main");
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "status"), "state")), "Ready");
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "status"), "unit")), "kukeon-main.slice");
        json_decref(j);

        /* get realms: an array, even of one */
        ASSERT_OK(output_documents(OUTPUT_JSON, RESOURCE_REALM, texts, 1, false, &list_of_one, NULL));
        j = parse_json(list_of_one);
        ASSERT_TRUE(json_is_array(j));
        ASSERT_EQ(json_array_size(j), 1);
        json_decref(j);

        ASSERT_OK(output_documents(OUTPUT_JSON, RESOURCE_REALM, texts, 2, false, &two, NULL));
        j = parse_json(two);
        ASSERT_EQ(json_array_size(j), 2);
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(json_array_get(j, 1), "status"), "state")), "Creating");
        json_decref(j);

        /* an empty list is [] */
        ASSERT_OK(output_documents(OUTPUT_JSON, RESOURCE_REALM, texts, 0, false, &none, NULL));
        ASSERT_STREQ(none, "[]\n");
}

static void test_yaml_shapes(void) {
        char *texts[] = { (char *) realm_main, (char *) realm_demo, NULL };
        _cleanup_free_ char *one = NULL, *two = NULL, *none = NULL;

        ASSERT_OK(output_documents(OUTPUT_YAML, RESOURCE_REALM, texts, 1, true, &one, NULL));
        ASSERT_TRUE(strncmp(one, "apiVersion: v1beta1\nkind: Realm\n", 32) == 0);
        ASSERT_NULL(strstr(one, "---"));
        ASSERT_NOT_NULL(strstr(one, "state: Ready\n"));

        /* documents of a list are separated by --- and read back as a stream */
        ASSERT_OK(output_documents(OUTPUT_YAML, RESOURCE_REALM, texts, 2, false, &two, NULL));
        const char *sep = strstr(two, "---\n");
        ASSERT_NOT_NULL(sep);
        ASSERT_NULL(strstr(sep + 1, "---"));
        ASSERT_NOT_NULL(strstr(sep, "name: demo\n"));

        ASSERT_OK(output_documents(OUTPUT_YAML, RESOURCE_REALM, texts, 0, false, &none, NULL));
        ASSERT_STREQ(none, "");
}

static void test_names(void) {
        char *texts[] = { (char *) realm_main, (char *) realm_demo, NULL };
        _cleanup_free_ char *s = NULL;

        ASSERT_OK(output_documents(OUTPUT_NAME, RESOURCE_REALM, texts, 2, false, &s, NULL));
        ASSERT_STREQ(s, "main\ndemo\n");
}

static void test_bad_documents(void) {
        char *wrong_kind[] = { (char *) space_web, NULL };
        char *garbage[] = { (char *) "kind: [", NULL };
        char *out = NULL, *msg = NULL;

        ASSERT_ERROR(output_documents(OUTPUT_JSON, RESOURCE_REALM, wrong_kind, 1, true, &out, &msg), EBADMSG);
        ASSERT_NULL(out);
        ASSERT_NOT_NULL(strstr(msg, "realm document"));
        ASSERT_NOT_NULL(strstr(msg, "expected a Realm document, found Space"));
        msg = mfree(msg);

        ASSERT_ERROR(output_documents(OUTPUT_YAML, RESOURCE_SPACE, garbage, 1, true, &out, &msg), EBADMSG);
        ASSERT_NOT_NULL(msg);
        msg = mfree(msg);
}

static void test_tables(void) {
        _cleanup_(table_freep) Table *realms = output_table_new(RESOURCE_REALM), *spaces = output_table_new(RESOURCE_SPACE),
                                     *stacks = output_table_new(RESOURCE_STACK);
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *msg = NULL;

        ASSERT_OK(output_table_add_document(realms, RESOURCE_REALM, realm_main, NULL));
        ASSERT_OK(output_table_add_document(realms, RESOURCE_REALM, realm_demo, NULL));
        ASSERT_OK(table_format(realms, &a));
        ASSERT_STREQ(a, "NAME   STATE      UNIT                NAMESPACE\n"
                        "main   Ready      kukeon-main.slice   kukeon-main\n"
                        "demo   Creating   kukeon-demo.slice   kukeon-demo\n");

        ASSERT_OK(output_table_add_document(spaces, RESOURCE_SPACE, space_web, NULL));
        ASSERT_OK(table_format(spaces, &b));
        ASSERT_STREQ(b, "NAME   STATE   UNIT                    SUBNET\n"
                        "web    Ready   kukeon-demo-web.slice   10.88.3.0/24\n");

        ASSERT_OK(table_format(stacks, &c));
        ASSERT_STREQ(c, "NAME   STATE   UNIT\n");

        ASSERT_ERROR(output_table_add_document(realms, RESOURCE_REALM, space_web, &msg), EBADMSG);
        ASSERT_NOT_NULL(msg);
        ASSERT_EQ(table_get_rows(realms), 2);
}

static void test_cell_table(void) {
        _cleanup_(table_freep) Table *t = output_table_new(RESOURCE_CELL);
        _cleanup_free_ char *a = NULL, *j = NULL, *msg = NULL;

        ASSERT_OK(output_table_add_document(t, RESOURCE_CELL, cell_web, NULL));
        ASSERT_OK(output_table_add_document(t, RESOURCE_CELL, cell_stopped, NULL));
        ASSERT_OK(table_format(t, &a));
        ASSERT_STREQ(a, "NAME          STATE     IP          CONTAINERS   UNIT\n"
                        "hello-world   Ready     10.88.0.5   1/2          kukeon-main-default-default-hello\\x2dworld.scope\n"
                        "bare          Stopped   -           0/0          kukeon-main-default-default-bare.scope\n");
        ASSERT_ERROR(output_table_add_document(t, RESOURCE_CELL, realm_main, &msg), EBADMSG);
        ASSERT_NOT_NULL(strstr(msg, "cell document"));

        /* -o json of one cell: the full status */
        char *texts[] = { (char *) cell_web, NULL };
        ASSERT_OK(output_documents(OUTPUT_JSON, RESOURCE_CELL, texts, 1, true, &j, NULL));
        json_t *o = parse_json(j);
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(json_object_get(o, "status"), "network"), "ip")), "10.88.0.5");
        ASSERT_EQ(json_array_size(json_object_get(json_object_get(o, "status"), "containers")), 2);
        json_decref(o);
}

static void test_container_table(void) {
        _cleanup_(table_freep) Table *t = output_table_new(RESOURCE_CONTAINER);
        _cleanup_free_ char *out = NULL, *j = NULL, *names = NULL, *msg = NULL;

        /* a row from the document, and one as ListContainers reports it */
        ASSERT_OK(output_table_add_document(t, RESOURCE_CONTAINER, container_web, NULL));
        ASSERT_OK(output_table_add_container(t, "side", "Stopped", "docker.io/library/busybox:latest", false));
        ASSERT_OK(table_format(t, &out));
        ASSERT_STREQ(out, "NAME   STATE     IMAGE                              ROOT\n"
                          "web    Ready     busybox                            yes\n"
                          "side   Stopped   docker.io/library/busybox:latest   no\n");
        ASSERT_ERROR(output_table_add_document(t, RESOURCE_CONTAINER, cell_web, &msg), EBADMSG);
        ASSERT_NOT_NULL(strstr(msg, "container document"));

        /* -o json: the exit signal is there; -o name: the spec's id without metadata.name */
        char *texts[] = { (char *) container_side, (char *) container_web, NULL };
        ASSERT_OK(output_documents(OUTPUT_JSON, RESOURCE_CONTAINER, texts, 1, true, &j, NULL));
        json_t *d = parse_json(j);
        ASSERT_STREQ(json_string_value(json_object_get(d, "kind")), "Container");
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(d, "status"), "exitSignal")), "KILL");
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(d, "status"), "state")), "Stopped");
        json_decref(d);
        ASSERT_OK(output_documents(OUTPUT_NAME, RESOURCE_CONTAINER, texts, 2, false, &names, NULL));
        ASSERT_STREQ(names, "side\nweb\n");
}

TEST_MAIN(test_format_parse, test_json_shapes, test_yaml_shapes, test_names, test_bad_documents, test_tables, test_cell_table,
          test_container_table)
