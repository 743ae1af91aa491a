/* api_policy.c - POST /v1/policies/generate, /v1/policies/validate and
 * /v1/intents/describe. */
#include <stdlib.h>
#include <string.h>

#include "keyhole/describe.h"
#include "keyhole/emit.h"
#include "keyhole/generate.h"
#include "keyhole/policy.h"
#include "keyhole/validate.h"
#include "server/server_int.h"
#include "util/jsonpos.h"

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

static void describe_opts(const struct kh_server *srv, struct kh_describe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->llm_url = srv->llm_url;
	o->llm_model = srv->llm_model;
	o->llm_api_key = srv->llm_api_key;
}

static json_t *string_array(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Does the body look like an intent that says what it needs in words? Only
 * then does it go through the free-text parser, so that other intents keep
 * the intent parser's positions in their errors. */
static int has_describe(const struct kh_buf *body)
{
	json_t *v = kh_json_load(body->data, body->len, 0, NULL);
	int yes = json_is_object(v) && json_object_get(v, "describe") != NULL;
	json_decref(v);
	return yes;
}

/* The emitted result, written compact straight into the response and left
 * open, plus the intent it came from and what the free-text parser could
 * not place. */
static void respond_generated(struct kh__resp *resp, const struct kh_generate_result *res,
			      const struct kh_buf *intent_text, const struct kh_describe_result *dr)
{
	json_t *intent = kh_json_load(intent_text->data, intent_text->len, 0, NULL);
	json_t *unparsed = string_array(dr->unparsed, dr->n_unparsed);
	json_t *notes = string_array(dr->notes, dr->n_notes);
	char *i = intent ? json_dumps(intent, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	char *u = json_dumps(unparsed, JSON_COMPACT), *n = json_dumps(notes, JSON_COMPACT);

	if (!i || !u || !n ||
	    kh_emit_result_json_opts(res, res->format, res->flags,
				     KH_RESULT_COMPACT | KH_RESULT_OPEN, &resp->body) != KH_OK) {
		kh_buf_reset(&resp->body);
		kh__resp_error(resp, 500, "internal", "cannot write the result");
	} else {
		kh_buf_printf(&resp->body, ",\"intent\":%s,\"unparsed\":%s,\"notes\":%s}\n", i, u, n);
		resp->status = kh_buf_error(&resp->body) ? 500 : 200;
	}
	free(i);
	free(u);
	free(n);
	json_decref(intent);
	json_decref(unparsed);
	json_decref(notes);
}

void kh__api_generate(struct kh__req *req, struct kh__resp *resp)
{
	const struct kh_catalog *cat = req->srv->cfg.catalog;
	struct kh_intent intent;
	struct kh_generate_result res;
	struct kh_describe_result dr;
	struct kh_describe_opts dopts;
	struct kh_buf text;
	struct kh_error err = {0};

	if (req->body.len == 0) {
		kh__resp_error(resp, 400, "bad_request", "the request body is empty; expected an"
			       " intent JSON object");
		return;
	}
	kh_describe_result_init(&dr);
	kh_buf_init(&text, 0);
	kh_intent_init(&intent);
	describe_opts(req->srv, &dopts);
	if (has_describe(&req->body)) {
		if (kh_describe_expand_intent(cat, req->body.data, req->body.len, &dopts, &text, &dr,
					      &err) != KH_OK) {
			if (err.code == KH_ENOMEM)
				kh__resp_error(resp, 500, "internal", "out of memory");
			else
				input_error(resp, &err);
			goto out;
		}
	} else if (kh_buf_add(&text, req->body.data, req->body.len) != KH_OK) {
		kh__resp_error(resp, 500, "internal", "out of memory");
		goto out;
	}
	if (kh_intent_parse_json(text.data, text.len, &intent, &err) != KH_OK) {
		input_error(resp, &err);
		goto out;
	}
	if (kh_generate(cat, &intent, 0, &res, &err) != KH_OK) {
		if (err.code == KH_ENOMEM || err.code == KH_EINTERNAL)
			kh__resp_error(resp, 500, "internal", "policy generation failed");
		else
			input_error(resp, &err);
		goto out;
	}
	respond_generated(resp, &res, &text, &dr);
	kh_generate_result_release(&res);
out:
	kh_intent_release(&intent);
	kh_buf_release(&text);
	kh_describe_result_release(&dr);
}

/* {"text": "...", "name"?: "..."} -> {intent, unparsed, notes, terms,
 * used_model}: the free-text parse on its own, for a preview. */
void kh__api_describe(struct kh__req *req, struct kh__resp *resp)
{
	json_t *body = kh__body_object(req, resp);
	struct kh_describe_opts opts;
	struct kh_describe_result dr;
	struct kh_error err = {0};
	const char *key, *text, *name;
	json_t *v;
	int rc;

	if (!body)
		return;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "text") && strcmp(key, "name")) {
			kh__resp_error(resp, 400, "bad_request", "unknown field '%.64s'", key);
			json_decref(body);
			return;
		}
	}
	text = json_string_value(json_object_get(body, "text"));
	name = json_string_value(json_object_get(body, "name"));
	if (!text || (json_object_get(body, "name") && (!name || !*name))) {
		kh__resp_error(resp, 400, "bad_request", !text ? "text must be a string"
							  : "name must be a non-empty string");
		json_decref(body);
		return;
	}
	describe_opts(req->srv, &opts);
	opts.name = name;
	kh_describe_result_init(&dr);
	rc = kh_describe_parse(req->srv->cfg.catalog, text, &opts, &dr, &err);
	if (rc == KH_OK && kh_describe_result_json(&dr, &resp->body) == KH_OK)
		resp->status = 200;
	else if (rc == KH_ELIMIT || rc == KH_EUSAGE || rc == KH_EINPUT)
		input_error(resp, &err);
	else
		kh__resp_error(resp, 500, "internal", "cannot read the text");
	kh_describe_result_release(&dr);
	json_decref(body);
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
