/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The stdio URI that sends a container's stdout and stderr to kukeon-logger (design.md §4
 * "Logs", docs/logs.md), and the driver's side of it.
 *
 * containerd 1.6 takes `binary:///path/to/driver?key=value&...` as a task's stdout/stderr.
 * The runc v2 shim (pkg/process/io.go, NewBinaryIO/NewBinaryCmd) then starts the driver
 * with the container's stdout on fd 3 and stderr on fd 4 (pipes), a pipe on fd 5 that the
 * driver closes once it is ready, CONTAINER_ID and CONTAINER_NAMESPACE as its only
 * environment, and each query parameter as two arguments, KEY then VALUE (the first value
 * of a repeated key only), in Go's map order — that is, in no fixed order.
 *
 * The keys are the LOGGER_ARG_* names below. Both sides live in this file pair so that they
 * cannot disagree on a key. */

#include <stddef.h>

#define LOGGER_DRIVER_NAME "kukeon-logger"
/* Where `meson install` puts the driver (libexecdir/kukeon), the default for the URI. */
#define LOGGER_DRIVER_PATH KUKEON_LIBEXECDIR "/" LOGGER_DRIVER_NAME

#define LOGGER_ARG_REALM "realm"
#define LOGGER_ARG_SPACE "space"
#define LOGGER_ARG_STACK "stack"
#define LOGGER_ARG_CELL "cell"
#define LOGGER_ARG_CONTAINER "container"
#define LOGGER_ARG_UNIT "unit"

/* What the driver needs to know beyond the environment. The unit is the cell's scope,
 * "kukeon-R-S-T-C.scope" exactly as unit_name_build() spells it. */
typedef struct LoggerTarget {
        const char *realm;
        const char *space;
        const char *stack;
        const char *cell;
        const char *container;
        const char *unit;
} LoggerTarget;

/* Build "binary://<driver>?realm=…&space=…&stack=…&cell=…&container=…&unit=…".
 * 'driver' NULL means LOGGER_DRIVER_PATH; otherwise it must be an absolute path (the shim
 * runs the URI's path as is). 'unit' NULL means the cell's scope, built from the names.
 * Every name is checked as a DNS label and a given unit must be the cell's scope, so a URI
 * this returns always passes logger_args_parse(). Bytes outside RFC 3986's unreserved set
 * are percent-encoded (the scope's "\x2d" escapes become "%5Cx2d"), in the path ('/' kept)
 * and in the values.
 * Returns 0, -EINVAL for a NULL/bad argument or a name or unit that would be refused, -ENOMEM. */
int logger_uri_build(const char *driver, const LoggerTarget *t, char **ret);

/* The driver's side: read the KEY VALUE pairs of argv (without argv[0]) into 't' (pointers
 * into argv, nothing allocated) and check them as logger_uri_build() does: every key known,
 * given once and with a value, every name a DNS label, the unit the cell's scope.
 * On -EINVAL, *ret_error (optional) gets an allocated message naming what is wrong.
 * Returns 0, -EINVAL, -ENOMEM. */
int logger_args_parse(char *const *args, size_t n_args, LoggerTarget *t, char **ret_error);
