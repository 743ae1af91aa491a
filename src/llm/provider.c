/* provider.c - an OpenAI-compatible chat-completions endpoint as an
 * optional reader of free text.
 *
 * The model is asked for the intent JSON only (or, in actions mode, for
 * IAM actions, which are then scrubbed), under a JSON schema whose service
 * and level enums come from the catalog, and whose operation enum holds
 * the lexicon's verbs, which keyhole maps to actions as offline. The text it sees is anonymized
 * (anon.c). Its reply is checked field by field; what does not fit the
 * catalog or the schema is dropped and reported in notes. */
#include <curl/curl.h>

#include "util/curl_dyn.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "llm/describe_int.h"

#define MAX_REPLY ((size_t)4 << 20)
#define DEFAULT_TIMEOUT_MS 20000L

static const char *const level_words[] = {"list", "read", "write", "tagging", "permissions"};

static const char intent_prompt[] =
	"You turn a description of what an AWS workload needs into JSON. Never output IAM "
	"actions. 'source' is the workload's service principal without .amazonaws.com "
	"(lambda, ec2, ecs-tasks, states, glue, codebuild, ...) or \"\" when none is named. "
	"'grants' has one entry per resource: 'service' is the IAM service prefix, 'arn' is the "
	"resource's ARN as written, or built from a name with ${Region} and ${Account} kept as "
	"placeholders, or \"\" when no specific resource is named; 'access' lists access levels; "
	"'operations' lists the verbs the text uses for that resource, from its enum (empty when "
	"none fits), which keyhole maps to the calls they mean. "
	"Keep placeholder names such as bucket-1, name-2 or 111111111111 exactly as written. "
	"Put every phrase you cannot map into 'unparsed'. Never guess.";

static const char actions_prompt[] =
	"List the IAM actions (service:Action) that the AWS workload described needs, as JSON.";

/* ---- request ------------------------------------------------------------ */

static json_t *string_enum(json_t *values)
{
	return json_pack("{s:s, s:o}", "type", "string", "enum", values);
}

static json_t *source_enum(void)
{
	const struct kh__lexicon *lx = kh__lexicon_builtin();
	json_t *v = json_array();

	json_array_append_new(v, json_string(""));
	for (size_t i = 0; lx && i < kh__lexicon_count(lx); i++) {
		const char *src = kh__lexicon_at(lx, i)->source;
		int seen = 0;
		if (!src)
			continue;
		for (size_t k = 0; k < json_array_size(v) && !seen; k++)
			seen = strcmp(json_string_value(json_array_get(v, k)), src) == 0;
		if (!seen)
			json_array_append_new(v, json_string(src));
	}
	return string_enum(v);
}

/* The verbs of the lexicon's "act" lines, each once, in file order. */
static json_t *operation_enum(void)
{
	const struct kh__lexicon *lx = kh__lexicon_builtin();
	json_t *v = json_array();

	for (size_t i = 0; lx && i < kh__lexicon_act_count(lx); i++) {
		for (const char *w = kh__lexicon_act_at(lx, i)->verbs; *w;) {
			size_t n = strcspn(w, ",");
			int seen = 0;
			for (size_t k = 0; k < json_array_size(v) && !seen; k++)
				seen = strlen(json_string_value(json_array_get(v, k))) == n &&
				       strncmp(json_string_value(json_array_get(v, k)), w, n) == 0;
			if (!seen)
				json_array_append_new(v, json_stringn(w, n));
			w += n + (w[n] == ',');
		}
	}
	return string_enum(v);
}

static json_t *intent_schema(const struct kh_catalog *cat)
{
	json_t *services = json_array(), *levels = json_array(), *grant;

	for (size_t i = 0; i < kh_catalog_service_count(cat); i++)
		json_array_append_new(services, json_string(kh_catalog_service_at(cat, i)->prefix));
	for (size_t i = 0; i < 5; i++)
		json_array_append_new(levels, json_string(level_words[i]));
	grant = json_pack("{s:s, s:b, s:[ssss], s:{s:o, s:{s:s}, s:{s:s, s:o}, s:{s:s, s:o}}}",
			  "type", "object", "additionalProperties", 0, "required", "service", "arn",
			  "access", "operations", "properties", "service", string_enum(services),
			  "arn", "type", "string", "access", "type", "array", "items",
			  string_enum(levels), "operations", "type", "array", "items",
			  operation_enum());
	return json_pack("{s:s, s:b, s:[sss], s:{s:o, s:{s:s, s:o}, s:{s:s, s:{s:s}}}}", "type",
			 "object", "additionalProperties", 0, "required", "source", "grants",
			 "unparsed", "properties", "source", source_enum(), "grants", "type", "array",
			 "items", grant, "unparsed", "type", "array", "items", "type", "string");
}

