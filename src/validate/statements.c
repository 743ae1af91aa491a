/* statements.c - checks across statements: a statement that another one of
 * the same effect already contains. Containment is decided on the text:
 * wider actions and resources, principals among the other's, and no
 * condition the other lacks. It never claims what it cannot show, so some
 * redundant statements go unreported. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "validate/validate_int.h"

/* Does some entry of wide cover each entry of narrow? An entry with a
 * policy variable is covered only by the same text. */
static int list_covered(const struct kh_catalog *cat, const struct kh_strlist *wide,
			const struct kh_strlist *narrow, int actions)
{
	for (size_t i = 0; i < narrow->n; i++) {
		const char *n = narrow->items[i];
		int found = 0;
		for (size_t j = 0; j < wide->n && !found; j++) {
			const char *w = wide->items[j];
			if (strcmp(w, n) == 0)
				found = 1;
			else if (actions)
				found = vc_action_covers(cat, w, n);
			else
				found = !strstr(w, "${") && !strstr(n, "${") && vc_resource_covers(w, n);
		}
		if (!found)
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

/* Does statement b match every request a matches, with the same effect? */
static int contains(const struct kh_catalog *cat, const struct kh_statement *b,
		    const struct kh_statement *a)
{
	if (a->effect != b->effect ||
	    (a->effect != KH_EFFECT_ALLOW && a->effect != KH_EFFECT_DENY) ||
	    a->not_action.present || b->not_action.present || a->action.n == 0 ||
	    a->not_resource.present || b->not_resource.present ||
	    a->resource.present != b->resource.present || (a->resource.present && !a->resource.n) ||
	    a->not_principal.present || b->not_principal.present ||
	    a->has_condition != (a->n_conditions > 0) || b->has_condition != (b->n_conditions > 0))
		return 0;
	if (!list_covered(cat, &b->action, &a->action, 1) ||
	    !list_covered(cat, &b->resource, &a->resource, 0) ||
	    !principals_covered(&a->principal, &b->principal))
		return 0;
	for (size_t i = 0; i < b->n_conditions; i++) {
		int found = 0;
		for (size_t j = 0; j < a->n_conditions && !found; j++)
			found = same_condition(&a->conditions[j], &b->conditions[i]);
		if (!found)
			return 0;
	}
	return 1;
}

void vc_check_statements(struct vctx *vc)
{
	const struct kh_policy *p = vc->policy;

	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *a = &p->statements[i];
		for (size_t j = 0; j < p->n_statements; j++) {
			const struct kh_statement *b = &p->statements[j];
			/* Of two statements that contain each other, the later is reported. */
			if (j == i || !contains(vc->cat, b, a) || (j > i && contains(vc->cat, a, b)))
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
}
