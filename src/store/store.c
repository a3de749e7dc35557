/* SPDX-License-Identifier: Apache-2.0 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "document.h"
#include "fileio.h"
#include "macro.h"
#include "name.h"
#include "strv.h"
#include "yaml-codec.h"

#define STORE_FILE_MODE 0640
#define STORE_DIR_MODE 0750
#define CONTAINERS_DIR "containers"
#define RESERVED_DIR REALM_NAME_RESERVED_RUN
#define LOCK_FILE "lock"
#define CONFLIST_FILE "network.conflist"
#define YAML_SUFFIX ".yaml"
#define STORE_NAME_MAX NAME_LENGTH_MAX

struct Store {
        char *run_path;
};

/* The document file of each directory kind; containers are files of their own. */
static const char *const resource_file[] = {
        [KIND_REALM] = "realm.yaml",
        [KIND_SPACE] = "space.yaml",
        [KIND_STACK] = "stack.yaml",
        [KIND_CELL] = "cell.yaml",
};

/* Where a resource lives below the run path: the directories to walk, then the file. */
typedef struct Location {
        const char *dirs[5];
        size_t n_dirs;
        char file[STORE_NAME_MAX + sizeof(YAML_SUFFIX)];
} Location;

/* How the store makes directories: the run path's group, and setgid when that group is not
 * root, so that files written by root are readable by that group (kukeon). */
typedef struct DirPolicy {
        gid_t gid;
        mode_t mode;
} DirPolicy;

/* The check between a name and the file system, made again here although callers validate
 * first: a DNS label cannot hold '/', '.', '..', a leading dot (hidden and temporary files)
 * or be empty, so a bug elsewhere can never address anything outside the tree. */
static bool store_name_is_valid(const char *s) {
        return name_is_valid(s);
}

static bool realm_name_is_valid(const char *s) {
        return name_is_valid(s) && !realm_name_is_reserved(s);
}

/* names[] holds realm, space, stack, cell, container, as many as the kind's depth. */
static int locate(Kind k, const char *const *names, Location *ret) {
        size_t depth = (size_t) k + 1;

        if (k < KIND_REALM || k > KIND_CONTAINER)
                return -EINVAL;
        if (!realm_name_is_valid(names[0]))
                return -EINVAL;
        for (size_t i = 1; i < depth; i++)
                if (!store_name_is_valid(names[i]))
                        return -EINVAL;

        *ret = (Location) {};
        if (k == KIND_CONTAINER) {
                for (size_t i = 0; i < 4; i++)
                        ret->dirs[i] = names[i];
                ret->dirs[4] = CONTAINERS_DIR;
                ret->n_dirs = 5;
                (void) snprintf(ret->file, sizeof(ret->file), "%s" YAML_SUFFIX, names[4]);
        } else {
                for (size_t i = 0; i < depth; i++)
                        ret->dirs[i] = names[i];
                ret->n_dirs = depth;
                (void) snprintf(ret->file, sizeof(ret->file), "%s", resource_file[k]);
        }
        return 0;
}

static char *location_path(const Store *s, const Location *l, const char *file) {
        size_t len = strlen(s->run_path) + 1;
        for (size_t i = 0; i < l->n_dirs; i++)
                len += strlen(l->dirs[i]) + 1;
        len += file ? strlen(file) + 1 : 0;

        char *p = malloc(len), *q = p;
        if (!p)
                return NULL;
        q = stpcpy(q, s->run_path);
        for (size_t i = 0; i < l->n_dirs; i++) {
                *q++ = '/';
                q = stpcpy(q, l->dirs[i]);
        }
        if (file) {
                *q++ = '/';
                q = stpcpy(q, file);
        }
        return p;
}

int store_open(const char *run_path, Store **ret) {
        if (isempty(run_path) || !ret)
                return -EINVAL;

        _cleanup_(store_freep) Store *s = new0(Store, 1);
        if (!s)
                return -ENOMEM;
        s->run_path = strdup(run_path);
        if (!s->run_path)
                return -ENOMEM;

        /* Trailing slashes would show up doubled in every message. */
        size_t n = strlen(s->run_path);
        while (n > 1 && s->run_path[n - 1] == '/')
                s->run_path[--n] = 0;

        *ret = TAKE_PTR(s);
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        free(s->run_path);
        free(s);
        return NULL;
}

