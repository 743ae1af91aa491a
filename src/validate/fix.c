/* fix.c - kh_validate_fix: remove the actions that name nothing.
 *
 * This is the scrub step for generated policies: an entry the catalog does
 * not know (a misspelt or invented action, an unknown service, a wildcard
 * matching nothing) grants nothing, so removing it never changes what the
 * policy allows; it only removes noise that IAM would reject. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/validate_int.h"

void kh_fix_result_init(struct kh_fix_result *r)
{
	memset(r, 0, sizeof(*r));
}

void kh_fix_result_release(struct kh_fix_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].value);
		free(r->items[i].path);
	}
	free(r->items);
	kh_fix_result_init(r);
}

static int record(struct kh_fix_result *r, const char *value, const char *path,
		  struct kh_pos pos, const char *code)
{
	struct kh_fix_removal *items = realloc(r->items, (r->n + 1) * sizeof(*items));
	struct kh_fix_removal *x;
	if (!items)
		return KH_ENOMEM;
	r->items = items;
	x = &items[r->n];
	x->value = strdup(value);
	x->path = strdup(path);
	x->line = pos.line;
	x->col = pos.col;
	x->code = code;
	if (!x->value || !x->path) {
		free(x->value);
		free(x->path);
		return KH_ENOMEM;
	}
	r->n++;
	return KH_OK;
}

static int scrub_list(const struct kh_catalog *cat, struct kh_statement *st, const char *key,
		      struct kh_strlist *l, struct kh_fix_result *r)
{
	char path[96];
	/* Paths name the entries as written, before anything was removed. */
	size_t orig = 0;
	int was_array = l->is_array;

	for (size_t i = 0; i < l->n; orig++) {
		const char *code = vc_action_kind_code(vc_classify_action(cat, l->items[i]));
		if (!code) {
			i++;
			continue;
		}
		if (was_array)
			snprintf(path, sizeof(path), "%s.%s[%zu]", st->path, key, orig);
		else
			snprintf(path, sizeof(path), "%s.%s", st->path, key);
		if (record(r, l->items[i], path, l->pos[i], code) != KH_OK)
			return KH_ENOMEM;
		kh_strlist_remove(l, i);
	}
	return KH_OK;
}

/* Frees statement i and closes the gap. The model owns the release of a
 * statement's contents, so it is handed to a throw-away policy to free. */
static int drop_statement(struct kh_policy *p, size_t i)
{
	struct kh_policy *tmp = kh_policy_new();
	if (!tmp)
		return KH_ENOMEM;
	free(tmp->statements);
	tmp->statements = malloc(sizeof(*tmp->statements));
	if (!tmp->statements) {
		kh_policy_free(tmp);
		return KH_ENOMEM;
	}
	tmp->statements[0] = p->statements[i];
	tmp->n_statements = 1;
	kh_policy_free(tmp);
	memmove(p->statements + i, p->statements + i + 1,
		(p->n_statements - i - 1) * sizeof(*p->statements));
	p->n_statements--;
	return KH_OK;
}

int kh_validate_fix(const struct kh_catalog *cat, struct kh_policy *policy,
		    struct kh_fix_result *removed)
{
	for (size_t i = 0; i < policy->n_statements;) {
		struct kh_statement *st = &policy->statements[i];
		int had_actions = st->action.n > 0;
		if (scrub_list(cat, st, "Action", &st->action, removed) != KH_OK ||
		    scrub_list(cat, st, "NotAction", &st->not_action, removed) != KH_OK)
			return KH_ENOMEM;
		if (had_actions && st->action.n == 0 && !st->not_action.present) {
			if (drop_statement(policy, i) != KH_OK)
				return KH_ENOMEM;
			removed->statements_removed++;
			continue;
		}
		i++;
	}
	/* Keep the statements' paths true to their new places. */
	for (size_t i = 0; i < policy->n_statements; i++)
		if (policy->statement_is_array)
			snprintf(policy->statements[i].path, sizeof(policy->statements[i].path),
				 "Statement[%zu]", i);
	return KH_OK;
}
