/* SPDX-License-Identifier: Apache-2.0 */
#include "resource-dbus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manager-dbus.h"
#include "object-path.h"

#define RESOURCE_PREFIX OBJECT_PATH_ROOT "/realm"

static int find(Manager *m, const char *path, Kind kind, void **found) {
        Resource *r = manager_find_by_path(m, path);
        if (!r || r->kind != kind)
                return 0;
        *found = r;
        return 1;
}

static int find_realm(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error) {
        return find(userdata, path, KIND_REALM, found);
}

static int find_space(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error) {
        return find(userdata, path, KIND_SPACE, found);
}

static int find_stack(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                      sd_bus_error *error) {
        return find(userdata, path, KIND_STACK, found);
}

static int enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        char **l = new0(char *, m->n_resources + 1);
        size_t n = 0;
        if (!l)
                return -ENOMEM;
        for (Resource *r = m->resources; r; r = r->next) {
                l[n] = strdup(r->path);
                if (!l[n]) {
                        for (size_t i = 0; i < n; i++)
                                free(l[i]);
                        free(l);
                        return -ENOMEM;
                }
                n++;
        }
        *nodes = l;
        return 0;
}

/* ---- properties ---- */

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Resource *r = userdata;
        Lifecycle *l = resource_lifecycle(r);

        if (streq(property, "Name"))
                return sd_bus_message_append(reply, "s", resource_name(r));
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", strempty(resource_state_string(r)));
        if (streq(property, "Unit"))
                return sd_bus_message_append(reply, "s", strempty(*resource_unit_field(r)));
        if (streq(property, "ControlGroup"))
                return sd_bus_message_append(reply, "s", strempty(*resource_cgroup_field(r)));
        if (streq(property, "CreatedAt"))
                return sd_bus_message_append(reply, "t", (uint64_t) l->created_at);
        if (streq(property, "UpdatedAt"))
                return sd_bus_message_append(reply, "t", (uint64_t) l->updated_at);
        if (streq(property, "Reason"))
                return sd_bus_message_append(reply, "s", strempty(l->reason));
        if (streq(property, "Message"))
                return sd_bus_message_append(reply, "s", strempty(l->message));
        if (streq(property, "Namespace"))
                return sd_bus_message_append(reply, "s", strempty(((RealmDoc *) r->doc)->spec.namespace_));
        if (streq(property, "Realm"))
                return sd_bus_message_append(reply, "s", r->realm);
        if (streq(property, "Space"))
                return sd_bus_message_append(reply, "s", r->space);
        if (streq(property, "Subnet"))
                return sd_bus_message_append(reply, "s", strempty(((SpaceDoc *) r->doc)->status.subnet));
        if (streq(property, "Bridge"))
                return sd_bus_message_append(reply, "s", strempty(((SpaceDoc *) r->doc)->status.bridge_name));
        return -ENOENT;
}

/* ---- methods ---- */

static int method_delete_purge(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int r = sd_bus_message_read(msg, "t", &flags);
        if (r < 0)
                return r;
        return manager_dispatch_resource(msg, userdata, sd_bus_message_get_member(msg), flags, error);
}

static int method_get_manifest(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return manager_dispatch_resource(msg, userdata, "GetManifest", 0, error);
}

#define COMMON_PROPERTIES                                                                                           \
        SD_BUS_PROPERTY("Name", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),                                \
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                        \
        SD_BUS_PROPERTY("Unit", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                         \
        SD_BUS_PROPERTY("ControlGroup", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                 \
        SD_BUS_PROPERTY("CreatedAt", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                    \
        SD_BUS_PROPERTY("UpdatedAt", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                    \
        SD_BUS_PROPERTY("Reason", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),                       \
        SD_BUS_PROPERTY("Message", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

#define COMMON_METHODS                                                                                              \
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("t", flags), SD_BUS_NO_RESULT, method_delete_purge,          \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                        \
        SD_BUS_METHOD_WITH_ARGS("Purge", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("as", removed), method_delete_purge, \
                                SD_BUS_VTABLE_UNPRIVILEGED),                                                        \
        SD_BUS_METHOD_WITH_ARGS("GetManifest", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", manifest), method_get_manifest,   \
                                SD_BUS_VTABLE_UNPRIVILEGED)

static const sd_bus_vtable realm_vtable[] = {
        SD_BUS_VTABLE_START(0),
        COMMON_PROPERTIES,
        SD_BUS_PROPERTY("Namespace", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        COMMON_METHODS,
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable space_vtable[] = {
        SD_BUS_VTABLE_START(0),
        COMMON_PROPERTIES,
        SD_BUS_PROPERTY("Realm", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Subnet", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Bridge", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        COMMON_METHODS,
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable stack_vtable[] = {
        SD_BUS_VTABLE_START(0),
        COMMON_PROPERTIES,
        SD_BUS_PROPERTY("Realm", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Space", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        COMMON_METHODS,
        SD_BUS_VTABLE_END,
};

int resource_add_bus_objects(Manager *m, sd_bus *bus) {
        int r;
        r = sd_bus_add_fallback_vtable(bus, NULL, RESOURCE_PREFIX, "org.kukeon1.Realm", realm_vtable, find_realm, m);
        if (r < 0)
                return r;
        r = sd_bus_add_fallback_vtable(bus, NULL, RESOURCE_PREFIX, "org.kukeon1.Space", space_vtable, find_space, m);
        if (r < 0)
                return r;
        r = sd_bus_add_fallback_vtable(bus, NULL, RESOURCE_PREFIX, "org.kukeon1.Stack", stack_vtable, find_stack, m);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(bus, NULL, RESOURCE_PREFIX, enumerate, m);
}
