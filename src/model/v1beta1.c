/* SPDX-License-Identifier: Apache-2.0 */
#include "v1beta1.h"

#include "macro.h"

static const char *const kind_names[_KIND_MAX] = {
        [KIND_REALM] = "Realm",
        [KIND_SPACE] = "Space",
        [KIND_STACK] = "Stack",
        [KIND_CELL] = "Cell",
        [KIND_CONTAINER] = "Container",
        [KIND_CELL_PROFILE] = "CellProfile",
        [KIND_SERVER_CONFIGURATION] = "ServerConfiguration",
        [KIND_CLIENT_CONFIGURATION] = "ClientConfiguration",
};

const char *kind_to_string(Kind k) {
        if (k < 0 || k >= _KIND_MAX)
                return NULL;
        return kind_names[k];
}

Kind kind_from_string(const char *s) {
        if (!s)
                return _KIND_INVALID;
        for (Kind k = 0; k < _KIND_MAX; k++)
                if (streq(kind_names[k], s))
                        return k;
        return _KIND_INVALID;
}

bool kind_is_resource(Kind k) {
        return k >= KIND_REALM && k <= KIND_CONTAINER;
}

/* ---- enums ---- */

static const char *const realm_state_names[] = { "Pending", "Creating", "Ready", "Deleting", "Failed", "Unknown" };
static const char *const space_state_names[] = { "Pending", "Ready", "Failed", "Unknown" };
static const char *const cell_state_names[] = { "Pending", "Ready", "Stopped", "Failed", "Unknown" };
static const char *const container_state_names[] = { "Pending", "Ready", "Stopped", "Paused", "Pausing", "Failed", "Unknown" };

const EnumType realm_state_enum = { realm_state_names, ELEMENTSOF(realm_state_names) };
const EnumType space_state_enum = { space_state_names, ELEMENTSOF(space_state_names) };
const EnumType cell_state_enum = { cell_state_names, ELEMENTSOF(cell_state_names) };
const EnumType container_state_enum = { container_state_names, ELEMENTSOF(container_state_names) };

#define OMIT FIELD_OMITEMPTY

/* ---- shared ---- */

static const Field metadata_fields[] = {
        SCHEMA_FIELD(Metadata, name, "name", FIELD_STRING, 0),
        SCHEMA_FIELD(Metadata, labels, "labels", FIELD_MAP, 0),
        SCHEMA_END,
};
const Schema metadata_schema = { "Metadata", sizeof(Metadata), metadata_fields };

/* Metadata of the local documents (profiles, configurations) omits empty labels. */
static const Field local_metadata_fields[] = {
        SCHEMA_FIELD(Metadata, name, "name", FIELD_STRING, 0),
        SCHEMA_FIELD(Metadata, labels, "labels", FIELD_MAP, OMIT),
        SCHEMA_END,
};
static const Schema local_metadata_schema = { "Metadata", sizeof(Metadata), local_metadata_fields };

/* The lifecycle fields are flattened into each status, as in the original schema. */
#define LIFECYCLE_FIELDS(st)                                                                            \
        SCHEMA_FIELD(st, lifecycle.created_at, "createdAt", FIELD_TIME, OMIT),                           \
        SCHEMA_FIELD(st, lifecycle.updated_at, "updatedAt", FIELD_TIME, OMIT),                           \
        SCHEMA_FIELD(st, lifecycle.ready_at, "readyAt", FIELD_TIME, OMIT),                               \
        SCHEMA_FIELD(st, lifecycle.reason, "reason", FIELD_STRING, OMIT),                                \
        SCHEMA_FIELD(st, lifecycle.message, "message", FIELD_STRING, OMIT),                              \
        SCHEMA_FIELD(st, lifecycle.cgroup_ready, "cgroupReady", FIELD_BOOL, OMIT)

