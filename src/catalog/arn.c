/* arn.c - does a (possibly wildcarded) ARN fit a catalog ARN template?
 *
 * Both sides are patterns: the user's ARN may hold '*', '?' and ${...}
 * policy variables; the template holds ${Placeholders}. The question is
 * whether the two patterns share at least one concrete ARN, which a small
 * search over (user position, template position) pairs answers exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"

enum tok_kind { TOK_LIT, TOK_ONE, TOK_STAR };
enum tok_class { CLASS_ANY, CLASS_NO_COLON, CLASS_NO_SLASH };

struct tok {
	unsigned char kind, cls;
	char c;
};

#define MAX_TOKS 1024

static int class_allows(int cls, char c)
{
	return !((cls == CLASS_NO_COLON && c == ':') || (cls == CLASS_NO_SLASH && c == '/'));
}

/* The user's side: '*' and ${var} are any run, '?' any one character. */
static size_t tokenize_user(const char *s, struct tok *t)
{
	size_t n = 0;
	for (; *s && n < MAX_TOKS; s++) {
		if (*s == '*') {
			t[n++] = (struct tok){TOK_STAR, CLASS_ANY, 0};
		} else if (*s == '?') {
			t[n++] = (struct tok){TOK_ONE, CLASS_ANY, 0};
		} else if (s[0] == '$' && s[1] == '{' && strchr(s, '}')) {
			s = strchr(s, '}');
			t[n++] = (struct tok){TOK_STAR, CLASS_ANY, 0};
		} else {
			t[n++] = (struct tok){TOK_LIT, 0, *s};
		}
	}
	return *s ? (size_t)-1 : n;
}

/* The template's side: a placeholder stays inside its ARN segment among
 * the first five, and inside one path element in the resource part, except
 * the last placeholder of a template whose last element may span paths. */
static size_t tokenize_template(const char *s, struct tok *t, int last_spans_path)
{
	size_t n = 0, colons = 0, last_star = (size_t)-1;
	for (; *s && n < MAX_TOKS; s++) {
		if (s[0] == '$' && s[1] == '{' && strchr(s, '}')) {
			s = strchr(s, '}');
			last_star = n;
			t[n++] = (struct tok){TOK_STAR, colons < 5 ? CLASS_NO_COLON : CLASS_NO_SLASH, 0};
		} else {
			colons += *s == ':';
			t[n++] = (struct tok){TOK_LIT, 0, *s};
		}
	}
	if (*s)
		return (size_t)-1;
	if (last_spans_path && last_star != (size_t)-1 && colons >= 5 && last_star == n - 1)
		t[last_star].cls = CLASS_ANY;
	return n;
}

/* Can token a and token b consume one and the same character? */
static int tokens_share_char(const struct tok *a, const struct tok *b)
{
	if (a->kind == TOK_LIT && b->kind == TOK_LIT)
		return a->c == b->c;
	if (a->kind == TOK_LIT)
		return class_allows(b->cls, a->c);
	if (b->kind == TOK_LIT)
		return class_allows(a->cls, b->c);
	return 1; /* two classes always share letters */
}

/* Nearly every search (an ARN against a template) fits in stack buffers
 * of this many states; only unusually long patterns allocate. */
#define SMALL_STATES 2048

static int patterns_intersect(const struct tok *p, size_t np, const struct tok *t, size_t nt)
{
	size_t w = nt + 1, total = (np + 1) * w;
	unsigned char small_seen[SMALL_STATES];
	uint32_t small_stack[SMALL_STATES];
	unsigned char *seen = small_seen;
	uint32_t *stack = small_stack;
	size_t sp = 0;
	int found = 0;

	if (total > SMALL_STATES) {
		seen = calloc(total, 1);
		stack = malloc(total * sizeof(*stack));
		if (!seen || !stack) {
			free(seen);
			free(stack);
			return 0;
		}
	} else {
		memset(seen, 0, total);
	}
#define PUSH(i, j)                                                                                 \
	do {                                                                                       \
		size_t k_ = (i) * w + (j);                                                         \
		if (!seen[k_]) {                                                                   \
			seen[k_] = 1;                                                              \
			stack[sp++] = (uint32_t)k_;                                                \
		}                                                                                  \
	} while (0)
	PUSH(0, 0);
	while (sp && !found) {
		size_t k = stack[--sp], i = k / w, j = k % w;
		if (i == np && j == nt) {
			found = 1;
			break;
		}
		if (i < np && p[i].kind == TOK_STAR)
			PUSH(i + 1, j);
		if (j < nt && t[j].kind == TOK_STAR)
			PUSH(i, j + 1);
		if (i < np && j < nt && tokens_share_char(&p[i], &t[j])) {
			size_t ni = p[i].kind == TOK_STAR ? i : i + 1;
			size_t nj = t[j].kind == TOK_STAR ? j : j + 1;
			if (ni != i || nj != j)
				PUSH(ni, nj);
		}
	}
#undef PUSH
	if (seen != small_seen) {
		free(seen);
		free(stack);
	}
	return found;
}

