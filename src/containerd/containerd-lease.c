/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_leases_v1_leases.pb-c.h"
#include "containerd-internal.h"
#include "containerd-lease.h"
#include "strv.h"

#define SERVICE "/containerd.services.leases.v1.Leases/"

static int convert_list(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Leases__V1__ListResponse *r = (const void *) m;
        _cleanup_strv_free_ char **l = new0(char *, r->n_leases + 1);

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_leases; i++) {
                l[i] = strdup(strempty(r->leases[i]->id));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static const ContainerdMethod method_create = { SERVICE "Create", &containerd__services__leases__v1__create_response__descriptor, NULL };
static const ContainerdMethod method_delete = { SERVICE "Delete", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_list = { SERVICE "List", &containerd__services__leases__v1__list_response__descriptor, convert_list };

int containerd_lease_create(ContainerdClient *c, const char *ns, const char *id, char *const *labels, ContainerdHandler h, void *userdata) {
        Containerd__Services__Leases__V1__CreateRequest req = CONTAINERD__SERVICES__LEASES__V1__CREATE_REQUEST__INIT;
        int r;

        if (isempty(id))
                return -EINVAL;
        req.id = (char *) id;
        r = containerd_labels_to_entries(labels, &containerd__services__leases__v1__create_request__labels_entry__descriptor,
                                         &req.n_labels, (void ***) &req.labels);
        if (r < 0)
                return r;
        r = containerd_unary(c, ns, &method_create, &req.base, h, userdata);
        containerd_entries_free((void **) req.labels);
        return r;
}

int containerd_lease_create_sync(ContainerdClient *c, const char *ns, const char *id, char *const *labels) {
        return RUN_SYNC(c, NULL, NULL, containerd_lease_create, c, ns, id, labels);
}

int containerd_lease_delete(ContainerdClient *c, const char *ns, const char *id, bool sync, ContainerdHandler h, void *userdata) {
        Containerd__Services__Leases__V1__DeleteRequest req = CONTAINERD__SERVICES__LEASES__V1__DELETE_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.id = (char *) id;
        req.sync = sync;
        return containerd_unary(c, ns, &method_delete, &req.base, h, userdata);
}

int containerd_lease_delete_sync(ContainerdClient *c, const char *ns, const char *id, bool sync) {
        return RUN_SYNC(c, NULL, NULL, containerd_lease_delete, c, ns, id, sync);
}

int containerd_lease_list(ContainerdClient *c, const char *ns, char *const *filters, ContainerdHandler h, void *userdata) {
        Containerd__Services__Leases__V1__ListRequest req = CONTAINERD__SERVICES__LEASES__V1__LIST_REQUEST__INIT;

        req.n_filters = strv_length(filters);
        req.filters = (char **) filters;
        return containerd_unary(c, ns, &method_list, &req.base, h, userdata);
}

int containerd_lease_list_sync(ContainerdClient *c, const char *ns, char *const *filters, char ***ret) {
        return RUN_SYNC(c, strv_free, ret, containerd_lease_list, c, ns, filters);
}
