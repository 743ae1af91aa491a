/* model.c - building, freeing and writing struct kh_policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

enum kh_effect kh_effect_parse(const char *s)
{
	if (strcmp(s, "Allow") == 0)
		return KH_EFFECT_ALLOW;
	if (strcmp(s, "Deny") == 0)
		return KH_EFFECT_DENY;
	return KH_EFFECT_INVALID;
}

int kh_strlist_add_at(struct kh_strlist *l, const char *s, struct kh_pos pos)
{
	char **items = realloc(l->items, (l->n + 1) * sizeof(*items));
	struct kh_pos *ps;
	if (!items)
		return KH_ENOMEM;
	l->items = items;
	ps = realloc(l->pos, (l->n + 1) * sizeof(*ps));
	if (!ps)
		return KH_ENOMEM;
	l->pos = ps;
	if (!(l->items[l->n] = strdup(s)))
		return KH_ENOMEM;
	l->pos[l->n] = pos;
	l->n++;
	l->present = 1;
	return KH_OK;
}

int kh_strlist_add(struct kh_strlist *l, const char *s)
{
	struct kh_pos none = {0, 0};
	int rc = kh_strlist_add_at(l, s, none);
	if (rc == KH_OK && l->n > 1)
		l->is_array = 1;
	return rc;
}

void kh_strlist_remove(struct kh_strlist *l, size_t i)
{
	if (i >= l->n)
		return;
	free(l->items[i]);
	memmove(l->items + i, l->items + i + 1, (l->n - i - 1) * sizeof(*l->items));
	memmove(l->pos + i, l->pos + i + 1, (l->n - i - 1) * sizeof(*l->pos));
	l->n--;
}

void kh_strlist_release(struct kh_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	free(l->pos);
	memset(l, 0, sizeof(*l));
}

struct kh_condition *kh_statement_new_condition(struct kh_statement *st, const char *op,
						const char *key)
{
	struct kh_condition *cs = realloc(st->conditions, (st->n_conditions + 1) * sizeof(*cs));
	struct kh_condition *c;
	if (!cs)
		return NULL;
	st->conditions = cs;
	c = &cs[st->n_conditions];
	memset(c, 0, sizeof(*c));
	c->op = strdup(op);
	c->key = strdup(key);
	if (!c->op || !c->key) {
		free(c->op);
		free(c->key);
		return NULL;
	}
	st->n_conditions++;
	st->has_condition = 1;
	return c;
}

int kh_condition_add_value(struct kh_condition *c, const char *v, enum kh_value_type type,
			   struct kh_pos pos)
{
	size_t n = c->n_values + 1;
	char **vals = realloc(c->values, n * sizeof(*vals));
	enum kh_value_type *types;
	struct kh_pos *ps;
	if (!vals)
		return KH_ENOMEM;
	c->values = vals;
	if (!(types = realloc(c->types, n * sizeof(*types))))
		return KH_ENOMEM;
	c->types = types;
	if (!(ps = realloc(c->value_pos, n * sizeof(*ps))))
		return KH_ENOMEM;
	c->value_pos = ps;
	if (!(c->values[c->n_values] = strdup(v)))
		return KH_ENOMEM;
	c->types[c->n_values] = type;
	c->value_pos[c->n_values] = pos;
	c->n_values++;
	return KH_OK;
}

int kh_statement_add_condition(struct kh_statement *st, const char *op, const char *key,
			       const char *const *values, size_t n)
{
	struct kh_condition *c = kh_statement_new_condition(st, op, key);
	struct kh_pos none = {0, 0};
	if (!c)
		return KH_ENOMEM;
	c->values_is_array = n != 1;
	for (size_t i = 0; i < n; i++)
		if (kh_condition_add_value(c, values[i], KH_VALUE_STRING, none))
			return KH_ENOMEM;
	return KH_OK;
}

struct kh_policy *kh_policy_new(void)
{
	struct kh_policy *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->version = strdup("2012-10-17");
	p->has_statement = 1;
	p->statement_is_array = 1;
	if (!p->version) {
		free(p);
		return NULL;
	}
	return p;
}

struct kh_statement *kh_policy_add_statement(struct kh_policy *p, const char *sid,
					     enum kh_effect effect)
{
	struct kh_statement *sts = realloc(p->statements, (p->n_statements + 1) * sizeof(*sts));
	struct kh_statement *st;
	if (!sts)
		return NULL;
	p->statements = sts;
	st = &sts[p->n_statements];
	memset(st, 0, sizeof(*st));
	if (sid && !(st->sid = strdup(sid)))
		return NULL;
	st->effect = effect;
	st->effect_raw = strdup(effect == KH_EFFECT_DENY ? "Deny" : "Allow");
	if (!st->effect_raw) {
		free(st->sid);
		return NULL;
	}
	snprintf(st->path, sizeof(st->path), "Statement[%zu]", p->n_statements);
	p->n_statements++;
	return st;
}

static void principal_release(struct kh_principal *pr)
{
	for (size_t i = 0; i < pr->n_entries; i++) {
		free(pr->entries[i].type);
		kh_strlist_release(&pr->entries[i].values);
	}
	free(pr->entries);
}

static void statement_release(struct kh_statement *st)
{
	free(st->sid);
	free(st->effect_raw);
	principal_release(&st->principal);
	principal_release(&st->not_principal);
	kh_strlist_release(&st->action);
	kh_strlist_release(&st->not_action);
	kh_strlist_release(&st->resource);
	kh_strlist_release(&st->not_resource);
	for (size_t i = 0; i < st->n_conditions; i++) {
		struct kh_condition *c = &st->conditions[i];
		free(c->op);
		free(c->key);
		for (size_t j = 0; j < c->n_values; j++)
			free(c->values[j]);
		free(c->values);
		free(c->types);
		free(c->value_pos);
	}
	free(st->conditions);
}

void kh_policy_free(struct kh_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_statements; i++)
		statement_release(&p->statements[i]);
	free(p->statements);
	for (size_t i = 0; i < p->n_problems; i++) {
		free(p->problems[i].message);
		free(p->problems[i].path);
	}
	free(p->problems);
	free(p->version);
	free(p->id);
	free(p);
}

size_t kh_policy_text_size(const char *text, size_t len)
{
	size_t n = 0;
	int in_string = 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\' && i + 1 < len) {
				n += 2;
				i++;
				continue;
			}
			if (c == '"')
				in_string = 0;
			n++;
		} else if (c == '"') {
			in_string = 1;
			n++;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			n++;
		}
	}
	return n;
}
