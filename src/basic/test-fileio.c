/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "tests.h"

/* A scratch directory under $TMPDIR or, without it, next to this test binary (in the
 * build tree): tests must not assume /tmp exists or is writable. */
static char *test_dir_new(void) {
        _cleanup_free_ char *base = NULL;
        const char *t = getenv("TMPDIR");

        if (!isempty(t))
                base = strdup(t);
        else {
                char exe[PATH_MAX];
                ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
                ASSERT_TRUE(n > 0);
                exe[n] = 0;
                base = strdup(dirname(exe));
        }
        ASSERT_NOT_NULL(base);

        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/test-fileio.XXXXXX", base) > 0);
        ASSERT_NOT_NULL(mkdtemp(p));
        return p;
}

static void test_dir_remove(char *p) {
        _cleanup_free_ char *copy = strdup(p);
        ASSERT_NOT_NULL(copy);
        char *slash = strrchr(copy, '/');
        ASSERT_NOT_NULL(slash);
        *slash = 0;
        _cleanup_close_ int fd = open(copy[0] ? copy : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(rm_rf_at(fd, slash + 1));
        ASSERT_TRUE(access(p, F_OK) < 0 && errno == ENOENT);
        free(p);
}

/* Entries of 'dir' other than . and .., and how many of them look like temporary files. */
static size_t count_entries(const char *dir, size_t *ret_temp) {
        DIR *d = opendir(dir);
        ASSERT_NOT_NULL(d);
        size_t n = 0, temp = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                n++;
                if (strncmp(de->d_name, ".#", 2) == 0)
                        temp++;
        }
        closedir(d);
        if (ret_temp)
                *ret_temp = temp;
        return n;
}

static char *path_join2(const char *a, const char *b) {
        char *p = NULL;
        ASSERT_TRUE(asprintf(&p, "%s/%s", a, b) > 0);
        return p;
}

static void assert_file_content(const char *path, const char *expected) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        ASSERT_OK(read_file_full(path, 1024 * 1024, &buf, &size));
        ASSERT_EQ(size, strlen(expected));
        ASSERT_STREQ(buf, expected);
}

static void test_write_atomic_basic(void) {
        char *dir = test_dir_new();
        _cleanup_free_ char *f = path_join2(dir, "state.yaml");
        struct stat st;

        mode_t old_umask = umask(077);
        ASSERT_OK(write_file_atomic(f, "hello\n", 6, 0640));
        umask(old_umask);
        assert_file_content(f, "hello\n");
        ASSERT_OK(stat(f, &st));
        ASSERT_EQ(st.st_mode & 07777, 0640);

        /* Replace: new content, new mode, nothing left behind. */
        ASSERT_OK(write_file_atomic(f, "second version\n", 15, 0600));
        assert_file_content(f, "second version\n");
        ASSERT_OK(stat(f, &st));
        ASSERT_EQ(st.st_mode & 07777, 0600);

        /* Empty content is a valid file. */
        ASSERT_OK(write_file_atomic(f, "", 0, 0640));
        assert_file_content(f, "");

        /* Relative to a directory fd, with a subdirectory in the path. */
        _cleanup_free_ char *sub = path_join2(dir, "sub");
        ASSERT_OK(mkdir(sub, 0755));
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);
        ASSERT_OK(write_file_atomic_at(dfd, "sub/x.conf", "x", 1, 0644));
        _cleanup_free_ char *x = path_join2(sub, "x.conf");
        assert_file_content(x, "x");

        size_t temp;
        ASSERT_EQ(count_entries(dir, &temp), 2u);
        ASSERT_EQ(temp, 0u);
        ASSERT_EQ(count_entries(sub, &temp), 1u);
        ASSERT_EQ(temp, 0u);

        test_dir_remove(dir);
}

static void test_write_atomic_invalid(void) {
        char *dir = test_dir_new();
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);

        ASSERT_ERROR(write_file_atomic_at(dfd, "", "x", 1, 0640), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dfd, NULL, "x", 1, 0640), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dfd, "sub/", "x", 1, 0640), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dfd, ".", "x", 1, 0640), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dfd, "..", "x", 1, 0640), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dfd, "f", NULL, 1, 0640), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dfd, "missing/f", "x", 1, 0640), ENOENT);
        ASSERT_EQ(count_entries(dir, NULL), 0u);

        test_dir_remove(dir);
}

