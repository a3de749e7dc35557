/* SPDX-License-Identifier: Apache-2.0 */
/* kukeon-anchor: the first process of a cell (design.md §2).
 *
 * It owns the cell's network, IPC and UTS namespaces: it unshares them, names the UTS
 * namespace after the cell, brings loopback up, tells its parent it is ready, and then does
 * nothing but wait for a signal. Containers join its namespaces through
 * /proc/<anchor>/ns/{net,ipc,uts}; CNI configures its network namespace. Because the
 * namespaces live as long as the anchor, the cell keeps its IP when its root container
 * exits.
 *
 * kukeond spawns it, registers the cell scope with PIDs=[anchor] and moves it into the
 * scope's leaf "anchor". The anchor never follows its parent: kukeond may restart while
 * cells run. It keeps no file open and holds no memory worth naming, so a cell costs one
 * sleeping process.
 *
 *   kukeon-anchor --hostname NAME [--ready-fd FD]
 *
 * With --ready-fd the anchor writes "READY=1\n" to FD once the namespaces are set up and
 * closes it, or writes "ERRNO=<n>\n" and exits 1 when they cannot be. It exits 0 on
 * SIGTERM, SIGINT or SIGHUP. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "name.h"

static int loopback_up(void) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;

        struct ifreq ifr = {};
        strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}

static int setup_namespaces(const char *hostname) {
        if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
                return -errno;
        if (sethostname(hostname, strlen(hostname)) < 0)
                return -errno;
        return loopback_up();
}

static void report(int fd, int r) {
        if (fd < 0)
                return;
        char buf[32];
        int n = r < 0 ? snprintf(buf, sizeof buf, "ERRNO=%d\n", -r) : snprintf(buf, sizeof buf, "READY=1\n");
        /* The parent may be gone already; nothing useful to do about a failed write. */
        (void) !write(fd, buf, (size_t) n);
        safe_close(fd);
}

static void help(void) {
        printf("kukeon-anchor --hostname NAME [--ready-fd FD]\n\n"
               "The first process of a kukeon cell: owns the cell's network, IPC and UTS\n"
               "namespaces and sleeps until SIGTERM. Started by kukeond, not by people.\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "hostname", required_argument, NULL, 'n' },
                { "ready-fd", required_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *hostname = NULL;
        int ready_fd = -EBADF, c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'n':
                        hostname = optarg;
                        break;
                case 'r': {
                        char *end;
                        errno = 0;
                        long v = strtol(optarg, &end, 10);
                        if (errno || *end || v < 0 || v > INT32_MAX || fcntl((int) v, F_GETFD) < 0) {
                                fprintf(stderr, "kukeon-anchor: --ready-fd: \"%s\" is not an open file descriptor\n", optarg);
                                return 2;
                        }
                        ready_fd = (int) v;
                        break;
                }
                case 'h':
                        help();
                        return 0;
                default:
                        return 2;
                }

        if (optind < argc) {
                fprintf(stderr, "kukeon-anchor: unexpected argument \"%s\"\n", argv[optind]);
                return 2;
        }
        if (!hostname) {
                fprintf(stderr, "kukeon-anchor: --hostname is required\n");
                return 2;
        }
        _cleanup_free_ char *msg = NULL;
        if (name_check("Cell", hostname, &msg) < 0) {
                fprintf(stderr, "kukeon-anchor: --hostname: %s\n", msg ?: "invalid");
                return 2;
        }

        /* Signals arrive only through sigwaitinfo(): no handler can run at a bad moment. */
        sigset_t wait_for;
        sigemptyset(&wait_for);
        sigaddset(&wait_for, SIGTERM);
        sigaddset(&wait_for, SIGINT);
        sigaddset(&wait_for, SIGHUP);
        sigprocmask(SIG_BLOCK, &wait_for, NULL);
        signal(SIGPIPE, SIG_IGN);
        (void) prctl(PR_SET_NAME, "kukeon-anchor");

        int r = setup_namespaces(hostname);
        report(ready_fd, r);
        if (r < 0) {
                fprintf(stderr, "kukeon-anchor: setting up the cell's namespaces: %s\n", strerror(-r));
                return 1;
        }

        /* Nothing of the parent's stays open or mounted here: the working directory would pin
         * whatever file system kukeond started in. */
        if (chdir("/") < 0)
                return 1;
        for (int fd = 0; fd <= 2; fd++) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0 && null != fd) {
                        dup2(null, fd);
                        safe_close(null);
                }
        }

        for (;;) {
                siginfo_t si;
                if (sigwaitinfo(&wait_for, &si) >= 0)
                        return 0;
                if (errno != EINTR)
                        return 1;
        }
}
