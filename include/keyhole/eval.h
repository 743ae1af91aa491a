/* eval.h - the IAM policy evaluation engine and the CI checks built on it.
 *
 * An engine holds policies compiled from struct kh_policy: identity
 * policies, an optional permissions boundary, SCPs (one policy per level of
 * the organization) and an optional resource policy. kh_engine_evaluate
 * decides one request following AWS's documented evaluation logic:
 *
 *   1. an explicit Deny in any applicable policy denies;
 *   2. with SCPs, every level must allow, else the request is implicitly
 *      denied;
 *   3. same account: an Allow in the resource policy naming the principal,
 *      or an Allow in an identity policy within the permissions boundary,
 *      allows; cross account: both the resource policy and the identity
 *      policies (within the boundary) must allow;
 *   4. otherwise the request is implicitly denied.
 *
 * Evaluation allocates nothing: compile once, evaluate many times. An
 * engine is read-only after it is built, so threads may share it.
 *
 * Ownership: kh_engine_new allocates the engine; kh_engine_free frees it and
 * everything compiled into it. The engine copies what it needs from a
 * policy, which the caller may free after kh_engine_add. Requests and
 * results are caller-owned; the engine keeps no pointer to them. Strings in
 * a result point into the engine and live as long as it does.
 */
#ifndef KEYHOLE_EVAL_H
#define KEYHOLE_EVAL_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/error.h"
#include "keyhole/policy.h"

enum kh_eval_kind {
	KH_EVAL_IDENTITY = 0,
	KH_EVAL_BOUNDARY = 1,
	KH_EVAL_SCP = 2,      /* each SCP added is one level of the organization */
	KH_EVAL_RESOURCE = 3, /* at most one */
	KH_EVAL_KINDS = 4
};

enum kh_decision {
	KH_DECISION_IMPLICIT_DENY = 0,
	KH_DECISION_EXPLICIT_DENY = 1,
	KH_DECISION_ALLOW = 2
};

/* Why the decision came out as it did. */
enum kh_eval_reason {
	KH_REASON_NO_ALLOW = 0,       /* nothing allowed the request */
	KH_REASON_DENY_STATEMENT,     /* an explicit Deny matched (see stmt) */
	KH_REASON_SCP_NO_ALLOW,       /* an SCP level allows nothing (see scp_level) */
	KH_REASON_BOUNDARY_NO_ALLOW,  /* identity allows, the boundary does not */
	KH_REASON_CROSS_NO_RESOURCE,  /* cross account: the resource policy does not allow */
	KH_REASON_CROSS_NO_IDENTITY,  /* cross account: no identity policy allows */
	KH_REASON_ALLOW_IDENTITY,     /* an identity Allow (see stmt) */
	KH_REASON_ALLOW_RESOURCE,     /* a resource policy Allow (see stmt) */
	KH_REASON_ALLOW_BOTH,         /* cross account: identity and resource Allow */
	KH_REASON_ALWAYS_ALLOWED      /* sts:GetCallerIdentity needs no permission */
};

/* One context key and its values. is_array marks a multivalued key
 * (written as a JSON array or given more than once); single-valued
 * operators never match such a key, as AWS documents. */
struct kh_eval_key {
	const char *key;
	const char *const *values;
	size_t n_values;
	int is_array;
};

struct kh_eval_request {
	/* An IAM user, role, assumed-role session, federated user or service
	 * principal ("s3.amazonaws.com"). NULL means an unnamed principal in
	 * the resource's account. */
	const char *principal;
	int anonymous; /* an unsigned request; principal is ignored */
	const char *action;   /* "s3:GetObject" */
	const char *resource; /* an ARN, or "*" */
	/* The account owning the resource; NULL takes it from the resource
	 * ARN, or else assumes the principal's account. */
	const char *resource_account;
	const struct kh_eval_key *context;
	size_t n_context;
};

/* A statement: kind, index of the policy among those of that kind (in the
 * order added) and statement index; policy is -1 when there is none. */
struct kh_eval_ref {
	int kind, policy, statement;
};

struct kh_eval_result {
	enum kh_decision decision;
	enum kh_eval_reason reason;
	struct kh_eval_ref stmt;  /* the deciding statement, when there is one */
	struct kh_eval_ref stmt2; /* the resource Allow when reason is ALLOW_BOTH */
	int scp_level;            /* for KH_REASON_SCP_NO_ALLOW */
	int same_account;
};

struct kh_engine;

/* Returns KH_OK or KH_ENOMEM. */
int kh_engine_new(struct kh_engine **out);
void kh_engine_free(struct kh_engine *e);

/* Compiles p into the engine as a policy of the given kind. name labels it
 * in explanations (a file name; copied). Fails with KH_EINPUT, and the
 * position and path of the element in err, on a structural problem of the
 * policy, an unknown condition operator, or a bad IP, date, number or
 * boolean value. On failure the engine is unchanged. */
int kh_engine_add(struct kh_engine *e, enum kh_eval_kind kind, const struct kh_policy *p,
		  const char *name, struct kh_error *err);

/* Number of policies of a kind, and the name given to one of them. */
size_t kh_engine_count(const struct kh_engine *e, enum kh_eval_kind kind);
const char *kh_engine_policy_name(const struct kh_engine *e, enum kh_eval_kind kind, size_t i);

