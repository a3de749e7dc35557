/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The cgroup tree as kukeond needs it inside a delegated cell scope (design.md §2): make a
 * leaf ("anchor", a container's name) in every hierarchy the scope exists in, move a process
 * there, list the processes below a path, and remove a leaf once it is empty.
 *
 * Paths are cgroup paths as PID 1 reports them in ControlGroup ("/kukeon.slice/…/x.scope"),
 * absolute within each hierarchy. The same code serves the unified (cgroup v2) layout and the
 * hybrid one (v1 controllers + name=systemd + unified): on hybrid hosts a path is made in
 * every hierarchy whose parent directory exists, which is exactly the set systemd delegated.
 *
 * The root of the tree is /sys/fs/cgroup; cgroup_set_root() changes it for unit tests, which
 * build a fake tree in a temporary directory. */

#include <stdbool.h>
#include <sys/types.h>

#define CGROUP_ROOT_DEFAULT "/sys/fs/cgroup"

typedef struct CgroupHierarchy {
        char *mount_point;      /* absolute directory, e.g. /sys/fs/cgroup/memory */
        bool unified;           /* cgroup2 */
} CgroupHierarchy;

typedef struct CgroupHierarchies {
        CgroupHierarchy *items;
        size_t n;
} CgroupHierarchies;

/* For unit tests: the directory standing in for /sys/fs/cgroup. NULL restores the default. */
void cgroup_set_root(const char *root);

/* Every cgroup hierarchy mounted below the root, from /proc/self/mountinfo (or, when the
 * root was changed, the root itself when it has cgroup.procs plus each subdirectory that
 * has one). Never empty on success: -ENOMEDIUM when no hierarchy is mounted. */
int cgroup_hierarchies_load(CgroupHierarchies *ret);
void cgroup_hierarchies_done(CgroupHierarchies *h);

/* -EINVAL unless 'path' is absolute, has no "." or ".." segment and no empty segment. */
int cgroup_path_check(const char *path);

/* Makes 'path' in every hierarchy where its parent exists. Existing directories are fine.
 * -ENOENT when the parent exists in no hierarchy (the scope is not there). */
int cgroup_create(const CgroupHierarchies *h, const char *path);

/* Moves 'pid' into 'path' in every hierarchy where 'path' exists. */
int cgroup_attach(const CgroupHierarchies *h, const char *path, pid_t pid);

/* The processes in 'path' and below it, read from the first hierarchy that has it (the
 * unified one first). Sorted, no duplicates. -ENOENT when no hierarchy has the path. */
int cgroup_pids(const CgroupHierarchies *h, const char *path, pid_t **ret, size_t *ret_n);

/* Removes 'path' and its empty subdirectories in every hierarchy, deepest first. A
 * directory still holding processes gives -EBUSY, after the others were tried; a path
 * that is gone already is success. */
int cgroup_remove(const CgroupHierarchies *h, const char *path);

/* The path of 'pid' (0: self) in the unified hierarchy, else in name=systemd — the one
 * systemd's ControlGroup names. */
int cgroup_path_of_pid(pid_t pid, char **ret);
