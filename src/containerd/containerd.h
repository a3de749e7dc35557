/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Everything of the containerd module (link containerd_dep; kuke must not).
 *
 * READY (stable signatures, tested against containerd 1.6 in the test machine):
 *   client        containerd_client_new/free, state handler, set_timeout, set_lease,
 *                 wait_connected, last_error                       containerd-client.h
 *   namespaces    containerd_namespace_create/delete/list/get_labels (+ _sync)
 *                                                                  containerd-namespace.h
 *   version       containerd_version (+ _sync)                     containerd-version.h
 *   containers    create/get/list/update/delete                    containerd-container.h
 *   tasks         create/start/kill/delete/pause/resume/get/list/pids/exec
 *                                                                  containerd-task.h
 *   snapshots     prepare/mounts/commit/remove/stat                containerd-snapshot.h
 *   leases        create/delete/list                               containerd-lease.h
 *   images        list/get/create/update/delete                    containerd-image.h
 *   content       info/update/delete, read stream, writer          containerd-content.h
 *   diff          apply                                            containerd-diff.h
 *   events        subscribe (TaskExit/OOM/Start/Delete/... decoded) containerd-event.h
 * Image load from tarballs (src/image/image-load.h) and registry pull (src/image/image-pull.h)
 * are a separate library on top, image_dep. */

#include "containerd-client.h"
#include "containerd-container.h"
#include "containerd-content.h"
#include "containerd-diff.h"
#include "containerd-event.h"
#include "containerd-image.h"
#include "containerd-lease.h"
#include "containerd-namespace.h"
#include "containerd-snapshot.h"
#include "containerd-task.h"
#include "containerd-version.h"
