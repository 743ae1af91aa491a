/* intent.c - the intent model: parsing intent JSON and --allow/--condition
 * specs (see keyhole/generate.h). Checks here need no catalog; services,
 * ARNs and condition keys are checked by kh_generate. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "generate/generate_int.h"
#include "keyhole/emit.h"
#include "util/jsonpos.h"

#define MAX_DEPTH 16
#define MAX_GRANTS 1000
#define MAX_VALUES 1000

void kh_intent_init(struct kh_intent *in)
{
	memset(in, 0, sizeof(*in));
}

static void grant_release(struct kh_grant *g)
{
	free(g->service);
	free(g->arn);
	for (size_t i = 0; i < g->n_conditions; i++) {
		struct kh_grant_condition *c = &g->conditions[i];
		free(c->op);
		free(c->key);
		for (size_t j = 0; j < c->n_values; j++)
			free(c->values[j]);
		free(c->values);
	}
	free(g->conditions);
	for (size_t i = 0; i < g->n_actions; i++)
		free(g->actions[i]);
	free(g->actions);
}

/* Appends one named action (as written) to g. */
static int add_action_name(struct kh_grant *g, const char *s, size_t len, struct kh_error *err,
			   const char *path)
{
	char **as;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == ',')
			return kh_error_at(err, KH_EINPUT, 0, 0, path,
					   "action '%.*s' contains a space, comma or control "
					   "character",
					   (int)(len > 64 ? 64 : len), s);
	if (!len)
		return kh_error_at(err, KH_EINPUT, 0, 0, path, "empty action name");
	if (!(as = realloc(g->actions, (g->n_actions + 1) * sizeof(*as))))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	g->actions = as;
	if (!(as[g->n_actions] = strndup(s, len)))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	g->n_actions++;
	return KH_OK;
}

void kh_intent_release(struct kh_intent *in)
{
	for (size_t i = 0; i < in->n_grants; i++)
		grant_release(&in->grants[i]);
	free(in->grants);
	free(in->name);
	free(in->source);
	kh_intent_init(in);
}

/* ---- condition operators ------------------------------------------------ */

static const char *const base_operators[] = {
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
	"StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "NumericEquals",
	"NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan",
	"NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
	"DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool",
	"BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals",
	"ArnNotLike", "Null",
};

/* Length of the ForAnyValue:/ForAllValues: qualifier at the start of op. */
static size_t qualifier_len(const char *op)
{
	if (strncmp(op, "ForAnyValue:", 12) == 0)
		return 12;
	if (strncmp(op, "ForAllValues:", 13) == 0)
		return 13;
	return 0;
}

/* Is op[0..len) a base operator, optionally with IfExists (not Null)? */
static int base_operator_valid(const char *op, size_t len)
{
	if (len > 8 && strncmp(op + len - 8, "IfExists", 8) == 0) {
		if (len - 8 == 4 && strncmp(op, "Null", 4) == 0)
			return 0;
		len -= 8;
	}
	for (size_t i = 0; i < sizeof(base_operators) / sizeof(base_operators[0]); i++)
		if (strlen(base_operators[i]) == len && strncmp(base_operators[i], op, len) == 0)
			return 1;
	return 0;
}

int kh_condition_operator_valid(const char *op)
{
	size_t q = qualifier_len(op);
	return base_operator_valid(op + q, strlen(op + q));
}

/* ---- grants ------------------------------------------------------------- */

static struct kh_grant *grant_new(struct kh_intent *in)
{
	struct kh_grant *gs;
	if (in->n_grants >= MAX_GRANTS)
		return NULL;
	gs = realloc(in->grants, (in->n_grants + 1) * sizeof(*gs));
	if (!gs)
		return NULL;
	in->grants = gs;
	memset(&gs[in->n_grants], 0, sizeof(*gs));
	return &gs[in->n_grants++];
}

static const char *const level_words[] = {"list",	 "read",     "write", "tagging",
					  "permissions", "describe", "admin"};

