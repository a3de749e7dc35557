/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_containers_v1_containers.pb-c.h"
#include "containerd-container.h"
#include "containerd-internal.h"
#include "strv.h"

#define SERVICE "/containerd.services.containers.v1.Containers/"

ContainerdContainer *containerd_container_free(ContainerdContainer *c) {
        if (!c)
                return NULL;
        free(c->id);
        strv_free(c->labels);
        free(c->image);
        free(c->runtime);
        free(c->spec_json);
        free(c->snapshotter);
        free(c->snapshot_key);
        return mfree(c);
}

ContainerdContainer **containerd_container_array_free(ContainerdContainer **l) {
        if (!l)
                return NULL;
        for (ContainerdContainer **i = l; *i; i++)
                containerd_container_free(*i);
        return mfree(l);
}

static int container_from_pb(const Containerd__Services__Containers__V1__Container *p, ContainerdContainer **ret) {
        _cleanup_(containerd_container_freep) ContainerdContainer *c = NULL;
        int r;

        if (!p)
                return -EBADMSG;
        c = new0(ContainerdContainer, 1);
        if (!c)
                return -ENOMEM;
        c->id = strdup(strempty(p->id));
        if (!c->id)
                return -ENOMEM;
        r = containerd_entries_to_labels(p->n_labels, (void *const *) p->labels, &c->labels);
        if (r < 0)
                return r;
        if (containerd_strdup_or_null(p->image, &c->image) < 0 ||
            containerd_strdup_or_null(p->runtime ? p->runtime->name : NULL, &c->runtime) < 0 ||
            containerd_strdup_or_null(p->snapshotter, &c->snapshotter) < 0 ||
            containerd_strdup_or_null(p->snapshot_key, &c->snapshot_key) < 0)
                return -ENOMEM;
        if (p->spec && p->spec->value.len > 0) {
                c->spec_json = strndup((const char *) p->spec->value.data, p->spec->value.len);
                if (!c->spec_json)
                        return -ENOMEM;
        }
        c->created_usec = containerd_timestamp_usec(p->created_at);
        c->updated_usec = containerd_timestamp_usec(p->updated_at);
        *ret = TAKE_PTR(c);
        return 0;
}

static int convert_one(const ProtobufCMessage *m, void **ret) {
        /* Create, Get and Update replies all are { Container container = 1; } */
        const Containerd__Services__Containers__V1__GetContainerResponse *r = (const void *) m;
        return container_from_pb(r->container, (ContainerdContainer **) ret);
}

