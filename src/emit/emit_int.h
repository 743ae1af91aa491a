/* emit_int.h - helpers shared by the emitters. */
#ifndef KEYHOLE_EMIT_INT_H
#define KEYHOLE_EMIT_INT_H

#include <stddef.h>

#include "keyhole/emit.h"

/* Finds the next catalog placeholder "${Word}" (Word letters and digits)
 * in s; returns a pointer to its '$' and sets *name and *len to Word, or NULL. */
const char *kh__next_placeholder(const char *s, const char **name, size_t *len);

/* Which pseudo placeholder a name is: 'P'artition, 'R'egion, 'A'ccount, or
 * 0 for a name placeholder such as BucketName. */
int kh__pseudo_placeholder(const char *name, size_t len);

/* The name placeholders of the policy's resources, sorted and unique, as a
 * malloc()'ed array of malloc()'ed strings (kh__names_free). */
struct kh__names {
	char **items;
	size_t n;
};
int kh__collect_names(const struct kh_policy *p, struct kh__names *out);
void kh__names_free(struct kh__names *names);

/* "BucketName" -> "bucket_name", "DBInstanceName" -> "db_instance_name". */
void kh__snake(struct kh_buf *out, const char *s, size_t len);

/* Appends the API result (kh_emit_result_json) for res, f and the rendered
 * text to out without a JSON tree, opts as kh_emit_result_json_opts. Returns KH__DIRECT_UNSURE, leaving out
 * as it was, when only jansson would write this result exactly; else KH_OK
 * or out's error. */
#define KH__DIRECT_UNSURE 1
int kh__result_json_direct(const struct kh_generate_result *res, enum kh_format f,
			   const struct kh_buf *rendered, unsigned opts, struct kh_buf *out);

/* kh_buf_put_json_string, copying runs that need no escape in one go. */
int kh__put_json_string(struct kh_buf *out, const char *s);

/* Appends p exactly as kh_policy_write(p, out, 0) writes it, less its
 * final newline, with every line after the first indented by depth levels
 * (two spaces each). Returns KH_OK or out's error. */
int kh__write_policy(const struct kh_policy *p, int depth, struct kh_buf *out);

int kh__emit_terraform(const struct kh_generate_result *res, struct kh_buf *out);
int kh__emit_cloudformation(const struct kh_generate_result *res, int json, struct kh_buf *out);

#endif
