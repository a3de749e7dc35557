/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* File helpers for state that must survive crashes: atomic replacement, bounded reads,
 * directory creation with exact modes, and a recursive delete that never leaves the tree
 * it was pointed at. */

#include <fcntl.h>
#include <stddef.h>
#include <sys/types.h>

/* Replaces 'path' (relative to 'dir_fd', or AT_FDCWD) with 'data': a temporary file
 * ".#<name>.XXXXXX" is created next to it with O_EXCL, written in full, given exactly
 * 'mode' (the umask does not apply), fsync'ed and renamed over the target, then the
 * directory is fsync'ed. Readers see the old content or the new one, never a mix. On
 * failure the temporary file is removed and the old file is left as it was — except when
 * only the final directory fsync fails: the new content is then in place but perhaps not
 * yet durable, and that error is returned. The directory of 'path' must exist; a symlink at
 * 'path' is replaced, not followed. */
int write_file_atomic_at(int dir_fd, const char *path, const void *data, size_t size, mode_t mode);

static inline int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        return write_file_atomic_at(AT_FDCWD, path, data, size, mode);
}

/* Reads the whole of 'fd' from its current position up to end of file. The buffer is
 * NUL-terminated (the NUL is not counted in *ret_size, which may be NULL). Content longer
 * than 'max_size' bytes is refused with -EFBIG. Works on files whose stat size lies
 * (procfs), since it reads until EOF rather than trusting st_size. */
int read_fd_full(int fd, size_t max_size, char **ret, size_t *ret_size);
int read_file_full_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size);

static inline int read_file_full(const char *path, size_t max_size, char **ret, size_t *ret_size) {
        return read_file_full_at(AT_FDCWD, path, max_size, ret, ret_size);
}

/* mkdir -p: creates every missing component of 'path', each with exactly 'mode' (the umask
 * does not apply). Components that exist are left alone, but must be directories (symlinks
 * to directories are fine), else -ENOTDIR. */
int mkdir_p_mode(const char *path, mode_t mode);

/* rm -rf of 'name', a single path component (no '/'), in 'dir_fd'. Symlinks are removed, never followed, whether at the top or
 * inside. A directory on another file system (a mount point) is not entered: it is left in
 * place and -EXDEV returned once everything else has been removed. (A bind mount from the
 * same file system is not detected.) Removal continues past errors;
 * the first error is returned. */
int rm_rf_at(int dir_fd, const char *name);