static int convert_list(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Containers__V1__ListContainersResponse *r = (const void *) m;
        _cleanup_(containerd_container_array_freep) ContainerdContainer **l = new0(ContainerdContainer *, r->n_containers + 1);
        int k;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_containers; i++) {
                k = container_from_pb(r->containers[i], &l[i]);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static const ContainerdMethod method_create = {
        SERVICE "Create", &containerd__services__containers__v1__create_container_response__descriptor, convert_one,
};
static const ContainerdMethod method_get = {
        SERVICE "Get", &containerd__services__containers__v1__get_container_response__descriptor, convert_one,
};
static const ContainerdMethod method_update = {
        SERVICE "Update", &containerd__services__containers__v1__update_container_response__descriptor, convert_one,
};
static const ContainerdMethod method_list = {
        SERVICE "List", &containerd__services__containers__v1__list_containers_response__descriptor, convert_list,
};
static const ContainerdMethod method_delete = {
        SERVICE "Delete", &google__protobuf__empty__descriptor, NULL,
};

/* Fill 'p' from 'ctr'; strings are borrowed. Free *labels_block with containerd_entries_free(). */
typedef struct PbContainer {
        Containerd__Services__Containers__V1__Container c;
        Containerd__Services__Containers__V1__Container__Runtime runtime;
        Google__Protobuf__Any spec;
} PbContainer;

static int container_to_pb(const ContainerdContainer *ctr, PbContainer *p) {
        containerd__services__containers__v1__container__init(&p->c);
        containerd__services__containers__v1__container__runtime__init(&p->runtime);
        google__protobuf__any__init(&p->spec);

        if (!ctr || isempty(ctr->id))
                return -EINVAL;
        p->c.id = ctr->id;
        if (ctr->image)
                p->c.image = ctr->image;
        p->runtime.name = ctr->runtime ?: (char *) CONTAINERD_RUNTIME_RUNC_V2;
        p->c.runtime = &p->runtime;
        if (ctr->spec_json) {
                p->spec.type_url = (char *) CONTAINERD_SPEC_TYPE_URL;
                p->spec.value.data = (uint8_t *) ctr->spec_json;
                p->spec.value.len = strlen(ctr->spec_json);
                p->c.spec = &p->spec;
        }
        if (ctr->snapshotter)
                p->c.snapshotter = ctr->snapshotter;
        if (ctr->snapshot_key)
                p->c.snapshot_key = ctr->snapshot_key;
        return containerd_labels_to_entries(
                        ctr->labels, &containerd__services__containers__v1__container__labels_entry__descriptor,
                        &p->c.n_labels, (void ***) &p->c.labels);
}

int containerd_container_create(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, ContainerdHandler h, void *userdata) {
        Containerd__Services__Containers__V1__CreateContainerRequest req = CONTAINERD__SERVICES__CONTAINERS__V1__CREATE_CONTAINER_REQUEST__INIT;
        PbContainer p;
        int r;

        r = container_to_pb(ctr, &p);
        if (r < 0)
                return r;
        if (!ctr->spec_json) {
                /* containerd refuses a container without a spec; say so before the call */
                containerd_entries_free((void **) p.c.labels);
                return -EINVAL;
        }
        req.container = &p.c;
        r = containerd_unary(c, ns, &method_create, &req.base, h, userdata);
        containerd_entries_free((void **) p.c.labels);
        return r;
}

int containerd_container_create_sync(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, ContainerdContainer **ret) {
        return RUN_SYNC(c, containerd_container_free, ret, containerd_container_create, c, ns, ctr);
}

int containerd_container_get(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Containers__V1__GetContainerRequest req = CONTAINERD__SERVICES__CONTAINERS__V1__GET_CONTAINER_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.id = (char *) id;
        return containerd_unary(c, ns, &method_get, &req.base, h, userdata);
}

int containerd_container_get_sync(ContainerdClient *c, const char *ns, const char *id, ContainerdContainer **ret) {
        return RUN_SYNC(c, containerd_container_free, ret, containerd_container_get, c, ns, id);
}

int containerd_container_list(ContainerdClient *c, const char *ns, char *const *filters, ContainerdHandler h, void *userdata) {
        Containerd__Services__Containers__V1__ListContainersRequest req = CONTAINERD__SERVICES__CONTAINERS__V1__LIST_CONTAINERS_REQUEST__INIT;

        req.n_filters = strv_length(filters);
        req.filters = (char **) filters;
        return containerd_unary(c, ns, &method_list, &req.base, h, userdata);
}

int containerd_container_list_sync(ContainerdClient *c, const char *ns, char *const *filters, ContainerdContainer ***ret) {
        return RUN_SYNC(c, containerd_container_array_free, ret, containerd_container_list, c, ns, filters);
}

int containerd_container_update(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, char *const *fields, ContainerdHandler h, void *userdata) {
        Containerd__Services__Containers__V1__UpdateContainerRequest req = CONTAINERD__SERVICES__CONTAINERS__V1__UPDATE_CONTAINER_REQUEST__INIT;
        Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
        PbContainer p;
        int r;

        r = container_to_pb(ctr, &p);
        if (r < 0)
                return r;
        req.container = &p.c;
        if (fields) {
                mask.n_paths = strv_length(fields);
                mask.paths = (char **) fields;
                req.update_mask = &mask;
        }
        r = containerd_unary(c, ns, &method_update, &req.base, h, userdata);
        containerd_entries_free((void **) p.c.labels);
        return r;
}

int containerd_container_update_sync(ContainerdClient *c, const char *ns, const ContainerdContainer *ctr, char *const *fields, ContainerdContainer **ret) {
        return RUN_SYNC(c, containerd_container_free, ret, containerd_container_update, c, ns, ctr, fields);
}

int containerd_container_delete(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Containers__V1__DeleteContainerRequest req = CONTAINERD__SERVICES__CONTAINERS__V1__DELETE_CONTAINER_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.id = (char *) id;
        return containerd_unary(c, ns, &method_delete, &req.base, h, userdata);
}

int containerd_container_delete_sync(ContainerdClient *c, const char *ns, const char *id) {
        return RUN_SYNC(c, NULL, NULL, containerd_container_delete, c, ns, id);
}
