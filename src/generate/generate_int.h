/* generate_int.h - internals shared by the generator's files. */
#ifndef KEYHOLE_GENERATE_INT_H
#define KEYHOLE_GENERATE_INT_H

#include "keyhole/generate.h"
#include "util/util.h"

/* Appends a warning to res; returns KH_OK or KH_ENOMEM. */
int kh__warn(struct kh_generate_result *res, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Rewrites actions (full names of one statement, sorted, no duplicates)
 * with "service:Prefix*" wildcards wherever the wildcard expands within the
 * catalog to a subset of the list, so the statement never grants more.
 * Prefixes end at word boundaries of the CamelCase name. */
int kh__compact_actions(const struct kh_catalog *cat, struct kh_strlist *actions);

/* Builds the trust policy letting principal ("lambda.amazonaws.com")
 * assume the role; NULL on no memory. */
struct kh_policy *kh__trust_policy(const char *principal, const char *source);

/* kh_policy_text_size of p as kh_policy_write writes it, without writing
 * it: the characters IAM counts against its size limits. */
size_t kh__policy_size(const struct kh_policy *p);

/* Writes the CamelCase form of s ("orders-fn" -> "OrdersFn", "s3" -> "S3"),
 * keeping letters and digits, at most max characters. */
void kh__camel(struct kh_buf *out, const char *s, size_t len, size_t max);

#endif

/* ---- the generator's working state (generate.c, statements.c) ---- */

/* One (action, resource) pair the policy will allow. */
struct kh__entry {
	const struct kh_action *action;
	const char *resource; /* an ARN, a catalog template or "*" (arena) */
	const char *rt_name;  /* the resource type of a template, for Sids */
	const char *cond;     /* canonical text of the conditions; "" for none */
	const struct kh_grant *cond_grant; /* whose conditions apply, or NULL */
	size_t grant;         /* the grant it came from */
	unsigned levels;      /* the requested levels the action has */
};

struct kh__gen {
	const struct kh_catalog *cat;
	const struct kh_intent *in;
	unsigned flags;
	struct kh_generate_result *res;
	struct kh_error *err;
	struct kh_arena arena;
	struct kh__entry *e;
	size_t n, cap;
	struct kh_strmap granted; /* full name -> action, for every entry */
};

/* Groups the entries into statements of res->policy: one statement per
 * set of conditions and resources, actions and resources sorted, unique
 * Sids; compacts the actions with KH_GEN_COMPACT. */
int kh__build_statements(struct kh__gen *g);

/* Indices of gr's conditions sorted by operator, then key (arena). */
const size_t *kh__sorted_conditions(struct kh_arena *arena, const struct kh_grant *gr);
