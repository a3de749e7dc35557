/* SPDX-License-Identifier: Apache-2.0 */
#include "cni-conflist.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge-name.h"
#include "fileio.h"
#include "macro.h"
#include "subnet.h"

int cni_conflist_build(const char *realm, const char *space, uint8_t subnet_index, bool portmap, char **ret) {
        char bridge[BRIDGE_NAME_LENGTH + 1], subnet[SUBNET_STRING_MAX], gw[SUBNET_STRING_MAX],
                start[SUBNET_STRING_MAX], end[SUBNET_STRING_MAX];
        _cleanup_free_ char *name = NULL;
        _cleanup_(json_decrefp) json_t *root = NULL;
        int r;

        if (isempty(realm) || isempty(space) || !ret)
                return -EINVAL;
        r = bridge_name_format(realm, space, bridge);
        if (r < 0)
                return r;
        if (asprintf(&name, "%s-%s", realm, space) < 0)
                return -ENOMEM;
        subnet_format(subnet_index, subnet);
        subnet_format_host(subnet_index, SUBNET_HOST_GATEWAY, gw);
        subnet_format_host(subnet_index, SUBNET_HOST_RANGE_START, start);
        subnet_format_host(subnet_index, SUBNET_HOST_RANGE_END, end);

        json_t *plugins = json_array();
        root = json_pack("{s:s, s:s, s:o}", "cniVersion", CNI_VERSION, "name", name, "plugins", plugins);
        if (!root)
                return -ENOMEM;
        json_t *bridge_plugin = json_pack(
                "{s:s, s:s, s:b, s:b, s:b, s:{s:s, s:[[{s:s, s:s, s:s, s:s}]], s:[{s:s}]}}",
                "type", "bridge",
                "bridge", bridge,
                "isGateway", 1,
                /* kukeond masquerades the whole /24 with one rule per space (docs/egress.md):
                 * the plugin's ipMasq would build a nat chain per cell, ~9 iptables runs each */
                "ipMasq", 0,
                "hairpinMode", 1,
                "ipam",
                "type", "host-local",
                "ranges", "subnet", subnet, "rangeStart", start, "rangeEnd", end, "gateway", gw,
                "routes", "dst", "0.0.0.0/0");
        if (!bridge_plugin || json_array_append_new(plugins, bridge_plugin) < 0)
                return -ENOMEM;
        if (portmap) {
                json_t *p = json_pack("{s:s, s:{s:b}, s:b}", "type", "portmap", "capabilities", "portMappings", 1,
                                      "snat", 1);
                if (!p || json_array_append_new(plugins, p) < 0)
                        return -ENOMEM;
        }

        char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
                return -ENOMEM;
        size_t n = strlen(text);
        char *t = realloc(text, n + 2);
        if (!t) {
                free(text);
                return -ENOMEM;
        }
        t[n] = '\n';
        t[n + 1] = 0;
        *ret = t;
        return 0;
}

int cni_conflist_path(const char *conf_dir, const char *realm, const char *space, char **ret) {
        if (isempty(realm) || isempty(space) || !ret)
                return -EINVAL;
        if (asprintf(ret, "%s/%s-%s.conflist", isempty(conf_dir) ? CNI_CONF_DIR_DEFAULT : conf_dir, realm, space) < 0)
                return -ENOMEM;
        return 0;
}

int cni_conflist_write(const char *path, const char *text) {
        _cleanup_free_ char *copy = NULL;
        int r;

        if (isempty(path) || !text)
                return -EINVAL;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        const char *dir = dirname(copy);
        if (access(dir, F_OK) < 0) {
                r = mkdir_p_mode(dir, 0755);
                if (r < 0)
                        return r;
        }
        return write_file_atomic(path, text, strlen(text), 0644);
}

int cni_conflist_remove(const char *path) {
        if (isempty(path))
                return -EINVAL;
        if (unlink(path) < 0)
                return -errno;
        return 0;
}

bool cni_plugin_available(const char *bin_dir, const char *name) {
        _cleanup_free_ char *p = NULL;
        struct stat st;

        if (isempty(name) || strchr(name, '/'))
                return false;
        if (asprintf(&p, "%s/%s", isempty(bin_dir) ? CNI_BIN_DIR_DEFAULT : bin_dir, name) < 0)
                return false;
        return stat(p, &st) >= 0 && S_ISREG(st.st_mode) && access(p, X_OK) >= 0;
}
