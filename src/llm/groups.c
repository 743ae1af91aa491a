/* groups.c - the offline parser's second half: verbs and targets become
 * groups ("read and write" + "the orders table"), negations narrow them,
 * and each group's targets become grants. What is left is unparsed. */
#include <stdlib.h>
#include <string.h>

#include "llm/offline_int.h"

#define S3_BUCKET_LEVELS (KH_LEVEL_LIST | KH_LEVEL_TAGGING | KH_LEVEL_PERMISSIONS)
#define S3_OBJECT_LEVELS (KH_LEVEL_READ | KH_LEVEL_WRITE)

struct groups {
	struct parse *p;
	size_t n;
	int *copy_from; /* targets borrowed from that group, or -1 */
	unsigned *npos, *nneg, *ntgt;
};

static int is_target(const struct unit *u)
{
	return (u->kind == U_NOUN || u->kind == U_ARN || u->kind == U_S3URL) && !u->is_source &&
	       u->name_of < 0;
}

static int is_scope_end(const struct unit *u)
{
	static const char *const enders[] = {"but", "only", "just", "instead", "however"};
	if (u->kind != U_FUNC || !u->lx)
		return 0;
	for (size_t i = 0; i < sizeof(enders) / sizeof(enders[0]); i++)
		if (strcmp(u->lx->phrase, enders[i]) == 0)
			return 1;
	return 0;
}

static void join(struct groups *g, struct unit *u, size_t grp, enum unit_role role)
{
	u->grp = (int)grp;
	u->role = role;
	if (role == R_POS)
		g->npos[grp]++;
	else if (role == R_NEG)
		g->nneg[grp]++;
	else
		g->ntgt[grp]++;
}

/* Walks the units: a verb after targets starts a new group. */
static void form_groups(struct groups *g)
{
	struct parse *p = g->p;
	size_t cur = 0, clause = 0;
	int neg = 0;

	g->n = 1;
	for (size_t i = 0; i < p->nu; i++) {
		struct unit *u = &p->u[i];
		if (u->kind == U_VERB) {
			if (g->ntgt[cur])
				cur = g->n++;
			join(g, u, cur, neg ? R_NEG : R_POS);
		} else if (is_target(u)) {
			join(g, u, cur, R_TARGET);
		} else if (u->kind == U_NEG && (u->lflags & KH__LEX_POST)) {
			u->used = 1;
			for (size_t j = clause; j < i; j++)
				if (p->u[j].role == R_POS && p->u[j].grp == (int)cur) {
					p->u[j].role = R_NEG;
					g->npos[cur]--;
					g->nneg[cur]++;
				}
		} else if (u->kind == U_NEG) {
			u->used = 1;
			neg = 1;
		} else if (is_scope_end(u)) {
			neg = 0;
		}
		if (u->brk) {
			neg = 0;
			clause = i + 1;
		}
	}
}

static void move_targets(struct groups *g, size_t from, size_t to)
{
	for (size_t i = 0; i < g->p->nu; i++)
		if (g->p->u[i].grp == (int)from && g->p->u[i].role == R_TARGET)
			g->p->u[i].grp = (int)to;
	g->ntgt[to] += g->ntgt[from];
	g->ntgt[from] = 0;
}

/* Targets without verbs join their neighbours; verbs without targets
 * ("and write to it") borrow the previous group's targets. */
static void settle_groups(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		g->copy_from[i] = -1;
		if (g->npos[i] + g->nneg[i] || !g->ntgt[i])
			continue;
		if (i + 1 < g->n)
			move_targets(g, i, i + 1);
		else if (i > 0)
			move_targets(g, i, i - 1);
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->ntgt[i] || !g->npos[i])
			continue;
		for (size_t j = i; j-- > 0;)
			if (g->ntgt[j]) {
				g->copy_from[i] = (int)j;
				break;
			}
	}
}

/* ---- levels ------------------------------------------------------------- */

static int same_text(const struct parse *p, const struct unit *a, const struct unit *b)
{
	return a->end - a->off == b->end - b->off &&
	       strncasecmp(p->text + a->off, p->text + b->off, a->end - a->off) == 0;
}

/* Removes a negated level unless a narrow verb other than the negated word
 * asks for it ("read and write but not delete": write stays, with a note).
 * With a target, verbs that mean particular actions there ask for no level. */
