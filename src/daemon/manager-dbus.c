/* SPDX-License-Identifier: Apache-2.0 */
/* org.kukeon1.Manager at /org/kukeon1 (docs/dbus-api.md): arguments are checked here —
 * names, flags, manifests — before anyone is asked for authorization; then polkit; then the
 * reads answer at once and the changes go to the operation queue. */
#include "manager-dbus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "bus-error.h"
#include "cell.h"
#include "document.h"
#include "image-dbus.h"
#include "log.h"
#include "manifest.h"
#include "name.h"
#include "object-path.h"
#include "operation.h"
#include "resource-dbus.h"
#include "strv.h"

typedef enum Verb {
        VERB_LIST,
        VERB_GET,
        VERB_CREATE,
        VERB_DELETE,
        VERB_PURGE,
        VERB_APPLY,
        VERB_INIT,
} Verb;

static const char *const verb_names[] = {
        [VERB_LIST] = "list",     [VERB_GET] = "get",     [VERB_CREATE] = "create", [VERB_DELETE] = "delete",
        [VERB_PURGE] = "purge",   [VERB_APPLY] = "apply", [VERB_INIT] = "init",
};

typedef struct Call {
        Manager *manager;
        Verb verb;
        Kind kind;
        char *realm, *space, *stack;
        uint64_t flags;
        DocumentList *documents;
} Call;

static void call_free(void *p) {
        Call *c = p;
        if (!c)
                return;
        free(c->realm);
        free(c->space);
        free(c->stack);
        document_list_free(c->documents);
        free(c);
}

/* ---- answers to reads ---- */

static Resource *find_or_error(Manager *m, Kind kind, const char *realm, const char *space, const char *stack,
                               sd_bus_error *error) {
        Resource *r = manager_find(m, KIND_REALM, realm, NULL, NULL);
        if (!r) {
                sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_REALM, "realm \"%s\" does not exist", realm);
                return NULL;
        }
        if (kind == KIND_REALM)
                return r;
        r = manager_find(m, KIND_SPACE, realm, space, NULL);
        if (!r) {
                sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_SPACE, "space \"%s\" does not exist in realm \"%s\"", space, realm);
                return NULL;
        }
        if (kind == KIND_SPACE)
                return r;
        r = manager_find(m, KIND_STACK, realm, space, stack);
        if (!r)
                sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_STACK, "stack \"%s\" does not exist in space \"%s/%s\"", stack,
                                  realm, space);
        return r;
}