/* Parses one level word into bits, or fails with a suggestion. */
static int parse_level(const char *w, size_t len, unsigned *bits, struct kh_error *err,
		       int line, int col, const char *path)
{
	unsigned b = kh_level_parse(w, len);
	const char *best = NULL;
	size_t best_d = 3;

	if (b) {
		*bits |= b;
		return KH_OK;
	}
	for (size_t i = 0; i < sizeof(level_words) / sizeof(level_words[0]); i++) {
		size_t d = kh_edit_distance(w, len, level_words[i], strlen(level_words[i]), 2);
		if (d < best_d) {
			best_d = d;
			best = level_words[i];
		}
	}
	return kh_error_at(err, KH_EINPUT, line, col, path,
			   "unknown access level '%.*s'%s%s%s; levels are list, read, write, "
			   "tagging, permissions, describe, admin",
			   (int)(len > 64 ? 64 : len), w, best ? " (did you mean '" : "",
			   best ? best : "", best ? "'?)" : "");
}

/* Parses "read,list" into level bits; items that start with an upper-case
 * letter or '*' ("Publish", "Get*") are action names of the grant. */
static int parse_levels(struct kh_grant *g, const char *s, size_t len, struct kh_error *err,
			const char *path)
{
	const char *end = s + len;
	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		int rc = stop > s && ((*s >= 'A' && *s <= 'Z') || *s == '*')
				 ? add_action_name(g, s, (size_t)(stop - s), err, path)
				 : parse_level(s, (size_t)(stop - s), &g->levels, err, 0, 0, path);
		if (rc != KH_OK)
			return rc;
		s = stop + 1;
	}
	return KH_OK;
}

/* Copies s[0..len) into *dst, refusing control characters. */
static int set_text(char **dst, const char *s, size_t len, struct kh_error *err,
		    const char *path, const char *what)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return kh_error_at(err, KH_EINPUT, 0, 0, path,
					   "%s contains a control character", what);
	if (!(*dst = strndup(s, len)))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	return KH_OK;
}

int kh_intent_add_allow(struct kh_intent *in, const char *spec, struct kh_error *err)
{
	const char *at = strchr(spec, '@');
	size_t left_len = at ? (size_t)(at - spec) : strlen(spec);
	const char *colon = memchr(spec, ':', left_len);
	struct kh_grant *g = grant_new(in);
	int rc;

	if (!g)
		return kh_error_set(err, KH_ENOMEM, "out of memory or too many grants");
	snprintf(g->path, sizeof(g->path), "--allow #%zu", in->n_grants);
	if (colon && (rc = set_text(&g->service, spec, (size_t)(colon - spec), err, g->path,
				    "the service")))
		return rc;
	if (at && (rc = set_text(&g->arn, at + 1, strlen(at + 1), err, g->path, "the ARN")))
		return rc;
	if (colon && colon == spec)
		return kh_error_at(err, KH_EINPUT, 0, 0, g->path, "empty service in '%s'", spec);
	if (!colon && !at)
		return kh_error_at(err, KH_EINPUT, 0, 0, g->path,
				   "'%s' names no service; write SERVICE:LEVELS[@ARN] or "
				   "LEVELS@ARN",
				   spec);
	colon = colon ? colon + 1 : spec;
	return parse_levels(g, colon, (size_t)(spec + left_len - colon), err, g->path);
}

/* Splits values at commas into c. */
static int add_values(struct kh_grant_condition *c, const char *s, struct kh_error *err)
{
	const char *end = s + strlen(s);
	while (s <= end) {
		const char *comma = strchr(s, ',');
		const char *stop = comma ? comma : end;
		char **vs = realloc(c->values, (c->n_values + 1) * sizeof(*vs));
		if (!vs)
			return kh_error_set(err, KH_ENOMEM, "out of memory");
		c->values = vs;
		if (!(vs[c->n_values] = strndup(s, (size_t)(stop - s))))
			return kh_error_set(err, KH_ENOMEM, "out of memory");
		c->n_values++;
		s = stop + 1;
	}
	return KH_OK;
}

static struct kh_grant_condition *condition_new(struct kh_grant *g)
{
	struct kh_grant_condition *cs = realloc(g->conditions, (g->n_conditions + 1) * sizeof(*cs));
	if (!cs)
		return NULL;
	g->conditions = cs;
	memset(&cs[g->n_conditions], 0, sizeof(*cs));
	return &cs[g->n_conditions++];
}

