/* rightsize.c - the least-privilege policy for what a principal called
 * (see keyhole/rightsize.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyhole/eval.h"
#include "keyhole/mapping.h"
#include "keyhole/rightsize.h"
#include "util/util.h"

static const struct kh_usage_principal *find_principal(struct kh_usage *u, const char *arn)
{
	const struct kh_usage_principal **ps;
	size_t n;

	if (kh_usage_principals(u, &ps, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(ps[i]->arn, arn) == 0)
			return ps[i];
	return NULL;
}

/* ---- resources ------------------------------------------------------------ */

/* Start of the resource part: after the fifth ':' of an ARN. */
static const char *resource_part(const char *arn)
{
	const char *p = arn;
	for (int i = 0; i < 5 && p; i++)
		if ((p = strchr(p, ':')))
			p++;
	return p;
}

/* One step up the resource path: "bucket/a/b.json" becomes "bucket/a/" plus
 * a star, "bucket/a/" plus star becomes "bucket/" plus star, and "table:x"
 * becomes "table:" plus star. NULL when nothing is left to cut. */
static char *generalize_one(const char *arn)
{
	const char *res = resource_part(arn), *cut;
	size_t len = strlen(arn);
	struct kh_buf b;

	if (!res)
		return NULL;
	if (len >= 2 && strcmp(arn + len - 2, "/*") == 0)
		len -= 2;
	cut = NULL;
	for (const char *p = arn + len; p > res; p--)
		if (p[-1] == '/' || p[-1] == ':') {
			cut = p;
			break;
		}
	if (!cut || cut == res)
		return NULL;
	kh_buf_init(&b, 0);
	kh_buf_add(&b, arn, (size_t)(cut - arn));
	kh_buf_putc(&b, '*');
	return kh_buf_detach(&b, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Sorts and removes duplicates in place; returns the new count. */
static size_t sort_unique(char **v, size_t n)
{
	size_t k = 0;
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(v[k - 1], v[i]) == 0)
			free(v[i]);
		else
			v[k++] = v[i];
	}
	return k;
}

/* Replaces the region and account segments with placeholders. */
static char *placeholder_arn(const char *arn, unsigned flags)
{
	const char *seg[6];
	const char *p = arn;
	struct kh_buf b;

	for (int i = 0; i < 5; i++) {
		seg[i] = p;
		if (!(p = strchr(p, ':')))
			return strdup(arn);
		p++;
	}
	seg[5] = p;
	kh_buf_init(&b, 0);
	kh_buf_add(&b, arn, (size_t)(seg[3] - arn));
	if ((flags & KH_RS_GENERALIZE_REGION) && seg[4] - seg[3] > 1)
		kh_buf_puts(&b, "${Region}");
	else
		kh_buf_add(&b, seg[3], (size_t)(seg[4] - seg[3] - 1));
	kh_buf_putc(&b, ':');
	if ((flags & KH_RS_GENERALIZE_ACCOUNT) && seg[5] - seg[4] > 1)
		kh_buf_puts(&b, "${Account}");
	else
		kh_buf_add(&b, seg[4], (size_t)(seg[5] - seg[4] - 1));
	kh_buf_putc(&b, ':');
	kh_buf_puts(&b, seg[5]);
	return kh_buf_detach(&b, NULL);
}

/* The resources to grant for one used action. */
static int action_resources(const struct kh_usage_entry *e, const struct kh_action *a, size_t max,
			    struct kh_rightsize_action *out)
{
	size_t n = e->n_resources;
	char **v;

