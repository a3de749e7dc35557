/* SPDX-License-Identifier: Apache-2.0 */
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

/* Six characters of [0-9a-z] for temporary names. Uniqueness is all that matters (O_EXCL
 * catches collisions), so when the kernel has no entropy yet — kukeond starts early at
 * boot — time, pid and a counter do; we never block waiting for the entropy pool. */
static void random_suffix(char buf[static 7]) {
        static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
        static unsigned counter;
        uint64_t v;

        if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t) sizeof(v)) {
                struct timespec ts = {};
                (void) clock_gettime(CLOCK_MONOTONIC, &ts);
                v = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 30) ^ ((uint64_t) getpid() << 20) ^
                    (uint64_t) __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ULL;
        }
        for (size_t i = 0; i < 6; i++) {
                buf[i] = alphabet[v % (sizeof(alphabet) - 1)];
                v /= sizeof(alphabet) - 1;
        }
        buf[6] = 0;
}

static int write_all(int fd, const void *data, size_t size) {
        const char *p = data;

        while (size > 0) {
                ssize_t k = write(fd, p, MIN(size, (size_t) SSIZE_MAX));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                size -= (size_t) k;
        }
        return 0;
}

int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t size, mode_t mode) {
        if (isempty(path) || (!data && size > 0))
                return -EINVAL;

        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        if (isempty(base) || streq(base, ".") || streq(base, ".."))
                return -EINVAL;

        _cleanup_free_ char *dir = NULL;
        if (slash) {
                dir = strndup(path, slash == path ? 1 : (size_t) (slash - path));
                if (!dir)
                        return -ENOMEM;
        }

        /* Work inside the directory's own fd: the temporary file, the rename and the fsync
         * all address the same directory even if the path is renamed under us. */
        _cleanup_close_ int dfd = openat(dir_fd, dir ?: ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;

        /* ".#" + at most 200 bytes of the name + "." + 6 + NUL stays below NAME_MAX. */
        char tmp[2 + 200 + 1 + 6 + 1];
        _cleanup_close_ int fd = -EBADF;
        for (unsigned attempt = 0;; attempt++) {
                char suffix[7];
                random_suffix(suffix);
                (void) snprintf(tmp, sizeof(tmp), ".#%.200s.%s", base, suffix);
                fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
                if (fd >= 0)
                        break;
                if (errno != EEXIST || attempt >= 100)
                        return -errno;
        }

        int r = write_all(fd, data, size);
        /* The mode is set on the descriptor before the rename, so the file never appears
         * under its real name with the wrong permissions. */
        if (r >= 0 && fchmod(fd, mode & 07777) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, tmp, dfd, base) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }

        /* Make the rename itself durable. */
        if (fsync(dfd) < 0)
                return -errno;
        return 0;
}

int read_fd_full(int fd, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0, hint = 4096;
        struct stat st;

        if (fd < 0 || !ret)
                return -EINVAL;

        /* st_size is only a hint for the first allocation: files grow, and procfs lies. */
        if (fstat(fd, &st) >= 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
                uint64_t h = MIN((uint64_t) st.st_size, (uint64_t) max_size);
                hint = (size_t) MIN(h, (uint64_t) 64 * 1024 * 1024) + 2;
        }

        for (;;) {
                /* Room for at least one more byte plus the terminating NUL. */
                if (allocated - size < 2) {
                        size_t n = allocated == 0 ? hint : allocated > SIZE_MAX / 2 ? SIZE_MAX : allocated * 2;
                        n = MAX(n, size + 2);
                        /* Reading max_size + 1 bytes is enough to know the file is too big. */
                        if (max_size <= SIZE_MAX - 2)
                                n = MIN(n, max_size + 2);
                        char *b = realloc(buf, n);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        allocated = n;
                }

                ssize_t k = read(fd, buf + size, allocated - size - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
                if (size > max_size)
                        return -EFBIG;
        }

        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_file_full_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size) {
        if (isempty(path))
                return -EINVAL;

        _cleanup_close_ int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_fd_full(fd, max_size, ret, ret_size);
}

static int mkdir_one(const char *path, mode_t mode) {
        struct stat st;

        /* stat first: an existing directory in a place we may not write to (or on a
         * read-only file system) is fine, and mkdir would report EACCES or EROFS for it. */
        if (stat(path, &st) >= 0)
                return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        if (errno != ENOENT)
                return -errno;

        if (mkdir(path, mode) < 0) {
                if (errno != EEXIST)
                        return -errno;
                /* Lost a race against another creator: fine if it made a directory. */
                if (stat(path, &st) < 0)
                        return -errno;
                return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        }
        /* mkdir() applies the umask and ignores the setgid bit: set the mode we were asked for. */
        if (chmod(path, mode & 07777) < 0)
                return -errno;
        return 0;
}

int mkdir_p_mode(const char *path, mode_t mode) {
        if (isempty(path))
                return -EINVAL;

        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;

        for (char *s = p;;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                char *e = s + strcspn(s, "/");
                char saved = *e;
                *e = 0;
                int r = mkdir_one(p, mode);
                *e = saved;
                if (r < 0)
                        return r;
                s = e;
        }
        return 0;
}

/* Empties the directory 'name' in 'dir_fd', which is on device 'dev'. */
static int rm_rf_children(int dir_fd, const char *name, dev_t dev) {
        int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                safe_close(fd);
                return r;
        }

        int ret = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno != 0 && ret == 0)
                                ret = -errno;
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT && ret == 0)
                                ret = -errno;
                        continue;
                }

                int r = 0;
                if (S_ISDIR(st.st_mode)) {
                        if (st.st_dev != dev) {
                                /* Something is mounted here: deleting through it would
                                 * destroy data that is not ours. */
                                r = -EXDEV;
                        } else {
                                r = rm_rf_children(dirfd(d), de->d_name, dev);
                                if (r >= 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0)
                                        r = -errno;
                        }
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0)
                        r = -errno;

                if (r == -ENOENT)
                        r = 0;
                if (r < 0 && ret == 0)
                        ret = r;
        }

        closedir(d);
        return ret;
}

int rm_rf_at(int dir_fd, const char *name) {
        struct stat st, parent;

        if (isempty(name) || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -EINVAL;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dir_fd, name, 0) < 0 ? -errno : 0;

        if (fstatat(dir_fd, ".", &parent, 0) < 0)
                return -errno;
        if (parent.st_dev != st.st_dev)
                return -EXDEV;

        int r = rm_rf_children(dir_fd, name, st.st_dev);
        if (r < 0)
                return r;
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0)
                return -errno;
        return 0;
}
