/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_namespaces_v1_namespace.pb-c.h"
#include "containerd-internal.h"
#include "containerd-namespace.h"
#include "strv.h"

#define SERVICE "/containerd.services.namespaces.v1.Namespaces/"

static const ContainerdMethod method_create = {
        SERVICE "Create", &containerd__services__namespaces__v1__create_namespace_response__descriptor, NULL,
};

static const ContainerdMethod method_delete = {
        SERVICE "Delete", &google__protobuf__empty__descriptor, NULL,
};

static int convert_list(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Namespaces__V1__ListNamespacesResponse *r = (const void *) m;
        _cleanup_strv_free_ char **l = new0(char *, r->n_namespaces + 1);

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_namespaces; i++) {
                l[i] = strdup(strempty(r->namespaces[i]->name));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static const ContainerdMethod method_list = {
        SERVICE "List", &containerd__services__namespaces__v1__list_namespaces_response__descriptor, convert_list,
};

static int convert_get(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Namespaces__V1__GetNamespaceResponse *r = (const void *) m;

        if (!r->namespace_)
                return -EBADMSG;
        return containerd_entries_to_labels(r->namespace_->n_labels, (void *const *) r->namespace_->labels, (char ***) ret);
}

static const ContainerdMethod method_get = {
        SERVICE "Get", &containerd__services__namespaces__v1__get_namespace_response__descriptor, convert_get,
};

int containerd_namespace_create(ContainerdClient *c, const char *name, char *const *labels, ContainerdHandler h, void *userdata) {
        Containerd__Services__Namespaces__V1__CreateNamespaceRequest req = CONTAINERD__SERVICES__NAMESPACES__V1__CREATE_NAMESPACE_REQUEST__INIT;
        Containerd__Services__Namespaces__V1__Namespace ns = CONTAINERD__SERVICES__NAMESPACES__V1__NAMESPACE__INIT;
        int r;

        if (isempty(name))
                return -EINVAL;
        ns.name = (char *) name;
        r = containerd_labels_to_entries(labels, &containerd__services__namespaces__v1__namespace__labels_entry__descriptor,
                                         &ns.n_labels, (void ***) &ns.labels);
        if (r < 0)
                return r;
        req.namespace_ = &ns;
        /* containerd publishes an event about it, and events need a namespace: its own */
        r = containerd_unary(c, name, &method_create, &req.base, h, userdata);
        containerd_entries_free((void **) ns.labels);
        return r;
}

int containerd_namespace_create_sync(ContainerdClient *c, const char *name, char *const *labels) {
        return RUN_SYNC(c, NULL, NULL, containerd_namespace_create, c, name, labels);
}

int containerd_namespace_delete(ContainerdClient *c, const char *name, ContainerdHandler h, void *userdata) {
        Containerd__Services__Namespaces__V1__DeleteNamespaceRequest req = CONTAINERD__SERVICES__NAMESPACES__V1__DELETE_NAMESPACE_REQUEST__INIT;

        if (isempty(name))
                return -EINVAL;
        req.name = (char *) name;
        return containerd_unary(c, name, &method_delete, &req.base, h, userdata);
}

int containerd_namespace_delete_sync(ContainerdClient *c, const char *name) {
        return RUN_SYNC(c, NULL, NULL, containerd_namespace_delete, c, name);
}

int containerd_namespace_list(ContainerdClient *c, ContainerdHandler h, void *userdata) {
        Containerd__Services__Namespaces__V1__ListNamespacesRequest req = CONTAINERD__SERVICES__NAMESPACES__V1__LIST_NAMESPACES_REQUEST__INIT;

        return containerd_unary(c, NULL, &method_list, &req.base, h, userdata);
}

int containerd_namespace_list_sync(ContainerdClient *c, char ***ret) {
        return RUN_SYNC(c, strv_free, ret, containerd_namespace_list, c);
}

int containerd_namespace_get_labels(ContainerdClient *c, const char *name, ContainerdHandler h, void *userdata) {
        Containerd__Services__Namespaces__V1__GetNamespaceRequest req = CONTAINERD__SERVICES__NAMESPACES__V1__GET_NAMESPACE_REQUEST__INIT;

        if (isempty(name))
                return -EINVAL;
        req.name = (char *) name;
        return containerd_unary(c, NULL, &method_get, &req.base, h, userdata);
}

int containerd_namespace_get_labels_sync(ContainerdClient *c, const char *name, char ***ret) {
        return RUN_SYNC(c, strv_free, ret, containerd_namespace_get_labels, c, name);
}
