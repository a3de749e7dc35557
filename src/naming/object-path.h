/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* D-Bus object paths of the resource tree (design §3):
 *
 *   depth 0  /org/kukeon1
 *   depth 1  /org/kukeon1/realm/<R>
 *   depth 2  /org/kukeon1/realm/<R>/space/<S>
 *   depth 3  .../space/<S>/stack/<T>
 *   depth 4  .../stack/<T>/cell/<C>
 *   depth 5  .../cell/<C>/container/<N>
 *
 * Each name is one path label encoded by sd-bus (sd_bus_path_encode_many()): every byte but
 * [A-Za-z0-9] (and a leading digit) becomes _xx, so "my-realm" is "my_2drealm" and "0web" is
 * "_30web". Using sd-bus's own encoder keeps us identical to what busctl and other sd-bus
 * clients compute. */

#define OBJECT_PATH_ROOT "/org/kukeon1"
#define OBJECT_PATH_DEPTH_MAX 5

/* Build the path of a level: names down to the wanted level, NULL for the rest (all NULL gives
 * OBJECT_PATH_ROOT). -EINVAL for an empty name or a name after a NULL level. */
int object_path_build(const char *realm, const char *space, const char *stack, const char *cell,
                      const char *container, char **ret);

/* Parse a path of the tree back into its (decoded) names. Returns the depth (0-5); outputs are
 * optional, set (allocated) for the levels present and NULL for the others. Everything that
 * object_path_build() would not have produced byte for byte — foreign prefixes, unknown or
 * misplaced keywords ("/realm/a/stack/b"), empty labels ("_"), lenient or upper-case escapes
 * ("_2D", "_zz"), trailing slashes — is -EINVAL, so one resource has exactly one path. */
int object_path_parse(const char *path, char **ret_realm, char **ret_space, char **ret_stack,
                      char **ret_cell, char **ret_container);
