/* summary.c - per-principal usage aggregation and merging (see usage.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/usage.h"
#include "usage/summary_int.h"

static const char *const class_names[KH_USAGE_CLASSES] = {"used", "denied", "unmapped",
							   "no_permission"};

const char *kh_usage_class_name(enum kh_usage_class cls)
{
	return (unsigned)cls < KH_USAGE_CLASSES ? class_names[cls] : "unknown";
}

int kh__usage_class_parse(const char *s)
{
	for (int i = 0; i < KH_USAGE_CLASSES; i++)
		if (strcmp(s, class_names[i]) == 0)
			return i;
	return -1;
}

struct kh_usage *kh_usage_new(size_t max_resources)
{
	struct kh_usage *u = calloc(1, sizeof(*u));
	if (u)
		u->max_resources = max_resources ? max_resources : 64;
	return u;
}

static void entry_free(void *v)
{
	struct kh__usage_entry *e = v;
	if (!e)
		return;
	for (size_t i = 0; i < e->pub.n_resources; i++)
		free((char *)e->pub.resources[i]);
	free(e->pub.resources);
	free(e);
}

static void principal_free(void *v)
{
	struct kh__usage_principal *p = v;
	if (!p)
		return;
	kh_strmap_release(&p->entries, entry_free);
	kh_strmap_release(&p->regions, NULL);
	free(p->pub.entries);
	free(p->pub.regions);
	free(p);
}

void kh_usage_free(struct kh_usage *u)
{
	if (!u)
		return;
	kh_strmap_release(&u->principals, principal_free);
	kh_strmap_release(&u->data_services, NULL);
	free(u->sorted);
	free(u);
}

static void widen_range(long long *first, long long *last, long long f, long long l)
{
	if (f && (!*first || f < *first))
		*first = f;
	if (l && l > *last)
		*last = l;
}

struct kh__usage_principal *kh__usage_principal_get(struct kh_usage *u, const char *arn)
{
	int created;
	struct kh_strmap_slot *slot;

	u->dirty = 1;
	if (u->last && strcmp(u->last->pub.arn, arn) == 0)
		return u->last;
	if (!(slot = kh_strmap_put(&u->principals, arn, &created)))
		return NULL;
	if (created) {
		struct kh__usage_principal *p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		slot->value = p;
		p->pub.arn = slot->key; /* the map owns the key */
	}
	return u->last = slot->value;
}

struct kh__usage_entry *kh__usage_entry_get(struct kh__usage_principal *p,
					    enum kh_usage_class cls, const char *name)
{
	char small[256], *key = small;
	size_t len, r = ((uintptr_t)name >> 3) % KH__RECENT_ENTRIES;
	struct kh_strmap_slot *slot;
	int created;

	/* The same address may hold another name by now: compare the text. */
	if (p->recent[r].name == name && p->recent[r].entry->pub.cls == cls &&
	    strcmp(p->recent[r].entry->pub.name, name) == 0)
		return p->recent[r].entry;
	len = strlen(name);
	/* The key is "<class>\x1f<name>"; built without printf or malloc in the
	 * common case, since this runs for every action of every event. */
	if (len + 3 > sizeof(small) && !(key = malloc(len + 3)))
		return NULL;
	key[0] = (char)('0' + cls);
	key[1] = '\x1f';
	memcpy(key + 2, name, len + 1);
	slot = kh_strmap_put(&p->entries, key, &created);
	if (key != small)
		free(key);
	if (slot && created) {
		struct kh__usage_entry *e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		slot->value = e;
		e->pub.cls = cls;
		e->pub.name = slot->key + 2;
	}
	if (!slot)
		return NULL;
	p->recent[r].name = name;
	p->recent[r].entry = slot->value;
	return slot->value;
}

