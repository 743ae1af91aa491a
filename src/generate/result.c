/* result.c - the generate result: warnings, release, and small text helpers
 * shared by the generator's files. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "generate/generate_int.h"

int kh__warn(struct kh_generate_result *res, const char *code, const char *fmt, ...)
{
	struct kh_gen_warning *ws = realloc(res->warnings, (res->n_warnings + 1) * sizeof(*ws));
	struct kh_buf msg;
	va_list ap;

	if (!ws)
		return KH_ENOMEM;
	res->warnings = ws;
	kh_buf_init(&msg, 8192);
	va_start(ap, fmt);
	kh_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (kh_buf_error(&msg)) {
		kh_buf_release(&msg);
		return KH_ENOMEM;
	}
	ws[res->n_warnings].code = code;
	ws[res->n_warnings].message = kh_buf_detach(&msg, NULL);
	res->n_warnings++;
	return KH_OK;
}

void kh_generate_result_release(struct kh_generate_result *res)
{
	free(res->name);
	free(res->source);
	kh_policy_free(res->policy);
	kh_policy_free(res->trust_policy);
	for (size_t i = 0; i < res->n_warnings; i++)
		free(res->warnings[i].message);
	free(res->warnings);
	free(res->added_dependent);
	free(res->removed);
	memset(res, 0, sizeof(*res));
}

void kh__camel(struct kh_buf *out, const char *s, size_t len, size_t max)
{
	int upper = 1;
	size_t n = 0;
	for (size_t i = 0; i < len && n < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) || c > 0x7f) {
			upper = 1;
			continue;
		}
		kh_buf_putc(out, (char)(upper ? toupper(c) : c));
		upper = 0;
		n++;
	}
}

/* ---- policy size -------------------------------------------------------- */

/* What kh_policy_text_size counts for s as kh_policy_write writes it: the
 * quotes and every character, an escape as its written length. */
static size_t string_size(const char *s)
{
	size_t n = 2;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '\n' || *p == '\r' || *p == '\t')
			n += 2;
		else
			n += *p < 0x20 ? 6 : 1;
	}
	return n;
}

/* A non-string value is written as it is; whitespace does not count. */
static size_t value_size(const char *v, enum kh_value_type t)
{
	size_t n = 0;
	if (t == KH_VALUE_STRING)
		return string_size(v);
	if (t == KH_VALUE_NULL)
		return 4;
	for (; *v; v++)
		n += *v != ' ' && *v != '\t' && *v != '\n' && *v != '\r';
	return n;
}

/* The separator before a member, its key and the colon. */
static size_t member_size(int *first, const char *key)
{
	size_t n = (*first ? 0 : 1) + string_size(key) + 1;
	*first = 0;
	return n;
}

static size_t list_size(char *const *items, const enum kh_value_type *types, size_t n,
			int is_array)
{
	size_t size = 2 + (n ? n - 1 : 0);
	if (!is_array && n == 1)
		return value_size(items[0], types ? types[0] : KH_VALUE_STRING);
	for (size_t i = 0; i < n; i++)
		size += value_size(items[i], types ? types[i] : KH_VALUE_STRING);
	return size;
}

static size_t strlist_size(int *first, const char *key, const struct kh_strlist *l)
{
	if (!l->present)
		return 0;
	return member_size(first, key) + list_size(l->items, NULL, l->n, l->is_array);
}

static size_t principal_size(int *first, const char *key, const struct kh_principal *pr)
{
	int inner = 1;
	size_t n;

	if (!pr->present)
		return 0;
	n = member_size(first, key);
	if (pr->is_star)
		return n + 3;
	n += 2;
	for (size_t i = 0; i < pr->n_entries; i++)
		n += strlist_size(&inner, pr->entries[i].type, &pr->entries[i].values);
	return n;
}

static size_t conditions_size(int *first, const struct kh_statement *st)
{
	int ops_first = 1;
	size_t n;

	if (!st->has_condition)
		return 0;
	n = member_size(first, "Condition") + 2;
	for (size_t i = 0; i < st->n_conditions;) {
		const char *op = st->conditions[i].op;
		int keys_first = 1;
		n += member_size(&ops_first, op) + 2;
		for (; i < st->n_conditions && strcmp(st->conditions[i].op, op) == 0; i++) {
			const struct kh_condition *c = &st->conditions[i];
			n += member_size(&keys_first, c->key) +
			     list_size(c->values, c->types, c->n_values, c->values_is_array);
		}
	}
	return n;
}

static size_t statement_size(const struct kh_statement *st)
{
	int first = 1;
	size_t n = 2;

	if (st->sid)
		n += member_size(&first, "Sid") + string_size(st->sid);
	if (st->effect_raw)
		n += member_size(&first, "Effect") + string_size(st->effect_raw);
	n += principal_size(&first, "Principal", &st->principal);
	n += principal_size(&first, "NotPrincipal", &st->not_principal);
	n += strlist_size(&first, "Action", &st->action);
	n += strlist_size(&first, "NotAction", &st->not_action);
	n += strlist_size(&first, "Resource", &st->resource);
	n += strlist_size(&first, "NotResource", &st->not_resource);
	return n + conditions_size(&first, st);
}

size_t kh__policy_size(const struct kh_policy *p)
{
	int first = 1;
	size_t n = 2;

	if (p->version)
		n += member_size(&first, "Version") + string_size(p->version);
	if (p->id)
		n += member_size(&first, "Id") + string_size(p->id);
	if (p->has_statement) {
		n += member_size(&first, "Statement");
		if (!p->statement_is_array && p->n_statements == 1)
			return n + statement_size(&p->statements[0]);
		n += 2 + (p->n_statements ? p->n_statements - 1 : 0);
		for (size_t i = 0; i < p->n_statements; i++)
			n += statement_size(&p->statements[i]);
	}
	return n;
}
