/* SPDX-License-Identifier: Apache-2.0 */
/* What each operation does, as steps (operation.h): the life of realms, spaces and stacks.
 *
 *   realm  = containerd namespace + kukeon-R.slice
 *   space  = CNI conflist (conf dir + run-path copy) on its own /24 + one masquerade rule for
 *            that /24 (nat chain KUKEON-NAT-<bridge>) + its egress policy as iptables rules
 *            (chain KUKEON-EGRESS-<bridge>, docs/egress.md) + kukeon-R-S.slice;
 *            deleting it also deletes the bridge that the first cell's CNI ADD made
 *   stack  = kukeon-R-S-T.slice
 *
 * Creation saves the document first (state Creating/Pending), then makes the runtime side
 * real, reads the slice's ControlGroup back from PID 1 and saves it Ready. Deletion walks the
 * other way, children first. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bridge-link.h"
#include "bus-error.h"
#include "cell.h"
#include "cni-conflist.h"
#include "containerd-name.h"
#include "egress-firewall.h"
#include "egress-resolve.h"
#include "image-dbus.h"
#include "log.h"
#include "manifest.h"
#include "name.h"
#include "object-path.h"
#include "operation.h"
#include "strv.h"
#include "subnet.h"
#include "bridge-name.h"
#include "unit-name.h"

static const char *no_such_error(Kind k) {
        return k == KIND_REALM ? BUS_ERROR_NO_SUCH_REALM : k == KIND_SPACE ? BUS_ERROR_NO_SUCH_SPACE : BUS_ERROR_NO_SUCH_STACK;
}

static int fail_oom(Operation *op) {
        return operation_fail(op, SD_BUS_ERROR_NO_MEMORY, "out of memory");
}

/* ---- documents ---- */

static void doc_clear_status(Kind k, void *doc) {
        switch (k) {
        case KIND_REALM: {
                RealmDoc t = { .status = ((RealmDoc *) doc)->status };
                ((RealmDoc *) doc)->status = (RealmStatus) {};
                schema_done(&realm_doc_schema, &t);
                break;
        }
        case KIND_SPACE: {
                SpaceDoc t = { .status = ((SpaceDoc *) doc)->status };
                ((SpaceDoc *) doc)->status = (SpaceStatus) {};
                schema_done(&space_doc_schema, &t);
                break;
        }
        default: {
                StackDoc t = { .status = ((StackDoc *) doc)->status };
                ((StackDoc *) doc)->status = (StackStatus) {};
                schema_done(&stack_doc_schema, &t);
        }
        }
}

/* Moves src's status into dst (whose own status is dropped). */
static void doc_move_status(Kind k, void *dst, void *src) {
        doc_clear_status(k, dst);
        switch (k) {
        case KIND_REALM:
                ((RealmDoc *) dst)->status = ((RealmDoc *) src)->status;
                ((RealmDoc *) src)->status = (RealmStatus) {};
                break;
        case KIND_SPACE:
                ((SpaceDoc *) dst)->status = ((SpaceDoc *) src)->status;
                ((SpaceDoc *) src)->status = (SpaceStatus) {};
                break;
        default:
                ((StackDoc *) dst)->status = ((StackDoc *) src)->status;
                ((StackDoc *) src)->status = (StackStatus) {};
        }
}

/* Whether two documents differ in anything but their status. */
static int docs_differ(Kind k, const void *a, const void *b) {
        const Schema *s = kind_schema(k);
        void *ca = calloc(1, s->size), *cb = calloc(1, s->size);
        int r;
        if (!ca || !cb || schema_copy(s, ca, a) < 0 || schema_copy(s, cb, b) < 0) {
                r = -ENOMEM;
                goto finish;
        }
        doc_clear_status(k, ca);
        doc_clear_status(k, cb);
        r = !schema_equal(s, ca, cb);
finish:
        schema_free(s, ca);
        schema_free(s, cb);
        return r;
}

/* Fills what the daemon owns in a new document: kind, apiVersion, ids, the realm's
 * namespace, the unit name; and a fresh status. */
static int doc_prepare(Manager *m, Kind k, void *doc, const char *realm, const char *space) {
        DocHeader *h = doc;
        const char *name = h->metadata.name;
        _cleanup_free_ char *unit = NULL;
        int r;

        doc_clear_status(k, doc);
        if (free_and_strdup(&h->api_version, API_VERSION_V1BETA1) < 0 || free_and_strdup(&h->kind, kind_to_string(k)) < 0)
                return -ENOMEM;
        switch (k) {
        case KIND_REALM: {
                RealmDoc *d = doc;
                if (isempty(d->spec.namespace_)) {
                        free(d->spec.namespace_);
                        d->spec.namespace_ = NULL;
                        r = containerd_namespace_build(name, NULL, m->config->namespace_suffix, &d->spec.namespace_);
                        if (r < 0)
                                return r;
                }
                r = unit_name_build(name, NULL, NULL, NULL, &unit);
                if (r >= 0)
                        r = free_and_strdup(&d->status.unit, unit);
                d->status.state = REALM_STATE_CREATING;
                d->status.lifecycle.created_at = d->status.lifecycle.updated_at = now_realtime();
                return r;
        }
        case KIND_SPACE: {
                SpaceDoc *d = doc;
                if (free_and_strdup(&d->spec.realm_id, realm) < 0)
                        return -ENOMEM;
                r = unit_name_build(realm, name, NULL, NULL, &unit);
                if (r >= 0)
                        r = free_and_strdup(&d->status.unit, unit);
                d->status.state = SPACE_STATE_PENDING;
                d->status.lifecycle.created_at = d->status.lifecycle.updated_at = now_realtime();
                return r;
        }
        default: {
                StackDoc *d = doc;
                if (free_and_strdup(&d->spec.id, name) < 0 || free_and_strdup(&d->spec.realm_id, realm) < 0 ||
                    free_and_strdup(&d->spec.space_id, space) < 0)
                        return -ENOMEM;
                r = unit_name_build(realm, space, name, NULL, &unit);
                if (r >= 0)
                        r = free_and_strdup(&d->status.unit, unit);
                d->status.state = SPACE_STATE_PENDING;
                d->status.lifecycle.created_at = d->status.lifecycle.updated_at = now_realtime();
                return r;
        }
        }
}

static void *doc_new(Kind k, const char *name) {
        const Schema *s = kind_schema(k);
        DocHeader *h = calloc(1, s->size);
        if (!h)
                return NULL;
        h->metadata.name = strdup(name);
        if (!h->metadata.name) {
                free(h);
                return NULL;
        }
        return h;
}

