/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The v1beta1 API types: every kind, spec and status field of the schema (seed 002,
 * container fields of seed 004). Field names in comments are the YAML/JSON keys. Each
 * struct has a Schema (v1beta1.c) that drives the codecs; see schema.h. */

#include <errno.h>

#include "schema.h"

#define API_VERSION_V1BETA1 "v1beta1"

typedef enum Kind {
        KIND_REALM,
        KIND_SPACE,
        KIND_STACK,
        KIND_CELL,
        KIND_CONTAINER,
        KIND_CELL_PROFILE,
        KIND_SERVER_CONFIGURATION,
        KIND_CLIENT_CONFIGURATION,
        _KIND_MAX,
        _KIND_INVALID = -EINVAL,
} Kind;

const char *kind_to_string(Kind k);
Kind kind_from_string(const char *s);
/* Realm, Space, Stack, Cell and Container live on the server; the others are local documents. */
bool kind_is_resource(Kind k);

/* ---- state enums: serialized by name ---- */

typedef enum RealmState {
        REALM_STATE_PENDING,
        REALM_STATE_CREATING,
        REALM_STATE_READY,
        REALM_STATE_DELETING,
        REALM_STATE_FAILED,
        REALM_STATE_UNKNOWN,
} RealmState;

typedef enum SpaceState {
        SPACE_STATE_PENDING,
        SPACE_STATE_READY,
        SPACE_STATE_FAILED,
        SPACE_STATE_UNKNOWN,
} SpaceState;

typedef SpaceState StackState;
#define STACK_STATE_PENDING SPACE_STATE_PENDING
#define STACK_STATE_READY SPACE_STATE_READY
#define STACK_STATE_FAILED SPACE_STATE_FAILED
#define STACK_STATE_UNKNOWN SPACE_STATE_UNKNOWN

typedef enum CellState {
        CELL_STATE_PENDING,
        CELL_STATE_READY,
        CELL_STATE_STOPPED,
        CELL_STATE_FAILED,
        CELL_STATE_UNKNOWN,
} CellState;

typedef enum ContainerState {
        CONTAINER_STATE_PENDING,
        CONTAINER_STATE_READY,
        CONTAINER_STATE_STOPPED,
        CONTAINER_STATE_PAUSED,
        CONTAINER_STATE_PAUSING,
        CONTAINER_STATE_FAILED,
        CONTAINER_STATE_UNKNOWN,
} ContainerState;

extern const EnumType realm_state_enum, space_state_enum, cell_state_enum, container_state_enum;

/* ---- shared pieces ---- */

typedef struct Metadata {
        char *name;    /* name */
        char **labels; /* labels: key/value pairs */
} Metadata;

/* Lifecycle fields every status of the four hierarchy kinds carries. */
typedef struct Lifecycle {
        usec_t created_at; /* createdAt */
        usec_t updated_at; /* updatedAt */
        usec_t ready_at;   /* readyAt: first time Ready, never moved after */
        char *reason;      /* reason */
        char *message;     /* message */
        bool cgroup_ready; /* cgroupReady */
} Lifecycle;

/* ---- Realm ---- */

typedef struct RegistryCredentials {
        char *username;       /* username */
        char *password;       /* password */
        char *server_address; /* serverAddress */
} RegistryCredentials;

/* New in this project: slice/scope limits that become unit properties. */
typedef struct UnitResources {
        OptInt memory_max; /* memoryMax: bytes */
        OptInt cpu_weight; /* cpuWeight: 1..10000 */
        OptInt tasks_max;  /* tasksMax */
        OptInt io_weight;  /* ioWeight: 1..10000 */
} UnitResources;

typedef struct RealmSpec {
        char *namespace_; /* namespace */
        RegistryCredentials *registry_credentials; /* registryCredentials */
        size_t n_registry_credentials;
        UnitResources *resources; /* resources */
} RealmSpec;

typedef struct RealmStatus {
        RealmState state;           /* state */
        char *cgroup_path;          /* cgroupPath */
        char **subtree_controllers; /* subtreeControllers */
        char *unit;                 /* unit: the slice's name */
        Lifecycle lifecycle;
        bool containerd_namespace_ready; /* containerdNamespaceReady */
} RealmStatus;

typedef struct RealmDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        RealmSpec spec;
        RealmStatus status;
} RealmDoc;

/* ---- Space ---- */

typedef struct EgressAllowRule {
        char *host;     /* host */
        char *cidr;     /* cidr */
        int64_t *ports; /* ports: TCP destination ports */
        size_t n_ports;
} EgressAllowRule;

typedef struct EgressPolicy {
        char *default_;          /* default: allow | deny */
        EgressAllowRule *allow;  /* allow */
        size_t n_allow;
} EgressPolicy;

