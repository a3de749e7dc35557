/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_images_v1_images.pb-c.h"
#include "containerd-image.h"
#include "containerd-internal.h"
#include "strv.h"

#define SERVICE "/containerd.services.images.v1.Images/"

ContainerdImage *containerd_image_free(ContainerdImage *i) {
        if (!i)
                return NULL;
        free(i->name);
        strv_free(i->labels);
        free(i->target.media_type);
        free(i->target.digest);
        strv_free(i->target.annotations);
        return mfree(i);
}

ContainerdImage **containerd_image_array_free(ContainerdImage **l) {
        if (!l)
                return NULL;
        for (ContainerdImage **i = l; *i; i++)
                containerd_image_free(*i);
        return mfree(l);
}

static int image_from_pb(const Containerd__Services__Images__V1__Image *p, ContainerdImage **ret) {
        _cleanup_(containerd_image_freep) ContainerdImage *i = NULL;
        _cleanup_(containerd_descriptor_freep) ContainerdDescriptor *d = NULL;
        int r;

        if (!p)
                return -EBADMSG;
        i = new0(ContainerdImage, 1);
        if (!i)
                return -ENOMEM;
        i->name = strdup(strempty(p->name));
        if (!i->name)
                return -ENOMEM;
        r = containerd_entries_to_labels(p->n_labels, (void *const *) p->labels, &i->labels);
        if (r < 0)
                return r;
        if (p->target) {
                r = containerd_descriptor_from_pb(p->target, &d);
                if (r < 0)
                        return r;
                i->target = *d;
                free(TAKE_PTR(d)); /* the strings moved into i->target */
        }
        i->created_usec = containerd_timestamp_usec(p->created_at);
        i->updated_usec = containerd_timestamp_usec(p->updated_at);
        *ret = TAKE_PTR(i);
        return 0;
}

static int convert_one(const ProtobufCMessage *m, void **ret) {
        /* Get, Create and Update replies are all { Image image = 1; } */
        const Containerd__Services__Images__V1__GetImageResponse *r = (const void *) m;
        return image_from_pb(r->image, (ContainerdImage **) ret);
}

