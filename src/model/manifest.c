/* SPDX-License-Identifier: Apache-2.0 */
#include "manifest.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell-profile.h"
#include "containerd-name.h"
#include "duration.h"
#include "macro.h"
#include "name.h"
#include "strv.h"

/* One check run: where errors go. The first error of a document wins. */
typedef struct Check {
        const DocumentList *list;
        Document *doc;
        const ManifestContext *ctx;
        const char *kind; /* for messages: "Cell" */
} Check;

_printf_(3, 4)
static int fail(Check *c, const char *path, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = document_set_field_error(c->list, c->doc, path, "%s", msg);
        return r < 0 ? r : -EINVAL;
}

static char *path_fmt(const char *fmt, ...) _printf_(1, 2);
static char *path_fmt(const char *fmt, ...) {
        char *s;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* A resource name: a DNS label. 'what' names the kind the name is of ("Space"). */
static int check_name(Check *c, const char *path, const char *what, const char *value) {
        _cleanup_free_ char *msg = NULL;

        if (isempty(value))
                return fail(c, path, "%s name is required", what);
        int r = name_check(what, value, &msg);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(c, path, "%s", msg);
        return 0;
}

/* A spec field that repeats an identity (spec.id = metadata.name, a container's cellId =
 * its cell): default it when empty, refuse it when it disagrees. */
static int default_or_match(Check *c, const char *path, char **field, const char *expected, const char *what) {
        if (isempty(*field)) {
                char *s = strdup(expected);
                if (!s)
                        return -ENOMEM;
                free(*field);
                *field = s;
                return 0;
        }
        if (!streq(*field, expected))
                return fail(c, path, "is \"%s\" but the %s is \"%s\"", *field, what, expected);
        return 0;
}

static bool path_is_absolute(const char *p) {
        return p && p[0] == '/';
}

static int check_absolute(Check *c, const char *path, const char *value, const char *what) {
        if (!path_is_absolute(value))
                return fail(c, path, "%s must be an absolute path, got \"%s\"", what, strempty(value));
        if (strstr(value, "/../") || (strlen(value) >= 3 && streq(value + strlen(value) - 3, "/..")))
                return fail(c, path, "%s must not contain \"..\" components, got \"%s\"", what, value);
        return 0;
}

int env_name_is_valid(const char *s) {
        if (isempty(s) || !(isalpha((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (const char *p = s; *p; p++)
                if (!(isalnum((unsigned char) *p) || *p == '_'))
                        return false;
        return true;
}

static const char *const capability_names[] = {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
        "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
        "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
        "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
        "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
        "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int capability_check(const char *name, char **ret_message) {
        if (!isempty(name)) {
                const char *n = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
                if (strcasecmp(n, "ALL") == 0 && n == name)
                        return 0;
                for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
                        if (strcasecmp(n, capability_names[i]) == 0)
                                return 0;
        }
        if (ret_message && asprintf(ret_message, "unknown capability \"%s\" (expected a name like CAP_NET_ADMIN, or ALL)",
                                    strempty(name)) < 0)
                return -ENOMEM;
        return -EINVAL;
}

int security_opt_check(const char *opt, char **ret_message) {
        if (opt) {
                if (STR_IN_SET(opt, "no-new-privileges", "no-new-privileges:true", "no-new-privileges:false",
                               "no-new-privileges=true", "no-new-privileges=false", "seccomp=unconfined",
                               "seccomp:unconfined"))
                        return 0;
                if ((strncmp(opt, "seccomp=", 8) == 0 || strncmp(opt, "seccomp:", 8) == 0) && opt[8] == '/')
                        return 0;
        }
        if (ret_message &&
            asprintf(ret_message,
                     "unsupported security option \"%s\" (supported: no-new-privileges[:true|false], seccomp=unconfined, seccomp=/path/to/profile.json)",
                     strempty(opt)) < 0)
                return -ENOMEM;
        return -EINVAL;
}

static int check_capabilities(Check *c, const char *path, const ContainerCapabilities *caps) {
        if (!caps)
                return 0;
        const struct {
                const char *key;
                char **list;
        } lists[] = { { "drop", caps->drop }, { "add", caps->add } };

        for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
                size_t i = 0;
                STRV_FOREACH(cap, lists[l].list) {
                        _cleanup_free_ char *msg = NULL, *p = path_fmt("%s.%s[%zu]", path, lists[l].key, i++);
                        if (!p)
                                return -ENOMEM;
                        int r = capability_check(*cap, &msg);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return fail(c, p, "%s", msg);
                }
        }
        return 0;
}

static int check_security_opts(Check *c, const char *path, char **opts) {
        size_t i = 0;
        STRV_FOREACH(o, opts) {
                _cleanup_free_ char *msg = NULL, *p = path_fmt("%s[%zu]", path, i++);
                if (!p)
                        return -ENOMEM;
                int r = security_opt_check(*o, &msg);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return fail(c, p, "%s", msg);
        }
        return 0;
}

static int check_tmpfs_mounts(Check *c, const char *path, const ContainerTmpfsMount *m, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = path_fmt("%s[%zu].path", path, i), *ps = path_fmt("%s[%zu].sizeBytes", path, i);
                if (!p || !ps)
                        return -ENOMEM;
                int r = check_absolute(c, p, m[i].path, "a tmpfs mount path");
                if (r < 0)
                        return r;
                if (m[i].size_bytes < 0)
                        return fail(c, ps, "must not be negative, got %" PRIi64, m[i].size_bytes);
        }
        return 0;
}

static int check_container_resources(Check *c, const char *path, const ContainerResources *res) {
        _cleanup_free_ char *pm = NULL, *pc = NULL, *pp = NULL;

        if (!res)
                return 0;
        if (!(pm = path_fmt("%s.memoryLimitBytes", path)) || !(pc = path_fmt("%s.cpuShares", path)) ||
            !(pp = path_fmt("%s.pidsLimit", path)))
                return -ENOMEM;
        /* Below a few MiB runc itself cannot start the container: say so now, not at start. */
        if (res->memory_limit_bytes.set && res->memory_limit_bytes.value < 6 * 1024 * 1024)
                return fail(c, pm, "must be at least 6291456 (6 MiB), got %" PRIi64, res->memory_limit_bytes.value);
        if (res->cpu_shares.set && (res->cpu_shares.value < 2 || res->cpu_shares.value > 262144))
                return fail(c, pc, "must be between 2 and 262144, got %" PRIi64, res->cpu_shares.value);
        if (res->pids_limit.set && res->pids_limit.value != -1 && res->pids_limit.value < 1)
                return fail(c, pp, "must be positive, or -1 for no limit, got %" PRIi64, res->pids_limit.value);
        return 0;
}

static int check_unit_resources(Check *c, const char *path, const UnitResources *res) {
        if (!res)
                return 0;
        const struct {
                const char *key;
                const OptInt *v;
                int64_t min, max;
        } limits[] = {
                { "memoryMax", &res->memory_max, 1, INT64_MAX },
                { "cpuWeight", &res->cpu_weight, 1, 10000 },
                { "tasksMax", &res->tasks_max, 1, INT64_MAX },
                { "ioWeight", &res->io_weight, 1, 10000 },
        };
        for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                if (!limits[i].v->set || (limits[i].v->value >= limits[i].min && limits[i].v->value <= limits[i].max))
                        continue;
                _cleanup_free_ char *p = path_fmt("%s.%s", path, limits[i].key);
                if (!p)
                        return -ENOMEM;
                if (limits[i].max == INT64_MAX)
                        return fail(c, p, "must be positive, got %" PRIi64, limits[i].v->value);
                return fail(c, p, "must be between %" PRIi64 " and %" PRIi64 ", got %" PRIi64, limits[i].min,
                            limits[i].max, limits[i].v->value);
        }
        return 0;
}

static int check_volumes(Check *c, const char *path, const VolumeMount *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *pk = path_fmt("%s[%zu].kind", path, i), *ps = path_fmt("%s[%zu].source", path, i),
                                    *pt = path_fmt("%s[%zu].target", path, i),
                                    *pz = path_fmt("%s[%zu].sizeBytes", path, i);
                if (!pk || !ps || !pt || !pz)
                        return -ENOMEM;
                int r;

                bool tmpfs = streq_ptr(v[i].kind, "tmpfs");
                if (!isempty(v[i].kind) && !tmpfs && !streq(v[i].kind, "bind"))
                        return fail(c, pk, "unknown volume kind \"%s\" (expected bind or tmpfs)", v[i].kind);
                r = check_absolute(c, pt, v[i].target, "a volume target");
                if (r < 0)
                        return r;
                if (tmpfs) {
                        if (!isempty(v[i].source))
                                return fail(c, ps, "a tmpfs volume has no source, got \"%s\"", v[i].source);
                        if (v[i].size_bytes < 0)
                                return fail(c, pz, "must not be negative, got %" PRIi64, v[i].size_bytes);
                } else {
                        if (isempty(v[i].source))
                                return fail(c, ps, "a bind volume needs a source (an absolute host path)");
                        r = check_absolute(c, ps, v[i].source, "a bind volume source");
                        if (r < 0)
                                return r;
                }
                for (size_t j = 0; j < i; j++)
                        if (streq(v[j].target, v[i].target))
                                return fail(c, pt, "volumes[%zu] already mounts \"%s\"", j, v[i].target);
        }
        return 0;
}

static int check_secrets(Check *c, const char *path, const ContainerSecret *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = path_fmt("%s[%zu]", path, i), *pn = path_fmt("%s[%zu].name", path, i),
                                    *pf = path_fmt("%s[%zu].fromFile", path, i),
                                    *pe = path_fmt("%s[%zu].fromEnv", path, i),
                                    *pm = path_fmt("%s[%zu].mountPath", path, i);
                if (!p || !pn || !pf || !pe || !pm)
                        return -ENOMEM;
                int r;

                if (isempty(s[i].name))
                        return fail(c, pn, "a secret needs a name");
                if (strchr(s[i].name, '/') || streq(s[i].name, ".") || streq(s[i].name, ".."))
                        return fail(c, pn, "secret name \"%s\" must not contain '/' or be \".\" or \"..\"", s[i].name);
                if (isempty(s[i].from_file) == isempty(s[i].from_env))
                        return fail(c, p, "secret \"%s\" needs exactly one of fromFile and fromEnv", s[i].name);
                if (!isempty(s[i].from_file)) {
                        r = check_absolute(c, pf, s[i].from_file, "fromFile");
                        if (r < 0)
                                return r;
                }
                if (!isempty(s[i].from_env) && !env_name_is_valid(s[i].from_env))
                        return fail(c, pe, "\"%s\" is not a valid environment variable name", s[i].from_env);
                if (!isempty(s[i].mount_path)) {
                        r = check_absolute(c, pm, s[i].mount_path, "a secret mountPath");
                        if (r < 0)
                                return r;
                } else if (!env_name_is_valid(s[i].name))
                        return fail(c, pn,
                                    "secret \"%s\" is injected as an environment variable, so its name must be a valid variable name (or set mountPath)",
                                    s[i].name);
                for (size_t j = 0; j < i; j++)
                        if (streq(s[j].name, s[i].name))
                                return fail(c, pn, "secrets[%zu] is already named \"%s\"", j, s[i].name);
        }
        return 0;
}

