/* checks.c - the CI checks: no-new-access, access-not-granted,
 * no-public-access.
 *
 * Actions are decided exactly against the catalog's finite action set;
 * resources by containment of ARN glob languages (glob.c). Conditions are
 * not compared: a conditional Allow counts as granting and a conditional
 * Deny as not denying, which errs toward reporting access.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eval/eval_int.h"
#include "util/util.h"

void kh_check_result_release(struct kh_check_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].action);
		free(r->items[i].resource);
		free(r->items[i].reason);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static int add_finding(struct kh_check_result *r, const char *action, const char *resource,
		       struct kh_eval_ref ref, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int add_finding(struct kh_check_result *r, const char *action, const char *resource,
		       struct kh_eval_ref ref, const char *fmt, ...)
{
	struct kh_check_finding *f = realloc(r->items, (r->n + 1) * sizeof(*f));
	struct kh_buf b;
	va_list ap;

	if (!f)
		return KH_ENOMEM;
	r->items = f;
	f = &f[r->n];
	kh_buf_init(&b, 4096);
	va_start(ap, fmt);
	kh_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->reason = kh_buf_detach(&b, NULL);
	f->action = action ? strdup(action) : NULL;
	f->resource = resource ? strdup(resource) : NULL;
	f->stmt = ref;
	if (!f->reason || (action && !f->action) || (resource && !f->resource)) {
		free(f->reason);
		free(f->action);
		free(f->resource);
		return KH_ENOMEM;
	}
	r->n++;
	return KH_OK;
}

/* ---- statement helpers over the policy model ---- */

static int stmt_covers_action(const struct kh_statement *st, const char *full)
{
	const struct kh_strlist *l = st->not_action.present ? &st->not_action : &st->action;
	for (size_t i = 0; i < l->n; i++)
		if (kh_glob_match(l->items[i], strlen(l->items[i]), full, strlen(full), 1))
			return !st->not_action.present;
	return st->not_action.present;
}

/* Does the statement's Resource cover every ARN of pattern r? A
 * NotResource statement is never taken as covering: the conservative
 * reading for both a reference grant and a Deny. */
static int stmt_covers_resource(const struct kh_statement *st, const char *r)
{
	if (st->not_resource.present)
		return 0;
	if (!st->resource.present)
		return 1;
	for (size_t i = 0; i < st->resource.n; i++)
		if (kh_arn_pattern_contains(st->resource.items[i], r))
			return 1;
	return 0;
}

/* Is (action, resource pattern r) denied outright by an unconditional Deny? */
static int denied(const struct kh_policy *p, const char *full, const char *r)
{
	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *st = &p->statements[i];
		if (st->effect == KH_EFFECT_DENY && !st->n_conditions &&
		    stmt_covers_action(st, full) && stmt_covers_resource(st, r))
			return 1;
	}
	return 0;
}

/* Does p grant (action, r) through an Allow (conditions ignored)? */
static int granted(const struct kh_policy *p, const char *full, const char *r)
{
	if (denied(p, full, r))
		return 0;
	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *st = &p->statements[i];
		if (st->effect == KH_EFFECT_ALLOW && stmt_covers_action(st, full) &&
		    stmt_covers_resource(st, r))
			return 1;
	}
	return 0;
}

/* The actions an Allow statement grants, from the catalog. */
static int stmt_actions(const struct kh_catalog *cat, const struct kh_statement *st,
			const struct kh_action ***out, size_t *n)
{
	const struct kh_action **all, **acc = NULL;
	size_t na, k = 0;
	int rc = kh_catalog_expand(cat, "*", &all, &na);

	if (rc != KH_OK)
		return rc;
	acc = malloc((na ? na : 1) * sizeof(*acc));
	if (!acc) {
		free(all);
		return KH_ENOMEM;
	}
	for (size_t i = 0; i < na; i++)
		if (stmt_covers_action(st, all[i]->full_name))
			acc[k++] = all[i];
	free(all);
	*out = acc;
	*n = k;
	return KH_OK;
}

static int cmp_finding(const void *x, const void *y)
{
	const struct kh_check_finding *a = x, *b = y;
	int c = strcmp(a->action ? a->action : "", b->action ? b->action : "");
	return c ? c : strcmp(a->resource ? a->resource : "", b->resource ? b->resource : "");
}

/* Sorts findings and drops repeats of the same action and resource. */
static void sort_unique(struct kh_check_result *r)
{
	size_t k = 0;
	if (r->n < 2)
		return;
	qsort(r->items, r->n, sizeof(*r->items), cmp_finding);
	for (size_t i = 0; i < r->n; i++) {
		if (k && cmp_finding(&r->items[k - 1], &r->items[i]) == 0) {
			free(r->items[i].action);
			free(r->items[i].resource);
			free(r->items[i].reason);
			continue;
		}
		r->items[k++] = r->items[i];
	}
	r->n = k;
}

static int check_policy(const struct kh_policy *p, const char *which, struct kh_error *err)
{
	if (p->n_problems)
		return kh_error_at(err, KH_EINPUT, p->problems[0].pos.line, p->problems[0].pos.col,
				   p->problems[0].path, "%s policy: %s", which,
				   p->problems[0].message);
	return KH_OK;
}

