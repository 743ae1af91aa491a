/* rightsize.h - from observed usage to the least-privilege policy.
 *
 * kh_rightsize takes one principal's usage (usage.h) and builds the policy
 * that allows exactly what it called: each used action, scoped to the
 * resources the logs showed, generalized to a common-prefix wildcard when
 * there are more than max_resources of them, and "*" (reported) when the
 * logs cannot show the resource. With a current policy it labels every
 * granted action used, unused or not observable. The policy is returned
 * inside a struct kh_generate_result, so the same emitters render it.
 *
 * Ownership: the result owns its policy, strings and arrays until
 * kh_rightsize_result_release; pointers into the usage summary and the
 * catalog stay valid only while those do. Nothing here prints.
 */
#ifndef KEYHOLE_RIGHTSIZE_H
#define KEYHOLE_RIGHTSIZE_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/generate.h"
#include "keyhole/policy.h"
#include "keyhole/usage.h"

enum kh_rightsize_flag {
	KH_RS_INCLUDE_DENIED = 1 << 0,     /* grant denied calls too */
	KH_RS_RESTRICT_REGIONS = 1 << 1,   /* aws:RequestedRegion condition */
	KH_RS_GENERALIZE_REGION = 1 << 2,  /* ARNs use ${Region} */
	KH_RS_GENERALIZE_ACCOUNT = 1 << 3  /* ARNs use ${Account} */
};

struct kh_rightsize_options {
	const char *principal; /* canonical ARN, as in the usage summary */
	const char *name;      /* policy name; NULL: from the principal */
	size_t max_resources;  /* per action before generalizing; 0: 10 */
	unsigned flags;        /* enum kh_rightsize_flag */
	const struct kh_policy *current; /* optional: the policy in place */
};

/* Why an action ended up on Resource "*". */
enum kh_star_reason {
	KH_STAR_NONE = 0,
	KH_STAR_NO_RESOURCE_TYPES, /* the action only takes "*" */
	KH_STAR_NOT_DERIVABLE      /* the logs did not show the resource */
};

struct kh_rightsize_action {
	const struct kh_action *action;
	const struct kh_usage_entry *entry;
	char **resources; /* as granted (generalized); {"*"} on a star */
	size_t n_resources;
	int generalized;
	enum kh_star_reason star;
};

struct kh_rightsize_call {
	const char *action; /* points into the usage summary */
	char *resource;     /* owned; "*" when the logs did not show it */
};

enum kh_grant_state { KH_GRANT_USED, KH_GRANT_UNUSED, KH_GRANT_NOT_OBSERVABLE };

struct kh_granted_action {
	const struct kh_action *action;
	enum kh_grant_state state;
};

struct kh_rightsize_result {
	struct kh_generate_result gen; /* gen.policy is the right-sized policy */
	const struct kh_usage_principal *principal;
	const struct kh_usage_scan *scan;
	struct kh_rightsize_action *actions; /* granted, sorted by name */
	size_t n_actions;
	const struct kh_usage_entry **denied, **unmapped, **no_permission;
	size_t n_denied, n_unmapped, n_no_permission;
	/* With a current policy: every action it grants, expanded. */
	struct kh_granted_action *granted;
	size_t n_granted, n_granted_used, n_granted_unused, n_granted_unobservable;
	/* The proof: every observed (action, resource) pair evaluated against
	 * the new policy by the evaluation engine (eval.h). Anything under
	 * coverage_total is a bug. */
	size_t coverage_allowed, coverage_total;
	/* With a current policy: observed calls it would deny. They succeeded,
	 * so they came through a policy the current-policy input lacks. */
	struct kh_rightsize_call *current_denied;
	size_t n_current_denied;
};

/* Finds the summary's principal that spec names: a role ARN with or
 * without its path, an assumed-role session (its role), a user, root; or,
 * for an access key, the one principal the summary holds (scan with that
 * key). *key points into the summary. KH_ENOTFOUND when none made calls,
 * KH_EUSAGE for a bad spec or an ambiguous one; err says which. */
int kh_usage_resolve_principal(struct kh_usage *u, const char *spec, const char **key,
			       struct kh_error *err);

/* KH_ENOTFOUND when the principal is not in the usage summary. */
int kh_rightsize(const struct kh_catalog *cat, struct kh_usage *usage,
		 const struct kh_rightsize_options *opts, struct kh_rightsize_result *res,
		 struct kh_error *err);
void kh_rightsize_result_release(struct kh_rightsize_result *res);

/* Reads `aws iam get-account-authorization-details` output and merges the
 * role's or user's inline and attached policies (and a user's groups') into
 * one new policy (*out, caller frees). KH_ENOTFOUND for an unknown ARN. */
int kh_authz_policy(const char *text, size_t len, const char *principal, struct kh_policy **out,
		    struct kh_error *err);

enum kh_report_format { KH_REPORT_TEXT, KH_REPORT_JSON, KH_REPORT_MARKDOWN };
int kh_report_format_parse(const char *s, enum kh_report_format *out);

/* Writes the right-size report: what was scanned, used actions with counts
 * and first/last seen, resources on "*" and why, denied, unmapped and
 * no-permission calls, and with a current policy the granted actions with
 * their state and the share used. */
int kh_rightsize_report(const struct kh_rightsize_result *res, enum kh_report_format f,
			struct kh_buf *out);

#endif