static int check_env(Check *c, const char *path, char **env) {
        size_t i = 0;
        STRV_FOREACH(e, env) {
                _cleanup_free_ char *p = path_fmt("%s[%zu]", path, i++);
                if (!p)
                        return -ENOMEM;
                const char *eq = strchr(*e, '=');
                if (!eq || eq == *e)
                        return fail(c, p, "expected KEY=VALUE, got \"%s\"", *e);
        }
        return 0;
}

/* Checks a container spec. 'prefix' is its path ("spec" or "spec.containers[2]").
 * 'parent' gives the identities a container embedded in a cell inherits; NULL for a
 * standalone Container document, which must name them itself. */
static int check_container(Check *c, const char *prefix, ContainerSpec *s, const CellDoc *parent, const char *doc_name) {
        _cleanup_free_ char *p_id = NULL, *p_image = NULL, *p_wd = NULL, *p_env = NULL, *p_vol = NULL, *p_caps = NULL,
                            *p_sec = NULL, *p_tmpfs = NULL, *p_res = NULL, *p_secrets = NULL, *p_tty = NULL, *p_cdid = NULL;
        int r;

        if (!(p_id = path_fmt("%s.id", prefix)) || !(p_image = path_fmt("%s.image", prefix)) ||
            !(p_wd = path_fmt("%s.workingDir", prefix)) || !(p_env = path_fmt("%s.env", prefix)) ||
            !(p_vol = path_fmt("%s.volumes", prefix)) || !(p_caps = path_fmt("%s.capabilities", prefix)) ||
            !(p_sec = path_fmt("%s.securityOpts", prefix)) || !(p_tmpfs = path_fmt("%s.tmpfs", prefix)) ||
            !(p_res = path_fmt("%s.resources", prefix)) || !(p_secrets = path_fmt("%s.secrets", prefix)) ||
            !(p_tty = path_fmt("%s.tty", prefix)) || !(p_cdid = path_fmt("%s.containerdId", prefix)))
                return -ENOMEM;

        if (doc_name) {
                r = default_or_match(c, p_id, &s->id, doc_name, "metadata.name");
                if (r < 0)
                        return r;
        }
        r = check_name(c, p_id, "Container", s->id);
        if (r < 0)
                return r;

        /* Identity: inherited from the cell, or required on a standalone document. */
        const struct {
                const char *key, *what;
                char **field;
                const char *inherit;
        } ids[] = {
                { "realmId", "Realm", &s->realm_id, parent ? parent->spec.realm_id : NULL },
                { "spaceId", "Space", &s->space_id, parent ? parent->spec.space_id : NULL },
                { "stackId", "Stack", &s->stack_id, parent ? parent->spec.stack_id : NULL },
                { "cellId", "Cell", &s->cell_id, parent ? parent->metadata.name : NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                _cleanup_free_ char *p = path_fmt("%s.%s", prefix, ids[i].key);
                if (!p)
                        return -ENOMEM;
                if (ids[i].inherit) {
                        r = default_or_match(c, p, ids[i].field, ids[i].inherit, "cell's");
                        if (r < 0)
                                return r;
                } else if (isempty(*ids[i].field))
                        return fail(c, p, "is required (the %s the container belongs to)", ids[i].what);
                r = check_name(c, p, ids[i].what, *ids[i].field);
                if (r < 0)
                        return r;
        }

        if (isempty(s->image))
                return fail(c, p_image, "container \"%s\" needs an image", s->id);
        if (!isempty(s->working_dir)) {
                r = check_absolute(c, p_wd, s->working_dir, "workingDir");
                if (r < 0)
                        return r;
        }

        /* containerd's id for the container: <space>_<stack>_<cell>_<container>. */
        _cleanup_free_ char *cdid = NULL;
        r = containerd_container_id_build(s->space_id, s->stack_id, s->cell_id, s->id, &cdid);
        if (r == -ENAMETOOLONG)
                return fail(c, p_id, "the containerd id \"%s_%s_%s_%s\" would be longer than %d characters: shorten the names",
                            s->space_id, s->stack_id, s->cell_id, s->id, CONTAINERD_IDENTIFIER_LENGTH_MAX);
        if (r == -EINVAL)
                return fail(c, p_id, "containerd refuses the id \"%s_%s_%s_%s\" (no \"--\" in names)", s->space_id,
                            s->stack_id, s->cell_id, s->id);
        if (r < 0)
                return r;
        r = default_or_match(c, p_cdid, &s->containerd_id, cdid, "id kukeon derives from space, stack, cell and container");
        if (r < 0)
                return r;

        if ((r = check_env(c, p_env, s->env)) < 0 ||
            (r = check_volumes(c, p_vol, s->volumes, s->n_volumes)) < 0 ||
            (r = check_capabilities(c, p_caps, s->capabilities)) < 0 ||
            (r = check_security_opts(c, p_sec, s->security_opts)) < 0 ||
            (r = check_tmpfs_mounts(c, p_tmpfs, s->tmpfs, s->n_tmpfs)) < 0 ||
            (r = check_container_resources(c, p_res, s->resources)) < 0 ||
            (r = check_secrets(c, p_secrets, s->secrets, s->n_secrets)) < 0)
                return r;

        /* An empty tty block is the same as none; any setting in it needs attachable. */
        if (s->tty && !s->attachable && (!isempty(s->tty->prompt) || s->tty->n_on_init > 0 || !isempty(s->tty->log_file)))
                return fail(c, p_tty, "tty settings need attachable: true on container \"%s\"", s->id);

        return 0;
}

static int check_metadata(Check *c, Metadata *m) {
        return check_name(c, "metadata.name", c->kind, m->name);
}

static int check_realm(Check *c, RealmDoc *d) {
        int r = check_metadata(c, &d->metadata);
        if (r < 0)
                return r;
        if (realm_name_is_reserved(d->metadata.name) ||
            (realm_name_is_system(d->metadata.name) && !c->ctx->allow_system_realm))
                return fail(c, "metadata.name", "realm name \"%s\" is reserved%s", d->metadata.name,
                            realm_name_is_system(d->metadata.name) ? " for the system realm that kuke init creates" : "");

        if (isempty(d->spec.namespace_)) {
                _cleanup_free_ char *ns = NULL;
                r = containerd_namespace_build(d->metadata.name, NULL, c->ctx->namespace_suffix, &ns);
                if (r == -ENAMETOOLONG || r == -EINVAL)
                        return fail(c, "metadata.name", "realm \"%s\" gives no valid containerd namespace (too long, or \"--\" in it): set spec.namespace",
                                    d->metadata.name);
                if (r < 0)
                        return r;
                free(d->spec.namespace_);
                d->spec.namespace_ = TAKE_PTR(ns);
        } else if (!containerd_identifier_is_valid(d->spec.namespace_))
                return fail(c, "spec.namespace",
                            "\"%s\" is not a valid containerd namespace (letters, digits, and '.', '_' or '-' between them)",
                            d->spec.namespace_);

        for (size_t i = 0; i < d->spec.n_registry_credentials; i++) {
                _cleanup_free_ char *p = path_fmt("spec.registryCredentials[%zu].username", i);
                if (!p)
                        return -ENOMEM;
                if (isempty(d->spec.registry_credentials[i].username))
                        return fail(c, p, "registry credentials need a username");
        }
        return check_unit_resources(c, "spec.resources", d->spec.resources);
}

static int check_egress(Check *c, const EgressPolicy *e) {
        if (!e)
                return 0;
        if (!STR_IN_SET(strempty(e->default_), "allow", "deny"))
                return fail(c, "spec.network.egress.default", "expected allow or deny, got \"%s\"", strempty(e->default_));

        for (size_t i = 0; i < e->n_allow; i++) {
                const EgressAllowRule *a = &e->allow[i];
                _cleanup_free_ char *p = path_fmt("spec.network.egress.allow[%zu]", i),
                                    *pc = path_fmt("spec.network.egress.allow[%zu].cidr", i),
                                    *ph = path_fmt("spec.network.egress.allow[%zu].host", i);
                if (!p || !pc || !ph)
                        return -ENOMEM;

                if (isempty(a->host) == isempty(a->cidr))
                        return fail(c, p, "an allow rule needs exactly one of host and cidr");
                if (!isempty(a->cidr)) {
                        char addr[64];
                        const char *slash = strchr(a->cidr, '/');
                        unsigned char buf[16];
                        char *end;
                        if (!slash || (size_t) (slash - a->cidr) >= sizeof addr)
                                return fail(c, pc, "expected a CIDR like 10.0.0.0/8, got \"%s\"", a->cidr);
                        memcpy(addr, a->cidr, (size_t) (slash - a->cidr));
                        addr[slash - a->cidr] = 0;
                        bool v6 = strchr(addr, ':');
                        long bits = strtol(slash + 1, &end, 10);
                        if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, buf) != 1 || *end || end == slash + 1 || bits < 0 ||
                            bits > (v6 ? 128 : 32))
                                return fail(c, pc, "expected a CIDR like 10.0.0.0/8, got \"%s\"", a->cidr);
                }
                if (!isempty(a->host)) {
                        /* A DNS name: letters, digits, '-' and '.' — the daemon resolves it. */
                        bool ok = strlen(a->host) <= 253;
                        for (const char *h = a->host; ok && *h; h++)
                                ok = isalnum((unsigned char) *h) || *h == '-' || *h == '.';
                        if (!ok)
                                return fail(c, ph, "\"%s\" is not a valid host name", a->host);
                }
                for (size_t j = 0; j < a->n_ports; j++)
                        if (a->ports[j] < 1 || a->ports[j] > 65535) {
                                _cleanup_free_ char *pp = path_fmt("spec.network.egress.allow[%zu].ports[%zu]", i, j);
                                if (!pp)
                                        return -ENOMEM;
                                return fail(c, pp, "port %" PRIi64 " is out of range (1-65535)", a->ports[j]);
                        }
        }
        return 0;
}

