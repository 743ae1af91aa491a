/* result.c - the generate result: warnings, release, and small text helpers
 * shared by the generator's files. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "generate/generate_int.h"

int kh__warn(struct kh_generate_result *res, const char *code, const char *fmt, ...)
{
	struct kh_gen_warning *ws = realloc(res->warnings, (res->n_warnings + 1) * sizeof(*ws));
	struct kh_buf msg;
	va_list ap;

	if (!ws)
		return KH_ENOMEM;
	res->warnings = ws;
	kh_buf_init(&msg, 8192);
	va_start(ap, fmt);
	kh_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (kh_buf_error(&msg)) {
		kh_buf_release(&msg);
		return KH_ENOMEM;
	}
	ws[res->n_warnings].code = code;
	ws[res->n_warnings].message = kh_buf_detach(&msg, NULL);
	res->n_warnings++;
	return KH_OK;
}

void kh_generate_result_release(struct kh_generate_result *res)
{
	free(res->name);
	free(res->source);
	kh_policy_free(res->policy);
	kh_policy_free(res->trust_policy);
	for (size_t i = 0; i < res->n_warnings; i++)
		free(res->warnings[i].message);
	free(res->warnings);
	free(res->added_dependent);
	free(res->removed);
	memset(res, 0, sizeof(*res));
}

void kh__camel(struct kh_buf *out, const char *s, size_t len, size_t max)
{
	int upper = 1;
	size_t n = 0;
	for (size_t i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) || c > 0x7f) {
			upper = 1;
			continue;
		}
		kh_buf_putc(out, (char)(upper ? toupper(c) : c));
		upper = 0;
		n++;
	}
}
