/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_version_v1_version.pb-c.h"
#include "containerd-internal.h"
#include "containerd-version.h"

ContainerdVersion *containerd_version_free(ContainerdVersion *v) {
        if (!v)
                return NULL;
        free(v->version);
        free(v->revision);
        return mfree(v);
}

static int convert_version(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Version__V1__VersionResponse *r = (const void *) m;
        _cleanup_(containerd_version_freep) ContainerdVersion *v = new0(ContainerdVersion, 1);

        if (!v)
                return -ENOMEM;
        v->version = strdup(strempty(r->version));
        v->revision = strdup(strempty(r->revision));
        if (!v->version || !v->revision)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

static const ContainerdMethod method_version = {
        "/containerd.services.version.v1.Version/Version",
        &containerd__services__version__v1__version_response__descriptor,
        convert_version,
};

int containerd_version(ContainerdClient *c, ContainerdHandler h, void *userdata) {
        Google__Protobuf__Empty req = GOOGLE__PROTOBUF__EMPTY__INIT;

        return containerd_unary(c, NULL, &method_version, &req.base, h, userdata);
}

int containerd_version_sync(ContainerdClient *c, ContainerdVersion **ret) {
        return RUN_SYNC(c, containerd_version_free, ret, containerd_version, c);
}
