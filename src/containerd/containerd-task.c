/* SPDX-License-Identifier: Apache-2.0 */

#include "api_services_tasks_v1_tasks.pb-c.h"
#include "containerd-internal.h"
#include "containerd-task.h"

#define SERVICE "/containerd.services.tasks.v1.Tasks/"

static const char *const status_table[_CONTAINERD_TASK_STATUS_MAX] = {
        [CONTAINERD_TASK_UNKNOWN] = "unknown",
        [CONTAINERD_TASK_CREATED] = "created",
        [CONTAINERD_TASK_RUNNING] = "running",
        [CONTAINERD_TASK_STOPPED] = "stopped",
        [CONTAINERD_TASK_PAUSED] = "paused",
        [CONTAINERD_TASK_PAUSING] = "pausing",
};

const char *containerd_task_status_to_string(ContainerdTaskStatus s) {
        if (s < 0 || s >= _CONTAINERD_TASK_STATUS_MAX)
                return NULL;
        return status_table[s];
}

ContainerdProcess *containerd_process_free(ContainerdProcess *p) {
        if (!p)
                return NULL;
        free(p->container_id);
        free(p->exec_id);
        return mfree(p);
}

ContainerdProcess **containerd_process_array_free(ContainerdProcess **l) {
        if (!l)
                return NULL;
        for (ContainerdProcess **i = l; *i; i++)
                containerd_process_free(*i);
        return mfree(l);
}

ContainerdPids *containerd_pids_free(ContainerdPids *p) {
        if (!p)
                return NULL;
        free(p->pids);
        return mfree(p);
}

static int process_new(const char *container_id, const char *exec_id, uint32_t pid, ContainerdProcess **ret) {
        _cleanup_(containerd_process_freep) ContainerdProcess *p = new0(ContainerdProcess, 1);

        if (!p)
                return -ENOMEM;
        if (containerd_strdup_or_null(container_id, &p->container_id) < 0 ||
            containerd_strdup_or_null(exec_id, &p->exec_id) < 0)
                return -ENOMEM;
        p->pid = pid;
        *ret = TAKE_PTR(p);
        return 0;
}

static int process_from_pb(const Containerd__V1__Types__Process *pp, ContainerdProcess **ret) {
        ContainerdProcess *p;
        int r;

        if (!pp)
                return -EBADMSG;
        r = process_new(pp->container_id, pp->id, pp->pid, &p);
        if (r < 0)
                return r;
        p->status = (int) pp->status >= 0 && (int) pp->status < (int) _CONTAINERD_TASK_STATUS_MAX ? (ContainerdTaskStatus) pp->status : CONTAINERD_TASK_UNKNOWN;
        p->exit_status = pp->exit_status;
        p->exited_usec = containerd_timestamp_usec(pp->exited_at);
        *ret = p;
        return 0;
}

static int convert_create(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Tasks__V1__CreateTaskResponse *r = (const void *) m;
        ContainerdProcess *p;
        int k = process_new(r->container_id, NULL, r->pid, &p);
        if (k < 0)
                return k;
        p->status = CONTAINERD_TASK_CREATED;
        *ret = p;
        return 0;
}

static int convert_start(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Tasks__V1__StartResponse *r = (const void *) m;
        ContainerdProcess *p;
        int k = process_new(NULL, NULL, r->pid, &p);
        if (k < 0)
                return k;
        p->status = CONTAINERD_TASK_RUNNING;
        *ret = p;
        return 0;
}

static int convert_delete(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Tasks__V1__DeleteResponse *r = (const void *) m;
        ContainerdProcess *p;
        int k = process_new(r->id, NULL, r->pid, &p);
        if (k < 0)
                return k;
        p->status = CONTAINERD_TASK_STOPPED;
        p->exit_status = r->exit_status;
        p->exited_usec = containerd_timestamp_usec(r->exited_at);
        *ret = p;
        return 0;
}

static int convert_get(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Tasks__V1__GetResponse *r = (const void *) m;
        return process_from_pb(r->process, (ContainerdProcess **) ret);
}