int kh_intent_add_condition(struct kh_intent *in, const char *spec, struct kh_error *err)
{
	size_t q = qualifier_len(spec);
	const char *op_end = strchr(spec + q, ':');
	const char *eq = op_end ? strchr(op_end, '=') : NULL;
	struct kh_grant *g;
	struct kh_grant_condition *c;

	if (!in->n_grants)
		return kh_error_set(err, KH_EUSAGE, "--condition '%s' comes before any --allow",
				    spec);
	g = &in->grants[in->n_grants - 1];
	if (!op_end || !eq || eq == op_end + 1)
		return kh_error_at(err, KH_EINPUT, 0, 0, g->path,
				   "condition '%s' is not OPERATOR:KEY=VALUE[,VALUE...]", spec);
	if (!base_operator_valid(spec + q, (size_t)(op_end - spec - q)))
		return kh_error_at(err, KH_EINPUT, 0, 0, g->path,
				   "unknown condition operator '%.*s'", (int)(op_end - spec), spec);
	if (!(c = condition_new(g)) || !(c->op = strndup(spec, (size_t)(op_end - spec))) ||
	    !(c->key = strndup(op_end + 1, (size_t)(eq - op_end - 1))))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	return add_values(c, eq + 1, err);
}

/* ---- intent JSON -------------------------------------------------------- */

struct jparser {
	const char *text;
	struct kh_intent *in;
	struct kh_error *err;
};

static const struct kh_jpos *kid(const struct kh_jpos *jp, size_t i)
{
	return jp && i < jp->n ? &jp->kids[i] : NULL;
}

static int fail(struct jparser *p, const struct kh_jpos *jp, int at_key, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(struct jparser *p, const struct kh_jpos *jp, int at_key, const char *path,
		const char *fmt, ...)
{
	char msg[sizeof(p->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kh_error_at(p->err, KH_EINPUT, jp ? (at_key ? jp->key_line : jp->line) : 0,
			   jp ? (at_key ? jp->key_col : jp->col) : 0, path, "%s", msg);
}

static int get_string(struct jparser *p, const json_t *v, const struct kh_jpos *jp,
		      const char *path, char **dst)
{
	if (!json_is_string(v))
		return fail(p, jp, 0, path, "'%s' must be a string", path);
	free(*dst);
	*dst = NULL;
	return set_text(dst, json_string_value(v), json_string_length(v), p->err, path,
			"the value");
}

static int get_flag(struct jparser *p, const json_t *v, const struct kh_jpos *jp,
		    const char *path, unsigned flag)
{
	if (!json_is_boolean(v))
		return fail(p, jp, 0, path, "'%s' must be true or false", path);
	if (json_is_true(v))
		p->in->flags |= flag;
	else
		p->in->flags &= ~flag;
	return KH_OK;
}

/* Writes a condition value of any scalar type as text. */
static char *scalar_text(const json_t *v)
{
	char num[64];
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "true" : "false");
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(num);
	}
	snprintf(num, sizeof(num), "%.17g", json_real_value(v));
	return strdup(num);
}

static int parse_cond_values(struct jparser *p, struct kh_grant_condition *c, const json_t *v,
			     const struct kh_jpos *jp, const char *path)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	if (json_is_array(v) && (n == 0 || n > MAX_VALUES))
		return fail(p, jp, 0, path, "'%s' needs 1 to %d values", path, MAX_VALUES);
	if (!(c->values = calloc(n, sizeof(*c->values))))
		return kh_error_set(p->err, KH_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		const struct kh_jpos *ej = json_is_array(v) ? kid(jp, i) : jp;
		if (!json_is_string(e) && !json_is_number(e) && !json_is_boolean(e))
			return fail(p, ej, 0, path,
				    "condition values must be strings, numbers or booleans");
		if (!(c->values[i] = scalar_text(e)))
			return kh_error_set(p->err, KH_ENOMEM, "out of memory");
		c->n_values++;
	}
	return KH_OK;
}

