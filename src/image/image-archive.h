/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the entries of an image tarball are, by path: an OCI image layout (oci-layout,
 * index.json, blobs/sha256/<hex>) or a docker archive (manifest.json, <id>.json configs,
 * <id>/layer.tar layers; newer docker writes blobs/sha256/<hex> with a manifest.json). Pure
 * string logic, unit tested; image-load.c streams the entries. */

typedef enum ArchiveEntryKind {
        ARCHIVE_ENTRY_IGNORE,          /* directories' files we do not need (VERSION, json, repositories) */
        ARCHIVE_ENTRY_OCI_LAYOUT,      /* oci-layout */
        ARCHIVE_ENTRY_OCI_INDEX,       /* index.json */
        ARCHIVE_ENTRY_BLOB,            /* blobs/sha256/<hex>: its digest is its name */
        ARCHIVE_ENTRY_DOCKER_MANIFEST, /* manifest.json */
        ARCHIVE_ENTRY_DOCKER_CONFIG,   /* <something>.json at the top: a config candidate */
        ARCHIVE_ENTRY_DOCKER_LAYER,    /* <dir>/layer.tar, or any *.tar / *.tar.gz */
        _ARCHIVE_ENTRY_KIND_MAX,
} ArchiveEntryKind;

const char *archive_entry_kind_to_string(ArchiveEntryKind k);

/* Normalize the path ("./a//b" → "a/b") and classify it. *ret_path gets the normalized path,
 * *ret_digest (optional) "sha256:<hex>" for blobs, else NULL. -EINVAL for an unsafe path
 * (absolute, "..", empty) or a blob under blobs/sha256/ whose name is not 64 hex digits;
 * -EOPNOTSUPP for blobs of another algorithm. */
int archive_entry_classify(const char *path, ArchiveEntryKind *ret_kind, char **ret_path, char **ret_digest);
