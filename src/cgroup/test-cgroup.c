/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup.c against a fake hybrid tree in a scratch directory of the build tree: the v1
 * "memory" and "systemd" hierarchies and the unified one, with a cell scope present only in
 * "memory" and "unified", as systemd delegates it. Real cgroupfs is exercised by the
 * integration tests; these check the path logic. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "macro.h"
#include "tests.h"

static char root[] = "test-cgroup.XXXXXX";

static void mk(const char *rel) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        ASSERT_OK(mkdir(p, 0755) < 0 ? -errno : 0);
}

static void put(const char *rel, const char *content) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        FILE *f = fopen(p, "we");
        ASSERT_TRUE(f);
        fputs(content, f);
        fclose(f);
}

static bool exists(const char *rel) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        return access(p, F_OK) == 0;
}

static void test_path_check(void) {
        ASSERT_OK(cgroup_path_check("/"));
        ASSERT_OK(cgroup_path_check("/kukeon.slice/a.scope/web"));
        ASSERT_EQ(cgroup_path_check("kukeon.slice"), -EINVAL);
        ASSERT_EQ(cgroup_path_check("/a/../b"), -EINVAL);
        ASSERT_EQ(cgroup_path_check("/a//b"), -EINVAL);
        ASSERT_EQ(cgroup_path_check("/a/./b"), -EINVAL);
        ASSERT_EQ(cgroup_path_check("/a/"), -EINVAL);
        ASSERT_EQ(cgroup_path_check(NULL), -EINVAL);
}

static void test_tree(void) {
        ASSERT_TRUE(mkdtemp(root));
        cgroup_set_root(root);

        mk("memory");
        put("memory/cgroup.procs", "");
        mk("systemd");
        put("systemd/cgroup.procs", "");
        mk("unified");
        put("unified/cgroup.procs", "");
        put("unified/cgroup.controllers", "");
        mk("not-a-hierarchy");

        CgroupHierarchies h = {};
        ASSERT_OK(cgroup_hierarchies_load(&h));
        ASSERT_EQ(h.n, 3);
        ASSERT_TRUE(h.items[0].unified);        /* the unified one comes first */

        for (const char *const *d = (const char *const[]) { "memory", "unified", NULL }; *d; d++) {
                char p[128];
                snprintf(p, sizeof p, "%s/kukeon.slice", *d);
                mk(p);
                snprintf(p, sizeof p, "%s/kukeon.slice/c.scope", *d);
                mk(p);
        }

        /* The leaf appears where the scope is, and nowhere else. */
        ASSERT_OK(cgroup_create(&h, "/kukeon.slice/c.scope/anchor"));
        ASSERT_TRUE(exists("memory/kukeon.slice/c.scope/anchor"));
        ASSERT_TRUE(exists("unified/kukeon.slice/c.scope/anchor"));
        ASSERT_FALSE(exists("systemd/kukeon.slice"));
        ASSERT_OK(cgroup_create(&h, "/kukeon.slice/c.scope/anchor"));   /* again: fine */
        ASSERT_EQ(cgroup_create(&h, "/nope.slice/c.scope"), -ENOENT);
        ASSERT_EQ(cgroup_create(&h, "/kukeon.slice/../x"), -EINVAL);

        /* attach writes the pid where cgroup.procs exists. */
        put("unified/kukeon.slice/c.scope/anchor/cgroup.procs", "");
        ASSERT_OK(cgroup_attach(&h, "/kukeon.slice/c.scope/anchor", 4242));
        ASSERT_EQ(cgroup_attach(&h, "/kukeon.slice/c.scope/missing", 4242), -ENOENT);
        ASSERT_EQ(cgroup_attach(&h, "/kukeon.slice/c.scope/anchor", 0), -EINVAL);

        /* pids: the whole subtree, from the unified hierarchy, sorted and unique. */
        put("unified/kukeon.slice/c.scope/cgroup.procs", "");
        put("unified/kukeon.slice/c.scope/anchor/cgroup.procs", "77\n5\n");
        mk("unified/kukeon.slice/c.scope/web");
        put("unified/kukeon.slice/c.scope/web/cgroup.procs", "12\n5\n");
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        ASSERT_OK(cgroup_pids(&h, "/kukeon.slice/c.scope", &pids, &n));
        ASSERT_EQ(n, 3);
        ASSERT_EQ(pids[0], 5);
        ASSERT_EQ(pids[1], 12);
        ASSERT_EQ(pids[2], 77);
        ASSERT_EQ(cgroup_pids(&h, "/kukeon.slice/gone.scope", &pids, &n), -ENOENT);

        /* remove: deepest first, every hierarchy; a missing path is success. The fake tree
         * holds regular files, which real cgroupfs directories do not, so clear them first. */
        const char *files[] = { "unified/kukeon.slice/c.scope/anchor/cgroup.procs",
                                "unified/kukeon.slice/c.scope/web/cgroup.procs",
                                "unified/kukeon.slice/c.scope/cgroup.procs" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char p[512];
                snprintf(p, sizeof p, "%s/%s", root, files[i]);
                ASSERT_OK(unlink(p) < 0 ? -errno : 0);
        }
        ASSERT_OK(cgroup_remove(&h, "/kukeon.slice/c.scope"));
        ASSERT_FALSE(exists("unified/kukeon.slice/c.scope"));
        ASSERT_FALSE(exists("memory/kukeon.slice/c.scope"));
        ASSERT_TRUE(exists("memory/kukeon.slice"));
        ASSERT_OK(cgroup_remove(&h, "/kukeon.slice/c.scope"));
        ASSERT_EQ(cgroup_remove(&h, "/"), -EINVAL);

        cgroup_hierarchies_done(&h);
        cgroup_hierarchies_done(&h);    /* idempotent */
        cgroup_set_root(NULL);

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", root);
        ASSERT_EQ(system(cmd), 0);
}

static void test_self(void) {
        _cleanup_free_ char *p = NULL;
        ASSERT_OK(cgroup_path_of_pid(0, &p));
        ASSERT_TRUE(p[0] == '/');
        ASSERT_OK(cgroup_path_check(p));
}

TEST_MAIN(test_path_check, test_tree, test_self)