static int parse_conditions(struct jparser *p, struct kh_grant *g, const json_t *v,
			    const struct kh_jpos *jp, const char *gpath)
{
	char path[160];
	const char *op, *key;
	json_t *keys, *vals;
	size_t i = 0;

	snprintf(path, sizeof(path), "%s.conditions", gpath);
	if (!json_is_object(v))
		return fail(p, jp, 0, path, "'%s' must be an object of operators", path);
	json_object_foreach((json_t *)v, op, keys) {
		const struct kh_jpos *oj = kid(jp, i++);
		size_t k = 0;
		snprintf(path, sizeof(path), "%s.conditions.%s", gpath, op);
		if (!kh_condition_operator_valid(op))
			return fail(p, oj, 1, path, "unknown condition operator '%s'", op);
		if (!json_is_object(keys) || json_object_size(keys) == 0)
			return fail(p, oj, 0, path, "'%s' must be an object of keys", path);
		json_object_foreach(keys, key, vals) {
			const struct kh_jpos *kj = kid(oj, k++);
			struct kh_grant_condition *c = condition_new(g);
			int rc;
			snprintf(path, sizeof(path), "%s.conditions.%s.%s", gpath, op, key);
			if (!c || !(c->op = strdup(op)) || !(c->key = strdup(key)))
				return kh_error_set(p->err, KH_ENOMEM, "out of memory");
			if ((rc = parse_cond_values(p, c, vals, kj, path)))
				return rc;
		}
	}
	return KH_OK;
}

/* One item of a grant's "access" or "actions". */
typedef int (*item_fn)(struct jparser *p, struct kh_grant *g, const char *s, size_t len,
		       const struct kh_jpos *jp, const char *path);

static int access_item(struct jparser *p, struct kh_grant *g, const char *s, size_t len,
		       const struct kh_jpos *jp, const char *path)
{
	return parse_level(s, len, &g->levels, p->err, jp ? jp->line : 0, jp ? jp->col : 0, path);
}

static int action_item(struct jparser *p, struct kh_grant *g, const char *s, size_t len,
		       const struct kh_jpos *jp, const char *path)
{
	int rc = add_action_name(g, s, len, p->err, path);
	if (rc == KH_EINPUT && jp) {
		p->err->line = jp->line;
		p->err->col = jp->col;
	}
	return rc;
}

/* Calls fn for v, a string or a non-empty array of strings, named field. */
static int string_items(struct jparser *p, struct kh_grant *g, const json_t *v,
			const struct kh_jpos *jp, const char *gpath, const char *field,
			const char *what, item_fn fn)
{
	char path[160];
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	snprintf(path, sizeof(path), "%s.%s", gpath, field);
	if (!(json_is_array(v) || json_is_string(v)) || n == 0)
		return fail(p, jp, 0, path, "'%s' must be a non-empty array of %ss", path, what);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		const struct kh_jpos *ej = json_is_array(v) ? kid(jp, i) : jp;
		int rc;
		if (json_is_array(v))
			snprintf(path, sizeof(path), "%s.%s[%zu]", gpath, field, i);
		if (!json_is_string(e))
			return fail(p, ej, 0, path, "an %s must be a string", what);
		if ((rc = fn(p, g, json_string_value(e), json_string_length(e), ej, path)))
			return rc;
	}
	return KH_OK;
}

static int parse_grant(struct jparser *p, const json_t *v, const struct kh_jpos *jp, size_t idx)
{
	struct kh_grant *g = grant_new(p->in);
	char path[160];
	const char *key;
	json_t *val;
	size_t i = 0;
	int rc = KH_OK;

	if (!g)
		return kh_error_set(p->err, KH_ELIMIT, "more than %d grants", MAX_GRANTS);
	snprintf(g->path, sizeof(g->path), "grants[%zu]", idx);
	g->line = jp ? jp->line : 0;
	g->col = jp ? jp->col : 0;
	if (!json_is_object(v))
		return fail(p, jp, 0, g->path, "a grant must be an object");
	json_object_foreach((json_t *)v, key, val) {
		const struct kh_jpos *kj = kid(jp, i++);
		snprintf(path, sizeof(path), "%s.%s", g->path, key);
		if (strcmp(key, "service") == 0)
			rc = get_string(p, val, kj, path, &g->service);
		else if (strcmp(key, "arn") == 0)
			rc = get_string(p, val, kj, path, &g->arn);
		else if (strcmp(key, "access") == 0)
			rc = string_items(p, g, val, kj, g->path, "access", "access level",
					  access_item);
		else if (strcmp(key, "actions") == 0)
			rc = string_items(p, g, val, kj, g->path, "actions", "action name",
					  action_item);
		else if (strcmp(key, "conditions") == 0)
			rc = parse_conditions(p, g, val, kj, g->path);
		else
			rc = fail(p, kj, 1, path,
				  "unknown grant key '%s'; grants take service, arn, access, "
				  "actions, conditions",
				  key);
		if (rc)
			return rc;
	}
	if (!g->levels && !g->n_actions)
		return fail(p, jp, 0, g->path, "grant has no 'access' levels or 'actions'");
	if (!g->service && !g->arn)
		return fail(p, jp, 0, g->path, "grant needs a 'service' or an 'arn'");
	return KH_OK;
}

