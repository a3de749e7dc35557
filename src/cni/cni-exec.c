/* SPDX-License-Identifier: Apache-2.0 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni-exec.h"
#include "macro.h"
#include "process-run.h"

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

/* Runs one plugin: 'config' on stdin, stdout and stderr collected, killed at the deadline.
 * Returns the exit status (>= 0) or a negative errno. */
static int plugin_run(const char *binary, const char *command, const CniRuntime *rt, const char *config,
                      ProcessRunResult **ret) {
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
        ProcessRun p = {
                .path = binary,
                .argv = argv,
                .envp = envp,
                .input = config,
                .input_size = strlen(config),
                .timeout_usec = rt->timeout_usec ?: CNI_PLUGIN_TIMEOUT_USEC_DEFAULT,
                .output_max = CNI_OUTPUT_MAX,
        };
        return process_run(&p, ret);
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

        _cleanup_(process_run_result_freep) ProcessRunResult *run = NULL;
        r = plugin_run(binary, command, rt, text, &run);
        if (r == -ETIMEDOUT)
                return set_error(ret_error, r, "plugin %s (%s): no answer within the deadline, killed", type, command);
        if (r < 0)
                return set_error(ret_error, r, "plugin %s (%s): %s", type, command, strerror(-r));
        if (r != 0) {
                _cleanup_free_ char *why = plugin_error_text(run->out, run->err);
                return set_error(ret_error, -EIO, "plugin %s (%s): %s", type, command, why ?: "failed");
        }

        if (!ret_result)
                return 0;
        json_error_t je;
        json_t *res = json_loads(run->out, 0, &je);
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