static json_t *actions_schema(void)
{
	return json_pack("{s:s, s:b, s:[s], s:{s:{s:s, s:{s:s}}}}", "type", "object",
			 "additionalProperties", 0, "required", "actions", "properties", "actions",
			 "type", "array", "items", "type", "string");
}

/* The chat-completions body; NULL when out of memory. */
static char *request_body(const struct kh_catalog *cat, const struct kh_describe_opts *o,
			  const char *anon_text)
{
	int actions = (o->flags & KH_DESCRIBE_ACTIONS_MODE) != 0;
	json_t *schema = actions ? actions_schema() : intent_schema(cat);
	json_t *body = json_pack(
		"{s:s, s:i, s:[{s:s, s:s}, {s:s, s:s}], s:{s:s, s:{s:s, s:b, s:o}}}", "model",
		o->llm_model, "temperature", 0, "messages", "role", "system", "content",
		actions ? actions_prompt : intent_prompt, "role", "user", "content", anon_text,
		"response_format", "type", "json_schema", "json_schema", "name",
		actions ? "keyhole_actions" : "keyhole_intent", "strict", 1, "schema", schema);
	char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return s;
}

/* ---- HTTP --------------------------------------------------------------- */

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct kh_buf *b = ud;
	return kh_buf_add(b, ptr, size * n) == KH_OK ? size * n : 0;
}

/* "http://host:8080" -> "http://host:8080/v1/chat/completions"; a URL that
 * already ends in /chat/completions (with a query, for Azure) is kept. */
static int endpoint_url(const char *base, struct kh_buf *out)
{
	size_t n = strlen(base);
	if (strstr(base, "/chat/completions"))
		return kh_buf_puts(out, base);
	while (n && base[n - 1] == '/')
		n--;
	kh_buf_add(out, base, n);
	if (n >= 3 && strncmp(base + n - 3, "/v1", 3) == 0)
		return kh_buf_puts(out, "/chat/completions");
	return kh_buf_puts(out, "/v1/chat/completions");
}

static int post(const struct kh_describe_opts *o, const char *body, struct kh_buf *reply,
		struct kh_error *err)
{
	struct curl_slist *h = NULL;
	struct kh_buf url, auth;
	long code = 0, timeout = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	CURL *c;
	CURLcode cc;
	int rc = kh__curl_load(err);

	if (rc != KH_OK)
		return rc;
	if (!(c = curl_easy_init()))
		return kh_error_set(err, KH_ENOMEM, "cannot start an HTTP client");
	kh_buf_init(&url, 8192);
	kh_buf_init(&auth, 8192);
	endpoint_url(o->llm_url, &url);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (o->llm_api_key && o->llm_api_key[0]) {
		int azure = strstr(o->llm_url, ".openai.azure.com") != NULL;
		kh_buf_printf(&auth, "%s%s", azure ? "api-key: " : "Authorization: Bearer ",
			      o->llm_api_key);
		h = curl_slist_append(h, auth.data);
	}
	curl_easy_setopt(c, CURLOPT_URL, url.data);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK)
		rc = kh_error_set(err, KH_ENETWORK, "%s: %s", url.data, curl_easy_strerror(cc));
	else if (code != 200)
		rc = kh_error_set(err, KH_ENETWORK, "%s: HTTP status %ld", url.data, code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	kh_buf_release(&url);
	kh_buf_release(&auth);
	return rc;
}

/* ---- reply -------------------------------------------------------------- */

/* The JSON object in choices[0].message.content; NULL (with err) if none. */
static json_t *reply_content(const char *reply, struct kh_error *err)
{
	json_t *root = json_loads(reply, 0, NULL), *content = NULL;
	const char *text = json_string_value(
		json_object_get(json_object_get(json_array_get(json_object_get(root, "choices"), 0),
						"message"),
				"content"));
	if (text)
		content = json_loads(text, 0, NULL);
	json_decref(root);
	if (!json_is_object(content)) {
		json_decref(content);
		kh_error_set(err, KH_EINPUT, "the model's reply holds no JSON object");
		return NULL;
	}
	return content;
}

