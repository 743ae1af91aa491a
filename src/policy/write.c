/* write.c - deterministic serialization of struct kh_policy. */
#include <string.h>

#include "policy/policy_int.h"

struct writer {
	struct kh_buf *out;
	int compact;
	int depth;
};

static void newline(struct writer *w)
{
	if (w->compact)
		return;
	kh_buf_putc(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		kh_buf_add(w->out, "  ", 2);
}

/* Writes the separator before a member: ',' after the first, then a new
 * line, then "key": */
static void member(struct writer *w, int *first, const char *key)
{
	if (!*first)
		kh_buf_putc(w->out, ',');
	*first = 0;
	newline(w);
	kh_buf_put_json_string(w->out, key);
	kh_buf_add(w->out, w->compact ? ":" : ": ", w->compact ? 1 : 2);
}

static void open_block(struct writer *w, char c)
{
	kh_buf_putc(w->out, c);
	w->depth++;
}

static void close_block(struct writer *w, char c, int empty)
{
	w->depth--;
	if (!empty)
		newline(w);
	kh_buf_putc(w->out, c);
}

static void write_value(struct writer *w, const char *v, enum kh_value_type t)
{
	if (t == KH_VALUE_STRING)
		kh_buf_put_json_string(w->out, v);
	else
		kh_buf_puts(w->out, t == KH_VALUE_NULL ? "null" : v);
}

static void write_list(struct writer *w, char *const *items, const enum kh_value_type *types,
		       size_t n, int is_array)
{
	if (!is_array && n == 1) {
		write_value(w, items[0], types ? types[0] : KH_VALUE_STRING);
		return;
	}
	open_block(w, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			kh_buf_putc(w->out, ',');
		newline(w);
		write_value(w, items[i], types ? types[i] : KH_VALUE_STRING);
	}
	close_block(w, ']', n == 0);
}

static void write_strlist(struct writer *w, int *first, const char *key,
			  const struct kh_strlist *l)
{
	if (!l->present)
		return;
	member(w, first, key);
	write_list(w, l->items, NULL, l->n, l->is_array);
}

static void write_principal(struct writer *w, int *first, const char *key,
			    const struct kh_principal *pr)
{
	int inner = 1;
	if (!pr->present)
		return;
	member(w, first, key);
	if (pr->is_star) {
		kh_buf_put_json_string(w->out, "*");
		return;
	}
	open_block(w, '{');
	for (size_t i = 0; i < pr->n_entries; i++)
		write_strlist(w, &inner, pr->entries[i].type, &pr->entries[i].values);
	close_block(w, '}', pr->n_entries == 0);
}

/* Conditions are stored as flat (op, key) pairs; consecutive pairs with
 * the same operator are written under one operator object. */
static void write_conditions(struct writer *w, int *first, const struct kh_statement *st)
{
	int ops_first = 1;
	if (!st->has_condition)
		return;
	member(w, first, "Condition");
	open_block(w, '{');
	for (size_t i = 0; i < st->n_conditions;) {
		const char *op = st->conditions[i].op;
		int keys_first = 1;
		member(w, &ops_first, op);
		open_block(w, '{');
		for (; i < st->n_conditions && strcmp(st->conditions[i].op, op) == 0; i++) {
			const struct kh_condition *c = &st->conditions[i];
			member(w, &keys_first, c->key);
			write_list(w, c->values, c->types, c->n_values, c->values_is_array);
		}
		close_block(w, '}', 0);
	}
	close_block(w, '}', st->n_conditions == 0);
}

static void write_statement(struct writer *w, const struct kh_statement *st)
{
	int first = 1;
	open_block(w, '{');
	if (st->sid) {
		member(w, &first, "Sid");
		kh_buf_put_json_string(w->out, st->sid);
	}
	if (st->effect_raw) {
		member(w, &first, "Effect");
		kh_buf_put_json_string(w->out, st->effect_raw);
	}
	write_principal(w, &first, "Principal", &st->principal);
	write_principal(w, &first, "NotPrincipal", &st->not_principal);
	write_strlist(w, &first, "Action", &st->action);
	write_strlist(w, &first, "NotAction", &st->not_action);
	write_strlist(w, &first, "Resource", &st->resource);
	write_strlist(w, &first, "NotResource", &st->not_resource);
	write_conditions(w, &first, st);
	close_block(w, '}', first);
}

int kh_policy_write(const struct kh_policy *p, struct kh_buf *out, int compact)
{
	struct writer w = {out, compact, 0};
	int first = 1;

	open_block(&w, '{');
	if (p->version) {
		member(&w, &first, "Version");
		kh_buf_put_json_string(out, p->version);
	}
	if (p->id) {
		member(&w, &first, "Id");
		kh_buf_put_json_string(out, p->id);
	}
	if (p->has_statement) {
		member(&w, &first, "Statement");
		if (!p->statement_is_array && p->n_statements == 1) {
			write_statement(&w, &p->statements[0]);
		} else {
			open_block(&w, '[');
			for (size_t i = 0; i < p->n_statements; i++) {
				if (i)
					kh_buf_putc(out, ',');
				newline(&w);
				write_statement(&w, &p->statements[i]);
			}
			close_block(&w, ']', p->n_statements == 0);
		}
	}
	close_block(&w, '}', first);
	if (!compact)
		kh_buf_putc(out, '\n');
	return kh_buf_error(out);
}
