/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>

#include "image-cli.h"
#include "macro.h"
#include "tests.h"

static void check_size(uint64_t bytes, const char *want) {
        _cleanup_free_ char *s = image_size_format(bytes);
        ASSERT_TRUE(s);
        ASSERT_STREQ(s, want);
}

static void test_size(void) {
        check_size(0, "0B");
        check_size(999, "999B");
        check_size(1000, "1.00kB");
        check_size(1234, "1.23kB");
        check_size(12345, "12.3kB");
        check_size(123456, "123kB");
        check_size(999499, "999kB");
        check_size(999500, "1.00MB"); /* rounds up into the next unit, never "1000kB" */
        check_size(1536000, "1.54MB");
        check_size(1500000000ULL, "1.50GB");
        check_size(UINT64_MAX, "18.4EB");
}

static void check_digest(const char *digest, bool full, const char *want) {
        _cleanup_free_ char *s = image_digest_format(digest, full);
        ASSERT_TRUE(s);
        ASSERT_STREQ(s, want);
}

static void test_digest(void) {
        const char *d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        check_digest(d, false, "sha256:0123456789ab");
        check_digest(d, true, d);
        check_digest("sha256:0123", false, "sha256:0123");
        check_digest("nocolon", false, "nocolon");
        check_digest(NULL, false, "");
        check_digest("", false, "");
}

int main(void) {
        test_size();
        test_digest();
        return 0;
}