static int restore(const struct kh__anon *a, const char *s, struct kh_buf *out)
{
	kh_buf_reset(out);
	return kh__anon_restore(a, s, out);
}

static int note_extra_keys(struct kh_describe_result *r, json_t *obj, const char *const *known,
			   size_t n, const char *where)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		size_t i = 0;
		while (i < n && strcmp(k, known[i]) != 0)
			i++;
		if (i == n && kh__note(r, "model reply: ignored invented field '%s' in %s", k, where))
			return KH_ENOMEM;
	}
	return KH_OK;
}

static unsigned grant_levels(struct kh_describe_result *r, json_t *access, size_t gi)
{
	unsigned levels = 0;
	size_t i;
	json_t *v;
	json_array_foreach(access, i, v) {
		const char *w = json_string_value(v);
		unsigned l = w ? kh_level_parse(w, strlen(w)) : 0;
		if (!l)
			kh__note(r, "model reply: dropped access level '%s' of grant %zu", w ? w : "?", gi);
		levels |= l;
	}
	return levels;
}

/* The ARN's service field equals the grant's service. */
static int arn_fits(const char *arn, const char *service)
{
	const char *s = strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':') : NULL;
	size_t n = strlen(service);
	return s && strncmp(s + 1, service, n) == 0 && s[1 + n] == ':';
}

/* The actions the grant's operations mean on its ARN (restored, or NULL),
 * into acc; the levels those operations stand for are removed from
 * acc->levels, since the actions say it more narrowly. An operation must
 * agree with one of the grant's levels ("publish" with write). */
static int grant_operations(struct kh_describe_result *r, json_t *ops, size_t gi,
			    const struct kh_service *s, const char *arn, struct kh__access *acc)
{
	const struct kh__lexicon *lx = kh__lexicon_builtin();
	unsigned explained = 0;
	size_t i;
	json_t *v;

	json_array_foreach(ops, i, v) {
		const char *w = json_string_value(v);
		const char *list = w && lx ? kh__lexicon_actions(lx, w, s->prefix) : NULL;
		unsigned levels = w && lx ? kh__lexicon_verb_levels(lx, w) : 0;
		if (!levels && kh__note(r, "model reply: dropped operation '%s' of grant %zu",
					w ? w : "?", gi) != KH_OK)
			return KH_ENOMEM;
		if (list && (levels & acc->levels) && kh__actions_on_arn(s, list, arn, acc))
			explained |= levels;
	}
	acc->levels &= ~explained;
	return KH_OK;
}

static int check_grant(const struct kh_catalog *cat, struct kh_describe_result *r, json_t *g,
		       size_t gi, const struct kh__anon *a, struct kh_buf *tmp)
{
	static const char *const keys[] = {"service", "arn", "access", "operations"};
	const char *svc = json_string_value(json_object_get(g, "service"));
	const char *arn = json_string_value(json_object_get(g, "arn"));
	const struct kh_service *s = svc ? kh_catalog_service(cat, svc, strlen(svc)) : NULL;
	struct kh__access acc = {0};

	if (!json_is_object(g))
		return kh__note(r, "model reply: dropped grant %zu: not an object", gi);
	if (note_extra_keys(r, g, keys, 4, "a grant") != KH_OK)
		return KH_ENOMEM;
	if (!s || strcmp(s->prefix, svc) != 0)
		return kh__note(r, "model reply: dropped grant %zu: unknown service '%s'", gi,
				svc ? svc : "?");
	acc.levels = grant_levels(r, json_object_get(g, "access"), gi);
	if (!acc.levels)
		return kh__note(r, "model reply: dropped grant %zu: no valid access level", gi);
	if (arn && arn[0]) {
		if (restore(a, arn, tmp) != KH_OK)
			return KH_ENOMEM;
		if (!arn_fits(tmp->data, s->prefix))
			return kh__note(r, "model reply: dropped grant %zu: '%s' is not a %s ARN", gi,
					tmp->data, s->prefix);
	}
	if (grant_operations(r, json_object_get(g, "operations"), gi, s,
			     arn && arn[0] ? tmp->data : NULL, &acc) != KH_OK)
		return KH_ENOMEM;
	return kh__grant_add(r, s->prefix, arn && arn[0] ? tmp->data : NULL, &acc);
}

