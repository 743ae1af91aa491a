/* statements.c - (action, resource) entries become few, stable statements.
 *
 * Entries are sorted and deduplicated; each action's resources under one
 * set of conditions form its resource set; actions with the same conditions
 * and resource set share a statement. Statements follow the grants' order,
 * and each gets a readable Sid made unique with a number.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generate/generate_int.h"

#define SID_PART_MAX 40

/* Actions of one statement share cond and reskey. */
struct row {
	const struct kh__entry *e; /* the action's entries, sorted by resource */
	size_t n;
	const char *reskey; /* resources joined by '\n' */
	size_t grant;       /* smallest grant index */
	unsigned levels;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct kh__entry *x = a, *y = b;
	int c = strcmp(x->cond, y->cond);
	if (!c)
		c = strcasecmp(x->action->full_name, y->action->full_name);
	if (!c)
		c = strcmp(x->action->full_name, y->action->full_name);
	return c ? c : strcmp(x->resource, y->resource);
}

static int same_action(const struct kh__entry *x, const struct kh__entry *y)
{
	return x->action == y->action && strcmp(x->cond, y->cond) == 0;
}

/* Sorts and merges duplicate (conditions, action, resource) entries. */
static void dedupe(struct kh__gen *g)
{
	size_t w = 0;
	if (g->n > 1)
		qsort(g->e, g->n, sizeof(*g->e), cmp_entry);
	for (size_t i = 0; i < g->n; i++) {
		if (w && cmp_entry(&g->e[w - 1], &g->e[i]) == 0) {
			struct kh__entry *d = &g->e[w - 1];
			d->levels |= g->e[i].levels;
			d->grant = d->grant < g->e[i].grant ? d->grant : g->e[i].grant;
			if (!d->rt_name)
				d->rt_name = g->e[i].rt_name;
			continue;
		}
		g->e[w++] = g->e[i];
	}
	g->n = w;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->e->cond, y->e->cond);
	if (!c)
		c = strcmp(x->reskey, y->reskey);
	return c ? c : cmp_entry(x->e, y->e);
}

/* One row per (conditions, action), with its resource set as text. */
static struct row *make_rows(struct kh__gen *g, size_t *n_rows)
{
	struct row *rows = calloc(g->n + 1, sizeof(*rows));
	size_t n = 0;

	if (!rows)
		return NULL;
	for (size_t i = 0; i < g->n;) {
		struct row *r = &rows[n++];
		struct kh_buf key;
		r->e = &g->e[i];
		r->grant = g->e[i].grant;
		for (; i < g->n && same_action(r->e, &g->e[i]); i++, r->n++) {
			r->levels |= g->e[i].levels;
			r->grant = g->e[i].grant < r->grant ? g->e[i].grant : r->grant;
		}
		kh_buf_init(&key, 0);
		for (size_t k = 0; k < r->n; k++) {
			if (k)
				kh_buf_putc(&key, '\n');
			kh_buf_puts(&key, r->e[k].resource);
		}
		r->reskey = kh_buf_error(&key) ? NULL
						: kh_arena_strndup(&g->arena, key.data, key.len);
		kh_buf_release(&key);
		if (!r->reskey) {
			free(rows);
			return NULL;
		}
	}
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_row);
	*n_rows = n;
	return rows;
}

/* A run of rows with the same conditions and resources: one statement. */
struct group {
	const struct row *rows;
	size_t n;
	size_t grant;
	unsigned levels;
};

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->grant != y->grant)
		return x->grant < y->grant ? -1 : 1;
	return cmp_row(x->rows, y->rows);
}

static struct group *make_groups(const struct row *rows, size_t n_rows, size_t *n_groups)
{
	struct group *gs = calloc(n_rows + 1, sizeof(*gs));
	size_t n = 0;

	if (!gs)
		return NULL;
	for (size_t i = 0; i < n_rows;) {
		struct group *gr = &gs[n++];
		gr->rows = &rows[i];
		gr->grant = rows[i].grant;
		for (; i < n_rows && strcmp(rows[i].e->cond, gr->rows->e->cond) == 0 &&
		       strcmp(rows[i].reskey, gr->rows->reskey) == 0;
		     i++, gr->n++) {
			gr->levels |= rows[i].levels;
			gr->grant = rows[i].grant < gr->grant ? rows[i].grant : gr->grant;
		}
	}
	if (n > 1)
		qsort(gs, n, sizeof(*gs), cmp_group);
	*n_groups = n;
	return gs;
}

/* ---- Sids --------------------------------------------------------------- */

static void sid_services(struct kh_buf *b, const struct group *gr)
{
	const char *last = NULL;
	size_t start = b->len;
	for (size_t i = 0; i < gr->n && b->len - start < SID_PART_MAX; i++) {
		const char *p = gr->rows[i].e->action->service->prefix;
		if (last && strcmp(last, p) == 0)
			continue;
		kh__camel(b, p, strlen(p), SID_PART_MAX);
		last = p;
	}
}

