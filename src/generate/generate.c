/* generate.c - an intent becomes (action, resource) entries: checks each
 * grant against the catalog, picks the actions at the requested levels that
 * can act on the grant's ARN (or the catalog's ARN templates), adds the
 * dependent actions, then hands over to statements.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generate/generate_int.h"

#define MAX_MATCHED 64
#define LIST_IN_WARNING 10

static int add_entry(struct kh__gen *g, const struct kh__entry *proto)
{
	struct kh_strmap_slot *slot;
	int created;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		struct kh__entry *e = realloc(g->e, cap * sizeof(*e));
		if (!e)
			return KH_ENOMEM;
		g->e = e;
		g->cap = cap;
	}
	g->e[g->n++] = *proto;
	if (!(slot = kh_strmap_put(&g->granted, proto->action->full_name, &created)))
		return KH_ENOMEM;
	slot->value = (void *)proto->action;
	return KH_OK;
}

/* Adds the action on each ARN template of each of its resource types, or
 * on "*" when it has none. */
static int add_on_templates(struct kh__gen *g, struct kh__entry *proto)
{
	const struct kh_action *a = proto->action;
	int rc = KH_OK;

	if (!a->n_resources) {
		proto->resource = "*";
		proto->rt_name = NULL;
		return add_entry(g, proto);
	}
	for (size_t i = 0; i < a->n_resources && rc == KH_OK; i++) {
		const struct kh_resource_type *rt = a->resources[i].type;
		for (const char *t = rt->arn; *t && rc == KH_OK;) {
			size_t len = strcspn(t, "|");
			if (!(proto->resource = kh_arena_strndup(&g->arena, t, len)))
				return KH_ENOMEM;
			proto->rt_name = rt->name;
			rc = add_entry(g, proto);
			t += len + (t[len] == '|');
		}
	}
	return rc;
}

/* ---- checks ------------------------------------------------------------- */

