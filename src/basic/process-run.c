/* SPDX-License-Identifier: Apache-2.0 */
#include "process-run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"

#define READ_CHUNK (64U * 1024U)

/* Without a pidfd (kernels before 5.3) the child's exit cannot be polled: once both outputs
 * are at EOF, look for it this often. */
#define REAP_INTERVAL_USEC (10 * USEC_PER_MSEC)

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000U;
}

/* posix_spawn's dup2 actions run in order: a source that sits on 0, 1 or 2 (the caller had
 * them closed) would be overwritten by an earlier action. Keep every fd we hand over above. */
static int fd_move_above_stdio(int fd) {
        if (fd < 0 || fd > STDERR_FILENO)
                return fd;
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        int r = copy < 0 ? -errno : copy;
        safe_close(fd);
        return r;
}

/* The input as a sealed memfd: the child reads what we wrote and can change none of it. */
static int input_fd(const void *input, size_t size) {
        _cleanup_close_ int fd = -EBADF;

        if (!input) {
                fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
                return fd_move_above_stdio(TAKE_FD(fd));
        }

        fd = memfd_create("process-run-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < size;) {
                ssize_t w = write(fd, (const char *) input + done, size - done);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t) w;
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        return fd_move_above_stdio(TAKE_FD(fd));
}

static int pipe_make(int *ret_read, int *ret_write) {
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        *ret_read = p[0];
        *ret_write = fd_move_above_stdio(p[1]);
        if (*ret_write < 0)
                return *ret_write;
        /* Only our end: the child's stdout stays blocking. */
        if (fcntl(*ret_read, F_SETFL, O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

typedef struct Output {
        char *data;
        size_t size;
        size_t allocated;
        bool done;
} Output;

static int output_read(int fd, Output *o, size_t max) {
        /* Room for a whole chunk plus the final NUL, grown geometrically but never far past
         * the cap, so a chatty program costs neither quadratic copies nor twice its cap. */
        if (o->allocated - o->size < READ_CHUNK + 1) {
                size_t a = MAX(o->size + READ_CHUNK + 1, MIN(o->allocated * 2, max + READ_CHUNK + 1));
                char *d = realloc(o->data, a);
                if (!d)
                        return -ENOMEM;
                o->data = d;
                o->allocated = a;
        }
        ssize_t n = read(fd, o->data + o->size, READ_CHUNK);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0) {
                o->done = true;
                return 0;
        }
        o->size += (size_t) n;
        return o->size > max ? -EFBIG : 0;
}

static void output_done(Output *o) {
        o->data = mfree(o->data);
}

/* Hands the collected bytes over as a NUL-terminated string, "" when there were none. */
static char *output_take(Output *o, size_t *ret_size) {
        char *s = TAKE_PTR(o->data);

        if (!s)
                s = strdup("");
        else
                s[o->size] = 0;
        *ret_size = s ? o->size : 0;
        return s;
}

ProcessRunResult *process_run_result_free(ProcessRunResult *r) {
        if (!r)
                return NULL;
        free(r->out);
        free(r->err);
        return mfree(r);
}

static int status_to_exit(int status) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int process_run(const ProcessRun *p, ProcessRunResult **ret) {
        _cleanup_close_ int in = -EBADF, out_r = -EBADF, out_w = -EBADF, err_r = -EBADF, err_w = -EBADF,
                            pidfd = -EBADF;
        char *empty_env[] = { NULL };
        int r;

        if (!p || !p->argv || !p->argv[0] || p->timeout_usec == 0)
                return -EINVAL;
        const char *path = p->path ?: p->argv[0];
        size_t max = p->output_max ?: PROCESS_RUN_OUTPUT_MAX_DEFAULT;

        in = input_fd(p->input, p->input_size);
        if (in < 0)
                return in;
        r = pipe_make(&out_r, &out_w);
        if (r < 0)
                return r;
        r = pipe_make(&err_r, &err_w);
        if (r < 0)
                return r;

        posix_spawn_file_actions_t fa;
        r = posix_spawn_file_actions_init(&fa);
        if (r != 0)
                return -r;
        r = posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, err_w, STDERR_FILENO);
        /* Our descriptors are O_CLOEXEC, but the caller's other ones may not be (a library
         * that forgot it, a test harness): close everything past stderr in the child. */
        if (r == 0)
                r = posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
        if (r != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -r;
        }

        /* kukeond blocks signals for sd-event: the program must start with a clean slate. */
        posix_spawnattr_t attr;
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

        pid_t pid;
        char *const *envp = p->envp ?: empty_env;
        r = p->search_path ? posix_spawnp(&pid, path, &fa, &attr, p->argv, envp)
                           : posix_spawn(&pid, path, &fa, &attr, p->argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return -r;
        in = safe_close(in);
        out_w = safe_close(out_w);
        err_w = safe_close(err_w);

        uint64_t start = now_usec();
        uint64_t deadline = start > UINT64_MAX - p->timeout_usec ? UINT64_MAX : start + p->timeout_usec;

        /* The child is ours and not yet reaped, so its pid cannot be reused: the pidfd names it.
         * Without one (old kernel, seccomp), fall back to polling waitpid() once the outputs end. */
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                pidfd = -EBADF;

        _cleanup_(output_done) Output o = {}, x = {};
        bool exited = false;
        int status = 0;
        r = 0;
        while (!o.done || !x.done || !exited) {
                uint64_t n = now_usec();
                if (n >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                uint64_t wait = deadline - n;
                bool poll_reap = pidfd < 0 && o.done && x.done;
                if (poll_reap)
                        wait = MIN(wait, REAP_INTERVAL_USEC);

                struct pollfd pf[3] = {
                        { .fd = o.done ? -1 : out_r, .events = POLLIN },
                        { .fd = x.done ? -1 : err_r, .events = POLLIN },
                        { .fd = exited ? -1 : pidfd, .events = POLLIN },
                };
                if (poll(pf, ELEMENTSOF(pf), (int) MIN((wait + 999) / 1000, (uint64_t) INT_MAX)) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (pf[0].revents && (r = output_read(out_r, &o, max)) < 0)
                        break;
                if (pf[1].revents && (r = output_read(err_r, &x, max)) < 0)
                        break;
                if (!exited && (pf[2].revents || poll_reap)) {
                        pid_t w = waitpid(pid, &status, WNOHANG);
                        if (w < 0 && errno != EINTR) {
                                /* Reaped by someone else (SIGCHLD ignored?): do not signal it. */
                                r = -errno;
                                exited = true;
                                break;
                        }
                        exited = w == pid;
                }
        }
        if (!exited) {
                /* The deadline passed or an output went past its cap: the program goes, and is
                 * reaped here so no zombie stays behind. */
                (void) kill(pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        if (r < 0)
                return r;

        if (ret) {
                _cleanup_(process_run_result_freep) ProcessRunResult *res = new0(ProcessRunResult, 1);
                if (!res)
                        return -ENOMEM;
                res->status = status_to_exit(status);
                res->out = output_take(&o, &res->out_size);
                res->err = output_take(&x, &res->err_size);
                if (!res->out || !res->err)
                        return -ENOMEM;
                *ret = TAKE_PTR(res);
        }
        return status_to_exit(status);
}
