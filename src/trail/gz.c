/* gz.c - gzip decompression with libdeflate (kh_gunzip).
 *
 * The output is sized from the ISIZE trailer, which is only a hint: it is
 * the size of the last member modulo 2^32 and may lie. A wrong guess costs
 * one retry of the member with a doubled buffer. Members are decompressed
 * one at a time, so concatenated gzip files work. */
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/trail.h"

#define GZ_DEFAULT_MAX ((size_t)1 << 32)
#define GZ_MIN_MEMBER 18 /* 10-byte header + empty deflate + 8-byte trailer */
#define DEFLATE_MAX_RATIO 1032

static int is_gzip_at(const unsigned char *in, size_t len, size_t off)
{
	return len - off >= 2 && in[off] == 0x1f && in[off + 1] == 0x8b;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* First guess at the output size: the trailer's ISIZE, kept within what
 * deflate can produce from len bytes and within max. */
static size_t first_guess(const unsigned char *in, size_t len, size_t max)
{
	const unsigned char *t = in + len - 4;
	size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
	size_t bound = len < SIZE_MAX / DEFLATE_MAX_RATIO ? len * DEFLATE_MAX_RATIO : SIZE_MAX;
	size_t guess = isize < len ? len * 2 : isize;
	if (guess > bound)
		guess = bound;
	if (guess > max)
		guess = max;
	return guess < 4096 ? 4096 : guess;
}

/* Grows *buf to hold at least want+pad bytes (want never more than max). */
static int grow(unsigned char **buf, size_t *cap, size_t want, size_t max, size_t pad)
{
	if (want > max)
		want = max;
	if (want + pad <= *cap)
		return KH_OK;
	unsigned char *p = realloc(*buf, want + pad);
	if (!p)
		return KH_ENOMEM;
	*buf = p;
	*cap = want + pad;
	return KH_OK;
}

/* Decompresses the members of in[] one after another into *buf, keeping
 * pad bytes free at the end. */
static int inflate_members(struct libdeflate_decompressor *d, const unsigned char *in, size_t len,
			   size_t max, size_t pad, unsigned char **buf, size_t *cap, size_t *used,
			   struct kh_error *err)
{
	size_t off = 0;
	for (unsigned member = 0; off < len; member++) {
		if (!is_gzip_at(in, len, off)) {
			if (member > 0 && all_zero(in + off, len - off))
				break; /* zero padding after the last member */
			return kh_error_set(err, KH_EINPUT,
					    "not gzip data at byte offset %zu (member %u)", off,
					    member);
		}
		size_t in_used = 0, out_used = 0;
		enum libdeflate_result res;
		for (;;) {
			/* A reused buffer may be larger than max: never write past max. */
			size_t limit = *cap - pad < max ? *cap - pad : max;
			res = libdeflate_gzip_decompress_ex(d, in + off, len - off, *buf + *used,
							    limit - *used, &in_used, &out_used);
			if (res != LIBDEFLATE_INSUFFICIENT_SPACE)
				break;
			if (limit >= max)
				return kh_error_set(err, KH_ELIMIT,
						    "gzip data expands beyond the %zu-byte limit",
						    max);
			size_t want = limit > max / 2 ? max : limit * 2;
			if (grow(buf, cap, want, max, pad))
				return kh_error_set(err, KH_ENOMEM, "no memory for %zu bytes",
						    want);
		}
		if (res != LIBDEFLATE_SUCCESS)
			return kh_error_set(err, KH_EINPUT,
					    "corrupt or truncated gzip data in member %u at byte "
					    "offset %zu",
					    member, off);
		*used += out_used;
		off += in_used;
	}
	return KH_OK;
}

int kh_gunzip_reuse(const unsigned char *in, size_t len, size_t max, size_t pad,
		    unsigned char **buf, size_t *cap, size_t *out_len, struct kh_error *err)
{
	size_t used = 0;
	int rc;

	*out_len = 0;
	if (max == 0)
		max = GZ_DEFAULT_MAX;
	if (pad == 0)
		pad = 1;
	if (!in || len < GZ_MIN_MEMBER || !is_gzip_at(in, len, 0))
		return kh_error_set(err, KH_EINPUT, "not gzip data (%zu bytes)", len);

	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (!d)
		return kh_error_set(err, KH_ENOMEM, "no memory for a decompressor");
	if (grow(buf, cap, first_guess(in, len, max), max, pad))
		rc = kh_error_set(err, KH_ENOMEM, "no memory for the gzip output");
	else
		rc = inflate_members(d, in, len, max, pad, buf, cap, &used, err);
	libdeflate_free_decompressor(d);
	if (rc)
		return rc;
	memset(*buf + used, 0, pad);
	*out_len = used;
	return KH_OK;
}

int kh_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out,
	      size_t *out_len, struct kh_error *err)
{
	unsigned char *buf = NULL;
	size_t cap = 0;
	int rc = kh_gunzip_reuse(in, len, max, 1, &buf, &cap, out_len, err);

	if (rc) {
		free(buf);
		*out = NULL;
		return rc;
	}
	*out = buf;
	return KH_OK;
}
