/* SPDX-License-Identifier: Apache-2.0 */
#include "oci-image-config.h"

#include <jansson.h>
#include <stdio.h>

#include "strv.h"

void oci_image_config_done(OciImageConfig *c) {
        if (!c)
                return;
        c->entrypoint = strv_free(c->entrypoint);
        c->cmd = strv_free(c->cmd);
        c->env = strv_free(c->env);
        c->working_dir = mfree(c->working_dir);
        c->user = mfree(c->user);
}

static int set_error(char **ret_error, const char *key, const char *what) {
        if (ret_error && asprintf(ret_error, "image config: config.%s: %s", key, what) < 0)
                return -ENOMEM;
        return -EINVAL;
}

static int get_strv(json_t *config, const char *key, char ***ret, char **ret_error) {
        json_t *v = json_object_get(config, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_array(v))
                return set_error(ret_error, key, "expected an array of strings");

        _cleanup_strv_free_ char **l = new0(char *, json_array_size(v) + 1);
        if (!l)
                return -ENOMEM;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
                if (!json_is_string(e))
                        return set_error(ret_error, key, "expected an array of strings");
                l[i] = strdup(json_string_value(e));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int get_string(json_t *config, const char *key, char **ret, char **ret_error) {
        json_t *v = json_object_get(config, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return set_error(ret_error, key, "expected a string");
        if (!isempty(json_string_value(v))) {
                *ret = strdup(json_string_value(v));
                if (!*ret)
                        return -ENOMEM;
        }
        return 0;
}

int oci_image_config_from_json(const char *text, size_t size, OciImageConfig *ret, char **ret_error) {
        json_error_t jerr;
        json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                if (ret_error && asprintf(ret_error, "image config: line %d, column %d: %s", jerr.line, jerr.column, jerr.text) < 0)
                        return -ENOMEM;
                return -EINVAL;
        }

        OciImageConfig c = {};
        int r = 0;
        if (!json_is_object(root)) {
                if (ret_error && asprintf(ret_error, "image config: expected a JSON object") < 0)
                        r = -ENOMEM;
                else
                        r = -EINVAL;
                goto finish;
        }
        json_t *config = json_object_get(root, "config");
        if (config && !json_is_null(config)) {
                if (!json_is_object(config)) {
                        r = set_error(ret_error, "", "expected an object");
                        goto finish;
                }
                if ((r = get_strv(config, "Entrypoint", &c.entrypoint, ret_error)) < 0 ||
                    (r = get_strv(config, "Cmd", &c.cmd, ret_error)) < 0 ||
                    (r = get_strv(config, "Env", &c.env, ret_error)) < 0 ||
                    (r = get_string(config, "WorkingDir", &c.working_dir, ret_error)) < 0 ||
                    (r = get_string(config, "User", &c.user, ret_error)) < 0)
                        goto finish;
        }
        *ret = c;
        c = (OciImageConfig) {};
finish:
        oci_image_config_done(&c);
        json_decref(root);
        return r;
}
