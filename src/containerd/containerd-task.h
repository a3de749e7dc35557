/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* containerd tasks (Tasks service): the running side of a container — create (rootfs mounts
 * and stdio), start, kill, delete, pause, resume, list, get, pids, exec. Exits are best
 * learned from the event stream (containerd-event.h), not by polling. */

#include "containerd-client.h"

typedef enum ContainerdTaskStatus {
        CONTAINERD_TASK_UNKNOWN,
        CONTAINERD_TASK_CREATED,
        CONTAINERD_TASK_RUNNING,
        CONTAINERD_TASK_STOPPED,
        CONTAINERD_TASK_PAUSED,
        CONTAINERD_TASK_PAUSING,
        _CONTAINERD_TASK_STATUS_MAX,
} ContainerdTaskStatus;

const char *containerd_task_status_to_string(ContainerdTaskStatus s);

/* what Tasks/Create needs */
typedef struct ContainerdTaskConfig {
        const char *container_id;
        ContainerdMount **rootfs;  /* NULL-terminated; from containerd_snapshot_prepare() */
        /* stdio: a FIFO path, or a URI: "file:///path" (the shim appends to the file),
         * "binary:///path?args" (a logging binary). NULL: /dev/null. A URI for one of
         * stdout/stderr needs the other set too (-EINVAL otherwise): containerd 1.6's shim
         * crashes on a file:// stdout without stderr. */
        const char *stdin_path, *stdout_path, *stderr_path;
        bool terminal;
} ContainerdTaskConfig;

typedef struct ContainerdProcess {
        char *container_id;
        char *exec_id;          /* NULL for the init process */
        uint32_t pid;
        ContainerdTaskStatus status;
        uint32_t exit_status;
        uint64_t exited_usec;   /* 0 while running */
} ContainerdProcess;

ContainerdProcess *containerd_process_free(ContainerdProcess *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdProcess *, containerd_process_free);
ContainerdProcess **containerd_process_array_free(ContainerdProcess **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdProcess **, containerd_process_array_free);

typedef struct ContainerdPids {
        size_t n;
        uint32_t *pids;
} ContainerdPids;

ContainerdPids *containerd_pids_free(ContainerdPids *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdPids *, containerd_pids_free);

/* reply: ContainerdProcess * (pid, status CREATED) */
int containerd_task_create(ContainerdClient *c, const char *ns, const ContainerdTaskConfig *config, ContainerdHandler h, void *userdata);
int containerd_task_create_sync(ContainerdClient *c, const char *ns, const ContainerdTaskConfig *config, uint32_t *ret_pid);

/* 'exec_id' NULL: the init process. reply: ContainerdProcess * (pid) */
int containerd_task_start(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdHandler h, void *userdata);
int containerd_task_start_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, uint32_t *ret_pid);

/* 'all': every process of the task (only with exec_id NULL). */
int containerd_task_kill(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, int signal, bool all, ContainerdHandler h, void *userdata);
int containerd_task_kill_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, int signal, bool all);

/* Delete a stopped task (exec_id NULL) or an exec'd process. reply: ContainerdProcess *
 * (exit status and time) */
int containerd_task_delete(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdHandler h, void *userdata);
int containerd_task_delete_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdProcess **ret);

int containerd_task_pause(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata);
int containerd_task_pause_sync(ContainerdClient *c, const char *ns, const char *id);
int containerd_task_resume(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata);
int containerd_task_resume_sync(ContainerdClient *c, const char *ns, const char *id);

/* reply: ContainerdProcess * */
int containerd_task_get(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdHandler h, void *userdata);
int containerd_task_get_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdProcess **ret);

/* reply: ContainerdProcess ** (NULL-terminated); 'filter' may be NULL */
int containerd_task_list(ContainerdClient *c, const char *ns, const char *filter, ContainerdHandler h, void *userdata);
int containerd_task_list_sync(ContainerdClient *c, const char *ns, const char *filter, ContainerdProcess ***ret);

/* reply: ContainerdPids * */
int containerd_task_pids(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata);
int containerd_task_pids_sync(ContainerdClient *c, const char *ns, const char *id, ContainerdPids **ret);

/* Add process 'exec_id' to the task; 'process_json' is an OCI runtime-spec Process object.
 * Then containerd_task_start(.., exec_id) runs it and containerd_task_delete(.., exec_id)
 * reaps it. */
int containerd_task_exec(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, const char *process_json,
                         const char *stdin_path, const char *stdout_path, const char *stderr_path, bool terminal,
                         ContainerdHandler h, void *userdata);
int containerd_task_exec_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, const char *process_json,
                              const char *stdin_path, const char *stdout_path, const char *stderr_path, bool terminal);
