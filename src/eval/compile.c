/* compile.c - turning struct kh_policy into the engine's compiled form. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eval/eval_int.h"

int kh_engine_new(struct kh_engine **out)
{
	struct kh_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return KH_ENOMEM;
	kh_arena_init(&e->arena);
	*out = e;
	return KH_OK;
}

void kh_engine_free(struct kh_engine *e)
{
	if (!e)
		return;
	for (int k = 0; k < KH_EVAL_KINDS; k++)
		free(e->pol[k]);
	kh_arena_release(&e->arena);
	free(e);
}

size_t kh_engine_count(const struct kh_engine *e, enum kh_eval_kind kind)
{
	return kind < KH_EVAL_KINDS ? e->n[kind] : 0;
}

const char *kh_engine_policy_name(const struct kh_engine *e, enum kh_eval_kind kind, size_t i)
{
	return kind < KH_EVAL_KINDS && i < e->n[kind] ? e->pol[kind][i].name : NULL;
}

const char *kh_eval_kind_name(enum kh_eval_kind kind)
{
	static const char *const names[] = {"identity", "boundary", "scp", "resource"};
	return kind < KH_EVAL_KINDS ? names[kind] : "?";
}

const char *kh_decision_name(enum kh_decision d)
{
	return d == KH_DECISION_ALLOW	      ? "allow"
	       : d == KH_DECISION_EXPLICIT_DENY ? "explicit deny"
					       : "implicit deny";
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int compile_principal(struct kh_arena *a, const char *type, const char *v,
			     struct ev_prin *out)
{
	size_t n = strlen(v);
	const char *acct = v;

	out->kind = EV_PR_OTHER;
	if (strcmp(type, "AWS") == 0) {
		if (strcmp(v, "*") == 0) {
			out->kind = EV_PR_ANY;
		} else if (all_digits(v, n)) {
			out->kind = EV_PR_ACCOUNT;
		} else if (n > 18 && strncmp(v, "arn:", 4) == 0 &&
			   strcmp(v + n - 5, ":root") == 0) {
			const char *seg[6];
			size_t len[6];
			if (ev_arn_split(v, n, seg, len) && len[5] == 4) {
				out->kind = EV_PR_ACCOUNT;
				acct = seg[4];
				n = len[4];
			} else {
				out->kind = EV_PR_ARN;
			}
		} else {
			out->kind = EV_PR_ARN;
		}
	} else if (strcmp(type, "Service") == 0) {
		out->kind = EV_PR_SERVICE;
	}
	out->value = kh_arena_strndup(a, acct, n);
	out->len = n;
	return out->value ? KH_OK : KH_ENOMEM;
}

static int compile_principals(struct kh_arena *a, const struct kh_principal *p,
			      struct ev_stmt *s)
{
	size_t n = p->is_star ? 1 : 0, k = 0;
	struct ev_prin *pr;

	for (size_t i = 0; i < p->n_entries; i++)
		n += p->entries[i].values.n;
	pr = kh_arena_alloc(a, (n ? n : 1) * sizeof(*pr));
	if (!pr)
		return KH_ENOMEM;
	if (p->is_star)
		pr[k++] = (struct ev_prin){.kind = EV_PR_ANY, .value = "*", .len = 1};
	for (size_t i = 0; i < p->n_entries; i++)
		for (size_t j = 0; j < p->entries[i].values.n; j++)
			if (compile_principal(a, p->entries[i].type, p->entries[i].values.items[j],
					      &pr[k++]) != KH_OK)
				return KH_ENOMEM;
	s->principals = pr;
	s->n_principals = n;
	s->has_principal = 1;
	return KH_OK;
}

static int compile_actions(struct kh_arena *a, const struct kh_strlist *l, struct ev_stmt *s)
{
	struct ev_pat *p = kh_arena_alloc(a, (l->n ? l->n : 1) * sizeof(*p));
	if (!p)
		return KH_ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (ev_pat_compile(a, l->items[i], strlen(l->items[i]), 1, 0, 1, &p[i]) != KH_OK)
			return KH_ENOMEM;
	s->actions = p;
	s->n_actions = l->n;
	return KH_OK;
}

static int compile_resources(struct kh_arena *a, const struct kh_strlist *l, struct ev_stmt *s)
{
	struct ev_arn *r = kh_arena_alloc(a, (l->n ? l->n : 1) * sizeof(*r));
	if (!r)
		return KH_ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (ev_arn_compile(a, l->items[i], 1, &r[i]) != KH_OK)
			return KH_ENOMEM;
	s->resources = r;
	s->n_resources = l->n;
	return KH_OK;
}

/* Checks the statement's shape for its kind of policy. */
static int check_shape(const struct kh_statement *st, enum kh_eval_kind kind,
		       struct kh_error *err)
{
	const char *path = st->path;
	if (st->effect != KH_EFFECT_ALLOW && st->effect != KH_EFFECT_DENY)
		return kh_error_at(err, KH_EINPUT, st->effect_pos.line ? st->effect_pos.line : st->pos.line,
				   st->effect_pos.line ? st->effect_pos.col : st->pos.col, path,
				   "statement needs an 'Effect' of \"Allow\" or \"Deny\"");
	if (st->action.present == st->not_action.present)
		return kh_error_at(err, KH_EINPUT, st->pos.line, st->pos.col, path,
				   "statement needs exactly one of 'Action' and 'NotAction'");
	if (st->resource.present && st->not_resource.present)
		return kh_error_at(err, KH_EINPUT, st->pos.line, st->pos.col, path,
				   "statement has both 'Resource' and 'NotResource'");
	if (kind == KH_EVAL_RESOURCE) {
		if (st->principal.present == st->not_principal.present)
			return kh_error_at(err, KH_EINPUT, st->pos.line, st->pos.col, path,
					   "resource policy statement needs exactly one of "
					   "'Principal' and 'NotPrincipal'");
		return KH_OK;
	}
	if (st->principal.present || st->not_principal.present)
		return kh_error_at(err, KH_EINPUT, st->principal.pos.line, st->principal.pos.col,
				   path, "'Principal' is only allowed in a resource policy");
	if (kind != KH_EVAL_SCP && !st->resource.present && !st->not_resource.present)
		return kh_error_at(err, KH_EINPUT, st->pos.line, st->pos.col, path,
				   "statement needs 'Resource' or 'NotResource'");
	return KH_OK;
}

