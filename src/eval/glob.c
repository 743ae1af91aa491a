/* glob.c - containment of IAM glob languages.
 *
 * A glob ('*' any run, '?' one character) is a small automaton whose
 * states are positions in the pattern. L(b) is inside L(a) when no string
 * leads b to acceptance while a rejects it: a search over pairs of state
 * sets, one per pattern, stepping on each character that appears in either
 * pattern plus one character that appears in neither. Exact; patterns
 * longer than 255 units are refused (reported as not contained).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_int.h"

#define MAXP 255
#define WORDS 4 /* 256 states */

struct gpat {
	char c[MAXP]; /* literal, or 0 for '?' and 1 for '*' */
	size_t n;
};

struct set {
	uint64_t w[WORDS];
};

struct pair {
	struct set a, b;
};

static int gpat_init(struct gpat *g, const char *s, size_t n, int fold)
{
	g->n = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (g->n == MAXP)
			return -1;
		if (c == '*')
			c = 1;
		else if (c == '?')
			c = 0;
		else if (fold && c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		else if (c == 0 || c == 1)
			c = 2;
		g->c[g->n++] = c;
	}
	return 0;
}

static int has(const struct set *s, size_t i)
{
	return (s->w[i / 64] >> (i % 64)) & 1;
}

static void put(struct set *s, size_t i)
{
	s->w[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Adds the states reachable by skipping '*'s. */
static void closure(const struct gpat *g, struct set *s)
{
	for (size_t i = 0; i < g->n; i++)
		if (has(s, i) && g->c[i] == 1)
			put(s, i + 1);
}

static struct set step(const struct gpat *g, const struct set *s, char c)
{
	struct set t = {{0}};
	for (size_t i = 0; i < g->n; i++) {
		if (!has(s, i))
			continue;
		if (g->c[i] == 1)
			put(&t, i);
		else if (g->c[i] == 0 || g->c[i] == c)
			put(&t, i + 1);
	}
	closure(g, &t);
	return t;
}

static int empty(const struct set *s)
{
	for (int i = 0; i < WORDS; i++)
		if (s->w[i])
			return 0;
	return 1;
}

/* Searches for a string accepted by b and rejected by a. Returns 1 when
 * there is none (contained), 0 otherwise or when the search is too big. */
static int search(const struct gpat *a, const struct gpat *b)
{
	char alpha[2 * MAXP + 1];
	size_t na = 0, cap = 1024, n = 0, top = 0;
	struct pair *seen = malloc(cap * sizeof(*seen)), start = {{{0}}, {{0}}};
	int result = 1;

	if (!seen)
		return 0;
	for (size_t i = 0; i < a->n + b->n; i++) {
		char c = i < a->n ? a->c[i] : b->c[i - a->n];
		if (c > 1 && !memchr(alpha, c, na))
			alpha[na++] = c;
	}
	alpha[na++] = 2; /* stands for every other character */
	put(&start.a, 0);
	put(&start.b, 0);
	closure(a, &start.a);
	closure(b, &start.b);
	seen[n++] = start;
	while (top < n && result) {
		struct pair p = seen[top++];
		if (has(&p.b, b->n) && !has(&p.a, a->n)) {
			result = 0;
			break;
		}
		for (size_t k = 0; k < na; k++) {
			struct pair q = {step(a, &p.a, alpha[k]), step(b, &p.b, alpha[k])};
			size_t j;
			if (empty(&q.b))
				continue;
			for (j = 0; j < n && memcmp(&seen[j], &q, sizeof(q)) != 0; j++)
				;
			if (j < n)
				continue;
			if (n == cap) {
				struct pair *m = cap < 65536 ? realloc(seen, 2 * cap * sizeof(*m)) : NULL;
				if (!m) {
					result = 0;
					break;
				}
				seen = m;
				cap *= 2;
			}
			seen[n++] = q;
		}
	}
	free(seen);
	return result;
}

static int contains_n(const char *a, size_t an, const char *b, size_t bn, int fold)
{
	struct gpat *ga = malloc(sizeof(*ga)), *gb = malloc(sizeof(*gb));
	int r = 0;
	if (ga && gb && gpat_init(ga, a, an, fold) == 0 && gpat_init(gb, b, bn, fold) == 0)
		r = search(ga, gb);
	free(ga);
	free(gb);
	return r;
}

int kh_glob_contains(const char *a, const char *b, int fold)
{
	return contains_n(a, strlen(a), b, strlen(b), fold);
}

int kh_arn_pattern_contains(const char *a, const char *b)
{
	const char *sa[6], *sb[6];
	size_t la[6], lb[6], an = strlen(a), bn = strlen(b);

	if (strcmp(a, "*") == 0)
		return 1;
	if (strcmp(b, "*") == 0)
		return 0;
	if (!ev_arn_split(a, an, sa, la) || !ev_arn_split(b, bn, sb, lb))
		return contains_n(a, an, b, bn, 0);
	for (int i = 0; i < 6; i++)
		if (!contains_n(sa[i], la[i], sb[i], lb[i], 0))
			return 0;
	return 1;
}
