/* eval_int.h - the compiled form of policies, shared by src/eval/ files.
 *
 * Policies compile into arrays held in one arena per engine. A pattern
 * (action, resource, condition value) becomes a list of units: literal
 * runs, '*', '?' and policy variables, so matching needs no allocation:
 * variables resolve against the request at match time.
 */
#ifndef KEYHOLE_EVAL_INT_H
#define KEYHOLE_EVAL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "keyhole/eval.h"
#include "util/util.h"

enum ev_unit_kind { EV_LIT, EV_STAR, EV_ONE, EV_VAR };

struct ev_unit {
	uint8_t kind;
	uint8_t has_default; /* EV_VAR with ${key, 'default'} */
	uint32_t len;        /* EV_LIT: text length; EV_VAR: key length */
	const char *text;    /* EV_LIT: the text; EV_VAR: the key */
	const char *def;     /* EV_VAR: the default text */
	uint32_t def_len;
};

struct ev_pat {
	const struct ev_unit *u;
	uint32_t n;
	uint8_t literal;     /* one EV_LIT (or empty): compare directly */
	uint8_t has_var;
	const char *raw;     /* as written */
};

/* An ARN pattern: "*" alone, six segments (arn:p:s:r:a:resource), or a
 * plain glob when it is not an ARN. */
struct ev_arn {
	uint8_t all;
	uint8_t segmented;
	struct ev_pat seg[6];
	struct ev_pat whole;
};

/* Values of a request, prepared once: lower-cased action, the resource
 * split into segments, accounts. */
struct ev_req {
	const struct kh_eval_request *r;
	char action[256];
	size_t action_len;
	const char *rseg[6];
	size_t rseg_len[6];
	int rsegmented;
	size_t resource_len;
	const char *principal_account; /* NULL when none */
	size_t principal_account_len;
	const char *resource_account;
	size_t resource_account_len;
	int principal_kind; /* enum ev_principal_kind */
	int has_boundary;
};

enum ev_principal_kind {
	EV_PK_UNNAMED, EV_PK_ANONYMOUS, EV_PK_USER, EV_PK_ROLE, EV_PK_SESSION,
	EV_PK_FEDERATED, EV_PK_SERVICE, EV_PK_OTHER
};

/* Condition operator families. */
enum ev_family {
	EV_F_STR_EQ, EV_F_STR_EQ_IC, EV_F_STR_LIKE, EV_F_NUM, EV_F_DATE, EV_F_BOOL,
	EV_F_BINARY, EV_F_IP, EV_F_ARN, EV_F_NULL
};
enum ev_cmp { EV_CMP_EQ, EV_CMP_LT, EV_CMP_LE, EV_CMP_GT, EV_CMP_GE };
enum ev_set { EV_SET_NONE, EV_SET_ANY, EV_SET_ALL };

struct ev_ip {
	uint8_t v6;
	uint8_t bits;
	uint8_t addr[16];
};

struct ev_cval {
	struct ev_pat pat;   /* string, bool, binary families */
	struct ev_arn arn;   /* ARN family */
	double num;          /* numeric, date (seconds since the epoch) */
	struct ev_ip ip;
	int boolean;         /* Null: 1 for "true" */
};

struct ev_cond {
	uint8_t family, cmp, set, negated, if_exists;
	const char *op;  /* as written */
	const char *key; /* as written; looked up case-insensitively */
	size_t key_len;
	const struct ev_cval *v;
	size_t n;
};

enum ev_pr_kind { EV_PR_ANY, EV_PR_ACCOUNT, EV_PR_ARN, EV_PR_SERVICE, EV_PR_OTHER };

struct ev_prin {
	uint8_t kind;
	const char *value; /* ARN, account id, service or other identifier */
	size_t len;
};

/* How a resource-policy principal matched the request's principal. */
enum ev_pmatch {
	EV_PM_NONE = 0, EV_PM_ACCOUNT, EV_PM_SESSION_ROLE, EV_PM_SESSION_USER, EV_PM_EXACT,
	EV_PM_ANY
};

struct ev_stmt {
	uint8_t allow;
	uint8_t not_action, not_resource, not_principal, has_principal;
	const struct ev_pat *actions;
	size_t n_actions;
	const struct ev_arn *resources;
	size_t n_resources;
	const struct ev_prin *principals;
	size_t n_principals;
	const struct ev_cond *conds;
	size_t n_conds;
	const char *sid; /* or NULL */
	const char *path;
	int line, col;
};

struct ev_policy {
	const char *name;
	const struct ev_stmt *st;
	size_t n;
};

struct kh_engine {
	struct kh_arena arena;
	struct ev_policy *pol[KH_EVAL_KINDS];
	size_t n[KH_EVAL_KINDS], cap[KH_EVAL_KINDS];
};

/* pattern.c */
/* Compiles text into a pattern; wild=0 makes '*' and '?' literal,
 * vars=0 makes ${...} literal, fold=1 lower-cases literals. */
int ev_pat_compile(struct kh_arena *a, const char *text, size_t len, int wild, int vars,
		   int fold, struct ev_pat *out);
int ev_arn_compile(struct kh_arena *a, const char *text, int vars, struct ev_arn *out);
/* 1 match, 0 no match, -1 a variable did not resolve. */
int ev_pat_match(const struct ev_pat *p, const char *s, size_t n, int fold,
		 const struct kh_eval_request *r);
int ev_arn_match(const struct ev_arn *p, const struct ev_req *q);
/* Splits an ARN into six segments; 0 when it is not a six-segment ARN. */
int ev_arn_split(const char *s, size_t n, const char **seg, size_t *len);
int ev_arn_match_str(const struct ev_arn *p, const char *s, size_t n,
		     const struct kh_eval_request *r);
const struct kh_eval_key *ev_lookup(const struct kh_eval_request *r, const char *key,
				    size_t len);

/* condition.c */
int ev_cond_compile(struct kh_arena *a, const struct kh_condition *c, const char *path,
		    struct ev_cond *out, struct kh_error *err);
int ev_cond_eval(const struct ev_cond *c, const struct kh_eval_request *r);
int ev_parse_ip(const char *s, size_t n, struct ev_ip *out, int allow_cidr);
int ev_parse_date(const char *s, size_t n, double *out);
int ev_parse_number(const char *s, size_t n, double *out);

/* decide.c */
void ev_req_prepare(const struct kh_engine *e, const struct kh_eval_request *r,
		    struct ev_req *q);
enum kh_stmt_match ev_stmt_match(const struct ev_stmt *s, int kind, const struct ev_req *q,
				 int *pmatch, size_t *cond);
const struct ev_stmt *ev_stmt_at(const struct kh_engine *e, struct kh_eval_ref ref);
/* Does a Resource/NotResource pattern of the statement hold a variable
 * that the request cannot resolve? */
int ev_resource_unresolved(const struct kh_engine *e, struct kh_eval_ref ref,
			   const struct kh_eval_request *req);

#endif