static int reply_list(sd_bus_message *request, Manager *m, Call *c, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ Resource **children = NULL;
        Resource *parent = NULL;
        size_t n;
        int r;

        if (c->kind != KIND_REALM) {
                parent = find_or_error(m, c->kind == KIND_SPACE ? KIND_REALM : KIND_SPACE, c->realm, c->space, NULL, error);
                if (!parent)
                        return -ENOENT;
        }
        r = manager_children(m, parent, &children, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(request, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssso)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                Resource *x = children[i];
                r = sd_bus_message_append(reply, "(ssso)", resource_name(x), strempty(resource_state_string(x)),
                                          strempty(*resource_unit_field(x)), x->path);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int reply_get(sd_bus_message *request, Manager *m, Call *c, sd_bus_error *error) {
        _cleanup_free_ char *text = NULL;
        Resource *r = find_or_error(m, c->kind, c->realm, c->space, c->stack, error);
        if (!r)
                return -ENOENT;
        int k = resource_format(r, &text);
        if (k < 0)
                return k;
        return sd_bus_reply_method_return(request, "s", text);
}

/* After authorization. */
static int call_continue(sd_bus_message *request, void *userdata, sd_bus_error *error) {
        Call *c = userdata;
        Manager *m = c->manager;
        Operation *op;
        int r;

        switch (c->verb) {
        case VERB_LIST:
        case VERB_GET:
                /* the run path is the truth: catch up with other writers, unless we are
                 * writing ourselves (our tree is then the newest there is) */
                if (!m->running)
                        (void) manager_refresh_if_stale(m);
                return c->verb == VERB_LIST ? reply_list(request, m, c, error) : reply_get(request, m, c, error);
        default:
                break;
        }

        OperationKind kind = c->verb == VERB_CREATE ? OPERATION_CREATE :
                             c->verb == VERB_DELETE ? OPERATION_DELETE :
                             c->verb == VERB_PURGE  ? OPERATION_PURGE :
                             c->verb == VERB_APPLY  ? OPERATION_APPLY : OPERATION_INIT;
        r = operation_new(m, kind, request, c->flags, &op);
        if (r < 0)
                return r;
        op->target_kind = c->kind;
        op->realm = TAKE_PTR(c->realm);
        op->space = TAKE_PTR(c->space);
        op->stack = TAKE_PTR(c->stack);
        op->documents = TAKE_PTR(c->documents);
        op->plan = kind == OPERATION_CREATE ? plan_create :
                   kind == OPERATION_DELETE ? plan_delete :
                   kind == OPERATION_PURGE  ? plan_purge :
                   kind == OPERATION_APPLY  ? plan_apply : plan_init;
        operation_enqueue(op);
        return 1;
}

static int check_flags(uint64_t flags, uint64_t allowed, sd_bus_error *error) {
        if (flags & ~allowed)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown flags 0x%" PRIx64 " (known: 0x%" PRIx64 ")",
                                         flags & ~allowed, allowed);
        return 0;
}

/* Checks, then authorizes, then continues. */
int manager_dispatch(sd_bus_message *msg, Manager *m, int verb, Kind kind, const char *realm, const char *space,
                     const char *stack, uint64_t flags, sd_bus_error *error) {
        int r;

        /* List* names the parents only */
        bool list = verb == VERB_LIST;
        if (!(list && kind == KIND_REALM) && (r = bus_check_name(KIND_REALM, realm, error)) < 0)
                return r;
        if ((kind == KIND_STACK || (kind == KIND_SPACE && !list)) && (r = bus_check_name(KIND_SPACE, space, error)) < 0)
                return r;
        if (kind == KIND_STACK && !list && (r = bus_check_name(KIND_STACK, stack, error)) < 0)
                return r;
        if (verb == VERB_PURGE)
                flags &= ~FLAG_CASCADE; /* purge always cascades */
        r = check_flags(flags, FLAGS_ALL, error);
        if (r < 0)
                return r;

        const char *action = verb == VERB_LIST || verb == VERB_GET ? ACTION_INSPECT :
                             verb == VERB_PURGE ? ACTION_PURGE : ACTION_MANAGE;
        if (verb != VERB_LIST && verb != VERB_GET && verb != VERB_PURGE && realm && realm_name_is_system(realm))
                action = ACTION_MANAGE_SYSTEM;

        _cleanup_strv_free_ char **details = NULL;
        if ((realm && (strv_extend(&details, "realm") < 0 || strv_extend(&details, realm) < 0)) ||
            (space && (strv_extend(&details, "space") < 0 || strv_extend(&details, space) < 0)) ||
            (stack && (strv_extend(&details, "stack") < 0 || strv_extend(&details, stack) < 0)) ||
            strv_extend(&details, "verb") < 0 || strv_extend(&details, verb_names[verb]) < 0)
                return -ENOMEM;

        Call *c = new0(Call, 1);
        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->verb = verb;
        c->kind = kind;
        c->flags = flags;
        if ((realm && !(c->realm = strdup(realm))) || (space && !(c->space = strdup(space))) ||
            (stack && !(c->stack = strdup(stack)))) {
                call_free(c);
                return -ENOMEM;
        }
        return auth_check(m, msg, action, details, call_continue, c, call_free, error);
}

/* ---- methods ---- */

static int method_ping(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(msg, "");
}

static int method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(msg);
        const char *realm = NULL, *space = NULL;
        int r;
        Kind kind = streq(member, "ListRealms") ? KIND_REALM : streq(member, "ListSpaces") ? KIND_SPACE : KIND_STACK;
        if (kind == KIND_SPACE)
                r = sd_bus_message_read(msg, "s", &realm);
        else if (kind == KIND_STACK)
                r = sd_bus_message_read(msg, "ss", &realm, &space);
        else
                r = 0;
        if (r < 0)
                return r;
        return manager_dispatch(msg, userdata, VERB_LIST, kind, realm, space, NULL, 0, error);
}