/* ---- step calls ---- */

static int call_mark_ready(Operation *op, Step *s, sd_bus_error *error) {
        Resource *r = s->resource;
        int k;

        /* Ready already, and PID 1 says what we had: nothing to write (a restart with a
         * thousand realms then writes nothing) */
        if (resource_is_ready(r) && !r->dirty && !resource_lifecycle(r)->reason)
                return 0;
        r->dirty = false;
        (void) resource_set_state(r, RESOURCE_READY, NULL, NULL);
        if (r->kind == KIND_REALM)
                ((RealmDoc *) r->doc)->status.lifecycle.cgroup_ready = true;
        else if (r->kind == KIND_SPACE)
                ((SpaceDoc *) r->doc)->status.lifecycle.cgroup_ready = true;
        else
                ((StackDoc *) r->doc)->status.lifecycle.cgroup_ready = true;
        k = resource_save(r);
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "cannot save %s \"%s\" in the run path: %s",
                                               resource_kind_name(r), resource_name(r), strerror(-k));
        manager_resource_changed(op->manager, r);
        log_resource_errno(LOG_INFO, 0, r->realm, r->space, r->stack, *resource_unit_field(r), "%s %s is ready (%s).",
                           resource_kind_name(r), resource_name(r), strna(*resource_cgroup_field(r)));
        return 0;
}

static int call_save(Operation *op, Step *s, sd_bus_error *error) {
        Resource *r = s->resource;
        int k = resource_save(r);
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "cannot save %s \"%s\" in the run path: %s",
                                               resource_kind_name(r), resource_name(r), strerror(-k));
        manager_resource_changed(op->manager, r);
        return 0;
}

/* ---- masquerade and egress rules, off the event loop ----
 *
 * Building a space's rules may resolve host names (getaddrinfo blocks for as long as DNS
 * takes), and iptables-save/-restore run for up to their deadline: an EgressJob does both in a
 * thread of its own, on copies of what it needs, and hands the result back to the loop
 * through a pipe. The step that started it stays the running one (its call returned 1) until
 * the job's completion ends it with operation_step_done(). */

typedef struct EgressJob EgressJob;
typedef int (*egress_job_done_t)(Operation *op, Step *s, EgressJob *j, sd_bus_error *error);

struct EgressJob {
        /* in: the thread reads nothing else */
        SpaceDoc *doc;           /* a copy of the space's document when it has a policy */
        char *bridge;
        char gateway[SUBNET_STRING_MAX];
        char subnet[SUBNET_STRING_MAX];
        char *network;           /* the conflist's name: "<realm>-<space>" */
        bool remove_all;         /* the space goes: remove its nat and egress chains */
        bool remove_egress;      /* no policy: remove what an earlier one left */
        /* out */
        int r;                   /* SPACE_FIREWALL_* flags of what changed */
        char *error;
        size_t n_rules;
        char *chain;
        char **unresolved;       /* hosts left out for now (DNS down) */
        /* the loop's side */
        Operation *op;
        egress_job_done_t done;
        uint8_t index;
        int fds[2];
        pthread_t thread;
        bool started;
        sd_event_source *source;
};

static EgressJob *egress_job_free(EgressJob *j) {
        if (!j)
                return NULL;
        if (j->started)
                (void) pthread_join(j->thread, NULL);
        sd_event_source_disable_unref(j->source);
        for (size_t i = 0; i < 2; i++)
                if (j->fds[i] >= 0)
                        (void) close(j->fds[i]);
        if (j->doc)
                schema_free(&space_doc_schema, j->doc);
        free(j->bridge);
        free(j->network);
        free(j->error);
        free(j->chain);
        strv_free(j->unresolved);
        return mfree(j);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(EgressJob *, egress_job_free);

static void *egress_job_run(void *p) {
        EgressJob *j = p;
        _cleanup_(egress_rules_freep) EgressRules *rules = NULL;
        EgressPolicy *policy = j->doc && j->doc->spec.network ? j->doc->spec.network->egress : NULL;

        if (j->remove_all) {
                j->r = space_firewall_remove(&(Iptables) {}, j->bridge, &j->error);
                if (j->r == -ENOENT) /* no iptables-save: there are no rules to remove either */
                        j->r = 0;
        } else {
                _cleanup_(nat_rules_done) NatRules nat = {};
                j->r = nat_rules_build(j->bridge, j->subnet, j->network, &nat);
                if (j->r >= 0 && policy) {
                        EgressSpace es = { .bridge = j->bridge, .gateway = j->gateway, .defer_unresolved = true };
                        j->r = egress_rules_build(policy, &es, egress_resolve_getaddrinfo, NULL, &rules, &j->error);
                        if (j->r >= 0) {
                                j->n_rules = strv_length(rules->rules);
                                j->unresolved = TAKE_PTR(rules->unresolved);
                                j->chain = strdup(rules->chain);
                                if (!j->chain)
                                        j->r = -ENOMEM;
                        }
                }
                if (j->r >= 0)
                        j->r = space_firewall_apply(&(Iptables) {}, &nat, j->bridge, rules, j->remove_egress, &j->error);
        }
        (void) write(j->fds[1], "x", 1);
        return NULL;
}

static int egress_job_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        _cleanup_(egress_job_freep) EgressJob *j = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        Operation *op = j->op;
        int k;

        (void) source;
        (void) fd;
        (void) revents;
        (void) pthread_join(j->thread, NULL);
        j->started = false;
        k = j->done(op, &op->steps[op->current], j, &e);
        j = egress_job_free(j);
        operation_step_done(op, k, &e);
        return 0;
}

