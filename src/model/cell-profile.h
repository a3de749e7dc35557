/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* CellProfile: a per-user cell template. `kuke run -p NAME` materializes a Cell from it:
 * ${KEY} references in the body are replaced by the declared parameters' values, and the
 * cell gets a fresh name <prefix>-<6 hex>. */

#include "v1beta1.h"

typedef struct ProfileInputs {
        char **params;      /* KEY=VALUE pairs from --param: they win */
        char **environment; /* KEY=VALUE, consulted for parameters without a default */
        const char *name;   /* --name: use this name instead of <prefix>-<6hex> */
} ProfileInputs;

/* Every ${KEY} the profile references must be a declared parameter: checked when the
 * profile is loaded, so a typo shows at once, not as an empty value at run time. */
int cell_profile_check_references(const CellProfileDoc *p, char **ret_error);

/* Resolves each parameter (--param > default > environment; required ones must resolve),
 * substitutes, and returns a new CellDoc (not yet validated: run manifest checks on it).
 * On a problem returns -EINVAL and a message. */
int cell_profile_materialize(const CellProfileDoc *p, const ProfileInputs *in, CellDoc **ret, char **ret_error);

/* <prefix>-<6 random hex>. */
int cell_profile_generate_name(const char *prefix, char **ret);