static int read_names(sd_bus_message *msg, Kind kind, const char **realm, const char **space, const char **stack) {
        *realm = *space = *stack = NULL;
        return kind == KIND_REALM ? sd_bus_message_read(msg, "s", realm) :
               kind == KIND_SPACE ? sd_bus_message_read(msg, "ss", realm, space) :
                                    sd_bus_message_read(msg, "sss", realm, space, stack);
}

static Kind member_kind(const char *member) {
        size_t n = strlen(member);
        return n >= 5 && streq(member + n - 5, "Realm") ? KIND_REALM : n >= 5 && streq(member + n - 5, "Space") ? KIND_SPACE : KIND_STACK;
}

static int method_get(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *realm, *space, *stack;
        Kind kind = member_kind(sd_bus_message_get_member(msg));
        int r = read_names(msg, kind, &realm, &space, &stack);
        if (r < 0)
                return r;
        return manager_dispatch(msg, userdata, VERB_GET, kind, realm, space, stack, 0, error);
}

static int method_change(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *member = sd_bus_message_get_member(msg);
        const char *realm, *space, *stack;
        uint64_t flags;
        Kind kind = member_kind(member);
        Verb verb = strncmp(member, "Create", 6) == 0 ? VERB_CREATE : strncmp(member, "Delete", 6) == 0 ? VERB_DELETE : VERB_PURGE;
        int r = read_names(msg, kind, &realm, &space, &stack);
        if (r < 0)
                return r;
        r = sd_bus_message_read(msg, "t", &flags);
        if (r < 0)
                return r;
        return manager_dispatch(msg, userdata, verb, kind, realm, space, stack, flags, error);
}

static int method_init(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint64_t flags;
        int r = sd_bus_message_read(msg, "t", &flags);
        if (r < 0)
                return r;
        r = check_flags(flags, FLAGS_ALL, error); /* CASCADE and FORCE mean nothing here */
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **details = strv_copy((char *[]) { (char *) "verb", (char *) "init", NULL });
        Call *c = new0(Call, 1);
        if (!details || !c) {
                free(c);
                return -ENOMEM;
        }
        *c = (Call) { .manager = m, .verb = VERB_INIT, .flags = flags };
        /* init makes the system realm */
        return auth_check(m, msg, ACTION_MANAGE_SYSTEM, details, call_continue, c, call_free, error);
}

static int method_apply(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(document_list_freep) DocumentList *l = NULL;
        const char *text;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(msg, "st", &text, &flags);
        if (r < 0)
                return r;
        r = check_flags(flags, FLAGS_ALL, error); /* CASCADE and FORCE mean nothing here */
        if (r < 0)
                return r;

        r = document_list_parse(text, strlen(text), &l);
        if (r == -EFBIG)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_MANIFEST, "the manifest is larger than %u bytes",
                                         DOCUMENT_STREAM_MAX);
        if (r < 0)
                return r;
        if (l->n_documents == 0)
                return sd_bus_error_set(error, BUS_ERROR_INVALID_MANIFEST, "the manifest has no documents");
        ManifestContext ctx = { .allow_system_realm = false, .namespace_suffix = m->config->namespace_suffix };
        if (document_list_count_errors(l) == 0)
                (void) manifest_check_list(l, &ctx);
        if (document_list_count_errors(l) > 0) {
                /* every problem at once, each naming document, kind, name, line and column */
                size_t size = 0;
                char *buf = NULL;
                FILE *f = open_memstream(&buf, &size);
                if (!f)
                        return -ENOMEM;
                bool first = true;
                for (size_t i = 0; i < l->n_documents; i++) {
                        Document *d = &l->documents[i];
                        if (!d->error)
                                continue;
                        _cleanup_free_ char *desc = document_describe(d);
                        if (desc && strncmp(desc, "document ", 9) != 0)
                                fprintf(f, "%sdocument %u (%s): %s", first ? "" : "\n", d->index, desc, d->error);
                        else
                                fprintf(f, "%sdocument %u: %s", first ? "" : "\n", d->index, d->error);
                        first = false;
                }
                fclose(f);
                r = sd_bus_error_set(error, BUS_ERROR_INVALID_MANIFEST, buf);
                free(buf);
                return r;
        }

        _cleanup_strv_free_ char **details = strv_copy((char *[]) { (char *) "verb", (char *) "apply", NULL });
        Call *c = new0(Call, 1);
        if (!details || !c) {
                free(c);
                return -ENOMEM;
        }
        *c = (Call) { .manager = m, .verb = VERB_APPLY, .flags = flags, .documents = TAKE_PTR(l) };
        return auth_check(m, msg, ACTION_MANAGE, details, call_continue, c, call_free, error);
}

