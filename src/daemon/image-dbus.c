/* SPDX-License-Identifier: Apache-2.0 */
/* LoadImage, ListImages, DeleteImage on org.kukeon1.Manager (docs/dbus-api.md "Images").
 *
 * The order is the Manager's: arguments checked, then polkit (org.kukeon1.manage-images, or
 * inspect for the list; manage-system for the system realm), then the realm looked up. The
 * work itself — streaming an archive into containerd can take minutes — runs in an ImageJob:
 * a thread with its own containerd client on a private loop (the daemon's client lives on
 * the event loop and must not be driven from another thread), on copies of what it needs.
 * The thread writes one byte into a pipe when done; the loop then joins it and replies. */
#include "image-dbus.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "bus-error.h"
#include "containerd-content.h"
#include "containerd-image.h"
#include "image-load.h"
#include "image-manifest.h"
#include "image-reference.h"
#include "log.h"
#include "name.h"
#include "operation.h"
#include "strv.h"


/* how long a job waits for containerd to answer at all */
#define IMAGE_JOB_CONNECT_USEC (10ULL * 1000000ULL)
/* manifests and indexes are small; anything larger is not one */
#define IMAGE_MANIFEST_MAX (4U * 1024U * 1024U)

typedef enum ImageJobKind {
        IMAGE_JOB_LOAD,
        IMAGE_JOB_LIST,
        IMAGE_JOB_DELETE,
} ImageJobKind;

typedef struct ImageEntry {
        char *name, *digest;
        uint64_t size, created_usec;
} ImageEntry;

typedef struct ImageJob {
        ImageJobKind kind;
        Manager *manager;
        sd_bus_message *request;
        char *realm;
        /* in: the thread reads nothing else */
        char *address;   /* containerd's socket */
        char *ns;        /* the realm's namespace */
        char *reference; /* delete: the normalized reference */
        int archive_fd;  /* load: our own copy of the caller's fd */
        /* out */
        int r;
        char *error;
        ImageEntry *entries; /* load: name and digest; list: all */
        size_t n_entries;
        /* the loop's side */
        int fds[2];
        pthread_t thread;
        bool started;
        sd_event_source *source;
} ImageJob;

static ImageJob *image_job_free(ImageJob *j) {
        if (!j)
                return NULL;
        if (j->started)
                (void) pthread_join(j->thread, NULL);
        sd_event_source_disable_unref(j->source);
        for (size_t i = 0; i < 2; i++)
                if (j->fds[i] >= 0)
                        (void) close(j->fds[i]);
        if (j->archive_fd >= 0)
                (void) close(j->archive_fd);
        sd_bus_message_unref(j->request);
        free(j->realm);
        free(j->address);
        free(j->ns);
        free(j->reference);
        free(j->error);
        for (size_t i = 0; i < j->n_entries; i++) {
                free(j->entries[i].name);
                free(j->entries[i].digest);
        }
        free(j->entries);
        return mfree(j);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageJob *, image_job_free);

static void image_job_destroy(void *p) {
        image_job_free(p);
}

static ImageJob *image_job_new(ImageJobKind kind, Manager *m, const char *realm) {
        _cleanup_(image_job_freep) ImageJob *j = new0(ImageJob, 1);
        if (!j)
                return NULL;
        j->kind = kind;
        j->manager = m;
        j->archive_fd = j->fds[0] = j->fds[1] = -EBADF;
        j->realm = strdup(realm);
        return j->realm ? TAKE_PTR(j) : NULL;
}

static int image_job_add(ImageJob *j, const char *name, const char *digest, uint64_t size, uint64_t created_usec) {
        ImageEntry *e = reallocarray(j->entries, j->n_entries + 1, sizeof(ImageEntry));
        if (!e)
                return -ENOMEM;
        j->entries = e;
        e = &j->entries[j->n_entries];
        *e = (ImageEntry) {
                .name = strdup(name), .digest = strdup(strempty(digest)), .size = size, .created_usec = created_usec,
        };
        if (!e->name || !e->digest) {
                free(e->name);
                free(e->digest);
                return -ENOMEM;
        }
        j->n_entries++;
        return 0;
}

/* ---- in the thread ---- */

int image_manifest_json_size(const char *json, size_t size, uint64_t *ret) {
        _cleanup_(image_manifest_freep) ImageManifest *manifest = NULL;
        int r = image_manifest_parse(json, size, &manifest);
        if (r < 0)
                return r;
        uint64_t sum = manifest->config && manifest->config->size > 0 ? (uint64_t) manifest->config->size : 0;
        for (ImageDescriptor **l = manifest->layers; l && *l; l++) {
                if ((*l)->size < 0)
                        return -EBADMSG;
                sum += (uint64_t) (*l)->size;
        }
        *ret = sum;
        return 0;
}