static int check_space(Check *c, SpaceDoc *d) {
        int r = check_metadata(c, &d->metadata);
        if (r < 0)
                return r;
        if (isempty(d->spec.realm_id))
                return fail(c, "spec.realmId", "is required (the realm the space belongs to)");
        if ((r = check_name(c, "spec.realmId", "Realm", d->spec.realm_id)) < 0)
                return r;
        if (!isempty(d->spec.cni_config_path) && (r = check_absolute(c, "spec.cniConfigPath", d->spec.cni_config_path, "cniConfigPath")) < 0)
                return r;
        if (d->spec.network && (r = check_egress(c, d->spec.network->egress)) < 0)
                return r;

        const SpaceContainerDefaults *def = d->spec.defaults ? d->spec.defaults->container : NULL;
        if (def) {
                if ((r = check_capabilities(c, "spec.defaults.container.capabilities", def->capabilities)) < 0 ||
                    (r = check_security_opts(c, "spec.defaults.container.securityOpts", def->security_opts)) < 0 ||
                    (r = check_tmpfs_mounts(c, "spec.defaults.container.tmpfs", def->tmpfs, def->n_tmpfs)) < 0 ||
                    (r = check_container_resources(c, "spec.defaults.container.resources", def->resources)) < 0)
                        return r;
        }
        return check_unit_resources(c, "spec.resources", d->spec.resources);
}

