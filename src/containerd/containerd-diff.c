/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_diff_v1_diff.pb-c.h"
#include "containerd-diff.h"
#include "containerd-internal.h"

static int convert_apply(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Diff__V1__ApplyResponse *r = (const void *) m;
        return containerd_descriptor_from_pb(r->applied, (ContainerdDescriptor **) ret);
}

static const ContainerdMethod method_apply = {
        "/containerd.services.diff.v1.Diff/Apply", &containerd__services__diff__v1__apply_response__descriptor, convert_apply,
};

int containerd_diff_apply(ContainerdClient *c, const char *ns, const ContainerdDescriptor *diff, ContainerdMount *const *mounts,
                          ContainerdHandler h, void *userdata) {
        Containerd__Services__Diff__V1__ApplyRequest req = CONTAINERD__SERVICES__DIFF__V1__APPLY_REQUEST__INIT;
        Containerd__Types__Descriptor d = CONTAINERD__TYPES__DESCRIPTOR__INIT;
        void **pm = NULL;
        int r;

        if (!diff || isempty(diff->digest) || isempty(diff->media_type) || !mounts || !mounts[0])
                return -EINVAL;
        d.media_type = diff->media_type;
        d.digest = diff->digest;
        d.size = diff->size;
        req.diff = &d;
        r = containerd_mounts_to_pb(mounts, &req.n_mounts, &pm);
        if (r < 0)
                return r;
        req.mounts = (Containerd__Types__Mount **) pm;
        r = containerd_unary(c, ns, &method_apply, &req.base, h, userdata);
        containerd_pb_mounts_free(req.n_mounts, pm);
        return r;
}

int containerd_diff_apply_sync(ContainerdClient *c, const char *ns, const ContainerdDescriptor *diff, ContainerdMount *const *mounts,
                               ContainerdDescriptor **ret) {
        return RUN_SYNC(c, containerd_descriptor_free, ret, containerd_diff_apply, c, ns, diff, mounts);
}
