/* error.c - error codes and messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "keyhole/error.h"

const char *kh_strerror(int code)
{
	switch (code) {
#define KH_ERR_CASE(name, value, text)                                                            \
	case value:                                                                                \
		return text;
		KH_ERRORS(KH_ERR_CASE)
#undef KH_ERR_CASE
	}
	return "unknown error";
}

static void error_fill(struct kh_error *err, int code, int line, int col, const char *path,
		       const char *fmt, va_list ap)
{
	err->code = code;
	err->line = line;
	err->col = col;
	snprintf(err->path, sizeof(err->path), "%s", path ? path : "");
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int kh_error_set(struct kh_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return code;
	va_start(ap, fmt);
	error_fill(err, code, 0, 0, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int kh_error_at(struct kh_error *err, int code, int line, int col, const char *path,
		const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return code;
	va_start(ap, fmt);
	error_fill(err, code, line, col, path, fmt, ap);
	va_end(ap);
	return code;
}