int kh__usage_entry_add_resource(struct kh__usage_entry *e, const char *res, size_t max)
{
	size_t lo = 0, hi = e->pub.n_resources;
	const char **list = e->pub.resources;
	char *copy;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(list[mid], res);
		if (c == 0)
			return KH_OK;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (e->pub.n_resources == max) {
		/* Keep the smallest: shards then merge to exactly one scan's set. */
		e->pub.resources_truncated = 1;
		if (lo == max)
			return KH_OK;
		free((char *)list[max - 1]);
		e->pub.n_resources--;
	} else if ((e->pub.n_resources & (e->pub.n_resources - 1)) == 0) {
		size_t cap = e->pub.n_resources ? e->pub.n_resources * 2 : 1;
		list = realloc(list, cap * sizeof(*list));
		if (!list)
			return KH_ENOMEM;
		e->pub.resources = list;
	}
	if (!(copy = strdup(res)))
		return KH_ENOMEM;
	memmove(list + lo + 1, list + lo, (e->pub.n_resources - lo) * sizeof(*list));
	list[lo] = copy;
	e->pub.n_resources++;
	return KH_OK;
}

int kh_usage_event(struct kh_usage *u, const char *principal, long long time, const char *region,
		   int is_error)
{
	struct kh__usage_principal *p = kh__usage_principal_get(u, principal);
	int created;

	if (!p)
		return KH_ENOMEM;
	p->pub.calls++;
	p->pub.errors += is_error != 0;
	widen_range(&p->pub.first, &p->pub.last, time, time);
	if (region && *region && !kh_strmap_put(&p->regions, region, &created))
		return KH_ENOMEM;
	return KH_OK;
}

int kh_usage_record(struct kh_usage *u, const char *principal, enum kh_usage_class cls,
		    const char *name, const char *resource, long long time)
{
	struct kh__usage_principal *p = kh__usage_principal_get(u, principal);
	struct kh__usage_entry *e = p ? kh__usage_entry_get(p, cls, name) : NULL;

	if (!e)
		return KH_ENOMEM;
	e->pub.count++;
	widen_range(&e->pub.first, &e->pub.last, time, time);
	if (!resource) {
		e->pub.unknown_resource++;
		return KH_OK;
	}
	return kh__usage_entry_add_resource(e, resource, u->max_resources);
}

int kh_usage_note_data_events(struct kh_usage *u, const char *service)
{
	int created;
	struct kh_strmap_slot *slot = kh_strmap_put(&u->data_services, service, &created);
	if (!slot)
		return KH_ENOMEM;
	slot->value = slot->key; /* any non-NULL value marks membership */
	return KH_OK;
}

int kh_usage_has_data_events(const struct kh_usage *u, const char *service)
{
	return kh_strmap_get(&u->data_services, service) != NULL;
}

void kh_usage_add_scan(struct kh_usage *u, const struct kh_usage_scan *s)
{
	u->scan.files += s->files;
	u->scan.files_skipped += s->files_skipped;
	u->scan.events += s->events;
	u->scan.events_skipped += s->events_skipped;
	u->scan.bytes += s->bytes;
	widen_range(&u->scan.first, &u->scan.last, s->first, s->last);
}

const struct kh_usage_scan *kh_usage_scan_stats(const struct kh_usage *u)
{
	return &u->scan;
}

static int merge_entry(struct kh_usage *into, struct kh__usage_principal *dst,
		       const struct kh__usage_entry *se)
{
	struct kh__usage_entry *de = kh__usage_entry_get(dst, se->pub.cls, se->pub.name);

	if (!de)
		return KH_ENOMEM;
	de->pub.count += se->pub.count;
	de->pub.unknown_resource += se->pub.unknown_resource;
	de->pub.resources_truncated |= se->pub.resources_truncated;
	widen_range(&de->pub.first, &de->pub.last, se->pub.first, se->pub.last);
	for (size_t r = 0; r < se->pub.n_resources; r++)
		if (kh__usage_entry_add_resource(de, se->pub.resources[r], into->max_resources))
			return KH_ENOMEM;
	return KH_OK;
}

