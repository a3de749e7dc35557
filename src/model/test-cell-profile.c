/* SPDX-License-Identifier: Apache-2.0 */
/* CellProfile: ${KEY} substitution, declared parameters only, --param > default >
 * environment, required parameters, <prefix>-<6hex> names. */

#include <ctype.h>

#include "cell-profile.h"
#include "document.h"
#include "manifest.h"
#include "tests.h"

static const CellProfileDoc *load_unchecked(const char *text, DocumentList **ret_list) {
        DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        ASSERT_NULL(l->documents[0].error);
        *ret_list = l;
        return l->documents[0].object;
}

static CellProfileDoc *load(const char *text, DocumentList **ret_list) {
        DocumentList *l = NULL;
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        ASSERT_OK(manifest_check_list(l, NULL));
        ASSERT_EQ(l->n_documents, 1);
        ASSERT_NULL(l->documents[0].error);
        *ret_list = l;
        return l->documents[0].object;
}

#define PROFILE(params, body)                                                                        \
        "apiVersion: v1beta1\nkind: CellProfile\nmetadata: {name: dev}\nspec:\n  parameters: " params \
        "\n  cell:\n    containers: [" body "]\n"

static void test_substitution_precedence(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        const CellProfileDoc *p = load(PROFILE("[{name: A, default: from-default}, {name: B}, {name: C, default: \"\"}, {name: D}]",
                                               "{id: x, image: \"${A}\", command: \"${B}\", workingDir: \"/${C}w\", args: [\"${D}-${A}\"]}"),
                                       &l);
        char *params[] = { (char *) "A=from-param", NULL };
        char *env[] = { (char *) "A=from-env", (char *) "B=/bin/from-env", (char *) "C=from-env", NULL };
        ProfileInputs in = { .params = params, .environment = env };
        CellDoc *c = NULL;
        ASSERT_OK(cell_profile_materialize(p, &in, &c, NULL));

        const ContainerSpec *x = &c->spec.containers[0];
        ASSERT_STREQ(x->image, "from-param");     /* --param beats default and environment */
        ASSERT_STREQ(x->command, "/bin/from-env"); /* no default: environment */
        ASSERT_STREQ(x->working_dir, "/w");        /* an explicit "" default stops before the environment */
        ASSERT_STREQ(x->args[0], "-from-param");   /* unset and not required: empty */
        schema_free(&cell_doc_schema, c);

        /* Without --param, the default wins over the environment. */
        in.params = NULL;
        ASSERT_OK(cell_profile_materialize(p, &in, &c, NULL));
        ASSERT_STREQ(c->spec.containers[0].image, "from-default");
        schema_free(&cell_doc_schema, c);
}

static void test_undeclared_references_refused_at_load(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        const char *text = PROFILE("[{name: A}]", "{id: x, image: \"${IMAGE}\"}");
        ASSERT_OK(document_list_parse(text, strlen(text), &l));
        ASSERT_EQ(manifest_check_list(l, NULL), 1);
        ASSERT_STREQ(l->documents[0].error,
                     "line 7, column 33: spec.cell.containers[0].image: ${IMAGE} is not a declared parameter (declare it under spec.parameters)");
}

static void test_undeclared_references_refused(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        const CellProfileDoc *p = load_unchecked(PROFILE("[{name: A}]", "{id: x, image: \"${IMAGE}\"}"), &l);
        _cleanup_free_ char *msg = NULL;
        ASSERT_ERROR(cell_profile_check_references(p, &msg), EINVAL);
        ASSERT_STREQ(msg, "spec.cell.containers[0].image: ${IMAGE} is not a declared parameter (declare it under spec.parameters)");

        CellDoc *c = NULL;
        _cleanup_free_ char *msg2 = NULL;
        ASSERT_ERROR(cell_profile_materialize(p, NULL, &c, &msg2), EINVAL);
        ASSERT_NULL(c);

        _cleanup_(document_list_freep) DocumentList *l2 = NULL;
        const CellProfileDoc *p2 = load_unchecked(PROFILE("[{name: A}]", "{id: x, image: \"${A\"}"), &l2);
        _cleanup_free_ char *msg3 = NULL;
        ASSERT_ERROR(cell_profile_check_references(p2, &msg3), EINVAL);
        ASSERT_NOT_NULL(strstr(msg3, "unterminated"));
}

static void test_unknown_param_and_required(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        const CellProfileDoc *p = load(PROFILE("[{name: IMAGE, required: true}]", "{id: x, image: \"${IMAGE}\"}"), &l);
        CellDoc *c = NULL;

        _cleanup_free_ char *m1 = NULL;
        ASSERT_ERROR(cell_profile_materialize(p, NULL, &c, &m1), EINVAL);
        ASSERT_STREQ(m1, "parameter IMAGE of profile \"dev\" is required: pass --param IMAGE=VALUE");

        char *bad[] = { (char *) "IMAGEE=x", NULL };
        ProfileInputs in = { .params = bad };
        _cleanup_free_ char *m2 = NULL;
        ASSERT_ERROR(cell_profile_materialize(p, &in, &c, &m2), EINVAL);
        ASSERT_STREQ(m2, "--param IMAGEE: profile \"dev\" declares no such parameter");

        char *noeq[] = { (char *) "IMAGE", NULL };
        in.params = noeq;
        _cleanup_free_ char *m3 = NULL;
        ASSERT_ERROR(cell_profile_materialize(p, &in, &c, &m3), EINVAL);

        /* The environment satisfies a required parameter. */
        char *env[] = { (char *) "IMAGE=busybox", NULL };
        ProfileInputs in2 = { .environment = env };
        ASSERT_OK(cell_profile_materialize(p, &in2, &c, NULL));
        ASSERT_STREQ(c->spec.containers[0].image, "busybox");
        schema_free(&cell_doc_schema, c);
}

static void test_names_and_location(void) {
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        const CellProfileDoc *p = load("apiVersion: v1beta1\nkind: CellProfile\nmetadata: {name: dev}\n"
                                       "spec:\n  realm: r\n  prefix: box\n  cell: {containers: [{id: x, image: i}]}\n",
                                       &l);
        CellDoc *a = NULL, *b = NULL;
        ASSERT_OK(cell_profile_materialize(p, NULL, &a, NULL));
        ASSERT_OK(cell_profile_materialize(p, NULL, &b, NULL));
        ASSERT_EQ(strlen(a->metadata.name), strlen("box-") + 6);
        ASSERT_EQ(strncmp(a->metadata.name, "box-", 4), 0);
        for (const char *h = a->metadata.name + 4; *h; h++)
                ASSERT_TRUE(isxdigit((unsigned char) *h) && !isupper((unsigned char) *h));
        ASSERT_STREQ(a->spec.realm_id, "r");
        ASSERT_STREQ(a->spec.space_id, "default");
        ASSERT_STREQ(a->spec.stack_id, "default");
        ASSERT_STREQ(a->kind, "Cell");
        ASSERT_STREQ(a->metadata.labels[1], "dev");
        schema_free(&cell_doc_schema, a);
        schema_free(&cell_doc_schema, b);

        ProfileInputs in = { .name = "mine" };
        ASSERT_OK(cell_profile_materialize(p, &in, &a, NULL));
        ASSERT_STREQ(a->metadata.name, "mine");
        schema_free(&cell_doc_schema, a);
}

TEST_MAIN(test_substitution_precedence,
          test_undeclared_references_refused_at_load,
          test_undeclared_references_refused,
          test_unknown_param_and_required,
          test_names_and_location)
