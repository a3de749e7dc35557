/* SPDX-License-Identifier: Apache-2.0 */

#include "api_events_task.pb-c.h"
#include "api_services_events_v1_events.pb-c.h"
#include "containerd-event.h"
#include "containerd-internal.h"
#include "strv.h"

static const char *const event_type_table[_CONTAINERD_EVENT_TYPE_MAX] = {
        [CONTAINERD_EVENT_OTHER] = "other",
        [CONTAINERD_EVENT_TASK_CREATE] = "task-create",
        [CONTAINERD_EVENT_TASK_START] = "task-start",
        [CONTAINERD_EVENT_TASK_EXIT] = "task-exit",
        [CONTAINERD_EVENT_TASK_DELETE] = "task-delete",
        [CONTAINERD_EVENT_TASK_OOM] = "task-oom",
        [CONTAINERD_EVENT_TASK_PAUSED] = "task-paused",
        [CONTAINERD_EVENT_TASK_RESUMED] = "task-resumed",
        [CONTAINERD_EVENT_TASK_EXEC_ADDED] = "task-exec-added",
        [CONTAINERD_EVENT_TASK_EXEC_STARTED] = "task-exec-started",
};

const char *containerd_event_type_to_string(ContainerdEventType t) {
        if (t < 0 || t >= _CONTAINERD_EVENT_TYPE_MAX)
                return NULL;
        return event_type_table[t];
}

static const struct {
        const char *name;
        ContainerdEventType type;
        const ProtobufCMessageDescriptor *descriptor;
} event_types[] = {
        { "containerd.events.TaskCreate", CONTAINERD_EVENT_TASK_CREATE, &containerd__events__task_create__descriptor },
        { "containerd.events.TaskStart", CONTAINERD_EVENT_TASK_START, &containerd__events__task_start__descriptor },
        { "containerd.events.TaskExit", CONTAINERD_EVENT_TASK_EXIT, &containerd__events__task_exit__descriptor },
        { "containerd.events.TaskDelete", CONTAINERD_EVENT_TASK_DELETE, &containerd__events__task_delete__descriptor },
        { "containerd.events.TaskOOM", CONTAINERD_EVENT_TASK_OOM, &containerd__events__task_oom__descriptor },
        { "containerd.events.TaskPaused", CONTAINERD_EVENT_TASK_PAUSED, &containerd__events__task_paused__descriptor },
        { "containerd.events.TaskResumed", CONTAINERD_EVENT_TASK_RESUMED, &containerd__events__task_resumed__descriptor },
        { "containerd.events.TaskExecAdded", CONTAINERD_EVENT_TASK_EXEC_ADDED, &containerd__events__task_exec_added__descriptor },
        { "containerd.events.TaskExecStarted", CONTAINERD_EVENT_TASK_EXEC_STARTED, &containerd__events__task_exec_started__descriptor },
};

static const char *nonempty(const char *s) {
        return isempty(s) ? NULL : s;
}

int containerd_event_decode(const char *type_url, const void *data, size_t size, ContainerdEvent *e, void **storage) {
        const char *name;
        ProtobufCMessage *m = NULL;
        size_t i;

        *storage = NULL;
        e->type = CONTAINERD_EVENT_OTHER;
        e->type_url = type_url;
        if (!type_url)
                return -EOPNOTSUPP;

        /* "containerd.events.TaskExit", possibly behind a "host/" prefix */
        name = strrchr(type_url, '/');
        name = name ? name + 1 : type_url;
        for (i = 0; i < ELEMENTSOF(event_types); i++)
                if (streq(name, event_types[i].name))
                        break;
        if (i >= ELEMENTSOF(event_types))
                return -EOPNOTSUPP;

        m = protobuf_c_message_unpack(event_types[i].descriptor, NULL, size, data);
        if (!m)
                return -EBADMSG;
        e->type = event_types[i].type;

        switch (e->type) {
        case CONTAINERD_EVENT_TASK_CREATE: {
                const Containerd__Events__TaskCreate *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                e->pid = t->pid;
                break;
        }
        case CONTAINERD_EVENT_TASK_START: {
                const Containerd__Events__TaskStart *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                e->pid = t->pid;
                break;
        }
        case CONTAINERD_EVENT_TASK_EXIT: {
                const Containerd__Events__TaskExit *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                e->exec_id = nonempty(t->id);
                e->pid = t->pid;
                e->exit_status = t->exit_status;
                e->exited_usec = containerd_timestamp_usec(t->exited_at);
                break;
        }
        case CONTAINERD_EVENT_TASK_DELETE: {
                const Containerd__Events__TaskDelete *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                e->exec_id = nonempty(t->id);
                e->pid = t->pid;
                e->exit_status = t->exit_status;
                e->exited_usec = containerd_timestamp_usec(t->exited_at);
                break;
        }
        case CONTAINERD_EVENT_TASK_OOM: {
                const Containerd__Events__TaskOOM *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                break;
        }
        case CONTAINERD_EVENT_TASK_PAUSED: {
                const Containerd__Events__TaskPaused *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                break;
        }
        case CONTAINERD_EVENT_TASK_RESUMED: {
                const Containerd__Events__TaskResumed *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                break;
        }
        case CONTAINERD_EVENT_TASK_EXEC_ADDED: {
                const Containerd__Events__TaskExecAdded *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                e->exec_id = nonempty(t->exec_id);
                break;
        }
        case CONTAINERD_EVENT_TASK_EXEC_STARTED: {
                const Containerd__Events__TaskExecStarted *t = (const void *) m;
                e->container_id = nonempty(t->container_id);
                e->exec_id = nonempty(t->exec_id);
                e->pid = t->pid;
                break;
        }
        default:
                break;
        }
        *storage = m;
        return 0;
}