static int check_stack(Check *c, StackDoc *d) {
        int r = check_metadata(c, &d->metadata);
        if (r < 0)
                return r;
        if ((r = default_or_match(c, "spec.id", &d->spec.id, d->metadata.name, "metadata.name")) < 0)
                return r;
        if (isempty(d->spec.realm_id))
                return fail(c, "spec.realmId", "is required (the realm the stack belongs to)");
        if ((r = check_name(c, "spec.realmId", "Realm", d->spec.realm_id)) < 0)
                return r;
        if (isempty(d->spec.space_id))
                return fail(c, "spec.spaceId", "is required (the space the stack belongs to)");
        if ((r = check_name(c, "spec.spaceId", "Space", d->spec.space_id)) < 0)
                return r;
        return check_unit_resources(c, "spec.resources", d->spec.resources);
}

static int check_cell_spec(Check *c, CellDoc *d) {
        CellSpec *s = &d->spec;
        int r;

        if ((r = default_or_match(c, "spec.id", &s->id, d->metadata.name, "metadata.name")) < 0)
                return r;
        const struct {
                const char *key, *what;
                char *value;
        } ids[] = {
                { "spec.realmId", "Realm", s->realm_id },
                { "spec.spaceId", "Space", s->space_id },
                { "spec.stackId", "Stack", s->stack_id },
        };
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                if (isempty(ids[i].value))
                        return fail(c, ids[i].key, "is required (the %s the cell belongs to)", ids[i].what);
                if ((r = check_name(c, ids[i].key, ids[i].what, ids[i].value)) < 0)
                        return r;
        }
        if (s->n_containers == 0)
                return fail(c, "spec.containers", "a cell needs at least one container");

        ssize_t root = -1;
        for (size_t i = 0; i < s->n_containers; i++) {
                _cleanup_free_ char *p = path_fmt("spec.containers[%zu]", i), *pr = path_fmt("spec.containers[%zu].root", i);
                if (!p || !pr)
                        return -ENOMEM;
                r = check_container(c, p, &s->containers[i], d, NULL);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(s->containers[j].id, s->containers[i].id)) {
                                _cleanup_free_ char *pid = path_fmt("spec.containers[%zu].id", i);
                                if (!pid)
                                        return -ENOMEM;
                                return fail(c, pid, "spec.containers[%zu] already has the id \"%s\"", j, s->containers[i].id);
                        }
                if (s->containers[i].root) {
                        if (root >= 0)
                                return fail(c, pr, "only one container can be the root; spec.containers[%zd] (\"%s\") already is",
                                            root, s->containers[root].id);
                        root = (ssize_t) i;
                }
        }

        /* Root resolution: rootContainerId, else the container marked root, else the first. */
        if (!isempty(s->root_container_id)) {
                ssize_t named = -1;
                for (size_t i = 0; i < s->n_containers; i++)
                        if (streq(s->containers[i].id, s->root_container_id))
                                named = (ssize_t) i;
                if (named < 0)
                        return fail(c, "spec.rootContainerId", "no container \"%s\" in this cell", s->root_container_id);
                if (root >= 0 && root != named)
                        return fail(c, "spec.rootContainerId", "names \"%s\" but spec.containers[%zd] (\"%s\") is marked root",
                                    s->root_container_id, root, s->containers[root].id);
                root = named;
        }
        if (root < 0)
                root = 0;
        s->containers[root].root = true;
        if (isempty(s->root_container_id) && !(s->root_container_id = strdup(s->containers[root].id)))
                return -ENOMEM;

        if (s->tty && !isempty(s->tty->default_)) {
                const ContainerSpec *t = NULL;
                for (size_t i = 0; i < s->n_containers; i++)
                        if (streq(s->containers[i].id, s->tty->default_))
                                t = &s->containers[i];
                if (!t)
                        return fail(c, "spec.tty.default", "no container \"%s\" in this cell", s->tty->default_);
                if (!t->attachable)
                        return fail(c, "spec.tty.default", "container \"%s\" is not attachable (set attachable: true on it)",
                                    s->tty->default_);
        }

        if (!isempty(s->stop_grace_period)) {
                int64_t usec;
                if (duration_parse(s->stop_grace_period, &usec) < 0 || usec < 0)
                        return fail(c, "spec.stopGracePeriod", "expected a duration like 10s or 1m30s, got \"%s\"",
                                    s->stop_grace_period);
        }
        return check_unit_resources(c, "spec.resources", s->resources);
}

