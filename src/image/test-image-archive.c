/* SPDX-License-Identifier: Apache-2.0 */

#include "image-archive.h"
#include "macro.h"
#include "tests.h"

#define HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void check(const char *path, ArchiveEntryKind want_kind, const char *want_path, const char *want_digest) {
        _cleanup_free_ char *p = NULL, *d = NULL;
        ArchiveEntryKind k;

        ASSERT_OK(archive_entry_classify(path, &k, &p, &d));
        if (k != want_kind)
                fprintf(stderr, "%s: %s, want %s\n", path, archive_entry_kind_to_string(k), archive_entry_kind_to_string(want_kind));
        ASSERT_EQ(k, want_kind);
        ASSERT_STREQ(p, want_path);
        if (want_digest)
                ASSERT_STREQ(d, want_digest);
        else
                ASSERT_NULL(d);
}

static void test_oci_layout(void) {
        check("oci-layout", ARCHIVE_ENTRY_OCI_LAYOUT, "oci-layout", NULL);
        check("./oci-layout", ARCHIVE_ENTRY_OCI_LAYOUT, "oci-layout", NULL);
        check("index.json", ARCHIVE_ENTRY_OCI_INDEX, "index.json", NULL);
        check("blobs/sha256/" HEX, ARCHIVE_ENTRY_BLOB, "blobs/sha256/" HEX, "sha256:" HEX);
        check("./blobs//sha256/./" HEX, ARCHIVE_ENTRY_BLOB, "blobs/sha256/" HEX, "sha256:" HEX);
}

static void test_docker_archive(void) {
        check("manifest.json", ARCHIVE_ENTRY_DOCKER_MANIFEST, "manifest.json", NULL);
        check(HEX ".json", ARCHIVE_ENTRY_DOCKER_CONFIG, HEX ".json", NULL);
        check("abc/layer.tar", ARCHIVE_ENTRY_DOCKER_LAYER, "abc/layer.tar", NULL);
        check("abc/json", ARCHIVE_ENTRY_IGNORE, "abc/json", NULL);
        check("abc/VERSION", ARCHIVE_ENTRY_IGNORE, "abc/VERSION", NULL);
        check("repositories", ARCHIVE_ENTRY_IGNORE, "repositories", NULL);
        check("abc/other.json", ARCHIVE_ENTRY_IGNORE, "abc/other.json", NULL);
        check("x.tar.gz", ARCHIVE_ENTRY_DOCKER_LAYER, "x.tar.gz", NULL);
}

static void test_bad(void) {
        ArchiveEntryKind k;
        char *p = NULL, *d = NULL;

        ASSERT_ERROR(archive_entry_classify("", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify(NULL, &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("/etc/passwd", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("../x", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("blobs/../../x", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("./", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("blobs/sha256/abc", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("blobs/sha256/" HEX "/x", &k, &p, &d), EINVAL);
        ASSERT_ERROR(archive_entry_classify("blobs/sha512/" HEX, &k, &p, &d), EOPNOTSUPP);
        ASSERT_ERROR(archive_entry_classify("blobs/x", &k, &p, &d), EINVAL);
        ASSERT_NULL(p);
        ASSERT_NULL(d);
}

TEST_MAIN(test_oci_layout, test_docker_archive, test_bad)