/* Starts the job (taking it): 1, the step goes on when it is done; < 0 when it cannot start. */
static int egress_job_start(Operation *op, EgressJob *job, egress_job_done_t done) {
        _cleanup_(egress_job_freep) EgressJob *j = job;
        int k;

        j->op = op;
        j->done = done;
        if (pipe2(j->fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        k = sd_event_add_io(op->manager->event, &j->source, j->fds[0], EPOLLIN, egress_job_io, j);
        if (k < 0)
                return k;
        k = -pthread_create(&j->thread, NULL, egress_job_run, j);
        if (k < 0)
                return k;
        j->started = true;
        TAKE_PTR(j); /* egress_job_io's now */
        return 1;
}

static EgressJob *egress_job_new(const char *bridge) {
        _cleanup_(egress_job_freep) EgressJob *j = new0(EgressJob, 1);
        if (!j)
                return NULL;
        j->fds[0] = j->fds[1] = -EBADF;
        j->bridge = strdup(bridge);
        return j->bridge ? TAKE_PTR(j) : NULL;
}

/* The conflists of the space: the run path's copy (what cells read) and the conf dir's. */
static int space_write_conflists(Manager *m, Resource *r, uint8_t index, sd_bus_error *error) {
        SpaceDoc *d = r->doc;
        _cleanup_free_ char *text = NULL, *path = NULL;
        int k;

        k = cni_conflist_build(r->realm, r->space, index, cni_plugin_available(m->config->cni_bin_dir, "portmap"), &text);
        if (k < 0)
                return k;
        if (!isempty(d->spec.cni_config_path))
                path = strdup(d->spec.cni_config_path);
        else
                k = cni_conflist_path(m->config->cni_conf_dir, r->realm, r->space, &path);
        if (k < 0 || !path)
                return -ENOMEM;
        k = store_write_conflist(m->store, r->realm, r->space, text, strlen(text));
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "cannot save the conflist of space \"%s\" in the run path: %s",
                                               r->space, strerror(-k));
        k = cni_conflist_write(path, text);
        if (k < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED, "cannot write the CNI conflist %s: %s", path,
                                         strerror(-k));
        manager_resource_changed(m, r);
        return 0;
}

static int space_egress_done(Operation *op, Step *s, EgressJob *j, sd_bus_error *error) {
        Resource *r = s->resource;
        SpaceDoc *d = r->doc;

        if (j->r == -ENOENT && !j->doc) {
                /* no iptables at all: nothing to filter, but nothing masquerades either */
                log_resource_errno(LOG_WARNING, 0, r->realm, r->space, NULL, d->status.unit,
                                   "Space %s: iptables-save/iptables-restore not found: traffic leaving %s is not masqueraded.",
                                   r->space, d->status.subnet);
                char *w;
                if (asprintf(&w, "space \"%s\": iptables-save/iptables-restore not found: traffic leaving %s is not masqueraded",
                             r->space, d->status.subnet) >= 0 && strv_push(&op->warnings, w) < 0)
                        free(w);
                return space_write_conflists(op->manager, r, j->index, error);
        }
        if (j->r < 0) {
                if (!j->doc)
                        return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED,
                                                 "space \"%s\": cannot set up the masquerade of %s%s: %s", r->space,
                                                 j->bridge, j->remove_egress ? " or remove its egress rules" : "",
                                                 j->error ?: strerror(-j->r));
                if (j->chain) /* built, not installed */
                        return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED,
                                                 "space \"%s\": cannot install the egress rules in chain %s: %s%s",
                                                 r->space, j->chain,
                                                 j->r == -ENOENT ? "iptables-save/iptables-restore not found: " : "",
                                                 j->error ?: strerror(-j->r));
                return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED, "space \"%s\": %s", r->space,
                                         j->error ?: strerror(-j->r));
        }
        STRV_FOREACH(u, j->unresolved) {
                /* fails closed: under deny a host without its rule is only unreachable */
                log_resource_errno(LOG_WARNING, 0, r->realm, r->space, NULL, d->status.unit,
                                   "Space %s: %s; no rule for it until the next apply or start.", r->space, *u);
                char *w;
                if (asprintf(&w, "space \"%s\": %s", r->space, *u) >= 0 && strv_push(&op->warnings, w) < 0)
                        free(w);
        }
        if (j->doc)
                log_resource_errno(LOG_INFO, 0, r->realm, r->space, NULL, d->status.unit,
                                   "Space %s: egress default %s, %zu rule%s in chain %s.", r->space,
                                   strna(j->doc->spec.network->egress->default_), j->n_rules, j->n_rules == 1 ? "" : "s",
                                   j->chain);
        else if (j->r & SPACE_FIREWALL_EGRESS_REMOVED)
                log_resource_errno(LOG_INFO, 0, r->realm, r->space, NULL, d->status.unit,
                                   "Space %s has no egress policy: chain %s%s removed.", r->space, EGRESS_CHAIN_PREFIX,
                                   j->bridge);
        if (j->r & SPACE_FIREWALL_NAT_CHANGED)
                log_resource_errno(LOG_INFO, 0, r->realm, r->space, NULL, d->status.unit,
                                   "Space %s: %s masqueraded in chain %s%s.", r->space, j->subnet, NAT_CHAIN_PREFIX,
                                   j->bridge);
        return space_write_conflists(op->manager, r, j->index, error);
}

/* The space's network: its /24 (kept once chosen), bridge name, masquerade and egress rules
 * and conflists, in that order. The masquerade is checked on every create, apply and start
 * (one iptables-save of the nat table, no restore when it is in place), so a space made
 * before kukeond did it, or whose rule someone flushed, gets it back; the conflists are
 * rewritten there too, which is how an older space's "ipMasq: true" goes away. The rules are
 * keyed on the bridge name alone: iptables matches interfaces by name, so they can (and do)
 * exist before the first cell's CNI ADD makes the bridge. They go in before the conflists: a space whose policy cannot be installed has no
 * conflist, so no cell can join its bridge unfiltered. With a policy the chain is replaced (one
 * iptables-restore transaction: the old rules or the new, never part of them); without one,
 * what an earlier policy left is removed — except in a space that never had a network (fresh),
 * which cannot have rules, and at start-up in a space that was Ready without a policy. */