	if (!a->n_resources || e->unknown_resource || !n || e->resources_truncated) {
		out->star = !a->n_resources ? KH_STAR_NO_RESOURCE_TYPES : KH_STAR_NOT_DERIVABLE;
		v = malloc(sizeof(*v));
		if (!v || !(v[0] = strdup("*")))
			return KH_ENOMEM;
		out->resources = v;
		out->n_resources = 1;
		return KH_OK;
	}
	v = calloc(n, sizeof(*v));
	if (!v)
		return KH_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = strdup(e->resources[i])))
			return free_strings(v, i), KH_ENOMEM;
	n = sort_unique(v, n);
	/* Too many: climb one path level at a time until they fit. */
	while (n > max) {
		size_t progress = 0;
		for (size_t i = 0; i < n; i++) {
			char *g = generalize_one(v[i]);
			if (g) {
				progress += strcmp(g, v[i]) != 0;
				free(v[i]);
				v[i] = g;
			}
		}
		n = sort_unique(v, n);
		out->generalized = 1;
		if (!progress) {
			free_strings(v, n);
			out->star = KH_STAR_NOT_DERIVABLE;
			v = malloc(sizeof(*v));
			if (!v || !(v[0] = strdup("*")))
				return KH_ENOMEM;
			n = 1;
			break;
		}
	}
	out->resources = v;
	out->n_resources = n;
	return KH_OK;
}

/* Writes ${Region}/${Account} into every granted resource. */
static int apply_placeholders(struct kh_rightsize_result *res, unsigned flags)
{
	for (size_t i = 0; i < res->n_actions; i++) {
		struct kh_rightsize_action *a = &res->actions[i];
		for (size_t j = 0; j < a->n_resources; j++) {
			char *p = placeholder_arn(a->resources[j], flags);
			if (!p)
				return KH_ENOMEM;
			free(a->resources[j]);
			a->resources[j] = p;
		}
		a->n_resources = sort_unique(a->resources, a->n_resources);
	}
	return KH_OK;
}

/* ---- statements ------------------------------------------------------------ */

/* Statements group actions of one service with the same resources. */
static int same_statement(const struct kh_rightsize_action *a, const struct kh_rightsize_action *b)
{
	if (a->action->service != b->action->service || a->n_resources != b->n_resources)
		return 0;
	for (size_t i = 0; i < a->n_resources; i++)
		if (strcmp(a->resources[i], b->resources[i]) != 0)
			return 0;
	return 1;
}

/* "s3" -> "S3", "cognito-idp" -> "CognitoIdp": Sids allow [A-Za-z0-9]. */
static void put_camel(struct kh_buf *b, const char *s)
{
	int up = 1;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))) {
			up = 1;
			continue;
		}
		kh_buf_putc(b, up && *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s);
		up = 0;
	}
}

static int add_statement(struct kh_policy *policy, const struct kh_usage_principal *p,
			 struct kh_rightsize_action **group, size_t n, unsigned flags, int index)
{
	struct kh_buf sid;
	struct kh_statement *st;
	const char *prefix = group[0]->action->service->prefix;
	int rc = KH_OK;

	kh_buf_init(&sid, 256);
	put_camel(&sid, prefix);
	kh_buf_puts(&sid, "Observed");
	if (index > 1)
		kh_buf_printf(&sid, "%d", index);
	st = kh_policy_add_statement(policy, sid.data, KH_EFFECT_ALLOW);
	kh_buf_release(&sid);
	if (!st)
		return KH_ENOMEM;
	st->action.is_array = st->resource.is_array = 1;
	for (size_t i = 0; i < n && rc == KH_OK; i++)
		rc = kh_strlist_add(&st->action, group[i]->action->full_name);
	for (size_t i = 0; i < group[0]->n_resources && rc == KH_OK; i++)
		rc = kh_strlist_add(&st->resource, group[0]->resources[i]);
	if (rc == KH_OK && (flags & KH_RS_RESTRICT_REGIONS) && p->n_regions &&
	    !kh_service_is_global(prefix))
		rc = kh_statement_add_condition(st, "StringEquals", "aws:RequestedRegion",
						p->regions, p->n_regions);
	return rc;
}

static int cmp_action_ptr(const void *a, const void *b)
{
	const struct kh_rightsize_action *x = *(const struct kh_rightsize_action *const *)a;
	const struct kh_rightsize_action *y = *(const struct kh_rightsize_action *const *)b;
	int c = strcmp(x->action->service->prefix, y->action->service->prefix);
	if (c)
		return c;
	/* Same service: those with equal resources next to each other. */
	if (x->n_resources != y->n_resources)
		return x->n_resources < y->n_resources ? -1 : 1;
	for (size_t i = 0; i < x->n_resources; i++)
		if ((c = strcmp(x->resources[i], y->resources[i])))
			return c;
	return strcasecmp(x->action->name, y->action->name);
}