static int grant_error(struct kh__gen *g, const struct kh_grant *gr, int code, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

static int grant_error(struct kh__gen *g, const struct kh_grant *gr, int code, const char *fmt,
		       ...)
{
	char msg[sizeof(g->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kh_error_at(g->err, code, gr->line, gr->col, gr->path, "%s", msg);
}

/* Checks that arn reads arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE and
 * points *svc at its service field. */
static int check_arn(struct kh__gen *g, const struct kh_grant *gr, const char **svc,
		     size_t *svc_len)
{
	const char *arn = gr->arn, *f[6];
	size_t n = 1;

	if (strncmp(arn, "arn:", 4) != 0)
		return grant_error(g, gr, KH_EINPUT, "malformed ARN '%s': it must start with 'arn:'",
				   arn);
	f[0] = arn;
	for (const char *p = arn; *p && n < 6; p++)
		if (*p == ':')
			f[n++] = p + 1;
	if (n < 6)
		return grant_error(g, gr, KH_EINPUT,
				   "malformed ARN '%s': expected "
				   "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE",
				   arn);
	if (f[2] - f[1] == 1 || f[3] - f[2] == 1 || !*f[5])
		return grant_error(g, gr, KH_EINPUT,
				   "malformed ARN '%s': the %s is empty", arn,
				   f[2] - f[1] == 1 ? "partition"
				   : f[3] - f[2] == 1 ? "service" : "resource");
	if (arn[strcspn(arn, " \t\r\n")])
		return grant_error(g, gr, KH_EINPUT, "malformed ARN '%s': it contains whitespace",
				   arn);
	*svc = f[2];
	*svc_len = (size_t)(f[3] - f[2] - 1);
	return KH_OK;
}

/* An unknown service prefix, with the closest known prefixes. */
static int unknown_service(struct kh__gen *g, const struct kh_grant *gr, const char *p,
			   size_t len)
{
	const char *best[3] = {0};
	size_t limit = len / 3 > 1 ? len / 3 : 1;
	size_t dist[3] = {limit + 1, limit + 1, limit + 1};

	for (size_t i = 0; i < kh_catalog_service_count(g->cat); i++) {
		const char *s = kh_catalog_service_at(g->cat, i)->prefix;
		size_t d = kh_edit_distance(p, len, s, strlen(s), limit);
		for (size_t k = 0; k < 3; k++) {
			if (d < dist[k]) {
				memmove(best + k + 1, best + k, (2 - k) * sizeof(*best));
				memmove(dist + k + 1, dist + k, (2 - k) * sizeof(*dist));
				best[k] = s;
				dist[k] = d;
				break;
			}
		}
	}
	return grant_error(g, gr, KH_EINPUT, "unknown service '%.*s'%s%s%s%s%s%s%s",
			   (int)(len > 64 ? 64 : len), p, best[0] ? "; did you mean '" : "",
			   best[0] ? best[0] : "", best[1] ? "', '" : "", best[1] ? best[1] : "",
			   best[2] ? "', '" : "", best[2] ? best[2] : "", best[0] ? "'?" : "");
}

static int grant_service(struct kh__gen *g, const struct kh_grant *gr,
			 const struct kh_service **out)
{
	const char *p = gr->service, *arn_svc = NULL;
	size_t len = p ? strlen(p) : 0, arn_len = 0;
	int rc;

	if (gr->arn && (rc = check_arn(g, gr, &arn_svc, &arn_len)))
		return rc;
	if (!p) {
		if (!arn_svc || strcspn(arn_svc, "*?$") < arn_len)
			return grant_error(g, gr, KH_EINPUT,
					   "cannot take the service from ARN '%s'; name it", gr->arn);
		p = arn_svc;
		len = arn_len;
	}
	if (!(*out = kh_catalog_service(g->cat, p, len)))
		return unknown_service(g, gr, p, len);
	if (!gr->levels && !gr->n_actions)
		return grant_error(g, gr, KH_EINPUT, "grant has no access levels or actions");
	return KH_OK;
}

static int check_conditions(struct kh__gen *g, const struct kh_grant *gr,
			    const struct kh_service *svc)
{
	for (size_t i = 0; i < gr->n_conditions; i++) {
		const struct kh_grant_condition *c = &gr->conditions[i];
		const char *colon = strchr(c->key, ':');
		size_t plen = colon ? (size_t)(colon - c->key) : 0;

		if (!kh_condition_operator_valid(c->op))
			return grant_error(g, gr, KH_EINPUT, "unknown condition operator '%s'",
					   c->op);
		if (!c->n_values)
			return grant_error(g, gr, KH_EINPUT, "condition '%s' has no values", c->key);
		if (!colon || !((plen == 3 && strncasecmp(c->key, "aws", 3) == 0) ||
				(plen == strlen(svc->prefix) &&
				 strncasecmp(c->key, svc->prefix, plen) == 0)))
			return grant_error(g, gr, KH_EINPUT,
					   "condition key '%s' is neither a '%s:' key nor a global "
					   "'aws:' key",
					   c->key, svc->prefix);
		if (!kh_catalog_condition_key(g->cat, c->key))
			return grant_error(g, gr, KH_EINPUT, "unknown condition key '%s' for '%s'",
					   c->key, svc->prefix);
	}
	return KH_OK;
}

/* ---- conditions as text ------------------------------------------------- */

static int cond_less(const struct kh_grant_condition *x, const struct kh_grant_condition *y)
{
	int c = strcmp(x->op, y->op);
	return c ? c < 0 : strcmp(x->key, y->key) < 0;
}

const size_t *kh__sorted_conditions(struct kh_arena *arena, const struct kh_grant *gr)
{
	size_t *idx = kh_arena_alloc(arena, (gr->n_conditions + 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	/* Insertion sort: a grant has a handful of conditions. */
	for (size_t i = 0; i < gr->n_conditions; i++) {
		size_t j = i;
		for (; j > 0 && cond_less(&gr->conditions[i], &gr->conditions[idx[j - 1]]); j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	return idx;
}

/* A canonical text of gr's conditions: equal texts, equal conditions. */
static const char *condition_text(struct kh__gen *g, const struct kh_grant *gr)
{
	const size_t *idx;
	struct kh_buf b;
	const char *out;

	if (!gr->n_conditions)
		return "";
	if (!(idx = kh__sorted_conditions(&g->arena, gr)))
		return NULL;
	kh_buf_init(&b, 0);
	for (size_t i = 0; i < gr->n_conditions; i++) {
		const struct kh_grant_condition *c = &gr->conditions[idx[i]];
		kh_buf_puts(&b, c->op);
		kh_buf_putc(&b, '\x1f');
		kh_buf_puts(&b, c->key);
		for (size_t j = 0; j < c->n_values; j++) {
			kh_buf_putc(&b, '\x1e');
			kh_buf_puts(&b, c->values[j]);
		}
		kh_buf_putc(&b, '\x1d');
	}
	out = kh_buf_error(&b) ? NULL : kh_arena_strndup(&g->arena, b.data, b.len);
	kh_buf_release(&b);
	return out;
}

/* ---- grants ------------------------------------------------------------- */

static int action_takes_arn(const struct kh_action *a, const struct kh_resource_type **m,
			    size_t n)
{
	for (size_t i = 0; i < a->n_resources; i++)
		for (size_t j = 0; j < n; j++)
			if (a->resources[i].type == m[j])
				return 1;
	return 0;
}

static int note_removed_for(struct kh__gen *g, const struct kh_action *a, size_t grant,
			    const char *reason)
{
	struct kh_generate_result *r = g->res;
	struct kh_removed_action *rs = realloc(r->removed, (r->n_removed + 1) * sizeof(*rs));
	if (!rs)
		return KH_ENOMEM;
	r->removed = rs;
	rs[r->n_removed].action = a;
	rs[r->n_removed].reason = reason;
	rs[r->n_removed++].grant = grant;
	return KH_OK;
}

static int note_removed(struct kh__gen *g, const struct kh_action *a, size_t grant)
{
	return note_removed_for(g, a, grant, "wildcard_only");
}

/* Warns about the wildcard-only actions of a grant with an ARN. */
static int warn_wildcard_only(struct kh__gen *g, const struct kh_grant *gr,
			      const struct kh_action **list, size_t n)
{
	int included = (g->flags & KH_GEN_INCLUDE_WILDCARD_ONLY) != 0;
	struct kh_buf b;
	int rc;

	if (!n)
		return KH_OK;
	kh_buf_init(&b, 0);
	for (size_t i = 0; i < n && i < LIST_IN_WARNING; i++)
		kh_buf_printf(&b, "%s%s", i ? ", " : "", list[i]->full_name);
	if (n > LIST_IN_WARNING)
		kh_buf_printf(&b, " and %zu more", n - LIST_IN_WARNING);
	if (included)
		rc = kh__warn(g->res, "WILDCARD_ONLY_INCLUDED",
			      "%s: %zu action%s that %s only Resource \"*\" %s allowed on \"*\": %s",
			      gr->path, n, n == 1 ? "" : "s", n == 1 ? "takes" : "take",
			      n == 1 ? "is" : "are", b.data);
	else
		rc = kh__warn(g->res, "WILDCARD_ONLY_OMITTED",
			      "%s: %zu action%s that %s only Resource \"*\" %s left out "
			      "(include_wildcard_only allows them on \"*\"): %s",
			      gr->path, n, n == 1 ? "" : "s", n == 1 ? "takes" : "take",
			      n == 1 ? "was" : "were", b.data);
	rc = kh_buf_error(&b) ? KH_ENOMEM : rc;
	kh_buf_release(&b);
	return rc;
}

/* Adds the grant's actions on its ARN: those whose resource types the ARN
 * matches; wildcard-only ones on "*" or left out. */
static int collect_on_arn(struct kh__gen *g, size_t gi, const struct kh_service *svc,
			  const struct kh_action **acts, size_t n, struct kh__entry *proto)
{
	const struct kh_grant *gr = &g->in->grants[gi];
	const struct kh_resource_type *m[MAX_MATCHED];
	size_t n_m = kh_service_match_arn(svc, gr->arn, m, MAX_MATCHED), n_wild = 0;
	const struct kh_action **wild = malloc((n + 1) * sizeof(*wild));
	int rc = KH_OK;

	if (!wild)
		return KH_ENOMEM;
	if (n_m > MAX_MATCHED)
		n_m = MAX_MATCHED;
	if (!n_m) {
		struct kh_buf types;
		kh_buf_init(&types, 4096);
		for (size_t i = 0; i < svc->n_resource_types && i < 12; i++)
			kh_buf_printf(&types, "%s%s", i ? ", " : "", svc->resource_types[i].name);
		if (svc->n_resource_types > 12)
			kh_buf_puts(&types, ", ...");
		rc = grant_error(g, gr, KH_EINPUT,
				 "ARN '%s' matches no resource type of '%s' (its types: %s)",
				 gr->arn, svc->prefix, svc->n_resource_types ? types.data : "none");
		kh_buf_release(&types);
		free(wild);
		return rc;
	}
	for (size_t i = 0; i < n && rc == KH_OK; i++) {
		proto->action = acts[i];
		/* a named action outside the levels counts at its own levels */
		proto->levels = acts[i]->levels & gr->levels ? acts[i]->levels & gr->levels
							     : acts[i]->levels;
		proto->rt_name = NULL;
		if (!acts[i]->n_resources) {
			wild[n_wild++] = acts[i];
			proto->resource = "*";
			if (g->flags & KH_GEN_INCLUDE_WILDCARD_ONLY)
				rc = add_entry(g, proto);
			else
				rc = note_removed(g, acts[i], gi);
		} else if (action_takes_arn(acts[i], m, n_m)) {
			proto->resource = gr->arn;
			rc = add_entry(g, proto);
		}
	}
	if (rc == KH_OK)
		rc = warn_wildcard_only(g, gr, wild, n_wild);
	free(wild);
	return rc;
}

static int cmp_action_ptr(const void *a, const void *b)
{
	const struct kh_action *x = *(const struct kh_action *const *)a;
	const struct kh_action *y = *(const struct kh_action *const *)b;
	return strcasecmp(x->full_name, y->full_name);
}

/* Checks that a named action can act on the grant's ARN (or takes only
 * "*", which the wildcard-only rules handle). */
static int named_takes_arn(struct kh__gen *g, const struct kh_grant *gr,
			   const struct kh_service *svc, const struct kh_action *a)
{
	const struct kh_resource_type *m[MAX_MATCHED];
	size_t n_m = kh_service_match_arn(svc, gr->arn, m, MAX_MATCHED);
	struct kh_buf types;
	int rc;

	if (!a->n_resources || !n_m || action_takes_arn(a, m, n_m > MAX_MATCHED ? MAX_MATCHED : n_m))
		return KH_OK; /* an ARN of no type at all is reported with the levels */
	kh_buf_init(&types, 4096);
	for (size_t i = 0; i < a->n_resources; i++)
		kh_buf_printf(&types, "%s%s", i ? ", " : "", a->resources[i].type->name);
	rc = grant_error(g, gr, KH_EINPUT, "action '%s' cannot act on ARN '%s' (it takes: %s)",
			 a->full_name, gr->arn, types.data);
	kh_buf_release(&types);
	return rc;
}

/* Appends the grant's named actions to *acts (n), then sorts and drops
 * duplicates. Each name is an action or wildcard of the grant's service. */
static int add_named_actions(struct kh__gen *g, const struct kh_grant *gr,
			     const struct kh_service *svc, const struct kh_action ***acts, size_t *n)
{
	size_t plen = strlen(svc->prefix), k = 0;
	char full[256];
	int rc = KH_OK;

	for (size_t i = 0; i < gr->n_actions && rc == KH_OK; i++) {
		const char *name = gr->actions[i], *colon = strchr(name, ':');
		size_t before = *n;
		if (colon && ((size_t)(colon - name) != plen || strncasecmp(name, svc->prefix, plen)))
			return grant_error(g, gr, KH_EINPUT, "action '%s' is not of the service '%s'",
					   name, svc->prefix);
		const struct kh_action **found = NULL, **grown;
		size_t n_found = 0;
		snprintf(full, sizeof(full), "%s:%s", svc->prefix, colon ? colon + 1 : name);
		if ((rc = kh_catalog_expand(g->cat, full, &found, &n_found)))
			return rc;
		if (!n_found) {
			const struct kh_action *near[1];
			size_t nn = kh_catalog_suggest(g->cat, full, near, 1);
			free(found);
			return grant_error(g, gr, KH_EINPUT, "unknown action '%s'%s%s%s", full,
					   nn ? " (did you mean '" : "", nn ? near[0]->full_name : "",
					   nn ? "'?)" : "");
		}
		grown = realloc(*acts, (*n + n_found) * sizeof(*grown));
		if (!grown) {
			free(found);
			return KH_ENOMEM;
		}
		memcpy(grown + *n, found, n_found * sizeof(*found));
		free(found);
		*acts = grown;
		*n += n_found;
		for (size_t j = before; gr->arn && j < *n && rc == KH_OK; j++)
			rc = named_takes_arn(g, gr, svc, (*acts)[j]);
	}
	if (rc || !*n)
		return rc;
	qsort(*acts, *n, sizeof(**acts), cmp_action_ptr);
	for (size_t i = 0; i < *n; i++)
		if (!k || (*acts)[k - 1] != (*acts)[i])
			(*acts)[k++] = (*acts)[i];
	*n = k;
	return KH_OK;
}

/* Does the operator fail when the request lacks the key? IfExists, Null
 * and ForAllValues: pass or test an absent key on purpose. */
static int needs_key(const char *op)
{
	size_t n = strlen(op);
	return strcmp(op, "Null") != 0 && strncasecmp(op, "ForAllValues:", 13) != 0 &&
	       !(n >= 8 && strcmp(op + n - 8, "IfExists") == 0);
}

/* Leaves out the actions whose requests never carry a service key that a
 * condition of the grant needs ("s3:prefix" and s3:GetObject): for them the
 * condition could never hold, so they would grant nothing. */
static int drop_keyless(struct kh__gen *g, size_t gi, const struct kh_service *svc,
			const struct kh_action **acts, size_t *n)
{
	const struct kh_grant *gr = &g->in->grants[gi];
	const struct kh_resource_type *m[MAX_MATCHED];
	size_t n_m = gr->arn ? kh_service_match_arn(svc, gr->arn, m, MAX_MATCHED) : 0;
	const char *key = NULL;
	size_t kept = 0, dropped = 0;
	struct kh_buf b;
	int rc = KH_OK;

	if (n_m > MAX_MATCHED)
		n_m = MAX_MATCHED;
	kh_buf_init(&b, 0);
	for (size_t i = 0; i < *n && rc == KH_OK; i++) {
		const char *missing = NULL;
		/* actions the ARN rules out are left for collect_on_arn to skip */
		for (size_t c = 0; c < gr->n_conditions && !missing &&
				   (!gr->arn || !acts[i]->n_resources || action_takes_arn(acts[i], m, n_m));
		     c++) {
			const struct kh_grant_condition *cd = &gr->conditions[c];
			if (strncasecmp(cd->key, "aws:", 4) != 0 && needs_key(cd->op) &&
			    !kh_action_takes_condition_key(acts[i], cd->key))
				missing = cd->key;
		}
		if (!missing) {
			acts[kept++] = acts[i];
			continue;
		}
		if (dropped < LIST_IN_WARNING)
			kh_buf_printf(&b, "%s%s", dropped ? ", " : "", acts[i]->full_name);
		dropped++;
		key = key ? key : missing;
		rc = note_removed_for(g, acts[i], gi, "condition_key_not_in_request");
	}
	if (rc == KH_OK && dropped) {
		*n = kept;
		if (dropped > LIST_IN_WARNING)
			kh_buf_printf(&b, " and %zu more", dropped - LIST_IN_WARNING);
		rc = kh_buf_error(&b)
			     ? KH_ENOMEM
			     : kh__warn(g->res, "CONDITION_KEY_NOT_IN_REQUEST",
					"%s: %zu action%s whose requests never carry %s%s left out "
					"(the condition could never hold for them): %s",
					gr->path, dropped, dropped == 1 ? "" : "s", key,
					dropped == 1 ? " was" : " were", b.data);
	}
	kh_buf_release(&b);
	return rc;
}

static int collect_grant(struct kh__gen *g, size_t gi)
{
	const struct kh_grant *gr = &g->in->grants[gi];
	const struct kh_service *svc = NULL;
	const struct kh_action **acts = NULL;
	struct kh__entry proto = {0};
	size_t n = 0, before = g->n;
	int rc;

	if ((rc = grant_service(g, gr, &svc)) || (rc = check_conditions(g, gr, svc)))
		return rc;
	if (!(proto.cond = condition_text(g, gr)))
		return KH_ENOMEM;
	proto.cond_grant = gr->n_conditions ? gr : NULL;
	proto.grant = gi;
	if ((rc = kh_service_actions_at_level(svc, gr->levels, &acts, &n)) ||
	    (gr->n_actions && (rc = add_named_actions(g, gr, svc, &acts, &n))) ||
	    (gr->n_conditions && (rc = drop_keyless(g, gi, svc, acts, &n)))) {
		free(acts);
		return rc;
	}
	if (gr->arn) {
		rc = collect_on_arn(g, gi, svc, acts, n, &proto);
	} else {
		for (size_t i = 0; i < n && rc == KH_OK; i++) {
			proto.action = acts[i];
			proto.levels = acts[i]->levels & gr->levels ? acts[i]->levels & gr->levels
								    : acts[i]->levels;
			rc = add_on_templates(g, &proto);
		}
	}
	free(acts);
	if (rc == KH_OK && g->n == before)
		rc = kh__warn(g->res, "NO_ACTIONS", "%s: no %s action %s%s", gr->path, svc->prefix,
			      gr->levels ? "at the requested levels" : "of those named",
			      gr->arn ? " acts on this ARN's resource type" : " exists");
	return rc;
}

/* ---- dependent actions -------------------------------------------------- */

static int cmp_action_name(const void *a, const void *b)
{
	const struct kh_action *x = *(const struct kh_action *const *)a;
	const struct kh_action *y = *(const struct kh_action *const *)b;
	return strcasecmp(x->full_name, y->full_name);
}

static int add_dependent(struct kh__gen *g, const struct kh__entry *from, const char *name)
{
	const struct kh_action *dep = kh_catalog_action(g->cat, name);
	struct kh_generate_result *r = g->res;
	struct kh__entry proto = {0};
	const struct kh_action **added;
	struct kh_strmap_slot *slot;
	int created;

	if (dep && kh_strmap_get(&g->granted, dep->full_name))
		return KH_OK;
	if (!dep) {
		if (!(slot = kh_strmap_put(&g->granted, name, &created)))
			return KH_ENOMEM;
		return created ? kh__warn(r, "DEPENDENT_ACTION_UNKNOWN",
					  "%s lists dependent action '%s', which is not in the "
					  "catalog; it was not added",
					  from->action->full_name, name)
			       : KH_OK;
	}
	added = realloc(r->added_dependent, (r->n_added_dependent + 1) * sizeof(*added));
	if (!added)
		return KH_ENOMEM;
	r->added_dependent = added;
	added[r->n_added_dependent++] = dep;
	proto.action = dep;
	proto.cond = "";
	proto.grant = from->grant;
	proto.levels = dep->levels;
	if (kh__warn(r, "DEPENDENT_ACTION_ADDED", "%s needs %s, which was added",
		     from->action->full_name, dep->full_name))
		return KH_ENOMEM;
	return add_on_templates(g, &proto);
}

/* Adds every dependent action of every entry, transitively. */
static int add_dependents(struct kh__gen *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct kh__entry from = g->e[i]; /* g->e may move below */
		for (size_t d = 0; d < from.action->n_dependent_actions; d++) {
			int rc = add_dependent(g, &from, from.action->dependent_actions[d]);
			if (rc)
				return rc;
		}
	}
	if (g->res->n_added_dependent > 1)
		qsort(g->res->added_dependent, g->res->n_added_dependent,
		      sizeof(*g->res->added_dependent), cmp_action_name);
	return KH_OK;
}

/* ---- the intent --------------------------------------------------------- */

static int check_intent(struct kh__gen *g)
{
	const struct kh_intent *in = g->in;
	const char *name = in->name ? in->name : "keyhole-generated";
	size_t len = strlen(name);
	struct kh_buf known;
	int rc;

	if (!in->n_grants)
		return kh_error_set(g->err, KH_EINPUT, "the intent has no grants");
	if (!len || len > 64 || name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
					    "QRSTUVWXYZ0123456789+=,.@_-")])
		return kh_error_at(g->err, KH_EINPUT, 0, 0, "name",
				   "invalid name '%.64s': use 1 to 64 letters, digits and +=,.@_-",
				   name);
	if (!(g->res->name = strdup(name)))
		return KH_ENOMEM;
	if ((g->flags & KH_GEN_WITH_TRUST) && !in->source)
		return kh_error_at(g->err, KH_EINPUT, 0, 0, "source",
				   "a trust policy needs a 'source' (lambda, ec2, ecs, ...)");
	if (!in->source)
		return KH_OK;
	if ((g->res->trust_principal = kh_trust_principal(in->source)))
		return (g->res->source = strdup(in->source)) ? KH_OK : KH_ENOMEM;
	kh_buf_init(&known, 0);
	kh_trust_sources(&known);
	{
		/* The closest known source, for "did you mean". */
		const char *best = NULL, *p = known.data;
		size_t best_len = 0, best_d = 3;
		while (*p) {
			size_t n = strcspn(p, ","), d;
			d = kh_edit_distance(in->source, strlen(in->source), p, n, 2);
			if (d < best_d) {
				best_d = d;
				best = p;
				best_len = n;
			}
			p += n;
			p += strspn(p, ", ");
		}
		if (best)
			rc = kh_error_at(g->err, KH_EINPUT, 0, 0, "source",
					 "unknown source '%.64s' (did you mean '%.*s'?); known: %s",
					 in->source, (int)best_len, best, known.data);
		else
			rc = kh_error_at(g->err, KH_EINPUT, 0, 0, "source",
					 "unknown source '%.64s'; known: %s", in->source, known.data);
	}
	kh_buf_release(&known);
	return rc;
}

static int finish(struct kh__gen *g)
{
	struct kh_generate_result *r = g->res;
	int rc = KH_OK;

	if (!r->policy->n_statements) /* the result is dropped: say why here */
		return r->n_warnings
			       ? kh_error_set(g->err, KH_EINPUT,
					      "the intent allows no actions: %s (%zu warning%s)",
					      r->warnings[0].message, r->n_warnings,
					      r->n_warnings > 1 ? "s" : "")
			       : kh_error_set(g->err, KH_EINPUT, "the intent allows no actions");
	r->policy_size = kh__policy_size(r->policy);
	if (r->policy_size > KH_POLICY_MAX_MANAGED)
		rc = kh__warn(r, "POLICY_TOO_LARGE",
			      "the policy is %zu characters without whitespace, over the %d "
			      "of a managed policy; compact or narrow the grants",
			      r->policy_size, KH_POLICY_MAX_MANAGED);
	if (rc == KH_OK && (r->flags & KH_GEN_WITH_TRUST) &&
	    !(r->trust_policy = kh__trust_policy(r->trust_principal, r->source)))
		rc = KH_ENOMEM;
	return rc;
}

int kh_generate(const struct kh_catalog *cat, const struct kh_intent *intent, unsigned flags,
		struct kh_generate_result *res, struct kh_error *err)
{
	struct kh__gen g = {0};
	int rc;

	g.cat = cat;
	g.in = intent;
	g.flags = flags | intent->flags;
	g.res = res;
	g.err = err;
	memset(res, 0, sizeof(*res));
	res->format = intent->format;
	res->flags = g.flags;
	kh_arena_init(&g.arena);
	rc = check_intent(&g);
	for (size_t i = 0; rc == KH_OK && i < intent->n_grants; i++)
		rc = collect_grant(&g, i);
	if (rc == KH_OK)
		rc = add_dependents(&g);
	if (rc == KH_OK)
		rc = (res->policy = kh_policy_new()) ? kh__build_statements(&g) : KH_ENOMEM;
	if (rc == KH_OK)
		rc = finish(&g);
	if (rc == KH_ENOMEM)
		kh_error_set(err, KH_ENOMEM, "out of memory generating the policy");
	free(g.e);
	kh_strmap_release(&g.granted, NULL);
	kh_arena_release(&g.arena);
	if (rc != KH_OK)
		kh_generate_result_release(res);
	return rc;
}
