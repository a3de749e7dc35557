/* SPDX-License-Identifier: Apache-2.0 */

#include <errno.h>
#include <jansson.h>

#include "containerd-content.h"
#include "containerd-image.h"
#include "image-config.h"
#include "image-digest.h"
#include "image-manifest.h"
#include "strv.h"

/* manifests and configs are small; refuse anything absurd from the store */
#define JSON_BLOB_MAX (16 * 1024 * 1024)

ImageConfig *image_config_free(ImageConfig *c) {
        if (!c)
                return NULL;
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        strv_free(c->env);
        free(c->working_dir);
        free(c->user);
        free(c->os);
        free(c->architecture);
        strv_free(c->diff_ids);
        strv_free(c->chain_ids);
        free(c->config_digest);
        return mfree(c);
}

static int strv_from_json_array(json_t *a, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;

        if (!a || json_is_null(a)) {
                *ret = NULL;
                return 0;
        }
        if (!json_is_array(a))
                return -EBADMSG;
        l = new0(char *, json_array_size(a) + 1);
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < json_array_size(a); i++) {
                json_t *s = json_array_get(a, i);
                if (!json_is_string(s))
                        return -EBADMSG;
                l[i] = strdup(json_string_value(s));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int string_or_null(json_t *o, const char *key, char **ret) {
        json_t *v = json_object_get(o, key);

        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v))
                return -EBADMSG;
        if (isempty(json_string_value(v)))
                return 0;
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : -ENOMEM;
}

int image_config_parse(const char *json, size_t size, ImageConfig **ret) {
        _cleanup_(image_config_freep) ImageConfig *c = NULL;
        json_t *j, *cfg, *rootfs;
        int r;

        j = json_loadb(json, size, 0, NULL);
        if (!j)
                return -EBADMSG;
        if (!json_is_object(j)) {
                json_decref(j);
                return -EBADMSG;
        }

        c = new0(ImageConfig, 1);
        if (!c) {
                r = -ENOMEM;
                goto finish;
        }
        if ((r = string_or_null(j, "os", &c->os)) < 0 ||
            (r = string_or_null(j, "architecture", &c->architecture)) < 0)
                goto finish;

        cfg = json_object_get(j, "config");
        if (cfg && !json_is_null(cfg)) {
                if (!json_is_object(cfg)) {
                        r = -EBADMSG;
                        goto finish;
                }
                if ((r = strv_from_json_array(json_object_get(cfg, "Entrypoint"), &c->entrypoint)) < 0 ||
                    (r = strv_from_json_array(json_object_get(cfg, "Cmd"), &c->cmd)) < 0 ||
                    (r = strv_from_json_array(json_object_get(cfg, "Env"), &c->env)) < 0 ||
                    (r = string_or_null(cfg, "WorkingDir", &c->working_dir)) < 0 ||
                    (r = string_or_null(cfg, "User", &c->user)) < 0)
                        goto finish;
        }
        if (!c->env) {
                c->env = new0(char *, 1);
                if (!c->env) {
                        r = -ENOMEM;
                        goto finish;
                }
        }

        rootfs = json_object_get(j, "rootfs");
        if (!json_is_object(rootfs)) {
                r = -EBADMSG;
                goto finish;
        }
        r = strv_from_json_array(json_object_get(rootfs, "diff_ids"), &c->diff_ids);
        if (r < 0)
                goto finish;
        if (!c->diff_ids || !c->diff_ids[0]) {
                r = -EBADMSG;
                goto finish;
        }
        r = chain_ids_compute(c->diff_ids, &c->chain_ids);
        if (r == -EINVAL)
                r = -EBADMSG; /* a malformed diff id */
        if (r < 0)
                goto finish;

        *ret = TAKE_PTR(c);
        r = 0;
finish:
        json_decref(j);
        return r;
}

int image_config_load(ContainerdClient *c, const char *ns, const char *name, ImageConfig **ret) {
        _cleanup_(containerd_image_freep) ContainerdImage *image = NULL;
        _cleanup_free_ char *manifest_digest = NULL, *index = NULL, *manifest = NULL, *config = NULL;
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        _cleanup_(image_config_freep) ImageConfig *cfg = NULL;
        size_t size;
        int r;

        r = containerd_image_get_sync(c, ns, name, &image);
        if (r < 0)
                return r;

        if (media_type_is_index(image->target.media_type)) {
                _cleanup_(image_descriptor_array_freep) ImageDescriptor **l = NULL;

                r = containerd_content_read_sync(c, ns, image->target.digest, JSON_BLOB_MAX, (void **) &index, &size);
                if (r < 0)
                        return r;
                r = image_index_parse(index, size, &l);
                if (r < 0)
                        return r;
                for (ImageDescriptor **d = l; *d; d++)
                        if (media_type_is_manifest((*d)->media_type) &&
                            image_platform_matches_host((*d)->os, (*d)->architecture, (*d)->variant)) {
                                manifest_digest = strdup((*d)->digest);
                                if (!manifest_digest)
                                        return -ENOMEM;
                                break;
                        }
                if (!manifest_digest)
                        return -ENOEXEC; /* no manifest for this platform */
        } else {
                manifest_digest = strdup(image->target.digest);
                if (!manifest_digest)
                        return -ENOMEM;
        }

        r = containerd_content_read_sync(c, ns, manifest_digest, JSON_BLOB_MAX, (void **) &manifest, &size);
        if (r < 0)
                return r;
        r = digest_verify(manifest, size, manifest_digest);
        if (r < 0)
                return r;
        r = image_manifest_parse(manifest, size, &m);
        if (r < 0)
                return r;
        r = containerd_content_read_sync(c, ns, m->config->digest, JSON_BLOB_MAX, (void **) &config, &size);
        if (r < 0)
                return r;
        r = digest_verify(config, size, m->config->digest);
        if (r < 0)
                return r;
        r = image_config_parse(config, size, &cfg);
        if (r < 0)
                return r;
        cfg->config_digest = strdup(m->config->digest);
        if (!cfg->config_digest)
                return -ENOMEM;
        *ret = TAKE_PTR(cfg);
        return 0;
}