static int parse_grants(struct jparser *p, const json_t *v, const struct kh_jpos *jp)
{
	if (!json_is_array(v))
		return fail(p, jp, 0, "grants", "'grants' must be an array");
	for (size_t i = 0; i < json_array_size(v); i++) {
		int rc = parse_grant(p, json_array_get(v, i), kid(jp, i), i);
		if (rc)
			return rc;
	}
	return KH_OK;
}

static int parse_format(struct jparser *p, const json_t *v, const struct kh_jpos *jp)
{
	if (!json_is_string(v) || kh_format_parse(json_string_value(v), &p->in->format))
		return fail(p, jp, 0, "format",
			    "'format' must be \"json\", \"terraform\" or \"cloudformation\"");
	return KH_OK;
}

static int parse_root(struct jparser *p, const json_t *root, const struct kh_jpos *jp)
{
	const char *key;
	json_t *val;
	size_t i = 0;

	json_object_foreach((json_t *)root, key, val) {
		const struct kh_jpos *kj = kid(jp, i++);
		int rc;
		if (strcmp(key, "name") == 0)
			rc = get_string(p, val, kj, key, &p->in->name);
		else if (strcmp(key, "source") == 0)
			rc = get_string(p, val, kj, key, &p->in->source);
		else if (strcmp(key, "grants") == 0)
			rc = parse_grants(p, val, kj);
		else if (strcmp(key, "format") == 0)
			rc = parse_format(p, val, kj);
		else if (strcmp(key, "with_trust") == 0)
			rc = get_flag(p, val, kj, key, KH_GEN_WITH_TRUST);
		else if (strcmp(key, "compact") == 0)
			rc = get_flag(p, val, kj, key, KH_GEN_COMPACT);
		else if (strcmp(key, "include_wildcard_only") == 0)
			rc = get_flag(p, val, kj, key, KH_GEN_INCLUDE_WILDCARD_ONLY);
		else if (strcmp(key, "cfn_json") == 0)
			rc = get_flag(p, val, kj, key, KH_GEN_CFN_JSON);
		else
			rc = fail(p, kj, 1, key,
				  "unknown intent key '%s'; intents take name, source, grants, "
				  "format, with_trust, compact, include_wildcard_only, cfn_json",
				  key);
		if (rc)
			return rc;
	}
	return KH_OK;
}


int kh_intent_parse_json(const char *text, size_t len, struct kh_intent *in,
			 struct kh_error *err)
{
	struct jparser p = {text, in, err};
	const struct kh_jpos *jp, *deep = NULL;
	struct kh_arena arena;
	json_error_t jerr;
	json_t *root = kh_json_load(text, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc = KH_OK;

	if (!root) {
		int line = jerr.line > 0 ? jerr.line : 1, col = jerr.column > 0 ? jerr.column : 1;
		return kh_error_at(err, KH_EINPUT, line, col, NULL, "invalid JSON: %s", jerr.text);
	}
	kh_arena_init(&arena);
	if (!json_is_object(root)) {
		rc = kh_error_at(err, KH_EINPUT, 1, 1, NULL, "an intent must be a JSON object");
	} else if (!(jp = kh_jpos_scan(text, len, &arena))) {
		rc = kh_error_set(err, KH_ENOMEM, "out of memory reading the intent");
	} else if ((deep = kh_jpos_too_deep(jp, MAX_DEPTH)) != NULL) {
		rc = kh_error_at(err, KH_EINPUT, deep->line, deep->col, NULL,
				 "JSON nests deeper than %d levels", MAX_DEPTH);
	} else {
		rc = parse_root(&p, root, jp);
	}
	kh_arena_release(&arena);
	json_decref(root);
	if (rc != KH_OK)
		kh_intent_release(in);
	return rc;
}