static int check_cell(Check *c, CellDoc *d) {
        int r = check_metadata(c, &d->metadata);
        if (r < 0)
                return r;
        return check_cell_spec(c, d);
}

static int check_container_doc(Check *c, ContainerDoc *d) {
        int r = check_metadata(c, &d->metadata);
        if (r < 0)
                return r;
        return check_container(c, "spec", &d->spec, NULL, d->metadata.name);
}

static int check_log_level(Check *c, const char *path, const char *level) {
        if (!isempty(level) && !STR_IN_SET(level, "debug", "info", "warn", "error"))
                return fail(c, path, "expected debug, info, warn or error, got \"%s\"", level);
        return 0;
}

static int check_server_configuration(Check *c, ServerConfigurationDoc *d) {
        ServerConfigurationSpec *s = &d->spec;
        int r;
        const struct {
                const char *key, *value;
        } paths[] = {
                { "spec.socket", s->socket }, { "spec.runPath", s->run_path },
                { "spec.containerdSocket", s->containerd_socket }, { "spec.cgroupRoot", s->cgroup_root },
                { "spec.cniBinDir", s->cni_bin_dir }, { "spec.cniConfDir", s->cni_conf_dir },
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (!isempty(paths[i].value) && (r = check_absolute(c, paths[i].key, paths[i].value, "the path")) < 0)
                        return r;
        if ((r = check_log_level(c, "spec.logLevel", s->log_level)) < 0)
                return r;
        if (!isempty(s->reconcile_interval)) {
                int64_t usec;
                if (duration_parse(s->reconcile_interval, &usec) < 0)
                        return fail(c, "spec.reconcileInterval", "expected a duration like 30s or 1m, got \"%s\"",
                                    s->reconcile_interval);
        }
        if (s->socket_gid < 0 || s->socket_gid > UINT32_MAX - 1)
                return fail(c, "spec.socketGID", "expected a group id, got %" PRIi64, s->socket_gid);
        if (!isempty(s->containerd_namespace_suffix) && !containerd_identifier_is_valid(s->containerd_namespace_suffix))
                return fail(c, "spec.containerdNamespaceSuffix", "\"%s\" is not valid in a containerd namespace",
                            s->containerd_namespace_suffix);
        return 0;
}

static int check_client_configuration(Check *c, ClientConfigurationDoc *d) {
        ClientConfigurationSpec *s = &d->spec;
        int r;
        if (!isempty(s->host) && strncmp(s->host, "unix:", 5) != 0 && strncmp(s->host, "ssh://", 6) != 0)
                return fail(c, "spec.host", "expected unix:PATH or ssh://[user@]host, got \"%s\"", s->host);
        if (!isempty(s->run_path) && (r = check_absolute(c, "spec.runPath", s->run_path, "runPath")) < 0)
                return r;
        if (!isempty(s->containerd_socket) &&
            (r = check_absolute(c, "spec.containerdSocket", s->containerd_socket, "containerdSocket")) < 0)
                return r;
        return check_log_level(c, "spec.logLevel", s->log_level);
}

static int check_cell_profile(Check *c, CellProfileDoc *d) {
        CellProfileSpec *s = &d->spec;
        int r = check_metadata(c, &d->metadata);
        if (r < 0)
                return r;

        for (size_t i = 0; i < s->n_parameters; i++) {
                _cleanup_free_ char *p = path_fmt("spec.parameters[%zu].name", i);
                if (!p)
                        return -ENOMEM;
                if (!env_name_is_valid(s->parameters[i].name))
                        return fail(c, p, "parameter name \"%s\" must be letters, digits and '_', not starting with a digit",
                                    strempty(s->parameters[i].name));
                for (size_t j = 0; j < i; j++)
                        if (streq(s->parameters[j].name, s->parameters[i].name))
                                return fail(c, p, "spec.parameters[%zu] is already named \"%s\"", j, s->parameters[i].name);
        }
        const struct {
                const char *key, *what, *value;
        } loc[] = {
                { "spec.realm", "Realm", s->realm }, { "spec.space", "Space", s->space }, { "spec.stack", "Stack", s->stack },
        };
        for (size_t i = 0; i < ELEMENTSOF(loc); i++)
                if (!isempty(loc[i].value) &&
                    (r = check_name(c, loc[i].key, loc[i].what, loc[i].value)) < 0)
                        return r;
        /* The body is checked once materialized, when its ${…} references are resolved;
         * the references themselves are checked now, so a typo shows at install time. */
        _cleanup_free_ char *msg = NULL;
        r = cell_profile_check_references(d, &msg);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* The message starts with the field path: point at it. */
                const char *colon = msg ? strstr(msg, ": ") : NULL;
                _cleanup_free_ char *path = colon ? strndup(msg, (size_t) (colon - msg)) : NULL;
                return fail(c, path ?: "spec.cell", "%s", colon ? colon + 2 : strna(msg));
        }
        return 0;
}

