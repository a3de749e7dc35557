/* SPDX-License-Identifier: Apache-2.0 */
/* The CNI runtime logic against fake plugins (shell scripts in a scratch directory of the
 * build tree): config assembly, prevResult chaining, DEL order, error objects, timeouts,
 * missing plugins and bad lists. The real plugins run in the integration test cni-exec. */

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cni-exec.h"
#include "macro.h"
#include "tests.h"

static char dir[] = "test-cni-exec.XXXXXX";
static char log_path[600];

static void plugin(const char *name, const char *body) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", dir, name);
        FILE *f = fopen(p, "we");
        ASSERT_TRUE(f);
        fprintf(f, "#!/bin/sh\n%s\n", body);
        fclose(f);
        ASSERT_OK(chmod(p, 0755) < 0 ? -errno : 0);
}

static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return strdup("");
        char *s = NULL;
        size_t n = 0;
        ssize_t k = getdelim(&s, &n, 0, f);
        fclose(f);
        if (k < 0) {
                free(s);
                return strdup("");
        }
        return s;
}

static const char *list2 = "{\"cniVersion\":\"1.0.0\",\"name\":\"k-test\",\"plugins\":["
                           "{\"type\":\"fake-a\",\"bridge\":\"k-1\"},{\"type\":\"fake-b\"}]}";

static void test_add_chains_results(void) {
        CniRuntime rt = { .container_id = "c1", .netns = "/proc/1/ns/net", .plugin_path = dir };
        json_t *res = NULL;
        char *err = NULL;
        ASSERT_OK(cni_conflist_add(list2, &rt, &res, &err));
        ASSERT_NULL(err);

        /* b saw a's result as prevResult, and both saw the list's name and version. */
        _cleanup_free_ char *log = slurp(log_path);
        ASSERT_TRUE(strstr(log, "fake-a ADD c1 /proc/1/ns/net eth0 {"));
        ASSERT_TRUE(strstr(log, "\"name\":\"k-test\""));
        ASSERT_TRUE(strstr(log, "\"bridge\":\"k-1\""));
        ASSERT_TRUE(strstr(log, "fake-b ADD"));
        ASSERT_TRUE(strstr(log, "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.88.3.2/24\""));

        _cleanup_free_ char *ip = NULL, *gw = NULL;
        ASSERT_OK(cni_result_ipv4(res, &ip, &gw));
        ASSERT_STREQ(ip, "10.88.3.2");
        ASSERT_STREQ(gw, "10.88.3.1");
        json_t *empty = json_object();
        ASSERT_EQ(cni_result_ipv4(empty, &ip, &gw), -ENODATA);
        json_decref(empty);

        /* DEL runs the plugins in reverse order. */
        unlink(log_path);
        ASSERT_OK(cni_conflist_del(list2, &rt, res, &err));
        json_decref(res);
        _cleanup_free_ char *dlog = slurp(log_path);
        char *b = strstr(dlog, "fake-b DEL"), *a = strstr(dlog, "fake-a DEL");
        ASSERT_TRUE(a && b && b < a);
}

static void test_errors(void) {
        CniRuntime rt = { .container_id = "c1", .netns = "/proc/1/ns/net", .plugin_path = dir };
        json_t *res = NULL;
        char *err = NULL;

        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake-fail\"}]}",
                                   &rt, &res, &err), -EIO);
        ASSERT_STREQ(err, "plugin fake-fail (ADD): failed to set bridge addr: address in use");
        err = mfree(err);

        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake-mute\"}]}",
                                   &rt, &res, &err), -EIO);
        ASSERT_STREQ(err, "plugin fake-mute (ADD): oops on stderr");
        err = mfree(err);

        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"nope\"}]}",
                                   &rt, &res, &err), -ENOENT);
        ASSERT_TRUE(strstr(err, "plugin nope: not found"));
        err = mfree(err);

        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../bin/sh\"}]}",
                                   &rt, &res, &err), -EINVAL);
        err = mfree(err);

        ASSERT_EQ(cni_conflist_add("{\"name\":\"n\",\"plugins\":[]}", &rt, &res, &err), -EINVAL);
        ASSERT_TRUE(strstr(err, "cniVersion"));
        err = mfree(err);
        ASSERT_EQ(cni_conflist_add("not json", &rt, &res, &err), -EINVAL);
        ASSERT_TRUE(strstr(err, "line 1"));
        err = mfree(err);

        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake-garbage\"}]}",
                                   &rt, &res, &err), -EIO);
        ASSERT_TRUE(strstr(err, "not a JSON object"));
        err = mfree(err);

        CniRuntime no_ns = { .container_id = "c1", .plugin_path = dir };
        ASSERT_EQ(cni_conflist_add(list2, &no_ns, &res, &err), -EINVAL);
        err = mfree(err);

        /* A plugin that prints without end is stopped at the output cap. */
        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake-flood\"}]}",
                                   &rt, &res, &err), -EFBIG);
        ASSERT_TRUE(strstr(err, "plugin fake-flood (ADD): "));
        err = mfree(err);

        /* A plugin that never reads its config is no trouble. */
        ASSERT_OK(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake-noread\"}]}",
                                   &rt, &res, &err));
        ASSERT_NULL(err);
        json_decref(res);
        res = NULL;

        /* A plugin that hangs is killed at the deadline. */
        CniRuntime quick = rt;
        quick.timeout_usec = 200 * 1000;
        ASSERT_EQ(cni_conflist_add("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake-hang\"}]}",
                                   &quick, &res, &err), -ETIMEDOUT);
        ASSERT_TRUE(strstr(err, "killed"));
        err = mfree(err);
}

int main(void) {
        ASSERT_TRUE(mkdtemp(dir));
        char abs[512];
        ASSERT_TRUE(realpath(dir, abs));
        snprintf(log_path, sizeof log_path, "%s/log", abs);

        char body[4096];
        snprintf(body, sizeof body,
                 "printf '%%s %%s %%s %%s %%s ' \"$(basename $0)\" \"$CNI_COMMAND\" \"$CNI_CONTAINERID\" \"$CNI_NETNS\" \"$CNI_IFNAME\" >>%s\n"
                 "cat >>%s; echo >>%s\n"
                 "[ \"$CNI_COMMAND\" = DEL ] && exit 0\n"
                 "echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.88.3.2/24\",\"gateway\":\"10.88.3.1\"}]}'",
                 log_path, log_path, log_path);
        plugin("fake-a", body);
        plugin("fake-b", body);
        plugin("fake-fail", "cat >/dev/null; echo '{\"code\":11,\"msg\":\"failed to set bridge addr\",\"details\":\"address in use\"}'; exit 1");
        plugin("fake-mute", "cat >/dev/null; echo 'oops on stderr' >&2; exit 3");
        plugin("fake-garbage", "cat >/dev/null; echo '[1,2]'");
        plugin("fake-hang", "exec sleep 30");
        plugin("fake-flood", "cat >/dev/null; exec yes");
        plugin("fake-noread", "echo '{\"cniVersion\":\"1.0.0\"}'");

        test_add_chains_results();
        test_errors();

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
        ASSERT_EQ(system(cmd), 0);
        printf("2 tests passed\n");
        return 0;
}
