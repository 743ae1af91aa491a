/* buf.h - growable byte buffer with a hard size cap.
 *
 * Invariants: after kh_buf_init, `data` is never NULL and always
 * NUL-terminated, and `len` bytes before the NUL are the contents. An append
 * that would exceed `max` or fails to allocate leaves the contents as they
 * were, sets the sticky `err` and returns it; later appends are refused, so a
 * caller may check once at the end with kh_buf_error(). Nothing is dropped
 * silently. kh_buf_detach() is the one way to take ownership of the bytes.
 */
#ifndef KEYHOLE_BUF_H
#define KEYHOLE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct kh_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap on len; 0 means KH_BUF_DEFAULT_MAX */
	int err;    /* sticky kh_err of the first failed append */
};

#define KH_BUF_DEFAULT_MAX ((size_t)1 << 30)

void kh_buf_init(struct kh_buf *b, size_t max);
/* Frees the contents; the buffer is left initialised and empty. */
void kh_buf_release(struct kh_buf *b);
/* Empties the buffer, keeping its memory and clearing err. */
void kh_buf_reset(struct kh_buf *b);
/* Returns the malloc()'ed contents (never NULL unless err), which the caller
 * free()s, and leaves b empty. Stores the length in *len when not NULL. */
char *kh_buf_detach(struct kh_buf *b, size_t *len);

int kh_buf_add(struct kh_buf *b, const void *data, size_t len);
int kh_buf_puts(struct kh_buf *b, const char *s);
int kh_buf_putc(struct kh_buf *b, char c);
int kh_buf_printf(struct kh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends v in decimal (without printf, for hot loops). */
int kh_buf_put_uint(struct kh_buf *b, unsigned long long v);
int kh_buf_vprintf(struct kh_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
int kh_buf_put_json_string(struct kh_buf *b, const char *s);
/* Appends ["a","b",...] (no spaces). */
int kh_buf_put_json_strings(struct kh_buf *b, const char *const *items, size_t n);
/* Makes sure there is room for n more bytes (plus the NUL). */
int kh_buf_grow(struct kh_buf *b, size_t n);
/* Removes trailing bytes so that len becomes n (n <= len). */
void kh_buf_truncate(struct kh_buf *b, size_t n);
static inline int kh_buf_error(const struct kh_buf *b) { return b->err; }

#endif