void containerd_event_storage_free(void *storage) {
        if (storage)
                protobuf_c_message_free_unpacked(storage, NULL);
}

struct ContainerdSubscription {
        ContainerdStream *stream;
        ContainerdEventHandler on_event;
        ContainerdHandler on_end;
        void *userdata;
};

static int subscribe_on_message(ContainerdStream *s, const ProtobufCMessage *m, void *userdata) {
        const Containerd__Services__Events__V1__Envelope *env = (const void *) m;
        ContainerdSubscription *sub = userdata;
        ContainerdEvent e = {};
        void *storage = NULL;
        int r;

        if (env->event)
                (void) containerd_event_decode(env->event->type_url, env->event->value.data, env->event->value.len, &e, &storage);
        e.topic = strempty(env->topic);
        e.namespace_ = strempty(env->namespace_);
        e.timestamp_usec = containerd_timestamp_usec(env->timestamp);
        r = sub->on_event(containerd_stream_get_client(s), &e, sub->userdata);
        containerd_event_storage_free(storage);
        return r;
}

static void subscribe_on_end(ContainerdStream *s, int error, const char *message, void *userdata) {
        ContainerdSubscription *sub = userdata;
        ContainerdHandler h = sub->on_end;
        void *ud = sub->userdata;

        sub->stream = NULL;
        if (error == 0)
                error = -ENOTCONN; /* containerd never ends a subscription by itself */
        h(containerd_stream_get_client(s), error, message, NULL, ud);
        free(sub);
}

static void subscribe_on_release(void *userdata) {
        free(userdata);
}

static const ContainerdStreamOps subscribe_ops = {
        .on_release = subscribe_on_release,
        .path = "/containerd.services.events.v1.Events/Subscribe",
        .message_type = &containerd__services__events__v1__envelope__descriptor,
        .on_message = subscribe_on_message,
        .on_end = subscribe_on_end,
};

int containerd_subscribe(ContainerdClient *c, char *const *filters, ContainerdEventHandler on_event, ContainerdHandler on_end,
                         void *userdata, ContainerdSubscription **ret) {
        Containerd__Services__Events__V1__SubscribeRequest req = CONTAINERD__SERVICES__EVENTS__V1__SUBSCRIBE_REQUEST__INIT;
        ContainerdSubscription *sub;
        int r;

        if (!c || !on_event || !on_end)
                return -EINVAL;
        sub = new0(ContainerdSubscription, 1);
        if (!sub)
                return -ENOMEM;
        *sub = (ContainerdSubscription) { .on_event = on_event, .on_end = on_end, .userdata = userdata };
        req.n_filters = strv_length(filters);
        req.filters = (char **) filters;
        r = containerd_stream_start(c, NULL, &subscribe_ops, &req.base, true, 0, sub, &sub->stream);
        if (r < 0) {
                free(sub);
                return r;
        }
        if (ret)
                *ret = sub;
        return 0;
}

void containerd_subscription_cancel(ContainerdSubscription *s) {
        if (s && s->stream)
                containerd_stream_cancel(s->stream, -ECANCELED);
}
