/* buf.c - growable byte buffer with a hard size cap (see keyhole/buf.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/buf.h"
#include "keyhole/error.h"

static char kh_buf_empty[1];

void kh_buf_init(struct kh_buf *b, size_t max)
{
	b->data = kh_buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : KH_BUF_DEFAULT_MAX;
	b->err = KH_OK;
}

void kh_buf_release(struct kh_buf *b)
{
	if (b->cap)
		free(b->data);
	kh_buf_init(b, b->max);
}

void kh_buf_reset(struct kh_buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
	b->err = KH_OK;
}

char *kh_buf_detach(struct kh_buf *b, size_t *len)
{
	char *out;
	if (b->err)
		return NULL;
	if (!b->cap) {
		out = calloc(1, 1);
		if (!out)
			return NULL;
	} else {
		out = b->data;
	}
	if (len)
		*len = b->len;
	kh_buf_init(b, b->max);
	return out;
}

int kh_buf_grow(struct kh_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->err)
		return b->err;
	if (n > b->max - b->len)
		return b->err = KH_ELIMIT;
	want = b->len + n + 1;
	if (want <= b->cap)
		return KH_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->cap ? b->data : NULL, cap);
	if (!p)
		return b->err = KH_ENOMEM;
	if (!b->cap)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return KH_OK;
}

int kh_buf_add(struct kh_buf *b, const void *data, size_t len)
{
	int rc = kh_buf_grow(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return KH_OK;
}

int kh_buf_puts(struct kh_buf *b, const char *s)
{
	return kh_buf_add(b, s, strlen(s));
}

int kh_buf_putc(struct kh_buf *b, char c)
{
	if (b->err || b->len + 2 > b->cap || b->len >= b->max)
		return kh_buf_add(b, &c, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return KH_OK;
}

int kh_buf_put_uint(struct kh_buf *b, unsigned long long v)
{
	char digits[24];
	size_t n = sizeof(digits);

	do
		digits[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return kh_buf_add(b, digits + n, sizeof(digits) - n);
}

int kh_buf_vprintf(struct kh_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	int rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return b->err ? b->err : (b->err = KH_EINTERNAL);
	rc = kh_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return KH_OK;
}

int kh_buf_printf(struct kh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = kh_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int kh_buf_put_json_string(struct kh_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	kh_buf_putc(b, '"');
	for (; *p; p++) {
		const unsigned char *run = p;
		while (*p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			kh_buf_add(b, run, (size_t)(p - run)); /* the common case: no escape */
		if (!*p)
			break;
		switch (*p) {
		case '"': kh_buf_add(b, "\\\"", 2); break;
		case '\\': kh_buf_add(b, "\\\\", 2); break;
		case '\n': kh_buf_add(b, "\\n", 2); break;
		case '\r': kh_buf_add(b, "\\r", 2); break;
		case '\t': kh_buf_add(b, "\\t", 2); break;
		default: { /* the other control characters */
			char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			kh_buf_add(b, esc, 6);
		}
		}
	}
	return kh_buf_putc(b, '"');
}

int kh_buf_put_json_strings(struct kh_buf *b, const char *const *items, size_t n)
{
	kh_buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			kh_buf_putc(b, ',');
		kh_buf_put_json_string(b, items[i]);
	}
	return kh_buf_putc(b, ']');
}

void kh_buf_truncate(struct kh_buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}