static int convert_list(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Images__V1__ListImagesResponse *r = (const void *) m;
        _cleanup_(containerd_image_array_freep) ContainerdImage **l = new0(ContainerdImage *, r->n_images + 1);
        int k;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_images; i++) {
                k = image_from_pb(r->images[i], &l[i]);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static const ContainerdMethod method_get = { SERVICE "Get", &containerd__services__images__v1__get_image_response__descriptor, convert_one };
static const ContainerdMethod method_create = { SERVICE "Create", &containerd__services__images__v1__create_image_response__descriptor, convert_one };
static const ContainerdMethod method_update = { SERVICE "Update", &containerd__services__images__v1__update_image_response__descriptor, convert_one };
static const ContainerdMethod method_list = { SERVICE "List", &containerd__services__images__v1__list_images_response__descriptor, convert_list };
static const ContainerdMethod method_delete = { SERVICE "Delete", &google__protobuf__empty__descriptor, NULL };

typedef struct PbImage {
        Containerd__Services__Images__V1__Image image;
        Containerd__Types__Descriptor target;
} PbImage;

static void pb_image_done(PbImage *p) {
        containerd_entries_free((void **) p->image.labels);
        containerd_entries_free((void **) p->target.annotations);
}

static int image_to_pb(const ContainerdImage *i, PbImage *p) {
        int r;

        containerd__services__images__v1__image__init(&p->image);
        containerd__types__descriptor__init(&p->target);
        if (!i || isempty(i->name) || isempty(i->target.digest) || isempty(i->target.media_type))
                return -EINVAL;
        p->image.name = i->name;
        p->target.media_type = i->target.media_type;
        p->target.digest = i->target.digest;
        p->target.size = i->target.size;
        p->image.target = &p->target;
        r = containerd_labels_to_entries(i->labels, &containerd__services__images__v1__image__labels_entry__descriptor,
                                         &p->image.n_labels, (void ***) &p->image.labels);
        if (r < 0)
                return r;
        r = containerd_labels_to_entries(i->target.annotations, &containerd__types__descriptor__annotations_entry__descriptor,
                                         &p->target.n_annotations, (void ***) &p->target.annotations);
        if (r < 0) {
                pb_image_done(p);
                return r;
        }
        return 0;
}

int containerd_image_list(ContainerdClient *c, const char *ns, char *const *filters, ContainerdHandler h, void *userdata) {
        Containerd__Services__Images__V1__ListImagesRequest req = CONTAINERD__SERVICES__IMAGES__V1__LIST_IMAGES_REQUEST__INIT;

        req.n_filters = strv_length(filters);
        req.filters = (char **) filters;
        return containerd_unary(c, ns, &method_list, &req.base, h, userdata);
}

int containerd_image_list_sync(ContainerdClient *c, const char *ns, char *const *filters, ContainerdImage ***ret) {
        return RUN_SYNC(c, containerd_image_array_free, ret, containerd_image_list, c, ns, filters);
}

int containerd_image_get(ContainerdClient *c, const char *ns, const char *name, ContainerdHandler h, void *userdata) {
        Containerd__Services__Images__V1__GetImageRequest req = CONTAINERD__SERVICES__IMAGES__V1__GET_IMAGE_REQUEST__INIT;

        if (isempty(name))
                return -EINVAL;
        req.name = (char *) name;
        return containerd_unary(c, ns, &method_get, &req.base, h, userdata);
}

int containerd_image_get_sync(ContainerdClient *c, const char *ns, const char *name, ContainerdImage **ret) {
        return RUN_SYNC(c, containerd_image_free, ret, containerd_image_get, c, ns, name);
}

int containerd_image_create(ContainerdClient *c, const char *ns, const ContainerdImage *image, ContainerdHandler h, void *userdata) {
        Containerd__Services__Images__V1__CreateImageRequest req = CONTAINERD__SERVICES__IMAGES__V1__CREATE_IMAGE_REQUEST__INIT;
        PbImage p;
        int r;

        r = image_to_pb(image, &p);
        if (r < 0)
                return r;
        req.image = &p.image;
        r = containerd_unary(c, ns, &method_create, &req.base, h, userdata);
        pb_image_done(&p);
        return r;
}

int containerd_image_create_sync(ContainerdClient *c, const char *ns, const ContainerdImage *image, ContainerdImage **ret) {
        return RUN_SYNC(c, containerd_image_free, ret, containerd_image_create, c, ns, image);
}

int containerd_image_update(ContainerdClient *c, const char *ns, const ContainerdImage *image, char *const *fields, ContainerdHandler h, void *userdata) {
        Containerd__Services__Images__V1__UpdateImageRequest req = CONTAINERD__SERVICES__IMAGES__V1__UPDATE_IMAGE_REQUEST__INIT;
        Google__Protobuf__FieldMask mask = GOOGLE__PROTOBUF__FIELD_MASK__INIT;
        PbImage p;
        int r;

        r = image_to_pb(image, &p);
        if (r < 0)
                return r;
        req.image = &p.image;
        if (fields) {
                mask.n_paths = strv_length(fields);
                mask.paths = (char **) fields;
                req.update_mask = &mask;
        }
        r = containerd_unary(c, ns, &method_update, &req.base, h, userdata);
        pb_image_done(&p);
        return r;
}

int containerd_image_update_sync(ContainerdClient *c, const char *ns, const ContainerdImage *image, char *const *fields, ContainerdImage **ret) {
        return RUN_SYNC(c, containerd_image_free, ret, containerd_image_update, c, ns, image, fields);
}

int containerd_image_delete(ContainerdClient *c, const char *ns, const char *name, bool sync, ContainerdHandler h, void *userdata) {
        Containerd__Services__Images__V1__DeleteImageRequest req = CONTAINERD__SERVICES__IMAGES__V1__DELETE_IMAGE_REQUEST__INIT;

        if (isempty(name))
                return -EINVAL;
        req.name = (char *) name;
        req.sync = sync;
        return containerd_unary(c, ns, &method_delete, &req.base, h, userdata);
}

int containerd_image_delete_sync(ContainerdClient *c, const char *ns, const char *name, bool sync) {
        return RUN_SYNC(c, NULL, NULL, containerd_image_delete, c, ns, name, sync);
}
