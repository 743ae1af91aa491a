/* fuzz_eval.c - policy and request bytes -> compile -> evaluate -> explain.
 *
 * Input: a policy document, a NUL byte, then one JSON request
 * ({"action", "resource", "principal", "context", ...}). The policy is
 * added as an identity policy and, when it parses as one, as a resource
 * policy too. Every successful compile must evaluate and explain without
 * crashing; an explicit deny must name its statement.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/eval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(struct kh_engine *e, const struct kh_eval_request *req)
{
	struct kh_eval_result res;
	struct kh_buf b;

	if (kh_engine_evaluate(e, req, &res) != KH_OK)
		return;
	if (res.decision == KH_DECISION_EXPLICIT_DENY && res.stmt.kind < 0)
		abort();
	kh_buf_init(&b, 1 << 20);
	kh_engine_explain(e, req, &res, 0, &b);
	kh_buf_reset(&b);
	kh_engine_explain(e, req, &res, 1, &b);
	kh_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	struct kh_policy *p = NULL;
	struct kh_engine *e = NULL;
	struct kh_error err;
	struct kh_eval_request_json rj;
	static const struct kh_eval_request fallback = {.action = "s3:GetObject",
							.resource = "arn:aws:s3:::b/k"};

	if (kh_policy_parse((const char *)data, plen, &p, &err) != KH_OK)
		return 0;
	if (kh_engine_new(&e) != KH_OK) {
		kh_policy_free(p);
		return 0;
	}
	kh_engine_add(e, KH_EVAL_IDENTITY, p, "fuzz", &err);
	kh_engine_add(e, KH_EVAL_RESOURCE, p, "fuzz", &err);
	if (nul && kh_eval_request_parse_json((const char *)nul + 1, size - plen - 1, &rj, &err) ==
			   KH_OK) {
		run(e, &rj.req);
		kh_eval_request_json_release(&rj);
	} else {
		run(e, &fallback);
	}
	kh_engine_free(e);
	kh_policy_free(p);
	return 0;
}