const char *store_run_path(const Store *s) {
        return s ? s->run_path : NULL;
}

/* The run path is opened afresh by every operation rather than pinned, so that a run path
 * replaced under a long-running daemon (uninstall, init) is picked up, not written into a
 * deleted directory. The run path itself may be a symlink (/opt/kukeon -> /srv/kukeon). */
static int open_run_path(const Store *s, bool create, int *ret_fd, DirPolicy *ret_policy) {
        if (create) {
                int r = mkdir_p_mode(s->run_path, STORE_DIR_MODE);
                if (r < 0)
                        return r;
        }

        _cleanup_close_ int fd = open(s->run_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;

        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (ret_policy)
                *ret_policy = (DirPolicy) {
                        .gid = st.st_gid,
                        .mode = st.st_gid != 0 ? (S_ISGID | STORE_DIR_MODE) : STORE_DIR_MODE,
                };
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Walks 'dirs' below 'dir_fd' one component at a time, never following a symlink, so
 * nothing planted inside the tree can lead the store out of it. */
static int open_dirs(int dir_fd, const char *const *dirs, size_t n, int *ret) {
        _cleanup_close_ int fd = -EBADF;

        for (size_t i = 0; i < n; i++) {
                int next = openat(fd >= 0 ? fd : dir_fd, dirs[i],
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (next < 0)
                        return -errno;
                safe_close(fd);
                fd = next;
        }
        if (fd < 0) {
                fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
        }
        *ret = TAKE_FD(fd);
        return 0;
}

/* Opens the directory 'name' in 'parent_fd', creating it by the policy if missing. An
 * existing directory is left as it is. */
static int make_dir_at(int parent_fd, const char *name, const DirPolicy *p, int *ret) {
        bool created = false;

        /* Created 0700 and opened up only once owner, group and mode are right. */
        if (mkdirat(parent_fd, name, 0700) >= 0)
                created = true;
        else if (errno != EEXIST)
                return -errno;

        _cleanup_close_ int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        if (created) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return -errno;
                /* Without a setgid parent the new directory has our group, not the run
                 * path's. Changing it may be refused to an unprivileged writer outside that
                 * group; the directory is still usable by its owner then. */
                if (st.st_gid != p->gid)
                        (void) fchown(fd, (uid_t) -1, p->gid);
                if (fchmod(fd, p->mode) < 0)
                        return -errno;
                /* Make the new entry durable before anything is written below it. */
                if (fsync(parent_fd) < 0)
                        return -errno;
        }

        *ret = TAKE_FD(fd);
        return 0;
}

/* ---- lock ---- */

static int store_lock_full(Store *s, bool block, StoreLock *ret) {
        _cleanup_close_ int root = -EBADF, dir = -EBADF, fd = -EBADF;
        DirPolicy p;
        int r;

        if (!s || !ret)
                return -EINVAL;

        r = open_run_path(s, true, &root, &p);
        if (r < 0)
                return r;
        r = make_dir_at(root, RESERVED_DIR, &p, &dir);
        if (r < 0)
                return r;

        fd = openat(dir, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, STORE_FILE_MODE);
        if (fd < 0)
                return -errno;

        while (flock(fd, LOCK_EX | (block ? 0 : LOCK_NB)) < 0) {
                if (errno == EINTR)
                        continue;
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        }

        ret->fd = TAKE_FD(fd);
        return 0;
}

int store_lock(Store *s, StoreLock *ret) {
        return store_lock_full(s, true, ret);
}

int store_try_lock(Store *s, StoreLock *ret) {
        return store_lock_full(s, false, ret);
}

void store_unlock(StoreLock *l) {
        if (!l || l->fd < 0)
                return;
        /* Closing the only descriptor of the open file releases the flock. */
        l->fd = safe_close(l->fd);
}

/* ---- save ---- */

static int store_save(Store *s, Kind k, const char *const *parents, const void *doc) {
        const char *names[5] = {};
        Location l;
        int r;

        if (!s || !doc)
                return -EINVAL;

        const Schema *schema = kind_schema(k);
        size_t depth = (size_t) k + 1;
        for (size_t i = 0; i + 1 < depth; i++)
                names[i] = parents[i];
        names[depth - 1] = ((const DocHeader *) doc)->metadata.name;

        r = locate(k, names, &l);
        if (r < 0)
                return r;

        /* The C type says which kind this is: write apiVersion and kind from it, through a
         * shallow copy (the strings stay the caller's; only the copy itself is freed). */
        _cleanup_free_ void *copy = malloc(schema->size);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, doc, schema->size);
        ((DocHeader *) copy)->api_version = (char *) API_VERSION_V1BETA1;
        ((DocHeader *) copy)->kind = (char *) kind_to_string(k);

        _cleanup_free_ char *text = NULL;
        r = yaml_format_object(schema, copy, &text);
        if (r < 0)
                return r;

        _cleanup_close_ int root = -EBADF, parent = -EBADF, dir = -EBADF;
        DirPolicy p;
        r = open_run_path(s, k == KIND_REALM, &root, &p);
        if (r < 0)
                return r;
        /* The parent must exist; only the resource's own directory (or the cell's
         * containers/ directory) is made here. */
        r = open_dirs(root, l.dirs, l.n_dirs - 1, &parent);
        if (r < 0)
                return r;
        r = make_dir_at(parent, l.dirs[l.n_dirs - 1], &p, &dir);
        if (r < 0)
                return r;

        return write_file_atomic_at(dir, l.file, text, strlen(text), STORE_FILE_MODE);
}

int store_save_realm(Store *s, const RealmDoc *doc) {
        return store_save(s, KIND_REALM, NULL, doc);
}

int store_save_space(Store *s, const char *realm, const SpaceDoc *doc) {
        return store_save(s, KIND_SPACE, (const char *const[]) { realm }, doc);
}

int store_save_stack(Store *s, const char *realm, const char *space, const StackDoc *doc) {
        return store_save(s, KIND_STACK, (const char *const[]) { realm, space }, doc);
}

int store_save_cell(Store *s, const char *realm, const char *space, const char *stack, const CellDoc *doc) {
        return store_save(s, KIND_CELL, (const char *const[]) { realm, space, stack }, doc);
}

int store_save_container(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                         const ContainerDoc *doc) {
        return store_save(s, KIND_CONTAINER, (const char *const[]) { realm, space, stack, cell }, doc);
}

/* ---- load ---- */

/* A name read from a file is untrusted: show it escaped and bounded in messages. */
static char *escape_for_message(const char *s) {
        const size_t max = 64;
        size_t n = strlen(s);
        char *out = malloc(MIN(n, max) * 4 + 4), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n && i < max; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                        o += sprintf(o, "\\x%02x", c);
                else
                        *o++ = (char) c;
        }
        if (n > max)
                o = stpcpy(o, "...");
        *o = 0;
        return out;
}