static void sid_levels(struct kh_buf *b, unsigned levels)
{
	static const struct {
		unsigned bit;
		const char *word;
	} order[] = {{KH_LEVEL_READ, "Read"},	    {KH_LEVEL_LIST, "List"},
		     {KH_LEVEL_WRITE, "Write"},	    {KH_LEVEL_TAGGING, "Tagging"},
		     {KH_LEVEL_PERMISSIONS, "Permissions"}};
	if (levels == KH_LEVEL_ALL) {
		kh_buf_puts(b, "Admin");
		return;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (levels & order[i].bit)
			kh_buf_puts(b, order[i].word);
}

/* The resource part of an ARN: what follows its fifth colon. */
static const char *arn_resource(const char *arn)
{
	const char *p = arn;
	for (int i = 0; i < 5 && p; i++)
		if ((p = strchr(p, ':')))
			p++;
	return p ? p : arn;
}

/* Names the resources: "AllResources", resource type names, or the words
 * of the ARNs' resource parts ("orders-bucket/..." -> "OrdersBucket"). */
static void sid_resources(struct kh_buf *b, const struct row *r)
{
	size_t start = b->len;
	const char *last = NULL;

	if (r->n == 1 && strcmp(r->e[0].resource, "*") == 0) {
		kh_buf_puts(b, "AllResources");
		return;
	}
	for (size_t i = 0; i < r->n && b->len - start < SID_PART_MAX; i++) {
		const char *name = r->e[i].rt_name;
		if (!name && strcmp(r->e[i].resource, "*") == 0)
			name = "All";
		if (name && last && strcmp(name, last) == 0)
			continue;
		if (name)
			kh__camel(b, name, strlen(name), SID_PART_MAX);
		else
			kh__camel(b, arn_resource(r->e[i].resource),
				  strlen(arn_resource(r->e[i].resource)), SID_PART_MAX);
		last = name;
	}
}

/* Writes a Sid for gr into b, unique among those in sids. */
static int make_sid(struct kh_strmap *sids, const struct group *gr, struct kh_buf *b)
{
	struct kh_strmap_slot *slot;
	size_t base;
	int created;

	kh_buf_reset(b);
	sid_services(b, gr);
	sid_levels(b, gr->levels);
	sid_resources(b, gr->rows);
	base = b->len;
	for (unsigned n = 2; kh_buf_error(b) == KH_OK && kh_strmap_get(sids, b->data); n++) {
		kh_buf_truncate(b, base);
		kh_buf_printf(b, "%u", n);
	}
	if (kh_buf_error(b) || !(slot = kh_strmap_put(sids, b->data, &created)))
		return KH_ENOMEM;
	slot->value = sids; /* any non-NULL marker */
	return KH_OK;
}

/* ---- statements --------------------------------------------------------- */

static int add_conditions(struct kh__gen *g, struct kh_statement *st, const struct kh_grant *gr)
{
	const size_t *idx;
	if (!gr)
		return KH_OK;
	if (!(idx = kh__sorted_conditions(&g->arena, gr)))
		return KH_ENOMEM;
	for (size_t i = 0; i < gr->n_conditions; i++) {
		const struct kh_grant_condition *c = &gr->conditions[idx[i]];
		int rc = kh_statement_add_condition(st, c->op, c->key,
						    (const char *const *)c->values, c->n_values);
		if (rc)
			return rc;
	}
	return KH_OK;
}

static int add_statement(struct kh__gen *g, const struct group *gr, const char *sid)
{
	struct kh_statement *st = kh_policy_add_statement(g->res->policy, sid, KH_EFFECT_ALLOW);
	int rc = KH_OK;

	if (!st)
		return KH_ENOMEM;
	for (size_t i = 0; i < gr->n && rc == KH_OK; i++)
		rc = kh_strlist_add(&st->action, gr->rows[i].e->action->full_name);
	for (size_t i = 0; i < gr->rows->n && rc == KH_OK; i++)
		rc = kh_strlist_add(&st->resource, gr->rows->e[i].resource);
	if (rc == KH_OK)
		rc = add_conditions(g, st, gr->rows->e->cond_grant);
	if (rc == KH_OK && (g->flags & KH_GEN_COMPACT))
		rc = kh__compact_actions(g->cat, &st->action);
	st->action.is_array = 1;
	st->resource.is_array = 1;
	return rc;
}

int kh__build_statements(struct kh__gen *g)
{
	struct kh_strmap sids = {0};
	struct row *rows = NULL;
	struct group *groups = NULL;
	size_t n_rows = 0, n_groups = 0;
	struct kh_buf sid;
	int rc = KH_ENOMEM;

	dedupe(g);
	kh_buf_init(&sid, 4096);
	if (!(rows = make_rows(g, &n_rows)) || !(groups = make_groups(rows, n_rows, &n_groups)))
		goto done;
	rc = KH_OK;
	for (size_t i = 0; i < n_groups && rc == KH_OK; i++) {
		rc = make_sid(&sids, &groups[i], &sid);
		if (rc == KH_OK)
			rc = add_statement(g, &groups[i], sid.data);
	}
done:
	kh_buf_release(&sid);
	kh_strmap_release(&sids, NULL);
	free(groups);
	free(rows);
	return rc;
}
