/* test_trail_gz.c - kh_gunzip and kh_trail_read_file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libdeflate.h>

#include "keyhole/trail.h"

/* Compresses data as one gzip member appended to out at *n. */
static void gz_member(const char *data, size_t len, unsigned char *out, size_t cap, size_t *n)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	size_t m = libdeflate_gzip_compress(c, data, len, out + *n, cap - *n);
	libdeflate_free_compressor(c);
	assert_true(m > 0);
	*n += m;
}

/* A deterministic, compressible text of len bytes. */
static char *text(size_t len)
{
	char *t = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		t[i] = "abcdefghij{}\",:0123456789 \n"[(i * 7 + i / 13) % 27];
	t[len] = '\0';
	return t;
}

static void test_single_member(void **state)
{
	(void)state;
	char *t = text(100000);
	unsigned char gz[200000];
	size_t n = 0;
	gz_member(t, 100000, gz, sizeof gz, &n);
	unsigned char *out;
	size_t out_len;
	struct kh_error err = {0};
	assert_int_equal(kh_gunzip(gz, n, 0, &out, &out_len, &err), KH_OK);
	assert_int_equal(out_len, 100000);
	assert_memory_equal(out, t, 100000);
	assert_int_equal(out[out_len], '\0');
	free(out);
	free(t);
}

static void test_multi_member(void **state)
{
	(void)state;
	char *t = text(300000);
	unsigned char gz[400000];
	size_t n = 0;
	/* Three members of different sizes; ISIZE names only the last. */
	gz_member(t, 200000, gz, sizeof gz, &n);
	gz_member(t + 200000, 99990, gz, sizeof gz, &n);
	gz_member(t + 299990, 10, gz, sizeof gz, &n);
	unsigned char *out;
	size_t out_len;
	struct kh_error err = {0};
	assert_int_equal(kh_gunzip(gz, n, 0, &out, &out_len, &err), KH_OK);
	assert_int_equal(out_len, 300000);
	assert_memory_equal(out, t, 300000);
	free(out);
	/* Zero padding after the last member is tolerated; other bytes are not. */
	memset(gz + n, 0, 16);
	assert_int_equal(kh_gunzip(gz, n + 16, 0, &out, &out_len, &err), KH_OK);
	free(out);
	memcpy(gz + n, "junk", 4);
	assert_int_equal(kh_gunzip(gz, n + 4, 0, &out, &out_len, &err), KH_EINPUT);
	assert_null(out);
	free(t);
}

static void test_isize_lies(void **state)
{
	(void)state;
	char *t = text(500000);
	unsigned char gz[600000];
	size_t n = 0;
	gz_member(t, 500000, gz, sizeof gz, &n);
	unsigned char *out;
	size_t out_len;
	struct kh_error err = {0};
	/* ISIZE is a guess for sizing (the multi-member test shows a wrong
	 * guess grows the buffer), but libdeflate also checks it against the
	 * data, so a forged one is refused as corrupt, never trusted. */
	gz[n - 4] = 10, gz[n - 3] = 0, gz[n - 2] = 0, gz[n - 1] = 0;
	assert_int_equal(kh_gunzip(gz, n, 0, &out, &out_len, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "corrupt"));
	assert_null(out);
	/* A huge ISIZE: the first allocation is bounded by the limit and by
	 * what deflate can produce from the input. */
	gz[n - 4] = 0xff, gz[n - 3] = 0xff, gz[n - 2] = 0xff, gz[n - 1] = 0xff;
	assert_int_equal(kh_gunzip(gz, n, 1 << 20, &out, &out_len, &err), KH_EINPUT);
	/* A limit below the real size is refused. */
	gz[n - 4] = 500000 & 0xff, gz[n - 3] = (500000 >> 8) & 0xff, gz[n - 2] = 500000 >> 16;
	gz[n - 1] = 0;
	assert_int_equal(kh_gunzip(gz, n, 0, &out, &out_len, &err), KH_OK);
	assert_int_equal(out_len, 500000);
	free(out);
	assert_int_equal(kh_gunzip(gz, n, 100000, &out, &out_len, &err), KH_ELIMIT);
	assert_null(out);
	free(t);
}

static void test_corrupt(void **state)
{
	(void)state;
	char *t = text(50000);
	unsigned char gz[60000];
	size_t n = 0;
	gz_member(t, 50000, gz, sizeof gz, &n);
	unsigned char *out;
	size_t out_len;
	struct kh_error err = {0};
	assert_int_equal(kh_gunzip(gz, n / 2, 0, &out, &out_len, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "truncated"));
	gz[n / 2] ^= 0x55;
	assert_int_equal(kh_gunzip(gz, n, 0, &out, &out_len, &err), KH_EINPUT);
	assert_int_equal(kh_gunzip((const unsigned char *)"hello world, not gzip", 21, 0, &out,
				   &out_len, &err),
			 KH_EINPUT);
	assert_int_equal(kh_gunzip(gz, 0, 0, &out, &out_len, &err), KH_EINPUT);
	free(t);
}

