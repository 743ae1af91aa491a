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

/* Reads fd to its end into a malloc()'ed, NUL-terminated buffer. */
static int read_all(int fd, const char *path, size_t hint, size_t max, unsigned char **out,
		    size_t *out_len, struct kh_error *err)
{
	size_t cap = (hint ? hint : 65536) + 1, len = 0;
	if (cap > max + 1)
		cap = max + 1;
	unsigned char *buf = malloc(cap);
	if (!buf)
		return kh_error_set(err, KH_ENOMEM, "no memory to read '%s'", path);
	for (;;) {
		if (len + 1 == cap) {
			/* Full: probe for one more byte before growing, so an exact
			 * size hint costs no reallocation. */
			unsigned char probe;
			ssize_t n = read(fd, &probe, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				break;
			int rc = n < 0 ? kh_error_set(err, KH_EIO, "cannot read '%s': %s", path,
						      strerror(errno))
			       : len >= max ? kh_error_set(err, KH_ELIMIT,
							   "'%s' is larger than the %zu-byte limit",
							   path, max)
					    : KH_OK;
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			unsigned char *p = rc ? NULL : realloc(buf, ncap);
			if (!rc && !p)
				rc = kh_error_set(err, KH_ENOMEM, "no memory to read '%s'", path);
			if (rc) {
				free(buf);
				return rc;
			}
			buf = p;
			cap = ncap;
			buf[len++] = probe;
			continue;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return kh_error_set(err, KH_EIO, "cannot read '%s': %s", path,
					    strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return KH_OK;
}

int kh_trail_read_file(const char *path, size_t max, unsigned char **out, size_t *out_len,
		       struct kh_error *err)
{
	*out = NULL;
	*out_len = 0;
	if (max == 0)
		max = FILE_DEFAULT_MAX;
	int use_stdin = strcmp(path, "-") == 0;
	int fd = use_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kh_error_set(err, errno == ENOENT ? KH_ENOTFOUND : KH_EIO,
				    "cannot open '%s': %s", path, strerror(errno));
	struct stat st;
	size_t hint = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size > max) {
			if (!use_stdin)
				close(fd);
			return kh_error_set(err, KH_ELIMIT,
					    "'%s' is larger than the %zu-byte limit", path, max);
		}
		hint = (size_t)st.st_size;
	}
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	int rc = read_all(fd, path, hint, max, &raw, &raw_len, err);
	if (!use_stdin)
		close(fd);
	if (rc)
		return rc;
	if (raw_len < 2 || raw[0] != 0x1f || raw[1] != 0x8b) {
		*out = raw;
		*out_len = raw_len;
		return KH_OK;
	}
	rc = kh_gunzip(raw, raw_len, max, out, out_len, err);
	free(raw);
	if (rc && err) {
		/* Name the file in the message. */
		struct kh_error inner = *err;
		kh_error_set(err, rc, "'%s': %s", path, inner.msg);
	}
	return rc;
}