/* The rename fails (the target is a directory): the temporary file must go. */
static void test_write_atomic_rename_fails(void) {
        char *dir = test_dir_new();
        _cleanup_free_ char *d = path_join2(dir, "target");
        ASSERT_OK(mkdir(d, 0755));

        int r = write_file_atomic(d, "data", 4, 0640);
        ASSERT_TRUE(r == -EISDIR || r == -ENOTEMPTY || r == -EEXIST);

        size_t temp;
        ASSERT_EQ(count_entries(dir, &temp), 1u);
        ASSERT_EQ(temp, 0u);

        test_dir_remove(dir);
}

/* A write that fails half way (file size limit): the old content survives untouched and
 * no temporary file is left. Done in a child so the limit does not leak into other tests. */
static void test_write_atomic_write_fails(void) {
        char *dir = test_dir_new();
        _cleanup_free_ char *f = path_join2(dir, "state.yaml");
        ASSERT_OK(write_file_atomic(f, "old content\n", 12, 0640));

        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                size_t big = 256 * 1024;
                char *data = malloc(big);
                if (!data)
                        _exit(2);
                memset(data, 'x', big);
                signal(SIGXFSZ, SIG_IGN);
                struct rlimit rl;
                if (getrlimit(RLIMIT_FSIZE, &rl) < 0)
                        _exit(3);
                rl.rlim_cur = 4096;
                if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
                        _exit(4);
                int r = write_file_atomic(f, data, big, 0640);
                free(data);
                _exit(r == -EFBIG ? 0 : 1);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);

        assert_file_content(f, "old content\n");
        size_t temp;
        ASSERT_EQ(count_entries(dir, &temp), 1u);
        ASSERT_EQ(temp, 0u);

        test_dir_remove(dir);
}

static void test_read_file_full(void) {
        char *dir = test_dir_new();
        _cleanup_free_ char *f = path_join2(dir, "f");
        char *buf = NULL;
        size_t size = 1;

        ASSERT_ERROR(read_file_full(f, 100, &buf, &size), ENOENT);

        ASSERT_OK(write_file_atomic(f, "", 0, 0640));
        ASSERT_OK(read_file_full(f, 100, &buf, &size));
        ASSERT_EQ(size, 0u);
        ASSERT_STREQ(buf, "");
        buf = mfree(buf);

        /* Exactly at the limit is fine, one byte over is not. */
        ASSERT_OK(write_file_atomic(f, "0123456789", 10, 0640));
        ASSERT_OK(read_file_full(f, 10, &buf, &size));
        ASSERT_EQ(size, 10u);
        ASSERT_STREQ(buf, "0123456789");
        buf = mfree(buf);
        ASSERT_ERROR(read_file_full(f, 9, &buf, &size), EFBIG);
        ASSERT_NULL(buf);
        ASSERT_ERROR(read_file_full(f, 0, &buf, &size), EFBIG);

        /* Embedded NULs are kept; size is optional. */
        ASSERT_OK(write_file_atomic(f, "a\0b", 3, 0640));
        ASSERT_OK(read_file_full(f, 10, &buf, &size));
        ASSERT_EQ(size, 3u);
        ASSERT_TRUE(memcmp(buf, "a\0b", 4) == 0);
        buf = mfree(buf);
        ASSERT_OK(read_file_full(f, 10, &buf, NULL));
        buf = mfree(buf);

        /* Bigger than one read and than the initial allocation of a pipe. */
        size_t big = 100000;
        char *data = malloc(big);
        ASSERT_NOT_NULL(data);
        for (size_t i = 0; i < big; i++)
                data[i] = (char) ('a' + i % 26);
        ASSERT_OK(write_file_atomic(f, data, big, 0640));
        ASSERT_OK(read_file_full(f, big, &buf, &size));
        ASSERT_EQ(size, big);
        ASSERT_TRUE(memcmp(buf, data, big) == 0);
        buf = mfree(buf);

        /* A pipe has no size: read until EOF. */
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                size_t off = 0;
                while (off < big) {
                        ssize_t k = write(p[1], data + off, big - off);
                        if (k <= 0)
                                _exit(1);
                        off += (size_t) k;
                }
                _exit(0);
        }
        close(p[1]);
        ASSERT_OK(read_fd_full(p[0], SIZE_MAX, &buf, &size));
        close(p[0]);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_EQ(size, big);
        ASSERT_TRUE(memcmp(buf, data, big) == 0);
        buf = mfree(buf);
        free(data);

        ASSERT_ERROR(read_file_full("", 10, &buf, &size), EINVAL);
        ASSERT_ERROR(read_file_full(dir, 10, &buf, &size), EISDIR);

        test_dir_remove(dir);
}