/* What the image takes in the content store: its manifest's config and layers, through an
 * index to the manifest for this machine. Best effort: the target's own size when the
 * blobs cannot be read (the list shows what there is rather than failing). */
static uint64_t image_size(ContainerdClient *c, const char *ns, const ContainerdDescriptor *target) {
        _cleanup_free_ void *data = NULL;
        _cleanup_free_ char *digest = NULL;
        uint64_t sum;
        size_t size;
        const char *media_type = target->media_type;

        if (!target->digest || !(digest = strdup(target->digest)))
                return target->size > 0 ? (uint64_t) target->size : 0;
        for (unsigned depth = 0; depth < 4; depth++) {
                if (containerd_content_read_sync(c, ns, digest, IMAGE_MANIFEST_MAX, &data, &size) < 0)
                        break;
                if (media_type && media_type_is_index(media_type)) {
                        _cleanup_(image_descriptor_array_freep) ImageDescriptor **l = NULL;
                        ImageDescriptor *pick = NULL;
                        if (image_index_parse(data, size, &l) < 0)
                                break;
                        for (ImageDescriptor **d = l; d && *d && !pick; d++)
                                if (image_platform_matches_host((*d)->os, (*d)->architecture, (*d)->variant))
                                        pick = *d;
                        if (!pick || !pick->digest)
                                break;
                        free(digest);
                        digest = strdup(pick->digest);
                        if (!digest)
                                break;
                        media_type = NULL; /* the manifest is picked; its own document says its type */
                        data = mfree(data);
                        continue;
                }
                if (image_manifest_json_size(data, size, &sum) >= 0)
                        return sum;
                break;
        }
        return target->size > 0 ? (uint64_t) target->size : 0;
}