static void test_read_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/kh-test-gz-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char plain[256], packed[256];
	snprintf(plain, sizeof plain, "%s/a.json", dir);
	snprintf(packed, sizeof packed, "%s/a.json.gz", dir);
	const char *doc = "{\"Records\":[]}";
	unsigned char gz[256];
	size_t n = 0;
	gz_member(doc, strlen(doc), gz, sizeof gz, &n);
	FILE *f = fopen(plain, "wb");
	fwrite(doc, 1, strlen(doc), f);
	fclose(f);
	f = fopen(packed, "wb");
	fwrite(gz, 1, n, f);
	fclose(f);
	unsigned char *out;
	size_t len;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_read_file(plain, 0, &out, &len, &err), KH_OK);
	assert_int_equal(len, strlen(doc));
	free(out);
	assert_int_equal(kh_trail_read_file(packed, 0, &out, &len, &err), KH_OK);
	assert_int_equal(len, strlen(doc));
	assert_memory_equal(out, doc, len);
	free(out);
	assert_int_equal(kh_trail_read_file(plain, 4, &out, &len, &err), KH_ELIMIT);
	assert_int_equal(kh_trail_read_file(packed, 4, &out, &len, &err), KH_ELIMIT);
	assert_non_null(strstr(err.msg, "a.json.gz"));
	char missing[300];
	snprintf(missing, sizeof missing, "%s/none.json", dir);
	assert_int_equal(kh_trail_read_file(missing, 0, &out, &len, &err), KH_ENOTFOUND);
	unlink(plain);
	unlink(packed);
	rmdir(dir);
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* One kh_trail_buf across files: contents, the zero padding after them, and
 * the size limit, which a buffer grown by an earlier file must not lift. */
static void test_load_file_reuse(void **state)
{
	(void)state;
	char dir[] = "/tmp/kh-test-gz-XXXXXX";
	char big[256], small[256];
	char *t = text(300000);
	unsigned char *gz = malloc(400000);
	size_t n = 0;
	struct kh_trail_buf b = {0};
	struct kh_error err = {0};
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(big, sizeof big, "%s/big.json.gz", dir);
	snprintf(small, sizeof small, "%s/small.json", dir);
	gz_member(t, 300000, gz, 400000, &n);
	f = fopen(big, "wb");
	fwrite(gz, 1, n, f);
	fclose(f);
	f = fopen(small, "wb");
	fwrite("{\"Records\":[]}", 1, 14, f);
	fclose(f);

	assert_int_equal(kh_trail_load_file(big, 0, &b, &err), KH_OK);
	assert_int_equal(b.len, 300000);
	assert_memory_equal(b.out, t, 300000);
	assert_true(all_zero(b.out + b.len, KH_TRAIL_PADDING));
	assert_int_equal(kh_trail_load_file(small, 0, &b, &err), KH_OK);
	assert_int_equal(b.len, 14);
	assert_memory_equal(b.out, "{\"Records\":[]}", 14);
	assert_true(all_zero(b.out + b.len, KH_TRAIL_PADDING));
	/* The output buffer now holds 300,000 bytes; the limit still holds. */
	assert_int_equal(kh_trail_load_file(big, 100000, &b, &err), KH_ELIMIT);
	assert_non_null(strstr(err.msg, "big.json.gz"));
	{
		/* A pipe has no size to check up front: the read itself stops. */
		int fds[2];
		char path[64], chunk[1000];
		assert_int_equal(pipe(fds), 0);
		memset(chunk, ' ', sizeof chunk);
		assert_int_equal(write(fds[1], chunk, sizeof chunk), (ssize_t)sizeof chunk);
		close(fds[1]);
		snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
		assert_int_equal(kh_trail_load_file(path, 100, &b, &err), KH_ELIMIT);
		close(fds[0]);
	}
	{
		unsigned char *buf = NULL;
		size_t cap = 0, len = 0;
		assert_int_equal(kh_gunzip_reuse(gz, n, 0, 8, &buf, &cap, &len, &err), KH_OK);
		assert_int_equal(len, 300000);
		assert_true(cap >= len + 8 && all_zero(buf + len, 8));
		assert_int_equal(kh_gunzip_reuse(gz, n, 299999, 8, &buf, &cap, &len, &err),
				 KH_ELIMIT);
		free(buf);
	}
	kh_trail_buf_release(&b);
	assert_null(b.raw);
	unlink(big);
	unlink(small);
	rmdir(dir);
	free(gz);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_member), cmocka_unit_test(test_multi_member),
		cmocka_unit_test(test_isize_lies),    cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_read_file),     cmocka_unit_test(test_load_file_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
