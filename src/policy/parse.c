/* parse.c - JSON text to struct kh_policy (see keyhole/policy.h).
 *
 * jansson decodes and validates the text; jsonpos supplies line:column for
 * each value; this file walks both together and builds the model. Wrong
 * shapes become problems on the policy, not failures.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keyhole/policy.h"
#include "util/jsonpos.h"
#include "policy/policy_int.h"

#define MAX_DEPTH 64 /* jansson allows 2048; policies never nest past a handful */

struct parser {
	struct kh_policy *policy;
	int oom;
};

static struct kh_pos pos_of(const struct kh_jpos *jp)
{
	struct kh_pos p = {0, 0};
	if (jp) {
		p.line = jp->line;
		p.col = jp->col;
	}
	return p;
}

static struct kh_pos key_pos_of(const struct kh_jpos *jp)
{
	struct kh_pos p = {0, 0};
	if (jp) {
		p.line = jp->key_line;
		p.col = jp->key_col;
	}
	return p;
}

static const struct kh_jpos *kid(const struct kh_jpos *jp, size_t i)
{
	return jp && i < jp->n ? &jp->kids[i] : NULL;
}

static void problem(struct parser *ps, const char *code, const char *path, struct kh_pos pos,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct parser *ps, const char *code, const char *path, struct kh_pos pos,
		    const char *fmt, ...)
{
	struct kh_policy *p = ps->policy;
	struct kh_policy_problem *np;
	struct kh_buf msg;
	va_list ap;

	np = realloc(p->problems, (p->n_problems + 1) * sizeof(*np));
	if (!np) {
		ps->oom = 1;
		return;
	}
	p->problems = np;
	kh_buf_init(&msg, 4096);
	va_start(ap, fmt);
	kh_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	np[p->n_problems].code = code;
	np[p->n_problems].message = kh_buf_detach(&msg, NULL);
	np[p->n_problems].path = strdup(path);
	np[p->n_problems].pos = pos;
	if (!np[p->n_problems].message || !np[p->n_problems].path) {
		free(np[p->n_problems].message);
		free(np[p->n_problems].path);
		ps->oom = 1;
		return;
	}
	p->n_problems++;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* Reads a string or an array of strings into l. */
static void parse_strlist(struct parser *ps, const json_t *v, const struct kh_jpos *jp,
			  const char *path, struct kh_strlist *l)
{
	char sub[200];

	l->present = 1;
	l->key_pos = key_pos_of(jp);
	if (json_is_string(v)) {
		if (kh_strlist_add_at(l, json_string_value(v), pos_of(jp)))
			ps->oom = 1;
		return;
	}
	if (!json_is_array(v)) {
		problem(ps, "INVALID_TYPE", path, pos_of(jp),
			"'%s' must be a string or an array of strings, not %s", path, type_name(v));
		return;
	}
	l->is_array = 1;
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (!json_is_string(e)) {
			problem(ps, "INVALID_TYPE", sub, pos_of(kid(jp, i)),
				"'%s' must be a string, not %s", sub, type_name(e));
			continue;
		}
		if (kh_strlist_add_at(l, json_string_value(e), pos_of(kid(jp, i))))
			ps->oom = 1;
	}
}

static void parse_principal(struct parser *ps, const json_t *v, const struct kh_jpos *jp,
			    const char *path, struct kh_principal *pr)
{
	const char *key;
	json_t *val;
	size_t i = 0;
	char sub[200];

	pr->present = 1;
	pr->pos = pos_of(jp);
	if (json_is_string(v) && strcmp(json_string_value(v), "*") == 0) {
		pr->is_star = 1;
		return;
	}
	if (!json_is_object(v)) {
		problem(ps, "INVALID_TYPE", path, pos_of(jp),
			"'%s' must be \"*\" or an object such as {\"AWS\": [...]}", path);
		return;
	}
	pr->entries = calloc(json_object_size(v) + 1, sizeof(*pr->entries));
	if (!pr->entries) {
		ps->oom = 1;
		return;
	}
	json_object_foreach((json_t *)v, key, val) {
		struct kh_principal_entry *e = &pr->entries[pr->n_entries];
		snprintf(sub, sizeof(sub), "%s.%s", path, key);
		e->type = strdup(key);
		if (!e->type) {
			ps->oom = 1;
			return;
		}
		pr->n_entries++;
		parse_strlist(ps, val, kid(jp, i), sub, &e->values);
		i++;
	}
}