static int call_space_network(Operation *op, Step *s, sd_bus_error *error) {
        Manager *m = op->manager;
        Resource *r = s->resource;
        SpaceDoc *d = r->doc;
        _cleanup_strv_free_ char **used = NULL;
        _cleanup_free_ char *bridge = NULL;
        bool fresh = !d->status.bridge_name; /* never had a network: no rules to remove */
        bool policy = d->spec.network && d->spec.network->egress;
        uint8_t index;
        int k;

        if (d->status.subnet && subnet_parse(d->status.subnet, &index) >= 0)
                ;
        else {
                for (Resource *o = m->resources; o; o = o->next)
                        if (o != r && o->kind == KIND_SPACE && ((SpaceDoc *) o->doc)->status.subnet)
                                if (strv_extend(&used, ((SpaceDoc *) o->doc)->status.subnet) < 0)
                                        return -ENOMEM;
                k = subnet_allocate_cidrs(used, &index);
                if (k == -ENOSPC)
                        return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED,
                                                 "no free /24 left in %s for space \"%s\"", SUBNET_POOL, r->space);
                if (k < 0)
                        return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED,
                                                 "cannot allocate a subnet: the recorded subnets are not valid: %s",
                                                 strerror(-k));
                char buf[SUBNET_STRING_MAX];
                if (free_and_strdup(&d->status.subnet, subnet_format(index, buf)) < 0)
                        return -ENOMEM;
        }
        k = bridge_name_build(r->realm, r->space, &bridge);
        if (k < 0)
                return k;
        free(d->status.bridge_name);
        d->status.bridge_name = TAKE_PTR(bridge);

        /* the document first: the space must be saved before its rules and files go in */
        k = resource_save(r);
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "cannot save space \"%s\" in the run path: %s", r->space,
                                               strerror(-k));
        _cleanup_(egress_job_freep) EgressJob *j = egress_job_new(d->status.bridge_name);
        if (!j)
                return -ENOMEM;
        j->index = index;
        (void) subnet_format_host(index, SUBNET_HOST_GATEWAY, j->gateway);
        (void) subnet_format(index, j->subnet);
        if (asprintf(&j->network, "%s-%s", r->realm, r->space) < 0) {
                j->network = NULL;
                return -ENOMEM;
        }
        /* no policy and nothing to clean up: a new space, or a Ready one at start-up (it got
         * Ready without a policy, so its chain was removed then): the filter table is not read */
        j->remove_egress = !policy && !(fresh || (op->kind == OPERATION_RECONCILE && resource_is_ready(r)));
        if (policy) {
                j->doc = calloc(1, sizeof(SpaceDoc));
                if (!j->doc || schema_copy(&space_doc_schema, j->doc, d) < 0)
                        return -ENOMEM;
        }
        return egress_job_start(op, TAKE_PTR(j), space_egress_done);
}

static int call_mark_deleting(Operation *op, Step *s, sd_bus_error *error) {
        Resource *r = s->resource;
        (void) resource_set_state(r, RESOURCE_DELETING, NULL, NULL);
        (void) resource_save(r);
        manager_resource_changed(op->manager, r);
        return 0;
}

static int conflist_path_of(Manager *m, Resource *r, const char *realm, const char *space, char **ret) {
        if (r && !isempty(((SpaceDoc *) r->doc)->spec.cni_config_path)) {
                *ret = strdup(((SpaceDoc *) r->doc)->spec.cni_config_path);
                return *ret ? 0 : -ENOMEM;
        }
        return cni_conflist_path(m->config->cni_conf_dir, realm, space, ret);
}

/* data: "realm\0space\0" for spaces purged without a document */
static int call_remove_conflist(Operation *op, Step *s, sd_bus_error *error) {
        Manager *m = op->manager;
        _cleanup_free_ char *path = NULL;
        const char *realm = s->resource ? s->resource->realm : s->data;
        const char *space = s->resource ? s->resource->space : (const char *) s->data + strlen(s->data) + 1;
        int k;

        k = conflist_path_of(m, s->resource, realm, space, &path);
        if (k < 0)
                return k;
        k = cni_conflist_remove(path);
        if (k == -ENOENT)
                return 0;
        if (k < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED, "cannot remove the CNI conflist %s: %s", path,
                                         strerror(-k));
        if (op->kind == OPERATION_PURGE) {
                char *e;
                if (asprintf(&e, "file %s", path) >= 0 && strv_push(&op->removed, e) < 0)
                        free(e);
        }
        return 0;
}

/* The bridge of a space being deleted or purged (data as for call_remove_conflist): the name
 * follows from realm and space, so a purge without a document finds it too. */
static int space_bridge_of(Step *s, char **ret) {
        const char *realm = s->resource ? s->resource->realm : s->data;
        const char *space = s->resource ? s->resource->space : (const char *) s->data + strlen(s->data) + 1;
        if (s->resource && ((SpaceDoc *) s->resource->doc)->status.bridge_name) {
                *ret = strdup(((SpaceDoc *) s->resource->doc)->status.bridge_name);
                return *ret ? 0 : -ENOMEM;
        }
        return bridge_name_build(realm, space, ret);
}

static void purge_removed(Operation *op, const char *what, const char *name) {
        char *e;
        if (op->kind == OPERATION_PURGE && asprintf(&e, "%s %s", what, name) >= 0 && strv_push(&op->removed, e) < 0)
                free(e);
}

static int remove_egress_done(Operation *op, Step *s, EgressJob *j, sd_bus_error *error) {
        _cleanup_free_ char *chain = NULL, *nat = NULL;
        (void) s;
        if (j->r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED,
                                         "cannot remove the masquerade and egress rules of %s: %s", j->bridge,
                                         j->error ?: strerror(-j->r));
        if ((j->r & SPACE_FIREWALL_EGRESS_REMOVED) && egress_chain_name(j->bridge, &chain) >= 0)
                purge_removed(op, "iptables chain", chain);
        if ((j->r & SPACE_FIREWALL_NAT_CHANGED) && nat_chain_name(j->bridge, &nat) >= 0)
                purge_removed(op, "iptables nat chain", nat);
        return 0;
}

/* The space's nat and egress chains and the jumps to them (docs/egress.md); nothing when
 * there are none. */
static int call_remove_egress(Operation *op, Step *s, sd_bus_error *error) {
        _cleanup_free_ char *bridge = NULL;
        int k;

        (void) error;
        k = space_bridge_of(s, &bridge);
        if (k < 0)
                return k;
        EgressJob *j = egress_job_new(bridge);
        if (!j)
                return -ENOMEM;
        j->remove_all = true;
        return egress_job_start(op, j, remove_egress_done);
}

/* The space's bridge: the CNI bridge plugin makes it on the first ADD and never deletes it. */
static int call_remove_bridge(Operation *op, Step *s, sd_bus_error *error) {
        _cleanup_free_ char *bridge = NULL, *err = NULL;
        int k;

        k = space_bridge_of(s, &bridge);
        if (k < 0)
                return k;
        k = bridge_link_delete(bridge, &err);
        if (k < 0)
                return sd_bus_error_setf(error, BUS_ERROR_NETWORK_FAILED, "cannot delete the bridge of the space: %s",
                                         err ?: strerror(-k));
        if (k > 0)
                purge_removed(op, "link", bridge);
        return 0;
}

/* Adds the removal of a space's network: rules, bridge, conflists (run-path copy with the
 * space's directory). 'data' is for spaces without a document and is taken. */
static int add_space_network_removal(Operation *op, Resource *r, unsigned group, bool best_effort, char *data) {
        step_call_t calls[] = { call_remove_egress, call_remove_bridge, call_remove_conflist };
        for (size_t i = 0; i < ELEMENTSOF(calls); i++) {
                char *copy = NULL;
                if (data) {
                        size_t a = strlen(data), b = strlen(data + a + 1);
                        copy = malloc(a + b + 2);
                        if (!copy) {
                                free(data);
                                return -ENOMEM;
                        }
                        memcpy(copy, data, a + b + 2);
                }
                Step *s = operation_add_call(op, calls[i], r, group, copy); /* takes copy */
                if (!s) {
                        free(data);
                        return -ENOMEM;
                }
                s->best_effort = best_effort;
        }
        free(data);
        return 0;
}