int kh_usage_merge(struct kh_usage *into, const struct kh_usage *from)
{
	kh_usage_add_scan(into, &from->scan);
	for (size_t i = 0; i < from->data_services.cap; i++)
		if (from->data_services.slots[i].key &&
		    kh_usage_note_data_events(into, from->data_services.slots[i].key))
			return KH_ENOMEM;
	for (size_t i = 0; i < from->principals.cap; i++) {
		const struct kh__usage_principal *src = from->principals.slots[i].value;
		struct kh__usage_principal *dst;
		int created;

		if (!from->principals.slots[i].key)
			continue;
		if (!(dst = kh__usage_principal_get(into, src->pub.arn)))
			return KH_ENOMEM;
		dst->pub.calls += src->pub.calls;
		dst->pub.errors += src->pub.errors;
		widen_range(&dst->pub.first, &dst->pub.last, src->pub.first, src->pub.last);
		for (size_t r = 0; r < src->regions.cap; r++)
			if (src->regions.slots[r].key &&
			    !kh_strmap_put(&dst->regions, src->regions.slots[r].key, &created))
				return KH_ENOMEM;
		for (size_t k = 0; k < src->entries.cap; k++)
			if (src->entries.slots[k].key &&
			    merge_entry(into, dst, src->entries.slots[k].value))
				return KH_ENOMEM;
	}
	return KH_OK;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct kh_usage_entry *x = *(const struct kh_usage_entry *const *)a;
	const struct kh_usage_entry *y = *(const struct kh_usage_entry *const *)b;
	if (x->cls != y->cls)
		return (int)x->cls - (int)y->cls;
	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_principal(const void *a, const void *b)
{
	return strcmp((*(const struct kh_usage_principal *const *)a)->arn,
		      (*(const struct kh_usage_principal *const *)b)->arn);
}

/* Rebuilds one principal's sorted views of its entries and regions. */
static int principal_snapshot(struct kh__usage_principal *p)
{
	size_t n = 0;

	free(p->pub.entries);
	free(p->pub.regions);
	p->pub.entries = malloc((p->entries.count + 1) * sizeof(*p->pub.entries));
	p->pub.regions = malloc((p->regions.count + 1) * sizeof(*p->pub.regions));
	if (!p->pub.entries || !p->pub.regions)
		return KH_ENOMEM;
	for (size_t i = 0; i < p->entries.cap; i++)
		if (p->entries.slots[i].key)
			p->pub.entries[n++] = &((struct kh__usage_entry *)p->entries.slots[i].value)->pub;
	p->pub.n_entries = n;
	qsort(p->pub.entries, n, sizeof(*p->pub.entries), cmp_entry);
	n = 0;
	for (size_t i = 0; i < p->regions.cap; i++)
		if (p->regions.slots[i].key)
			p->pub.regions[n++] = p->regions.slots[i].key;
	p->pub.n_regions = n;
	qsort(p->pub.regions, n, sizeof(*p->pub.regions), cmp_str);
	return KH_OK;
}

int kh_usage_principals(struct kh_usage *u, const struct kh_usage_principal ***out, size_t *n)
{
	if (u->dirty || !u->sorted) {
		size_t k = 0;

		free(u->sorted);
		u->sorted = malloc((u->principals.count + 1) * sizeof(*u->sorted));
		if (!u->sorted)
			return KH_ENOMEM;
		for (size_t i = 0; i < u->principals.cap; i++) {
			struct kh__usage_principal *p = u->principals.slots[i].value;
			if (!u->principals.slots[i].key)
				continue;
			if (principal_snapshot(p))
				return KH_ENOMEM;
			u->sorted[k++] = &p->pub;
		}
		u->n_sorted = k;
		qsort(u->sorted, k, sizeof(*u->sorted), cmp_principal);
		u->dirty = 0;
	}
	*out = (const struct kh_usage_principal **)u->sorted;
	*n = u->n_sorted;
	return KH_OK;
}
