/* SPDX-License-Identifier: Apache-2.0 */
/* Runs the real kukeon-anchor (path in argv[1]) and checks what a container joining its
 * namespaces would see. Needs root for unshare(); skipped (77) otherwise. Creates nothing
 * outside the namespaces it makes, and they vanish with the anchor. */

#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "tests.h"

static const char *anchor;

static pid_t spawn_anchor(const char *hostname, int *ret_ready) {
        int p[2];
        ASSERT_OK(pipe2(p, O_CLOEXEC));
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                char fd[16];
                snprintf(fd, sizeof fd, "%d", p[1]);
                fcntl(p[1], F_SETFD, 0);
                execl(anchor, anchor, "--hostname", hostname, "--ready-fd", fd, (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        *ret_ready = p[0];
        return pid;
}

static ino_t ns_inode(pid_t pid, const char *ns) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns);
        ASSERT_OK(stat(path, &st) < 0 ? -1 : 0);
        return st.st_ino;
}

/* In a child joined to the anchor's UTS and network namespaces: the hostname is the cell's
 * and loopback is up. */
static int check_inside(pid_t pid, const char *hostname) {
        pid_t c = fork();
        ASSERT_TRUE(c >= 0);
        if (c == 0) {
                char path[64];
                const char *nss[] = { "uts", "net", "ipc" };
                for (size_t i = 0; i < ELEMENTSOF(nss); i++) {
                        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) pid, nss[i]);
                        int fd = open(path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || setns(fd, 0) < 0)
                                _exit(10 + (int) i);
                        close(fd);
                }
                char h[HOST_NAME_MAX + 1] = {};
                if (gethostname(h, sizeof h - 1) < 0 || strcmp(h, hostname) != 0)
                        _exit(20);
                int s = socket(AF_INET, SOCK_DGRAM, 0);
                struct ifreq ifr = {};
                strcpy(ifr.ifr_name, "lo");
                if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
                        _exit(21);
                _exit(0);
        }
        int st;
        ASSERT_EQ(waitpid(c, &st, 0), c);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_anchor_owns_namespaces(void) {
        int ready;
        pid_t pid = spawn_anchor("web-1", &ready);
        char buf[64] = {};
        ASSERT_TRUE(read(ready, buf, sizeof buf - 1) > 0);
        close(ready);
        ASSERT_STREQ(buf, "READY=1\n");

        ASSERT_TRUE(ns_inode(pid, "net") != ns_inode(getpid(), "net"));
        ASSERT_TRUE(ns_inode(pid, "uts") != ns_inode(getpid(), "uts"));
        ASSERT_TRUE(ns_inode(pid, "ipc") != ns_inode(getpid(), "ipc"));
        ASSERT_EQ(check_inside(pid, "web-1"), 0);

        /* SIGTERM is the way to end a cell's anchor: it exits 0 at once. */
        ASSERT_OK(kill(pid, SIGTERM));
        int st;
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        ASSERT_TRUE(WIFEXITED(st));
        ASSERT_EQ(WEXITSTATUS(st), 0);
}

static int run_status(const char *a1, const char *a2, const char *a3, const char *a4) {
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 2);
                execl(anchor, anchor, a1, a2, a3, a4, (char *) NULL);
                _exit(127);
        }
        int st;
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_bad_arguments(void) {
        ASSERT_EQ(run_status("--hostname", "Bad_Name", NULL, NULL), 2);
        ASSERT_EQ(run_status("--ready-fd", "3", NULL, NULL), 2);     /* no hostname */
        ASSERT_EQ(run_status("--hostname", "ok", "--ready-fd", "999"), 2);
        ASSERT_EQ(run_status("--hostname", "ok", "extra", NULL), 2);
}

int main(int argc, char *argv[]) {
        if (argc < 2) {
                fprintf(stderr, "usage: test-anchor PATH-TO-kukeon-anchor\n");
                return 1;
        }
        anchor = argv[1];
        test_bad_arguments();
        if (geteuid() != 0 || unshare(0) < 0) {
                fprintf(stderr, "test-anchor: not root, skipping the namespace test\n");
                return 77;
        }
        test_anchor_owns_namespaces();
        return 0;
}