static char star_text[] = "*";
static char *star_items[] = {star_text};
static const struct kh_strlist star_list = {.items = star_items, .n = 1, .present = 1};

static int compile_statement(struct kh_arena *a, const struct kh_statement *st,
			     enum kh_eval_kind kind, struct ev_stmt *s, struct kh_error *err)
{
	const struct kh_strlist *res;
	struct ev_cond *c;
	int rc;

	if ((rc = check_shape(st, kind, err)) != KH_OK)
		return rc;
	s->allow = st->effect == KH_EFFECT_ALLOW;
	s->not_action = st->not_action.present;
	s->not_resource = st->not_resource.present;
	s->sid = st->sid ? kh_arena_strndup(a, st->sid, strlen(st->sid)) : NULL;
	s->path = kh_arena_strndup(a, st->path, strlen(st->path));
	s->line = st->pos.line;
	s->col = st->pos.col;
	res = st->resource.present ? &st->resource
	      : st->not_resource.present ? &st->not_resource : &star_list;
	if (!s->path || compile_actions(a, s->not_action ? &st->not_action : &st->action, s) ||
	    compile_resources(a, res, s))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	if (st->principal.present || st->not_principal.present) {
		s->not_principal = st->not_principal.present;
		if (compile_principals(a, s->not_principal ? &st->not_principal : &st->principal,
				       s) != KH_OK)
			return kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	c = kh_arena_alloc(a, (st->n_conditions ? st->n_conditions : 1) * sizeof(*c));
	if (!c)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	for (size_t i = 0; i < st->n_conditions; i++)
		if ((rc = ev_cond_compile(a, &st->conditions[i], st->path, &c[i], err)) != KH_OK)
			return rc;
	s->conds = c;
	s->n_conds = st->n_conditions;
	return KH_OK;
}

static int first_problem(const struct kh_policy *p, struct kh_error *err)
{
	const struct kh_policy_problem *pr = &p->problems[0];
	return kh_error_at(err, KH_EINPUT, pr->pos.line, pr->pos.col, pr->path, "%s",
			   pr->message);
}

int kh_engine_add(struct kh_engine *e, enum kh_eval_kind kind, const struct kh_policy *p,
		  const char *name, struct kh_error *err)
{
	struct ev_stmt *st;
	struct ev_policy *pol;
	int rc;

	if (kind >= KH_EVAL_KINDS || (kind == KH_EVAL_RESOURCE && e->n[kind]))
		return kh_error_set(err, KH_EUSAGE, "only one resource policy can be evaluated");
	if (p->n_problems)
		return first_problem(p, err);
	if (!p->has_statement)
		return kh_error_at(err, KH_EINPUT, 1, 1, "", "policy has no 'Statement'");
	if (e->n[kind] == e->cap[kind]) {
		size_t cap = e->cap[kind] ? e->cap[kind] * 2 : 4;
		pol = realloc(e->pol[kind], cap * sizeof(*pol));
		if (!pol)
			return kh_error_set(err, KH_ENOMEM, "out of memory");
		e->pol[kind] = pol;
		e->cap[kind] = cap;
	}
	/* Statements compile into the arena; on failure they are left there,
	 * unreachable, and freed with the engine. */
	st = kh_arena_alloc(&e->arena, (p->n_statements ? p->n_statements : 1) * sizeof(*st));
	if (!st)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n_statements; i++)
		if ((rc = compile_statement(&e->arena, &p->statements[i], kind, &st[i], err)) !=
		    KH_OK)
			return rc;
	pol = &e->pol[kind][e->n[kind]];
	pol->name = kh_arena_strndup(&e->arena, name ? name : "", name ? strlen(name) : 0);
	if (!pol->name)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	pol->st = st;
	pol->n = p->n_statements;
	e->n[kind]++;
	return KH_OK;
}
