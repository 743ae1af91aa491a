/* emit.h - rendering a generated policy as JSON, Terraform or CloudFormation.
 *
 * All emitters are deterministic: the same result gives the same bytes.
 * Catalog ARN placeholders (${Partition}, ${Region}, ${Account} and names
 * such as ${BucketName}) become each format's own references: Terraform
 * data sources and variables, CloudFormation pseudo parameters and
 * Parameters under Fn::Sub. docs/generate.md shows every shape.
 *
 * Ownership: the emitters append to a caller-owned struct kh_buf and keep
 * nothing; the result is only read.
 */
#ifndef KEYHOLE_EMIT_H
#define KEYHOLE_EMIT_H

#include "keyhole/buf.h"
#include "keyhole/generate.h"

/* Parses "json", "terraform" (or "tf"), "cloudformation" (or "cfn");
 * returns 0, or -1 when unknown. */
int kh_format_parse(const char *s, enum kh_format *out);
const char *kh_format_name(enum kh_format f);

/* Renders res in format f. flags: KH_GEN_CFN_JSON writes CloudFormation as
 * JSON instead of YAML. Returns KH_OK or the buffer's error. */
int kh_emit(const struct kh_generate_result *res, enum kh_format f, unsigned flags,
	    struct kh_buf *out);

/* Writes the whole result as one JSON object, the HTTP API's response:
 * {"policy", "trust_policy" (only with trust), "format", "rendered" (kh_emit
 * in f), "warnings": [{"code","message"}], "added_dependent_actions": [...],
 * "removed_actions": [{"action","reason","grant"}], "policy_size"}. */
int kh_emit_result_json(const struct kh_generate_result *res, enum kh_format f, unsigned flags,
			struct kh_buf *out);

/* Options of kh_emit_result_json_opts. */
enum kh_result_opt {
	KH_RESULT_COMPACT = 1 << 0, /* one line: jansson's JSON_COMPACT layout */
	/* Leave the object open, without its closing '}' and newline, so that
	 * the caller can append members, each starting with ',', and close it. */
	KH_RESULT_OPEN = 1 << 1
};

/* kh_emit_result_json with opts (enum kh_result_opt bits); opts 0 gives
 * exactly the bytes of kh_emit_result_json. */
int kh_emit_result_json_opts(const struct kh_generate_result *res, enum kh_format f,
			     unsigned flags, unsigned opts, struct kh_buf *out);

#endif
