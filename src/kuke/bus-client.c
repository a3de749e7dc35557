/* SPDX-License-Identifier: Apache-2.0 */
#include "bus-client.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "name.h"
#include "object-path.h"

extern char **environ;

/* Where meson installs kukeond (src/daemon/meson.build: sbindir). */
#ifndef KUKEOND_PATH
#define KUKEOND_PATH "/usr/sbin/kukeond"
#endif

#define POLKIT_AGENT_PATH "/usr/bin/pkttyagent"

/* How long a spawned kukeond gets to exit by itself once its socket is closed. */
#define DAEMON_EXIT_GRACE_MS 5000

void bus_target_done(BusTarget *t) {
        t->address = mfree(t->address);
        t->transport = TRANSPORT_SYSTEM;
}

static int conflict(const BusTarget *t, Transport wanted, char **ret_message) {
        if (t->transport == TRANSPORT_SYSTEM || t->transport == wanted)
                return 0;
        if (ret_message && asprintf(ret_message, "--host/-H and --no-daemon exclude each other, and only one --host may be given") < 0)
                return -ENOMEM;
        return -EINVAL;
}

int bus_target_set_host(BusTarget *t, const char *arg, char **ret_message) {
        Transport wanted;
        const char *value;
        const char *problem = NULL;
        int r;

        if (!arg)
                arg = "";
        if (strncmp(arg, "unix:", 5) == 0) {
                wanted = TRANSPORT_UNIX;
                value = arg + 5;
                if (isempty(value))
                        problem = "no socket path after \"unix:\"";
        } else {
                wanted = TRANSPORT_SSH;
                value = arg;
                if (isempty(value))
                        problem = "empty host";
                else if (value[0] == '-')
                        /* ssh would read it as an option. */
                        problem = "a host may not start with '-'";
        }
        if (problem) {
                if (ret_message && asprintf(ret_message, "invalid --host \"%s\": %s (expected unix:PATH or [USER@]HOST)", arg, problem) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        r = conflict(t, wanted, ret_message);
        if (r < 0)
                return r;
        if (t->transport == wanted && !streq_ptr(t->address, value)) {
                if (ret_message && asprintf(ret_message, "--host given twice (\"%s\", then \"%s\")", t->address, arg) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(t->address);
        t->address = copy;
        t->transport = wanted;
        if (ret_message)
                *ret_message = NULL;
        return 0;
}

int bus_target_set_no_daemon(BusTarget *t, char **ret_message) {
        int r = conflict(t, TRANSPORT_NO_DAEMON, ret_message);
        if (r < 0)
                return r;
        t->transport = TRANSPORT_NO_DAEMON;
        if (ret_message)
                *ret_message = NULL;
        return 0;
}

char *bus_address_escape(const char *s) {
        static const char hex[] = "0123456789abcdef";
        size_t n = strlen(s);
        char *out = malloc(n * 3 + 1), *p = out;

        if (!out)
                return NULL;
        for (const unsigned char *c = (const unsigned char *) s; *c; c++) {
                if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                    strchr("-_/.\\*", *c))
                        *p++ = (char) *c;
                else {
                        *p++ = '%';
                        *p++ = hex[*c >> 4];
                        *p++ = hex[*c & 15];
                }
        }
        *p = 0;
        return out;
}

int bus_target_unix_address(const BusTarget *t, char **ret) {
        if (t->transport != TRANSPORT_UNIX || isempty(t->address))
                return -EINVAL;
        _cleanup_free_ char *e = bus_address_escape(t->address);
        if (!e || asprintf(ret, "unix:path=%s", e) < 0)
                return -ENOMEM;
        return 0;
}

const char *kukeond_path(void) {
        const char *e = getenv("KUKEOND");
        return isempty(e) ? KUKEOND_PATH : e;
}

/* Runs kukeond --peer-fd=3 with the other end of a socketpair as fd 3. Its stdout is
 * /dev/null: kuke's stdout carries the command's output and nothing else; its stderr is kuke's. */
static int spawn_daemon(int *ret_fd, pid_t *ret_pid) {
        _cleanup_close_ int ours = -EBADF, theirs = -EBADF, devnull = -EBADF;
        posix_spawn_file_actions_t fa;
        int pair[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        ours = pair[0];
        theirs = pair[1];
        /* dup2() onto the same number would keep O_CLOEXEC: make sure it is not 3 already. */
        if (theirs <= 3) {
                int fd = fcntl(theirs, F_DUPFD_CLOEXEC, 4);
                if (fd < 0)
                        return -errno;
                safe_close(theirs);
                theirs = fd;
        }
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0)
                return -errno;

        const char *path = kukeond_path();
        if (access(path, X_OK) < 0)
                return -errno;

        r = posix_spawn_file_actions_init(&fa);
        if (r != 0)
                return -r;
        r = posix_spawn_file_actions_adddup2(&fa, devnull, STDIN_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, devnull, STDOUT_FILENO);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa, theirs, 3);
        if (r == 0) {
                /* Its stderr is ours: keep it to errors (failed calls are reported by kuke
                 * itself), unless the user asked for a level. */
                char *argv[] = { (char *) path, (char *) "--peer-fd=3",
                                 getenv("KUKEON_LOG_LEVEL") ? NULL : (char *) "--log-level=error", NULL };
                r = posix_spawn(&pid, path, &fa, NULL, argv, environ);
        }
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -r;

        *ret_fd = TAKE_FD(ours);
        *ret_pid = pid;
        return 0;
}

static int open_peer(BusClient *c, const BusTarget *t) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        (void) sd_bus_set_description(bus, "kukeond");

        if (t->transport == TRANSPORT_UNIX) {
                _cleanup_free_ char *address = NULL;
                r = bus_target_unix_address(t, &address);
                if (r < 0)
                        return r;
                r = sd_bus_set_address(bus, address);
        } else {
                int fd = -EBADF;
                r = spawn_daemon(&fd, &c->daemon_pid);
                if (r < 0)
                        return r;
                r = sd_bus_set_fd(bus, fd, fd);
                if (r < 0) {
                        safe_close(fd);
                        return r;
                }
        }
        if (r < 0)
                return r;

        /* Peer-to-peer: no Hello, no name owner; the server is kukeond itself. */
        r = sd_bus_set_bus_client(bus, false);
        if (r < 0)
                return r;
        r = sd_bus_set_allow_interactive_authorization(bus, !t->no_ask_password);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        c->bus = TAKE_PTR(bus);
        return 0;
}

/* What systemctl does for interactive authorization on a terminal: run polkit's text agent
 * for our session while we wait for replies, and wait until it has registered (it closes the
 * notify fd then), so polkit finds it for our first call. Without a terminal there is no one
 * to ask, and root is never asked. */
static void polkit_agent_open(BusClient *c) {
        posix_spawn_file_actions_t fa;
        int pipe_fd[2];
        char notify[16];
        pid_t pid;

        if (!isatty(STDIN_FILENO) || geteuid() == 0 || access(POLKIT_AGENT_PATH, X_OK) < 0)
                return;
        if (pipe2(pipe_fd, O_CLOEXEC) < 0)
                return;
        /* dup2() onto the same number would keep O_CLOEXEC: the agent's end must not be 3 yet. */
        if (pipe_fd[1] <= 3) {
                int fd = fcntl(pipe_fd[1], F_DUPFD_CLOEXEC, 4);
                safe_close(pipe_fd[1]);
                if (fd < 0) {
                        safe_close(pipe_fd[0]);
                        return;
                }
                pipe_fd[1] = fd;
        }
        /* The agent gets the write end as fd 3. */
        snprintf(notify, sizeof(notify), "%d", 3);
        /* Its prompts belong on the terminal, not in a pipe that kuke's output goes to. */
        _cleanup_close_ int tty = isatty(STDOUT_FILENO) ? -EBADF : open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (posix_spawn_file_actions_init(&fa) == 0) {
                /* Registered for our login session, as systemctl does: polkit finds agents by
                 * the session of the caller (logind). */
                char *argv[] = { (char *) POLKIT_AGENT_PATH, (char *) "--notify-fd", notify, (char *) "--fallback", NULL };
                if (posix_spawn_file_actions_adddup2(&fa, pipe_fd[1], 3) == 0 &&
                    (tty < 0 || (posix_spawn_file_actions_adddup2(&fa, tty, STDOUT_FILENO) == 0 &&
                                 posix_spawn_file_actions_adddup2(&fa, tty, STDERR_FILENO) == 0)) &&
                    posix_spawn(&pid, POLKIT_AGENT_PATH, &fa, NULL, argv, environ) == 0)
                        c->agent_pid = pid;
                posix_spawn_file_actions_destroy(&fa);
        }
        safe_close(pipe_fd[1]);
        if (c->agent_pid > 0) {
                /* EOF once the agent closed its end (registered) or died. */
                char b;
                while (read(pipe_fd[0], &b, 1) < 0 && errno == EINTR)
                        ;
        }
        safe_close(pipe_fd[0]);
}

static void polkit_agent_close(BusClient *c) {
        if (c->agent_pid <= 0)
                return;
        (void) kill(c->agent_pid, SIGTERM);
        while (waitpid(c->agent_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        c->agent_pid = 0;
}

int bus_client_new(BusClient **ret) {
        BusClient *c = new0(BusClient, 1);
        if (!c)
                return -ENOMEM;
        c->daemon_status = -1;
        *ret = c;
        return 0;
}

int bus_client_open(const BusTarget *t, BusClient **ret) {
        _cleanup_(bus_client_freep) BusClient *c = NULL;
        int r;

        r = bus_client_new(&c);
        if (r < 0)
                return r;
        r = bus_client_connect(c, t);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int bus_client_connect(BusClient *c, const BusTarget *t) {
        int r;

        if (c->bus)
                return -EBUSY;
        c->transport = t->transport;

        switch (t->transport) {
        case TRANSPORT_SYSTEM:
                r = sd_bus_open_system(&c->bus);
                break;
        case TRANSPORT_SSH:
                r = sd_bus_open_system_remote(&c->bus, t->address);
                break;
        case TRANSPORT_UNIX:
        case TRANSPORT_NO_DAEMON:
                r = open_peer(c, t);
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        if (t->transport == TRANSPORT_SYSTEM || t->transport == TRANSPORT_SSH) {
                r = sd_bus_set_allow_interactive_authorization(c->bus, !t->no_ask_password);
                if (r < 0)
                        return r;
        }
        /* A cascading delete or a large Apply waits for systemd jobs, containerd and CNI, and an
         * interactive authorization for a person typing a password: more than sd-bus's 25 s. */
        r = sd_bus_set_method_call_timeout(c->bus, BUS_CLIENT_CALL_TIMEOUT_USEC);
        if (r < 0)
                return r;
        /* polkit asks on the local system bus only: a remote host's polkit cannot reach our
         * terminal, and peer-to-peer connections have no polkit. */
        if (t->transport == TRANSPORT_SYSTEM && !t->no_ask_password)
                polkit_agent_open(c);
        return 0;
}

static void reap_daemon(BusClient *c, bool wait) {
        int status;

        if (c->daemon_pid <= 0 || c->daemon_status >= 0)
                return;
        for (int ms = 0;; ms += 10) {
                pid_t p = waitpid(c->daemon_pid, &status, WNOHANG);
                if (p == c->daemon_pid) {
                        c->daemon_status = status;
                        return;
                }
                if (p < 0 && errno != EINTR) {
                        c->daemon_status = 0;
                        return;
                }
                if (!wait)
                        return;
                if (ms >= DAEMON_EXIT_GRACE_MS) {
                        (void) kill(c->daemon_pid, SIGTERM);
                        while (waitpid(c->daemon_pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        c->daemon_status = status;
                        return;
                }
                (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
}

BusClient *bus_client_free(BusClient *c) {
        if (!c)
                return NULL;
        c->bus = sd_bus_flush_close_unref(c->bus);
        reap_daemon(c, true);
        polkit_agent_close(c);
        return mfree(c);
}

const char *bus_client_destination(const BusClient *c) {
        return (c->transport == TRANSPORT_UNIX || c->transport == TRANSPORT_NO_DAEMON) ? NULL : KUKEON_BUS_NAME;
}

int bus_client_call_manager(BusClient *c, const char *member, sd_bus_error *e, sd_bus_message **reply,
                            const char *types, ...) {
        va_list ap;
        int r;

        va_start(ap, types);
        r = sd_bus_call_methodv(c->bus, bus_client_destination(c), OBJECT_PATH_ROOT, KUKEON_MANAGER_INTERFACE,
                                member, e, reply, types, ap);
        va_end(ap);
        return r;
}

int bus_client_new_manager_call(BusClient *c, const char *member, const ResourceRef *names, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, bus_client_destination(c), OBJECT_PATH_ROOT,
                                           KUKEON_MANAGER_INTERFACE, member);
        if (r < 0)
                return r;
        if (names) {
                r = sd_bus_message_append(m, "s", names->realm);
                if (r >= 0 && names->type >= RESOURCE_SPACE)
                        r = sd_bus_message_append(m, "s", names->space);
                if (r >= 0 && names->type >= RESOURCE_STACK)
                        r = sd_bus_message_append(m, "s", names->stack);
                if (r >= 0 && names->type >= RESOURCE_CELL)
                        r = sd_bus_message_append(m, "s", names->cell);
                if (r >= 0 && names->type >= RESOURCE_CONTAINER)
                        r = sd_bus_message_append(m, "s", names->container);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

char *manager_member(const char *verb, ResourceType type, bool plural) {
        char *s = NULL;
        const char *kind = resource_type_to_kind_string(type);
        if (!kind || asprintf(&s, "%s%s%s", verb, kind, plural ? "s" : "") < 0)
                return NULL;
        return s;
}

typedef struct Pending {
        sd_bus_message **slot;
        size_t *in_flight;
} Pending;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Pending *p = userdata;
        *p->slot = sd_bus_message_ref(reply);
        (*p->in_flight)--;
        return 0;
}

int bus_client_call_all(BusClient *c, sd_bus_message **m, size_t n, sd_bus_message **replies) {
        _cleanup_free_ Pending *pending = new0(Pending, n);
        _cleanup_free_ sd_bus_slot **slots = new0(sd_bus_slot *, n);
        size_t next = 0, in_flight = 0;
        int r = 0;

        if (!pending || !slots)
                return -ENOMEM;
        while (next < n || in_flight > 0) {
                while (next < n && in_flight < BUS_CLIENT_CALL_WINDOW) {
                        pending[next] = (Pending) { .slot = &replies[next], .in_flight = &in_flight };
                        r = sd_bus_call_async(c->bus, &slots[next], m[next], on_reply, &pending[next], 0);
                        if (r < 0)
                                goto finish;
                        next++;
                        in_flight++;
                }
                r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        goto finish;
                if (r == 0) {
                        r = sd_bus_wait(c->bus, UINT64_MAX);
                        if (r < 0)
                                goto finish;
                }
        }
        r = 0;
finish:
        /* Slots of calls still in flight (after a failure) must not call back into 'pending'. */
        for (size_t i = 0; i < next; i++)
                sd_bus_slot_unref(slots[i]);
        return r;
}

char *bus_client_describe_daemon_exit(BusClient *c) {
        char *s = NULL;
        int k;

        if (!c || c->daemon_pid <= 0)
                return NULL;
        /* It may be on its way out: give it a moment, the socket closing is what we saw. */
        for (int i = 0; i < 300 && c->daemon_status < 0; i++) {
                reap_daemon(c, false);
                if (c->daemon_status < 0)
                        (void) nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        if (c->daemon_status < 0)
                return NULL;
        if (WIFEXITED(c->daemon_status))
                k = asprintf(&s, "%s exited with status %d", kukeond_path(), WEXITSTATUS(c->daemon_status));
        else if (WIFSIGNALED(c->daemon_status))
                k = asprintf(&s, "%s was killed by signal %s", kukeond_path(), strsignal(WTERMSIG(c->daemon_status)));
        else
                return NULL;
        return k < 0 ? NULL : s;
}

static bool error_is(const sd_bus_error *e, const char *suffix) {
        return strncmp(e->name, KUKEON_ERROR_PREFIX, strlen(KUKEON_ERROR_PREFIX)) == 0 &&
               streq(e->name + strlen(KUKEON_ERROR_PREFIX), suffix);
}

bool bus_error_is_local(const sd_bus_error *e) {
        return e && sd_bus_error_is_set(e) && strncmp(e->name, "System.Error.", 13) == 0;
}

/* "<what> does not exist", for the level of 'ref' that the daemon says is missing. */
static char *missing(const ResourceRef *ref, ResourceType level, const char *fallback) {
        if (!ref || ref->type < level)
                return strdup(fallback);
        ResourceRef at = resource_ref_at(ref, level);
        _cleanup_free_ char *what = resource_ref_describe(&at);
        char *s = NULL;
        if (!what || asprintf(&s, "%s does not exist", what) < 0)
                return NULL;
        return s;
}

char *bus_error_message(const sd_bus_error *e, int r, const ResourceRef *ref) {
        char *s = NULL;
        int k;

        /* sd-bus reports local failures (a closed connection, a timeout) as errors named
         * System.Error.<ERRNO>: they are about the connection, not answers of kukeond. */
        if (bus_error_is_local(e)) {
                r = -sd_bus_error_get_errno(e);
                e = NULL;
        }
        if (!e || !sd_bus_error_is_set(e)) {
                if ((r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE))
                        k = asprintf(&s, "the connection to kukeond was lost: %s", strerror(-r));
                else if (r == -ECONNREFUSED || r == -ENOENT)
                        k = asprintf(&s, "cannot connect to kukeond: %s", strerror(-r));
                else if (r == -ETIMEDOUT)
                        k = asprintf(&s, "kukeond did not answer in time");
                else
                        k = asprintf(&s, "%s", strerror(r < 0 ? -r : EIO));
                return k < 0 ? NULL : s;
        }

        const char *msg = isempty(e->message) ? e->name : e->message;

        if (error_is(e, "NoSuchRealm"))
                return missing(ref, RESOURCE_REALM, msg);
        if (error_is(e, "NoSuchSpace"))
                return missing(ref, RESOURCE_SPACE, msg);
        if (error_is(e, "NoSuchStack"))
                return missing(ref, RESOURCE_STACK, msg);
        if (error_is(e, "NoSuchCell"))
                return missing(ref, RESOURCE_CELL, msg);
        if (error_is(e, "NoSuchContainer"))
                return missing(ref, RESOURCE_CONTAINER, msg);
        if (error_is(e, "CellNotRunning") && ref && ref->type >= RESOURCE_CELL) {
                /* A container verb that needs the cell's anchor: the way out is the cell's. The
                 * hint leaves out the parents that are kuke's defaults (main/default/default). */
                ResourceRef cell = resource_ref_at(ref, RESOURCE_CELL);
                _cleanup_free_ char *what = resource_ref_describe(&cell);
                k = what ? asprintf(&s, "%s is not running: start the cell first ('kuke start cell %s%s%s%s%s%s%s')", what,
                                    ref->cell, streq(ref->realm, "main") ? "" : " --realm ",
                                    streq(ref->realm, "main") ? "" : ref->realm,
                                    streq(ref->space, "default") ? "" : " --space ",
                                    streq(ref->space, "default") ? "" : ref->space,
                                    streq(ref->stack, "default") ? "" : " --stack ",
                                    streq(ref->stack, "default") ? "" : ref->stack)
                         : -1;
        } else if (error_is(e, "CellNotRunning"))
                k = asprintf(&s, "%s: start the cell first", msg);
        else if (error_is(e, "RootContainer") && ref && ref->type == RESOURCE_CONTAINER) {
                ResourceRef cell = resource_ref_at(ref, RESOURCE_CELL);
                _cleanup_free_ char *what = resource_ref_describe(&cell), *name = name_escape_for_message(ref->container, 80);
                k = what && name ? asprintf(&s, "container \"%s\" is the root container of %s and cannot leave it: delete the cell instead",
                                            name, what)
                                 : -1;
        } else if (error_is(e, "RootContainer"))
                k = asprintf(&s, "%s: delete the cell instead", msg);
        else if (error_is(e, "AlreadyExists") && ref) {
                _cleanup_free_ char *what = resource_ref_describe(ref);
                k = what ? asprintf(&s, "%s already exists", what) : -1;
        } else if (error_is(e, "HasChildren"))
                k = asprintf(&s, "%s (use --cascade to delete the children too)", msg);
        else if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED))
                k = asprintf(&s, "access denied: %s (run as root, or as a member of group kukeon)", msg);
        else if (sd_bus_error_has_name(e, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
                k = asprintf(&s, "authorization required: %s (run as root or as a member of group kukeon, or let kuke ask: no --no-ask-password, on a terminal)", msg);
        else if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                k = asprintf(&s, "kukeond is not available on the system bus (%s): %s", KUKEON_BUS_NAME, msg);
        else if (sd_bus_error_has_names(e, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_OBJECT,
                                        SD_BUS_ERROR_UNKNOWN_INTERFACE, SD_BUS_ERROR_UNKNOWN_PROPERTY))
                k = asprintf(&s, "this kukeond does not support the call: %s", msg);
        else if (sd_bus_error_has_names(e, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT))
                k = asprintf(&s, "kukeond did not answer in time: %s", msg);
        else
                k = asprintf(&s, "%s", msg);
        return k < 0 ? NULL : s;
}