static int apply_negation(struct groups *g, size_t grp, const struct unit *nu,
			  const struct unit *target, unsigned *levels)
{
	struct parse *p = g->p;
	for (unsigned bit = 1; bit & KH_LEVEL_ALL; bit <<= 1) {
		const struct unit *keeper = NULL;
		if (!(nu->levels & bit & *levels))
			continue;
		for (size_t i = 0; i < p->nu && !keeper; i++) {
			struct unit *v = &p->u[i];
			if (v->grp == (int)grp && v->role == R_POS && (v->levels & bit) &&
			    !(v->lflags & KH__LEX_BROAD) && !same_text(p, v, nu) &&
			    !(target && kh__verb_actions(p, v, target, NULL)))
				keeper = v;
		}
		if (!keeper) {
			*levels &= ~bit;
			continue;
		}
		if (target && kh__note(p->r, "'%.*s' cannot be excluded alone: the %s level that '%.*s' asks for includes it",
			     (int)(nu->end - nu->off), p->text + nu->off, kh_level_name(bit),
			     (int)(keeper->end - keeper->off), p->text + keeper->off) != KH_OK)
			return KH_ENOMEM;
	}
	return KH_OK;
}

/* Does the negation group ng ("but not delete messages"), which has only
 * negated verbs, speak of the target's service? Then it narrows the target,
 * and its own targets are understood. */
static int negation_reaches(struct groups *g, size_t ng, const struct unit *target)
{
	struct parse *p = g->p;
	int any = 0;

	if (!target || target->kind != U_NOUN || g->npos[ng] || !g->ntgt[ng])
		return 0;
	for (size_t i = 0; i < p->nu; i++) {
		const struct unit *t = &p->u[i];
		if (t->grp != (int)ng || t->role != R_TARGET)
			continue;
		if (t->kind != U_NOUN || strcmp(t->service, target->service) != 0 || kh__unit_is_named(p, i))
			return 0;
		any = 1;
	}
	for (size_t i = 0; any && i < p->nu; i++)
		if (p->u[i].grp == (int)ng)
			p->u[i].used = 1;
	return any;
}

/* What the group grants, after its own and the global negations: on the
 * target, verbs that mean particular actions there give those instead of
 * their levels; without one, the levels of every verb. */
static int group_access(struct groups *g, size_t grp, const struct unit *target,
			struct kh__access *acc, int *broad)
{
	struct parse *p = g->p;
	memset(acc, 0, sizeof(*acc));
	*broad = 0;
	for (size_t i = 0; i < p->nu; i++) {
		struct unit *v = &p->u[i];
		if (v->grp != (int)grp || v->role != R_POS ||
		    (target && kh__verb_actions(p, v, target, acc)))
			continue;
		acc->levels |= v->levels;
		*broad |= (v->lflags & KH__LEX_BROAD) != 0;
	}
	for (size_t i = 0; i < p->nu; i++) {
		struct unit *u = &p->u[i];
		int global = u->grp >= 0 && !g->ntgt[u->grp] && !g->npos[u->grp];
		if (u->role != R_NEG ||
		    (u->grp != (int)grp && !global && !negation_reaches(g, (size_t)u->grp, target)))
			continue;
		if (apply_negation(g, grp, u, target, &acc->levels) != KH_OK)
			return KH_ENOMEM;
		if (target) {
			kh__verb_unsay(p, u, target, acc);
			u->used = 1; /* understood, even when it had nothing to remove */
		}
	}
	return KH_OK;
}

/* ---- ARNs --------------------------------------------------------------- */

/* Fills the catalog template of the noun's resource type with name. */
static int build_arn(struct parse *p, const struct unit *n, const char *name, size_t nlen,
		     struct kh_buf *out)
{
	const struct kh_service *svc = kh_catalog_service(p->cat, n->service, strlen(n->service));
	const struct kh_resource_type *rt = svc ? kh_service_resource_type(svc, n->rtype) : NULL;
	const char *t;
	int named = 0;