static void test_mkdir_p_mode(void) {
        char *dir = test_dir_new();
        _cleanup_free_ char *deep = NULL;
        struct stat st;

        ASSERT_TRUE(asprintf(&deep, "%s/a/b//c/", dir) > 0);
        mode_t old_umask = umask(077);
        ASSERT_OK(mkdir_p_mode(deep, 0750));
        umask(old_umask);

        const char *subs[] = { "a", "a/b", "a/b/c" };
        for (size_t i = 0; i < ELEMENTSOF(subs); i++) {
                _cleanup_free_ char *p = path_join2(dir, subs[i]);
                ASSERT_OK(stat(p, &st));
                ASSERT_TRUE(S_ISDIR(st.st_mode));
                ASSERT_EQ(st.st_mode & 07777, 0750);
        }

        /* Existing directories are left alone, whatever their mode. */
        _cleanup_free_ char *a = path_join2(dir, "a");
        ASSERT_OK(chmod(a, 0700));
        ASSERT_OK(mkdir_p_mode(deep, 0755));
        ASSERT_OK(stat(a, &st));
        ASSERT_EQ(st.st_mode & 07777, 0700);

        /* The setgid bit is applied, which mkdir() alone would drop. */
        _cleanup_free_ char *g = path_join2(dir, "g");
        ASSERT_OK(mkdir_p_mode(g, 02750));
        ASSERT_OK(stat(g, &st));
        ASSERT_EQ(st.st_mode & 07777, 02750);

        /* A file in the way. */
        _cleanup_free_ char *f = path_join2(dir, "file");
        ASSERT_OK(write_file_atomic(f, "x", 1, 0640));
        _cleanup_free_ char *under = path_join2(f, "sub");
        ASSERT_ERROR(mkdir_p_mode(f, 0750), ENOTDIR);
        ASSERT_ERROR(mkdir_p_mode(under, 0750), ENOTDIR);

        ASSERT_ERROR(mkdir_p_mode("", 0750), EINVAL);
        ASSERT_OK(mkdir_p_mode("/", 0750));

        test_dir_remove(dir);
}

static void test_rm_rf(void) {
        char *dir = test_dir_new();
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(dfd >= 0);

        /* Something outside the tree that symlinks point at: it must survive. */
        _cleanup_free_ char *outside = path_join2(dir, "outside");
        ASSERT_OK(mkdir_p_mode(outside, 0755));
        _cleanup_free_ char *precious = path_join2(outside, "precious");
        ASSERT_OK(write_file_atomic(precious, "keep", 4, 0644));

        _cleanup_free_ char *deep = path_join2(dir, "tree/a/b/c");
        ASSERT_OK(mkdir_p_mode(deep, 0755));
        ASSERT_OK(write_file_atomic_at(dfd, "tree/f", "1", 1, 0644));
        ASSERT_OK(write_file_atomic_at(dfd, "tree/a/b/c/g", "2", 1, 0400));
        ASSERT_OK(symlinkat(outside, dfd, "tree/a/link-to-dir"));
        ASSERT_OK(symlinkat(precious, dfd, "tree/a/b/link-to-file"));
        ASSERT_OK(symlinkat("../../..", dfd, "tree/a/b/c/up"));

        ASSERT_OK(rm_rf_at(dfd, "tree"));
        ASSERT_ERROR(faccessat(dfd, "tree", F_OK, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0, ENOENT);
        assert_file_content(precious, "keep");

        /* A symlink at the top is removed, not followed. */
        ASSERT_OK(symlinkat(outside, dfd, "top-link"));
        ASSERT_OK(rm_rf_at(dfd, "top-link"));
        assert_file_content(precious, "keep");
        ASSERT_EQ(count_entries(dir, NULL), 1u);

        /* A plain file. */
        ASSERT_OK(write_file_atomic_at(dfd, "plain", "x", 1, 0644));
        ASSERT_OK(rm_rf_at(dfd, "plain"));

        ASSERT_ERROR(rm_rf_at(dfd, "missing"), ENOENT);
        ASSERT_ERROR(rm_rf_at(dfd, "outside/precious"), EINVAL);
        ASSERT_ERROR(rm_rf_at(dfd, ".."), EINVAL);
        ASSERT_ERROR(rm_rf_at(dfd, "."), EINVAL);
        ASSERT_ERROR(rm_rf_at(dfd, ""), EINVAL);
        assert_file_content(precious, "keep");

        test_dir_remove(dir);
}

TEST_MAIN(test_write_atomic_basic,
          test_write_atomic_invalid,
          test_write_atomic_rename_fails,
          test_write_atomic_write_fails,
          test_read_file_full,
          test_mkdir_p_mode,
          test_rm_rf);
