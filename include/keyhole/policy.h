/* policy.h - the IAM policy document model.
 *
 * kh_policy_parse turns JSON text into a struct kh_policy and records, as
 * problems, whatever is structurally wrong (a missing Effect, an Action that
 * is a number, an unknown key) without failing, so the validator can report
 * them all. Only text that is not JSON at all (or nests too deep, or holds a
 * duplicate key) fails, with the line:column in the kh_error.
 *
 * Every element keeps its 1-based line:column. Paths are written like
 * "Statement[1].Action[2]" ("Statement.Action" when Statement is an object).
 *
 * Ownership: the policy owns everything reachable from it; free it with
 * kh_policy_free(). Builders (kh_policy_new, kh_statement_add, ...) copy
 * the strings they are given.
 */
#ifndef KEYHOLE_POLICY_H
#define KEYHOLE_POLICY_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/error.h"

struct kh_pos {
	int line, col; /* 0,0 for elements that were built, not parsed */
};

/* A string or an array of strings, such as Action or Resource. */
struct kh_strlist {
	char **items;
	struct kh_pos *pos; /* one per item */
	size_t n;
	int present;  /* the key was in the document */
	int is_array; /* written as an array; a single string otherwise */
	struct kh_pos key_pos;
};

enum kh_value_type { KH_VALUE_STRING, KH_VALUE_NUMBER, KH_VALUE_BOOL, KH_VALUE_NULL };

/* One operator/key pair of a Condition block: {"StringEquals":{"k":["a","b"]}}.
 * Values keep their JSON type so they serialize back as they came. */
struct kh_condition {
	char *op;  /* "StringEquals", "ForAnyValue:StringLike", "NumericLessThanIfExists" */
	char *key; /* "aws:SourceIp" */
	char **values;
	enum kh_value_type *types;
	struct kh_pos *value_pos;
	size_t n_values;
	int values_is_array;
	struct kh_pos op_pos, key_pos;
};

/* Principal / NotPrincipal: "*" or a map of type -> values. */
struct kh_principal_entry {
	char *type; /* "AWS", "Service", "Federated", "CanonicalUser" */
	struct kh_strlist values;
};

struct kh_principal {
	int present;
	int is_star; /* "Principal": "*" */
	struct kh_principal_entry *entries;
	size_t n_entries;
	struct kh_pos pos;
};

enum kh_effect { KH_EFFECT_MISSING = 0, KH_EFFECT_ALLOW, KH_EFFECT_DENY, KH_EFFECT_INVALID };

struct kh_statement {
	char *sid; /* NULL when absent */
	struct kh_pos sid_pos;
	enum kh_effect effect;
	char *effect_raw; /* the text as written, NULL when absent */
	struct kh_pos effect_pos;
	struct kh_principal principal, not_principal;
	struct kh_strlist action, not_action, resource, not_resource;
	struct kh_condition *conditions;
	size_t n_conditions;
	int has_condition;
	struct kh_pos pos;   /* the statement object */
	char path[32];       /* "Statement[3]" or "Statement" */
};

/* Something structurally wrong, found while parsing. */
struct kh_policy_problem {
	const char *code; /* stable, e.g. "UNKNOWN_KEY", "INVALID_EFFECT" (static) */
	char *message;
	char *path;
	struct kh_pos pos;
};

struct kh_policy {
	char *version; /* NULL when absent */
	struct kh_pos version_pos;
	char *id;
	struct kh_statement *statements;
	size_t n_statements;
	int statement_is_array;
	int has_statement;
	struct kh_policy_problem *problems;
	size_t n_problems;
	size_t source_len; /* bytes of the parsed text */
};

/* Parses text (len bytes, need not be NUL-terminated). On KH_OK, *out is a
 * new policy. On KH_EINPUT, err holds the message and line:column. */
int kh_policy_parse(const char *text, size_t len, struct kh_policy **out, struct kh_error *err);
void kh_policy_free(struct kh_policy *p);

/* Serializes deterministically: keys in canonical order (Version, Id,
 * Statement; Sid, Effect, Principal, NotPrincipal, Action, NotAction,
 * Resource, NotResource, Condition), two-space indent, arrays kept as
 * arrays and single strings as strings. compact=1 writes no whitespace. */
int kh_policy_write(const struct kh_policy *p, struct kh_buf *out, int compact);

/* Size as IAM counts it against its quotas: characters outside JSON string
 * literals that are whitespace are not counted. */
size_t kh_policy_text_size(const char *text, size_t len);
#define KH_POLICY_MAX_MANAGED 6144
#define KH_POLICY_MAX_INLINE_ROLE 10240
#define KH_POLICY_MAX_INLINE_USER 2048
#define KH_POLICY_MAX_INLINE_GROUP 5120

/* Builders. Each returns KH_OK or KH_ENOMEM. */
struct kh_policy *kh_policy_new(void); /* Version "2012-10-17", no statements */
struct kh_statement *kh_policy_add_statement(struct kh_policy *p, const char *sid,
					     enum kh_effect effect);
int kh_strlist_add(struct kh_strlist *l, const char *s);
int kh_statement_add_condition(struct kh_statement *st, const char *op, const char *key,
			       const char *const *values, size_t n);
/* Removes item i, keeping order. */
void kh_strlist_remove(struct kh_strlist *l, size_t i);
void kh_strlist_release(struct kh_strlist *l);

#endif
