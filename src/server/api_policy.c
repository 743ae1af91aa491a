/* api_policy.c - POST /v1/policies/generate and /v1/policies/validate. */
#include <stdlib.h>
#include <string.h>

#include "keyhole/emit.h"
#include "keyhole/generate.h"
#include "keyhole/policy.h"
#include "keyhole/validate.h"
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

/* The policy's text: a string member is the document as written (positions
 * in findings refer to it); an object is written out indented. */
static char *policy_text(json_t *policy)
{
	if (json_is_string(policy))
		return strdup(json_string_value(policy));
	return json_is_object(policy) ? json_dumps(policy, JSON_INDENT(2)) : NULL;
}

static int validate_opts(json_t *body, struct kh_validate_opts *opts, struct kh__resp *resp)
{
	json_t *fix = json_object_get(body, "fix"), *type = json_object_get(body, "policy_type");
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		if (strcmp(key, "policy") && strcmp(key, "fix") && strcmp(key, "policy_type")) {
			kh__resp_error(resp, 400, "bad_request", "unknown field '%.64s'", key);
			return -1;
		}
	}
	if (fix && !json_is_boolean(fix)) {
		kh__resp_error(resp, 400, "bad_request", "fix must be true or false");
		return -1;
	}
	memset(opts, 0, sizeof(*opts));
	if (type && (!json_is_string(type) ||
		     kh_policy_type_parse(json_string_value(type), &opts->policy_type) != 0)) {
		kh__resp_error(resp, 400, "bad_request", "unknown policy_type");
		return -1;
	}
	return 0;
}

void kh__api_validate(struct kh__req *req, struct kh__resp *resp)
{
	const struct kh_catalog *cat = req->srv->cfg.catalog;
	json_t *body = kh__body_object(req, resp);
	struct kh_validate_opts opts;
	struct kh_findings findings;
	struct kh_fix_result removed;
	struct kh_policy *policy = NULL;
	char *text;
	int rc, fix;

	if (!body || validate_opts(body, &opts, resp) != 0) {
		json_decref(body);
		return;
	}
	text = policy_text(json_object_get(body, "policy"));
	fix = json_is_true(json_object_get(body, "fix"));
	json_decref(body);
	if (!text) {
		kh__resp_error(resp, 400, "bad_request",
			       "policy must be a policy document (an object, or its text as a string)");
		return;
	}
	kh_findings_init(&findings);
	kh_fix_result_init(&removed);
	rc = kh_validate_text(cat, text, strlen(text), &opts, &findings, &policy, NULL);
	if (rc == KH_OK && fix)
		rc = kh_validate_fix(cat, policy, &removed);
	if (rc == KH_ENOMEM ||
	    kh_findings_write_json(&findings, NULL, &opts, fix ? policy : NULL,
				   fix && policy ? &removed : NULL, &resp->body) != KH_OK)
		kh__resp_error(resp, 500, "internal", "validation failed");
	else
		resp->status = 200;
	kh_policy_free(policy);
	kh_fix_result_release(&removed);
	kh_findings_release(&findings);
	free(text);
}