static int condition_value(struct parser *ps, struct kh_condition *c, const json_t *v,
			   const struct kh_jpos *jp, const char *path)
{
	char num[64];
	const char *text;
	enum kh_value_type type;

	switch (json_typeof(v)) {
	case JSON_STRING: text = json_string_value(v); type = KH_VALUE_STRING; break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		text = num;
		type = KH_VALUE_NUMBER;
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		text = num;
		type = KH_VALUE_NUMBER;
		break;
	case JSON_TRUE: text = "true"; type = KH_VALUE_BOOL; break;
	case JSON_FALSE: text = "false"; type = KH_VALUE_BOOL; break;
	default:
		problem(ps, "INVALID_TYPE", path, pos_of(jp),
			"condition value '%s' must be a string, number or boolean, not %s", path,
			type_name(v));
		return 0;
	}
	if (kh_condition_add_value(c, text, type, pos_of(jp))) {
		ps->oom = 1;
		return -1;
	}
	return 0;
}

static void parse_condition(struct parser *ps, const json_t *v, const struct kh_jpos *jp,
			    const char *path, struct kh_statement *st)
{
	const char *op, *key;
	json_t *keys, *vals;
	size_t i = 0;
	char sub[240];

	st->has_condition = 1;
	if (!json_is_object(v)) {
		problem(ps, "INVALID_TYPE", path, pos_of(jp),
			"'%s' must be an object of operators, not %s", path, type_name(v));
		return;
	}
	json_object_foreach((json_t *)v, op, keys) {
		const struct kh_jpos *opj = kid(jp, i++);
		size_t k = 0;
		snprintf(sub, sizeof(sub), "%s.%s", path, op);
		if (!json_is_object(keys)) {
			problem(ps, "INVALID_TYPE", sub, pos_of(opj),
				"'%s' must be an object of condition keys, not %s", sub,
				type_name(keys));
			continue;
		}
		json_object_foreach(keys, key, vals) {
			const struct kh_jpos *kj = kid(opj, k++);
			struct kh_condition *c = kh_statement_new_condition(st, op, key);
			char vpath[300];
			if (!c) {
				ps->oom = 1;
				return;
			}
			c->op_pos = key_pos_of(opj);
			c->key_pos = key_pos_of(kj);
			snprintf(vpath, sizeof(vpath), "%s.%s", sub, key);
			if (json_is_array(vals)) {
				c->values_is_array = 1;
				for (size_t j = 0; j < json_array_size(vals); j++) {
					char epath[sizeof(vpath) + 24];
					snprintf(epath, sizeof(epath), "%s[%zu]", vpath, j);
					if (condition_value(ps, c, json_array_get(vals, j),
							    kid(kj, j), epath))
						return;
				}
			} else if (condition_value(ps, c, vals, kj, vpath)) {
				return;
			}
		}
	}
}

static void parse_statement(struct parser *ps, const json_t *v, const struct kh_jpos *jp,
			    struct kh_statement *st)
{
	const char *key;
	json_t *val;
	size_t i = 0;
	char sub[200];

	st->pos = pos_of(jp);
	json_object_foreach((json_t *)v, key, val) {
		const struct kh_jpos *kj = kid(jp, i++);
		snprintf(sub, sizeof(sub), "%s.%s", st->path, key);
		if (strcmp(key, "Sid") == 0) {
			st->sid_pos = pos_of(kj);
			if (json_is_string(val))
				st->sid = strdup(json_string_value(val));
			else
				problem(ps, "INVALID_TYPE", sub, pos_of(kj), "'Sid' must be a string");
		} else if (strcmp(key, "Effect") == 0) {
			st->effect_pos = pos_of(kj);
			if (!json_is_string(val)) {
				st->effect = KH_EFFECT_INVALID;
				problem(ps, "INVALID_TYPE", sub, pos_of(kj),
					"'Effect' must be \"Allow\" or \"Deny\", not %s",
					type_name(val));
				continue;
			}
			st->effect_raw = strdup(json_string_value(val));
			st->effect = kh_effect_parse(json_string_value(val));
		} else if (strcmp(key, "Action") == 0) {
			parse_strlist(ps, val, kj, sub, &st->action);
		} else if (strcmp(key, "NotAction") == 0) {
			parse_strlist(ps, val, kj, sub, &st->not_action);
		} else if (strcmp(key, "Resource") == 0) {
			parse_strlist(ps, val, kj, sub, &st->resource);
		} else if (strcmp(key, "NotResource") == 0) {
			parse_strlist(ps, val, kj, sub, &st->not_resource);
		} else if (strcmp(key, "Principal") == 0) {
			parse_principal(ps, val, kj, sub, &st->principal);
		} else if (strcmp(key, "NotPrincipal") == 0) {
			parse_principal(ps, val, kj, sub, &st->not_principal);
		} else if (strcmp(key, "Condition") == 0) {
			parse_condition(ps, val, kj, sub, st);
		} else {
			problem(ps, "UNKNOWN_KEY", sub, key_pos_of(kj),
				"unknown statement key '%s'", key);
		}
	}
}