	if (!rt)
		return KH_ENOTFOUND;
	for (t = rt->arn; *t && *t != '|';) {
		const char *close = strncmp(t, "${", 2) == 0 ? strchr(t, '}') : NULL;
		size_t kl;
		if (!close) {
			kh_buf_putc(out, *t++);
			continue;
		}
		kl = (size_t)(close - t) + 1;
		if (strncmp(t, "${Partition}", kl) == 0)
			kh_buf_puts(out, "aws");
		else if (strncmp(t, "${Region}", kl) == 0)
			kh_buf_puts(out, p->region ? p->region : "${Region}");
		else if (strncmp(t, "${Account}", kl) == 0)
			kh_buf_puts(out, p->account ? p->account : "${Account}");
		else if (!named++) {
			int slashless = memmem(t, kl, "WithoutLeadingSlash", 19) != NULL;
			size_t skip = slashless && nlen && name[0] == '/';
			kh_buf_add(out, name + skip, nlen - skip);
		} else
			kh_buf_putc(out, '*');
		t = close + 1;
	}
	if (n->suffix)
		kh_buf_puts(out, n->suffix);
	return kh_buf_error(out);
}

/* Bucket-level access on the bucket, object access (and the actions,
 * which verbs.c keeps to objects) on its objects. */
static int add_s3(struct parse *p, const char *bucket, size_t blen, const char *key, size_t klen,
		  const struct kh__access *acc, int broad)
{
	struct kh_buf b;
	int whole = broad && (acc->levels & KH_LEVEL_WRITE); /* "full control", not "read-only" */
	struct kh__access on_bucket = {.levels = whole ? acc->levels : acc->levels & S3_BUCKET_LEVELS};
	struct kh__access on_objects = *acc;
	int rc = KH_OK;

	on_objects.levels = whole ? acc->levels : acc->levels & S3_OBJECT_LEVELS;
	kh_buf_init(&b, 4096);
	if (on_bucket.levels) {
		kh_buf_printf(&b, "arn:aws:s3:::%.*s", (int)blen, bucket);
		rc = kh_buf_error(&b) ? kh_buf_error(&b) : kh__grant_add(p->r, "s3", b.data, &on_bucket);
	}
	if (rc == KH_OK && (on_objects.levels || on_objects.n_acts)) {
		int exact = klen && key[klen - 1] != '/' && !memchr(key, '*', klen) && memchr(key, '.', klen);
		kh_buf_reset(&b);
		kh_buf_printf(&b, "arn:aws:s3:::%.*s/%.*s%s", (int)blen, bucket, (int)klen, key,
			      exact || (klen && key[klen - 1] == '*') ? "" : "*");
		rc = kh_buf_error(&b) ? kh_buf_error(&b) : kh__grant_add(p->r, "s3", b.data, &on_objects);
	}
	kh_buf_release(&b);
	return rc;
}

static int add_arn_target(struct parse *p, const struct unit *u, const struct kh__access *acc)
{
	const char *arn = p->text + u->off, *svc = arn + 4;
	size_t alen = u->end - u->off, sl;
	char prefix[64];
	int rc;

	svc = memchr(svc, ':', alen - 4);
	if (!svc)
		return KH_ENOTFOUND;
	svc++;
	sl = strcspn(svc, ":");
	if (sl == 0 || sl >= sizeof(prefix) || svc + sl >= arn + alen ||
	    !kh_catalog_service(p->cat, svc, sl))
		return KH_ENOTFOUND;
	memcpy(prefix, svc, sl);
	prefix[sl] = '\0';
	{
		char *copy = strndup(arn, alen);
		if (!copy)
			return KH_ENOMEM;
		rc = kh__grant_add(p->r, prefix, copy, acc);
		free(copy);
	}
	return rc;
}

static int add_url_target(struct parse *p, const struct unit *u, const struct kh__access *acc,
			  int broad)
{
	const char *b = p->text + u->off + 5, *end = p->text + u->end;
	const char *slash = memchr(b, '/', (size_t)(end - b));
	size_t blen = slash ? (size_t)(slash - b) : (size_t)(end - b);
	const char *key = slash ? slash + 1 : end;
	return add_s3(p, b, blen, key, (size_t)(end - key), acc, broad);
}

