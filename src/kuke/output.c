/* SPDX-License-Identifier: Apache-2.0 */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>

#include "document.h"
#include "json-codec.h"
#include "yaml-codec.h"

int output_format_parse(const char *s, OutputFormat *ret) {
        if (streq(s, "yaml"))
                *ret = OUTPUT_YAML;
        else if (streq(s, "json"))
                *ret = OUTPUT_JSON;
        else if (STR_IN_SET(s, "name", "names"))
                *ret = OUTPUT_NAME;
        else
                return -EINVAL;
        return 0;
}

Table *output_table_new(ResourceType type) {
        switch (type) {
        case RESOURCE_REALM:
                return table_new("NAME", "STATE", "UNIT", "NAMESPACE", NULL);
        case RESOURCE_SPACE:
                return table_new("NAME", "STATE", "UNIT", "SUBNET", NULL);
        case RESOURCE_STACK:
                return table_new("NAME", "STATE", "UNIT", NULL);
        case RESOURCE_CELL:
                return table_new("NAME", "STATE", "IP", "CONTAINERS", "UNIT", NULL);
        case RESOURCE_CONTAINER:
                return table_new("NAME", "STATE", "IMAGE", "ROOT", NULL);
        default:
                return NULL;
        }
}

int output_table_add_container(Table *t, const char *name, const char *state, const char *image, bool root) {
        return table_add_cells(t, name, state, image, root ? "yes" : "no");
}

/* A decoded resource document; 'object' is a RealmDoc, SpaceDoc, StackDoc, CellDoc or
 * ContainerDoc. */
typedef struct Decoded {
        Kind kind;
        void *object;
} Decoded;

static void decoded_done(Decoded *d) {
        if (d->object)
                schema_free(kind_schema(d->kind), d->object);
        d->object = NULL;
}

static int decode(ResourceType type, const char *yaml, size_t index, Decoded *ret, char **ret_error) {
        _cleanup_free_ char *why = NULL;
        Kind kind = resource_type_to_kind(type);
        void *object = NULL;
        int r;

        if (kind < 0)
                return -EINVAL;
        r = document_parse_one(yaml ?: "", strlen(yaml ?: ""), kind, &object, &why);
        if (r == -EBADMSG) {
                if (ret_error && asprintf(ret_error, "kukeond sent a %s document that does not decode (document %zu): %s",
                                          resource_type_to_noun(type), index + 1, strna(why)) < 0)
                        return -ENOMEM;
                return r;
        }
        if (r < 0)
                return r;
        *ret = (Decoded) { .kind = kind, .object = object };
        return 0;
}

/* The hierarchy kinds start alike (apiVersion, kind, metadata): read the name through
 * the type that is there rather than through a layout assumption. */
static const char *decoded_name(const Decoded *d) {
        switch (d->kind) {
        case KIND_REALM:
                return ((const RealmDoc *) d->object)->metadata.name;
        case KIND_SPACE:
                return ((const SpaceDoc *) d->object)->metadata.name;
        case KIND_STACK:
                return ((const StackDoc *) d->object)->metadata.name;
        case KIND_CELL:
                return ((const CellDoc *) d->object)->metadata.name;
        case KIND_CONTAINER: {
                /* A container's name is its id in the cell's spec: read that when the
                 * document has no metadata.name of its own. */
                const ContainerDoc *c = d->object;
                return !isempty(c->metadata.name) ? c->metadata.name : c->spec.id;
        }
        default:
                return NULL;
        }
}

static const char *json_path_string(json_t *j, const char *a, const char *b) {
        return json_string_value(json_object_get(json_object_get(j, a), b));
}