int manifest_check_document(DocumentList *l, Document *d, const ManifestContext *ctx) {
        static const ManifestContext default_ctx = {};
        Check c = {
                .list = l,
                .doc = d,
                .ctx = ctx ?: &default_ctx,
                .kind = kind_to_string(d->kind),
        };

        if (d->error || !d->object)
                return -EINVAL;

        switch (d->kind) {
        case KIND_REALM:
                return check_realm(&c, d->object);
        case KIND_SPACE:
                return check_space(&c, d->object);
        case KIND_STACK:
                return check_stack(&c, d->object);
        case KIND_CELL:
                return check_cell(&c, d->object);
        case KIND_CONTAINER:
                return check_container_doc(&c, d->object);
        case KIND_CELL_PROFILE:
                return check_cell_profile(&c, d->object);
        case KIND_SERVER_CONFIGURATION:
                return check_server_configuration(&c, d->object);
        case KIND_CLIENT_CONFIGURATION:
                return check_client_configuration(&c, d->object);
        default:
                return -EINVAL;
        }
}

int container_apply_space_defaults(ContainerSpec *c, const SpaceContainerDefaults *d) {
        if (!d)
                return 0;

        if (isempty(c->user) && d->user) {
                char *u = strdup(d->user);
                if (!u)
                        return -ENOMEM;
                free(c->user);
                c->user = u;
        }
        /* The container's field is a plain bool: false reads as "left empty". */
        if (!c->read_only_root_filesystem && d->read_only_root_filesystem.set)
                c->read_only_root_filesystem = d->read_only_root_filesystem.value;
        if (!c->capabilities && d->capabilities) {
                ContainerCapabilities *caps = calloc(1, sizeof *caps);
                if (!caps)
                        return -ENOMEM;
                int r = schema_copy(&container_capabilities_schema, caps, d->capabilities);
                if (r < 0) {
                        free(caps);
                        return r;
                }
                c->capabilities = caps;
        }
        if (strv_length(c->security_opts) == 0 && d->security_opts) {
                char **o = strv_copy(d->security_opts);
                if (!o)
                        return -ENOMEM;
                strv_free(c->security_opts);
                c->security_opts = o;
        }
        if (c->n_tmpfs == 0 && d->n_tmpfs > 0) {
                ContainerTmpfsMount *t = calloc(d->n_tmpfs, sizeof *t);
                if (!t)
                        return -ENOMEM;
                for (size_t i = 0; i < d->n_tmpfs; i++) {
                        int r = schema_copy(&container_tmpfs_mount_schema, &t[i], &d->tmpfs[i]);
                        if (r < 0) {
                                for (size_t j = 0; j < i; j++)
                                        schema_done(&container_tmpfs_mount_schema, &t[j]);
                                free(t);
                                return r;
                        }
                }
                free(c->tmpfs);
                c->tmpfs = t;
                c->n_tmpfs = d->n_tmpfs;
        }
        if (!c->resources && d->resources) {
                ContainerResources *res = calloc(1, sizeof *res);
                if (!res)
                        return -ENOMEM;
                *res = *d->resources; /* plain values, nothing to deep-copy */
                c->resources = res;
        }
        return 0;
}