static int convert_list(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Tasks__V1__ListTasksResponse *r = (const void *) m;
        _cleanup_(containerd_process_array_freep) ContainerdProcess **l = new0(ContainerdProcess *, r->n_tasks + 1);
        int k;

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_tasks; i++) {
                k = process_from_pb(r->tasks[i], &l[i]);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int convert_pids(const ProtobufCMessage *m, void **ret) {
        const Containerd__Services__Tasks__V1__ListPidsResponse *r = (const void *) m;
        _cleanup_(containerd_pids_freep) ContainerdPids *p = new0(ContainerdPids, 1);

        if (!p)
                return -ENOMEM;
        p->pids = new0(uint32_t, r->n_processes);
        if (!p->pids)
                return -ENOMEM;
        for (size_t i = 0; i < r->n_processes; i++)
                p->pids[i] = r->processes[i]->pid;
        p->n = r->n_processes;
        *ret = TAKE_PTR(p);
        return 0;
}

static const ContainerdMethod method_create = { SERVICE "Create", &containerd__services__tasks__v1__create_task_response__descriptor, convert_create };
static const ContainerdMethod method_start = { SERVICE "Start", &containerd__services__tasks__v1__start_response__descriptor, convert_start };
static const ContainerdMethod method_delete = { SERVICE "Delete", &containerd__services__tasks__v1__delete_response__descriptor, convert_delete };
static const ContainerdMethod method_delete_process = { SERVICE "DeleteProcess", &containerd__services__tasks__v1__delete_response__descriptor, convert_delete };
static const ContainerdMethod method_get = { SERVICE "Get", &containerd__services__tasks__v1__get_response__descriptor, convert_get };
static const ContainerdMethod method_list = { SERVICE "List", &containerd__services__tasks__v1__list_tasks_response__descriptor, convert_list };
static const ContainerdMethod method_pids = { SERVICE "ListPids", &containerd__services__tasks__v1__list_pids_response__descriptor, convert_pids };
static const ContainerdMethod method_kill = { SERVICE "Kill", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_exec = { SERVICE "Exec", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_pause = { SERVICE "Pause", &google__protobuf__empty__descriptor, NULL };
static const ContainerdMethod method_resume = { SERVICE "Resume", &google__protobuf__empty__descriptor, NULL };

/* containerd 1.6's runc shim dereferences a nil pipe (and dies, taking the task with it) when
 * stdout is a file:// or binary:// URI and stderr is empty, or the other way round. */
static bool stdio_is_safe(const char *out, const char *err) {
        bool out_uri = out && strstr(out, "://"), err_uri = err && strstr(err, "://");

        if (out_uri && isempty(err))
                return false;
        if (err_uri && isempty(out))
                return false;
        return true;
}

static void take_pid(ContainerdProcess *p, uint32_t *ret_pid) {
        if (ret_pid)
                *ret_pid = p ? p->pid : 0;
        containerd_process_free(p);
}

int containerd_task_create(ContainerdClient *c, const char *ns, const ContainerdTaskConfig *config, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__CreateTaskRequest req = CONTAINERD__SERVICES__TASKS__V1__CREATE_TASK_REQUEST__INIT;
        void **mounts = NULL;
        int r;

        if (!config || isempty(config->container_id))
                return -EINVAL;
        if (!stdio_is_safe(config->stdout_path, config->stderr_path))
                return -EINVAL;
        req.container_id = (char *) config->container_id;
        r = containerd_mounts_to_pb(config->rootfs, &req.n_rootfs, &mounts);
        if (r < 0)
                return r;
        req.rootfs = (Containerd__Types__Mount **) mounts;
        if (config->stdin_path)
                req.stdin = (char *) config->stdin_path;
        if (config->stdout_path)
                req.stdout = (char *) config->stdout_path;
        if (config->stderr_path)
                req.stderr = (char *) config->stderr_path;
        req.terminal = config->terminal;
        r = containerd_unary(c, ns, &method_create, &req.base, h, userdata);
        containerd_pb_mounts_free(req.n_rootfs, mounts);
        return r;
}

int containerd_task_create_sync(ContainerdClient *c, const char *ns, const ContainerdTaskConfig *config, uint32_t *ret_pid) {
        ContainerdProcess *p = NULL;
        int r = RUN_SYNC(c, containerd_process_free, &p, containerd_task_create, c, ns, config);
        take_pid(p, ret_pid);
        return r;
}

int containerd_task_start(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__StartRequest req = CONTAINERD__SERVICES__TASKS__V1__START_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.container_id = (char *) id;
        if (exec_id)
                req.exec_id = (char *) exec_id;
        return containerd_unary(c, ns, &method_start, &req.base, h, userdata);
}

int containerd_task_start_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, uint32_t *ret_pid) {
        ContainerdProcess *p = NULL;
        int r = RUN_SYNC(c, containerd_process_free, &p, containerd_task_start, c, ns, id, exec_id);
        take_pid(p, ret_pid);
        return r;
}

int containerd_task_kill(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, int signal, bool all, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__KillRequest req = CONTAINERD__SERVICES__TASKS__V1__KILL_REQUEST__INIT;

        if (isempty(id) || signal <= 0 || signal > 64)
                return -EINVAL;
        req.container_id = (char *) id;
        if (exec_id)
                req.exec_id = (char *) exec_id;
        req.signal = (uint32_t) signal;
        req.all = all;
        return containerd_unary(c, ns, &method_kill, &req.base, h, userdata);
}

int containerd_task_kill_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, int signal, bool all) {
        return RUN_SYNC(c, NULL, NULL, containerd_task_kill, c, ns, id, exec_id, signal, all);
}

int containerd_task_delete(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdHandler h, void *userdata) {
        if (isempty(id))
                return -EINVAL;
        if (exec_id) {
                Containerd__Services__Tasks__V1__DeleteProcessRequest req = CONTAINERD__SERVICES__TASKS__V1__DELETE_PROCESS_REQUEST__INIT;
                req.container_id = (char *) id;
                req.exec_id = (char *) exec_id;
                return containerd_unary(c, ns, &method_delete_process, &req.base, h, userdata);
        }
        Containerd__Services__Tasks__V1__DeleteTaskRequest req = CONTAINERD__SERVICES__TASKS__V1__DELETE_TASK_REQUEST__INIT;
        req.container_id = (char *) id;
        return containerd_unary(c, ns, &method_delete, &req.base, h, userdata);
}

int containerd_task_delete_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdProcess **ret) {
        return RUN_SYNC(c, containerd_process_free, ret, containerd_task_delete, c, ns, id, exec_id);
}

