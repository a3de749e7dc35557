/* SPDX-License-Identifier: Apache-2.0 */
#include "resource.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager.h"
#include "object-path.h"
#include "store.h"
#include "systemd-client.h"
#include "unit-name.h"
#include "yaml-codec.h"

int resource_new(Manager *m, Kind kind, const char *realm, const char *space, void *doc, Resource **ret) {
        _cleanup_(resource_freep) Resource *r = NULL;
        int k;

        if (!(kind == KIND_REALM || kind == KIND_SPACE || kind == KIND_STACK) || !doc)
                return -EINVAL;
        const char *name = ((DocHeader *) doc)->metadata.name;
        if (isempty(name))
                return -EINVAL;

        r = new0(Resource, 1);
        if (!r)
                return -ENOMEM;
        r->manager = m;
        r->kind = kind;
        switch (kind) {
        case KIND_REALM:
                r->realm = strdup(name);
                if (!r->realm)
                        return -ENOMEM;
                break;
        case KIND_SPACE:
                r->realm = strdup(realm);
                r->space = strdup(name);
                if (!r->realm || !r->space)
                        return -ENOMEM;
                break;
        default:
                r->realm = strdup(realm);
                r->space = strdup(space);
                r->stack = strdup(name);
                if (!r->realm || !r->space || !r->stack)
                        return -ENOMEM;
        }
        k = object_path_build(r->realm, r->space, r->stack, NULL, NULL, &r->path);
        if (k < 0)
                return k;
        r->doc = doc; /* owned from here on */
        *ret = TAKE_PTR(r);
        return 0;
}

Resource *resource_free(Resource *r) {
        if (!r)
                return NULL;
        if (r->doc)
                schema_free(resource_schema(r), r->doc);
        free(r->realm);
        free(r->space);
        free(r->stack);
        free(r->path);
        free(r);
        return NULL;
}

const char *resource_name(const Resource *r) {
        return r->kind == KIND_REALM ? r->realm : r->kind == KIND_SPACE ? r->space : r->stack;
}

const Schema *resource_schema(const Resource *r) {
        return kind_schema(r->kind);
}

const char *resource_kind_name(const Resource *r) {
        return kind_to_string(r->kind);
}

int resource_full_name(const Resource *r, char **ret) {
        int k;
        if (r->kind == KIND_REALM)
                k = asprintf(ret, "%s", r->realm);
        else if (r->kind == KIND_SPACE)
                k = asprintf(ret, "%s/%s", r->realm, r->space);
        else
                k = asprintf(ret, "%s/%s/%s", r->realm, r->space, r->stack);
        return k < 0 ? -ENOMEM : 0;
}

const char *resource_interface(const Resource *r) {
        return r->kind == KIND_REALM ? "org.kukeon1.Realm" : r->kind == KIND_SPACE ? "org.kukeon1.Space" : "org.kukeon1.Stack";
}

Metadata *resource_metadata(Resource *r) {
        return &((DocHeader *) r->doc)->metadata;
}

#define FIELD_OF(r, field)                                                      \
        ((r)->kind == KIND_REALM ? &((RealmDoc *) (r)->doc)->field :            \
         (r)->kind == KIND_SPACE ? &((SpaceDoc *) (r)->doc)->field :            \
                                   &((StackDoc *) (r)->doc)->field)

Lifecycle *resource_lifecycle(Resource *r) {
        return FIELD_OF(r, status.lifecycle);
}

char **resource_unit_field(Resource *r) {
        return FIELD_OF(r, status.unit);
}

char **resource_cgroup_field(Resource *r) {
        return FIELD_OF(r, status.cgroup_path);
}

UnitResources *resource_limits(Resource *r) {
        return *FIELD_OF(r, spec.resources);
}

const char *resource_state_string(const Resource *r) {
        if (r->kind == KIND_REALM)
                return enum_to_string(&realm_state_enum, ((RealmDoc *) r->doc)->status.state);
        int s = r->kind == KIND_SPACE ? (int) ((SpaceDoc *) r->doc)->status.state : (int) ((StackDoc *) r->doc)->status.state;
        return enum_to_string(&space_state_enum, s);
}

bool resource_is_ready(const Resource *r) {
        if (r->kind == KIND_REALM)
                return ((RealmDoc *) r->doc)->status.state == REALM_STATE_READY;
        int s = r->kind == KIND_SPACE ? (int) ((SpaceDoc *) r->doc)->status.state : (int) ((StackDoc *) r->doc)->status.state;
        return s == SPACE_STATE_READY;
}

