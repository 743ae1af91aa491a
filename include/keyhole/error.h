/* error.h - keyhole's one error convention.
 *
 * Library functions return an int: KH_OK (0) on success or a negative
 * kh_err. Functions that can fail on input also take a `struct kh_error *`
 * (which may be NULL) and fill it with a message and, when known, the
 * location of the problem. The library never prints and never exits.
 * Codes are never renumbered; a retired code stays reserved.
 */
#ifndef KEYHOLE_ERROR_H
#define KEYHOLE_ERROR_H

#include <stddef.h>

#define KH_ERRORS(X)                                                 \
	X(OK, 0, "success")                                          \
	X(ENOMEM, -1, "out of memory")                               \
	X(EUSAGE, -2, "invalid argument")                            \
	X(EINPUT, -3, "invalid input")                               \
	X(EIO, -4, "input/output error")                             \
	X(ENOTFOUND, -5, "not found")                                \
	X(ELIMIT, -6, "size limit exceeded")                         \
	X(EINTERNAL, -7, "internal error")                           \
	X(ENETWORK, -8, "network error")

typedef enum {
#define KH_ERR_ENUM(name, value, text) KH_##name = value,
	KH_ERRORS(KH_ERR_ENUM)
#undef KH_ERR_ENUM
} kh_err;

/* Returns a static, lower-case description of code. */
const char *kh_strerror(int code);

/* Location and text of an error. Caller-owned, fixed size: no allocation. */
struct kh_error {
	int code;          /* a kh_err */
	int line, col;     /* 1-based position in the input; 0 when unknown */
	char path[160];    /* JSON path such as Statement[1].Action[2], or "" */
	char msg[400];     /* lower-case message, quoting the subject */
};

/* Fills err (when not NULL) and returns code, so callers can write
 * `return kh_error_set(err, KH_EINPUT, "unknown service '%s'", s);`. */
int kh_error_set(struct kh_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like kh_error_set, with a position and JSON path (path may be NULL). */
int kh_error_at(struct kh_error *err, int code, int line, int col, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