/* Sets *ret_error to "<path>: <message>" and returns -EBADMSG (or -ENOMEM). */
_printf_(4, 5) static int load_error(const Store *s, const Location *l, char **ret_error, const char *fmt, ...) {
        if (!ret_error)
                return -EBADMSG;

        _cleanup_free_ char *path = location_path(s, l, l->file), *msg = NULL;
        if (!path)
                return -ENOMEM;

        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        if (asprintf(ret_error, "%s: %s", path, msg) < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

static int store_load(Store *s, Kind k, const char *const *names, void **ret, char **ret_error) {
        Location l;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!s || !ret)
                return -EINVAL;

        r = locate(k, names, &l);
        if (r < 0)
                return r;

        _cleanup_close_ int root = -EBADF, dir = -EBADF, fd = -EBADF;
        r = open_run_path(s, false, &root, NULL);
        if (r < 0)
                return r;
        r = open_dirs(root, l.dirs, l.n_dirs, &dir);
        if (r < 0)
                return r;

        /* O_NONBLOCK: a FIFO planted in the tree must not hang the daemon on open. */
        fd = openat(dir, l.file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return load_error(s, &l, ret_error, "not a regular file");

        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        r = read_fd_full(fd, DOCUMENT_STREAM_MAX, &text, &size);
        if (r == -EFBIG)
                return load_error(s, &l, ret_error, "file is larger than %u bytes", DOCUMENT_STREAM_MAX);
        if (r < 0)
                return r;

        if (size == 0)
                return load_error(s, &l, ret_error, "file is empty");
        /* Every file the store writes ends with a newline. Without one the file was cut
         * short, and the part that is left may well parse as a valid, smaller document. */
        if (text[size - 1] != '\n')
                return load_error(s, &l, ret_error, "file does not end with a newline (truncated?)");

        _cleanup_free_ char *msg = NULL;
        void *obj = NULL;
        r = document_parse_one(text, size, k, &obj, &msg);
        if (r == -EBADMSG)
                return load_error(s, &l, ret_error, "%s", strna(msg));
        if (r < 0)
                return r;

        const char *name = ((const DocHeader *) obj)->metadata.name;
        const char *expected = names[k];
        if (!streq_ptr(name, expected)) {
                _cleanup_free_ char *e = name ? escape_for_message(name) : NULL;
                schema_free(kind_schema(k), obj);
                if (name && !e)
                        return -ENOMEM;
                if (!name)
                        return load_error(s, &l, ret_error, "metadata.name is missing (expected \"%s\")", expected);
                return load_error(s, &l, ret_error, "metadata.name \"%s\" does not match the name \"%s\" in its path",
                                  e, expected);
        }

        *ret = obj;
        return 0;
}

/* The typed wrappers go through a real void * rather than casting the caller's RealmDoc **
 * to void **: the object is handed over only on success. */
#define STORE_LOAD(k, type, ret, ret_error, ...)                                                  \
        ({                                                                                         \
                void *_obj = NULL;                                                                 \
                int _r = store_load(s, (k), (const char *const[]) { __VA_ARGS__ }, (ret) ? &_obj : NULL, \
                                    (ret_error));                                                  \
                if (_r >= 0)                                                                       \
                        *(ret) = (type *) _obj;                                                    \
                _r;                                                                                \
        })

int store_load_realm(Store *s, const char *name, RealmDoc **ret, char **ret_error) {
        return STORE_LOAD(KIND_REALM, RealmDoc, ret, ret_error, name);
}

int store_load_space(Store *s, const char *realm, const char *name, SpaceDoc **ret, char **ret_error) {
        return STORE_LOAD(KIND_SPACE, SpaceDoc, ret, ret_error, realm, name);
}

int store_load_stack(Store *s, const char *realm, const char *space, const char *name, StackDoc **ret,
                     char **ret_error) {
        return STORE_LOAD(KIND_STACK, StackDoc, ret, ret_error, realm, space, name);
}

int store_load_cell(Store *s, const char *realm, const char *space, const char *stack, const char *name,
                    CellDoc **ret, char **ret_error) {
        return STORE_LOAD(KIND_CELL, CellDoc, ret, ret_error, realm, space, stack, name);
}

int store_load_container(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                         const char *name, ContainerDoc **ret, char **ret_error) {
        return STORE_LOAD(KIND_CONTAINER, ContainerDoc, ret, ret_error, realm, space, stack, cell, name);
}

/* ---- list ---- */

static int cmp_string(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Whether 'entry' in 'dir_fd' is a child of kind 'k': a real directory holding a regular
 * file of the kind, or for containers a regular "<name>.yaml". Returns the name in 'buf'. */
static bool list_entry_matches(int dir_fd, Kind k, const char *entry, char *buf, size_t bufsize) {
        struct stat st;

        if (k == KIND_CONTAINER) {
                size_t n = strlen(entry), sl = strlen(YAML_SUFFIX);
                if (n <= sl || n - sl >= bufsize || !streq(entry + n - sl, YAML_SUFFIX))
                        return false;
                memcpy(buf, entry, n - sl);
                buf[n - sl] = 0;
                if (!store_name_is_valid(buf))
                        return false;
                return fstatat(dir_fd, entry, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISREG(st.st_mode);
        }

        if (k == KIND_REALM ? !realm_name_is_valid(entry) : !store_name_is_valid(entry))
                return false;
        if (fstatat(dir_fd, entry, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                return false;

        /* Valid names are at most STORE_NAME_MAX bytes, so both fit. */
        size_t n = strlen(entry);
        if (n >= bufsize)
                return false;
        char file[STORE_NAME_MAX + 1 + 16];
        stpcpy(stpcpy(stpcpy(file, entry), "/"), resource_file[k]);
        if (fstatat(dir_fd, file, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                return false;

        memcpy(buf, entry, n + 1);
        return true;
}

/* Lists children of kind 'k' below 'parents' (as many as the kind's depth minus one). */
static int store_list(Store *s, Kind k, const char *const *parents, char ***ret) {
        const char *dirs[5] = {};
        size_t n_dirs = (size_t) k;
        int r;

        if (!s || !ret)
                return -EINVAL;

        for (size_t i = 0; i < n_dirs; i++) {
                if (i == 0 ? !realm_name_is_valid(parents[i]) : !store_name_is_valid(parents[i]))
                        return -EINVAL;
                dirs[i] = parents[i];
        }

        _cleanup_strv_free_ char **names = new0(char *, 1);
        if (!names)
                return -ENOMEM;

        _cleanup_close_ int root = -EBADF, dir = -EBADF;
        r = open_run_path(s, false, &root, NULL);
        if (r == -ENOENT && k == KIND_REALM)
                goto done; /* no run path yet: no realms */
        if (r < 0)
                return r;

        r = open_dirs(root, dirs, n_dirs, &dir);
        if (r < 0)
                return r;

        if (k == KIND_CONTAINER) {
                int c = openat(dir, CONTAINERS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (c < 0) {
                        if (errno == ENOENT)
                                goto done; /* a cell without containers yet */
                        return -errno;
                }
                safe_close(dir);
                dir = c;
        }

        DIR *d = fdopendir(dir);
        if (!d)
                return -errno;
        dir = -EBADF; /* owned by d now */

        r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                r = -errno;
                        break;
                }
                char name[STORE_NAME_MAX + 1];
                if (!list_entry_matches(dirfd(d), k, de->d_name, name, sizeof(name)))
                        continue;
                r = strv_extend(&names, name);
                if (r < 0)
                        break;
        }
        closedir(d);
        if (r < 0)
                return r;

        qsort(names, strv_length(names), sizeof(char *), cmp_string);
done:
        *ret = TAKE_PTR(names);
        return 0;
}

int store_list_realms(Store *s, char ***ret) {
        return store_list(s, KIND_REALM, NULL, ret);
}

int store_list_spaces(Store *s, const char *realm, char ***ret) {
        return store_list(s, KIND_SPACE, (const char *const[]) { realm }, ret);
}

int store_list_stacks(Store *s, const char *realm, const char *space, char ***ret) {
        return store_list(s, KIND_STACK, (const char *const[]) { realm, space }, ret);
}

int store_list_cells(Store *s, const char *realm, const char *space, const char *stack, char ***ret) {
        return store_list(s, KIND_CELL, (const char *const[]) { realm, space, stack }, ret);
}

int store_list_containers(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                          char ***ret) {
        return store_list(s, KIND_CONTAINER, (const char *const[]) { realm, space, stack, cell }, ret);
}

/* ---- remove ---- */

/* Removes the directory 'name' of 'parent_fd' and everything in it. It is renamed to a
 * hidden name first, in one atomic step, so that the resource disappears whole even if
 * the deletion itself is cut short; what is left then is invisible to listings and is
 * cleared by the next removal of the same name. */
static int remove_subtree(int parent_fd, const char *name) {
        struct stat st;
        int r;

        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode)) {
                /* A symlink or file squatting on the name: remove it, never its target. */
                if (unlinkat(parent_fd, name, 0) < 0)
                        return -errno;
                return fsync(parent_fd) < 0 ? -errno : 0;
        }

        char hidden[sizeof(".#removing.") + STORE_NAME_MAX];
        (void) snprintf(hidden, sizeof(hidden), ".#removing.%s", name);

        r = rm_rf_at(parent_fd, hidden);
        if (r < 0 && r != -ENOENT)
                return r;

        if (renameat(parent_fd, name, parent_fd, hidden) < 0)
                return -errno;
        r = fsync(parent_fd) < 0 ? -errno : 0;

        int q = rm_rf_at(parent_fd, hidden);
        return r < 0 ? r : q;
}

static int store_remove(Store *s, Kind k, const char *const *names) {
        Location l;
        int r;

        if (!s)
                return -EINVAL;
        r = locate(k, names, &l);
        if (r < 0)
                return r;

        _cleanup_close_ int root = -EBADF, dir = -EBADF;
        r = open_run_path(s, false, &root, NULL);
        if (r < 0)
                return r;

        if (k == KIND_CONTAINER) {
                r = open_dirs(root, l.dirs, l.n_dirs, &dir);
                if (r < 0)
                        return r;
                if (unlinkat(dir, l.file, 0) < 0)
                        return -errno;
                return fsync(dir) < 0 ? -errno : 0;
        }

        r = open_dirs(root, l.dirs, l.n_dirs - 1, &dir);
        if (r < 0)
                return r;
        return remove_subtree(dir, l.dirs[l.n_dirs - 1]);
}

int store_remove_realm(Store *s, const char *name) {
        return store_remove(s, KIND_REALM, (const char *const[]) { name });
}

int store_remove_space(Store *s, const char *realm, const char *name) {
        return store_remove(s, KIND_SPACE, (const char *const[]) { realm, name });
}

int store_remove_stack(Store *s, const char *realm, const char *space, const char *name) {
        return store_remove(s, KIND_STACK, (const char *const[]) { realm, space, name });
}

int store_remove_cell(Store *s, const char *realm, const char *space, const char *stack, const char *name) {
        return store_remove(s, KIND_CELL, (const char *const[]) { realm, space, stack, name });
}

int store_remove_container(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                           const char *name) {
        return store_remove(s, KIND_CONTAINER, (const char *const[]) { realm, space, stack, cell, name });
}

/* ---- conflist ---- */

static int open_space_dir(Store *s, const char *realm, const char *space, int *ret) {
        Location l;
        int r;

        if (!s)
                return -EINVAL;
        r = locate(KIND_SPACE, (const char *const[]) { realm, space }, &l);
        if (r < 0)
                return r;

        _cleanup_close_ int root = -EBADF;
        r = open_run_path(s, false, &root, NULL);
        if (r < 0)
                return r;
        return open_dirs(root, l.dirs, l.n_dirs, ret);
}

int store_write_conflist(Store *s, const char *realm, const char *space, const void *data, size_t size) {
        _cleanup_close_ int dir = -EBADF;

        if (!data && size > 0)
                return -EINVAL;
        if (size > STORE_CONFLIST_MAX)
                return -EFBIG;

        int r = open_space_dir(s, realm, space, &dir);
        if (r < 0)
                return r;
        return write_file_atomic_at(dir, CONFLIST_FILE, data, size, STORE_FILE_MODE);
}

int store_read_conflist(Store *s, const char *realm, const char *space, char **ret, size_t *ret_size) {
        _cleanup_close_ int dir = -EBADF, fd = -EBADF;

        if (!ret)
                return -EINVAL;

        int r = open_space_dir(s, realm, space, &dir);
        if (r < 0)
                return r;

        fd = openat(dir, CONFLIST_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        return read_fd_full(fd, STORE_CONFLIST_MAX, ret, ret_size);
}