/* data: names as for call_remove_conflist, plus the kind in s->data's first byte when no resource */
typedef struct Names {
        Kind kind;
        char realm[NAME_LENGTH_MAX + 1], space[NAME_LENGTH_MAX + 1], stack[NAME_LENGTH_MAX + 1];
} Names;

static int call_remove_from_store(Operation *op, Step *s, sd_bus_error *error) {
        Manager *m = op->manager;
        Names n = {};
        int k;

        if (s->resource) {
                n.kind = s->resource->kind;
                snprintf(n.realm, sizeof(n.realm), "%s", s->resource->realm);
                snprintf(n.space, sizeof(n.space), "%s", strempty(s->resource->space));
                snprintf(n.stack, sizeof(n.stack), "%s", strempty(s->resource->stack));
        } else
                n = *(Names *) s->data;

        switch (n.kind) {
        case KIND_REALM:
                k = store_remove_realm(m->store, n.realm);
                break;
        case KIND_SPACE:
                k = store_remove_space(m->store, n.realm, n.space);
                break;
        default:
                k = store_remove_stack(m->store, n.realm, n.space, n.stack);
        }
        if (k < 0 && k != -ENOENT)
                return sd_bus_error_set_errnof(error, k, "cannot remove %s \"%s\" from the run path: %s",
                                               kind_to_string(n.kind), n.kind == KIND_REALM ? n.realm :
                                               n.kind == KIND_SPACE ? n.space : n.stack, strerror(-k));
        if (k >= 0 && op->kind == OPERATION_PURGE) {
                char *e;
                int q = n.kind == KIND_REALM ? asprintf(&e, "file %s/%s", store_run_path(m->store), n.realm) :
                        n.kind == KIND_SPACE ? asprintf(&e, "file %s/%s/%s", store_run_path(m->store), n.realm, n.space) :
                        asprintf(&e, "file %s/%s/%s/%s", store_run_path(m->store), n.realm, n.space, n.stack);
                if (q >= 0 && strv_push(&op->removed, e) < 0)
                        free(e);
        }
        if (s->resource) {
                Resource *r = s->resource;
                log_resource_errno(LOG_INFO, 0, r->realm, r->space, r->stack, *resource_unit_field(r), "%s %s removed.",
                                   resource_kind_name(r), resource_name(r));
                /* Steps after this one never name it: it is the resource's last. */
                for (size_t i = op->current + 1; i < op->n_steps; i++)
                        if (op->steps[i].resource == r)
                                op->steps[i].resource = NULL;
                manager_remove_resource(m, r);
                s->resource = NULL;
        }
        return 0;
}

/* ---- building blocks ---- */

static int ensure_unit_name(Resource *r) {
        char **u = resource_unit_field(r);
        if (*u)
                return 0;
        return unit_name_build(r->realm, r->space, r->stack, NULL, u);
}

/* Makes the runtime side of r real: namespace, network, slice; then Ready. */
static int plan_make_real(Operation *op, Resource *r, unsigned group, bool namespace_best_effort) {
        Step *s;
        if (ensure_unit_name(r) < 0)
                return fail_oom(op);

        if (r->kind == KIND_REALM) {
                s = operation_add_step(op, STEP_NAMESPACE_CREATE, r, group);
                if (!s || !(s->namespace_ = strdup(((RealmDoc *) r->doc)->spec.namespace_)))
                        return fail_oom(op);
                s->best_effort = namespace_best_effort;
        } else if (r->kind == KIND_SPACE) {
                if (!operation_add_call(op, call_space_network, r, group, NULL))
                        return fail_oom(op);
        }
        if (!operation_add_step(op, STEP_SLICE_START, r, group) || !operation_add_step(op, STEP_READ_CGROUP, r, group) ||
            !operation_add_call(op, call_mark_ready, r, group, NULL))
                return fail_oom(op);
        return 0;
}

/* Creates the document of a new resource, saves and announces it. Takes 'doc'. */
static int resource_create(Operation *op, Kind k, const char *realm, const char *space, void *doc, Resource **ret,
                           sd_bus_error *error) {
        Manager *m = op->manager;
        Resource *r;
        int q;

        q = doc_prepare(m, k, doc, realm, space);
        if (q >= 0)
                q = resource_new(m, k, realm, space, doc, &r);
        if (q < 0) {
                schema_free(kind_schema(k), doc);
                return sd_bus_error_set_errnof(error, q, "cannot create %s \"%s\": %s", kind_to_string(k),
                                               ((DocHeader *) doc)->metadata.name, strerror(-q));
        }
        q = resource_save(r);
        if (q < 0) {
                sd_bus_error_set_errnof(error, q, "cannot save %s \"%s\" in the run path %s: %s", kind_to_string(k),
                                        resource_name(r), store_run_path(m->store), strerror(-q));
                resource_free(r);
                return q;
        }
        op->wrote = true;
        manager_add_resource(m, r);
        log_resource_errno(LOG_INFO, 0, r->realm, r->space, r->stack, *resource_unit_field(r), "Creating %s %s.",
                           resource_kind_name(r), resource_name(r));
        *ret = r;
        return 0;
}

/* The parent a new resource needs, or an error naming what is missing. */
static Resource *find_parent(Operation *op, Kind k, const char *realm, const char *space, sd_bus_error *error) {
        Manager *m = op->manager;
        Resource *p;
        if (k == KIND_REALM)
                return NULL;
        p = manager_find(m, KIND_REALM, realm, NULL, NULL);
        if (!p) {
                sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_REALM, "realm \"%s\" does not exist", realm);
                return NULL;
        }
        if (k == KIND_SPACE)
                return p;
        p = manager_find(m, KIND_SPACE, realm, space, NULL);
        if (!p)
                sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_SPACE, "space \"%s\" does not exist in realm \"%s\"", space,
                                  realm);
        return p;
}

/* ---- Create ---- */

