/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The pure parts of kuke's cell verbs (kill, logs, run), apart from any connection so they
 * are unit tested: signal names, the journal matches of a cell's logs, where profiles live,
 * and whether a cell document says the same as the one kukeond has. */

#include <stdbool.h>

#include "resource.h"
#include "v1beta1.h"

/* "KILL", "SIGKILL", "kill", "9": the signal number. -EINVAL for anything else. */
int kill_signal_parse(const char *s, int *ret);

/* The journal matches of a cell's container lines (docs/logs.md, Fields): KUKEON_REALM=,
 * KUKEON_SPACE=, KUKEON_STACK=, KUKEON_CELL=, and CONTAINER_NAME= when 'container' is not
 * NULL. 'ref' is a checked cell reference. */
int logs_matches(const ResourceRef *ref, const char *container, char ***ret);

/* Where profile NAME is: <dir>/NAME.yaml (or .yml) in $KUKE_PROFILES_DIR when 'env_dir' is
 * set and not empty, else in <home>/.kuke/profiles.d. -ENOENT with the directory searched in
 * *ret_dir (allocated) when neither file exists; -EINVAL for a NAME that is not a file name. */
int profile_path_find(const char *name, const char *env_dir, const char *home, char **ret_path, char **ret_dir);

/* What kukeond does to a cell's spec before storing it (src/daemon/cell.c, cell_prepare()):
 * id = name, the parents' ids on the cell and each container, the root container (the first
 * unless one says root), containerd ids. Run on a checked (defaulted) document so it compares
 * with GetCell's. */
int cell_doc_prepare_like_daemon(CellDoc *d);

/* Whether 'want' (a prepared document) differs from 'have' (kukeond's, from GetCell) in what
 * `kuke apply` would change: the spec or the labels. When it does, *ret_what (optional) names
 * the first difference found ("spec.containers", "metadata.labels" …). */
bool cell_doc_diverges(const CellDoc *want, const CellDoc *have, char **ret_what);
