/* generate.h - from an intent to a least-privilege policy.
 *
 * An intent names a workload (name, source service) and lists grants: a
 * service, optionally one ARN, access levels and optional conditions.
 * kh_generate turns it into a permissions policy whose every action comes
 * from the catalog, plus (on request) the role's trust policy, and reports
 * what it added, left out and warns about. Rendering to JSON, Terraform or
 * CloudFormation lives in emit.h.
 *
 * Ownership: a struct kh_intent owns every string and array reachable from
 * it (all malloc()'ed); kh_intent_release frees them. A struct
 * kh_generate_result owns its policies, warnings and lists until
 * kh_generate_result_release. Catalog pointers inside a result stay valid
 * only while the catalog does. Nothing here prints or exits.
 */
#ifndef KEYHOLE_GENERATE_H
#define KEYHOLE_GENERATE_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/error.h"
#include "keyhole/policy.h"

/* Output formats of the emitters (see emit.h). */
enum kh_format { KH_FORMAT_JSON, KH_FORMAT_TERRAFORM, KH_FORMAT_CLOUDFORMATION };

/* One operator/key pair of a grant's Condition block. */
struct kh_grant_condition {
	char *op;  /* "StringEquals", "ForAnyValue:StringLike", "BoolIfExists" */
	char *key; /* "aws:RequestedRegion" */
	char **values;
	size_t n_values;
};

struct kh_grant {
	char *service;   /* "s3"; NULL: taken from arn */
	char *arn;       /* one ARN pattern; NULL: the catalog's ARN templates */
	unsigned levels; /* enum kh_level bits; 0 only when actions are named */
	/* Actions named one by one ("Publish", "sns:Publish", "Get*Tagging"),
	 * granted beside those of the levels; kh_generate checks each against
	 * the catalog and the ARN. */
	char **actions;
	size_t n_actions;
	struct kh_grant_condition *conditions;
	size_t n_conditions;
	/* Where the grant was written, for error messages: "grants[1]" or
	 * "--allow #2", and its line:column in an intent file (0 if none). */
	char path[32];
	int line, col;
};

/* Generation flags; the intent's own booleans are ORed with the caller's. */
enum kh_generate_flag {
	KH_GEN_WITH_TRUST = 1 << 0,            /* also build the trust policy */
	KH_GEN_COMPACT = 1 << 1,               /* exact wildcards for action runs */
	KH_GEN_INCLUDE_WILDCARD_ONLY = 1 << 2, /* keep Resource-"*"-only actions */
	KH_GEN_CFN_JSON = 1 << 3               /* CloudFormation as JSON (emit) */
};

struct kh_intent {
	char *name;   /* role/policy name; NULL: "keyhole-generated" */
	char *source; /* "lambda", ...; required with KH_GEN_WITH_TRUST */
	struct kh_grant *grants;
	size_t n_grants;
	enum kh_format format; /* KH_FORMAT_JSON unless the intent says */
	unsigned flags;        /* enum kh_generate_flag */
};

void kh_intent_init(struct kh_intent *in);
void kh_intent_release(struct kh_intent *in);

/* Parses the intent JSON (len bytes, need not be NUL-terminated) into in,
 * which must be initialised; on error in is released and err holds the
 * message with line:column and a path such as grants[0].access[1]. Unknown
 * keys, wrong types, unknown levels or operators, invalid UTF-8 and deep
 * nesting are KH_EINPUT. Services and ARNs are checked by kh_generate. */
int kh_intent_parse_json(const char *text, size_t len, struct kh_intent *in,
			 struct kh_error *err);

/* Appends a grant written as [SERVICE:]LEVELS[@ARN], e.g.
 * "s3:read,list@arn:aws:s3:::bucket/obj" or "read@arn:aws:sns:...". An
 * item that starts with an upper-case letter or '*' is an action of the
 * service instead of a level: "sns:Publish@arn:aws:sns:...". */
int kh_intent_add_allow(struct kh_intent *in, const char *spec, struct kh_error *err);

/* Adds a condition written as OPERATOR:KEY=V1[,V2...] to the last grant,
 * e.g. "StringEquals:aws:RequestedRegion=eu-west-1"; the operator may carry
 * a ForAnyValue:/ForAllValues: qualifier. KH_EUSAGE when there is no grant. */
int kh_intent_add_condition(struct kh_intent *in, const char *spec, struct kh_error *err);

/* Is op a condition operator IAM knows (with its qualifiers/IfExists)? */
int kh_condition_operator_valid(const char *op);

/* A warning about the generated policy. code is static and stable:
 * WILDCARD_ONLY_OMITTED, WILDCARD_ONLY_INCLUDED, NO_ACTIONS,
 * DEPENDENT_ACTION_ADDED, DEPENDENT_ACTION_UNKNOWN, POLICY_TOO_LARGE. */
struct kh_gen_warning {
	const char *code;
	char *message;
};

/* An action the intent asked for (by level) that is not in the policy. */
struct kh_removed_action {
	const struct kh_action *action;
	const char *reason; /* static: "wildcard_only" */
	size_t grant;       /* index into the intent's grants */
};

struct kh_generate_result {
	char *name;                    /* the intent's name (or the default) */
	char *source;                  /* NULL when the intent had none */
	const char *trust_principal;   /* "lambda.amazonaws.com" with trust */
	struct kh_policy *policy;      /* the permissions policy */
	struct kh_policy *trust_policy; /* NULL without KH_GEN_WITH_TRUST */
	enum kh_format format;
	unsigned flags;    /* effective enum kh_generate_flag */
	size_t policy_size; /* characters without whitespace, as IAM counts */
	struct kh_gen_warning *warnings;
	size_t n_warnings;
	const struct kh_action **added_dependent; /* sorted by name */
	size_t n_added_dependent;
	struct kh_removed_action *removed; /* in grant, then name order */
	size_t n_removed;
};

/* Generates the policy for intent (flags ORed with the intent's). On KH_OK
 * *res is filled and owned by the caller; on failure it is left released
 * and err says why: unknown service (with close names), malformed ARN, an
 * ARN that no resource type of the service takes, a condition key the
 * service does not know, an unknown source, an intent without grants. */
int kh_generate(const struct kh_catalog *cat, const struct kh_intent *intent, unsigned flags,
		struct kh_generate_result *res, struct kh_error *err);
void kh_generate_result_release(struct kh_generate_result *res);

/* The service principal that assumes a role for source ("lambda" ->
 * "lambda.amazonaws.com"), from data/trust-principals.tsv compiled in;
 * NULL when unknown. */
const char *kh_trust_principal(const char *source);
/* Writes the known source names, comma-separated, sorted, into out. */
int kh_trust_sources(struct kh_buf *out);

#endif
