/* file.c - reading one CloudTrail file into memory (kh_trail_read_file).
 *
 * The whole file is read, then decompressed when it starts with the gzip
 * magic. Regular files are read in one allocation sized by fstat; other
 * files (pipes, "-" for stdin) are read into a growing buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyhole/trail.h"

#define FILE_DEFAULT_MAX ((size_t)1 << 32)

/* Reads fd to its end into *buf (of *cap bytes, malloc()'ed, grown as
 * needed, possibly reused), followed by pad zero bytes (pad >= 1). */
static int read_all_into(int fd, const char *path, size_t hint, size_t max, size_t pad,
			 unsigned char **buf, size_t *cap, size_t *out_len, struct kh_error *err)
{
	size_t len = 0, want = (hint ? hint : 65536) + pad;
	if (want > max + pad)
		want = max + pad;
	if (*cap < want) {
		unsigned char *p = realloc(*buf, want);
		if (!p)
			return kh_error_set(err, KH_ENOMEM, "no memory to read '%s'", path);
		*buf = p;
		*cap = want;
	}
	for (;;) {
		if (len + pad == *cap) {
			/* Full: probe for one more byte before growing, so an exact
			 * size hint costs no reallocation. */
			unsigned char probe;
			ssize_t n = read(fd, &probe, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				break;
			if (n < 0)
				return kh_error_set(err, KH_EIO, "cannot read '%s': %s", path,
						    strerror(errno));
			if (len >= max)
				return kh_error_set(err, KH_ELIMIT,
						    "'%s' is larger than the %zu-byte limit", path, max);
			size_t ncap = *cap * 2 > max + pad ? max + pad : *cap * 2;
			unsigned char *p = realloc(*buf, ncap);
			if (!p)
				return kh_error_set(err, KH_ENOMEM, "no memory to read '%s'", path);
			*buf = p;
			*cap = ncap;
			(*buf)[len++] = probe;
			continue;
		}
		/* A reused buffer may be larger than max: read one byte past max
		 * at most, enough to know the input is too large. */
		size_t room = *cap - pad - len;
		if (room > max + 1 - len)
			room = max + 1 - len;
		ssize_t n = read(fd, *buf + len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kh_error_set(err, KH_EIO, "cannot read '%s': %s", path,
					    strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return kh_error_set(err, KH_ELIMIT, "'%s' is larger than the %zu-byte limit",
					    path, max);
	}
	memset(*buf + len, 0, pad);
	*out_len = len;
	return KH_OK;
}

/* Opens path ("-": stdin) and reads it raw into *buf; see read_all_into. */
static int read_path(const char *path, size_t max, size_t pad, unsigned char **buf, size_t *cap,
		     size_t *len, struct kh_error *err)
{
	int use_stdin = strcmp(path, "-") == 0;
	int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t hint = 0;
	int rc;

	if (fd < 0)
		return kh_error_set(err, errno == ENOENT ? KH_ENOTFOUND : KH_EIO,
				    "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size > max) {
			if (!use_stdin)
				close(fd);
			return kh_error_set(err, KH_ELIMIT,
					    "'%s' is larger than the %zu-byte limit", path, max);
		}
		hint = (size_t)st.st_size;
	}
	rc = read_all_into(fd, path, hint, max, pad, buf, cap, len, err);
	if (!use_stdin)
		close(fd);
	return rc;
}

static int is_gzip(const unsigned char *p, size_t len)
{
	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Names the file in a decompression error. */
static int name_file(int rc, const char *path, struct kh_error *err)
{
	if (rc && err) {
		struct kh_error inner = *err;
		kh_error_set(err, rc, "'%s': %s", path, inner.msg);
	}
	return rc;
}

int kh_trail_load_file(const char *path, size_t max, struct kh_trail_buf *b,
		       struct kh_error *err)
{
	size_t raw_len = 0;
	int rc;

	b->out = NULL;
	b->len = 0;
	if (max == 0)
		max = FILE_DEFAULT_MAX;
	rc = read_path(path, max, KH_TRAIL_PADDING, &b->raw, &b->raw_cap, &raw_len, err);
	if (rc)
		return rc;
	if (!is_gzip(b->raw, raw_len)) {
		b->out = b->raw;
		b->len = raw_len;
		return KH_OK;
	}
	rc = kh_gunzip_reuse(b->raw, raw_len, max, KH_TRAIL_PADDING, &b->data, &b->data_cap,
			     &b->len, err);
	if (rc == KH_OK)
		b->out = b->data;
	return name_file(rc, path, err);
}

void kh_trail_buf_release(struct kh_trail_buf *b)
{
	free(b->raw);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int kh_trail_read_file(const char *path, size_t max, unsigned char **out, size_t *out_len,
		       struct kh_error *err)
{
	unsigned char *raw = NULL;
	size_t cap = 0, raw_len = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (max == 0)
		max = FILE_DEFAULT_MAX;
	if ((rc = read_path(path, max, 1, &raw, &cap, &raw_len, err)) != KH_OK) {
		free(raw);
		return rc;
	}
	if (!is_gzip(raw, raw_len)) {
		*out = raw;
		*out_len = raw_len;
		return KH_OK;
	}
	rc = kh_gunzip(raw, raw_len, max, out, out_len, err);
	free(raw);
	return name_file(rc, path, err);
}
