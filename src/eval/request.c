/* request.c - reading a request from JSON (the simulate batch format). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"
#include "util/jsonpos.h"

struct req_priv {
	json_t *root;
	struct kh_eval_key *keys;
	const char **values;
};

static int opt_string(json_t *root, const char *name, const char **out, struct kh_error *err)
{
	json_t *v = json_object_get(root, name);
	*out = NULL;
	if (!v || json_is_null(v))
		return KH_OK;
	if (!json_is_string(v))
		return kh_error_at(err, KH_EINPUT, 0, 0, name, "'%s' must be a string", name);
	*out = json_string_value(v);
	return KH_OK;
}

/* Counts the values of the context object, checking their types. */
static int count_values(json_t *ctx, size_t *n, struct kh_error *err)
{
	const char *k;
	json_t *v;
	*n = 0;
	json_object_foreach(ctx, k, v) {
		if (json_is_string(v)) {
			(*n)++;
			continue;
		}
		if (!json_is_array(v))
			return kh_error_at(err, KH_EINPUT, 0, 0, "context",
					   "context value of '%s' must be a string or an array", k);
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)))
				return kh_error_at(err, KH_EINPUT, 0, 0, "context",
						   "values of '%s' must be strings", k);
		*n += json_array_size(v);
	}
	return KH_OK;
}

static int fill_context(json_t *ctx, struct req_priv *p, struct kh_eval_request *r,
			struct kh_error *err)
{
	size_t nk = json_object_size(ctx), nv, ki = 0, vi = 0;
	const char *k;
	json_t *v;
	int rc;

	if ((rc = count_values(ctx, &nv, err)) != KH_OK)
		return rc;
	p->keys = calloc(nk ? nk : 1, sizeof(*p->keys));
	p->values = calloc(nv ? nv : 1, sizeof(*p->values));
	if (!p->keys || !p->values)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	json_object_foreach(ctx, k, v) {
		struct kh_eval_key *key = &p->keys[ki++];
		key->key = k;
		key->values = p->values + vi;
		key->is_array = json_is_array(v);
		if (!key->is_array) {
			p->values[vi++] = json_string_value(v);
		} else {
			for (size_t i = 0; i < json_array_size(v); i++)
				p->values[vi++] = json_string_value(json_array_get(v, i));
		}
		key->n_values = (size_t)(p->values + vi - key->values);
	}
	r->context = p->keys;
	r->n_context = nk;
	return KH_OK;
}

static int fill(json_t *root, struct req_priv *p, struct kh_eval_request *r,
		struct kh_error *err)
{
	json_t *ctx, *anon;
	int rc;

	if (!json_is_object(root))
		return kh_error_set(err, KH_EINPUT, "a request must be a JSON object");
	if ((rc = opt_string(root, "action", &r->action, err)) ||
	    (rc = opt_string(root, "resource", &r->resource, err)) ||
	    (rc = opt_string(root, "principal", &r->principal, err)) ||
	    (rc = opt_string(root, "resource_account", &r->resource_account, err)))
		return rc;
	if (!r->action)
		return kh_error_at(err, KH_EINPUT, 0, 0, "action", "request needs an 'action'");
	if (!r->resource)
		r->resource = "*";
	anon = json_object_get(root, "anonymous");
	r->anonymous = anon && json_is_true(anon);
	ctx = json_object_get(root, "context");
	if (ctx && !json_is_null(ctx)) {
		if (!json_is_object(ctx))
			return kh_error_at(err, KH_EINPUT, 0, 0, "context",
					   "'context' must be an object");
		return fill_context(ctx, p, r, err);
	}
	return KH_OK;
}

int kh_eval_request_parse_json(const char *text, size_t len, struct kh_eval_request_json *out,
			       struct kh_error *err)
{
	json_error_t jerr;
	struct req_priv *p = calloc(1, sizeof(*p));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	out->priv = p;
	p->root = kh_json_load(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->root) {
		kh_eval_request_json_release(out);
		return kh_error_at(err, KH_EINPUT, jerr.line, jerr.column, NULL, "%s", jerr.text);
	}
	rc = fill(p->root, p, &out->req, err);
	if (rc != KH_OK)
		kh_eval_request_json_release(out);
	return rc;
}

void kh_eval_request_json_release(struct kh_eval_request_json *r)
{
	struct req_priv *p = r->priv;
	if (p) {
		json_decref(p->root);
		free(p->keys);
		free(p->values);
		free(p);
	}
	memset(r, 0, sizeof(*r));
}
