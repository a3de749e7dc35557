/* SPDX-License-Identifier: Apache-2.0 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "macro.h"

static const char *cgroup_root = CGROUP_ROOT_DEFAULT;

void cgroup_set_root(const char *root) {
        cgroup_root = root ?: CGROUP_ROOT_DEFAULT;
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

void cgroup_hierarchies_done(CgroupHierarchies *h) {
        if (!h)
                return;
        for (size_t i = 0; i < h->n; i++)
                free(h->items[i].mount_point);
        h->items = mfree(h->items);
        h->n = 0;
}

static bool path_is_below(const char *path, const char *root) {
        size_t n = strlen(root);
        return strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static int hierarchies_add(CgroupHierarchies *h, const char *mount_point, bool unified) {
        for (size_t i = 0; i < h->n; i++)
                if (streq(h->items[i].mount_point, mount_point))
                        return 0;
        CgroupHierarchy *n = reallocarray(h->items, h->n + 1, sizeof *n);
        if (!n)
                return -ENOMEM;
        h->items = n;
        char *m = strdup(mount_point);
        if (!m)
                return -ENOMEM;
        h->items[h->n++] = (CgroupHierarchy) { .mount_point = m, .unified = unified };
        return 0;
}

/* mountinfo escapes blanks and backslashes as \ooo. */
static void unescape_octal(char *s) {
        char *w = s;
        for (char *r = s; *r; r++, w++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
                        *w = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                        r += 3;
                } else
                        *w = *r;
        }
        *w = 0;
}

static int hierarchies_from_mountinfo(CgroupHierarchies *h) {
        _cleanup_(fclosep) FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;

        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        while (getline(&line, &size, f) >= 0) {
                /* id parent maj:min root mount-point options [optional…] - fstype source super */
                char *sep = strstr(line, " - ");
                if (!sep)
                        continue;
                char fstype[32];
                if (sscanf(sep + 3, "%31s", fstype) != 1)
                        continue;
                bool unified = streq(fstype, "cgroup2");
                if (!unified && !streq(fstype, "cgroup"))
                        continue;
                char mount_point[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mount_point) != 1)
                        continue;
                unescape_octal(mount_point);
                if (!path_is_below(mount_point, cgroup_root))
                        continue;
                int r = hierarchies_add(h, mount_point, unified);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool dir_has(const char *dir, const char *file) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return false;
        return access(p, F_OK) == 0;
}

/* A fake tree for tests: the root itself when it is a hierarchy, else every subdirectory
 * that is one. */
static int hierarchies_from_tree(CgroupHierarchies *h) {
        if (dir_has(cgroup_root, "cgroup.procs"))
                return hierarchies_add(h, cgroup_root, dir_has(cgroup_root, "cgroup.controllers"));

        _cleanup_(closedirp) DIR *d = opendir(cgroup_root);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", cgroup_root, de->d_name) < 0)
                        return -ENOMEM;
                if (!dir_has(p, "cgroup.procs"))
                        continue;
                int r = hierarchies_add(h, p, dir_has(p, "cgroup.controllers"));
                if (r < 0)
                        return r;
        }
        return 0;
}

int cgroup_hierarchies_load(CgroupHierarchies *ret) {
        CgroupHierarchies h = {};
        int r = streq(cgroup_root, CGROUP_ROOT_DEFAULT) ? hierarchies_from_mountinfo(&h) : hierarchies_from_tree(&h);
        if (r >= 0 && h.n == 0)
                r = -ENOMEDIUM;
        if (r < 0) {
                cgroup_hierarchies_done(&h);
                return r;
        }
        /* The unified hierarchy first: it is the one cgroup_pids() prefers. */
        for (size_t i = 1; i < h.n; i++)
                if (h.items[i].unified && !h.items[0].unified) {
                        CgroupHierarchy t = h.items[0];
                        h.items[0] = h.items[i];
                        h.items[i] = t;
                }
        *ret = h;
        return 0;
}

int cgroup_path_check(const char *path) {
        if (!path || path[0] != '/')
                return -EINVAL;
        if (streq(path, "/"))
                return 0;
        for (const char *s = path + 1;;) {
                const char *e = strchrnul(s, '/');
                size_t n = (size_t) (e - s);
                if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
                        return -EINVAL;
                if (!*e)
                        return 0;
                s = e + 1;
        }
}

static char *join(const char *mount_point, const char *path, const char *file) {
        char *p;
        if (asprintf(&p, "%s%s%s%s", mount_point, streq(path, "/") ? "" : path, file ? "/" : "", file ?: "") < 0)
                return NULL;
        return p;
}

static char *parent_of(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
}

int cgroup_create(const CgroupHierarchies *h, const char *path) {
        int r = cgroup_path_check(path);
        if (r < 0)
                return r;
        _cleanup_free_ char *parent = parent_of(path);
        if (!parent)
                return -ENOMEM;

        bool made = false;
        for (size_t i = 0; i < h->n; i++) {
                _cleanup_free_ char *pd = join(h->items[i].mount_point, parent, NULL);
                _cleanup_free_ char *d = join(h->items[i].mount_point, path, NULL);
                if (!pd || !d)
                        return -ENOMEM;
                if (access(pd, F_OK) < 0)
                        continue;
                if (mkdir(d, 0755) < 0 && errno != EEXIST)
                        return -errno;
                made = true;
        }
        return made ? 0 : -ENOENT;
}

