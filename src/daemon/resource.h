/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A realm, space or stack as kukeond holds it: its document (spec + status, as in the run
 * path) and where it sits in the tree. The run path is the source of truth: every change of a
 * document is saved through the store before it is announced on the bus. */

#include <stdbool.h>

#include "macro.h"
#include "v1beta1.h"

typedef struct Manager Manager;
typedef struct Resource Resource;

struct Resource {
        Manager *manager;
        Kind kind;               /* KIND_REALM, KIND_SPACE or KIND_STACK */
        char *realm, *space, *stack; /* names down to the resource's own; NULL below */
        char *path;              /* D-Bus object path */
        void *doc;               /* RealmDoc *, SpaceDoc * or StackDoc *, owned */
        Resource *next, *prev;   /* the manager's list */
        bool seen;               /* manager_load()'s mark */
        bool dirty;              /* status read back from PID 1 differs from the saved one */
};

/* Takes ownership of 'doc' on success. The names come from the parents given and the doc's
 * metadata.name. Does not add it to the manager. */
int resource_new(Manager *m, Kind kind, const char *realm, const char *space, void *doc, Resource **ret);
Resource *resource_free(Resource *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Resource *, resource_free);

const char *resource_name(const Resource *r);
const Schema *resource_schema(const Resource *r);
/* "Realm", "Space", "Stack" */
const char *resource_kind_name(const Resource *r);
/* "main", "main/default", "main/default/default" */
int resource_full_name(const Resource *r, char **ret);
/* The D-Bus interface of the resource's kind. */
const char *resource_interface(const Resource *r);

/* Views into the document, whatever the kind. */
Metadata *resource_metadata(Resource *r);
Lifecycle *resource_lifecycle(Resource *r);
char **resource_unit_field(Resource *r);
char **resource_cgroup_field(Resource *r);
UnitResources *resource_limits(Resource *r);
/* the state as its enum's name ("Ready") */
const char *resource_state_string(const Resource *r);
bool resource_is_ready(const Resource *r);

/* State changes: set the state (the kind's own enum values; see resource.c), reason and
 * message (NULL clears), updatedAt = now, readyAt on the first Ready. */
typedef enum ResourceState {
        RESOURCE_PENDING,
        RESOURCE_CREATING,
        RESOURCE_READY,
        RESOURCE_DELETING,
        RESOURCE_FAILED,
        RESOURCE_UNKNOWN,
} ResourceState;
int resource_set_state(Resource *r, ResourceState state, const char *reason, const char *message);

/* Saves the document to the run path. */
int resource_save(Resource *r);
/* The document as YAML, with status. */
int resource_format(const Resource *r, char **ret);

/* The slice properties of the resource: Description, DefaultDependencies=no, accounting on,
 * and the optional limits. 'props' must have room for RESOURCE_SLICE_PROPERTIES_MAX. */
#define RESOURCE_SLICE_PROPERTIES_MAX 12
struct UnitProperty;
size_t resource_slice_properties(Resource *r, char *description, size_t description_size,
                                 struct UnitProperty *props, bool limits_only);
