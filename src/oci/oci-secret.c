/* SPDX-License-Identifier: Apache-2.0 */
#include "oci-secret.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"

static void wipe_free(char *s, size_t n) {
        if (!s)
                return;
        explicit_bzero(s, n);
        free(s);
}

void oci_secrets_done(OciSecrets *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++) {
                OciSecret *e = &s->items[i];
                if (e->env_value)
                        wipe_free(e->env_value, strlen(e->env_value));
                free(e->name);
                free(e->staged_path);
                free(e->mount_path);
        }
        free(s->items);
        *s = (OciSecrets) {};
}

_printf_(3, 4) static int fail(char **ret_error, int error, const char *fmt, ...) {
        if (ret_error) {
                va_list ap;
                va_start(ap, fmt);
                int k = vasprintf(ret_error, fmt, ap);
                va_end(ap);
                if (k < 0) {
                        *ret_error = NULL;
                        return -ENOMEM;
                }
        }
        return error;
}

/* The secret's bytes, from its file or from the daemon's environment. */
static int secret_read(const ContainerSecret *s, size_t index, char **ret, size_t *ret_size, char **ret_error) {
        if (!isempty(s->from_file)) {
                char *data = NULL;
                size_t size = 0;
                int r = read_file_full(s->from_file, OCI_SECRET_SIZE_MAX, &data, &size);
                if (r == -ENOMEM)
                        return r;
                if (r == -EFBIG)
                        return fail(ret_error, r, "spec.secrets[%zu] (\"%s\"): fromFile %s is larger than %u bytes", index,
                                    s->name, s->from_file, OCI_SECRET_SIZE_MAX);
                if (r < 0)
                        return fail(ret_error, r, "spec.secrets[%zu] (\"%s\"): cannot read fromFile %s: %s", index, s->name,
                                    s->from_file, strerror(-r));
                *ret = data;
                *ret_size = size;
                return 0;
        }
        if (!isempty(s->from_env)) {
                const char *v = getenv(s->from_env);
                if (!v)
                        return fail(ret_error, -ENOENT,
                                    "spec.secrets[%zu] (\"%s\"): fromEnv variable %s is not set in kukeond's environment", index,
                                    s->name, s->from_env);
                size_t n = strlen(v);
                if (n > OCI_SECRET_SIZE_MAX)
                        return fail(ret_error, -EFBIG, "spec.secrets[%zu] (\"%s\"): fromEnv %s is larger than %u bytes", index,
                                    s->name, s->from_env, OCI_SECRET_SIZE_MAX);
                char *d = strdup(v);
                if (!d)
                        return -ENOMEM;
                *ret = d;
                *ret_size = n;
                return 0;
        }
        return fail(ret_error, -EINVAL, "spec.secrets[%zu] (\"%s\"): needs exactly one of fromFile and fromEnv", index,
                    strempty(s->name));
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Writes the file under a temporary name created 0400 — never readable by anyone else, not
 * even for an instant — owned by uid:gid, then renames it over 'name'. The staging directory
 * is a tmpfs: no fsync. */
static int stage_file(int dfd, const char *name, const char *data, size_t size, uid_t uid, gid_t gid) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, ".#%s.%d", name, (int) getpid()) < 0)
                return -ENOMEM;
        (void) unlinkat(dfd, tmp, 0);

        _cleanup_close_ int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0400);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, size);
        if (r >= 0 && fchmod(fd, 0400) < 0) /* the umask cannot add bits, but be exact */
                r = -errno;
        if (r >= 0 && fchown(fd, uid, gid) < 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dfd, tmp, 0);
        return r;
}

