/* SPDX-License-Identifier: Apache-2.0 */
#include "iptables.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"

extern char **environ;

#define OUTPUT_MAX (64U * 1024U * 1024U)

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

typedef struct Output {
        char *data;
        size_t size;
        bool done;
} Output;

static int output_read(int fd, Output *o) {
        char buf[16384];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0) {
                o->done = true;
                return 0;
        }
        if (o->size + (size_t) n > OUTPUT_MAX)
                return -EFBIG;
        char *d = realloc(o->data, o->size + (size_t) n + 1);
        if (!d)
                return -ENOMEM;
        memcpy(d + o->size, buf, (size_t) n);
        o->size += (size_t) n;
        d[o->size] = 0;
        o->data = d;
        return 0;
}

/* The input goes in through a sealed memfd rather than a pipe: the program reads it at its own
 * pace, there is no writer to deadlock against a full stdout, and no SIGPIPE can reach the
 * daemon when the program exits early. */
static int input_fd(const char *input) {
        _cleanup_close_ int fd = memfd_create("iptables-input", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t n = strlen(input), done = 0;
        while (done < n) {
                ssize_t w = write(fd, input + done, n - done);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t) w;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        return TAKE_FD(fd);
}

/* Runs argv with 'input' on stdin; returns its exit status (128+signal when killed). */
static int run(const Iptables *ipt, char *const argv[], const char *input, char **ret_stdout, char **ret_stderr) {
        _cleanup_close_ int in = -EBADF, out_r = -EBADF, out_w = -EBADF, err_r = -EBADF, err_w = -EBADF;
        int p[2], r = 0;

        if (input) {
                in = input_fd(input);
                if (in < 0)
                        return in;
        } else {
                in = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (in < 0)
                        return -errno;
        }
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        out_r = p[0], out_w = p[1];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        err_r = p[0], err_w = p[1];

        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        pid_t pid;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in, 0);
        posix_spawn_file_actions_adddup2(&fa, out_w, 1);
        posix_spawn_file_actions_adddup2(&fa, err_w, 2);
        posix_spawnattr_init(&attr);
        /* kukeond blocks signals for sd-event: the program must start with a clean slate. */
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        int e = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        out_w = safe_close(out_w);
        err_w = safe_close(err_w);
        in = safe_close(in);
        if (e != 0)
                return -e;

        (void) fcntl(out_r, F_SETFL, O_NONBLOCK);
        (void) fcntl(err_r, F_SETFL, O_NONBLOCK);
        Output o = {}, x = {};
        uint64_t deadline = now_usec() + ((ipt ? ipt->timeout_usec : 0) ?: IPTABLES_TIMEOUT_USEC_DEFAULT);
        while (r >= 0 && (!o.done || !x.done)) {
                struct pollfd pf[2] = {
                        { .fd = o.done ? -1 : out_r, .events = POLLIN },
                        { .fd = x.done ? -1 : err_r, .events = POLLIN },
                };
                uint64_t n = now_usec();
                if (n >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                int k = poll(pf, 2, (int) ((deadline - n + 999) / 1000));
                if (k < 0) {
                        if (errno != EINTR)
                                r = -errno;
                        continue;
                }
                if (pf[0].revents)
                        r = output_read(out_r, &o);
                if (r >= 0 && pf[1].revents)
                        r = output_read(err_r, &x);
        }
        if (r < 0)
                (void) kill(pid, SIGKILL);

        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        if (r >= 0)
                                r = -errno;
                        break;
                }
        if (r >= 0) {
                /* posix_spawnp reports a missing program as exit 127 on glibc. */
                r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                *ret_stdout = o.data ?: strdup("");
                *ret_stderr = x.data ?: strdup("");
                if (!*ret_stdout || !*ret_stderr) {
                        *ret_stdout = mfree(*ret_stdout);
                        *ret_stderr = mfree(*ret_stderr);
                        return -ENOMEM;
                }
                return r;
        }
        free(o.data);
        free(x.data);
        return r;
}

/* The first line of a program's stderr, for messages. */
static char *first_line(const char *s) {
        s = strempty(s);
        while (*s == '\n')
                s++;
        return strndup(s, strcspn(s, "\n"));
}

_printf_(2, 3) static void set_error(char **ret_error, const char *fmt, ...) {
        if (!ret_error)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
}

int iptables_save_filter(const Iptables *ipt, char **ret_saved, char **ret_error) {
        return iptables_save_table(ipt, "filter", ret_saved, ret_error);
}

int iptables_save_table(const Iptables *ipt, const char *table, char **ret_saved, char **ret_error) {
        _cleanup_free_ char *out = NULL, *err = NULL, *line = NULL;
        const char *bin = (ipt ? ipt->save : NULL) ?: "iptables-save";
        char *argv[] = { (char *) bin, (char *) "-t", (char *) table, NULL };

        if (ret_error)
                *ret_error = NULL;
        if (!ret_saved || isempty(table))
                return -EINVAL;
        int k = run(ipt, argv, NULL, &out, &err);
        if (k == -ENOENT || k == 127) {
                set_error(ret_error, "%s: not found", bin);
                return -ENOENT;
        }
        if (k < 0) {
                set_error(ret_error, "%s: %s", bin, strerror(-k));
                return k;
        }
        if (k != 0) {
                line = first_line(err);
                set_error(ret_error, "%s failed (exit status %d): %s", bin, k, strempty(line));
                return -EIO;
        }
        *ret_saved = TAKE_PTR(out);
        return 0;
}

/* Line 'n' (from 1) of 'text', or NULL. */
static char *nth_line(const char *text, unsigned long n) {
        const char *p = text;
        for (unsigned long i = 1; i < n && p; i++) {
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        if (!p || !*p)
                return NULL;
        return strndup(p, strcspn(p, "\n"));
}

int iptables_restore_noflush(const Iptables *ipt, const char *input, char **ret_error) {
        _cleanup_free_ char *out = NULL, *err = NULL, *what = NULL, *culprit = NULL;
        const char *bin = (ipt ? ipt->restore : NULL) ?: "iptables-restore";
        char *argv[] = { (char *) bin, (char *) "--noflush", NULL };

        if (ret_error)
                *ret_error = NULL;
        if (!input)
                return -EINVAL;
        int k = run(ipt, argv, input, &out, &err);
        if (k == -ENOENT || k == 127) {
                set_error(ret_error, "%s: not found", bin);
                return -ENOENT;
        }
        if (k < 0) {
                set_error(ret_error, "%s: %s", bin, strerror(-k));
                return k;
        }
        if (k == 0)
                return 0;

        /* iptables-restore says "Error occurred at line: N" (or "line N failed" in older
         * versions): quote that line of our input, it is the rule at fault. */
        const char *at = strstr(strempty(err), "Error occurred at line: ");
        unsigned long n = 0;
        if (at)
                n = strtoul(at + strlen("Error occurred at line: "), NULL, 10);
        else if ((at = strstr(strempty(err), "line ")))
                n = strtoul(at + 5, NULL, 10);
        if (n > 0)
                culprit = nth_line(input, n);
        what = first_line(err);
        if (culprit)
                set_error(ret_error, "%s: line %lu \"%s\": %s", bin, n, culprit, strempty(what));
        else
                set_error(ret_error, "%s failed (exit status %d): %s", bin, k, strempty(what));
        return -EIO;
}