/* The common case, an ARN with no wildcard or variable (as logs give them),
 * matched straight against the template text [t, tend): each placeholder
 * tries every run its class allows. The same answers as the token search,
 * which the unit tests check side by side. */
static int concrete_match(const char *s, const char *t, const char *tend, size_t colons,
			  int last_spans_path)
{
	while (t < tend) {
		const char *close = t[0] == '$' && t + 1 < tend && t[1] == '{'
					    ? memchr(t, '}', (size_t)(tend - t))
					    : NULL;
		if (close) {
			const char *after = close + 1;
			int cls = colons < 5 ? CLASS_NO_COLON : CLASS_NO_SLASH;
			char next;
			if (last_spans_path && colons >= 5 && after == tend)
				cls = CLASS_ANY;
			if (after == tend) { /* the rest of s, if its class allows it */
				for (; *s; s++)
					if (!class_allows(cls, *s))
						return 0;
				return 1;
			}
			/* Only where the literal after the placeholder comes next. */
			next = after[0] == '$' && after + 1 < tend && after[1] == '{' ? 0 : *after;
			for (;; s++) {
				if ((!next || *s == next) &&
				    concrete_match(s, after, tend, colons, last_spans_path))
					return 1;
				if (!*s || !class_allows(cls, *s))
					return 0;
			}
		}
		if (*s != *t)
			return 0;
		colons += *t == ':';
		s++;
		t++;
	}
	return *s == '\0';
}

static int is_concrete(const char *arn)
{
	return !strpbrk(arn, "*?$") && strlen(arn) < MAX_TOKS;
}

/* Does the concrete ARN fit one of the '|'-separated templates of rt? */
static int concrete_matches_type(const char *arn, const struct kh_resource_type *rt)
{
	const char *tmpl = rt->arn;

	for (;;) {
		const char *bar = strchr(tmpl, '|');
		const char *end = bar ? bar : tmpl + strlen(tmpl);
		if (end - tmpl < 1024 && concrete_match(arn, tmpl, end, 0, rt->last_spans_path))
			return 1;
		if (!bar)
			return 0;
		tmpl = bar + 1;
	}
}

int kh_arn_matches_template(const char *arn, const char *tmpl, int last_spans_path)
{
	if (strcmp(arn, "*") == 0)
		return 1;
	if (is_concrete(arn))
		return concrete_match(arn, tmpl, tmpl + strlen(tmpl), 0, last_spans_path);
	return kh__arn_matches_template_tokens(arn, tmpl, last_spans_path);
}

int kh__arn_matches_template_tokens(const char *arn, const char *tmpl, int last_spans_path)
{
	struct tok p[MAX_TOKS], t[MAX_TOKS];
	size_t np, nt;

	np = tokenize_user(arn, p);
	nt = tokenize_template(tmpl, t, last_spans_path);
	return np != (size_t)-1 && nt != (size_t)-1 && patterns_intersect(p, np, t, nt);
}

/* Does the tokenized user pattern meet any of rt's templates? */
static int tokens_match_type(const struct tok *p, size_t np, const struct kh_resource_type *rt)
{
	struct tok t[MAX_TOKS];
	const char *tmpl = rt->arn;
	char one[1024];

	for (;;) {
		const char *bar = strchr(tmpl, '|');
		size_t len = bar ? (size_t)(bar - tmpl) : strlen(tmpl), nt;
		if (len < sizeof(one)) {
			memcpy(one, tmpl, len);
			one[len] = '\0';
			nt = tokenize_template(one, t, rt->last_spans_path);
			if (nt != (size_t)-1 && patterns_intersect(p, np, t, nt))
				return 1;
		}
		if (!bar)
			return 0;
		tmpl = bar + 1;
	}
}

int kh_arn_matches_resource_type(const char *arn, const struct kh_resource_type *rt)
{
	struct tok p[MAX_TOKS];
	size_t np;

	if (strcmp(arn, "*") == 0)
		return 1;
	if (is_concrete(arn))
		return concrete_matches_type(arn, rt);
	np = tokenize_user(arn, p);
	return np != (size_t)-1 && tokens_match_type(p, np, rt);
}

size_t kh_service_match_arn(const struct kh_service *svc, const char *arn,
			    const struct kh_resource_type **out, size_t max)
{
	struct tok p[MAX_TOKS];
	int star = strcmp(arn, "*") == 0, concrete = !star && is_concrete(arn);
	size_t n = 0, np = star || concrete ? 0 : tokenize_user(arn, p); /* once for all */

	if (np == (size_t)-1)
		return 0;
	for (size_t i = 0; i < svc->n_resource_types; i++) {
		const struct kh_resource_type *rt = &svc->resource_types[i];
		if (star || (concrete ? concrete_matches_type(arn, rt) : tokens_match_type(p, np, rt))) {
			if (n < max)
				out[n] = rt;
			n++;
		}
	}
	return n;
}
