/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* systemd unit names and cgroup paths of the resource tree (design §2):
 *
 *   everything   kukeon.slice
 *   realm R      kukeon-R.slice
 *   space S      kukeon-R-S.slice
 *   stack T      kukeon-R-S-T.slice
 *   cell C       kukeon-R-S-T-C.scope   (in slice kukeon-R-S-T.slice)
 *
 * A dash in a slice name means hierarchy to systemd, so every name segment is escaped exactly
 * as `systemd-escape` does: "my-realm" becomes "my\x2drealm". This is the one place that builds
 * these names; the daemon stores what it built and what PID 1 reports back.
 *
 * Levels: depth 0 is kukeon.slice, 1 realm, 2 space, 3 stack, 4 cell. */

#include <stdbool.h>

/* systemd refuses unit names of 256 bytes or more (UNIT_NAME_MAX includes the NUL). */
#define UNIT_NAME_LENGTH_MAX 255

#define UNIT_NAME_ROOT_SLICE "kukeon.slice"
#define UNIT_NAME_PREFIX "kukeon"

/* Escape one segment as `systemd-escape` (without --path) does: '/' becomes '-', a leading '.'
 * and every byte not in [a-zA-Z0-9:_.] becomes \xNN (lower-case hex). Unlike systemd-escape,
 * the empty string is refused with -EINVAL: an empty segment would make "kukeon--x.slice",
 * which systemd rejects. */
int unit_name_escape(const char *s, char **ret);

/* The inverse of unit_name_escape(), as `systemd-escape --unescape`: \xNN (either case)
 * becomes the byte, '-' becomes '/'. Any other backslash sequence, a truncated \x, an escaped
 * NUL and the empty string are refused with -EINVAL. */
int unit_name_unescape(const char *s, char **ret);

/* Build the unit of a level: pass the names down to the wanted level and NULL for the rest,
 * e.g. (r, s, NULL, NULL) for the space slice. All NULL gives "kukeon.slice"; a cell gives a
 * ".scope", every other level a ".slice". A name after a NULL level or an empty name is
 * -EINVAL; a result systemd would refuse as too long (see UNIT_NAME_LENGTH_MAX) is
 * -ENAMETOOLONG. */
int unit_name_build(const char *realm, const char *space, const char *stack, const char *cell, char **ret);

/* Read a unit name built by unit_name_build() back into its levels. Returns the depth (0-4)
 * and sets the outputs of levels present (allocated, unescaped) and NULL the others; every
 * output is optional. Anything that unit_name_build() would not have produced byte for byte
 * (other prefixes, wrong suffix for the depth, upper-case escapes, "--") is -EINVAL, so a
 * match on a foreign unit never yields a resource. */
int unit_name_parse(const char *unit, char **ret_realm, char **ret_space, char **ret_stack, char **ret_cell);

/* The cgroup path systemd gives a slice unit, as its cg_slice_to_path() computes it: every
 * dash-separated prefix is a parent slice, "a-b-c.slice" lives at "/a.slice/a-b.slice/
 * a-b-c.slice". "-.slice" is "/". Returns -EINVAL for anything that is not a valid slice
 * name (no ".slice" suffix, leading, trailing or double dashes, characters systemd refuses). */
int unit_name_slice_to_cgroup_path(const char *slice, char **ret);

/* The cgroup path (relative to systemd's root cgroup, starting with '/') of a level's slice or
 * the cell's scope, e.g. "/kukeon.slice/kukeon-r.slice/kukeon-r-s.slice/kukeon-r-s-t.slice/
 * kukeon-r-s-t-c.scope". Same arguments and errors as unit_name_build(). */
int unit_name_cgroup_path(const char *realm, const char *space, const char *stack, const char *cell, char **ret);