int oci_secret_stage(const ContainerSpec *c, const char *dir, uid_t uid, gid_t gid, OciSecrets *ret, char **ret_error) {
        if (!c || !ret)
                return -EINVAL;
        if (!dir)
                dir = OCI_SECRETS_DIR_DEFAULT;

        OciSecrets out = {};
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ char *cdir = NULL;
        int r = 0;

        if (c->n_secrets == 0) {
                *ret = out;
                return 0;
        }
        out.items = new0(OciSecret, c->n_secrets);
        if (!out.items)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_secrets; i++) {
                const ContainerSecret *s = &c->secrets[i];
                OciSecret *o = &out.items[out.n++];

                if (isempty(s->name) || strchr(s->name, '/') || streq(s->name, ".") || streq(s->name, "..")) {
                        r = fail(ret_error, -EINVAL, "spec.secrets[%zu].name: \"%s\" is not a valid secret name", i,
                                 strempty(s->name));
                        goto fail;
                }
                o->name = strdup(s->name);
                if (!o->name) {
                        r = -ENOMEM;
                        goto fail;
                }

                char *value = NULL;
                size_t size = 0;
                r = secret_read(s, i, &value, &size, ret_error);
                if (r < 0)
                        goto fail;

                if (isempty(s->mount_path)) {
                        if (memchr(value, '\0', size)) {
                                wipe_free(value, size);
                                r = fail(ret_error, -EINVAL,
                                         "spec.secrets[%zu] (\"%s\"): the value holds a NUL byte and cannot be an environment variable; set mountPath",
                                         i, s->name);
                                goto fail;
                        }
                        o->env_value = value;
                        continue;
                }

                if (s->mount_path[0] != '/') {
                        wipe_free(value, size);
                        r = fail(ret_error, -EINVAL, "spec.secrets[%zu].mountPath: \"%s\" is not an absolute path", i,
                                 s->mount_path);
                        goto fail;
                }
                if (dfd < 0) {
                        if (isempty(c->containerd_id) || strchr(c->containerd_id, '/') || c->containerd_id[0] == '.') {
                                wipe_free(value, size);
                                r = fail(ret_error, -EINVAL, "spec.containerdId: \"%s\" cannot name a secrets directory",
                                         strempty(c->containerd_id));
                                goto fail;
                        }
                        if (asprintf(&cdir, "%s/%s", dir, c->containerd_id) < 0) {
                                wipe_free(value, size);
                                r = -ENOMEM;
                                goto fail;
                        }
                        r = mkdir_p_mode(cdir, 0700);
                        if (r >= 0) {
                                dfd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                                if (dfd < 0)
                                        r = -errno;
                        }
                        if (r < 0) {
                                wipe_free(value, size);
                                r = fail(ret_error, r, "spec.secrets[%zu] (\"%s\"): cannot create the staging directory %s: %s",
                                         i, s->name, cdir, strerror(-r));
                                goto fail;
                        }
                }
                r = stage_file(dfd, s->name, value, size, uid, gid);
                wipe_free(value, size);
                if (r < 0) {
                        r = fail(ret_error, r, "spec.secrets[%zu] (\"%s\"): cannot stage %s/%s: %s", i, s->name, cdir, s->name,
                                 strerror(-r));
                        goto fail;
                }
                if (asprintf(&o->staged_path, "%s/%s", cdir, s->name) < 0) {
                        o->staged_path = NULL;
                        r = -ENOMEM;
                        goto fail;
                }
                o->mount_path = strdup(s->mount_path);
                if (!o->mount_path) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = out;
        return 0;

fail:
        /* No half-staged container: what this call wrote goes again. */
        if (dfd >= 0)
                (void) oci_secret_unstage(dir, c->containerd_id);
        oci_secrets_done(&out);
        return r;
}

int oci_secret_unstage(const char *dir, const char *containerd_id) {
        if (isempty(containerd_id) || strchr(containerd_id, '/') || streq(containerd_id, ".") || streq(containerd_id, ".."))
                return -EINVAL;
        _cleanup_close_ int dfd = open(dir ?: OCI_SECRETS_DIR_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : -errno;
        int r = rm_rf_at(dfd, containerd_id);
        return r == -ENOENT ? 0 : r;
}