static int set_string(char **field, const char *v) {
        if (streq_ptr(*field, v))
                return 0;
        char *c = NULL;
        if (v) {
                c = strdup(v);
                if (!c)
                        return -ENOMEM;
        }
        free(*field);
        *field = c;
        return 0;
}

int resource_set_state(Resource *r, ResourceState state, const char *reason, const char *message) {
        Lifecycle *l = resource_lifecycle(r);
        int k;

        if (r->kind == KIND_REALM) {
                /* RealmState and ResourceState share their order. */
                ((RealmDoc *) r->doc)->status.state = (RealmState) state;
        } else {
                /* Spaces and stacks have no Creating or Deleting: they stay Pending while
                 * being made, and keep their state while being removed. */
                SpaceState s;
                switch (state) {
                case RESOURCE_PENDING:
                case RESOURCE_CREATING:
                        s = SPACE_STATE_PENDING;
                        break;
                case RESOURCE_READY:
                        s = SPACE_STATE_READY;
                        break;
                case RESOURCE_FAILED:
                        s = SPACE_STATE_FAILED;
                        break;
                case RESOURCE_DELETING:
                        s = r->kind == KIND_SPACE ? ((SpaceDoc *) r->doc)->status.state : ((StackDoc *) r->doc)->status.state;
                        break;
                default:
                        s = SPACE_STATE_UNKNOWN;
                }
                if (r->kind == KIND_SPACE)
                        ((SpaceDoc *) r->doc)->status.state = s;
                else
                        ((StackDoc *) r->doc)->status.state = s;
        }
        k = set_string(&l->reason, reason);
        if (k < 0)
                return k;
        k = set_string(&l->message, message);
        if (k < 0)
                return k;
        l->updated_at = now_realtime();
        if (l->created_at == 0)
                l->created_at = l->updated_at;
        if (state == RESOURCE_READY && l->ready_at == 0)
                l->ready_at = l->updated_at;
        return 0;
}

int resource_save(Resource *r) {
        Store *s = r->manager->store;
        switch (r->kind) {
        case KIND_REALM:
                return store_save_realm(s, r->doc);
        case KIND_SPACE:
                return store_save_space(s, r->realm, r->doc);
        default:
                return store_save_stack(s, r->realm, r->space, r->doc);
        }
}

int resource_format(const Resource *r, char **ret) {
        return yaml_format_object(resource_schema(r), r->doc, ret);
}

size_t resource_slice_properties(Resource *r, char *description, size_t description_size, UnitProperty *props,
                                 bool limits_only) {
        UnitResources *lim = resource_limits(r);
        size_t n = 0;

        if (!limits_only) {
                _cleanup_free_ char *full = NULL;
                (void) resource_full_name(r, &full);
                snprintf(description, description_size, "kukeon %s %s",
                         r->kind == KIND_REALM ? "realm" : r->kind == KIND_SPACE ? "space" : "stack", strna(full));
                props[n++] = UNIT_PROPERTY_STRING("Description", description);
                props[n++] = UNIT_PROPERTY_BOOL("DefaultDependencies", false);
                props[n++] = UNIT_PROPERTY_BOOL("MemoryAccounting", true);
                props[n++] = UNIT_PROPERTY_BOOL("CPUAccounting", true);
                props[n++] = UNIT_PROPERTY_BOOL("TasksAccounting", true);
                props[n++] = UNIT_PROPERTY_BOOL("IOAccounting", true);
        }
        /* Unset limits: nothing on creation; on a change, systemd's "no limit" values
         * (infinity for maxima, the invalid weight that means "default"). */
        struct {
                const char *name;
                const OptInt *v;
        } l[] = {
                { "MemoryMax", lim ? &lim->memory_max : NULL },
                { "CPUWeight", lim ? &lim->cpu_weight : NULL },
                { "TasksMax", lim ? &lim->tasks_max : NULL },
                { "IOWeight", lim ? &lim->io_weight : NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(l); i++) {
                if (l[i].v && l[i].v->set)
                        props[n++] = UNIT_PROPERTY_UINT64(l[i].name, (uint64_t) l[i].v->value);
                else if (limits_only)
                        props[n++] = UNIT_PROPERTY_UINT64(l[i].name, UINT64_MAX);
        }
        return n;
}
