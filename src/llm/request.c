/* request.c - intent requests that describe their need in words (see
 * kh_describe_expand_intent in keyhole/describe.h). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keyhole/describe.h"
#include "util/jsonpos.h"

/* Puts the parsed intent's grants (and source) into the request object. */
static int merge_parsed(json_t *req, const struct kh_describe_result *res, struct kh_error *err)
{
	json_error_t jerr;
	json_t *parsed = kh_json_load(res->intent.data, res->intent.len, 0, &jerr);
	json_t *grants = parsed ? json_object_get(parsed, "grants") : NULL;
	json_t *source = parsed ? json_object_get(parsed, "source") : NULL;

	if (!json_is_array(grants)) {
		json_decref(parsed);
		return kh_error_set(err, KH_EINTERNAL, "describe produced no grants list");
	}
	json_object_set(req, "grants", grants);
	if (source && !json_object_get(req, "source"))
		json_object_set(req, "source", source);
	json_object_del(req, "describe");
	json_decref(parsed);
	return KH_OK;
}

static int nothing_placed(const struct kh_describe_result *res, struct kh_error *err)
{
	struct kh_buf what;
	int rc;

	kh_buf_init(&what, 300);
	for (size_t i = 0; i < res->n_unparsed; i++)
		kh_buf_printf(&what, "%s'%s'", i ? ", " : "", res->unparsed[i]);
	rc = kh_error_at(err, KH_EINPUT, 0, 0, "describe",
			 "the description names no service and access keyhole can place%s%s",
			 what.len ? "; not understood: " : "", what.data);
	kh_buf_release(&what);
	return rc;
}

int kh_describe_expand_intent(const struct kh_catalog *cat, const char *json, size_t len,
			      const struct kh_describe_opts *opts, struct kh_buf *out,
			      struct kh_describe_result *res, struct kh_error *err)
{
	json_error_t jerr;
	json_t *req = kh_json_load(json, len, JSON_REJECT_DUPLICATES, &jerr);
	const json_t *text;
	struct kh_describe_opts o = opts ? *opts : (struct kh_describe_opts){0};
	char *dumped;
	int rc;

	if (!req)
		return kh_error_at(err, KH_EINPUT, jerr.line, jerr.column, NULL, "invalid JSON: %s",
				   jerr.text);
	text = json_object_get(req, "describe");
	if (!json_is_object(req) || !text) {
		json_decref(req);
		return kh_buf_add(out, json, len); /* nothing to describe */
	}
	if (!json_is_string(text) || json_object_get(req, "grants")) {
		const char *why = json_is_string(text) ? "give \"describe\" or \"grants\", not both"
						       : "\"describe\" must be a string";
		json_decref(req);
		return kh_error_at(err, KH_EINPUT, 0, 0, "describe", "%s", why);
	}
	if (!o.name && json_is_string(json_object_get(req, "name")))
		o.name = json_string_value(json_object_get(req, "name"));
	rc = kh_describe_parse(cat, json_string_value(text), &o, res, err);
	if (rc == KH_OK && !res->n_grants)
		rc = nothing_placed(res, err);
	if (rc == KH_OK)
		rc = merge_parsed(req, res, err);
	if (rc == KH_OK) {
		dumped = json_dumps(req, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		rc = dumped ? kh_buf_puts(out, dumped) : kh_error_set(err, KH_ENOMEM, "out of memory");
		free(dumped);
	}
	json_decref(req);
	return rc;
}
