/* statements.c - checks across statements: a statement that another one of
 * the same effect already contains. Actions compare by what they grant
 * (each statement's entries are expanded once against the catalog);
 * resources, principals and conditions compare by their text: wider
 * resource patterns, principals among the other's, and no condition the
 * other lacks. It never claims what it cannot show, so some redundant
 * statements go unreported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate/validate_int.h"

/* Does some entry of wide cover each entry of narrow? An entry with a
 * policy variable is covered only by the same text. */
static int resources_covered(const struct kh_strlist *wide, const struct kh_strlist *narrow)
{
	for (size_t i = 0; i < narrow->n; i++) {
		const char *n = narrow->items[i];
		int found = 0;
		for (size_t j = 0; j < wide->n && !found; j++) {
			const char *w = wide->items[j];
			found = strcmp(w, n) == 0 ||
				(!strstr(w, "${") && !strstr(n, "${") && vc_resource_covers(w, n));
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* The catalog actions a statement's Action grants, sorted by address. */
struct granted {
	const struct kh_action **acts;
	size_t n;
	int all;    /* "*" */
	int usable; /* an Action (not NotAction) whose every entry names something */
};

static int by_address(const void *a, const void *b)
{
	const struct kh_action *x = *(const struct kh_action *const *)a;
	const struct kh_action *y = *(const struct kh_action *const *)b;
	return x < y ? -1 : x > y;
}

static int expand_statement(const struct kh_catalog *cat, const struct kh_statement *st,
			    struct granted *g)
{
	size_t cap = 0;

	g->usable = st->action.present && !st->not_action.present && st->action.n > 0;
	for (size_t i = 0; i < st->action.n && g->usable && !g->all; i++) {
		const struct kh_action **exp = NULL;
		size_t n = 0;
		if (strcmp(st->action.items[i], "*") == 0) {
			g->all = 1;
			break;
		}
		if (kh_catalog_expand(cat, st->action.items[i], &exp, &n) != KH_OK)
			return KH_ENOMEM;
		g->usable = n > 0; /* an entry that names nothing is left to INVALID_ACTION */
		if (n == 0) {
			free(exp);
			break;
		}
		if (g->n + n > cap) {
			const struct kh_action **p;
			cap = (g->n + n) * 2;
			if (!(p = realloc(g->acts, cap * sizeof(*p)))) {
				free(exp);
				return KH_ENOMEM;
			}
			g->acts = p;
		}
		memcpy(g->acts + g->n, exp, n * sizeof(*exp));
		g->n += n;
		free(exp);
	}
	if (g->n > 1) {
		size_t k = 1;
		qsort(g->acts, g->n, sizeof(*g->acts), by_address);
		for (size_t i = 1; i < g->n; i++)
			if (g->acts[i] != g->acts[k - 1])
				g->acts[k++] = g->acts[i];
		g->n = k;
	}
	return KH_OK;
}

/* Does b grant every action a grants? */
static int actions_covered(const struct granted *b, const struct granted *a)
{
	size_t j = 0;

	if (!a->usable || !b->usable)
		return 0;
	if (b->all)
		return 1;
	if (a->all || a->n > b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && b->acts[j] < a->acts[i])
			j++;
		if (j == b->n || b->acts[j] != a->acts[i])
			return 0;
	}
	return 1;
}

/* Is every principal of a also a principal of b? */
static int principals_covered(const struct kh_principal *a, const struct kh_principal *b)
{
	if (a->present != b->present)
		return 0;
	if (!a->present || b->is_star)
		return 1;
	if (a->is_star)
		return 0;
	for (size_t i = 0; i < a->n_entries; i++) {
		const struct kh_principal_entry *e = &a->entries[i], *f = NULL;
		for (size_t j = 0; j < b->n_entries && !f; j++)
			if (strcmp(b->entries[j].type, e->type) == 0)
				f = &b->entries[j];
		for (size_t k = 0; k < e->values.n; k++) {
			int found = 0;
			for (size_t m = 0; f && m < f->values.n && !found; m++)
				found = strcmp(f->values.items[m], e->values.items[k]) == 0;
			if (!found)
				return 0;
		}
	}
	return 1;
}

/* The same operator, key and values (in any order). */
static int same_condition(const struct kh_condition *a, const struct kh_condition *b)
{
	if (strcmp(a->op, b->op) != 0 || strcasecmp(a->key, b->key) != 0 ||
	    a->n_values != b->n_values)
		return 0;
	for (size_t i = 0; i < a->n_values; i++) {
		int found = 0;
		for (size_t j = 0; j < b->n_values && !found; j++)
			found = strcmp(a->values[i], b->values[j]) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* Does statement b match every request a matches, with the same effect?
 * The cheap tests come first. */
static int contains(const struct kh_statement *b, const struct kh_statement *a,
		    const struct granted *gb, const struct granted *ga)
{
	if (a->effect != b->effect ||
	    (a->effect != KH_EFFECT_ALLOW && a->effect != KH_EFFECT_DENY) ||
	    a->not_resource.present || b->not_resource.present ||
	    a->resource.present != b->resource.present || (a->resource.present && !a->resource.n) ||
	    a->not_principal.present || b->not_principal.present ||
	    a->has_condition != (a->n_conditions > 0) || b->has_condition != (b->n_conditions > 0) ||
	    !principals_covered(&a->principal, &b->principal))
		return 0;
	for (size_t i = 0; i < b->n_conditions; i++) {
		int found = 0;
		for (size_t j = 0; j < a->n_conditions && !found; j++)
			found = same_condition(&a->conditions[j], &b->conditions[i]);
		if (!found)
			return 0;
	}
	return resources_covered(&b->resource, &a->resource) && actions_covered(gb, ga);
}

void vc_check_statements(struct vctx *vc)
{
	const struct kh_policy *p = vc->policy;
	struct granted *g = calloc(p->n_statements + 1, sizeof(*g));

	if (!g) {
		vc->rc = KH_ENOMEM;
		return;
	}
	for (size_t i = 0; i < p->n_statements; i++)
		if (expand_statement(vc->cat, &p->statements[i], &g[i]) != KH_OK) {
			vc->rc = KH_ENOMEM;
			goto done;
		}
	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *a = &p->statements[i];
		for (size_t j = 0; j < p->n_statements; j++) {
			const struct kh_statement *b = &p->statements[j];
			/* Of two statements that contain each other, the later is reported. */
			if (j == i || !contains(b, a, &g[j], &g[i]) ||
			    (j > i && contains(a, b, &g[i], &g[j])))
				continue;
			vc_add(vc, KH_SEV_SUGGESTION, "REDUNDANT_STATEMENT", a->path, a->pos,
			       "remove it",
			       "%s (line %d) already %s everything this statement does: its "
			       "actions, resources and principals cover these, and it has no "
			       "condition this one lacks",
			       b->path, b->pos.line, a->effect == KH_EFFECT_ALLOW ? "allows" : "denies");
			break;
		}
	}
done:
	for (size_t i = 0; i < p->n_statements; i++)
		free(g[i].acts);
	free(g);
}