int cgroup_attach(const CgroupHierarchies *h, const char *path, pid_t pid) {
        int r = cgroup_path_check(path);
        if (r < 0)
                return r;
        if (pid <= 0)
                return -EINVAL;

        bool attached = false;
        for (size_t i = 0; i < h->n; i++) {
                _cleanup_free_ char *p = join(h->items[i].mount_point, path, "cgroup.procs");
                if (!p)
                        return -ENOMEM;
                _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                char buf[32];
                int n = snprintf(buf, sizeof buf, "%d\n", (int) pid);
                if (write(fd, buf, (size_t) n) != n)
                        return -errno;
                attached = true;
        }
        return attached ? 0 : -ENOENT;
}

static int pids_add(pid_t **pids, size_t *n, pid_t pid) {
        for (size_t i = 0; i < *n; i++)
                if ((*pids)[i] == pid)
                        return 0;
        pid_t *p = reallocarray(*pids, *n + 1, sizeof *p);
        if (!p)
                return -ENOMEM;
        *pids = p;
        p[(*n)++] = pid;
        return 0;
}

static int pids_collect(const char *dir, unsigned depth, pid_t **pids, size_t *n) {
        if (depth > 64)
                return -ELOOP;
        _cleanup_free_ char *procs = NULL;
        if (asprintf(&procs, "%s/cgroup.procs", dir) < 0)
                return -ENOMEM;
        _cleanup_(fclosep) FILE *f = fopen(procs, "re");
        if (!f)
                return -errno;
        int pid;
        while (fscanf(f, "%d", &pid) == 1) {
                int r = pids_add(pids, n, pid);
                if (r < 0)
                        return r;
        }

        _cleanup_(closedirp) DIR *d = opendir(dir);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                int r = pids_collect(sub, depth + 1, pids, n);
                if (r < 0 && r != -ENOENT)      /* a leaf removed while we walk */
                        return r;
        }
        return 0;
}

static int pid_compare(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
        return (x > y) - (x < y);
}

int cgroup_pids(const CgroupHierarchies *h, const char *path, pid_t **ret, size_t *ret_n) {
        int r = cgroup_path_check(path);
        if (r < 0)
                return r;
        for (size_t i = 0; i < h->n; i++) {
                _cleanup_free_ char *d = join(h->items[i].mount_point, path, NULL);
                if (!d)
                        return -ENOMEM;
                if (access(d, F_OK) < 0)
                        continue;
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                r = pids_collect(d, 0, &pids, &n);
                if (r < 0)
                        return r;
                if (n > 1)
                        qsort(pids, n, sizeof *pids, pid_compare);
                *ret = TAKE_PTR(pids);
                *ret_n = n;
                return 0;
        }
        return -ENOENT;
}

static int remove_tree(const char *dir, unsigned depth) {
        if (depth > 64)
                return -ELOOP;
        int ret = 0;
        _cleanup_(closedirp) DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                int r = remove_tree(sub, depth + 1);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        if (rmdir(dir) < 0 && errno != ENOENT && ret == 0)
                ret = -errno;
        return ret;
}

int cgroup_remove(const CgroupHierarchies *h, const char *path) {
        int r = cgroup_path_check(path);
        if (r < 0)
                return r;
        if (streq(path, "/"))
                return -EINVAL;

        int ret = 0;
        for (size_t i = 0; i < h->n; i++) {
                _cleanup_free_ char *d = join(h->items[i].mount_point, path, NULL);
                if (!d)
                        return -ENOMEM;
                r = remove_tree(d, 0);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

int cgroup_path_of_pid(pid_t pid, char **ret) {
        char p[64];
        if (pid == 0)
                snprintf(p, sizeof p, "/proc/self/cgroup");
        else
                snprintf(p, sizeof p, "/proc/%d/cgroup", (int) pid);
        _cleanup_(fclosep) FILE *f = fopen(p, "re");
        if (!f)
                return -errno;

        _cleanup_free_ char *line = NULL, *unified = NULL, *named = NULL;
        size_t size = 0;
        ssize_t n;
        while ((n = getline(&line, &size, f)) >= 0) {
                if (n > 0 && line[n - 1] == '\n')
                        line[n - 1] = 0;
                /* hierarchy-id:controllers:path */
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c1 = *c2 = 0;
                if (streq(line, "0") && c1[1] == 0 && !unified) {
                        unified = strdup(c2 + 1);
                        if (!unified)
                                return -ENOMEM;
                } else if (streq(c1 + 1, "name=systemd") && !named) {
                        named = strdup(c2 + 1);
                        if (!named)
                                return -ENOMEM;
                }
        }
        /* On hybrid hosts "0::" can be "/" while the process sits deep in name=systemd. */
        if (unified && (!streq(unified, "/") || !named)) {
                *ret = TAKE_PTR(unified);
                return 0;
        }
        if (named) {
                *ret = TAKE_PTR(named);
                return 0;
        }
        return -ENODATA;
}