static const Field unit_resources_fields[] = {
        SCHEMA_FIELD(UnitResources, memory_max, "memoryMax", FIELD_OPT_INT, OMIT),
        SCHEMA_FIELD(UnitResources, cpu_weight, "cpuWeight", FIELD_OPT_INT, OMIT),
        SCHEMA_FIELD(UnitResources, tasks_max, "tasksMax", FIELD_OPT_INT, OMIT),
        SCHEMA_FIELD(UnitResources, io_weight, "ioWeight", FIELD_OPT_INT, OMIT),
        SCHEMA_END,
};
static const Schema unit_resources_schema = { "UnitResources", sizeof(UnitResources), unit_resources_fields };

/* ---- Realm ---- */

static const Field registry_credentials_fields[] = {
        SCHEMA_FIELD(RegistryCredentials, username, "username", FIELD_STRING, 0),
        SCHEMA_FIELD(RegistryCredentials, password, "password", FIELD_STRING, 0),
        SCHEMA_FIELD(RegistryCredentials, server_address, "serverAddress", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema registry_credentials_schema = { "RegistryCredentials", sizeof(RegistryCredentials), registry_credentials_fields };

static const Field realm_spec_fields[] = {
        SCHEMA_FIELD(RealmSpec, namespace_, "namespace", FIELD_STRING, 0),
        SCHEMA_LIST(RealmSpec, registry_credentials, n_registry_credentials, "registryCredentials", &registry_credentials_schema, OMIT),
        SCHEMA_OBJECT(RealmSpec, resources, "resources", FIELD_OBJECT_PTR, &unit_resources_schema, OMIT),
        SCHEMA_END,
};
static const Schema realm_spec_schema = { "RealmSpec", sizeof(RealmSpec), realm_spec_fields };

static const Field realm_status_fields[] = {
        SCHEMA_ENUM(RealmStatus, state, "state", &realm_state_enum, 0),
        SCHEMA_FIELD(RealmStatus, cgroup_path, "cgroupPath", FIELD_STRING, OMIT),
        SCHEMA_FIELD(RealmStatus, subtree_controllers, "subtreeControllers", FIELD_STRV, OMIT),
        SCHEMA_FIELD(RealmStatus, unit, "unit", FIELD_STRING, OMIT),
        LIFECYCLE_FIELDS(RealmStatus),
        SCHEMA_FIELD(RealmStatus, containerd_namespace_ready, "containerdNamespaceReady", FIELD_BOOL, OMIT),
        SCHEMA_END,
};
static const Schema realm_status_schema = { "RealmStatus", sizeof(RealmStatus), realm_status_fields };

#define DOC_HEADER_FIELDS(st, meta)                                                             \
        SCHEMA_FIELD(st, api_version, "apiVersion", FIELD_STRING, 0),                           \
        SCHEMA_FIELD(st, kind, "kind", FIELD_STRING, 0),                                        \
        SCHEMA_OBJECT(st, metadata, "metadata", FIELD_OBJECT, &meta, 0)

static const Field realm_doc_fields[] = {
        DOC_HEADER_FIELDS(RealmDoc, metadata_schema),
        SCHEMA_OBJECT(RealmDoc, spec, "spec", FIELD_OBJECT, &realm_spec_schema, 0),
        SCHEMA_OBJECT(RealmDoc, status, "status", FIELD_OBJECT, &realm_status_schema, OMIT),
        SCHEMA_END,
};
const Schema realm_doc_schema = { "Realm", sizeof(RealmDoc), realm_doc_fields };

/* ---- Space ---- */

static const Field egress_allow_rule_fields[] = {
        SCHEMA_FIELD(EgressAllowRule, host, "host", FIELD_STRING, OMIT),
        SCHEMA_FIELD(EgressAllowRule, cidr, "cidr", FIELD_STRING, OMIT),
        SCHEMA_INT_LIST(EgressAllowRule, ports, n_ports, "ports", OMIT),
        SCHEMA_END,
};
static const Schema egress_allow_rule_schema = { "EgressAllowRule", sizeof(EgressAllowRule), egress_allow_rule_fields };

static const Field egress_policy_fields[] = {
        SCHEMA_FIELD(EgressPolicy, default_, "default", FIELD_STRING, 0),
        SCHEMA_LIST(EgressPolicy, allow, n_allow, "allow", &egress_allow_rule_schema, OMIT),
        SCHEMA_END,
};
static const Schema egress_policy_schema = { "EgressPolicy", sizeof(EgressPolicy), egress_policy_fields };

static const Field space_network_fields[] = {
        SCHEMA_OBJECT(SpaceNetwork, egress, "egress", FIELD_OBJECT_PTR, &egress_policy_schema, OMIT),
        SCHEMA_END,
};
static const Schema space_network_schema = { "SpaceNetwork", sizeof(SpaceNetwork), space_network_fields };

static const Field container_capabilities_fields[] = {
        SCHEMA_FIELD(ContainerCapabilities, drop, "drop", FIELD_STRV, OMIT),
        SCHEMA_FIELD(ContainerCapabilities, add, "add", FIELD_STRV, OMIT),
        SCHEMA_END,
};
const Schema container_capabilities_schema = { "ContainerCapabilities", sizeof(ContainerCapabilities), container_capabilities_fields };

static const Field container_tmpfs_mount_fields[] = {
        SCHEMA_FIELD(ContainerTmpfsMount, path, "path", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerTmpfsMount, size_bytes, "sizeBytes", FIELD_INT, OMIT),
        SCHEMA_FIELD(ContainerTmpfsMount, options, "options", FIELD_STRV, OMIT),
        SCHEMA_END,
};
const Schema container_tmpfs_mount_schema = { "ContainerTmpfsMount", sizeof(ContainerTmpfsMount), container_tmpfs_mount_fields };

static const Field container_resources_fields[] = {
        SCHEMA_FIELD(ContainerResources, memory_limit_bytes, "memoryLimitBytes", FIELD_OPT_INT, OMIT),
        SCHEMA_FIELD(ContainerResources, cpu_shares, "cpuShares", FIELD_OPT_INT, OMIT),
        SCHEMA_FIELD(ContainerResources, pids_limit, "pidsLimit", FIELD_OPT_INT, OMIT),
        SCHEMA_END,
};
const Schema container_resources_schema = { "ContainerResources", sizeof(ContainerResources), container_resources_fields };

static const Field space_container_defaults_fields[] = {
        SCHEMA_FIELD(SpaceContainerDefaults, user, "user", FIELD_STRING, OMIT),
        SCHEMA_FIELD(SpaceContainerDefaults, read_only_root_filesystem, "readOnlyRootFilesystem", FIELD_OPT_BOOL, OMIT),
        SCHEMA_OBJECT(SpaceContainerDefaults, capabilities, "capabilities", FIELD_OBJECT_PTR, &container_capabilities_schema, OMIT),
        SCHEMA_FIELD(SpaceContainerDefaults, security_opts, "securityOpts", FIELD_STRV, OMIT),
        SCHEMA_LIST(SpaceContainerDefaults, tmpfs, n_tmpfs, "tmpfs", &container_tmpfs_mount_schema, OMIT),
        SCHEMA_OBJECT(SpaceContainerDefaults, resources, "resources", FIELD_OBJECT_PTR, &container_resources_schema, OMIT),
        SCHEMA_END,
};
const Schema space_container_defaults_schema = { "SpaceContainerDefaults", sizeof(SpaceContainerDefaults), space_container_defaults_fields };

static const Field space_defaults_fields[] = {
        SCHEMA_OBJECT(SpaceDefaults, container, "container", FIELD_OBJECT_PTR, &space_container_defaults_schema, OMIT),
        SCHEMA_END,
};
static const Schema space_defaults_schema = { "SpaceDefaults", sizeof(SpaceDefaults), space_defaults_fields };

static const Field space_spec_fields[] = {
        SCHEMA_FIELD(SpaceSpec, realm_id, "realmId", FIELD_STRING, 0),
        SCHEMA_FIELD(SpaceSpec, cni_config_path, "cniConfigPath", FIELD_STRING, OMIT),
        SCHEMA_OBJECT(SpaceSpec, network, "network", FIELD_OBJECT_PTR, &space_network_schema, OMIT),
        SCHEMA_OBJECT(SpaceSpec, defaults, "defaults", FIELD_OBJECT_PTR, &space_defaults_schema, OMIT),
        SCHEMA_OBJECT(SpaceSpec, resources, "resources", FIELD_OBJECT_PTR, &unit_resources_schema, OMIT),
        SCHEMA_END,
};
static const Schema space_spec_schema = { "SpaceSpec", sizeof(SpaceSpec), space_spec_fields };

static const Field space_status_fields[] = {
        SCHEMA_ENUM(SpaceStatus, state, "state", &space_state_enum, 0),
        SCHEMA_FIELD(SpaceStatus, cgroup_path, "cgroupPath", FIELD_STRING, OMIT),
        SCHEMA_FIELD(SpaceStatus, subtree_controllers, "subtreeControllers", FIELD_STRV, OMIT),
        SCHEMA_FIELD(SpaceStatus, unit, "unit", FIELD_STRING, OMIT),
        SCHEMA_FIELD(SpaceStatus, subnet, "subnet", FIELD_STRING, OMIT),
        SCHEMA_FIELD(SpaceStatus, bridge_name, "bridgeName", FIELD_STRING, OMIT),
        LIFECYCLE_FIELDS(SpaceStatus),
        SCHEMA_END,
};
static const Schema space_status_schema = { "SpaceStatus", sizeof(SpaceStatus), space_status_fields };

static const Field space_doc_fields[] = {
        DOC_HEADER_FIELDS(SpaceDoc, metadata_schema),
        SCHEMA_OBJECT(SpaceDoc, spec, "spec", FIELD_OBJECT, &space_spec_schema, 0),
        SCHEMA_OBJECT(SpaceDoc, status, "status", FIELD_OBJECT, &space_status_schema, OMIT),
        SCHEMA_END,
};
const Schema space_doc_schema = { "Space", sizeof(SpaceDoc), space_doc_fields };

/* ---- Stack ---- */

static const Field stack_spec_fields[] = {
        SCHEMA_FIELD(StackSpec, id, "id", FIELD_STRING, 0),
        SCHEMA_FIELD(StackSpec, realm_id, "realmId", FIELD_STRING, 0),
        SCHEMA_FIELD(StackSpec, space_id, "spaceId", FIELD_STRING, 0),
        SCHEMA_OBJECT(StackSpec, resources, "resources", FIELD_OBJECT_PTR, &unit_resources_schema, OMIT),
        SCHEMA_END,
};
static const Schema stack_spec_schema = { "StackSpec", sizeof(StackSpec), stack_spec_fields };

static const Field stack_status_fields[] = {
        SCHEMA_ENUM(StackStatus, state, "state", &space_state_enum, 0),
        SCHEMA_FIELD(StackStatus, cgroup_path, "cgroupPath", FIELD_STRING, 0),
        SCHEMA_FIELD(StackStatus, subtree_controllers, "subtreeControllers", FIELD_STRV, OMIT),
        SCHEMA_FIELD(StackStatus, unit, "unit", FIELD_STRING, OMIT),
        LIFECYCLE_FIELDS(StackStatus),
        SCHEMA_END,
};
static const Schema stack_status_schema = { "StackStatus", sizeof(StackStatus), stack_status_fields };

static const Field stack_doc_fields[] = {
        DOC_HEADER_FIELDS(StackDoc, metadata_schema),
        SCHEMA_OBJECT(StackDoc, spec, "spec", FIELD_OBJECT, &stack_spec_schema, 0),
        SCHEMA_OBJECT(StackDoc, status, "status", FIELD_OBJECT, &stack_status_schema, OMIT),
        SCHEMA_END,
};
const Schema stack_doc_schema = { "Stack", sizeof(StackDoc), stack_doc_fields };

/* ---- Container ---- */

static const Field volume_mount_fields[] = {
        SCHEMA_FIELD(VolumeMount, kind, "kind", FIELD_STRING, OMIT),
        SCHEMA_FIELD(VolumeMount, source, "source", FIELD_STRING, OMIT),
        SCHEMA_FIELD(VolumeMount, target, "target", FIELD_STRING, 0),
        SCHEMA_FIELD(VolumeMount, read_only, "readOnly", FIELD_BOOL, OMIT),
        SCHEMA_FIELD(VolumeMount, size_bytes, "sizeBytes", FIELD_INT, OMIT),
        SCHEMA_FIELD(VolumeMount, mode, "mode", FIELD_MODE, OMIT),
        SCHEMA_END,
};
static const Schema volume_mount_schema = { "VolumeMount", sizeof(VolumeMount), volume_mount_fields };

static const Field container_secret_fields[] = {
        SCHEMA_FIELD(ContainerSecret, name, "name", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSecret, from_file, "fromFile", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerSecret, from_env, "fromEnv", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerSecret, mount_path, "mountPath", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema container_secret_schema = { "ContainerSecret", sizeof(ContainerSecret), container_secret_fields };

static const Field tty_stage_fields[] = {
        SCHEMA_FIELD(TtyStage, script, "script", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema tty_stage_schema = { "TtyStage", sizeof(TtyStage), tty_stage_fields };

static const Field container_tty_fields[] = {
        SCHEMA_FIELD(ContainerTty, prompt, "prompt", FIELD_STRING, OMIT),
        SCHEMA_LIST(ContainerTty, on_init, n_on_init, "onInit", &tty_stage_schema, OMIT),
        SCHEMA_FIELD(ContainerTty, log_file, "logFile", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema container_tty_schema = { "ContainerTty", sizeof(ContainerTty), container_tty_fields };

static const Field container_spec_fields[] = {
        SCHEMA_FIELD(ContainerSpec, id, "id", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, containerd_id, "containerdId", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerSpec, realm_id, "realmId", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, space_id, "spaceId", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, stack_id, "stackId", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, cell_id, "cellId", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, root, "root", FIELD_BOOL, OMIT),
        SCHEMA_FIELD(ContainerSpec, image, "image", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, command, "command", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, args, "args", FIELD_STRV, 0),
        SCHEMA_FIELD(ContainerSpec, working_dir, "workingDir", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerSpec, env, "env", FIELD_STRV, 0),
        SCHEMA_FIELD(ContainerSpec, ports, "ports", FIELD_STRV, 0),
        SCHEMA_LIST(ContainerSpec, volumes, n_volumes, "volumes", &volume_mount_schema, 0),
        SCHEMA_FIELD(ContainerSpec, networks, "networks", FIELD_STRV, 0),
        SCHEMA_FIELD(ContainerSpec, networks_aliases, "networksAliases", FIELD_STRV, 0),
        SCHEMA_FIELD(ContainerSpec, privileged, "privileged", FIELD_BOOL, 0),
        SCHEMA_FIELD(ContainerSpec, host_network, "hostNetwork", FIELD_BOOL, OMIT),
        SCHEMA_FIELD(ContainerSpec, host_pid, "hostPID", FIELD_BOOL, OMIT),
        SCHEMA_FIELD(ContainerSpec, host_cgroup, "hostCgroup", FIELD_BOOL, OMIT),
        SCHEMA_FIELD(ContainerSpec, user, "user", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerSpec, read_only_root_filesystem, "readOnlyRootFilesystem", FIELD_BOOL, OMIT),
        SCHEMA_OBJECT(ContainerSpec, capabilities, "capabilities", FIELD_OBJECT_PTR, &container_capabilities_schema, OMIT),
        SCHEMA_FIELD(ContainerSpec, security_opts, "securityOpts", FIELD_STRV, OMIT),
        SCHEMA_LIST(ContainerSpec, tmpfs, n_tmpfs, "tmpfs", &container_tmpfs_mount_schema, OMIT),
        SCHEMA_OBJECT(ContainerSpec, resources, "resources", FIELD_OBJECT_PTR, &container_resources_schema, OMIT),
        SCHEMA_LIST(ContainerSpec, secrets, n_secrets, "secrets", &container_secret_schema, OMIT),
        SCHEMA_FIELD(ContainerSpec, cni_config_path, "cniConfigPath", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerSpec, restart_policy, "restartPolicy", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerSpec, attachable, "attachable", FIELD_BOOL, OMIT),
        SCHEMA_OBJECT(ContainerSpec, tty, "tty", FIELD_OBJECT_PTR, &container_tty_schema, OMIT),
        SCHEMA_END,
};
const Schema container_spec_schema = { "ContainerSpec", sizeof(ContainerSpec), container_spec_fields };

static const Field container_status_fields[] = {
        SCHEMA_FIELD(ContainerStatus, name, "name", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerStatus, id, "id", FIELD_STRING, 0),
        SCHEMA_ENUM(ContainerStatus, state, "state", &container_state_enum, 0),
        SCHEMA_FIELD(ContainerStatus, restart_count, "restartCount", FIELD_INT, 0),
        SCHEMA_FIELD(ContainerStatus, restart_time, "restartTime", FIELD_TIME, OMIT),
        SCHEMA_FIELD(ContainerStatus, start_time, "startTime", FIELD_TIME, OMIT),
        SCHEMA_FIELD(ContainerStatus, finish_time, "finishTime", FIELD_TIME, OMIT),
        SCHEMA_FIELD(ContainerStatus, exit_code, "exitCode", FIELD_INT, 0),
        SCHEMA_FIELD(ContainerStatus, exit_signal, "exitSignal", FIELD_STRING, 0),
        SCHEMA_FIELD(ContainerStatus, reason, "reason", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ContainerStatus, message, "message", FIELD_STRING, OMIT),
        SCHEMA_END,
};
const Schema container_status_schema = { "ContainerStatus", sizeof(ContainerStatus), container_status_fields };

static const Field container_doc_fields[] = {
        DOC_HEADER_FIELDS(ContainerDoc, metadata_schema),
        SCHEMA_OBJECT(ContainerDoc, spec, "spec", FIELD_OBJECT, &container_spec_schema, 0),
        SCHEMA_OBJECT(ContainerDoc, status, "status", FIELD_OBJECT, &container_status_schema, OMIT),
        SCHEMA_END,
};
const Schema container_doc_schema = { "Container", sizeof(ContainerDoc), container_doc_fields };

/* ---- Cell ---- */

static const Field cell_tty_fields[] = {
        SCHEMA_FIELD(CellTty, default_, "default", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema cell_tty_schema = { "CellTty", sizeof(CellTty), cell_tty_fields };

static const Field cell_spec_fields[] = {
        SCHEMA_FIELD(CellSpec, id, "id", FIELD_STRING, 0),
        SCHEMA_FIELD(CellSpec, realm_id, "realmId", FIELD_STRING, 0),
        SCHEMA_FIELD(CellSpec, space_id, "spaceId", FIELD_STRING, 0),
        SCHEMA_FIELD(CellSpec, stack_id, "stackId", FIELD_STRING, 0),
        SCHEMA_FIELD(CellSpec, root_container_id, "rootContainerId", FIELD_STRING, OMIT),
        SCHEMA_OBJECT(CellSpec, tty, "tty", FIELD_OBJECT_PTR, &cell_tty_schema, OMIT),
        SCHEMA_LIST(CellSpec, containers, n_containers, "containers", &container_spec_schema, 0),
        SCHEMA_FIELD(CellSpec, auto_delete, "autoDelete", FIELD_BOOL, OMIT),
        SCHEMA_FIELD(CellSpec, nested_cgroup_runtime, "nestedCgroupRuntime", FIELD_BOOL, OMIT),
        SCHEMA_OBJECT(CellSpec, resources, "resources", FIELD_OBJECT_PTR, &unit_resources_schema, OMIT),
        SCHEMA_FIELD(CellSpec, stop_grace_period, "stopGracePeriod", FIELD_STRING, OMIT),
        SCHEMA_END,
};
const Schema cell_spec_schema = { "CellSpec", sizeof(CellSpec), cell_spec_fields };

static const Field cell_network_status_fields[] = {
        SCHEMA_FIELD(CellNetworkStatus, bridge_name, "bridgeName", FIELD_STRING, OMIT),
        SCHEMA_FIELD(CellNetworkStatus, ip, "ip", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema cell_network_status_schema = { "CellNetworkStatus", sizeof(CellNetworkStatus), cell_network_status_fields };

static const Field cell_status_fields[] = {
        SCHEMA_ENUM(CellStatus, state, "state", &cell_state_enum, 0),
        SCHEMA_FIELD(CellStatus, cgroup_path, "cgroupPath", FIELD_STRING, 0),
        SCHEMA_FIELD(CellStatus, subtree_controllers, "subtreeControllers", FIELD_STRV, OMIT),
        SCHEMA_FIELD(CellStatus, unit, "unit", FIELD_STRING, OMIT),
        SCHEMA_OBJECT(CellStatus, network, "network", FIELD_OBJECT, &cell_network_status_schema, OMIT),
        SCHEMA_LIST(CellStatus, containers, n_containers, "containers", &container_status_schema, 0),
        SCHEMA_FIELD(CellStatus, ready_observed, "readyObserved", FIELD_BOOL, OMIT),
        LIFECYCLE_FIELDS(CellStatus),
        SCHEMA_END,
};
static const Schema cell_status_schema = { "CellStatus", sizeof(CellStatus), cell_status_fields };

static const Field cell_doc_fields[] = {
        DOC_HEADER_FIELDS(CellDoc, metadata_schema),
        SCHEMA_OBJECT(CellDoc, spec, "spec", FIELD_OBJECT, &cell_spec_schema, 0),
        SCHEMA_OBJECT(CellDoc, status, "status", FIELD_OBJECT, &cell_status_schema, OMIT),
        SCHEMA_END,
};
const Schema cell_doc_schema = { "Cell", sizeof(CellDoc), cell_doc_fields };

/* ---- CellProfile ---- */

static const Field cell_profile_parameter_fields[] = {
        SCHEMA_FIELD(CellProfileParameter, name, "name", FIELD_STRING, 0),
        SCHEMA_FIELD(CellProfileParameter, description, "description", FIELD_STRING, OMIT),
        SCHEMA_FIELD(CellProfileParameter, default_, "default", FIELD_STRING, OMIT | FIELD_NULLABLE),
        SCHEMA_FIELD(CellProfileParameter, required, "required", FIELD_BOOL, OMIT),
        SCHEMA_END,
};
static const Schema cell_profile_parameter_schema = { "CellProfileParameter", sizeof(CellProfileParameter), cell_profile_parameter_fields };

static const Field cell_profile_spec_fields[] = {
        SCHEMA_FIELD(CellProfileSpec, realm, "realm", FIELD_STRING, OMIT),
        SCHEMA_FIELD(CellProfileSpec, space, "space", FIELD_STRING, OMIT),
        SCHEMA_FIELD(CellProfileSpec, stack, "stack", FIELD_STRING, OMIT),
        SCHEMA_FIELD(CellProfileSpec, prefix, "prefix", FIELD_STRING, OMIT),
        SCHEMA_LIST(CellProfileSpec, parameters, n_parameters, "parameters", &cell_profile_parameter_schema, OMIT),
        SCHEMA_OBJECT(CellProfileSpec, cell, "cell", FIELD_OBJECT, &cell_spec_schema, 0),
        SCHEMA_END,
};
static const Schema cell_profile_spec_schema = { "CellProfileSpec", sizeof(CellProfileSpec), cell_profile_spec_fields };

static const Field cell_profile_doc_fields[] = {
        DOC_HEADER_FIELDS(CellProfileDoc, local_metadata_schema),
        SCHEMA_OBJECT(CellProfileDoc, spec, "spec", FIELD_OBJECT, &cell_profile_spec_schema, 0),
        SCHEMA_END,
};
const Schema cell_profile_doc_schema = { "CellProfile", sizeof(CellProfileDoc), cell_profile_doc_fields };

/* ---- configurations ---- */

static const Field server_configuration_spec_fields[] = {
        SCHEMA_FIELD(ServerConfigurationSpec, socket, "socket", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, socket_gid, "socketGID", FIELD_INT, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, run_path, "runPath", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, containerd_socket, "containerdSocket", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, log_level, "logLevel", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, reconcile_interval, "reconcileInterval", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, kukeond_image, "kukeondImage", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, containerd_namespace_suffix, "containerdNamespaceSuffix", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, cgroup_root, "cgroupRoot", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, cni_bin_dir, "cniBinDir", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ServerConfigurationSpec, cni_conf_dir, "cniConfDir", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema server_configuration_spec_schema = { "ServerConfigurationSpec", sizeof(ServerConfigurationSpec), server_configuration_spec_fields };

static const Field server_configuration_doc_fields[] = {
        DOC_HEADER_FIELDS(ServerConfigurationDoc, local_metadata_schema),
        SCHEMA_OBJECT(ServerConfigurationDoc, spec, "spec", FIELD_OBJECT, &server_configuration_spec_schema, 0),
        SCHEMA_END,
};
const Schema server_configuration_doc_schema = { "ServerConfiguration", sizeof(ServerConfigurationDoc), server_configuration_doc_fields };

static const Field client_configuration_spec_fields[] = {
        SCHEMA_FIELD(ClientConfigurationSpec, host, "host", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ClientConfigurationSpec, run_path, "runPath", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ClientConfigurationSpec, containerd_socket, "containerdSocket", FIELD_STRING, OMIT),
        SCHEMA_FIELD(ClientConfigurationSpec, log_level, "logLevel", FIELD_STRING, OMIT),
        SCHEMA_END,
};
static const Schema client_configuration_spec_schema = { "ClientConfigurationSpec", sizeof(ClientConfigurationSpec), client_configuration_spec_fields };

static const Field client_configuration_doc_fields[] = {
        DOC_HEADER_FIELDS(ClientConfigurationDoc, local_metadata_schema),
        SCHEMA_OBJECT(ClientConfigurationDoc, spec, "spec", FIELD_OBJECT, &client_configuration_spec_schema, 0),
        SCHEMA_END,
};
const Schema client_configuration_doc_schema = { "ClientConfiguration", sizeof(ClientConfigurationDoc), client_configuration_doc_fields };

const Schema *kind_schema(Kind k) {
        static const Schema *const table[_KIND_MAX] = {
                [KIND_REALM] = &realm_doc_schema,
                [KIND_SPACE] = &space_doc_schema,
                [KIND_STACK] = &stack_doc_schema,
                [KIND_CELL] = &cell_doc_schema,
                [KIND_CONTAINER] = &container_doc_schema,
                [KIND_CELL_PROFILE] = &cell_profile_doc_schema,
                [KIND_SERVER_CONFIGURATION] = &server_configuration_doc_schema,
                [KIND_CLIENT_CONFIGURATION] = &client_configuration_doc_schema,
        };
        if (k < 0 || k >= _KIND_MAX)
                return NULL;
        return table[k];
}
