/* SPDX-License-Identifier: Apache-2.0 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cni-exec.h"
#include "macro.h"

#define CNI_OUTPUT_MAX (1024 * 1024)

static int set_error(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int set_error(char **ret_error, int r, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                free(*ret_error);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* A plugin's "type" names a file in the plugin path, never a path of its own. */
static int plugin_find(const char *type, const char *plugin_path, char **ret) {
        if (!type || !*type || strchr(type, '/') || streq(type, ".") || streq(type, ".."))
                return -EINVAL;
        for (const char *p = plugin_path; *p;) {
                const char *e = strchrnul(p, ':');
                if (e > p) {
                        _cleanup_free_ char *f = NULL;
                        if (asprintf(&f, "%.*s/%s", (int) (e - p), p, type) < 0)
                                return -ENOMEM;
                        if (access(f, X_OK) == 0) {
                                *ret = TAKE_PTR(f);
                                return 0;
                        }
                }
                p = *e ? e + 1 : e;
        }
        return -ENOENT;
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
        if (o->size + (size_t) n > CNI_OUTPUT_MAX)
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

/* Runs one plugin: 'config' on stdin, stdout and stderr collected, killed at the deadline.
 * Returns the exit status (>= 0) or a negative errno. */
static int plugin_run(const char *binary, const char *command, const CniRuntime *rt, const char *config,
                      char **ret_stdout, char **ret_stderr) {
        _cleanup_free_ char *e_cmd = NULL, *e_id = NULL, *e_ns = NULL, *e_if = NULL, *e_path = NULL;
        if (asprintf(&e_cmd, "CNI_COMMAND=%s", command) < 0 ||
            asprintf(&e_id, "CNI_CONTAINERID=%s", rt->container_id) < 0 ||
            asprintf(&e_ns, "CNI_NETNS=%s", rt->netns) < 0 ||
            asprintf(&e_if, "CNI_IFNAME=%s", rt->ifname ?: CNI_IFNAME_DEFAULT) < 0 ||
            asprintf(&e_path, "CNI_PATH=%s", rt->plugin_path ?: CNI_PLUGIN_PATH_DEFAULT) < 0)
                return -ENOMEM;
        /* Plugins run iptables and friends: give them a plain PATH, nothing else of ours. */
        char *envp[] = { e_cmd, e_id, e_ns, e_if, e_path, (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        char *argv[] = { (char *) binary, NULL };

        int in[2] = { -EBADF, -EBADF }, out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
        int r = 0;
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
                r = -errno;
                goto finish;
        }

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        pid_t pid;
        int e = posix_spawn(&pid, binary, &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        err[1] = safe_close(err[1]);
        if (e != 0) {
                r = -e;
                goto finish;
        }

        fcntl(in[1], F_SETFL, O_NONBLOCK);
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(err[0], F_SETFL, O_NONBLOCK);
        Output o = {}, x = {};
        size_t written = 0, total = strlen(config);
        uint64_t deadline = now_usec() + (rt->timeout_usec ?: CNI_PLUGIN_TIMEOUT_USEC_DEFAULT);
        if (total == 0)
                in[1] = safe_close(in[1]);

        while (r >= 0 && (!o.done || !x.done)) {
                struct pollfd p[3] = {
                        { .fd = o.done ? -1 : out[0], .events = POLLIN },
                        { .fd = x.done ? -1 : err[0], .events = POLLIN },
                        { .fd = in[1], .events = POLLOUT },
                };
                uint64_t n = now_usec();
                if (n >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                int k = poll(p, 3, (int) ((deadline - n + 999) / 1000));
                if (k < 0) {
                        if (errno != EINTR)
                                r = -errno;
                        continue;
                }
                if (p[0].revents)
                        r = output_read(out[0], &o);
                if (r >= 0 && p[1].revents)
                        r = output_read(err[0], &x);
                if (r >= 0 && p[2].revents) {
                        ssize_t w = write(in[1], config + written, total - written);
                        if (w < 0 && errno != EAGAIN && errno != EINTR)
                                in[1] = safe_close(in[1]);      /* the plugin stopped reading: its business */
                        else if (w > 0 && (written += (size_t) w) == total)
                                in[1] = safe_close(in[1]);
                }
        }
        if (r < 0)
                (void) kill(pid, SIGKILL);

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        if (r >= 0)
                                r = -errno;
                        break;
                }
        if (r >= 0)
                r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r >= 0) {
                *ret_stdout = o.data ?: strdup("");
                *ret_stderr = x.data ?: strdup("");
                if (!*ret_stdout || !*ret_stderr) {
                        *ret_stdout = mfree(*ret_stdout);
                        *ret_stderr = mfree(*ret_stderr);
                        r = -ENOMEM;
                }
        } else {
                free(o.data);
                free(x.data);
        }

finish:
        safe_close(in[0]);
        safe_close(in[1]);
        safe_close(out[0]);
        safe_close(out[1]);
        safe_close(err[0]);
        safe_close(err[1]);
        return r;
}

/* The spec's error object: {"code": N, "msg": "...", "details": "..."}. */
static char *plugin_error_text(const char *out, const char *err) {
        _cleanup_(json_decrefp) json_t *j = json_loads(out, 0, NULL);
        const char *msg = j ? json_string_value(json_object_get(j, "msg")) : NULL;
        const char *details = j ? json_string_value(json_object_get(j, "details")) : NULL;
        char *s = NULL;
        if (msg && details && *details)
                (void) !asprintf(&s, "%s: %s", msg, details);
        else if (msg)
                s = strdup(msg);
        else {
                const char *t = *err ? err : *out ? out : "exited with an error and said nothing";
                size_t n = strlen(t);
                while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
                        n--;
                s = strndup(t, n);
        }
        return s;
}

static int conflist_parse(const char *conflist, json_t **ret, char **ret_error) {
        json_error_t je;
        _cleanup_(json_decrefp) json_t *j = json_loads(conflist, JSON_REJECT_DUPLICATES, &je);
        if (!j)
                return set_error(ret_error, -EINVAL, "network configuration list: line %d: %s", je.line, je.text);
        if (!json_is_string(json_object_get(j, "name")) || !json_is_string(json_object_get(j, "cniVersion")))
                return set_error(ret_error, -EINVAL, "network configuration list: \"name\" and \"cniVersion\" must be strings");
        json_t *plugins = json_object_get(j, "plugins");
        if (!json_is_array(plugins) || json_array_size(plugins) == 0)
                return set_error(ret_error, -EINVAL, "network configuration list: \"plugins\" must be a non-empty array");
        size_t i;
        json_t *p;
        json_array_foreach(plugins, i, p)
                if (!json_is_object(p) || !json_is_string(json_object_get(p, "type")))
                        return set_error(ret_error, -EINVAL, "network configuration list: plugins[%zu] has no \"type\"", i);
        *ret = TAKE_PTR(j);
        return 0;
}

static int plugin_invoke(json_t *list, size_t index, const char *command, const CniRuntime *rt, json_t *prev,
                         json_t **ret_result, char **ret_error) {
        json_t *plugin = json_array_get(json_object_get(list, "plugins"), index);
        const char *type = json_string_value(json_object_get(plugin, "type"));

        if (!rt || !rt->container_id || !*rt->container_id || !rt->netns || !*rt->netns)
                return set_error(ret_error, -EINVAL, "CNI runtime: container id and network namespace are required");

        _cleanup_free_ char *binary = NULL;
        int r = plugin_find(type, rt->plugin_path ?: CNI_PLUGIN_PATH_DEFAULT, &binary);
        if (r < 0)
                return set_error(ret_error, r, "plugin %s: not found in %s", type, rt->plugin_path ?: CNI_PLUGIN_PATH_DEFAULT);

        /* Each plugin sees its own object plus the list's name and version (spec §"Network
         * configuration list runtime"), and the previous result when there is one. */
        _cleanup_(json_decrefp) json_t *conf = json_deep_copy(plugin);
        if (!conf || json_object_set(conf, "name", json_object_get(list, "name")) < 0 ||
            json_object_set(conf, "cniVersion", json_object_get(list, "cniVersion")) < 0 ||
            (prev && json_object_set(conf, "prevResult", prev) < 0))
                return -ENOMEM;
        _cleanup_free_ char *text = json_dumps(conf, JSON_COMPACT);
        if (!text)
                return -ENOMEM;

        _cleanup_free_ char *out = NULL, *err = NULL;
        r = plugin_run(binary, command, rt, text, &out, &err);
        if (r == -ETIMEDOUT)
                return set_error(ret_error, r, "plugin %s (%s): no answer within the deadline, killed", type, command);
        if (r < 0)
                return set_error(ret_error, r, "plugin %s (%s): %s", type, command, strerror(-r));
        if (r != 0) {
                _cleanup_free_ char *why = plugin_error_text(out, err);
                return set_error(ret_error, -EIO, "plugin %s (%s): %s", type, command, why ?: "failed");
        }

        if (!ret_result)
                return 0;
        json_error_t je;
        json_t *res = json_loads(out, 0, &je);
        if (!json_is_object(res)) {
                json_decref(res);
                return set_error(ret_error, -EIO, "plugin %s (%s): its result is not a JSON object", type, command);
        }
        *ret_result = res;
        return 0;
}

int cni_conflist_add(const char *conflist, const CniRuntime *rt, json_t **ret_result, char **ret_error) {
        _cleanup_(json_decrefp) json_t *list = NULL, *prev = NULL;
        int r = conflist_parse(conflist, &list, ret_error);
        if (r < 0)
                return r;

        size_t n = json_array_size(json_object_get(list, "plugins"));
        for (size_t i = 0; i < n; i++) {
                json_t *res = NULL;
                r = plugin_invoke(list, i, "ADD", rt, prev, &res, ret_error);
                if (r < 0)
                        return r;
                json_decref(prev);
                prev = res;
        }
        *ret_result = TAKE_PTR(prev);
        return 0;
}

int cni_conflist_del(const char *conflist, const CniRuntime *rt, json_t *prev_result, char **ret_error) {
        _cleanup_(json_decrefp) json_t *list = NULL;
        int r = conflist_parse(conflist, &list, ret_error);
        if (r < 0)
                return r;

        int ret = 0;
        size_t n = json_array_size(json_object_get(list, "plugins"));
        for (size_t i = n; i > 0; i--) {
                _cleanup_free_ char *e = NULL;
                r = plugin_invoke(list, i - 1, "DEL", rt, prev_result, NULL, &e);
                if (r < 0 && ret == 0) {
                        ret = r;
                        if (ret_error) {
                                free(*ret_error);
                                *ret_error = TAKE_PTR(e);
                        }
                }
        }
        return ret;
}

int cni_result_ipv4(json_t *result, char **ret_address, char **ret_gateway) {
        size_t i;
        json_t *ip;
        json_array_foreach(json_object_get(result, "ips"), i, ip) {
                const char *a = json_string_value(json_object_get(ip, "address"));
                if (!a || !strchr(a, '.'))
                        continue;
                const char *slash = strchr(a, '/');
                _cleanup_free_ char *addr = slash ? strndup(a, (size_t) (slash - a)) : strdup(a);
                if (!addr)
                        return -ENOMEM;
                const char *gw = json_string_value(json_object_get(ip, "gateway"));
                if (ret_gateway) {
                        *ret_gateway = NULL;
                        if (gw && !(*ret_gateway = strdup(gw)))
                                return -ENOMEM;
                }
                *ret_address = TAKE_PTR(addr);
                return 0;
        }
        return -ENODATA;
}