static int build_policy(struct kh_rightsize_result *res, unsigned flags, struct kh_policy **out)
{
	struct kh_rightsize_action **order = malloc((res->n_actions + 1) * sizeof(*order));
	int rc = KH_OK, index = 0;
	const struct kh_service *last_svc = NULL;

	if (!order || !(*out = kh_policy_new())) {
		free(order);
		return KH_ENOMEM;
	}
	for (size_t i = 0; i < res->n_actions; i++)
		order[i] = &res->actions[i];
	qsort(order, res->n_actions, sizeof(*order), cmp_action_ptr);
	for (size_t i = 0; i < res->n_actions && rc == KH_OK;) {
		size_t j = i + 1;
		while (j < res->n_actions && same_statement(order[i], order[j]))
			j++;
		index = order[i]->action->service == last_svc ? index + 1 : 1;
		last_svc = order[i]->action->service;
		rc = add_statement(*out, res->principal, order + i, j - i, flags, index);
		i = j;
	}
	free(order);
	return rc;
}

/* ---- the current policy ------------------------------------------------------ */

static int cmp_action_name(const void *a, const void *b)
{
	return strcmp((*(const struct kh_action *const *)a)->full_name,
		      (*(const struct kh_action *const *)b)->full_name);
}

/* Appends the actions that pattern list l matches (or, for NotAction,
 * every action it does not match). */
static int expand_list(const struct kh_catalog *cat, const struct kh_strlist *l, int negate,
		       const struct kh_action ***acc, size_t *n)
{
	const struct kh_action **all = NULL;
	size_t n_all = 0;
	int rc;

	if (!negate) {
		for (size_t i = 0; i < l->n; i++) {
			const struct kh_action **m;
			size_t k;
			if ((rc = kh_catalog_expand(cat, l->items[i], &m, &k)))
				return rc;
			const struct kh_action **grown = realloc(*acc, (*n + k + 1) * sizeof(*grown));
			if (!grown) {
				free(m);
				return KH_ENOMEM;
			}
			memcpy(grown + *n, m, k * sizeof(*m));
			*acc = grown;
			*n += k;
			free(m);
		}
		return KH_OK;
	}
	if ((rc = kh_catalog_expand(cat, "*", &all, &n_all)))
		return rc;
	for (size_t i = 0; i < n_all; i++) {
		int excluded = 0;
		for (size_t j = 0; j < l->n && !excluded; j++)
			excluded = kh_glob_match(l->items[j], strlen(l->items[j]), all[i]->full_name,
						 strlen(all[i]->full_name), 1);
		if (!excluded) {
			const struct kh_action **grown = realloc(*acc, (*n + 1) * sizeof(*grown));
			if (!grown) {
				free(all);
				return KH_ENOMEM;
			}
			*acc = grown;
			(*acc)[(*n)++] = all[i];
		}
	}
	free(all);
	return KH_OK;
}

static int label_granted(const struct kh_catalog *cat, struct kh_usage *usage,
			 const struct kh_policy *cur, struct kh_rightsize_result *res)
{
	const struct kh_action **acts = NULL;
	size_t n = 0, k = 0;
	int rc = KH_OK;

	for (size_t i = 0; i < cur->n_statements && rc == KH_OK; i++) {
		const struct kh_statement *st = &cur->statements[i];
		if (st->effect != KH_EFFECT_ALLOW)
			continue;
		if (st->action.present)
			rc = expand_list(cat, &st->action, 0, &acts, &n);
		else if (st->not_action.present)
			rc = expand_list(cat, &st->not_action, 1, &acts, &n);
	}
	if (rc == KH_OK && n) {
		qsort(acts, n, sizeof(*acts), cmp_action_name);
		for (size_t i = 0; i < n; i++)
			if (!k || acts[k - 1] != acts[i])
				acts[k++] = acts[i];
	}
	if (rc == KH_OK && !(res->granted = calloc(k + 1, sizeof(*res->granted))))
		rc = KH_ENOMEM;
	for (size_t i = 0; rc == KH_OK && i < k; i++) {
		struct kh_granted_action *g = &res->granted[res->n_granted++];
		int used = 0;
		g->action = acts[i];
		for (size_t j = 0; j < res->n_actions && !used; j++)
			used = res->actions[j].action == acts[i] &&
			       res->actions[j].entry->cls == KH_USAGE_USED;
		if (used)
			g->state = KH_GRANT_USED, res->n_granted_used++;
		else if (kh_action_is_data_plane(acts[i]->full_name) &&
			 !kh_usage_has_data_events(usage, acts[i]->service->prefix))
			g->state = KH_GRANT_NOT_OBSERVABLE, res->n_granted_unobservable++;
		else
			g->state = KH_GRANT_UNUSED, res->n_granted_unused++;
	}
	free(acts);
	return rc;
}

