/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The run path: kukeon's authoritative state on disk (seed 000, design §4 "State").
 *
 *   <run path>/<realm>/realm.yaml
 *   <run path>/<realm>/<space>/space.yaml
 *   <run path>/<realm>/<space>/network.conflist
 *   <run path>/<realm>/<space>/<stack>/stack.yaml
 *   <run path>/<realm>/<space>/<stack>/<cell>/cell.yaml
 *   <run path>/<realm>/<space>/<stack>/<cell>/containers/<container>.yaml
 *   <run path>/run/            reserved; holds the writers' lock
 *
 * A resource exists exactly when its YAML file exists: files are replaced atomically
 * (fileio.h), a subtree is removed by first renaming it out of sight, and listings only
 * show entries whose file is there. Directories are 0750 — 2750 when the run path's group
 * is not root, so everything below inherits that group — and files 0640.
 *
 * Every name must be a DNS label (naming layer); the store refuses anything else with
 * -EINVAL, and the realm name "run", so a bug elsewhere can never make it write outside
 * its tree. Directories below the run path are opened without following symlinks.
 *
 * The store does not lock on its own: a writer that reads, decides and writes holds the
 * lock (store_lock()) around the whole sequence, so kukeond and a `--no-daemon` kuke never
 * interleave. Readers need no lock: they always see a complete file. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "v1beta1.h"

typedef struct Store Store;

/* Opens the store at 'run_path'. Nothing is touched on disk: a missing run path reads as an
 * empty store and is created (0750) by the first store_save_realm() or store_lock(). */
int store_open(const char *run_path, Store **ret);
Store *store_free(Store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Store *, store_free);

const char *store_run_path(const Store *s);

/* ---- the writers' lock: an exclusive flock on <run path>/run/lock ---- */

typedef struct StoreLock {
        int fd;
} StoreLock;

#define STORE_LOCK_NULL ((StoreLock) { .fd = -EBADF })

/* Waits for the lock. The lock belongs to the open file, not the process: taking it twice
 * in one process through two StoreLocks deadlocks (or, non-blocking, gets -EBUSY). */
int store_lock(Store *s, StoreLock *ret);
/* Like store_lock(), but -EBUSY at once when another writer holds it. */
int store_try_lock(Store *s, StoreLock *ret);
/* Releases the lock; NULL-safe and idempotent, usable as _cleanup_(store_unlock). */
void store_unlock(StoreLock *l);

/* ---- documents ----
 *
 * Save writes the document under the directory named by its metadata.name, with apiVersion
 * and kind set from the C type whatever the struct holds. The parent must exist (-ENOENT
 * otherwise): the store never makes a space of a realm that is not there.
 *
 * Load returns -ENOENT when the resource (or a parent) does not exist. A file that cannot
 * be read as a document of its kind — empty, cut short, not YAML, another kind, or whose
 * metadata.name is not its directory's name — gives -EBADMSG, and *ret_error (optional; set
 * to NULL on every other outcome) says what is wrong, starting with the file's path. */

int store_save_realm(Store *s, const RealmDoc *doc);
int store_save_space(Store *s, const char *realm, const SpaceDoc *doc);
int store_save_stack(Store *s, const char *realm, const char *space, const StackDoc *doc);
int store_save_cell(Store *s, const char *realm, const char *space, const char *stack, const CellDoc *doc);
int store_save_container(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                         const ContainerDoc *doc);

int store_load_realm(Store *s, const char *name, RealmDoc **ret, char **ret_error);
int store_load_space(Store *s, const char *realm, const char *name, SpaceDoc **ret, char **ret_error);
int store_load_stack(Store *s, const char *realm, const char *space, const char *name, StackDoc **ret,
                     char **ret_error);
int store_load_cell(Store *s, const char *realm, const char *space, const char *stack, const char *name,
                    CellDoc **ret, char **ret_error);
int store_load_container(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                         const char *name, ContainerDoc **ret, char **ret_error);

/* ---- listing: sorted names of the children that exist, as a strv (never NULL on success).
 * Entries that are not valid names, temporary files, symlinks and directories without
 * their YAML file are skipped. A missing run path lists no realms; a missing parent is
 * -ENOENT. ---- */

int store_list_realms(Store *s, char ***ret);
int store_list_spaces(Store *s, const char *realm, char ***ret);
int store_list_stacks(Store *s, const char *realm, const char *space, char ***ret);
int store_list_cells(Store *s, const char *realm, const char *space, const char *stack, char ***ret);
int store_list_containers(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                          char ***ret);

/* ---- removal of a resource and everything below it; -ENOENT when it is not there. The
 * subtree is first renamed to a hidden name, so a crash half way leaves no half-resource
 * behind (only a hidden directory that listings skip). Symlinks are removed, never
 * followed. ---- */

int store_remove_realm(Store *s, const char *name);
int store_remove_space(Store *s, const char *realm, const char *name);
int store_remove_stack(Store *s, const char *realm, const char *space, const char *name);
int store_remove_cell(Store *s, const char *realm, const char *space, const char *stack, const char *name);
int store_remove_container(Store *s, const char *realm, const char *space, const char *stack, const char *cell,
                           const char *name);

/* ---- the space's copy of its CNI conflist (<space>/network.conflist), written atomically;
 * the space must exist. Reading a missing copy is -ENOENT. ---- */

#define STORE_CONFLIST_MAX (1024U * 1024U)

int store_write_conflist(Store *s, const char *realm, const char *space, const void *data, size_t size);
int store_read_conflist(Store *s, const char *realm, const char *space, char **ret, size_t *ret_size);
