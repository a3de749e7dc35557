/* SPDX-License-Identifier: Apache-2.0 */
#include "oci-spec.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "oci-user.h"
#include "strv.h"

/* Linux capabilities by number (linux/capability.h); runc refuses none of them. */
static const char *const capability_names[] = {
        "CAP_CHOWN",           "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",       "CAP_FSETID",
        "CAP_KILL",            "CAP_SETGID",         "CAP_SETUID",          "CAP_SETPCAP",      "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",       "CAP_NET_RAW",      "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",       "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",   "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",       "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",     "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",           "CAP_LEASE",        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",        "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",    "CAP_SYSLOG",
        "CAP_WAKE_ALARM",      "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",      "CAP_PERFMON",      "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};
#define CAPABILITY_ALL_KNOWN ((UINT64_C(1) << ELEMENTSOF(capability_names)) - 1)
#define CAP_BIT(n) (UINT64_C(1) << (n))

/* Docker's and containerd's default set: what a container may do as root without being
 * trusted with the host. */
static const uint64_t capability_default = CAP_BIT(0) /* CHOWN */ | CAP_BIT(1) /* DAC_OVERRIDE */ |
        CAP_BIT(3) /* FOWNER */ | CAP_BIT(4) /* FSETID */ | CAP_BIT(5) /* KILL */ | CAP_BIT(6) /* SETGID */ |
        CAP_BIT(7) /* SETUID */ | CAP_BIT(8) /* SETPCAP */ | CAP_BIT(10) /* NET_BIND_SERVICE */ |
        CAP_BIT(13) /* NET_RAW */ | CAP_BIT(18) /* SYS_CHROOT */ | CAP_BIT(27) /* MKNOD */ |
        CAP_BIT(29) /* AUDIT_WRITE */ | CAP_BIT(31) /* SETFCAP */;

/* runc's defaults (`runc spec`): kernel interfaces a container has no business reading or
 * writing, masked or made read-only unless the container is privileged. */
static const char *const masked_paths[] = {
        "/proc/acpi",  "/proc/asound",      "/proc/kcore",   "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
};
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define SECCOMP_PROFILE_MAX (1024U * 1024U)

int oci_capability_from_name(const char *name) {
        if (isempty(name))
                return -EINVAL;
        const char *n = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
        for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
                if (strcasecmp(n, capability_names[i] + 4) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *oci_capability_to_name(int cap) {
        if (cap < 0 || (size_t) cap >= ELEMENTSOF(capability_names))
                return NULL;
        return capability_names[cap];
}

int oci_capability_bounding_current(uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_file_full("/proc/self/status", 1024 * 1024, &text, NULL);
        if (r < 0)
                return r;
        const char *p = strstr(text, "\nCapBnd:");
        if (!p)
                return -ENODATA;
        uint64_t v;
        if (sscanf(p + 8, "%" SCNx64, &v) != 1)
                return -EBADMSG;
        *ret = v & CAPABILITY_ALL_KNOWN;
        return 0;
}

/* ---- building ---- */

typedef struct Builder {
        const ContainerSpec *c;
        const OciSpecContext *ctx;
        char **error;
} Builder;

_printf_(3, 4) static int fail(Builder *b, int error, const char *fmt, ...) {
        if (b->error && !*b->error) {
                va_list ap;
                va_start(ap, fmt);
                int k = vasprintf(b->error, fmt, ap);
                va_end(ap);
                if (k < 0) {
                        *b->error = NULL;
                        return -ENOMEM;
                }
        }
        return error;
}

/* jansson returns NULL (or -1) only when out of memory: one check per insertion. */
static int jset(json_t *o, const char *key, json_t *v) {
        if (!v)
                return -ENOMEM;
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

static int jappend(json_t *a, json_t *v) {
        if (!v)
                return -ENOMEM;
        return json_array_append_new(a, v) < 0 ? -ENOMEM : 0;
}

static json_t *jstrv(char *const *l) {
        json_t *a = json_array();
        if (!a)
                return NULL;
        STRV_FOREACH(s, l)
                if (jappend(a, json_string(*s)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *jstrings(const char *const *l, size_t n) {
        json_t *a = json_array();
        if (!a)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (jappend(a, json_string(l[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static const char *ctx_or(const char *v, const char *fallback) {
        return !isempty(v) ? v : fallback;
}

/* ---- process.args ---- */

static int strv_extend_all(char ***l, char *const *add) {
        STRV_FOREACH(s, add)
                if (strv_extend(l, *s) < 0)
                        return -ENOMEM;
        return 0;
}

/* Seed 001/004: command replaces the image's ENTRYPOINT (and then the image's CMD is not
 * used either, as with docker run --entrypoint); args replace the image's CMD. */
static int build_args(Builder *b, json_t *process) {
        const ContainerSpec *c = b->c;
        const OciImageConfig *img = b->ctx->image;
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        if (!isempty(c->command)) {
                if (strv_extend(&argv, c->command) < 0 || strv_extend_all(&argv, c->args) < 0)
                        return -ENOMEM;
        } else {
                if ((r = strv_extend_all(&argv, img ? img->entrypoint : NULL)) < 0)
                        return r;
                if ((r = strv_extend_all(&argv, strv_length(c->args) > 0 ? c->args : img ? img->cmd : NULL)) < 0)
                        return r;
        }
        if (strv_length(argv) == 0)
                return fail(b, -EINVAL,
                            "spec.command: container \"%s\" has no command: set command (or args), or use an image with an Entrypoint or Cmd",
                            strempty(c->id));
        if (isempty(argv[0]))
                return fail(b, -EINVAL, "spec.command: container \"%s\": the program to run is an empty string",
                            strempty(c->id));
        return jset(process, "args", jstrv(argv));
}

/* ---- process.env ---- */

static size_t env_key_len(const char *e) {
        const char *eq = strchr(e, '=');
        return eq ? (size_t) (eq - e) : strlen(e);
}

static ssize_t env_find(char **env, const char *entry) {
        size_t n = env_key_len(entry);
        for (size_t i = 0; env && env[i]; i++)
                if (env_key_len(env[i]) == n && strncmp(env[i], entry, n) == 0)
                        return (ssize_t) i;
        return -1;
}

/* Sets KEY=VALUE, replacing an earlier value in place: the first definer keeps the position,
 * the last one wins the value. */
static int env_put(char ***env, const char *entry) {
        ssize_t i = env_find(*env, entry);
        if (i < 0)
                return strv_extend(env, entry);
        char *d = strdup(entry);
        if (!d)
                return -ENOMEM;
        free((*env)[i]);
        (*env)[i] = d;
        return 0;
}

_printf_(3, 4) static int env_putf(char ***env, bool only_if_unset, const char *fmt, ...) {
        _cleanup_free_ char *e = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&e, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (only_if_unset && env_find(*env, e) >= 0)
                return 0;
        return env_put(env, e);
}

static int build_env(Builder *b, json_t *process) {
        const ContainerSpec *c = b->c;
        const OciSpecContext *ctx = b->ctx;
        _cleanup_strv_free_ char **env = NULL;
        int r;

        /* The image's environment, overridden by KUKEON_*, overridden by spec.env (seed 004:
         * user-declared entries win on collision). */
        if (ctx->image)
                STRV_FOREACH(e, ctx->image->env) {
                        if (!strchr(*e, '=') || **e == '=')
                                continue; /* not a variable; an image may carry anything */
                        if ((r = env_put(&env, *e)) < 0)
                                return r;
                }

        _cleanup_free_ char *cell_cgroup = NULL;
        if (!isempty(ctx->cell_cgroup_path))
                cell_cgroup = strdup(ctx->cell_cgroup_path);
        else {
                const char *slash = strrchr(ctx->cgroups_path, '/');
                cell_cgroup = slash == ctx->cgroups_path ? strdup("/") : strndup(ctx->cgroups_path, slash - ctx->cgroups_path);
        }
        if (!cell_cgroup)
                return -ENOMEM;

        if ((r = env_putf(&env, false, "KUKEON_REALM=%s", ctx_or(ctx->realm, strempty(c->realm_id)))) < 0 ||
            (r = env_putf(&env, false, "KUKEON_SPACE=%s", ctx_or(ctx->space, strempty(c->space_id)))) < 0 ||
            (r = env_putf(&env, false, "KUKEON_STACK=%s", ctx_or(ctx->stack, strempty(c->stack_id)))) < 0 ||
            (r = env_putf(&env, false, "KUKEON_CELL_NAME=%s", ctx_or(ctx->cell, strempty(c->cell_id)))) < 0 ||
            (r = env_putf(&env, false, "KUKEON_CONTAINER_ID=%s", ctx_or(ctx->container, strempty(c->id)))) < 0 ||
            (r = env_putf(&env, false, "KUKEON_CGROUP_PATH=%s", cell_cgroup)) < 0)
                return r;
        if (!isempty(ctx->cell_profile_name) &&
            (r = env_putf(&env, false, "KUKEON_CELL_PROFILE_NAME=%s", ctx->cell_profile_name)) < 0)
                return r;

        size_t i = 0;
        STRV_FOREACH(e, c->env) {
                if (!strchr(*e, '=') || **e == '=')
                        return fail(b, -EINVAL, "spec.env[%zu]: \"%s\" is not KEY=VALUE", i, *e);
                if ((r = env_put(&env, *e)) < 0)
                        return r;
                i++;
        }

        /* Secrets in env mode come last. A name also in spec.env is a mistake to report, not
         * to settle silently either way. */
        for (size_t s = 0; s < c->n_secrets; s++) {
                const OciSecret *o = &ctx->secrets->items[s];
                if (!o->env_value)
                        continue;
                size_t k = 0;
                STRV_FOREACH(e, c->env) {
                        if (env_key_len(*e) == strlen(o->name) && strncmp(*e, o->name, strlen(o->name)) == 0)
                                return fail(b, -EINVAL, "spec.secrets[%zu].name: \"%s\" is also set by spec.env[%zu]", s,
                                            o->name, k);
                        k++;
                }
                /* config.json is JSON: a value that is not UTF-8 text can only be a file */
                json_t *probe = json_string(o->env_value);
                if (!probe)
                        return fail(b, -EINVAL,
                                    "spec.secrets[%zu] (\"%s\"): the value is not UTF-8 text and cannot be an environment variable; set mountPath",
                                    s, o->name);
                json_decref(probe);

                _cleanup_free_ char *entry = NULL;
                size_t n = strlen(o->name) + 1 + strlen(o->env_value) + 1;
                entry = malloc(n);
                if (!entry)
                        return -ENOMEM;
                (void) snprintf(entry, n, "%s=%s", o->name, o->env_value);
                r = env_put(&env, entry);
                explicit_bzero(entry, n);
                if (r < 0)
                        return r;
        }

        if ((r = env_putf(&env, true, "%s", OCI_DEFAULT_PATH_ENV)) < 0)
                return r;
        if (ctx->terminal && (r = env_putf(&env, true, "TERM=xterm")) < 0)
                return r;

        json_t *a = jstrv(env);
        /* the strings hold secrets: wipe them before they are freed */
        STRV_FOREACH(e, env)
                explicit_bzero(*e, strlen(*e));
        return jset(process, "env", a);
}

/* ---- process.user, cwd ---- */

static int build_user(Builder *b, json_t *process) {
        const ContainerSpec *c = b->c;
        const OciImageConfig *img = b->ctx->image;
        const char *field = "spec.user", *spec = c->user;
        if (isempty(spec) && img && !isempty(img->user)) {
                field = "image config User";
                spec = img->user;
        }

        _cleanup_free_ char *msg = NULL;
        OciUser u = {};
        int r = oci_user_resolve(spec, b->ctx->passwd_path, b->ctx->group_path, &u, &msg);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(b, r, "%s: %s", field, strna(msg));

        json_t *user = json_object();
        r = jset(process, "user", user);
        if (r >= 0)
                r = jset(user, "uid", json_integer(u.uid));
        if (r >= 0)
                r = jset(user, "gid", json_integer(u.gid));
        if (r >= 0 && u.n_additional_gids > 0) {
                json_t *g = json_array();
                r = jset(user, "additionalGids", g);
                for (size_t i = 0; r >= 0 && i < u.n_additional_gids; i++)
                        r = jappend(g, json_integer(u.additional_gids[i]));
        }
        oci_user_done(&u);
        return r;
}

static int build_cwd(Builder *b, json_t *process) {
        const char *field = "spec.workingDir", *cwd = b->c->working_dir;
        if (isempty(cwd) && b->ctx->image && !isempty(b->ctx->image->working_dir)) {
                field = "image config WorkingDir";
                cwd = b->ctx->image->working_dir;
        }
        if (isempty(cwd))
                cwd = "/";
        if (cwd[0] != '/')
                return fail(b, -EINVAL, "%s: \"%s\" is not an absolute path", field, cwd);
        return jset(process, "cwd", json_string(cwd));
}

/* ---- capabilities ---- */

static int caps_parse(Builder *b, char **list, const char *field, uint64_t avail, bool check_avail, uint64_t *ret,
                      bool *ret_all) {
        size_t i = 0;
        STRV_FOREACH(name, list) {
                if (strcasecmp(*name, "ALL") == 0)
                        *ret_all = true;
                else {
                        int cap = oci_capability_from_name(*name);
                        if (cap < 0)
                                return fail(b, -EINVAL,
                                            "%s[%zu]: unknown capability \"%s\" (expected a name like CAP_NET_ADMIN, or ALL)",
                                            field, i, *name);
                        if (check_avail && !(avail & CAP_BIT(cap)))
                                return fail(b, -EPERM, "%s[%zu]: %s is not in kukeond's own bounding set, it cannot grant it",
                                            field, i, capability_names[cap]);
                        *ret |= CAP_BIT(cap);
                }
                i++;
        }
        return 0;
}

static int build_capabilities(Builder *b, json_t *process) {
        const ContainerSpec *c = b->c;
        uint64_t avail = b->ctx->capability_mask ? (b->ctx->capability_mask & CAPABILITY_ALL_KNOWN) : CAPABILITY_ALL_KNOWN;
        uint64_t set;
        int r;

        if (c->privileged)
                set = avail;
        else {
                uint64_t add = 0, drop = 0;
                bool add_all = false, drop_all = false;
                if ((r = caps_parse(b, c->capabilities ? c->capabilities->add : NULL, "spec.capabilities.add", avail, true,
                                    &add, &add_all)) < 0 ||
                    (r = caps_parse(b, c->capabilities ? c->capabilities->drop : NULL, "spec.capabilities.drop", avail,
                                    false, &drop, &drop_all)) < 0)
                        return r;
                /* Docker's rules: add ALL is everything but what is dropped; drop ALL is only
                 * what is added; else the default set minus drops plus adds. */
                if (add_all)
                        set = avail & ~drop;
                else if (drop_all)
                        set = add;
                else
                        set = ((capability_default & avail) & ~drop) | add;
        }

        json_t *caps = json_object(), *names = json_array();
        if (!caps || !names) {
                json_decref(caps);
                json_decref(names);
                return -ENOMEM;
        }
        if ((r = jset(process, "capabilities", caps)) < 0) {
                json_decref(names);
                return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
                if ((set & CAP_BIT(i)) && (r = jappend(names, json_string(capability_names[i]))) < 0) {
                        json_decref(names);
                        return r;
                }
        /* No inheritable or ambient set: a process that execs a file with file capabilities
         * must not gain through them (CVE-2022-24769). */
        if ((r = jset(caps, "bounding", json_deep_copy(names))) < 0 || (r = jset(caps, "effective", json_deep_copy(names))) < 0)
                return json_decref(names), r;
        return jset(caps, "permitted", names);
}

/* ---- security options ---- */

static int load_seccomp(Builder *b, size_t index, const char *opt, const char *path, json_t **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r = read_file_full(path, SECCOMP_PROFILE_MAX, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(b, r, "spec.securityOpts[%zu]: \"%s\": cannot read the profile: %s", index, opt, strerror(-r));

        json_error_t jerr;
        json_t *p = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!p)
                return fail(b, -EINVAL, "spec.securityOpts[%zu]: \"%s\": line %d, column %d: %s", index, opt, jerr.line,
                            jerr.column, jerr.text);
        if (!json_is_object(p) || !json_is_string(json_object_get(p, "defaultAction"))) {
                json_decref(p);
                return fail(b, -EINVAL, "spec.securityOpts[%zu]: \"%s\": not a seccomp profile (no \"defaultAction\")",
                            index, opt);
        }
        if (json_object_get(p, "archMap")) {
                json_decref(p);
                return fail(b, -EINVAL,
                            "spec.securityOpts[%zu]: \"%s\": a Docker-format profile (archMap); give the OCI form (linux.seccomp of the runtime spec)",
                            index, opt);
        }
        *ret = p;
        return 0;
}

static int build_security(Builder *b, json_t *process, json_t *linux_) {
        bool nnp = false;
        json_t *seccomp = NULL;
        size_t i = 0;
        int r;

        STRV_FOREACH(o, b->c->security_opts) {
                const char *opt = *o;
                if (STR_IN_SET(opt, "no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"))
                        nnp = true;
                else if (STR_IN_SET(opt, "no-new-privileges:false", "no-new-privileges=false"))
                        nnp = false;
                else if (STR_IN_SET(opt, "seccomp=unconfined", "seccomp:unconfined")) {
                        json_decref(seccomp);
                        seccomp = NULL;
                } else if ((strncmp(opt, "seccomp=", 8) == 0 || strncmp(opt, "seccomp:", 8) == 0) && opt[8] == '/') {
                        json_decref(seccomp);
                        seccomp = NULL;
                        if ((r = load_seccomp(b, i, opt, opt + 8, &seccomp)) < 0)
                                return r;
                } else {
                        json_decref(seccomp);
                        return fail(b, -EINVAL,
                                    "spec.securityOpts[%zu]: unsupported security option \"%s\" (supported: no-new-privileges[:true|false], seccomp=unconfined, seccomp=/path/to/profile.json)",
                                    i, opt);
                }
                i++;
        }

        r = jset(process, "noNewPrivileges", json_boolean(nnp));
        if (r < 0) {
                json_decref(seccomp);
                return r;
        }
        return seccomp ? jset(linux_, "seccomp", seccomp) : 0;
}

/* ---- mounts ---- */

typedef struct MountEntry {
        json_t *json;
        char *destination; /* normalized: no trailing '/' */
        char *field;       /* where it comes from, for messages */
        size_t depth;
        size_t order;
} MountEntry;

typedef struct Mounts {
        MountEntry *items;
        size_t n;
} Mounts;

static void mounts_done(Mounts *m) {
        for (size_t i = 0; i < m->n; i++) {
                json_decref(m->items[i].json);
                free(m->items[i].destination);
                free(m->items[i].field);
        }
        free(m->items);
        *m = (Mounts) {};
}

static char *path_normalize(const char *p) {
        char *d = strdup(p);
        if (!d)
                return NULL;
        size_t n = strlen(d);
        while (n > 1 && d[n - 1] == '/')
                d[--n] = '\0';
        return d;
}

static size_t path_depth(const char *p) {
        size_t n = 0;
        for (const char *s = p; *s; s++)
                if (*s == '/' && s[1] && s[1] != '/')
                        n++;
        return n;
}

static bool path_has_dotdot(const char *p) {
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
                        return true;
        return false;
}

static const MountEntry *mounts_find(const Mounts *m, const char *dest) {
        for (size_t i = 0; i < m->n; i++)
                if (streq(m->items[i].destination, dest))
                        return &m->items[i];
        return NULL;
}

/* Adds a mount from the spec; takes 'json'. Two spec mounts on one destination are an error. */
static int mounts_add(Builder *b, Mounts *m, const char *field, const char *dest, json_t *json) {
        if (!json)
                return -ENOMEM;
        if (isempty(dest) || dest[0] != '/' || path_has_dotdot(dest)) {
                json_decref(json);
                return fail(b, -EINVAL, "%s: \"%s\" is not an absolute path without \"..\"", field, strempty(dest));
        }
        _cleanup_free_ char *d = path_normalize(dest);
        if (!d) {
                json_decref(json);
                return -ENOMEM;
        }
        if (streq(d, "/")) {
                json_decref(json);
                return fail(b, -EINVAL, "%s: cannot mount over the container's root directory", field);
        }
        const MountEntry *dup = mounts_find(m, d);
        if (dup) {
                json_decref(json);
                return fail(b, -EINVAL, "%s: %s is already mounted by %s", field, d, dup->field);
        }
        MountEntry *a = realloc(m->items, (m->n + 1) * sizeof(MountEntry));
        if (!a) {
                json_decref(json);
                return -ENOMEM;
        }
        m->items = a;
        char *f = strdup(field);
        if (!f) {
                json_decref(json);
                return -ENOMEM;
        }
        if (json_object_set_new(json, "destination", json_string(d)) < 0) {
                json_decref(json);
                free(f);
                return -ENOMEM;
        }
        size_t k = m->n++;
        a[k] = (MountEntry) {
                .json = json, .destination = TAKE_PTR(d), .field = f, .depth = path_depth(dest), .order = k,
        };
        return 0;
}

/* {"type": …, "source": …, "options": [...]}; NULL-terminated options. */
static json_t *mount_json(const char *type, const char *source, const char *const *options) {
        json_t *j = json_object(), *o = json_array();
        if (!j || !o)
                goto fail;
        for (const char *const *p = options; p && *p; p++)
                if (jappend(o, json_string(*p)) < 0)
                        goto fail;
        if (jset(j, "type", json_string(type)) < 0 || jset(j, "source", json_string(source)) < 0)
                goto fail;
        if (jset(j, "options", o) < 0) {
                o = NULL;
                goto fail;
        }
        return j;
fail:
        json_decref(o);
        json_decref(j);
        return NULL;
}

static int add_bind(Builder *b, Mounts *m, const char *field, const char *source, const char *dest, bool ro) {
        const char *opts[] = { "rbind", "rprivate", ro ? "ro" : "rw", NULL };
        return mounts_add(b, m, field, dest, mount_json("bind", source, opts));
}

static int add_volumes(Builder *b, Mounts *m) {
        const ContainerSpec *c = b->c;
        int r;

        for (size_t i = 0; i < c->n_volumes; i++) {
                const VolumeMount *v = &c->volumes[i];
                char field[64];
                (void) snprintf(field, sizeof(field), "spec.volumes[%zu]", i);

                if (isempty(v->kind) || streq(v->kind, "bind")) {
                        if (isempty(v->source) || v->source[0] != '/')
                                return fail(b, -EINVAL, "%s.source: a bind volume needs an absolute host path, got \"%s\"",
                                            field, strempty(v->source));
                        r = add_bind(b, m, field, v->source, v->target, v->read_only);
                } else if (streq(v->kind, "tmpfs")) {
                        if (!isempty(v->source))
                                return fail(b, -EINVAL, "%s.source: a tmpfs volume has no source, got \"%s\"", field, v->source);
                        if (v->size_bytes < 0)
                                return fail(b, -EINVAL, "%s.sizeBytes: must not be negative", field);
                        if (v->mode > 07777)
                                return fail(b, -EINVAL, "%s.mode: %o is not a file mode", field, v->mode);
                        char size[32] = "", mode[32] = "";
                        const char *opts[6] = { "nosuid", "nodev" };
                        size_t k = 2;
                        if (v->size_bytes > 0) {
                                (void) snprintf(size, sizeof(size), "size=%" PRIi64, v->size_bytes);
                                opts[k++] = size;
                        }
                        if (v->mode > 0) {
                                (void) snprintf(mode, sizeof(mode), "mode=%04o", v->mode);
                                opts[k++] = mode;
                        }
                        opts[k++] = v->read_only ? "ro" : "rw";
                        opts[k] = NULL;
                        r = mounts_add(b, m, field, v->target, mount_json("tmpfs", "tmpfs", opts));
                } else
                        return fail(b, -EINVAL, "%s.kind: unknown volume kind \"%s\" (expected bind or tmpfs)", field, v->kind);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_tmpfs; i++) {
                const ContainerTmpfsMount *t = &c->tmpfs[i];
                char field[64];
                (void) snprintf(field, sizeof(field), "spec.tmpfs[%zu]", i);
                if (t->size_bytes < 0)
                        return fail(b, -EINVAL, "%s.sizeBytes: must not be negative", field);

                /* Docker's --tmpfs defaults; the spec's options come after them and so win
                 * (exec undoes noexec). */
                _cleanup_strv_free_ char **opts = NULL;
                if (strv_extend(&opts, "nosuid") < 0 || strv_extend(&opts, "nodev") < 0 || strv_extend(&opts, "noexec") < 0)
                        return -ENOMEM;
                if (t->size_bytes > 0) {
                        char size[32];
                        (void) snprintf(size, sizeof(size), "size=%" PRIi64, t->size_bytes);
                        if (strv_extend(&opts, size) < 0)
                                return -ENOMEM;
                }
                size_t j = 0;
                STRV_FOREACH(o, t->options) {
                        if (isempty(*o) || strchr(*o, ','))
                                return fail(b, -EINVAL, "%s.options[%zu]: \"%s\" is not one mount option", field, j, *o);
                        if (strv_extend(&opts, *o) < 0)
                                return -ENOMEM;
                        j++;
                }
                r = mounts_add(b, m, field, t->path, mount_json("tmpfs", "tmpfs", (const char *const *) opts));
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_secrets; i++) {
                const OciSecret *o = &b->ctx->secrets->items[i];
                if (isempty(o->mount_path))
                        continue;
                char field[64];
                (void) snprintf(field, sizeof(field), "spec.secrets[%zu].mountPath", i);
                if (isempty(o->staged_path) || o->staged_path[0] != '/')
                        return fail(b, -EINVAL, "%s: secret \"%s\" was not staged", field, strempty(o->name));
                const char *opts[] = { "rbind", "rprivate", "ro", "nosuid", "nodev", "noexec", NULL };
                r = mounts_add(b, m, field, o->mount_path, mount_json("bind", o->staged_path, opts));
                if (r < 0)
                        return r;
        }

        /* The managed files, unless the spec mounts something of its own there. */
        const struct {
                const char *dest, *source;
        } managed[] = {
                { "/etc/hostname", b->ctx->hostname_path },
                { "/etc/hosts", c->host_network ? NULL : b->ctx->hosts_path },
                { "/etc/resolv.conf", b->ctx->resolv_conf_path },
        };
        for (size_t i = 0; i < ELEMENTSOF(managed); i++) {
                if (isempty(managed[i].source) || mounts_find(m, managed[i].dest))
                        continue;
                if (managed[i].source[0] != '/')
                        return fail(b, -EINVAL, "context: the managed %s must be an absolute host path, got \"%s\"",
                                    managed[i].dest, managed[i].source);
                char field[64];
                (void) snprintf(field, sizeof(field), "managed %s", managed[i].dest);
                r = add_bind(b, m, field, managed[i].source, managed[i].dest, true);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int mount_entry_compare(const void *x, const void *y) {
        const MountEntry *a = x, *b = y;
        if (a->depth != b->depth)
                return a->depth < b->depth ? -1 : 1;
        return a->order < b->order ? -1 : a->order > b->order;
}

static int build_mounts(Builder *b, json_t *spec) {
        bool priv = b->c->privileged;
        const struct {
                const char *dest, *type, *source;
                const char *options[8];
        } defaults[] = {
                { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev" } },
                { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
                { "/dev/pts", "devpts", "devpts", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
                { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
                { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
                /* privileged containers may write /sys and their cgroups */
                { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", priv ? "rw" : "ro" } },
                { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", priv ? "rw" : "ro" } },
        };
        _cleanup_(mounts_done) Mounts extra = {};
        int r = add_volumes(b, &extra);
        if (r < 0)
                return r;

        json_t *mounts = json_array();
        if ((r = jset(spec, "mounts", mounts)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
                if (mounts_find(&extra, defaults[i].dest))
                        continue; /* the spec's own mount there replaces the default */
                json_t *j = mount_json(defaults[i].type, defaults[i].source, defaults[i].options);
                if ((r = jset(j, "destination", json_string(defaults[i].dest))) < 0) {
                        json_decref(j);
                        return r;
                }
                if ((r = jappend(mounts, j)) < 0)
                        return r;
        }

        /* Parents before children, so a volume inside a tmpfs lands on the tmpfs. */
        qsort(extra.items, extra.n, sizeof(MountEntry), mount_entry_compare);
        for (size_t i = 0; i < extra.n; i++)
                if ((r = jappend(mounts, json_incref(extra.items[i].json))) < 0)
                        return r;
        return 0;
}

/* ---- linux ---- */

static int add_namespace(json_t *list, const char *type, const char *path) {
        json_t *ns = json_object();
        int r = jappend(list, ns);
        if (r < 0)
                return r;
        if ((r = jset(ns, "type", json_string(type))) < 0)
                return r;
        if (!isempty(path))
                return jset(ns, "path", json_string(path));
        return 0;
}

static int check_ns_path(Builder *b, const char *what, const char *path) {
        if (!isempty(path) && path[0] != '/')
                return fail(b, -EINVAL, "context: the %s namespace path must be absolute, got \"%s\"", what, path);
        return 0;
}

static int build_namespaces(Builder *b, json_t *linux_, bool *ret_own_uts) {
        const ContainerSpec *c = b->c;
        const OciSpecContext *ctx = b->ctx;
        int r;

        if ((r = check_ns_path(b, "network", ctx->net_ns_path)) < 0 || (r = check_ns_path(b, "IPC", ctx->ipc_ns_path)) < 0 ||
            (r = check_ns_path(b, "UTS", ctx->uts_ns_path)) < 0)
                return r;

        json_t *ns = json_array();
        if ((r = jset(linux_, "namespaces", ns)) < 0)
                return r;
        /* Leaving a namespace out of the list is how the runtime spec says "the host's". */
        if (!c->host_pid && (r = add_namespace(ns, "pid", NULL)) < 0)
                return r;
        if (!c->host_network && (r = add_namespace(ns, "network", ctx->net_ns_path)) < 0)
                return r;
        if ((r = add_namespace(ns, "ipc", ctx->ipc_ns_path)) < 0 || (r = add_namespace(ns, "uts", ctx->uts_ns_path)) < 0 ||
            (r = add_namespace(ns, "mount", NULL)) < 0)
                return r;
        if (!c->host_cgroup && (r = add_namespace(ns, "cgroup", NULL)) < 0)
                return r;
        *ret_own_uts = isempty(ctx->uts_ns_path);
        return 0;
}

static int build_resources(Builder *b, json_t *linux_) {
        const ContainerResources *res = b->c->resources;
        json_t *resources = json_object(), *devices = json_array(), *rule = json_object();
        int r = jset(linux_, "resources", resources);
        if (r < 0) {
                json_decref(devices);
                json_decref(rule);
                return r;
        }
        if ((r = jset(resources, "devices", devices)) < 0) {
                json_decref(rule);
                return r;
        }
        /* Deny every device but the ones runc always allows (null, zero, full, tty, random,
         * urandom, pts, ptmx); privileged containers may use any. */
        if ((r = jappend(devices, rule)) < 0 || (r = jset(rule, "allow", json_boolean(b->c->privileged))) < 0 ||
            (r = jset(rule, "access", json_string("rwm"))) < 0)
                return r;

        if (!res)
                return 0;
        if (res->memory_limit_bytes.set) {
                if (res->memory_limit_bytes.value <= 0)
                        return fail(b, -EINVAL, "spec.resources.memoryLimitBytes: must be positive, got %" PRIi64,
                                    res->memory_limit_bytes.value);
                json_t *mem = json_object();
                if ((r = jset(resources, "memory", mem)) < 0 ||
                    (r = jset(mem, "limit", json_integer(res->memory_limit_bytes.value))) < 0)
                        return r;
        }
        if (res->cpu_shares.set) {
                /* cgroup v1 cpu.shares; on cgroup v2 runc turns shares into cpu.weight
                 * (1 + (shares - 2) * 9999 / 262142), so one value serves both layouts. */
                if (res->cpu_shares.value < 2 || res->cpu_shares.value > 262144)
                        return fail(b, -EINVAL, "spec.resources.cpuShares: expected 2…262144, got %" PRIi64,
                                    res->cpu_shares.value);
                json_t *cpu = json_object();
                if ((r = jset(resources, "cpu", cpu)) < 0 || (r = jset(cpu, "shares", json_integer(res->cpu_shares.value))) < 0)
                        return r;
        }
        if (res->pids_limit.set) {
                if (res->pids_limit.value == 0 || res->pids_limit.value < -1)
                        return fail(b, -EINVAL, "spec.resources.pidsLimit: expected a positive number or -1, got %" PRIi64,
                                    res->pids_limit.value);
                json_t *pids = json_object();
                if ((r = jset(resources, "pids", pids)) < 0 || (r = jset(pids, "limit", json_integer(res->pids_limit.value))) < 0)
                        return r;
        }
        return 0;
}

/* ---- host devices of privileged containers ---- */

typedef struct HostDevice {
        char *path; /* inside the container: /dev/… */
        char type;  /* 'c' or 'b' */
        unsigned major, minor;
        mode_t mode;
        uid_t uid;
        gid_t gid;
} HostDevice;

typedef struct HostDevices {
        HostDevice *items;
        size_t n;
} HostDevices;

static void host_devices_done(HostDevices *d) {
        for (size_t i = 0; i < d->n; i++)
                free(d->items[i].path);
        free(d->items);
        *d = (HostDevices) {};
}

/* containerd's HostDevices(): every character and block device below the directory, but the
 * directories runc mounts itself (pts, shm, mqueue) and the console runc sets up. */
static int host_devices_scan(int dfd, const char *prefix, unsigned depth, HostDevices *out) {
        if (depth > 8)
                return 0;
        int fd = dup(dfd);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        int r = 0;
        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* gone meanwhile */
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", prefix, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (STR_IN_SET(de->d_name, "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"))
                                continue;
                        _cleanup_close_ int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (sub < 0)
                                continue;
                        r = host_devices_scan(sub, path, depth + 1, out);
                        if (r < 0)
                                break;
                        continue;
                }
                if (!(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) || streq(path, "/dev/console"))
                        continue;
                HostDevice *a = realloc(out->items, (out->n + 1) * sizeof(HostDevice));
                if (!a) {
                        r = -ENOMEM;
                        break;
                }
                out->items = a;
                a[out->n++] = (HostDevice) {
                        .path = TAKE_PTR(path), .type = S_ISCHR(st.st_mode) ? 'c' : 'b', .major = major(st.st_rdev),
                        .minor = minor(st.st_rdev), .mode = st.st_mode & 07777, .uid = st.st_uid, .gid = st.st_gid,
                };
        }
        closedir(d);
        return r;
}

static int host_device_compare(const void *x, const void *y) {
        return strcmp(((const HostDevice *) x)->path, ((const HostDevice *) y)->path);
}

static int build_host_devices(Builder *b, json_t *linux_) {
        const char *dir = b->ctx->host_devices_dir;
        if (!b->c->privileged || isempty(dir))
                return 0;

        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return fail(b, -errno, "context: cannot open the host devices directory %s: %m", dir);
        _cleanup_(host_devices_done) HostDevices devs = {};
        int r = host_devices_scan(dfd, "/dev", 0, &devs);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(b, r, "context: cannot list the host devices in %s: %s", dir, strerror(-r));
        qsort(devs.items, devs.n, sizeof(HostDevice), host_device_compare);

        json_t *list = json_array();
        if ((r = jset(linux_, "devices", list)) < 0)
                return r;
        for (size_t i = 0; i < devs.n; i++) {
                const HostDevice *h = &devs.items[i];
                json_t *j = json_object();
                char type[2] = { h->type, 0 };
                if ((r = jappend(list, j)) < 0 || (r = jset(j, "path", json_string(h->path))) < 0 ||
                    (r = jset(j, "type", json_string(type))) < 0 || (r = jset(j, "major", json_integer(h->major))) < 0 ||
                    (r = jset(j, "minor", json_integer(h->minor))) < 0 ||
                    (r = jset(j, "fileMode", json_integer(h->mode))) < 0 || (r = jset(j, "uid", json_integer(h->uid))) < 0 ||
                    (r = jset(j, "gid", json_integer(h->gid))) < 0)
                        return r;
        }
        return 0;
}

static int build_annotations(Builder *b, json_t *spec) {
        const ContainerSpec *c = b->c;
        const OciSpecContext *ctx = b->ctx;
        const struct {
                const char *key, *value;
        } a[] = {
                { "org.kukeon.realm", ctx_or(ctx->realm, c->realm_id) },
                { "org.kukeon.space", ctx_or(ctx->space, c->space_id) },
                { "org.kukeon.stack", ctx_or(ctx->stack, c->stack_id) },
                { "org.kukeon.cell", ctx_or(ctx->cell, c->cell_id) },
                { "org.kukeon.container", ctx_or(ctx->container, c->id) },
                { "org.kukeon.cell.ip", ctx->cell_ip },
        };
        json_t *ann = json_object();
        int r = jset(spec, "annotations", ann);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(a); i++)
                if (!isempty(a[i].value))
                        r = jset(ann, a[i].key, json_string(a[i].value));
        return r;
}

int oci_spec_build(const ContainerSpec *c, const OciSpecContext *ctx, json_t **ret, char **ret_error) {
        if (!c || !ctx || !ret)
                return -EINVAL;
        if (ret_error)
                *ret_error = NULL;

        Builder b = { .c = c, .ctx = ctx, .error = ret_error };
        int r;

        if (isempty(ctx->cgroups_path) || ctx->cgroups_path[0] != '/' || streq(ctx->cgroups_path, "/"))
                return fail(&b, -EINVAL, "context: cgroupsPath must be an absolute cgroup path below the cell's, got \"%s\"",
                            strempty(ctx->cgroups_path));
        if (c->n_secrets > 0 && (!ctx->secrets || ctx->secrets->n != c->n_secrets))
                return fail(&b, -EINVAL, "spec.secrets: %zu secrets declared but %zu resolved (oci_secret_stage())",
                            c->n_secrets, ctx->secrets ? ctx->secrets->n : 0);
        for (size_t i = 0; i < c->n_secrets; i++)
                if (!streq_ptr(ctx->secrets->items[i].name, c->secrets[i].name) ||
                    !ctx->secrets->items[i].env_value == !ctx->secrets->items[i].mount_path ||
                    isempty(c->secrets[i].mount_path) != !ctx->secrets->items[i].mount_path)
                        return fail(&b, -EINVAL, "spec.secrets[%zu]: the resolved secret does not match \"%s\"", i,
                                    strempty(c->secrets[i].name));

        json_t *spec = json_object();
        if (!spec)
                return -ENOMEM;
        json_t *process = json_object(), *root = json_object(), *linux_ = json_object(), *rlimits = json_array(),
               *nofile = json_object();
        bool own_uts = true;

        if ((r = jset(spec, "ociVersion", json_string(OCI_VERSION))) < 0 || (r = jset(spec, "process", process)) < 0 ||
            (r = jset(spec, "root", root)) < 0 || (r = jset(spec, "linux", linux_)) < 0 ||
            (r = jset(process, "rlimits", rlimits)) < 0 || (r = jappend(rlimits, nofile)) < 0)
                goto finish;
        /* runc's and containerd's default; the container can lower it, never raise it. */
        if ((r = jset(nofile, "type", json_string("RLIMIT_NOFILE"))) < 0 || (r = jset(nofile, "hard", json_integer(1024))) < 0 ||
            (r = jset(nofile, "soft", json_integer(1024))) < 0)
                goto finish;

        if ((r = jset(process, "terminal", json_boolean(ctx->terminal))) < 0 || (r = build_args(&b, process)) < 0 ||
            (r = build_env(&b, process)) < 0 || (r = build_user(&b, process)) < 0 || (r = build_cwd(&b, process)) < 0 ||
            (r = build_capabilities(&b, process)) < 0 || (r = build_security(&b, process, linux_)) < 0)
                goto finish;

        if ((r = jset(root, "path", json_string(ctx_or(ctx->root_path, "rootfs")))) < 0 ||
            (r = jset(root, "readonly", json_boolean(c->read_only_root_filesystem))) < 0)
                goto finish;

        if ((r = build_mounts(&b, spec)) < 0 || (r = build_namespaces(&b, linux_, &own_uts)) < 0 ||
            (r = build_resources(&b, linux_)) < 0 || (r = build_host_devices(&b, linux_)) < 0 ||
            (r = jset(linux_, "cgroupsPath", json_string(ctx->cgroups_path))) < 0)
                goto finish;

        /* The hostname is set in a UTS namespace the container owns; one it joins (the cell
         * anchor's) already carries the cell's name. */
        if (own_uts && (r = jset(spec, "hostname", json_string(ctx_or(ctx->hostname, ctx_or(ctx->cell, c->cell_id))))) < 0)
                goto finish;

        if (!c->privileged &&
            ((r = jset(linux_, "maskedPaths", jstrings(masked_paths, ELEMENTSOF(masked_paths)))) < 0 ||
             (r = jset(linux_, "readonlyPaths", jstrings(readonly_paths, ELEMENTSOF(readonly_paths)))) < 0))
                goto finish;

        if ((r = build_annotations(&b, spec)) < 0)
                goto finish;

        *ret = TAKE_PTR(spec);
        return 0;

finish:
        json_decref(spec);
        return r;
}

int oci_spec_format(const json_t *spec, char **ret) {
        if (!spec || !ret)
                return -EINVAL;
        char *s = json_dumps(spec, JSON_SORT_KEYS | JSON_INDENT(2));
        if (!s)
                return -ENOMEM;
        size_t n = strlen(s);
        char *t = realloc(s, n + 2);
        if (!t) {
                free(s);
                return -ENOMEM;
        }
        t[n] = '\n';
        t[n + 1] = '\0';
        *ret = t;
        return 0;
}
