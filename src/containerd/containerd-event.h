/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd's event stream (Events/Subscribe): one stream, filtered, with the task events
 * decoded from the envelope's Any. The stream ends when containerd goes away; subscribe
 * again on CONTAINERD_STATE_CONNECTED (and reconcile: events in between are lost). */

#include "containerd-client.h"

typedef enum ContainerdEventType {
        CONTAINERD_EVENT_OTHER,        /* topic and namespace only */
        CONTAINERD_EVENT_TASK_CREATE,
        CONTAINERD_EVENT_TASK_START,
        CONTAINERD_EVENT_TASK_EXIT,
        CONTAINERD_EVENT_TASK_DELETE,
        CONTAINERD_EVENT_TASK_OOM,
        CONTAINERD_EVENT_TASK_PAUSED,
        CONTAINERD_EVENT_TASK_RESUMED,
        CONTAINERD_EVENT_TASK_EXEC_ADDED,
        CONTAINERD_EVENT_TASK_EXEC_STARTED,
        _CONTAINERD_EVENT_TYPE_MAX,
} ContainerdEventType;

typedef struct ContainerdEvent {
        ContainerdEventType type;
        const char *topic;        /* "/tasks/exit" */
        const char *namespace_;
        const char *type_url;     /* "containerd.events.TaskExit" */
        uint64_t timestamp_usec;
        /* task events */
        const char *container_id;
        const char *exec_id;      /* TaskExit/TaskDelete: the process id (== container id for
                                   * init), exec events: the exec id; else NULL */
        uint32_t pid;
        uint32_t exit_status;
        uint64_t exited_usec;
} ContainerdEvent;

const char *containerd_event_type_to_string(ContainerdEventType t);

typedef struct ContainerdSubscription ContainerdSubscription;

/* 'event' is borrowed for the call. Return < 0 to end the subscription. */
typedef int (*ContainerdEventHandler)(ContainerdClient *c, const ContainerdEvent *event, void *userdata);

/* 'filters': e.g. "topic~=\"/tasks/\"", "namespace==kukeon-main"; NULL for every event of every
 * namespace. 'on_end' (reply NULL) runs once when the stream ends: containerd went away
 * (-ENOTCONN), containerd_subscription_cancel() (-ECANCELED), or an event handler's error.
 * '*ret' stays valid until on_end returns. */
int containerd_subscribe(ContainerdClient *c, char *const *filters, ContainerdEventHandler on_event, ContainerdHandler on_end,
                         void *userdata, ContainerdSubscription **ret);
void containerd_subscription_cancel(ContainerdSubscription *s);

/* Decode an envelope payload (type URL + bytes); exposed for the unit tests. -EOPNOTSUPP for
 * other types (the event is then CONTAINERD_EVENT_OTHER). Strings point into 'storage', which
 * the caller frees with containerd_event_storage_free(). */
int containerd_event_decode(const char *type_url, const void *data, size_t size, ContainerdEvent *event, void **storage);
void containerd_event_storage_free(void *storage);
