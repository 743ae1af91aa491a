/* util.c - arena, case-insensitive hash map, wildcard match, edit distance. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

struct kh_arena_block {
	struct kh_arena_block *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void kh_arena_init(struct kh_arena *a)
{
	a->head = NULL;
	a->used = a->size = 0;
}

void *kh_arena_alloc(struct kh_arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (!a->head || a->size - a->used < need) {
		size_t size = need > 65536 ? need : 65536;
		struct kh_arena_block *b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = a->head;
		b->size = size;
		a->head = b;
		a->used = 0;
		a->size = size;
	}
	p = a->head->data + a->used;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *kh_arena_strndup(struct kh_arena *a, const char *s, size_t n)
{
	char *p = kh_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void kh_arena_release(struct kh_arena *a)
{
	while (a->head) {
		struct kh_arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	kh_arena_init(a);
}

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ASCII upper-case letters of the eight bytes of w, lowered (SWAR). */
static inline uint64_t fold_word(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t heptets = w & ~highs;
	uint64_t ge_a = heptets + (0x80 - 'A') * ones, gt_z = heptets + (0x80 - 'Z' - 1) * ones;
	uint64_t upper = ge_a & ~gt_z & ~w & highs;
	return w | (upper >> 2);
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* Eight bytes at a time: keys here are ARNs and action names, long enough
 * that a byte-at-a-time hash showed in scan profiles. */
uint64_t kh_hash_bytes(const char *s, size_t n, int fold)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = mix(h, fold ? fold_word(w) : w);
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = mix(h, fold ? fold_word(w) : w);
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

uint64_t kh_hash_ci(const char *s, size_t n)
{
	return kh_hash_bytes(s, n, 1);
}

int kh_ptrmap_init(struct kh_ptrmap *m, size_t expected)
{
	size_t cap = 16;
	while (cap < expected * 2)
		cap *= 2;
	m->slots = calloc(cap, sizeof(*m->slots));
	m->mask = cap - 1;
	m->count = 0;
	return m->slots ? 0 : -1;
}

void kh_ptrmap_release(struct kh_ptrmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = 0;
	m->count = 0;
}

static int key_equal(const char *a, const char *b, size_t len)
{
	return strncasecmp(a, b, len) == 0 && a[len] == '\0';
}

int kh_ptrmap_put(struct kh_ptrmap *m, const char *key, size_t len, const void *v,
		  const char *(*key_of)(const void *))
{
	size_t i;
	if ((m->count + 1) * 2 > m->mask + 1)
		return -1; /* sized at init; never silently overfill */
	for (i = kh_hash_ci(key, len) & m->mask; m->slots[i]; i = (i + 1) & m->mask)
		if (key_equal(key_of(m->slots[i]), key, len))
			return 0; /* first one wins */
	m->slots[i] = v;
	m->count++;
	return 0;
}

const void *kh_ptrmap_get(const struct kh_ptrmap *m, const char *key, size_t len,
			  const char *(*key_of)(const void *))
{
	if (!m->slots)
		return NULL;
	for (size_t i = kh_hash_ci(key, len) & m->mask; m->slots[i]; i = (i + 1) & m->mask)
		if (key_equal(key_of(m->slots[i]), key, len))
			return m->slots[i];
	return NULL;
}

int kh_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int fold)
{
	size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;

	while (i < slen) {
		if (p < plen && pat[p] == '*') {
			star_p = ++p;
			star_i = i;
		} else if (p < plen && (pat[p] == '?' ||
					(fold ? lower((unsigned char)pat[p]) ==
							lower((unsigned char)s[i])
					      : pat[p] == s[i]))) {
			p++;
			i++;
		} else if (star_p != (size_t)-1) {
			p = star_p;
			i = ++star_i;
		} else {
			return 0;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

size_t kh_edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit)
{
	size_t row[128], i, j;

	if (blen >= sizeof(row) / sizeof(row[0]) || alen >= 128)
		return limit + 1;
	if ((alen > blen ? alen - blen : blen - alen) > limit)
		return limit + 1;
	for (j = 0; j <= blen; j++)
		row[j] = j;
	for (i = 1; i <= alen; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (j = 1; j <= blen; j++) {
			size_t up = row[j];
			size_t cost = lower((unsigned char)a[i - 1]) != lower((unsigned char)b[j - 1]);
			size_t v = diag + cost;
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[blen] > limit ? limit + 1 : row[blen];
}
