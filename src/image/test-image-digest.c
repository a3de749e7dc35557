/* SPDX-License-Identifier: Apache-2.0 */

#include "image-digest.h"
#include "strv.h"
#include "tests.h"

#define EMPTY "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void test_valid(void) {
        ASSERT_TRUE(digest_is_valid(EMPTY));
        ASSERT_FALSE(digest_is_valid(NULL));
        ASSERT_FALSE(digest_is_valid(""));
        ASSERT_FALSE(digest_is_valid("sha256:"));
        ASSERT_FALSE(digest_is_valid("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
        ASSERT_FALSE(digest_is_valid("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        ASSERT_FALSE(digest_is_valid(EMPTY "0"));
        ASSERT_FALSE(digest_is_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        ASSERT_TRUE(digest_hex_is_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        ASSERT_FALSE(digest_hex_is_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
        ASSERT_FALSE(digest_hex_is_valid("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void test_hash(void) {
        char d[DIGEST_SHA256_STRING_LEN + 1];
        _cleanup_(sha256_freep) Sha256 *h = NULL;

        ASSERT_OK(digest_of("", 0, d));
        ASSERT_STREQ(d, EMPTY);
        ASSERT_OK(digest_of("abc", 3, d));
        ASSERT_STREQ(d, ABC);

        /* streaming in pieces gives the same */
        ASSERT_OK(sha256_new(&h));
        ASSERT_OK(sha256_update(h, "a", 1));
        ASSERT_OK(sha256_update(h, "", 0));
        ASSERT_OK(sha256_update(h, "bc", 2));
        ASSERT_OK(sha256_final(h, d));
        ASSERT_STREQ(d, ABC);

        ASSERT_OK(digest_verify("abc", 3, ABC));
        ASSERT_ERROR(digest_verify("abd", 3, ABC), EBADMSG);
        ASSERT_ERROR(digest_verify("abc", 3, "sha256:abc"), EINVAL);
}

static void test_chain_ids(void) {
        _cleanup_strv_free_ char **chain = NULL;
        char *one[] = { (char *) EMPTY, NULL };
        char *two[] = { (char *) EMPTY, (char *) ABC, NULL };
        char *bad[] = { (char *) EMPTY, (char *) "sha256:nope", NULL };
        char *none[] = { NULL };
        char want[DIGEST_SHA256_STRING_LEN + 1];

        ASSERT_OK(chain_ids_compute(one, &chain));
        ASSERT_EQ(strv_length(chain), 1);
        ASSERT_STREQ(chain[0], EMPTY);
        chain = strv_free(chain);

        /* ChainID(L0|L1) = sha256(ChainID(L0) + " " + DiffID(L1)) */
        ASSERT_OK(digest_of(EMPTY " " ABC, strlen(EMPTY " " ABC), want));
        ASSERT_OK(chain_ids_compute(two, &chain));
        ASSERT_EQ(strv_length(chain), 2);
        ASSERT_STREQ(chain[0], EMPTY);
        ASSERT_STREQ(chain[1], want);
        /* computed with: printf "%s" "<EMPTY> <ABC>" | sha256sum */
        ASSERT_STREQ(want, "sha256:a893da35bd22286079f2f3931516d3423eb9b4945f2379e0f8a501ec3d665dd6");

        ASSERT_ERROR(chain_ids_compute(bad, &chain), EINVAL);
        ASSERT_ERROR(chain_ids_compute(none, &chain), EINVAL);
        ASSERT_ERROR(chain_ids_compute(NULL, &chain), EINVAL);
}

TEST_MAIN(test_valid, test_hash, test_chain_ids)