static int property_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", KUKEON_VERSION);
}

static int property_run_path(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", store_run_path(m->store));
}

static int property_containerd_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s",
                                     containerd_client_get_state(m->containerd) == CONTAINERD_STATE_CONNECTED ? "connected" :
                                                                                                                "disconnected");
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("RunPath", "s", property_run_path, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ContainerdState", "s", property_containerd_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Ping", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_ping, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Init", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("a(sss)", resources), method_init,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("s", manifest, "t", flags), SD_BUS_RESULT("a(sssso)", documents),
                                method_apply, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListRealms", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ssso)", realms), method_list,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListSpaces", SD_BUS_ARGS("s", realm), SD_BUS_RESULT("a(ssso)", spaces), method_list,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListStacks", SD_BUS_ARGS("s", realm, "s", space), SD_BUS_RESULT("a(ssso)", stacks),
                                method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetRealm", SD_BUS_ARGS("s", realm), SD_BUS_RESULT("s", manifest), method_get,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetSpace", SD_BUS_ARGS("s", realm, "s", space), SD_BUS_RESULT("s", manifest), method_get,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetStack", SD_BUS_ARGS("s", realm, "s", space, "s", stack), SD_BUS_RESULT("s", manifest),
                                method_get, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CreateRealm", SD_BUS_ARGS("s", realm, "t", flags), SD_BUS_RESULT("o", path), method_change,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CreateSpace", SD_BUS_ARGS("s", realm, "s", space, "t", flags), SD_BUS_RESULT("o", path),
                                method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CreateStack", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "t", flags),
                                SD_BUS_RESULT("o", path), method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DeleteRealm", SD_BUS_ARGS("s", realm, "t", flags), SD_BUS_NO_RESULT, method_change,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DeleteSpace", SD_BUS_ARGS("s", realm, "s", space, "t", flags), SD_BUS_NO_RESULT,
                                method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("DeleteStack", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "t", flags),
                                SD_BUS_NO_RESULT, method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PurgeRealm", SD_BUS_ARGS("s", realm, "t", flags), SD_BUS_RESULT("as", removed),
                                method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PurgeSpace", SD_BUS_ARGS("s", realm, "s", space, "t", flags),
                                SD_BUS_RESULT("as", removed), method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PurgeStack", SD_BUS_ARGS("s", realm, "s", space, "s", stack, "t", flags),
                                SD_BUS_RESULT("as", removed), method_change, SD_BUS_VTABLE_UNPRIVILEGED),
        CELL_MANAGER_METHODS,
        IMAGE_MANAGER_METHODS,
        SD_BUS_VTABLE_END,
};

int manager_add_bus_objects(Manager *m, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, OBJECT_PATH_ROOT, "org.kukeon1.Manager", manager_vtable, m);
        if (r < 0)
                return r;
        r = sd_bus_add_object_manager(bus, NULL, OBJECT_PATH_ROOT);
        if (r < 0)
                return r;
        r = resource_add_bus_objects(m, bus);
        if (r < 0)
                return r;
        return cell_add_bus_objects(m, bus);
}

/* The object's own Delete/Purge/GetManifest: the Manager's twins with its names. */
int manager_dispatch_resource(sd_bus_message *msg, Resource *res, const char *member, uint64_t flags, sd_bus_error *error) {
        Verb verb = streq(member, "Delete") ? VERB_DELETE : streq(member, "Purge") ? VERB_PURGE : VERB_GET;
        return manager_dispatch(msg, res->manager, verb, res->kind, res->realm, res->space, res->stack, flags, error);
}