int output_table_add_document(Table *t, ResourceType type, const char *yaml, char **ret_error) {
        _cleanup_(decoded_done) Decoded d = {};
        int r;

        r = decode(type, yaml, 0, &d, ret_error);
        if (r < 0)
                return r;

        /* The JSON form has every enum spelled as in YAML: read the cells from it. */
        json_t *j = json_from_object(kind_schema(d.kind), d.object);
        if (!j)
                return -ENOMEM;
        const char *name = decoded_name(&d), *state = json_path_string(j, "status", "state"),
                   *unit = json_path_string(j, "status", "unit");
        if (type == RESOURCE_REALM)
                r = table_add_cells(t, name, state, unit, json_path_string(j, "spec", "namespace"));
        else if (type == RESOURCE_SPACE)
                r = table_add_cells(t, name, state, unit, json_path_string(j, "status", "subnet"));
        else if (type == RESOURCE_CELL) {
                const CellDoc *cell = d.object;
                char containers[64];
                size_t ready = 0;
                for (size_t i = 0; i < cell->status.n_containers; i++)
                        if (cell->status.containers[i].state == CONTAINER_STATE_READY)
                                ready++;
                /* ready of those the spec has: status may still list a container being removed */
                (void) snprintf(containers, sizeof(containers), "%zu/%zu", MIN(ready, cell->spec.n_containers),
                                cell->spec.n_containers);
                r = table_add_cells(t, name, state, cell->status.network.ip, containers, unit);
        } else if (type == RESOURCE_CONTAINER) {
                const ContainerDoc *c = d.object;
                r = output_table_add_container(t, name, state, c->spec.image, c->spec.root);
        } else
                r = table_add_cells(t, name, state, unit);
        json_decref(j);
        return r;
}

static int format_yaml(const Decoded *docs, size_t n, char **ret) {
        yaml_emitter_t e;
        YamlBuffer b = {};
        int r;

        if (n == 0)
                return (*ret = strdup("")) ? 0 : -ENOMEM;
        if (!yaml_emitter_initialize(&e))
                return -ENOMEM;
        yaml_emitter_set_output(&e, yaml_buffer_write_handler, &b);
        yaml_emitter_set_unicode(&e, 1);
        yaml_emitter_set_width(&e, -1);

        r = yaml_emit_stream_start(&e);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = yaml_emit_document_start(&e, /* implicit= */ i == 0);
                if (r >= 0)
                        r = yaml_emit_object(&e, kind_schema(docs[i].kind), docs[i].object);
                if (r >= 0)
                        r = yaml_emit_document_end(&e);
        }
        if (r >= 0)
                r = yaml_emit_stream_end(&e);
        if (r >= 0 && !yaml_emitter_flush(&e))
                r = -EIO;
        yaml_emitter_delete(&e);
        if (r < 0) {
                free(b.data);
                return r;
        }
        if (!b.data && !(b.data = strdup("")))
                return -ENOMEM;
        *ret = b.data;
        return 0;
}

static int format_json(const Decoded *docs, size_t n, bool single, char **ret) {
        json_t *out;
        int r;

        if (single && n == 1)
                out = json_from_object(kind_schema(docs[0].kind), docs[0].object);
        else {
                /* A list is an array whatever its length: a script reading it never has to
                 * tell one realm from a list of one. */
                out = json_array();
                for (size_t i = 0; out && i < n; i++)
                        if (json_array_append_new(out, json_from_object(kind_schema(docs[i].kind), docs[i].object)) < 0) {
                                json_decref(out);
                                out = NULL;
                        }
        }
        if (!out)
                return -ENOMEM;
        r = json_format(out, ret);
        json_decref(out);
        return r;
}

static int format_names(const Decoded *docs, size_t n, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s\n", strempty(decoded_name(&docs[i])));
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int output_documents(OutputFormat format, ResourceType type, char *const *texts, size_t n, bool single,
                     char **ret, char **ret_error) {
        Decoded *docs = new0(Decoded, n);
        int r = 0;

        if (!docs)
                return -ENOMEM;
        if (ret_error)
                *ret_error = NULL;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = decode(type, texts[i], i, &docs[i], ret_error);
        if (r >= 0)
                switch (format) {
                case OUTPUT_YAML:
                        r = format_yaml(docs, n, ret);
                        break;
                case OUTPUT_JSON:
                        r = format_json(docs, n, single, ret);
                        break;
                case OUTPUT_NAME:
                        r = format_names(docs, n, ret);
                        break;
                default:
                        r = -EINVAL;
                }
        for (size_t i = 0; i < n; i++)
                decoded_done(&docs[i]);
        free(docs);
        return r;
}