int plan_create(Operation *op) {
        Manager *m = op->manager;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        Kind k = op->target_kind;
        Resource *r;

        if (k != KIND_REALM && !find_parent(op, k, op->realm, op->space, &e))
                return operation_fail(op, e.name, "%s", e.message);
        r = manager_find(m, k, op->realm, op->space, op->stack);
        if (r)
                return operation_fail(op, BUS_ERROR_ALREADY_EXISTS, "%s \"%s\" already exists", kind_to_string(k),
                                      resource_name(r));
        if (op->flags & FLAG_DRY_RUN) {
                return object_path_build(op->realm, op->space, op->stack, NULL, NULL, &op->result_path) < 0 ? fail_oom(op) : 0;
        }

        void *doc = doc_new(k, k == KIND_REALM ? op->realm : k == KIND_SPACE ? op->space : op->stack);
        if (!doc)
                return fail_oom(op);
        if (resource_create(op, k, op->realm, op->space, doc, &r, &e) < 0)
                return operation_fail(op, e.name ?: SD_BUS_ERROR_FAILED, "%s", e.message);
        op->result_path = strdup(r->path);
        if (!op->result_path)
                return fail_oom(op);
        return plan_make_real(op, r, operation_new_group(op), false);
}

/* ---- Delete and Purge ---- */

static int children_message(Manager *m, Resource *r, char **ret) {
        _cleanup_free_ Resource **c = NULL;
        _cleanup_free_ char *list = NULL;
        size_t n;
        int k = manager_children(m, r, &c, &n);
        if (k < 0)
                return k;
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
                len += strlen(resource_name(c[i])) + 2;
        list = calloc(1, len + 1);
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(list, ", ");
                strcat(list, resource_name(c[i]));
        }
        const char *child = r->kind == KIND_REALM ? "space" : "stack";
        if (asprintf(ret, "%s \"%s\" has %zu %s%s: %s; delete %s first or pass CASCADE",
                     r->kind == KIND_REALM ? "realm" : "space", resource_name(r), n, child, n == 1 ? "" : "s", list,
                     n == 1 ? "it" : "them") < 0)
                return -ENOMEM;
        return 1;
}

/* The cells of a stack as the run path has them: a stack with cells is removed only with
 * CASCADE (or by a purge), after its cells (cell.c). */
static int stack_cells(Operation *op, Resource *r, char ***ret) {
        int k = store_list_cells(op->manager->store, r->realm, r->space, r->stack, ret);
        return k == -ENOENT ? 0 : k;
}

static int plan_remove(Operation *op, Resource *r, unsigned group, bool purge) {
        Manager *m = op->manager;
        bool lenient = purge || (op->flags & FLAG_FORCE);
        Step *s;

        /* children first */
        if (r->kind != KIND_STACK) {
                _cleanup_free_ Resource **c = NULL;
                size_t n;
                if (manager_children(m, r, &c, &n) < 0)
                        return fail_oom(op);
                for (size_t i = 0; i < n; i++)
                        if (plan_remove(op, c[i], group, purge) < 0)
                                return -EIO;
        } else {
                _cleanup_strv_free_ char **cells = NULL;
                if (stack_cells(op, r, &cells) < 0)
                        return fail_oom(op);
                if (!purge && !(op->flags & FLAG_CASCADE) && strv_length(cells) > 0)
                        return operation_fail(op, BUS_ERROR_HAS_CHILDREN,
                                              "stack \"%s\" has %zu cell%s (%s …): delete the cells first or pass CASCADE",
                                              r->stack, strv_length(cells), strv_length(cells) == 1 ? "" : "s", cells[0]);
                /* CASCADE and purge: the cells go first, stopped (killed when lenient) */
                if (cell_plan_delete_stack(op, r->realm, r->space, r->stack, group, lenient) < 0)
                        return fail_oom(op);
        }

        if (ensure_unit_name(r) < 0)
                return fail_oom(op);
        if (!purge && !operation_add_call(op, call_mark_deleting, r, group, NULL))
                return fail_oom(op);
        s = operation_add_step(op, STEP_UNIT_STOP, r, group);
        if (!s)
                return fail_oom(op);
        s->best_effort = lenient;
        if (purge && asprintf(&s->removed, "slice %s", s->unit) < 0)
                return fail_oom(op);
        s = operation_add_step(op, STEP_UNIT_RESET_FAILED, r, group);
        if (!s)
                return fail_oom(op);
        s->best_effort = true;
        if (r->kind == KIND_REALM) {
                char *ns = strdup(((RealmDoc *) r->doc)->spec.namespace_);
                if (!ns || !(s = operation_add_call(op, image_call_remove_all, r, group, ns)))
                        return fail_oom(op);
                s->best_effort = lenient;
                s = operation_add_step(op, STEP_NAMESPACE_DELETE, r, group);
                if (!s || !(s->namespace_ = strdup(((RealmDoc *) r->doc)->spec.namespace_)))
                        return fail_oom(op);
                s->best_effort = lenient;
                if (purge && asprintf(&s->removed, "namespace %s", s->namespace_) < 0)
                        return fail_oom(op);
        } else if (r->kind == KIND_SPACE) {
                if (add_space_network_removal(op, r, group, lenient, NULL) < 0)
                        return fail_oom(op);
        }
        s = operation_add_call(op, call_remove_from_store, r, group, NULL);
        if (!s)
                return fail_oom(op);
        s->best_effort = purge;
        return 0;
}

int plan_delete(Operation *op) {
        Manager *m = op->manager;
        Resource *r = manager_find(m, op->target_kind, op->realm, op->space, op->stack);
        _cleanup_free_ char *msg = NULL;
        int k;

        if (!r)
                return operation_fail(op, no_such_error(op->target_kind), "%s \"%s\" does not exist",
                                      kind_to_string(op->target_kind), op->stack ?: op->space ?: op->realm);
        if (!(op->flags & FLAG_CASCADE)) {
                k = children_message(m, r, &msg);
                if (k < 0)
                        return fail_oom(op);
                if (k > 0)
                        return operation_fail(op, BUS_ERROR_HAS_CHILDREN, "%s", msg);
        }
        if (op->flags & FLAG_DRY_RUN)
                return 0;
        log_resource_errno(LOG_INFO, 0, r->realm, r->space, r->stack, *resource_unit_field(r), "Deleting %s %s%s.",
                           resource_kind_name(r), resource_name(r), op->flags & FLAG_CASCADE ? " with its children" : "");
        return plan_remove(op, r, operation_new_group(op), false);
}

