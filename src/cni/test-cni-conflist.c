/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "cni-conflist.h"
#include "fileio.h"
#include "macro.h"
#include "tests.h"

static void test_build(void) {
        _cleanup_free_ char *text = NULL;
        json_error_t err;

        ASSERT_OK(cni_conflist_build("main", "default", 7, true, &text));
        json_t *j = json_loads(text, 0, &err);
        ASSERT_NOT_NULL(j);
        ASSERT_STREQ(json_string_value(json_object_get(j, "name")), "main-default");
        ASSERT_STREQ(json_string_value(json_object_get(j, "cniVersion")), CNI_VERSION);
        json_t *plugins = json_object_get(j, "plugins");
        ASSERT_EQ(json_array_size(plugins), 2);
        json_t *b = json_array_get(plugins, 0);
        ASSERT_STREQ(json_string_value(json_object_get(b, "type")), "bridge");
        /* FNV-1a-32 of "main-default", the naming layer's bridge name */
        const char *br = json_string_value(json_object_get(b, "bridge"));
        ASSERT_TRUE(br && strncmp(br, "k-", 2) == 0 && strlen(br) == 10);
        ASSERT_TRUE(json_is_true(json_object_get(b, "isGateway")));
        /* kukeond masquerades per space; the plugin must not build a nat chain per cell */
        ASSERT_TRUE(json_is_false(json_object_get(b, "ipMasq")));
        json_t *ipam = json_object_get(b, "ipam");
        ASSERT_STREQ(json_string_value(json_object_get(ipam, "type")), "host-local");
        json_t *range = json_array_get(json_array_get(json_object_get(ipam, "ranges"), 0), 0);
        ASSERT_STREQ(json_string_value(json_object_get(range, "subnet")), "10.88.7.0/24");
        ASSERT_STREQ(json_string_value(json_object_get(range, "gateway")), "10.88.7.1");
        ASSERT_STREQ(json_string_value(json_object_get(range, "rangeStart")), "10.88.7.2");
        ASSERT_STREQ(json_string_value(json_object_get(range, "rangeEnd")), "10.88.7.254");
        ASSERT_STREQ(json_string_value(json_object_get(json_array_get(plugins, 1), "type")), "portmap");
        ASSERT_EQ(text[strlen(text) - 1], '\n');
        json_decref(j);

        /* without portmap, only the bridge */
        _cleanup_free_ char *t2 = NULL;
        ASSERT_OK(cni_conflist_build("a", "b", 0, false, &t2));
        j = json_loads(t2, 0, &err);
        ASSERT_NOT_NULL(j);
        ASSERT_EQ(json_array_size(json_object_get(j, "plugins")), 1);
        json_decref(j);

        ASSERT_ERROR(cni_conflist_build("", "b", 0, false, &t2), EINVAL);
        ASSERT_ERROR(cni_conflist_build("a", NULL, 0, false, &t2), EINVAL);
}

static void test_path_write_remove(void) {
        char tmpl[] = "/tmp/test-cni-XXXXXX";
        ASSERT_NOT_NULL(mkdtemp(tmpl));
        _cleanup_free_ char *dir = NULL, *p = NULL, *d = NULL, *back = NULL;
        ASSERT_TRUE(asprintf(&dir, "%s/etc/cni/net.d", tmpl) > 0);

        ASSERT_OK(cni_conflist_path(NULL, "r", "s", &d));
        ASSERT_STREQ(d, "/etc/cni/net.d/r-s.conflist");
        ASSERT_OK(cni_conflist_path(dir, "r", "s", &p));

        ASSERT_OK(cni_conflist_write(p, "{}\n"));
        struct stat st;
        ASSERT_OK(stat(p, &st));
        ASSERT_EQ(st.st_mode & 07777, 0644);
        ASSERT_OK(read_file_full(p, 1024, &back, NULL));
        ASSERT_STREQ(back, "{}\n");
        ASSERT_OK(cni_conflist_remove(p));
        ASSERT_ERROR(cni_conflist_remove(p), ENOENT);

        ASSERT_FALSE(cni_plugin_available(dir, "bridge"));
        ASSERT_FALSE(cni_plugin_available(NULL, "../bin/sh"));

        _cleanup_close_ int tmp = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(tmp >= 0);
        ASSERT_OK(rm_rf_at(tmp, tmpl + strlen("/tmp/")));
}

TEST_MAIN(test_build, test_path_write_remove)