static int add_noun_target(struct parse *p, size_t ui, const struct kh__access *acc, int broad)
{
	const struct unit *n = &p->u[ui];
	int named = 0, rc = KH_OK;
	struct kh_buf b;

	kh_buf_init(&b, 4096);
	for (size_t i = 0; i < p->nu && rc == KH_OK; i++) {
		struct unit *nm = &p->u[i];
		if (nm->name_of != (int)ui)
			continue;
		named = 1;
		nm->used = 1;
		if (strcmp(n->service, "s3") == 0) {
			rc = add_s3(p, p->text + nm->off, nm->end - nm->off, "", 0, acc, broad);
			continue;
		}
		kh_buf_reset(&b);
		rc = build_arn(p, n, p->text + nm->off, nm->end - nm->off, &b);
		if (rc == KH_OK)
			rc = kh__grant_add(p->r, n->service, b.data, acc);
	}
	kh_buf_release(&b);
	if (!named && rc == KH_OK)
		rc = kh__grant_add(p->r, n->service, NULL, acc);
	return rc;
}

/* ---- targets of a group ------------------------------------------------- */

int kh__unit_is_named(const struct parse *p, size_t ui)
{
	const struct unit *u = &p->u[ui];
	if (u->kind != U_NOUN)
		return 1;
	for (size_t i = 0; i < p->nu; i++)
		if (p->u[i].name_of == (int)ui)
			return 1;
	return 0;
}

static const char *target_service(const struct parse *p, const struct unit *u)
{
	if (u->kind == U_S3URL)
		return "s3";
	if (u->kind == U_ARN) {
		const char *s = strchr(p->w[u->w0].low + 4, ':');
		return s ? s + 1 : "";
	}
	return u->service;
}

/* Is the unnamed target ui redundant beside the other targets of grp? */
static int redundant(const struct parse *p, size_t grp, size_t ui)
{
	const struct unit *u = &p->u[ui];
	const char *svc = u->service;
	size_t sl = strlen(svc);

	for (size_t i = 0; i < p->nu; i++) {
		const struct unit *o = &p->u[i];
		const char *os;
		if (i == ui || o->grp != (int)grp || o->role != R_TARGET)
			continue;
		os = target_service(p, o);
		if ((u->lflags & KH__LEX_WEAK) && !(o->lflags & KH__LEX_WEAK))
			return 1;
		if (strncmp(os, svc, sl) == 0 && (os[sl] == '\0' || os[sl] == ':') &&
		    (kh__unit_is_named(p, i) || i < ui))
			return 1;
	}
	return 0;
}

static int emit_group(struct groups *g, size_t grp)
{
	struct parse *p = g->p;
	size_t tg = g->copy_from[grp] >= 0 ? (size_t)g->copy_from[grp] : grp;
	struct kh__access all, acc;
	int broad, rc, any = 0;

	if (!g->npos[grp])
		return KH_OK;
	rc = group_access(g, grp, NULL, &all, &broad);
	for (size_t i = 0; rc == KH_OK && i < p->nu; i++) {
		struct unit *u = &p->u[i];
		if (u->grp != (int)tg || u->role != R_TARGET)
			continue;
		if (u->kind == U_NOUN && !kh__unit_is_named(p, i) && redundant(p, tg, i)) {
			u->used = 1;
			continue;
		}
		if ((rc = group_access(g, grp, u, &acc, &broad)) != KH_OK)
			break;
		if (!acc.levels && !acc.n_acts) {
			u->used = 1;
			for (size_t k = 0; k < p->nu; k++)
				if (p->u[k].name_of == (int)i)
					p->u[k].used = 1;
			continue;
		}
		if (u->kind == U_ARN)
			rc = add_arn_target(p, u, &acc);
		else if (u->kind == U_S3URL)
			rc = add_url_target(p, u, &acc, broad);
		else
			rc = add_noun_target(p, i, &acc, broad);
		if (rc == KH_ENOTFOUND) {
			rc = KH_OK;
			continue;
		}
		u->used = 1;
		any = 1;
	}
	if (rc == KH_OK && (any || !all.levels))
		for (size_t i = 0; i < p->nu; i++)
			if (p->u[i].grp == (int)grp && p->u[i].role != R_TARGET)
				p->u[i].used = 1;
	return rc;
}

/* ---- unparsed and terms ------------------------------------------------- */

static int quiet(const struct unit *u)
{
	return u->kind == U_FUNC || u->kind == U_DET || u->kind == U_FILLER || u->kind == U_PERM ||
	       u->kind == U_CALLED || u->kind == U_NEG;
}