int plan_purge(Operation *op) {
        Manager *m = op->manager;
        Resource *r = manager_find(m, op->target_kind, op->realm, op->space, op->stack);
        Step *s;

        if (op->flags & FLAG_DRY_RUN) {
                op->found = r != NULL;
                return 0;
        }
        if (r) {
                op->found = true;
                log_resource_errno(LOG_INFO, 0, r->realm, r->space, r->stack, *resource_unit_field(r), "Purging %s %s.",
                                   resource_kind_name(r), resource_name(r));
                return plan_remove(op, r, operation_new_group(op), true);
        }

        /* Not in the run path: remove what may be left of it under its default names. */
        _cleanup_free_ char *unit = NULL;
        unsigned g = operation_new_group(op);
        if (unit_name_build(op->realm, op->space, op->stack, NULL, &unit) < 0)
                return fail_oom(op);
        s = operation_add_unit_step(op, STEP_UNIT_STOP, NULL, unit, g);
        if (!s || asprintf(&s->removed, "slice %s", unit) < 0)
                return fail_oom(op);
        s->best_effort = true;
        s = operation_add_unit_step(op, STEP_UNIT_RESET_FAILED, NULL, unit, g);
        if (!s)
                return fail_oom(op);
        s->best_effort = true;
        if (op->target_kind == KIND_REALM) {
                char *ns = NULL;
                if (containerd_namespace_build(op->realm, NULL, m->config->namespace_suffix, &ns) < 0 ||
                    !(s = operation_add_call(op, image_call_remove_all, NULL, g, ns)))
                        return fail_oom(op);
                s->best_effort = true;
                s = operation_add_step(op, STEP_NAMESPACE_DELETE, NULL, g);
                if (!s || containerd_namespace_build(op->realm, NULL, m->config->namespace_suffix, &s->namespace_) < 0 ||
                    asprintf(&s->removed, "namespace %s", s->namespace_) < 0)
                        return fail_oom(op);
                s->best_effort = true;
        } else if (op->target_kind == KIND_SPACE) {
                size_t a = strlen(op->realm), b = strlen(op->space);
                char *data = malloc(a + b + 2);
                if (!data)
                        return fail_oom(op);
                memcpy(data, op->realm, a + 1);
                memcpy(data + a + 1, op->space, b + 1);
                if (add_space_network_removal(op, NULL, g, true, data) < 0)
                        return fail_oom(op);
        }
        /* a directory without its document */
        Names *n = new0(Names, 1);
        if (!n)
                return fail_oom(op);
        n->kind = op->target_kind;
        snprintf(n->realm, sizeof(n->realm), "%s", op->realm);
        snprintf(n->space, sizeof(n->space), "%s", strempty(op->space));
        snprintf(n->stack, sizeof(n->stack), "%s", strempty(op->stack));
        s = operation_add_call(op, call_remove_from_store, NULL, g, n);
        if (!s)
                return fail_oom(op);
        s->best_effort = true;
        return 0;
}

/* ---- Apply ---- */

typedef struct ApplyData {
        size_t index;
} ApplyData;

static int kind_rank(Kind k) {
        switch (k) {
        case KIND_REALM:
                return 0;
        case KIND_SPACE:
                return 1;
        case KIND_STACK:
                return 2;
        case KIND_CELL:
                return 3;
        case KIND_CONTAINER:
                return 4;
        default:
                return 5;
        }
}

/* Whether a parent of a dry run exists, or would (an earlier document of the manifest). */
static bool dry_run_parent(Operation *op, Kind k, const char *realm, const char *space) {
        DocumentList *l = op->documents;
        for (size_t i = 0; i < l->n_documents; i++) {
                Document *d = &l->documents[i];
                if (d->kind == KIND_REALM && k == KIND_SPACE && streq_ptr(d->name, realm))
                        return true;
                if (d->kind == KIND_SPACE && k == KIND_STACK && streq_ptr(d->name, space) &&
                    streq_ptr(((SpaceDoc *) d->object)->spec.realm_id, realm))
                        return true;
        }
        return false;
}

static bool limits_differ(Kind k, const void *a, const void *b) {
        UnitResources *la, *lb;
        switch (k) {
        case KIND_REALM:
                la = ((RealmDoc *) a)->spec.resources;
                lb = ((RealmDoc *) b)->spec.resources;
                break;
        case KIND_SPACE:
                la = ((SpaceDoc *) a)->spec.resources;
                lb = ((SpaceDoc *) b)->spec.resources;
                break;
        default:
                la = ((StackDoc *) a)->spec.resources;
                lb = ((StackDoc *) b)->spec.resources;
        }
        UnitResources z = {};
        la = la ?: &z;
        lb = lb ?: &z;
        return memcmp(&la->memory_max, &lb->memory_max, sizeof(OptInt)) != 0 ||
               memcmp(&la->cpu_weight, &lb->cpu_weight, sizeof(OptInt)) != 0 ||
               memcmp(&la->tasks_max, &lb->tasks_max, sizeof(OptInt)) != 0 ||
               memcmp(&la->io_weight, &lb->io_weight, sizeof(OptInt)) != 0;
}