static int check_intent(const struct kh_catalog *cat, json_t *c, const struct kh__anon *a,
			struct kh_describe_result *r)
{
	static const char *const keys[] = {"source", "grants", "unparsed"};
	const char *src = json_string_value(json_object_get(c, "source"));
	struct kh_buf tmp;
	json_t *v;
	size_t i;
	int rc = note_extra_keys(r, c, keys, 3, "the intent");

	kh_buf_init(&tmp, 1 << 16);
	if (src && src[0]) {
		json_t *allowed = source_enum(), *e = json_object_get(allowed, "enum");
		int ok = 0;
		json_array_foreach(e, i, v) ok |= strcmp(json_string_value(v), src) == 0;
		json_decref(allowed);
		if (ok)
			r->source = strdup(src);
		else
			rc = kh__note(r, "model reply: dropped unknown source '%s'", src);
	}
	json_array_foreach(json_object_get(c, "grants"), i, v) {
		if (rc == KH_OK)
			rc = check_grant(cat, r, v, i, a, &tmp);
	}
	json_array_foreach(json_object_get(c, "unparsed"), i, v) {
		if (rc == KH_OK && json_string_value(v) &&
		    (rc = restore(a, json_string_value(v), &tmp)) == KH_OK)
			rc = kh__strv_push(&r->unparsed, &r->n_unparsed, tmp.data, tmp.len);
	}
	kh_buf_release(&tmp);
	return rc;
}

/* Keeps the actions the catalog knows (a wildcard must match one). */
static int scrub_actions(const struct kh_catalog *cat, json_t *c, struct kh_describe_result *r)
{
	json_t *v;
	size_t i;
	int rc = KH_OK;

	json_array_foreach(json_object_get(c, "actions"), i, v) {
		const char *name = json_string_value(v);
		const struct kh_action *act = name ? kh_catalog_action(cat, name) : NULL;
		const struct kh_action **m = NULL;
		size_t n = 0;
		if (rc != KH_OK || !name)
			continue;
		if (act)
			rc = kh__strv_push(&r->actions, &r->n_actions, act->full_name, strlen(act->full_name));
		else if (strpbrk(name, "*?") && kh_catalog_expand(cat, name, &m, &n) == KH_OK && n)
			rc = kh__strv_push(&r->actions, &r->n_actions, name, strlen(name));
		else
			rc = kh__strv_push(&r->scrubbed, &r->n_scrubbed, name, strlen(name));
		free(m);
	}
	return rc;
}

int kh__describe_model_reply(const struct kh_catalog *cat, const struct kh__anon *a,
			     const char *reply, unsigned flags, struct kh_describe_result *r,
			     struct kh_error *err)
{
	json_t *content = reply_content(reply, err);
	int rc;

	if (!content)
		return KH_EINPUT;
	rc = flags & KH_DESCRIBE_ACTIONS_MODE ? scrub_actions(cat, content, r)
					      : check_intent(cat, content, a, r);
	json_decref(content);
	return rc;
}

int kh__describe_model(const struct kh_catalog *cat, const char *text, size_t len,
		       const struct kh_describe_opts *opts, struct kh_describe_result *r,
		       struct kh_error *err)
{
	struct kh__anon a = {0};
	struct kh_buf anon, reply;
	char *body = NULL;
	int rc;

	kh_buf_init(&anon, 1 << 20);
	kh_buf_init(&reply, MAX_REPLY);
	rc = kh__anon_text(cat, text, len, &a, &anon);
	if (rc == KH_OK && !(body = request_body(cat, opts, anon.data)))
		rc = kh_error_set(err, KH_ENOMEM, "cannot build the request");
	if (rc == KH_OK)
		rc = post(opts, body, &reply, err);
	if (rc == KH_OK)
		rc = kh__describe_model_reply(cat, &a, reply.data, opts->flags, r, err);
	if (rc == KH_OK) {
		r->used_model = 1;
		rc = kh__note(r, "read by the model '%s'; its reply was checked against the catalog",
			      opts->llm_model);
	}
	free(body);
	kh_buf_release(&anon);
	kh_buf_release(&reply);
	kh__anon_release(&a);
	return rc;
}