/* Decides req. Never allocates. Returns KH_OK, or KH_EUSAGE when the
 * request lacks an action or resource. */
int kh_engine_evaluate(const struct kh_engine *e, const struct kh_eval_request *req,
		       struct kh_eval_result *res);

/* Why a statement did (not) match a request. */
enum kh_stmt_match {
	KH_MATCH_YES = 0,
	KH_MATCH_ACTION,    /* Action / NotAction does not cover the action */
	KH_MATCH_RESOURCE,  /* Resource / NotResource does not cover the resource */
	KH_MATCH_PRINCIPAL, /* Principal / NotPrincipal does not cover the principal */
	KH_MATCH_CONDITION  /* a condition is false (see *cond) */
};

/* Matches one statement against req; when the result is
 * KH_MATCH_CONDITION, *cond (when not NULL) is the index of the first
 * false condition in the statement's Condition block, in policy order. */
enum kh_stmt_match kh_engine_match_statement(const struct kh_engine *e, struct kh_eval_ref ref,
					     const struct kh_eval_request *req, size_t *cond);

/* Writes the explanation of res for req: the decision, the deciding
 * statement, and for every other statement why it did not match. json=1
 * writes one JSON object (no newline); otherwise indented text lines.
 * Returns KH_OK or the buffer's error. */
int kh_engine_explain(const struct kh_engine *e, const struct kh_eval_request *req,
		      const struct kh_eval_result *res, int json, struct kh_buf *out);

/* "allow", "explicit deny", "implicit deny". */
const char *kh_decision_name(enum kh_decision d);
/* "identity", "boundary", "scp", "resource". */
const char *kh_eval_kind_name(enum kh_eval_kind kind);

/* A request read from one JSON object: {"action": "...", "resource": "...",
 * "principal": "...", "resource_account": "...", "anonymous": false,
 * "context": {"key": "v" | ["v", ...]}}. The strings live in the struct,
 * which kh_eval_request_json_release frees. */
struct kh_eval_request_json {
	struct kh_eval_request req;
	void *priv;
};
int kh_eval_request_parse_json(const char *text, size_t len, struct kh_eval_request_json *out,
			       struct kh_error *err);
void kh_eval_request_json_release(struct kh_eval_request_json *r);

/* ---- Glob languages (IAM wildcard patterns) ---- */

/* Is every string matched by pattern `b` also matched by pattern `a`?
 * '*' matches any run and '?' one character; fold=1 compares ASCII
 * case-insensitively. Exact for these languages. */
int kh_glob_contains(const char *a, const char *b, int fold);

/* Does ARN pattern `a` cover every ARN that ARN pattern `b` covers, with
 * IAM's per-segment rule (a '*' in the first five segments stays inside its
 * segment)? Policy variables are treated as text that must be equal. */
int kh_arn_pattern_contains(const char *a, const char *b);

/* ---- CI checks ---- */

/* One finding of a check. */
struct kh_check_finding {
	char *action;   /* full name, "s3:GetObject", or NULL */
	char *resource; /* a resource pattern, or NULL */
	char *reason;   /* one sentence */
	struct kh_eval_ref stmt;
};

/* Findings of a check; free with kh_check_result_release. */
struct kh_check_result {
	struct kh_check_finding *items;
	size_t n;
};
void kh_check_result_release(struct kh_check_result *r);

/* no-new-access: every (action, resource pattern) allowed by an Allow of
 * `next` that no Allow of `ref` grants. Actions expand exactly against the
 * catalog (honouring NotAction and the Deny statements of each policy that
 * carry no condition); resource patterns compare by glob containment.
 * Statements with conditions count as granting (a conservative reading).
 * One finding per newly allowed action and resource pattern. */
int kh_check_no_new_access(const struct kh_catalog *cat, const struct kh_policy *next,
			   const struct kh_policy *ref, struct kh_check_result *out,
			   struct kh_error *err);

/* access-not-granted: does the policy allow any of the actions (full names
 * or patterns, expanded against the catalog) on any of the resources
 * (NULL/0 means any resource, including "*")? Statements with conditions
 * count as granting. One finding per granted action. */
int kh_check_access_not_granted(const struct kh_catalog *cat, const struct kh_policy *p,
				const char *const *actions, size_t n_actions,
				const char *const *resources, size_t n_resources,
				struct kh_check_result *out, struct kh_error *err);

/* no-public-access: does the resource policy Allow anyone ("*", {"AWS":
 * "*"}, or a NotPrincipal) without a condition that restricts the caller
 * (aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:PrincipalOrgID,
 * aws:PrincipalAccount, aws:PrincipalArn, aws:SourceVpc, aws:SourceVpce,
 * aws:SourceIp, aws:PrincipalOrgPaths, aws:userid, aws:username and
 * service-specific ones such as kms:CallerAccount) with a value that holds
 * no wildcard? type names the resource ("s3", "sqs", "sns", "kms",
 * "lambda", "secretsmanager", ...) and may be NULL. One finding per public
 * statement. */
int kh_check_no_public_access(const struct kh_policy *p, const char *type,
			      struct kh_check_result *out, struct kh_error *err);

#endif