/* ---- the proof --------------------------------------------------------------- */

static int engine_for(const struct kh_policy *p, const char *name, struct kh_engine **out,
		      struct kh_error *err)
{
	int rc = kh_engine_new(out);
	if (rc == KH_OK && (rc = kh_engine_add(*out, KH_EVAL_IDENTITY, p, name, err))) {
		kh_engine_free(*out);
		*out = NULL;
	}
	return rc;
}

static int is_allowed(const struct kh_engine *e, const struct kh_usage_principal *p,
		      const char *action, const char *resource)
{
	const char *region = p->n_regions ? p->regions[0] : NULL;
	struct kh_eval_key ctx = {"aws:RequestedRegion", &region, 1, 0};
	struct kh_eval_request req = {0};
	struct kh_eval_result out;

	req.principal = p->arn;
	req.action = action;
	req.resource = resource;
	req.context = region ? &ctx : NULL;
	req.n_context = region ? 1 : 0;
	return kh_engine_evaluate(e, &req, &out) == KH_OK && out.decision == KH_DECISION_ALLOW;
}

static int note_current_denied(struct kh_rightsize_result *res, const char *action,
			       const char *resource)
{
	struct kh_rightsize_call *calls =
		realloc(res->current_denied, (res->n_current_denied + 1) * sizeof(*calls));
	if (!calls)
		return KH_ENOMEM;
	res->current_denied = calls;
	calls[res->n_current_denied].action = action;
	if (!(calls[res->n_current_denied].resource = strdup(resource)))
		return KH_ENOMEM;
	res->n_current_denied++;
	return KH_OK;
}

/* Evaluates every observed (action, resource) of a used action against
 * the concrete policy (no placeholders), and against the current policy. */
static int prove(struct kh_rightsize_result *res, const struct kh_policy *concrete,
		 const struct kh_policy *current, struct kh_error *err)
{
	struct kh_engine *mine = NULL, *cur = NULL;
	int rc = engine_for(concrete, "right-sized policy", &mine, err);

	if (rc == KH_OK && current)
		rc = engine_for(current, "current policy", &cur, err);
	for (size_t i = 0; rc == KH_OK && i < res->n_actions; i++) {
		const struct kh_usage_entry *e = res->actions[i].entry;
		size_t n = e->n_resources ? e->n_resources : 1;
		for (size_t r = 0; rc == KH_OK && r < n; r++) {
			const char *arn = e->n_resources ? e->resources[r] : "*";
			res->coverage_total++;
			res->coverage_allowed += is_allowed(mine, res->principal, e->name, arn);
			if (cur && e->cls == KH_USAGE_USED && !is_allowed(cur, res->principal, e->name, arn))
				rc = note_current_denied(res, e->name, arn);
		}
	}
	kh_engine_free(mine);
	kh_engine_free(cur);
	return rc;
}

/* ---- the whole ---------------------------------------------------------------- */

static int push_entry(const struct kh_usage_entry ***list, size_t *n,
		      const struct kh_usage_entry *e)
{
	const struct kh_usage_entry **grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (!grown)
		return KH_ENOMEM;
	grown[(*n)++] = e;
	*list = grown;
	return KH_OK;
}

