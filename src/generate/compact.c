/* compact.c - exact action wildcards: "s3:GetObject*" replaces a run of
 * actions only when everything it matches in the catalog is already in the
 * statement, so compacting never grants more (today's catalog; a future
 * action matching the wildcard would be granted too, as IAM would). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "generate/generate_int.h"

static int cmp_name(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/* Index of name in the sorted items, or -1. */
static long find(char *const *items, size_t n, const char *name)
{
	char *const *hit = bsearch(&name, items, n, sizeof(*items), cmp_name);
	return hit ? (long)(hit - items) : -1;
}

/* If pattern expands to at least two actions, all in items, marks them
 * covered and returns 1. */
static int try_pattern(const struct kh_catalog *cat, const char *pattern, char *const *items,
		       size_t n, char *covered, int *rc)
{
	const struct kh_action **acts;
	size_t n_acts;
	int ok;

	if ((*rc = kh_catalog_expand(cat, pattern, &acts, &n_acts)))
		return 0;
	ok = n_acts >= 2;
	for (size_t i = 0; i < n_acts && ok; i++)
		ok = find(items, n, acts[i]->full_name) >= 0;
	for (size_t i = 0; i < n_acts && ok; i++)
		covered[find(items, n, acts[i]->full_name)] = 1;
	free(acts);
	return ok;
}

/* Appends to out the shortest word-boundary wildcard that covers item i
 * exactly, or the item itself. */
static int compact_one(const struct kh_catalog *cat, char *const *items, size_t n, size_t i,
		       char *covered, struct kh_strlist *out)
{
	const char *full = items[i], *name = strchr(full, ':');
	struct kh_buf pat;
	int rc = KH_OK, done = 0;

	if (!name)
		return kh_strlist_add(out, full);
	name++;
	kh_buf_init(&pat, 1024);
	/* Word boundaries: before each capital after the first, and the end. */
	for (size_t p = 1; p <= strlen(name) && !done && rc == KH_OK; p++) {
		if (name[p] && !isupper((unsigned char)name[p]))
			continue;
		kh_buf_reset(&pat);
		kh_buf_add(&pat, full, (size_t)(name - full) + p);
		kh_buf_putc(&pat, '*');
		if (kh_buf_error(&pat))
			rc = KH_ENOMEM;
		else if ((done = try_pattern(cat, pat.data, items, n, covered, &rc)))
			rc = kh_strlist_add(out, pat.data);
	}
	if (!done && rc == KH_OK) {
		covered[i] = 1;
		rc = kh_strlist_add(out, full);
	}
	kh_buf_release(&pat);
	return rc;
}

/* Removes the names and wildcards that another wildcard in l already
 * matches ("s3:GetObject*" covers "s3:GetObjectVersion*": matching the
 * pattern text itself works because all wildcards here are prefixes). */
static void drop_covered(struct kh_strlist *l)
{
	for (size_t i = 0; i < l->n;) {
		int covered = 0;
		for (size_t j = 0; j < l->n && !covered; j++)
			covered = j != i && strchr(l->items[j], '*') &&
				  kh_glob_match(l->items[j], strlen(l->items[j]), l->items[i],
						strlen(l->items[i]), 1);
		if (covered)
			kh_strlist_remove(l, i);
		else
			i++;
	}
}

int kh__compact_actions(const struct kh_catalog *cat, struct kh_strlist *actions)
{
	struct kh_strlist out = {0};
	char *covered = calloc(actions->n + 1, 1);
	int rc = covered ? KH_OK : KH_ENOMEM;

	if (actions->n > 1)
		qsort(actions->items, actions->n, sizeof(*actions->items), cmp_name);
	for (size_t i = 0; i < actions->n && rc == KH_OK; i++)
		if (!covered[i])
			rc = compact_one(cat, actions->items, actions->n, i, covered, &out);
	free(covered);
	if (rc != KH_OK) {
		kh_strlist_release(&out);
		return rc;
	}
	drop_covered(&out);
	if (out.n > 1)
		qsort(out.items, out.n, sizeof(*out.items), cmp_name);
	kh_strlist_release(actions);
	*actions = out;
	actions->is_array = 1;
	return KH_OK;
}
