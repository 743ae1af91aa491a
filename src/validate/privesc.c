/* privesc.c - privilege-escalation actions and combinations.
 *
 * A row of data/privesc.tsv escalates when the policy's Allow statements
 * grant every one of its actions: by name, through a wildcard, or through
 * NotAction, and no Deny statement takes the action away everywhere (no
 * Condition, Resource "*"). Rows are reported where their first action is
 * granted, one finding per policy element, naming every row that element
 * completes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate/validate_int.h"

/* Where an action is granted: statement index and Action entry index
 * (SIZE_MAX for NotAction). */
struct grant {
	size_t st, item;
};

static int names_action(const struct kh_statement *st, const char *action)
{
	if (st->not_action.present) {
		for (size_t i = 0; i < st->not_action.n; i++)
			if (vc_action_matches(st->not_action.items[i], action))
				return 0;
		return 1;
	}
	for (size_t i = 0; i < st->action.n; i++)
		if (vc_action_matches(st->action.items[i], action))
			return 1;
	return 0;
}

static int has_star_resource(const struct kh_statement *st)
{
	for (size_t i = 0; i < st->resource.n; i++)
		if (strcmp(st->resource.items[i], "*") == 0)
			return 1;
	return 0;
}

/* Does a Deny statement refuse action on every resource, whatever the
 * request? (A Deny with a Condition or narrower resources may not apply.) */
static int denied_everywhere(const struct kh_policy *p, const char *action)
{
	for (size_t s = 0; s < p->n_statements; s++) {
		const struct kh_statement *st = &p->statements[s];
		if (st->effect == KH_EFFECT_DENY && !st->has_condition &&
		    !st->not_resource.present && !st->principal.present &&
		    !st->not_principal.present && has_star_resource(st) && names_action(st, action))
			return 1;
	}
	return 0;
}

static int statement_grants(const struct kh_statement *st, const char *action,
			    int need_star, size_t *item)
{
	int star = st->not_resource.present || has_star_resource(st);

	if (st->effect != KH_EFFECT_ALLOW)
		return 0;
	if (need_star && !star)
		return 0;
	if (st->not_action.present) {
		for (size_t i = 0; i < st->not_action.n; i++)
			if (vc_action_matches(st->not_action.items[i], action))
				return 0;
		*item = SIZE_MAX;
		return 1;
	}
	for (size_t i = 0; i < st->action.n; i++)
		if (vc_action_matches(st->action.items[i], action)) {
			*item = i;
			return 1;
		}
	return 0;
}

static int policy_grants(const struct kh_policy *p, const char *action, int need_star,
			 struct grant *g)
{
	if (denied_everywhere(p, action))
		return 0;
	for (size_t s = 0; s < p->n_statements; s++)
		if (statement_grants(&p->statements[s], action, need_star, &g->item)) {
			g->st = s;
			return 1;
		}
	return 0;
}

/* Does the policy complete row r? *first receives where its first action
 * is granted. */
static int row_fires(const struct kh_policy *p, const struct vc_privesc *r, struct grant *first)
{
	const char *a = r->actions;
	char name[128];
	int idx = 0;

	while (*a) {
		size_t n = strcspn(a, ",");
		struct grant g;
		if (n >= sizeof(name))
			return 0;
		memcpy(name, a, n);
		name[n] = '\0';
		if (!policy_grants(p, name, idx == 0 && r->resource_star, &g))
			return 0;
		if (idx++ == 0)
			*first = g;
		a += n + (a[n] == ',');
	}
	return idx > 0;
}

static void report_group(struct vctx *vc, const struct grant *g, const size_t *rows, size_t n)
{
	const struct kh_statement *st = &vc->policy->statements[g->st];
	struct kh_buf msg;
	char path[96];
	struct kh_pos pos;

	if (g->item == SIZE_MAX) {
		snprintf(path, sizeof(path), "%s.NotAction", st->path);
		pos = st->not_action.key_pos;
	} else {
		vc_item_path(path, sizeof(path), st, "Action", &st->action, g->item);
		pos = st->action.pos[g->item];
	}
	kh_buf_init(&msg, 1 << 16);
	kh_buf_printf(&msg, "grants %s: ", n == 1 ? "a privilege-escalation path"
						 : "privilege-escalation paths");
	for (size_t i = 0; i < n && i < 4; i++) {
		const struct vc_privesc *r = &vc_privesc_table[rows[i]];
		kh_buf_puts(&msg, i ? "; " : "");
		for (const char *a = r->actions; *a; a++)
			kh_buf_puts(&msg, *a == ',' ? " + " : (char[]){*a, 0});
		kh_buf_printf(&msg, " (%s%s)", r->description,
			      r->resource_star ? ", on Resource \"*\"" : "");
	}
	if (n > 4)
		kh_buf_printf(&msg, "; and %zu more", n - 4);
	if (kh_buf_error(&msg))
		vc->rc = KH_ENOMEM;
	else
		vc_add(vc, KH_SEV_SECURITY_WARNING, "PRIVILEGE_ESCALATION", path, pos,
		       "grant these actions only on named resources, with conditions, or not at all",
		       "%s", msg.data);
	kh_buf_release(&msg);
}

void vc_check_privesc(struct vctx *vc)
{
	struct grant *where;
	size_t *rows;
	char *fired;

	if (!vc_grants(vc))
		return; /* an SCP sets a ceiling; it grants nothing */
	where = calloc(vc_privesc_count + 1, sizeof(*where));
	rows = calloc(vc_privesc_count + 1, sizeof(*rows));
	fired = calloc(vc_privesc_count + 1, 1);
	if (!where || !rows || !fired) {
		vc->rc = KH_ENOMEM;
		goto done;
	}
	for (size_t r = 0; r < vc_privesc_count; r++)
		fired[r] = (char)row_fires(vc->policy, &vc_privesc_table[r], &where[r]);
	/* One finding per place, listing every row that fires there. */
	for (size_t r = 0; r < vc_privesc_count; r++) {
		size_t n = 0;
		if (!fired[r])
			continue;
		for (size_t q = r; q < vc_privesc_count; q++)
			if (fired[q] && where[q].st == where[r].st && where[q].item == where[r].item) {
				rows[n++] = q;
				if (q != r)
					fired[q] = 0;
			}
		report_group(vc, &where[r], rows, n);
	}
done:
	free(where);
	free(rows);
	free(fired);
}