int containerd_task_pause(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__PauseTaskRequest req = CONTAINERD__SERVICES__TASKS__V1__PAUSE_TASK_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.container_id = (char *) id;
        return containerd_unary(c, ns, &method_pause, &req.base, h, userdata);
}

int containerd_task_pause_sync(ContainerdClient *c, const char *ns, const char *id) {
        return RUN_SYNC(c, NULL, NULL, containerd_task_pause, c, ns, id);
}

int containerd_task_resume(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__ResumeTaskRequest req = CONTAINERD__SERVICES__TASKS__V1__RESUME_TASK_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.container_id = (char *) id;
        return containerd_unary(c, ns, &method_resume, &req.base, h, userdata);
}

int containerd_task_resume_sync(ContainerdClient *c, const char *ns, const char *id) {
        return RUN_SYNC(c, NULL, NULL, containerd_task_resume, c, ns, id);
}

int containerd_task_get(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__GetRequest req = CONTAINERD__SERVICES__TASKS__V1__GET_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.container_id = (char *) id;
        if (exec_id)
                req.exec_id = (char *) exec_id;
        return containerd_unary(c, ns, &method_get, &req.base, h, userdata);
}

int containerd_task_get_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, ContainerdProcess **ret) {
        return RUN_SYNC(c, containerd_process_free, ret, containerd_task_get, c, ns, id, exec_id);
}

int containerd_task_list(ContainerdClient *c, const char *ns, const char *filter, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__ListTasksRequest req = CONTAINERD__SERVICES__TASKS__V1__LIST_TASKS_REQUEST__INIT;

        if (filter)
                req.filter = (char *) filter;
        return containerd_unary(c, ns, &method_list, &req.base, h, userdata);
}

int containerd_task_list_sync(ContainerdClient *c, const char *ns, const char *filter, ContainerdProcess ***ret) {
        return RUN_SYNC(c, containerd_process_array_free, ret, containerd_task_list, c, ns, filter);
}

int containerd_task_pids(ContainerdClient *c, const char *ns, const char *id, ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__ListPidsRequest req = CONTAINERD__SERVICES__TASKS__V1__LIST_PIDS_REQUEST__INIT;

        if (isempty(id))
                return -EINVAL;
        req.container_id = (char *) id;
        return containerd_unary(c, ns, &method_pids, &req.base, h, userdata);
}

int containerd_task_pids_sync(ContainerdClient *c, const char *ns, const char *id, ContainerdPids **ret) {
        return RUN_SYNC(c, containerd_pids_free, ret, containerd_task_pids, c, ns, id);
}

int containerd_task_exec(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, const char *process_json,
                         const char *stdin_path, const char *stdout_path, const char *stderr_path, bool terminal,
                         ContainerdHandler h, void *userdata) {
        Containerd__Services__Tasks__V1__ExecProcessRequest req = CONTAINERD__SERVICES__TASKS__V1__EXEC_PROCESS_REQUEST__INIT;
        Google__Protobuf__Any spec = GOOGLE__PROTOBUF__ANY__INIT;

        if (isempty(id) || isempty(exec_id) || isempty(process_json))
                return -EINVAL;
        if (!stdio_is_safe(stdout_path, stderr_path))
                return -EINVAL;
        req.container_id = (char *) id;
        req.exec_id = (char *) exec_id;
        spec.type_url = (char *) CONTAINERD_PROCESS_TYPE_URL;
        spec.value.data = (uint8_t *) process_json;
        spec.value.len = strlen(process_json);
        req.spec = &spec;
        if (stdin_path)
                req.stdin = (char *) stdin_path;
        if (stdout_path)
                req.stdout = (char *) stdout_path;
        if (stderr_path)
                req.stderr = (char *) stderr_path;
        req.terminal = terminal;
        return containerd_unary(c, ns, &method_exec, &req.base, h, userdata);
}

int containerd_task_exec_sync(ContainerdClient *c, const char *ns, const char *id, const char *exec_id, const char *process_json,
                              const char *stdin_path, const char *stdout_path, const char *stderr_path, bool terminal) {
        return RUN_SYNC(c, NULL, NULL, containerd_task_exec, c, ns, id, exec_id, process_json, stdin_path, stdout_path, stderr_path, terminal);
}