typedef struct SpaceNetwork {
        EgressPolicy *egress; /* egress */
} SpaceNetwork;

typedef struct ContainerCapabilities {
        char **drop; /* drop */
        char **add;  /* add */
} ContainerCapabilities;

typedef struct ContainerTmpfsMount {
        char *path;         /* path */
        int64_t size_bytes; /* sizeBytes */
        char **options;     /* options */
} ContainerTmpfsMount;

typedef struct ContainerResources {
        OptInt memory_limit_bytes; /* memoryLimitBytes */
        OptInt cpu_shares;         /* cpuShares */
        OptInt pids_limit;         /* pidsLimit */
} ContainerResources;

typedef struct SpaceContainerDefaults {
        char *user;                               /* user */
        OptBool read_only_root_filesystem;        /* readOnlyRootFilesystem */
        ContainerCapabilities *capabilities;      /* capabilities */
        char **security_opts;                     /* securityOpts */
        ContainerTmpfsMount *tmpfs;               /* tmpfs */
        size_t n_tmpfs;
        ContainerResources *resources;            /* resources */
} SpaceContainerDefaults;

typedef struct SpaceDefaults {
        SpaceContainerDefaults *container; /* container */
} SpaceDefaults;

typedef struct SpaceSpec {
        char *realm_id;          /* realmId */
        char *cni_config_path;   /* cniConfigPath */
        SpaceNetwork *network;   /* network */
        SpaceDefaults *defaults; /* defaults */
        UnitResources *resources; /* resources */
} SpaceSpec;

typedef struct SpaceStatus {
        SpaceState state;
        char *cgroup_path;
        char **subtree_controllers;
        char *unit;
        char *subnet;      /* subnet: the space's /24 */
        char *bridge_name; /* bridgeName */
        Lifecycle lifecycle;
} SpaceStatus;

typedef struct SpaceDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        SpaceSpec spec;
        SpaceStatus status;
} SpaceDoc;

/* ---- Stack ---- */

typedef struct StackSpec {
        char *id;        /* id */
        char *realm_id;  /* realmId */
        char *space_id;  /* spaceId */
        UnitResources *resources; /* resources */
} StackSpec;

typedef struct StackStatus {
        StackState state;
        char *cgroup_path;
        char **subtree_controllers;
        char *unit;
        Lifecycle lifecycle;
} StackStatus;

typedef struct StackDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        StackSpec spec;
        StackStatus status;
} StackDoc;

/* ---- Container ---- */

typedef struct VolumeMount {
        char *kind;         /* kind: "" or bind | tmpfs */
        char *source;       /* source */
        char *target;       /* target */
        bool read_only;     /* readOnly */
        int64_t size_bytes; /* sizeBytes */
        uint32_t mode;      /* mode */
} VolumeMount;

typedef struct ContainerSecret {
        char *name;       /* name */
        char *from_file;  /* fromFile */
        char *from_env;   /* fromEnv */
        char *mount_path; /* mountPath */
} ContainerSecret;

typedef struct TtyStage {
        char *script; /* script */
} TtyStage;

typedef struct ContainerTty {
        char *prompt;      /* prompt */
        TtyStage *on_init; /* onInit */
        size_t n_on_init;
        char *log_file;    /* logFile */
} ContainerTty;

typedef struct ContainerSpec {
        char *id;                 /* id */
        char *containerd_id;      /* containerdId */
        char *realm_id;           /* realmId */
        char *space_id;           /* spaceId */
        char *stack_id;           /* stackId */
        char *cell_id;            /* cellId */
        bool root;                /* root */
        char *image;              /* image */
        char *command;            /* command */
        char **args;              /* args */
        char *working_dir;        /* workingDir */
        char **env;               /* env: KEY=VALUE */
        char **ports;             /* ports (reserved) */
        VolumeMount *volumes;     /* volumes */
        size_t n_volumes;
        char **networks;          /* networks */
        char **networks_aliases;  /* networksAliases */
        bool privileged;          /* privileged */
        bool host_network;        /* hostNetwork */
        bool host_pid;            /* hostPID */
        bool host_cgroup;         /* hostCgroup */
        char *user;               /* user */
        bool read_only_root_filesystem;      /* readOnlyRootFilesystem */
        ContainerCapabilities *capabilities; /* capabilities */
        char **security_opts;                /* securityOpts */
        ContainerTmpfsMount *tmpfs;          /* tmpfs */
        size_t n_tmpfs;
        ContainerResources *resources;       /* resources */
        ContainerSecret *secrets;            /* secrets */
        size_t n_secrets;
        char *cni_config_path;               /* cniConfigPath */
        char *restart_policy;                /* restartPolicy (reserved) */
        bool attachable;                     /* attachable */
        ContainerTty *tty;                   /* tty */
} ContainerSpec;