static const SpaceDoc *find_space(const DocumentList *l, const char *realm, const char *space) {
        for (size_t i = 0; i < l->n_documents; i++) {
                const Document *d = &l->documents[i];
                if (d->kind != KIND_SPACE || !d->object || d->error)
                        continue;
                const SpaceDoc *s = d->object;
                if (streq_ptr(s->metadata.name, space) && streq_ptr(s->spec.realm_id, realm))
                        return s;
        }
        return NULL;
}

int manifest_check_list(DocumentList *l, const ManifestContext *ctx) {
        for (size_t i = 0; i < l->n_documents; i++) {
                int r = manifest_check_document(l, &l->documents[i], ctx);
                if (r == -ENOMEM)
                        return r;
        }

        for (size_t i = 0; i < l->n_documents; i++) {
                Document *d = &l->documents[i];
                if (d->error || !d->object)
                        continue;
                if (d->kind == KIND_CELL) {
                        CellDoc *cell = d->object;
                        const SpaceDoc *s = find_space(l, cell->spec.realm_id, cell->spec.space_id);
                        if (!s || !s->spec.defaults)
                                continue;
                        for (size_t j = 0; j < cell->spec.n_containers; j++) {
                                int r = container_apply_space_defaults(&cell->spec.containers[j], s->spec.defaults->container);
                                if (r < 0)
                                        return r;
                        }
                } else if (d->kind == KIND_CONTAINER) {
                        ContainerDoc *c = d->object;
                        const SpaceDoc *s = find_space(l, c->spec.realm_id, c->spec.space_id);
                        if (!s || !s->spec.defaults)
                                continue;
                        int r = container_apply_space_defaults(&c->spec, s->spec.defaults->container);
                        if (r < 0)
                                return r;
                }
        }
        return (int) document_list_count_errors(l);
}
