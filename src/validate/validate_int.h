/* validate_int.h - what the validator's files share. Internal. */
#ifndef KEYHOLE_VALIDATE_INT_H
#define KEYHOLE_VALIDATE_INT_H

#include "keyhole/validate.h"

/* What the catalog's ARN templates say of the Region and account fields
 * of one ARN service's ARNs (resources.c): n templates, whether some have
 * a Region, all have one, some have an account. */
struct vc_arn_service {
	char name[48];
	size_t n;
	int some_region, all_region, some_account;
};

/* One validation run. Check functions append through vc_add; the first
 * allocation failure is remembered in rc and later additions are dropped,
 * which kh_validate reports as KH_ENOMEM. arn_services caches the ARN
 * services looked up so far (zero-initialized with the rest). */
struct vctx {
	const struct kh_catalog *cat;
	const struct kh_policy *policy;
	struct kh_validate_opts opts;
	struct kh_findings *out;
	int rc;
	struct vc_arn_service arn_services[8];
	size_t n_arn_services;
};

/* What the policy type asks. Identity policies (managed, inline) need a
 * Resource and take no Principal; resource and trust policies need a
 * Principal; an SCP takes neither and grants nothing: its Allow only sets
 * the most an account's identities may be granted, so the checks that warn
 * of broad grants do not apply to it. */
static inline int vc_is_identity(const struct vctx *vc)
{
	return vc->opts.policy_type <= KH_POLICY_TYPE_INLINE_GROUP;
}
static inline int vc_takes_principal(const struct vctx *vc)
{
	return vc->opts.policy_type == KH_POLICY_TYPE_RESOURCE ||
	       vc->opts.policy_type == KH_POLICY_TYPE_TRUST;
}
static inline int vc_grants(const struct vctx *vc)
{
	return vc->opts.policy_type != KH_POLICY_TYPE_SCP;
}

/* Appends a finding; fix may be NULL. Both texts are printf formats joined
 * by the caller: message first, then fix. */
void vc_add(struct vctx *vc, enum kh_severity sev, const char *code, const char *path,
	    struct kh_pos pos, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Builds "Statement[0].Action[3]" (or "Statement.Action" for a single
 * string) into buf of size n. */
void vc_item_path(char *buf, size_t n, const struct kh_statement *st, const char *key,
		  const struct kh_strlist *l, size_t i);

/* Does pattern (IAM wildcards, case-insensitive) match the action name? */
int vc_action_matches(const char *pattern, const char *full_name);
/* Is the string an Action wildcard pattern? */
int vc_has_wildcard(const char *s);

/* Does Resource entry `wide` match every resource `narrow` does? As IAM
 * matches a resource, a six-field ARN pattern compares field by field (a
 * '*' does not cross the first five colons) and any other compares whole;
 * policy variables are not understood. */
int vc_resource_covers(const char *wide, const char *narrow);

/* Classification of one Action entry against the catalog. */
enum action_kind {
	ACTION_KNOWN,          /* a catalog action */
	ACTION_WILDCARD,       /* a pattern matching at least one action */
	ACTION_STAR,           /* "*" */
	ACTION_BAD_FORMAT,     /* no "service:name" shape */
	ACTION_UNKNOWN_SERVICE,
	ACTION_UNKNOWN,        /* service exists, action does not */
	ACTION_WILDCARD_NONE   /* a pattern matching nothing */
};
enum action_kind vc_classify_action(const struct kh_catalog *cat, const char *s);
/* The finding code of a kind that names nothing, or NULL for a good one. */
const char *vc_action_kind_code(enum action_kind k);

/* Looks a condition key up in the catalog and reports what is wrong with
 * it (format, unknown, a tag key without its tag); `where` is appended to
 * the key in messages (" in '${...}'" for a policy variable, or ""). The
 * catalog's key, or NULL when unknown or not in the catalog. */
const struct kh_condition_key *vc_check_key(struct vctx *vc, const char *key, const char *path,
					    struct kh_pos pos, const char *where);

/* Is s (n bytes) a Region code: us-east-1, us-gov-west-1, eusc-de-east-1? */
int vc_is_region(const char *s, size_t n);

/* Parses an IPv4 or IPv6 address with an optional /prefix within its
 * width into bin (network order); *width is 32 or 128 and *prefix the
 * prefix length (the width when absent). 1 when valid. */
int vc_parse_ip(const char *v, unsigned char bin[16], int *width, int *prefix);

/* What condition values mean (values.c): wildcards under an operator that
 * compares literally, several values for Bool, private ranges in
 * aws:SourceIp, host bits after a CIDR mask, several bounds where one
 * decides, VPC, VPC endpoint and Region identifiers, policy variables under
 * an operator that cannot expand them. base_op is the operator without
 * prefix or IfExists, set is 0, 1 (ForAllValues:) or 2 (ForAnyValue:). */
void vc_check_value_meaning(struct vctx *vc, const struct kh_condition *c, const char *path,
			    const char *base_op, int set);

/* A service's condition key (k, found in the catalog) in a statement with
 * Action, some of whose actions do not take it while at least one action
 * is of the key's service (keyactions.c). */
void vc_check_key_actions(struct vctx *vc, const struct kh_statement *st,
			  const struct kh_condition *c, const struct kh_condition_key *k,
			  const char *path);

/* The checks, one family per file. */
void vc_check_structure(struct vctx *vc, const char *text, size_t len);
void vc_check_actions(struct vctx *vc, const struct kh_statement *st);
void vc_check_resources(struct vctx *vc, const struct kh_statement *st);
void vc_check_conditions(struct vctx *vc, const struct kh_statement *st);
void vc_check_variables(struct vctx *vc, const struct kh_statement *st);
void vc_check_privesc(struct vctx *vc);
/* Condition blocks written as {} (blocks.c); text may be NULL. */
void vc_check_empty_blocks(struct vctx *vc, const char *text, size_t len);
void vc_check_statements(struct vctx *vc);
/* Principal contents in resource and trust policies, and what a role
 * trust policy allows (principals.c). */
void vc_check_principals(struct vctx *vc, const struct kh_statement *st);
void vc_check_trust(struct vctx *vc, const struct kh_statement *st);

/* The privilege-escalation table (privesc_table.c, generated from
 * data/privesc.tsv). */
struct vc_privesc {
	const char *id;
	const char *actions; /* comma-separated full names, all required */
	int resource_star;   /* only when the first action is granted on "*" */
	const char *description;
};
extern const struct vc_privesc vc_privesc_table[];
extern const size_t vc_privesc_count;

#endif