static void parse_statements(struct parser *ps, const json_t *v, const struct kh_jpos *jp)
{
	struct kh_policy *p = ps->policy;
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	p->has_statement = 1;
	if (!json_is_array(v) && !json_is_object(v)) {
		problem(ps, "INVALID_TYPE", "Statement", pos_of(jp),
			"'Statement' must be an object or an array of objects, not %s",
			type_name(v));
		return;
	}
	p->statement_is_array = json_is_array(v);
	p->statements = calloc(n + 1, sizeof(*p->statements));
	if (!p->statements) {
		ps->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *sv = p->statement_is_array ? json_array_get(v, i) : v;
		const struct kh_jpos *sj = p->statement_is_array ? kid(jp, i) : jp;
		struct kh_statement *st = &p->statements[p->n_statements];
		if (p->statement_is_array)
			snprintf(st->path, sizeof(st->path), "Statement[%zu]", i);
		else
			snprintf(st->path, sizeof(st->path), "Statement");
		if (!json_is_object(sv)) {
			problem(ps, "INVALID_TYPE", st->path, pos_of(sj),
				"'%s' must be an object, not %s", st->path, type_name(sv));
			continue;
		}
		p->n_statements++;
		parse_statement(ps, sv, sj, st);
	}
}

static void parse_root(struct parser *ps, const json_t *root, const struct kh_jpos *jp)
{
	struct kh_policy *p = ps->policy;
	const char *key;
	json_t *val;
	size_t i = 0;

	json_object_foreach((json_t *)root, key, val) {
		const struct kh_jpos *kj = kid(jp, i++);
		if (strcmp(key, "Version") == 0) {
			p->version_pos = pos_of(kj);
			if (json_is_string(val))
				p->version = strdup(json_string_value(val));
			else
				problem(ps, "INVALID_TYPE", "Version", pos_of(kj),
					"'Version' must be a string such as \"2012-10-17\"");
		} else if (strcmp(key, "Id") == 0) {
			if (json_is_string(val))
				p->id = strdup(json_string_value(val));
			else
				problem(ps, "INVALID_TYPE", "Id", pos_of(kj), "'Id' must be a string");
		} else if (strcmp(key, "Statement") == 0) {
			parse_statements(ps, val, kj);
		} else {
			problem(ps, "UNKNOWN_KEY", key, key_pos_of(kj),
				"unknown top-level key '%s'", key);
		}
	}
}


int kh_policy_parse(const char *text, size_t len, struct kh_policy **out, struct kh_error *err)
{
	json_error_t jerr;
	json_t *root;
	struct kh_arena arena;
	const struct kh_jpos *jp, *deep = NULL;
	struct parser ps = {0};
	int rc = KH_OK;

	*out = NULL;
	root = kh_json_load(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		int line = jerr.line > 0 ? jerr.line : 1, col = jerr.column > 0 ? jerr.column : 1;
		if (jerr.line <= 0 && jerr.position > 0)
			kh_jpos_locate(text, (size_t)jerr.position < len ? (size_t)jerr.position : len,
				       &line, &col);
		return kh_error_at(err, KH_EINPUT, line, col, NULL, "invalid JSON: %s", jerr.text);
	}
	if (!json_is_object(root)) {
		rc = kh_error_at(err, KH_EINPUT, 1, 1, NULL, "a policy must be a JSON object, not %s",
				 type_name(root));
		json_decref(root);
		return rc;
	}
	kh_arena_init(&arena);
	jp = kh_jpos_scan(text, len, &arena);
	if (!jp) {
		rc = kh_error_set(err, KH_ENOMEM, "out of memory parsing the policy");
		goto done;
	}
	if ((deep = kh_jpos_too_deep(jp, MAX_DEPTH)) != NULL) {
		rc = kh_error_at(err, KH_EINPUT, deep->line, deep->col, NULL,
				 "JSON nests deeper than %d levels", MAX_DEPTH);
		goto done;
	}
	ps.policy = calloc(1, sizeof(*ps.policy));
	if (!ps.policy) {
		rc = kh_error_set(err, KH_ENOMEM, "out of memory parsing the policy");
		goto done;
	}
	ps.policy->source_len = len;
	parse_root(&ps, root, jp);
	if (ps.oom) {
		kh_policy_free(ps.policy);
		rc = kh_error_set(err, KH_ENOMEM, "out of memory parsing the policy");
		goto done;
	}
	*out = ps.policy;
done:
	kh_arena_release(&arena);
	json_decref(root);
	return rc;
}