static int collect_unparsed(struct parse *p)
{
	for (size_t i = 0; i < p->nu; i++) {
		size_t last = i;
		if (p->u[i].used || quiet(&p->u[i]))
			continue;
		for (size_t j = i; j < p->nu; j++) {
			if (!p->u[j].used && (!quiet(&p->u[j]) || (p->u[j].kind == U_FILLER && last + 1 == j)))
				last = j;
			else if (p->u[j].used && !quiet(&p->u[j]))
				break;
			if (p->u[j].brk)
				break;
		}
		if (kh__strv_push(&p->r->unparsed, &p->r->n_unparsed, p->text + p->u[i].off,
				  p->u[last].end - p->u[i].off) != KH_OK)
			return KH_ENOMEM;
		i = last;
	}
	if (!p->r->n_grants && !p->r->n_unparsed && p->nu)
		return kh__strv_push(&p->r->unparsed, &p->r->n_unparsed, p->text + p->u[0].off,
				     p->u[p->nu - 1].end - p->u[0].off);
	return KH_OK;
}

static int verb_term(struct parse *p, const struct unit *u)
{
	struct kh_buf b;
	int rc;

	kh_buf_init(&b, 256);
	kh__levels_json(&b, u->levels);
	if (u->acts_service) {
		const char *list = kh__lexicon_actions(p->lx, u->lx->phrase, u->acts_service);
		kh_buf_printf(&b, "; on %s, the actions", u->acts_service);
		while (*list) {
			size_t n = strcspn(list, ",");
			kh_buf_printf(&b, " %s:%.*s", u->acts_service, (int)n, list);
			list += n + (list[n] == ',');
		}
	}
	rc = kh_buf_error(&b) ? kh_buf_error(&b)
			      : kh__term(p->r, p->text + u->off, u->end - u->off, "%s access %s",
					 u->role == R_NEG ? "excluded" : "grants", b.data);
	kh_buf_release(&b);
	return rc;
}

static int add_terms(struct parse *p)
{
	int rc = KH_OK;
	for (size_t i = 0; i < p->nu && rc == KH_OK; i++) {
		const struct unit *u = &p->u[i];
		const char *t = p->text + u->off;
		size_t n = u->end - u->off;
		const struct word *w = &p->w[u->w0];

		if (w->typo && u->nw == 1)
			rc = kh__term(p->r, t, n, "read as '%s' (a likely typo)", w->low);
		if (rc != KH_OK || !u->used)
			continue;
		if (u->is_source)
			rc = kh__term(p->r, t, n, "the workload: source %s", u->src);
		else if (u->name_of >= 0)
			rc = kh__term(p->r, t, n, "the name of a %s %s", p->u[u->name_of].service,
				      p->u[u->name_of].rtype);
		else if (u->kind == U_VERB)
			rc = verb_term(p, u);
		else if (u->kind == U_NOUN)
			rc = kh__term(p->r, t, n, "service %s%s%s", u->service, u->rtype ? ", resource " : "",
				      u->rtype ? u->rtype : "");
		else if (u->kind == U_ARN || u->kind == U_S3URL)
			rc = kh__term(p->r, t, n, "a resource, as written");
		else if (u->kind == U_ACCOUNT)
			rc = kh__term(p->r, t, n, "the account for ${Account}");
		else if (u->kind == U_REGION)
			rc = kh__term(p->r, t, n, "the region for ${Region}");
		else if (u->kind == U_NEG)
			rc = kh__term(p->r, t, n, "a negation");
	}
	return rc;
}

int kh__offline_groups(struct parse *p)
{
	struct groups g = {.p = p};
	size_t cap = p->nu + 1;
	int rc = KH_OK;

	g.copy_from = kh_arena_alloc(&p->arena, cap * sizeof(int));
	g.npos = kh_arena_alloc(&p->arena, cap * sizeof(unsigned));
	g.nneg = kh_arena_alloc(&p->arena, cap * sizeof(unsigned));
	g.ntgt = kh_arena_alloc(&p->arena, cap * sizeof(unsigned));
	if (!g.copy_from || !g.npos || !g.nneg || !g.ntgt)
		return KH_ENOMEM;
	form_groups(&g);
	settle_groups(&g);
	for (size_t i = 0; i < g.n && rc == KH_OK; i++)
		rc = emit_group(&g, i);
	if (rc == KH_OK)
		rc = add_terms(p);
	if (rc == KH_OK)
		rc = collect_unparsed(p);
	return rc;
}