static int job_load(ImageJob *j, ContainerdClient *c) {
        _cleanup_strv_free_ char **names = NULL;
        int r = image_load_fd(c, j->ns, j->archive_fd, NULL, &names, &j->error);
        if (r < 0)
                return r;
        STRV_FOREACH(n, names) {
                _cleanup_(containerd_image_freep) ContainerdImage *image = NULL;
                /* the digest is a nicety: the image is there either way */
                (void) containerd_image_get_sync(c, j->ns, *n, &image);
                r = image_job_add(j, *n, image ? image->target.digest : NULL, 0, 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int job_list(ImageJob *j, ContainerdClient *c) {
        _cleanup_(containerd_image_array_freep) ContainerdImage **images = NULL;
        int r = containerd_image_list_sync(c, j->ns, NULL, &images);
        if (r < 0)
                return r;
        for (ContainerdImage **i = images; i && *i; i++) {
                r = image_job_add(j, (*i)->name, (*i)->target.digest, image_size(c, j->ns, &(*i)->target), (*i)->created_usec);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void *image_job_run(void *p) {
        ImageJob *j = p;
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;

        j->r = containerd_client_new(NULL, j->address, &c);
        if (j->r >= 0)
                j->r = containerd_client_wait_connected(c, IMAGE_JOB_CONNECT_USEC);
        if (j->r == -ETIMEDOUT)
                j->r = -ENOTCONN;
        if (j->r >= 0)
                j->r = j->kind == IMAGE_JOB_LOAD ? job_load(j, c) :
                       j->kind == IMAGE_JOB_LIST ? job_list(j, c) :
                                                   containerd_image_delete_sync(c, j->ns, j->reference, false);
        if (j->r < 0 && !j->error && c && containerd_client_last_error(c))
                j->error = strdup(containerd_client_last_error(c));
        (void) write(j->fds[1], "x", 1);
        return NULL;
}

/* ---- back on the loop ---- */

static int image_job_reply(ImageJob *j) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (j->kind == IMAGE_JOB_DELETE)
                return sd_bus_reply_method_return(j->request, "");
        r = sd_bus_message_new_method_return(j->request, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', j->kind == IMAGE_JOB_LOAD ? "(ss)" : "(sstt)");
        for (size_t i = 0; r >= 0 && i < j->n_entries; i++) {
                ImageEntry *e = &j->entries[i];
                if (j->kind == IMAGE_JOB_LOAD)
                        r = sd_bus_message_append(reply, "(ss)", e->name, e->digest);
                else
                        r = sd_bus_message_append(reply, "(sstt)", e->name, e->digest, e->size, e->created_usec);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int image_job_error(ImageJob *j, sd_bus_error *e) {
        const char *what = j->kind == IMAGE_JOB_LOAD ? "loading the image" :
                           j->kind == IMAGE_JOB_LIST ? "listing the images" : "deleting the image";
        const char *msg = j->error ?: strerror(-j->r);

        switch (j->r) {
        case -EBADMSG:
                return sd_bus_error_setf(e, BUS_ERROR_INVALID_IMAGE, "the archive is not a valid image: %s", msg);
        case -ENOTCONN:
        case -ECONNREFUSED:
        case -ECONNRESET:
                return sd_bus_error_setf(e, BUS_ERROR_CONTAINERD_UNAVAILABLE, "%s in realm \"%s\": containerd is unavailable: %s",
                                         what, j->realm, msg);
        case -ENOENT:
                if (j->kind == IMAGE_JOB_DELETE)
                        return sd_bus_error_setf(e, BUS_ERROR_NO_SUCH_IMAGE, "image %s does not exist in realm \"%s\"",
                                                 j->reference, j->realm);
                break;
        default:
                break;
        }
        return sd_bus_error_set_errnof(e, j->r, "%s in realm \"%s\": %s", what, j->realm, msg);
}

static int image_job_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        _cleanup_(image_job_freep) ImageJob *j = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        (void) source;
        (void) fd;
        (void) revents;
        (void) pthread_join(j->thread, NULL);
        j->started = false;

        if (j->r >= 0) {
                if (j->kind == IMAGE_JOB_LOAD)
                        for (size_t i = 0; i < j->n_entries; i++)
                                log_info("Loaded image %s (%s) into realm %s", j->entries[i].name, j->entries[i].digest,
                                         j->realm);
                else if (j->kind == IMAGE_JOB_DELETE)
                        log_info("Deleted image %s from realm %s", j->reference, j->realm);
                r = image_job_reply(j);
        } else {
                (void) image_job_error(j, &e);
                if (j->kind != IMAGE_JOB_LIST)
                        log_warning("%s", e.message);
                r = sd_bus_reply_method_error(j->request, &e);
        }
        if (r < 0)
                log_debug("Cannot reply to %s: %s", sd_bus_message_get_member(j->request), strerror(-r));
        return 0;
}

/* After authorization: the realm, then the thread. */
static int image_continue(sd_bus_message *request, void *userdata, sd_bus_error *error) {
        ImageJob *j = userdata;
        Manager *m = j->manager;
        int r;

        if (!m->running)
                (void) manager_refresh_if_stale(m);
        Resource *realm = manager_find(m, KIND_REALM, j->realm, NULL, NULL);
        if (!realm)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_REALM, "realm \"%s\" does not exist", j->realm);
        const char *ns = ((RealmDoc *) realm->doc)->spec.namespace_;
        if (isempty(ns))
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "realm \"%s\" has no containerd namespace", j->realm);
        if (!(j->ns = strdup(ns)) || asprintf(&j->address, "unix://%s", m->config->containerd_socket) < 0) {
                j->address = NULL;
                return -ENOMEM;
        }
        j->request = sd_bus_message_ref(request);

        /* auth_check frees 'userdata' after we return: hand the thread a job of its own */
        _cleanup_(image_job_freep) ImageJob *t = new0(ImageJob, 1);
        if (!t)
                return -ENOMEM;
        *t = *j;
        *j = (ImageJob) { .archive_fd = -EBADF, .fds = { -EBADF, -EBADF } };

        if (pipe2(t->fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        r = sd_event_add_io(m->event, &t->source, t->fds[0], EPOLLIN, image_job_io, t);
        if (r < 0)
                return r;
        r = -pthread_create(&t->thread, NULL, image_job_run, t);
        if (r < 0)
                return r;
        t->started = true;
        TAKE_PTR(t); /* image_job_io's now */
        return 1;
}

static int image_authorize(sd_bus_message *msg, ImageJob *job, const char *action, sd_bus_error *error) {
        _cleanup_(image_job_freep) ImageJob *j = job;
        static const char *const verbs[] = { [IMAGE_JOB_LOAD] = "load-image", [IMAGE_JOB_LIST] = "list-images",
                                             [IMAGE_JOB_DELETE] = "delete-image" };
        _cleanup_strv_free_ char **details = NULL;

        if (j->kind != IMAGE_JOB_LIST && realm_name_is_system(j->realm))
                action = ACTION_MANAGE_SYSTEM;
        if (strv_extend(&details, "realm") < 0 || strv_extend(&details, j->realm) < 0 ||
            (j->reference && (strv_extend(&details, "image") < 0 || strv_extend(&details, j->reference) < 0)) ||
            strv_extend(&details, "verb") < 0 || strv_extend(&details, verbs[j->kind]) < 0)
                return -ENOMEM;
        Manager *m = j->manager; /* before TAKE_PTR(j): arguments are evaluated in no set order */
        return auth_check(m, msg, action, details, image_continue, TAKE_PTR(j), image_job_destroy, error);
}

static int check_flags(uint64_t flags, sd_bus_error *error) {
        /* the Manager's flags mean nothing here, but are no error (docs/dbus-api.md "Flags") */
        if (flags & ~FLAGS_ALL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown flags 0x%" PRIx64 " (known: 0x%" PRIx64 ")",
                                         flags & ~FLAGS_ALL, FLAGS_ALL);
        return 0;
}

int image_method_load(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm;
        uint64_t flags;
        struct stat st;
        int fd, r;

        r = sd_bus_message_read(msg, "sht", &realm, &fd, &flags);
        if (r < 0)
                return r;
        r = bus_check_name(KIND_REALM, realm, error);
        if (r < 0)
                return r;
        r = check_flags(flags, error);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "the archive is a directory, not an image tarball");
        int flags_fd = fcntl(fd, F_GETFL);
        if (flags_fd < 0)
                return -errno;
        if ((flags_fd & O_ACCMODE) == O_WRONLY)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "the archive was not opened for reading");

        _cleanup_(image_job_freep) ImageJob *j = image_job_new(IMAGE_JOB_LOAD, userdata, realm);
        if (!j)
                return -ENOMEM;
        /* our own copy, blocking: the thread reads it through */
        j->archive_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (j->archive_fd < 0)
                return -errno;
        if ((flags_fd & O_NONBLOCK) && fcntl(j->archive_fd, F_SETFL, flags_fd & ~O_NONBLOCK) < 0)
                return -errno;
        return image_authorize(msg, TAKE_PTR(j), ACTION_MANAGE_IMAGES, error);
}

int image_method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm;
        int r = sd_bus_message_read(msg, "s", &realm);
        if (r < 0)
                return r;
        r = bus_check_name(KIND_REALM, realm, error);
        if (r < 0)
                return r;
        ImageJob *j = image_job_new(IMAGE_JOB_LIST, userdata, realm);
        if (!j)
                return -ENOMEM;
        return image_authorize(msg, j, ACTION_INSPECT, error);
}

int image_method_delete(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *reference;
        uint64_t flags;
        int r = sd_bus_message_read(msg, "sst", &realm, &reference, &flags);
        if (r < 0)
                return r;
        r = bus_check_name(KIND_REALM, realm, error);
        if (r < 0)
                return r;
        r = check_flags(flags, error);
        if (r < 0)
                return r;
        _cleanup_(image_job_freep) ImageJob *j = image_job_new(IMAGE_JOB_DELETE, userdata, realm);
        if (!j)
                return -ENOMEM;
        r = image_reference_normalize(reference, &j->reference);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "\"%s\" is not a valid image reference", reference);
        return image_authorize(msg, TAKE_PTR(j), ACTION_MANAGE_IMAGES, error);
}

/* ---- a realm's images, when the realm goes ---- */

/* Step data: the namespace. containerd refuses to delete a namespace that still holds an
 * image, so a realm's delete (and purge) takes its images first; the last delete waits for
 * containerd's garbage collection, which takes the blobs and snapshots they alone held. Runs
 * on the loop: deletes are metadata operations, a few milliseconds each. */
int image_call_remove_all(Operation *op, Step *s, sd_bus_error *error) {
        Manager *m = op->manager;
        const char *ns = s->data;
        _cleanup_(containerd_client_freep) ContainerdClient *c = NULL;
        _cleanup_(containerd_image_array_freep) ContainerdImage **images = NULL;
        _cleanup_free_ char *address = NULL;
        int r;

        if (asprintf(&address, "unix://%s", m->config->containerd_socket) < 0)
                return -ENOMEM;
        r = containerd_client_new(NULL, address, &c);
        if (r >= 0)
                r = containerd_client_wait_connected(c, IMAGE_JOB_CONNECT_USEC);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_CONTAINERD_UNAVAILABLE,
                                         "cannot reach containerd to remove the images of namespace %s: %s", ns,
                                         strerror(-r));
        r = containerd_image_list_sync(c, ns, NULL, &images);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot list the images of namespace %s: %s", ns,
                                         containerd_client_last_error(c) ?: strerror(-r));
        for (ContainerdImage **i = images; i && *i; i++) {
                r = containerd_image_delete_sync(c, ns, (*i)->name, !i[1]);
                if (r < 0 && r != -ENOENT)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot delete image %s of namespace %s: %s",
                                                 (*i)->name, ns, containerd_client_last_error(c) ?: strerror(-r));
                if (r >= 0 && op->kind == OPERATION_PURGE)
                        (void) strv_extendf(&op->removed, "image %s", (*i)->name);
        }
        if (images && images[0])
                log_debug("Deleted the images of namespace %s.", ns);
        return 0;
}
