/* SPDX-License-Identifier: Apache-2.0 */
#include "cell-cli.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containerd-name.h"
#include "macro.h"
#include "schema.h"
#include "strv.h"

int kill_signal_parse(const char *s, int *ret) {
        if (isempty(s))
                return -EINVAL;
        if (isdigit((unsigned char) s[0])) {
                char *end;
                errno = 0;
                long v = strtol(s, &end, 10);
                if (errno != 0 || *end || v <= 0 || v >= NSIG)
                        return -EINVAL;
                *ret = (int) v;
                return 0;
        }
        const char *n = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (int sig = 1; sig < NSIG; sig++) {
                const char *abbrev = sigabbrev_np(sig);
                if (abbrev && strcasecmp(abbrev, n) == 0) {
                        *ret = sig;
                        return 0;
                }
        }
        return -EINVAL;
}

int logs_matches(const ResourceRef *ref, const char *container, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const struct {
                const char *field, *value;
        } m[] = {
                { "KUKEON_REALM", ref->realm }, { "KUKEON_SPACE", ref->space }, { "KUKEON_STACK", ref->stack },
                { "KUKEON_CELL", ref->cell },   { "CONTAINER_NAME", container },
        };

        if (ref->type != RESOURCE_CELL)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(m); i++) {
                char *s;
                if (!m[i].value)
                        continue;
                if (asprintf(&s, "%s=%s", m[i].field, m[i].value) < 0)
                        return -ENOMEM;
                if (strv_push(&l, s) < 0) {
                        free(s);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int profile_path_find(const char *name, const char *env_dir, const char *home, char **ret_path, char **ret_dir) {
        _cleanup_free_ char *dir = NULL;

        /* A name, not a path: "../x" or "a/b" would read files the user did not mean. */
        if (isempty(name) || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        if (!isempty(env_dir))
                dir = strdup(env_dir);
        else if (!isempty(home))
                (void) asprintf(&dir, "%s/.kuke/profiles.d", home);
        else
                dir = strdup("~/.kuke/profiles.d");
        if (!dir)
                return -ENOMEM;

        for (const char *const *ext = (const char *const[]) { ".yaml", ".yml", NULL }; *ext; ext++) {
                char *p;
                if (asprintf(&p, "%s/%s%s", dir, name, *ext) < 0)
                        return -ENOMEM;
                if (access(p, F_OK) == 0) {
                        *ret_path = p;
                        return 0;
                }
                free(p);
        }
        if (ret_dir)
                *ret_dir = TAKE_PTR(dir);
        return -ENOENT;
}

static int set_str(char **field, const char *value) {
        if (streq_ptr(*field, value))
                return 0;
        char *s = strdup(strempty(value));
        if (!s)
                return -ENOMEM;
        free(*field);
        *field = s;
        return 0;
}

int cell_doc_prepare_like_daemon(CellDoc *d) {
        CellSpec *s = &d->spec;
        const char *name = d->metadata.name;
        bool have_root = false;

        if (!name || set_str(&s->id, name) < 0)
                return name ? -ENOMEM : -EINVAL;
        for (size_t i = 0; i < s->n_containers; i++)
                have_root = have_root || s->containers[i].root;
        for (size_t i = 0; i < s->n_containers; i++) {
                ContainerSpec *c = &s->containers[i];
                _cleanup_free_ char *cid = NULL;

                if (!have_root && i == 0)
                        c->root = true;
                if (c->root && set_str(&s->root_container_id, c->id) < 0)
                        return -ENOMEM;
                if (containerd_container_id_build(s->space_id, s->stack_id, name, c->id, &cid) < 0 ||
                    set_str(&c->containerd_id, cid) < 0 || set_str(&c->realm_id, s->realm_id) < 0 ||
                    set_str(&c->space_id, s->space_id) < 0 || set_str(&c->stack_id, s->stack_id) < 0 ||
                    set_str(&c->cell_id, name) < 0)
                        return -ENOMEM;
        }
        return 0;
}

bool cell_doc_diverges(const CellDoc *want, const CellDoc *have, char **ret_what) {
        const char *what = NULL;

        if (!strv_equal(want->metadata.labels, have->metadata.labels))
                what = "metadata.labels";
        else if (!schema_equal(&cell_spec_schema, &want->spec, &have->spec)) {
                /* Name the part that differs, for the message: containers or the rest. */
                CellSpec a = want->spec, b = have->spec;
                a.containers = b.containers = NULL;
                a.n_containers = b.n_containers = 0;
                what = schema_equal(&cell_spec_schema, &a, &b) ? "spec.containers" : "spec";
        }
        if (ret_what)
                *ret_what = what ? strdup(what) : NULL;
        return what != NULL;
}