static int classify_entries(const struct kh_catalog *cat, const struct kh_rightsize_options *o,
			    struct kh_rightsize_result *res)
{
	const struct kh_usage_principal *p = res->principal;
	size_t max = o->max_resources ? o->max_resources : 10;
	int rc = KH_OK;

	res->actions = calloc(p->n_entries + 1, sizeof(*res->actions));
	if (!res->actions)
		return KH_ENOMEM;
	for (size_t i = 0; i < p->n_entries && rc == KH_OK; i++) {
		const struct kh_usage_entry *e = p->entries[i];
		const struct kh_action *a;
		int grant = e->cls == KH_USAGE_USED ||
			    (e->cls == KH_USAGE_DENIED && (o->flags & KH_RS_INCLUDE_DENIED));
		if (e->cls == KH_USAGE_DENIED)
			rc = push_entry(&res->denied, &res->n_denied, e);
		else if (e->cls == KH_USAGE_NO_PERMISSION)
			rc = push_entry(&res->no_permission, &res->n_no_permission, e);
		else if (e->cls == KH_USAGE_UNMAPPED)
			rc = push_entry(&res->unmapped, &res->n_unmapped, e);
		if (rc || !grant)
			continue;
		if (!(a = kh_catalog_action(cat, e->name))) {
			rc = push_entry(&res->unmapped, &res->n_unmapped, e);
			continue;
		}
		res->actions[res->n_actions].action = a;
		res->actions[res->n_actions].entry = e;
		rc = action_resources(e, a, max, &res->actions[res->n_actions]);
		res->n_actions++;
	}
	return rc;
}

int kh_rightsize(const struct kh_catalog *cat, struct kh_usage *usage,
		 const struct kh_rightsize_options *o, struct kh_rightsize_result *res,
		 struct kh_error *err)
{
	struct kh_policy *concrete = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->principal = find_principal(usage, o->principal);
	res->scan = kh_usage_scan_stats(usage);
	if (!res->principal)
		return kh_error_set(err, KH_ENOTFOUND, "principal '%s' made no calls in the logs",
				    o->principal);
	res->gen.name = strdup(o->name ? o->name : "keyhole-rightsized");
	res->gen.format = KH_FORMAT_JSON;
	rc = res->gen.name ? classify_entries(cat, o, res) : KH_ENOMEM;
	/* Prove the concrete policy; placeholders only change how it is written. */
	if (rc == KH_OK)
		rc = build_policy(res, o->flags, &concrete);
	if (rc == KH_OK)
		rc = prove(res, concrete, o->current, err);
	if (rc == KH_OK && o->current)
		rc = label_granted(cat, usage, o->current, res);
	if (rc == KH_OK && (o->flags & (KH_RS_GENERALIZE_REGION | KH_RS_GENERALIZE_ACCOUNT))) {
		rc = apply_placeholders(res, o->flags);
		if (rc == KH_OK)
			rc = build_policy(res, o->flags, &res->gen.policy);
		kh_policy_free(concrete);
	} else if (rc == KH_OK) {
		res->gen.policy = concrete;
	} else {
		kh_policy_free(concrete);
	}
	if (rc == KH_OK) {
		struct kh_buf text;
		kh_buf_init(&text, 0);
		kh_policy_write(res->gen.policy, &text, 1);
		res->gen.policy_size = text.len;
		kh_buf_release(&text);
	}
	if (rc != KH_OK) {
		kh_rightsize_result_release(res);
		return rc == KH_ENOMEM ? kh_error_set(err, rc, "out of memory right-sizing") : rc;
	}
	return KH_OK;
}

void kh_rightsize_result_release(struct kh_rightsize_result *res)
{
	for (size_t i = 0; i < res->n_actions; i++)
		free_strings(res->actions[i].resources, res->actions[i].n_resources);
	free(res->actions);
	free(res->denied);
	free(res->unmapped);
	free(res->no_permission);
	free(res->granted);
	for (size_t i = 0; i < res->n_current_denied; i++)
		free(res->current_denied[i].resource);
	free(res->current_denied);
	kh_generate_result_release(&res->gen);
	memset(res, 0, sizeof(*res));
}
