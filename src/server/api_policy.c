/* api_policy.c - POST /v1/policies/generate and /v1/policies/validate. */
#include <stdlib.h>
#include <string.h>

#include "keyhole/emit.h"
#include "keyhole/generate.h"
#include "server/server_int.h"

/* A 400 from a library error, with its position and JSON path. */
static void input_error(struct kh__resp *resp, const struct kh_error *err)
{
	const char *code = "bad_request";
	if (err->line > 0)
		kh__resp_error(resp, 400, code, "%d:%d: %s%s%s", err->line, err->col, err->msg,
			       err->path[0] ? " at " : "", err->path);
	else
		kh__resp_error(resp, 400, code, "%s%s%s", err->msg, err->path[0] ? " at " : "",
			       err->path);
}

void kh__api_generate(struct kh__req *req, struct kh__resp *resp)
{
	struct kh_intent intent;
	struct kh_generate_result res;
	struct kh_error err = {0};

	if (req->body.len == 0) {
		kh__resp_error(resp, 400, "bad_request", "the request body is empty; expected an"
			       " intent JSON object");
		return;
	}
	kh_intent_init(&intent);
	if (kh_intent_parse_json(req->body.data, req->body.len, &intent, &err) != KH_OK) {
		input_error(resp, &err);
		return;
	}
	if (kh_generate(req->srv->cfg.catalog, &intent, 0, &res, &err) != KH_OK) {
		if (err.code == KH_ENOMEM || err.code == KH_EINTERNAL)
			kh__resp_error(resp, 500, "internal", "policy generation failed");
		else
			input_error(resp, &err);
		kh_intent_release(&intent);
		return;
	}
	if (kh_emit_result_json(&res, res.format, res.flags, &resp->body) != KH_OK)
		kh__resp_error(resp, 500, "internal", "cannot write the result");
	else
		resp->status = 200;
	kh_generate_result_release(&res);
	kh_intent_release(&intent);
}

void kh__api_validate(struct kh__req *req, struct kh__resp *resp)
{
	kh__resp_error(resp, 501, "not_implemented", "policy validation is not in this build yet");
}