static int call_apply_document(Operation *op, Step *s, sd_bus_error *error) {
        Manager *m = op->manager;
        Document *d = &op->documents->documents[((ApplyData *) s->data)->index];
        unsigned g = s->group;
        bool dry = op->flags & FLAG_DRY_RUN;
        /* copies: preparing the document replaces the strings they come from */
        _cleanup_free_ char *realm = NULL, *space = NULL;
        Resource *r;
        int k;

        switch (d->kind) {
        case KIND_REALM:
                break;
        case KIND_SPACE:
                if (!(realm = strdup(strempty(((SpaceDoc *) d->object)->spec.realm_id))))
                        return -ENOMEM;
                break;
        case KIND_STACK:
                if (!(realm = strdup(strempty(((StackDoc *) d->object)->spec.realm_id))) ||
                    !(space = strdup(strempty(((StackDoc *) d->object)->spec.space_id))))
                        return -ENOMEM;
                break;
        case KIND_CELL:
                return cell_apply_document(op, d, g, error);
        case KIND_CONTAINER:
                return container_apply_document(op, d, g, error);
        default:
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "%s is a local document, not a server resource", kind_to_string(d->kind));
        }

        if (d->kind != KIND_REALM && !(dry && dry_run_parent(op, d->kind, realm, space))) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                if (!find_parent(op, d->kind, realm, space, &e))
                        return sd_bus_error_set(error, e.name, e.message);
        }
        r = manager_find(m, d->kind, d->kind == KIND_REALM ? d->name : realm,
                         d->kind == KIND_SPACE ? d->name : space, d->kind == KIND_STACK ? d->name : NULL);

        if (!r) {
                if (dry)
                        return operation_set_outcome(op, g, "created", "", "/");
                void *doc = TAKE_PTR(d->object);
                k = resource_create(op, d->kind, realm, space, doc, &r, error);
                if (k < 0)
                        return k;
                (void) operation_set_outcome(op, g, "created", "", r->path);
                return plan_make_real(op, r, g, false) < 0 ? -EIO : 0;
        }

        k = docs_differ(d->kind, d->object, r->doc);
        if (k < 0)
                return k;
        if (k == 0 && resource_is_ready(r))
                return operation_set_outcome(op, g, "unchanged", "", r->path);

        if (d->kind == KIND_REALM &&
            !streq_ptr(((RealmDoc *) d->object)->spec.namespace_, ((RealmDoc *) r->doc)->spec.namespace_))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "spec.namespace of realm \"%s\" cannot change (%s → %s): delete and re-create the realm",
                                         r->realm, ((RealmDoc *) r->doc)->spec.namespace_,
                                         strna(((RealmDoc *) d->object)->spec.namespace_));
        if (dry)
                return operation_set_outcome(op, g, "configured", "", r->path);

        bool was_ready = resource_is_ready(r);
        bool limits = limits_differ(d->kind, d->object, r->doc);
        /* the new spec and labels, the status we have */
        void *doc = TAKE_PTR(d->object);
        doc_move_status(d->kind, doc, r->doc);
        schema_free(resource_schema(r), r->doc);
        r->doc = doc;
        (void) free_and_strdup(&((DocHeader *) doc)->api_version, API_VERSION_V1BETA1);
        (void) free_and_strdup(&((DocHeader *) doc)->kind, kind_to_string(d->kind));
        (void) resource_set_state(r, was_ready ? RESOURCE_READY : RESOURCE_PENDING, NULL, NULL);
        (void) operation_set_outcome(op, g, "configured", "", r->path);
        log_resource_errno(LOG_INFO, 0, r->realm, r->space, r->stack, *resource_unit_field(r), "Configuring %s %s.",
                           resource_kind_name(r), resource_name(r));

        if (!was_ready)
                return plan_make_real(op, r, g, false) < 0 ? -EIO : 0;
        if (d->kind == KIND_SPACE && !operation_add_call(op, call_space_network, r, g, NULL))
                return -ENOMEM;
        if (limits && !operation_add_step(op, STEP_SLICE_SET_LIMITS, r, g))
                return -ENOMEM;
        return operation_add_call(op, call_save, r, g, NULL) ? 0 : -ENOMEM;
}

int plan_apply(Operation *op) {
        DocumentList *l = op->documents;
        size_t n = l->n_documents;
        _cleanup_free_ size_t *order = new0(size_t, n);
        if (!order)
                return fail_oom(op);
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        /* dependency order, stable */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && kind_rank(l->documents[order[j - 1]].kind) > kind_rank(l->documents[order[j]].kind); j--) {
                        size_t t = order[j];
                        order[j] = order[j - 1];
                        order[j - 1] = t;
                }
        for (size_t i = 0; i < n; i++) {
                Document *d = &l->documents[order[i]];
                unsigned g;
                ApplyData *data = new0(ApplyData, 1);
                if (!data || operation_add_outcome(op, kind_to_string(d->kind), d->name, &g) < 0) {
                        free(data);
                        return fail_oom(op);
                }
                data->index = order[i];
                if (!operation_add_call(op, call_apply_document, NULL, g, data))
                        return fail_oom(op);
        }
        return 0;
}

/* ---- Init ---- */

typedef struct InitData {
        Kind kind;
        const char *realm, *space, *stack;
} InitData;

static const InitData init_resources[] = {
        { KIND_REALM, "main", NULL, NULL },
        { KIND_SPACE, "main", "default", NULL },
        { KIND_STACK, "main", "default", "default" },
        { KIND_REALM, REALM_NAME_SYSTEM, NULL, NULL },
        { KIND_SPACE, REALM_NAME_SYSTEM, "kukeon", NULL },
        { KIND_STACK, REALM_NAME_SYSTEM, "kukeon", "kukeon" },
};

static int call_init_ensure(Operation *op, Step *s, sd_bus_error *error) {
        const InitData *i = &init_resources[*(size_t *) s->data];
        Resource *r = manager_find(op->manager, i->kind, i->realm, i->space, i->stack);
        unsigned g = s->group;

        if (r)
                return operation_set_outcome(op, g, "existed", NULL, r->path);
        if (op->flags & FLAG_DRY_RUN)
                return operation_set_outcome(op, g, "created", NULL, NULL);
        if (i->kind != KIND_REALM && !find_parent(op, i->kind, i->realm, i->space, error))
                return -ENOENT;
        void *doc = doc_new(i->kind, i->kind == KIND_REALM ? i->realm : i->kind == KIND_SPACE ? i->space : i->stack);
        if (!doc)
                return -ENOMEM;
        int k = resource_create(op, i->kind, i->realm, i->space, doc, &r, error);
        if (k < 0)
                return k;
        (void) operation_set_outcome(op, g, "created", NULL, r->path);
        return plan_make_real(op, r, g, false) < 0 ? -EIO : 0;
}

int plan_init(Operation *op) {
        for (size_t i = 0; i < ELEMENTSOF(init_resources); i++) {
                const InitData *d = &init_resources[i];
                _cleanup_free_ char *name = NULL;
                unsigned g;
                int k = d->kind == KIND_REALM ? asprintf(&name, "%s", d->realm) :
                        d->kind == KIND_SPACE ? asprintf(&name, "%s/%s", d->realm, d->space) :
                        asprintf(&name, "%s/%s/%s", d->realm, d->space, d->stack);
                size_t *data = new0(size_t, 1);
                if (k < 0 || !data || operation_add_outcome(op, kind_to_string(d->kind), name, &g) < 0) {
                        free(data);
                        return fail_oom(op);
                }
                *data = i;
                if (!operation_add_call(op, call_init_ensure, NULL, g, data))
                        return fail_oom(op);
        }
        return 0;
}

/* ---- start-up ---- */

static int plan_reconcile_tree(Operation *op, Resource *parent) {
        _cleanup_free_ Resource **c = NULL;
        size_t n;
        if (manager_children(op->manager, parent, &c, &n) < 0)
                return fail_oom(op);
        for (size_t i = 0; i < n; i++) {
                /* containerd keeps its namespaces across reboots; only make sure of them */
                if (plan_make_real(op, c[i], operation_new_group(op), true) < 0)
                        return -EIO;
                if (c[i]->kind != KIND_STACK && plan_reconcile_tree(op, c[i]) < 0)
                        return -EIO;
        }
        return 0;
}

int plan_reconcile_all(Operation *op) {
        log_info("Reconciling %zu resources of %s with PID 1 and containerd.", op->manager->n_resources,
                 store_run_path(op->manager->store));
        return plan_reconcile_tree(op, NULL);
}