static int new_access_stmt(const struct kh_catalog *cat, const struct kh_policy *next,
			   const struct kh_policy *ref, size_t si, struct kh_check_result *out)
{
	const struct kh_statement *st = &next->statements[si];
	const struct kh_strlist *res = st->not_resource.present ? &st->not_resource : &st->resource;
	static char star[] = "*";
	char *star_items[] = {star};
	struct kh_strlist star_list = {.items = star_items, .n = 1};
	const struct kh_action **acts;
	size_t na;
	struct kh_eval_ref sref = {KH_EVAL_IDENTITY, 0, (int)si};
	int rc = stmt_actions(cat, st, &acts, &na);

	if (rc != KH_OK)
		return rc;
	/* NotResource grants nearly everything: compare it as "*". */
	if (st->not_resource.present || !st->resource.present)
		res = &star_list;
	for (size_t a = 0; a < na && rc == KH_OK; a++) {
		const char *full = acts[a]->full_name;
		for (size_t r = 0; r < res->n && rc == KH_OK; r++) {
			const char *pat = res->items[r];
			if (denied(next, full, pat) || granted(ref, full, pat))
				continue;
			rc = add_finding(out, full, pat, sref,
					 "%s allows %s on %s, which the reference does not", st->path,
					 full, pat);
		}
	}
	free(acts);
	return rc;
}

int kh_check_no_new_access(const struct kh_catalog *cat, const struct kh_policy *next,
			   const struct kh_policy *ref, struct kh_check_result *out,
			   struct kh_error *err)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = check_policy(next, "new", err)) || (rc = check_policy(ref, "reference", err)))
		return rc;
	for (size_t i = 0; i < next->n_statements; i++) {
		if (next->statements[i].effect != KH_EFFECT_ALLOW)
			continue;
		if ((rc = new_access_stmt(cat, next, ref, i, out)) != KH_OK) {
			kh_check_result_release(out);
			return kh_error_set(err, rc, "%s", kh_strerror(rc));
		}
	}
	sort_unique(out);
	return KH_OK;
}

/* ---- access-not-granted ---- */

/* Does an Allow resource list reach the concrete ARN (or pattern) r? */
static int stmt_reaches(const struct kh_statement *st, const char *r)
{
	struct kh_arena a;
	struct kh_eval_request req = {.action = "", .resource = r};
	int hit = 0;

	if (!st->resource.present)
		return 1;
	kh_arena_init(&a);
	for (size_t i = 0; i < st->resource.n && !hit; i++) {
		struct ev_arn p;
		if (ev_arn_compile(&a, st->resource.items[i], 1, &p) != KH_OK)
			continue;
		/* A variable that cannot resolve here might resolve at run time. */
		hit = ev_arn_match_str(&p, r, strlen(r), &req) != 0 ||
		      kh_arn_pattern_contains(st->resource.items[i], r);
	}
	kh_arena_release(&a);
	return st->not_resource.present ? !hit : hit;
}

static int allowed_somewhere(const struct kh_policy *p, const char *full, const char *r,
			     size_t *which)
{
	if (r && denied(p, full, r))
		return 0;
	if (!r && denied(p, full, "*"))
		return 0;
	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *st = &p->statements[i];
		if (st->effect == KH_EFFECT_ALLOW && stmt_covers_action(st, full) &&
		    (!r || stmt_reaches(st, r))) {
			*which = i;
			return 1;
		}
	}
	return 0;
}

int kh_check_access_not_granted(const struct kh_catalog *cat, const struct kh_policy *p,
				const char *const *actions, size_t n_actions,
				const char *const *resources, size_t n_resources,
				struct kh_check_result *out, struct kh_error *err)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = check_policy(p, "the", err)))
		return rc;
	for (size_t i = 0; i < n_actions; i++) {
		const struct kh_action **acts;
		size_t na;
		if (kh_catalog_expand(cat, actions[i], &acts, &na) != KH_OK)
			return kh_error_set(err, KH_ENOMEM, "out of memory");
		if (na == 0) {
			free(acts);
			kh_check_result_release(out);
			return kh_error_set(err, KH_EINPUT, "no catalog action matches '%s'",
					    actions[i]);
		}
		for (size_t a = 0; a < na; a++) {
			for (size_t r = 0; r < (n_resources ? n_resources : 1); r++) {
				const char *res = n_resources ? resources[r] : NULL;
				size_t which;
				if (!allowed_somewhere(p, acts[a]->full_name, res, &which))
					continue;
				rc = add_finding(out, acts[a]->full_name, res ? res : "*",
						 (struct kh_eval_ref){KH_EVAL_IDENTITY, 0, (int)which},
						 "%s grants %s%s%s", p->statements[which].path,
						 acts[a]->full_name, res ? " on " : "", res ? res : "");
				if (rc != KH_OK)
					break;
			}
		}
		free(acts);
		if (rc != KH_OK) {
			kh_check_result_release(out);
			return kh_error_set(err, rc, "%s", kh_strerror(rc));
		}
	}
	sort_unique(out);
	return KH_OK;
}
