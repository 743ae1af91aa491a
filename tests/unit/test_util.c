/* test_util.c - internal helpers: the word-at-a-time hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The folding hash of any bytes equals the exact hash of their ASCII
 * lower-case form: every byte value, at every offset in a word and past it. */
static void test_fold_matches_lowered(void **state)
{
	char s[24], low[24];

	(void)state;
	for (int c = 0; c < 256; c++) {
		for (size_t len = 1; len <= sizeof(s); len++) {
			size_t at = (size_t)c % len;
			memset(s, 'Q', len);
			s[at] = (char)c;
			for (size_t i = 0; i < len; i++)
				low[i] = (char)lower((unsigned char)s[i]);
			assert_true(kh_hash_bytes(s, len, 1) == kh_hash_bytes(low, len, 0));
			assert_true(kh_hash_ci(s, len) == kh_hash_bytes(low, len, 0));
		}
	}
}

/* Case matters to the exact hash, and so do length and every byte. */
static void test_exact_distinguishes(void **state)
{
	(void)state;
	assert_true(kh_hash_bytes("ListBucket", 10, 0) != kh_hash_bytes("listbucket", 10, 0));
	assert_true(kh_hash_bytes("ab", 2, 0) != kh_hash_bytes("ab\0", 3, 0));
	assert_true(kh_hash_bytes("arn:aws:s3:::a/b/c1", 19, 0) !=
		    kh_hash_bytes("arn:aws:s3:::a/b/c2", 19, 0));
	assert_true(kh_hash_bytes("", 0, 0) != kh_hash_bytes("\0", 1, 0));
	/* Non-ASCII bytes are not folded: 0xC1 is not 0xE1. */
	assert_true(kh_hash_bytes("\xC1", 1, 1) != kh_hash_bytes("\xE1", 1, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_matches_lowered),
		cmocka_unit_test(test_exact_distinguishes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