typedef struct ContainerStatus {
        char *name;           /* name */
        char *id;             /* id: containerd id */
        ContainerState state; /* state */
        int64_t restart_count; /* restartCount */
        usec_t restart_time;   /* restartTime */
        usec_t start_time;     /* startTime */
        usec_t finish_time;    /* finishTime */
        int64_t exit_code;     /* exitCode */
        char *exit_signal;     /* exitSignal */
        char *reason;          /* reason (new: why Failed) */
        char *message;         /* message */
} ContainerStatus;

typedef struct ContainerDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        ContainerSpec spec;
        ContainerStatus status;
} ContainerDoc;

/* ---- Cell ---- */

typedef struct CellTty {
        char *default_; /* default */
} CellTty;

typedef struct CellSpec {
        char *id;                  /* id */
        char *realm_id;            /* realmId */
        char *space_id;            /* spaceId */
        char *stack_id;            /* stackId */
        char *root_container_id;   /* rootContainerId */
        CellTty *tty;              /* tty */
        ContainerSpec *containers; /* containers */
        size_t n_containers;
        bool auto_delete;           /* autoDelete */
        bool nested_cgroup_runtime; /* nestedCgroupRuntime */
        UnitResources *resources;   /* resources (new: scope properties) */
        char *stop_grace_period;    /* stopGracePeriod (new: "10s") */
} CellSpec;

typedef struct CellNetworkStatus {
        char *bridge_name; /* bridgeName */
        char *ip;          /* ip (new: the cell's address) */
} CellNetworkStatus;

typedef struct CellStatus {
        CellState state;
        char *cgroup_path;
        char **subtree_controllers;
        char *unit;
        CellNetworkStatus network;    /* network */
        ContainerStatus *containers;  /* containers */
        size_t n_containers;
        bool ready_observed;          /* readyObserved */
        Lifecycle lifecycle;
} CellStatus;

typedef struct CellDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        CellSpec spec;
        CellStatus status;
} CellDoc;

/* ---- CellProfile ---- */

typedef struct CellProfileParameter {
        char *name;        /* name */
        char *description; /* description */
        char *default_;    /* default: NULL = none, "" = explicitly empty */
        bool required;     /* required */
} CellProfileParameter;

typedef struct CellProfileSpec {
        char *realm;  /* realm */
        char *space;  /* space */
        char *stack;  /* stack */
        char *prefix; /* prefix */
        CellProfileParameter *parameters; /* parameters */
        size_t n_parameters;
        CellSpec cell; /* cell */
} CellProfileSpec;

typedef struct CellProfileDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        CellProfileSpec spec;
} CellProfileDoc;

/* ---- ServerConfiguration / ClientConfiguration ---- */

typedef struct ServerConfigurationSpec {
        char *socket;                      /* socket */
        int64_t socket_gid;                /* socketGID */
        char *run_path;                    /* runPath */
        char *containerd_socket;           /* containerdSocket */
        char *log_level;                   /* logLevel */
        char *reconcile_interval;          /* reconcileInterval */
        char *kukeond_image;               /* kukeondImage */
        char *containerd_namespace_suffix; /* containerdNamespaceSuffix */
        char *cgroup_root;                 /* cgroupRoot */
        char *cni_bin_dir;                 /* cniBinDir (new) */
        char *cni_conf_dir;                /* cniConfDir (new) */
} ServerConfigurationSpec;

typedef struct ServerConfigurationDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        ServerConfigurationSpec spec;
} ServerConfigurationDoc;

typedef struct ClientConfigurationSpec {
        char *host;              /* host */
        char *run_path;          /* runPath */
        char *containerd_socket; /* containerdSocket */
        char *log_level;         /* logLevel */
} ClientConfigurationSpec;

typedef struct ClientConfigurationDoc {
        char *api_version;
        char *kind;
        Metadata metadata;
        ClientConfigurationSpec spec;
} ClientConfigurationDoc;

/* ---- schemas ---- */

extern const Schema realm_doc_schema, space_doc_schema, stack_doc_schema, cell_doc_schema,
        container_doc_schema, cell_profile_doc_schema, server_configuration_doc_schema,
        client_configuration_doc_schema;
extern const Schema container_spec_schema, container_status_schema, cell_spec_schema,
        space_container_defaults_schema, container_capabilities_schema, container_resources_schema,
        container_tmpfs_mount_schema, metadata_schema;

/* The document schema of a kind. */
const Schema *kind_schema(Kind k);

/* Every document struct starts with apiVersion, kind and metadata: this view reads them
 * whatever the kind. */
typedef struct DocHeader {
        char *api_version;
        char *kind;
        Metadata metadata;
} DocHeader;
