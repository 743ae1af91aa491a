/* validate.h - lint an IAM policy: the checks behind `keyhole validate`.
 *
 * Modelled on IAM Access Analyzer's policy validation, and reusing its check
 * codes where a check is the same. kh_validate runs every check over a
 * parsed policy and appends findings; kh_validate_text also parses, turning
 * text that is not JSON into a JSON_SYNTAX_ERROR finding. kh_validate_fix
 * removes the actions that name nothing (unknown actions and wildcards that
 * match no action), the scrub step applied to generated policies.
 *
 * Ownership: a struct kh_findings owns its array and every string in it
 * except `code`, which is static. The caller initialises it with
 * kh_findings_init and frees it with kh_findings_release. Likewise for
 * struct kh_fix_result. The library never prints; the writers below append
 * to a caller's struct kh_buf.
 *
 * Findings are sorted by line, column, code (then path and message), so the
 * output of the same input is byte-identical from run to run.
 */
#ifndef KEYHOLE_VALIDATE_H
#define KEYHOLE_VALIDATE_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/error.h"
#include "keyhole/policy.h"

/* Ordered by gravity, so `sev >= fail_on` is the exit test. */
enum kh_severity {
	KH_SEV_SUGGESTION = 0,
	KH_SEV_WARNING = 1,
	KH_SEV_SECURITY_WARNING = 2,
	KH_SEV_ERROR = 3
};
#define KH_SEV_COUNT 4

/* "ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION". */
const char *kh_severity_name(enum kh_severity sev);
/* Parses a name as above (case-insensitive; "security-warning" also works).
 * Returns KH_OK or KH_EUSAGE. */
int kh_severity_parse(const char *s, enum kh_severity *out);

struct kh_finding {
	enum kh_severity severity;
	const char *code; /* stable, e.g. "INVALID_ACTION" (static) */
	char *path;       /* "Statement[1].Action[2]", "" for the whole policy */
	int line, col;    /* 1-based; 0 when unknown (a built policy) */
	char *message;    /* lower-case start, quotes its subject */
	char *fix;        /* a suggested change, or NULL */
};

struct kh_findings {
	struct kh_finding *items;
	size_t n, cap;
};

void kh_findings_init(struct kh_findings *f);
void kh_findings_release(struct kh_findings *f);
/* How many findings have exactly severity sev. */
size_t kh_findings_count(const struct kh_findings *f, enum kh_severity sev);
/* The gravest severity present, or -1 when there are no findings. */
int kh_findings_max_severity(const struct kh_findings *f);
/* Sorts by line, col, code, path, message. kh_validate sorts already. */
void kh_findings_sort(struct kh_findings *f);

/* The policy types whose size quotas and element rules differ. */
enum kh_policy_type {
	KH_POLICY_TYPE_MANAGED = 0, /* customer managed identity policy (default) */
	KH_POLICY_TYPE_INLINE_ROLE,
	KH_POLICY_TYPE_INLINE_USER,
	KH_POLICY_TYPE_INLINE_GROUP,
	KH_POLICY_TYPE_RESOURCE, /* a resource-based policy (bucket, queue, key) */
	KH_POLICY_TYPE_TRUST,    /* a role trust policy: the role's resource policy */
	KH_POLICY_TYPE_SCP       /* an AWS Organizations service control policy */
};
#define KH_POLICY_TYPE_COUNT (KH_POLICY_TYPE_SCP + 1)
/* "managed", "inline-role", "inline-user", "inline-group", "resource",
 * "trust", "scp". Returns KH_OK or KH_EUSAGE. */
int kh_policy_type_parse(const char *s, enum kh_policy_type *out);
const char *kh_policy_type_name(enum kh_policy_type t);
/* The size quota in characters of type t (whitespace outside strings is
 * not counted, except in an SCP, where every character counts). */
size_t kh_policy_type_limit(enum kh_policy_type t);

struct kh_validate_opts {
	enum kh_policy_type policy_type;
};

/* Checks policy (parsed from text, len bytes) and appends its findings to
 * out, sorted. text may be NULL for a built policy; the size is then
 * measured on the canonical compact form. opts may be NULL (defaults).
 * Returns KH_OK, or KH_ENOMEM (out then holds what was found so far). */
int kh_validate(const struct kh_catalog *cat, const struct kh_policy *policy, const char *text,
		size_t len, const struct kh_validate_opts *opts, struct kh_findings *out);

/* Parses text and validates it. On KH_OK, *policy_out (when not NULL)
 * receives the parsed policy, which the caller kh_policy_free()s. When the
 * text is not a policy at all (not JSON, not UTF-8, too deep, not an
 * object), returns KH_EINPUT, fills err, and also appends one ERROR finding
 * (JSON_SYNTAX_ERROR) so callers that only report findings lose nothing. */
int kh_validate_text(const struct kh_catalog *cat, const char *text, size_t len,
		     const struct kh_validate_opts *opts, struct kh_findings *out,
		     struct kh_policy **policy_out, struct kh_error *err);

/* One element removed by kh_validate_fix. */
struct kh_fix_removal {
	char *value;      /* the action text as written, "s3:GetObjekt" */
	char *path;       /* where it was, "Statement[0].Action[1]" */
	int line, col;
	const char *code; /* why: INVALID_ACTION, INVALID_SERVICE_IN_ACTION, ... */
};

struct kh_fix_result {
	struct kh_fix_removal *items;
	size_t n;
	size_t statements_removed; /* left with no action at all */
};
void kh_fix_result_init(struct kh_fix_result *r);
void kh_fix_result_release(struct kh_fix_result *r);

/* Removes, in place, every Action and NotAction entry that names nothing
 * in cat: unknown services, unknown actions, malformed names and wildcards
 * that match no action. A statement whose Action list becomes empty is
 * removed (an Action-less statement is invalid). Each removal is appended
 * to removed, in document order. Positions of what remains are kept.
 * Returns KH_OK or KH_ENOMEM. */
int kh_validate_fix(const struct kh_catalog *cat, struct kh_policy *policy,
		    struct kh_fix_result *removed);

/* Appends findings as text, one line each, in the style of compilers:
 *   file:line:col: severity: CODE: message [path]
 * followed, when a fix exists, by "  fix: ..." on its own line. severity is
 * written lower-case ("error", "security-warning"). */
int kh_findings_write_text(const struct kh_findings *f, const char *file, struct kh_buf *out);

/* Appends one JSON object:
 *   {"file": ..., "policy_type": ..., "findings": [...], "totals": {...},
 *    "fixed_policy": {...}, "removed": [...]}
 * file may be NULL (omitted). fixed_policy (a policy, written compact) and
 * removed are omitted when NULL. Each finding is {"severity", "code",
 * "path", "line", "column", "message", "fix"?}. Totals count findings by
 * severity name. Output is indented by two spaces per level, one finding
 * per line, and ends without a newline. */
int kh_findings_write_json(const struct kh_findings *f, const char *file,
			   const struct kh_validate_opts *opts,
			   const struct kh_policy *fixed_policy,
			   const struct kh_fix_result *removed, struct kh_buf *out);

#endif
